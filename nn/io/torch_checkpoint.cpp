#include "nn/io/torch_checkpoint.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "nn/io/float16.h"
#include "nn/io/pickle.h"
#include "nn/io/zip_reader.h"

namespace pn::nn::io {

static_assert(std::endian::native == std::endian::little,
              "PyTorch writes storages in the saving machine's order (little endian in practice)");

namespace {

using Kind = PickleValue::Kind;

// ---- storages and tensors as the pickle describes them ----

struct StorageType {
  const char* cls;  // name in module torch
  size_t size;      // bytes per element in the file
  DType as;         // dtype of the materialised tensor
};
constexpr StorageType kStorageTypes[] = {
    {"FloatStorage", 4, DType::Float32}, {"DoubleStorage", 8, DType::Float64},
    {"HalfStorage", 2, DType::Float32},  {"BFloat16Storage", 2, DType::Float32},
    {"LongStorage", 8, DType::Int64},    {"IntStorage", 4, DType::Int64},
    {"ByteStorage", 1, DType::UInt8},    {"BoolStorage", 1, DType::UInt8},
};

const StorageType* storage_type(const std::string& qualified) {
  for (const auto& t : kStorageTypes)
    if (qualified == std::string("torch.") + t.cls) return &t;
  return nullptr;
}

// One storage as saved: its bytes are filled in after the pickle is read.
struct RootStorage {
  std::string key;
  const StorageType* type;
  uint64_t numel;
  std::vector<unsigned char> bytes;
  bool loaded = false;
};

// A storage as a tensor sees it: a root, or (legacy format) a view of one.
struct StorageRef : PickleObject {
  std::shared_ptr<RootStorage> root;
  uint64_t offset = 0, numel = 0;  // elements of the root
  std::string describe() const override { return std::string("storage '") + root->key + "' (torch." + root->type->cls + ")"; }
};

struct TensorRef : PickleObject {
  std::shared_ptr<StorageRef> storage;
  uint64_t offset = 0;  // elements of the storage
  Shape size;
  std::vector<uint64_t> stride;
  uint64_t numel = 0;
  std::string describe() const override {
    std::ostringstream os;
    os << "tensor " << size << " of torch." << storage->root->type->cls;
    return os.str();
  }
};

constexpr size_t kMaxRank = 64;

const PickleValue* dict_get(const PickleValue& dict, std::string_view key) {
  for (const auto& [k, v] : dict.entries)
    if (k->is(Kind::String) && k->text == key) return v;
  return nullptr;
}

uint64_t non_negative(const PickleValue& v, const char* what) {
  PN_CHECK(v.is(Kind::Int) && v.integer >= 0, what, " is ", v.describe(), ", not a non-negative int");
  return static_cast<uint64_t>(v.integer);
}

// The hooks that let a state dict through and nothing else.
class TorchHooks final : public PickleHooks {
 public:
  explicit TorchHooks(uint64_t source_size) : source_size_(source_size) {}

  std::map<std::string, std::shared_ptr<RootStorage>> roots;  // by key

  void check_global(const std::string& module, const std::string& name) override {
    const std::string q = module + "." + name;
    bool allowed = q == "collections.OrderedDict" || q == "torch._utils._rebuild_tensor_v2" ||
                   q == "torch._utils._rebuild_tensor" || q == "torch._utils._rebuild_parameter" ||
                   storage_type(q) != nullptr;
    PN_CHECK(allowed, "refusing to load global '", q,
             "': a checkpoint may only hold a state dict (tensors, storages, ordered dicts and plain "
             "values); this file holds other Python objects, or is malicious. Nothing was executed");
  }

  PickleValue* call(PickleArena& arena, const PickleValue& callable, const PickleValue& args) override {
    const std::string& f = callable.text;
    const auto& a = args.items;
    if (f == "collections.OrderedDict") {
      PN_CHECK(a.empty(), "collections.OrderedDict called with ", args.describe(), " (expected no arguments)");
      return arena.make(Kind::Dict);
    }
    if (f == "torch._utils._rebuild_parameter") {
      // (data, requires_grad, backward_hooks): a Parameter is its data here.
      PN_CHECK(a.size() == 3 && a[0]->is(Kind::Object) && dynamic_cast<TensorRef*>(a[0]->object.get()),
               f, " expects (tensor, requires_grad, hooks), got ", args.describe());
      return a[0];
    }
    if (f == "torch._utils._rebuild_tensor_v2" || f == "torch._utils._rebuild_tensor") {
      // v2: (storage, offset, size, stride, requires_grad, backward_hooks[, metadata])
      bool v2 = f == "torch._utils._rebuild_tensor_v2";
      PN_CHECK(v2 ? (a.size() == 6 || a.size() == 7) : a.size() == 4, f, " called with ", a.size(),
               " arguments");
      return arena_object(arena, rebuild_tensor(*a[0], *a[1], *a[2], *a[3]));
    }
    fail("refusing to call '", f, "' (only OrderedDict and the tensor rebuild functions may be called)");
  }

  void build(PickleValue& target, const PickleValue& state) override {
    // OrderedDict's attribute dict (state_dict()._metadata: per-module version
    // numbers) is the one BUILD a state dict has; the attributes are not needed.
    PN_CHECK(target.is(Kind::Dict) && (state.is(Kind::Dict) || state.is(Kind::None)),
             "refusing to set the state of ", target.describe(), " from ", state.describe());
  }

  PickleValue* persistent_load(PickleArena& arena, const PickleValue& pid) override {
    // ('storage', storage_type, key, location, numel[, view_metadata])
    const auto& t = pid.items;
    PN_CHECK(pid.is(Kind::Tuple) && (t.size() == 5 || t.size() == 6) && t[0]->is(Kind::String) &&
                 t[0]->text == "storage",
             "persistent id ", pid.describe(), " is not a ('storage', type, key, location, size) tuple");
    PN_CHECK(t[1]->is(Kind::Global) && storage_type(t[1]->text), "storage type ", t[1]->describe(),
             " is not supported");
    PN_CHECK(t[2]->is(Kind::String), "storage key is ", t[2]->describe(), ", not a string");
    PN_CHECK(t[3]->is(Kind::String), "storage location is ", t[3]->describe(), ", not a string");
    const StorageType* type = storage_type(t[1]->text);
    const std::string& key = t[2]->text;
    uint64_t numel = non_negative(*t[4], "storage size");
    // The bytes must come from the file: refuse before anything is allocated.
    PN_CHECK(numel <= source_size_ / type->size, "storage '", key, "' claims ", numel,
             " elements, more than the file can hold");

    auto& root = roots[key];
    if (!root) {
      root = std::make_shared<RootStorage>();
      root->key = key;
      root->type = type;
      root->numel = numel;
    }
    PN_CHECK(root->type == type && root->numel == numel, "storage '", key,
             "' is described twice with different types or sizes");
    auto ref = std::make_shared<StorageRef>();
    ref->root = root;
    ref->numel = numel;
    if (t.size() == 6 && !t[5]->is(Kind::None)) {  // legacy view: (view_key, offset, size)
      const auto& v = t[5]->items;
      PN_CHECK(t[5]->is(Kind::Tuple) && v.size() == 3, "storage view ", t[5]->describe(),
               " is not a (key, offset, size) tuple");
      ref->offset = non_negative(*v[1], "storage view offset");
      ref->numel = non_negative(*v[2], "storage view size");
      PN_CHECK(ref->offset <= numel && ref->numel <= numel - ref->offset, "storage view [", ref->offset, ", +",
               ref->numel, ") lies outside storage '", key, "' of ", numel, " elements");
    }
    return arena_object(arena, ref);
  }

 private:
  static PickleValue* arena_object(PickleArena& arena, std::shared_ptr<PickleObject> obj) {
    PickleValue* v = arena.make(Kind::Object);
    v->object = std::move(obj);
    return v;
  }

  std::shared_ptr<TensorRef> rebuild_tensor(const PickleValue& storage, const PickleValue& offset,
                                            const PickleValue& size, const PickleValue& stride) {
    auto t = std::make_shared<TensorRef>();
    auto* s = storage.is(Kind::Object) ? dynamic_cast<StorageRef*>(storage.object.get()) : nullptr;
    PN_CHECK(s, "tensor storage is ", storage.describe(), ", not a storage");
    t->storage = std::static_pointer_cast<StorageRef>(storage.object);
    t->offset = non_negative(offset, "tensor storage offset");
    PN_CHECK(size.is(Kind::Tuple) && stride.is(Kind::Tuple) && size.items.size() == stride.items.size(),
             "tensor size ", size.describe(), " and stride ", stride.describe(), " are not tuples of one length");
    PN_CHECK(size.items.size() <= kMaxRank, "tensor of rank ", size.items.size(), " (at most ", kMaxRank, ")");
    // The largest element index is offset + sum((size_d - 1) * stride_d); it
    // must lie inside the storage (computed without overflow).
    uint64_t numel = 1, last = t->offset;
    bool overflow = false;
    for (size_t d = 0; d < size.items.size(); ++d) {
      uint64_t n = non_negative(*size.items[d], "tensor size"), st = non_negative(*stride.items[d], "tensor stride");
      t->size.push_back(static_cast<int64_t>(n));
      t->stride.push_back(st);
      overflow = overflow || __builtin_mul_overflow(numel, n, &numel);
      uint64_t span = 0;
      if (n > 0) overflow = overflow || __builtin_mul_overflow(n - 1, st, &span) || __builtin_add_overflow(last, span, &last);
    }
    PN_CHECK(!overflow, "tensor of size ", t->size, " overflows");
    t->numel = numel;
    if (numel > 0)
      PN_CHECK(last < s->numel, "tensor of size ", t->size, " and offset ", t->offset, " reaches element ", last,
               " of ", s->describe(), ", which has ", s->numel);
    else
      PN_CHECK(t->offset <= s->numel, "empty tensor offset ", t->offset, " lies outside ", s->describe());
    return t;
  }

  uint64_t source_size_;
};

// ---- materialising ----

template <class Src, class Dst, class Convert>
void gather(const TensorRef& t, const unsigned char* base, Dst* out, Convert convert) {
  const size_t rank = t.size.size();
  // Contiguous in storage order (the common case): one pass, no index arithmetic.
  bool contiguous = true;
  for (uint64_t expect = 1, d = rank; d-- > 0;) {
    if (t.size[d] != 1 && t.stride[d] != expect) contiguous = false;
    expect *= static_cast<uint64_t>(t.size[d]);
  }
  if (contiguous) {
    for (uint64_t i = 0; i < t.numel; ++i) {
      Src v;
      std::memcpy(&v, base + (t.offset + i) * sizeof(Src), sizeof(Src));
      out[i] = convert(v);
    }
    return;
  }
  std::vector<int64_t> idx(rank, 0);
  uint64_t src = t.offset;
  for (uint64_t i = 0; i < t.numel; ++i) {
    Src v;
    std::memcpy(&v, base + src * sizeof(Src), sizeof(Src));
    out[i] = convert(v);
    for (size_t d = rank; d-- > 0;) {  // odometer: the last index moves fastest
      src += t.stride[d];
      if (++idx[d] < t.size[d]) break;
      src -= t.stride[d] * static_cast<uint64_t>(t.size[d]);
      idx[d] = 0;
    }
  }
}

Tensor materialise(const std::string& file, const TensorRef& t) {
  const RootStorage& root = *t.storage->root;
  PN_CHECK(root.loaded, "'", file, "': storage '", root.key, "' has no data in the file");
  Tensor out(t.size, root.type->as);
  const unsigned char* base = root.bytes.data() + t.storage->offset * root.type->size;
  const std::string cls = root.type->cls;
  auto same = [](auto v) { return v; };
  if (cls == "FloatStorage") gather<float>(t, base, static_cast<float*>(out.raw_data()), same);
  else if (cls == "DoubleStorage") gather<double>(t, base, static_cast<double*>(out.raw_data()), same);
  else if (cls == "LongStorage") gather<int64_t>(t, base, static_cast<int64_t*>(out.raw_data()), same);
  else if (cls == "IntStorage")
    gather<int32_t>(t, base, static_cast<int64_t*>(out.raw_data()), [](int32_t v) { return int64_t{v}; });
  else if (cls == "ByteStorage" || cls == "BoolStorage") gather<uint8_t>(t, base, static_cast<uint8_t*>(out.raw_data()), same);
  else if (cls == "HalfStorage") gather<uint16_t>(t, base, static_cast<float*>(out.raw_data()), half_to_float);
  else if (cls == "BFloat16Storage") gather<uint16_t>(t, base, static_cast<float*>(out.raw_data()), bfloat16_to_float);
  else fail("storage type torch.", cls, " has no conversion");
  return out;
}

// Python's str() of a scalar, for the metadata.
bool scalar_text(const PickleValue& v, std::string& out) {
  switch (v.kind) {
    case Kind::Int: out = std::to_string(v.integer); return true;
    case Kind::Bool: out = v.boolean ? "True" : "False"; return true;
    case Kind::String: out = v.text; return true;
    case Kind::None: out = "None"; return true;
    case Kind::Float: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, v.real);  // shortest round-trip form, like repr()
      out.assign(buf, r.ptr);
      if (out.find_first_of(".en") == std::string::npos) out += ".0";  // repr(3.0) == '3.0'
      return true;
    }
    default: return false;
  }
}

// Finds the state dict in the unpickled value and materialises it.
TorchCheckpoint extract(const std::string& file, const PickleValue& root, const std::string& format) {
  TorchCheckpoint ck;
  ck.format = format;
  PN_CHECK(root.is(Kind::Dict), "'", file, "' holds ", root.describe(),
           ", not a state dict (save model.state_dict(), not the model)");
  const PickleValue* sd = &root;
  for (const char* key : {"state_dict", "model"}) {
    const PickleValue* v = dict_get(root, key);
    if (v && v->is(Kind::Dict)) {
      sd = v;
      ck.nested_under = key;
      break;
    }
  }
  if (sd != &root)
    for (const auto& [k, v] : root.entries) {
      std::string text;
      if (k->is(Kind::String) && k->text != ck.nested_under && scalar_text(*v, text)) ck.metadata[k->text] = text;
    }

  std::vector<std::pair<std::string, const TensorRef*>> named;
  for (const auto& [k, v] : sd->entries) {
    PN_CHECK(k->is(Kind::String), "'", file, "': a state dict key is ", k->describe(), ", not a string");
    auto* t = v->is(Kind::Object) ? dynamic_cast<const TensorRef*>(v->object.get()) : nullptr;
    PN_CHECK(t, "'", file, "': state dict entry '", k->text, "' is ", v->describe(), ", not a tensor");
    named.emplace_back(k->text, t);
  }
  // DataParallel prefixes every name with "module."; strip it only then, so
  // that a submodule that happens to be called "module" keeps its name.
  const std::string prefix = "module.";
  while (!named.empty()) {
    bool all = true;
    for (const auto& [name, t] : named) all = all && name.compare(0, prefix.size(), prefix) == 0;
    if (!all) break;
    for (auto& [name, t] : named) name.erase(0, prefix.size());
  }
  for (const auto& [name, t] : named) {
    PN_CHECK(ck.state.emplace(name, materialise(file, *t)).second, "'", file, "': state dict entry '", name,
             "' appears twice");
  }
  return ck;
}

void check_expansion(const ByteSource& src, const PickleValue& root) {
  // Bound what materialising will allocate before allocating it.
  uint64_t total = 0, limit = src.size() * kMaxCheckpointExpansion + (1u << 20);
  auto count = [&](const PickleValue& dict) {
    for (const auto& [k, v] : dict.entries) {
      auto* t = v->is(Kind::Object) ? dynamic_cast<const TensorRef*>(v->object.get()) : nullptr;
      if (!t) continue;
      uint64_t bytes = 0;
      PN_CHECK(!__builtin_mul_overflow(t->numel, dtype_size(t->storage->root->type->as), &bytes) &&
                   !__builtin_add_overflow(total, bytes, &total) && total <= limit,
               "'", src.name(), "': its tensors would take more than ", limit, " bytes, ", kMaxCheckpointExpansion,
               " times the file's size (corrupt or hostile strides)");
    }
  };
  if (root.is(Kind::Dict)) {
    count(root);
    for (const auto& [k, v] : root.entries)
      if (v->is(Kind::Dict)) count(*v);
  }
}

// ---- the two containers ----

TorchCheckpoint read_zip(const ByteSource& src) {
  ZipReader zip(src);
  const ZipEntry* pkl = nullptr;
  std::string folder;
  for (const auto& e : zip.entries()) {
    auto slash = e.name.find('/');
    if (slash != std::string::npos && e.name.compare(slash, std::string::npos, "/data.pkl") == 0) {
      PN_CHECK(!pkl, "'", src.name(), "': several data.pkl entries ('", pkl ? pkl->name : "", "' and '", e.name, "')");
      pkl = &e;
      folder = e.name.substr(0, slash + 1);
    }
  }
  PN_CHECK(pkl, "'", src.name(), "' is a zip file without <folder>/data.pkl: not a PyTorch checkpoint");
  if (const ZipEntry* order = zip.find(folder + "byteorder")) {
    std::string bo = zip.read(*order);
    PN_CHECK(bo == "little", "'", src.name(), "': byte order '", bo, "' is not supported (little endian only)");
  }
  const std::string pickle = zip.read(*pkl);
  MemorySource pickle_source(pickle, src.name() + ":" + pkl->name);
  Cursor in(pickle_source);
  PickleArena arena;
  TorchHooks hooks(src.size());
  const PickleValue* root = unpickle(in, arena, hooks);
  check_expansion(src, *root);
  for (auto& [key, storage] : hooks.roots) {
    const ZipEntry* e = zip.find(folder + "data/" + key);
    PN_CHECK(e, "'", src.name(), "': storage '", key, "' has no entry ", folder, "data/", key);
    const uint64_t expected = storage->numel * storage->type->size;
    PN_CHECK(e->size == expected, "'", src.name(), "': entry '", e->name, "' holds ", e->size, " bytes but storage '",
             key, "' needs ", storage->numel, " x ", storage->type->size, " = ", expected);
    storage->bytes.resize(static_cast<size_t>(expected));
    zip.read_into(*e, storage->bytes.data());
    storage->loaded = true;
  }
  return extract(src.name(), *root, "zip");
}

TorchCheckpoint read_legacy(const ByteSource& src) {
  Cursor in(src);
  PickleArena arena;
  PickleHooks plain;  // the header pickles hold plain values only
  // 0x1950a86a20f9469cfc6c, pickled as a 10-byte little-endian LONG1.
  static const std::string kMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
  const PickleValue* magic = unpickle(in, arena, plain);
  PN_CHECK(magic->is(Kind::BigInt) && magic->text == kMagic, "'", src.name(),
           "' does not start with PyTorch's magic number: not a PyTorch checkpoint");
  const PickleValue* version = unpickle(in, arena, plain);
  PN_CHECK(version->is(Kind::Int) && version->integer == 1001, "'", src.name(), "': legacy format version ",
           version->describe(), " is not supported (1001 is)");
  const PickleValue* sys_info = unpickle(in, arena, plain);
  const PickleValue* little = sys_info->is(Kind::Dict) ? dict_get(*sys_info, "little_endian") : nullptr;
  PN_CHECK(little && little->is(Kind::Bool) && little->boolean, "'", src.name(),
           "' was saved on a big-endian machine or lacks its system info; not supported");

  TorchHooks hooks(src.size());
  const PickleValue* root = unpickle(in, arena, hooks);
  check_expansion(src, *root);
  const PickleValue* keys = unpickle(in, arena, plain);
  PN_CHECK(keys->is(Kind::List), "'", src.name(), "': the storage key list is ", keys->describe());
  for (const PickleValue* k : keys->items) {
    PN_CHECK(k->is(Kind::String), "'", src.name(), "': a storage key is ", k->describe());
    auto it = hooks.roots.find(k->text);
    PN_CHECK(it != hooks.roots.end(), "'", src.name(), "': storage '", k->text, "' is listed but not used");
    RootStorage& s = *it->second;
    PN_CHECK(!s.loaded, "'", src.name(), "': storage '", k->text, "' is listed twice");
    const uint64_t at = in.position();
    const uint64_t numel = in.read_le<uint64_t>("storage size");
    PN_CHECK(numel == s.numel, "'", src.name(), "': storage '", k->text, "' at byte ", at, " holds ", numel,
             " elements but the pickle says ", s.numel);
    s.bytes.resize(static_cast<size_t>(s.numel * s.type->size));  // bounded by the file size (persistent_load)
    in.read(s.bytes.data(), s.bytes.size(), "storage data");
    s.loaded = true;
  }
  return extract(src.name(), *root, "legacy");
}

}  // namespace

TorchCheckpoint load_torch_checkpoint(const std::string& path) { return read_torch_checkpoint(FileSource(path)); }

TorchCheckpoint read_torch_checkpoint(const ByteSource& src) {
  if (is_zip(src)) return read_zip(src);
  PN_CHECK(src.size() > 0, "'", src.name(), "' is empty");
  unsigned char first = 0;
  src.read(0, &first, 1, "first byte");
  if (first == 0x80) return read_legacy(src);
  if (src.size() >= 262 && src.read_string(257, 5, "tar magic") == "ustar")
    fail("'", src.name(), "' is a tar-format PyTorch checkpoint (torch < 0.4), which is not supported: "
         "load and re-save it with a newer torch");
  fail("'", src.name(), "' is neither a zip nor a legacy PyTorch checkpoint");
}

}  // namespace pn::nn::io
