#include "nn/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <vector>

#include "nn/io/atomic_file.h"
#include "nn/io/float16.h"
#include "nn/io/json.h"

namespace pn::nn::io {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little endian; a big-endian host would need byte swaps");

namespace {

const char* safetensors_dtype(DType t) {
  switch (t) {
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    case DType::UInt8: return "U8";
    case DType::Int64: return "I64";
  }
  return "?";
}

// The reference writer orders tensors by its Dtype enum, largest first
// (... U8 < F32 < F64 < I64 ...), then by name; with the sizes 8, 8, 4, 1 this
// keeps every tensor aligned to its element size without padding.
int write_rank(DType t) {
  switch (t) {
    case DType::Int64: return 0;
    case DType::Float64: return 1;
    case DType::Float32: return 2;
    case DType::UInt8: return 3;
  }
  return 4;
}

struct Planned {
  const std::string* name;
  Tensor cpu;  // contiguous CPU copy (or the tensor itself when on the CPU)
};

// The padded JSON header and the tensors in data order.
std::string plan(const StateDict& tensors, const Metadata& metadata, std::vector<Planned>& order) {
  for (const auto& [name, t] : tensors) {
    PN_CHECK(name != "__metadata__", "safetensors: a tensor may not be named '__metadata__'");
    PN_CHECK(t.defined(), "safetensors: tensor '", name, "' is undefined");
    order.push_back({&name, t.device().is_cpu() ? t : t.to(Device::cpu())});
  }
  std::stable_sort(order.begin(), order.end(), [](const Planned& a, const Planned& b) {
    return write_rank(a.cpu.dtype()) < write_rank(b.cpu.dtype());  // names already sorted (std::map)
  });

  std::string h = "{";
  if (!metadata.empty()) {
    h += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [k, v] : metadata) {  // std::map: sorted keys
      if (!first) h += ',';
      first = false;
      append_json_string(h, k);
      h += ':';
      append_json_string(h, v);
    }
    h += '}';
  }
  uint64_t offset = 0;
  for (const auto& p : order) {
    if (h.size() > 1) h += ',';
    append_json_string(h, *p.name);
    h += ":{\"dtype\":\"";
    h += safetensors_dtype(p.cpu.dtype());
    h += "\",\"shape\":[";
    for (size_t d = 0; d < p.cpu.shape().size(); ++d) {
      if (d) h += ',';
      h += std::to_string(p.cpu.shape()[d]);
    }
    uint64_t end = offset + p.cpu.nbytes();
    h += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(end) + "]}";
    offset = end;
  }
  h += '}';
  h.append((8 - h.size() % 8) % 8, ' ');
  return h;
}

template <class Sink>
void emit(const StateDict& tensors, const Metadata& metadata, Sink&& sink) {
  std::vector<Planned> order;
  std::string header = plan(tensors, metadata, order);
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(static_cast<uint64_t>(header.size()) >> (8 * i));
  sink(len, 8);
  sink(header.data(), header.size());
  for (const auto& p : order)
    if (p.cpu.nbytes()) sink(p.cpu.raw_data(), p.cpu.nbytes());
}

// ---- reading ----

// How a stored dtype is read: its size in the file and the tensor dtype it becomes.
struct StoredType {
  const char* name;
  size_t size;
  DType as;
};
constexpr StoredType kReadable[] = {
    {"F32", 4, DType::Float32}, {"F64", 8, DType::Float64}, {"U8", 1, DType::UInt8},
    {"I64", 8, DType::Int64},   {"F16", 2, DType::Float32}, {"BF16", 2, DType::Float32},
    {"BOOL", 1, DType::UInt8},
};

// Far above any real tensor; bounds the work a hostile header can ask for.
constexpr size_t kMaxRank = 64;

struct Entry {
  std::string name;
  const StoredType* type;
  Shape shape;
  uint64_t begin, end;
};

}  // namespace

void save_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata) {
  AtomicFile out(path);
  emit(tensors, metadata, [&](const void* p, size_t n) { out.write(p, n); });
  out.commit();
}

std::string to_safetensors_bytes(const StateDict& tensors, const Metadata& metadata) {
  std::string bytes;
  emit(tensors, metadata, [&](const void* p, size_t n) { bytes.append(static_cast<const char*>(p), n); });
  return bytes;
}

SafetensorsContent load_safetensors(const std::string& path) { return read_safetensors(FileSource(path)); }

SafetensorsContent read_safetensors(const ByteSource& src) {
  const std::string where = "safetensors '" + src.name() + "'";
  PN_CHECK(src.size() >= 8, where, ": the file is ", src.size(),
           " bytes, shorter than the 8-byte header length (empty or truncated file)");
  const uint64_t n = src.read_le<uint64_t>(0, "header length");
  PN_CHECK(n <= kMaxSafetensorsHeader, where, ": header length ", n, " exceeds the limit of ",
           kMaxSafetensorsHeader, " bytes (corrupt file, or not a safetensors file)");
  PN_CHECK(n <= src.size() - 8, where, ": header length ", n, " runs past the end of the ",
           src.size(), "-byte file (truncated file)");
  const uint64_t data_start = 8 + n, data_size = src.size() - data_start;

  const JsonValue root = parse_json(src.read_string(8, n, "header"), where + " header");
  PN_CHECK(root.type == JsonValue::Type::Object, where, ": the header is ", json_type_name(root.type),
           ", not a JSON object");

  SafetensorsContent out;
  std::vector<Entry> entries;
  for (const auto& [key, value] : root.members) {  // JsonMember: {key, value}
    if (key == "__metadata__") {
      if (value.type == JsonValue::Type::Null) continue;  // written by some tools for "no metadata"
      PN_CHECK(value.type == JsonValue::Type::Object, where, ": '__metadata__' is ",
               json_type_name(value.type), ", not an object of strings");
      for (const auto& [mk, mv] : value.members) {
        PN_CHECK(mv.type == JsonValue::Type::String, where, ": metadata '", mk, "' is ",
                 json_type_name(mv.type), ", not a string");
        out.metadata[mk] = mv.text;
      }
      continue;
    }
    const std::string at = where + ": tensor '" + key + "'";
    PN_CHECK(value.type == JsonValue::Type::Object, at, " is ", json_type_name(value.type),
             ", not an object with dtype, shape and data_offsets");
    for (const auto& m : value.members)
      PN_CHECK(m.key == "dtype" || m.key == "shape" || m.key == "data_offsets", at, " has an unknown field '",
               m.key, "'");
    const JsonValue* dtype = value.find("dtype");
    const JsonValue* shape = value.find("shape");
    const JsonValue* offsets = value.find("data_offsets");
    PN_CHECK(dtype && shape && offsets, at, " lacks '", !dtype ? "dtype" : !shape ? "shape" : "data_offsets", "'");

    Entry e{key, nullptr, {}, 0, 0};
    PN_CHECK(dtype->type == JsonValue::Type::String, at, ": dtype is ", json_type_name(dtype->type),
             ", not a string");
    for (const auto& t : kReadable)
      if (dtype->text == t.name) e.type = &t;
    PN_CHECK(e.type, at, ": dtype '", dtype->text,
             "' is not supported (F32, F64, U8, I64; F16 and BF16 are widened to float32, BOOL read as uint8)");

    PN_CHECK(shape->type == JsonValue::Type::Array, at, ": shape is ", json_type_name(shape->type),
             ", not an array");
    PN_CHECK(shape->items.size() <= kMaxRank, at, ": shape has ", shape->items.size(), " dimensions (at most ",
             kMaxRank, ")");
    uint64_t numel = 1;
    bool overflow = false;
    for (const auto& d : shape->items) {
      auto v = d.as_uint64();
      PN_CHECK(v && *v <= static_cast<uint64_t>(INT64_MAX), at, ": shape entry '",
               d.type == JsonValue::Type::Number ? d.text : json_type_name(d.type),
               "' is not a non-negative integer");
      e.shape.push_back(static_cast<int64_t>(*v));
      overflow = overflow || __builtin_mul_overflow(numel, *v, &numel);
    }
    uint64_t nbytes = 0;
    overflow = overflow || __builtin_mul_overflow(numel, e.type->size, &nbytes);
    // An overflowing size can contain a zero extent ([2^40, 2^40, 0]); it is
    // refused all the same, as the reference implementation does.
    PN_CHECK(!overflow, at, ": shape ", e.shape, " has too many elements (overflow)");

    PN_CHECK(offsets->type == JsonValue::Type::Array && offsets->items.size() == 2, at,
             ": data_offsets must be an array [begin, end]");
    auto b = offsets->items[0].as_uint64(), en = offsets->items[1].as_uint64();
    PN_CHECK(b && en, at, ": data_offsets must be non-negative integers");
    e.begin = *b;
    e.end = *en;
    PN_CHECK(e.begin <= e.end, at, ": data_offsets [", e.begin, ", ", e.end, "] end before they begin");
    PN_CHECK(e.end - e.begin == nbytes, at, ": shape ", e.shape, " of ", e.type->name, " needs ", nbytes,
             " bytes but data_offsets [", e.begin, ", ", e.end, "] hold ", e.end - e.begin);
    PN_CHECK(e.end <= data_size, at, ": data_offsets [", e.begin, ", ", e.end,
             "] lie outside the data section, which holds ", data_size, " bytes (truncated file?)");
    entries.push_back(std::move(e));
  }

  // The ranges must tile [0, data_size) exactly: an overlap would alias two
  // tensors and a gap or tail hides bytes no tensor accounts for.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& c) {
    return a.begin != c.begin ? a.begin < c.begin : a.end < c.end;
  });
  uint64_t expected = 0;
  const Entry* previous = nullptr;
  for (const auto& e : entries) {
    if (e.begin < expected)
      fail(where, ": tensor '", e.name, "' data_offsets [", e.begin, ", ", e.end, "] overlap tensor '",
           previous->name, "' [", previous->begin, ", ", previous->end, "]");
    PN_CHECK(e.begin == expected, where, ": bytes [", expected, ", ", e.begin,
             ") of the data section belong to no tensor (gap before tensor '", e.name, "')");
    expected = e.end;
    previous = &e;
  }
  PN_CHECK(expected == data_size, where, ": the last ", data_size - expected,
           " bytes of the data section belong to no tensor (the tensors end at ", expected, " of ",
           data_size, ")");

  for (const auto& e : entries) {
    Tensor t(e.shape, e.type->as);
    const uint64_t at = data_start + e.begin, nbytes = e.end - e.begin;
    const std::string what = "tensor '" + e.name + "'";
    if (e.type->size == dtype_size(e.type->as)) {
      src.read(at, t.raw_data(), static_cast<size_t>(nbytes), what);
    } else {  // F16 / BF16 -> float32
      std::vector<uint16_t> raw(static_cast<size_t>(nbytes / 2));
      src.read(at, raw.data(), static_cast<size_t>(nbytes), what);
      float* dst = static_cast<float*>(t.raw_data());
      bool bf16 = std::string_view(e.type->name) == "BF16";
      for (size_t i = 0; i < raw.size(); ++i) dst[i] = bf16 ? bfloat16_to_float(raw[i]) : half_to_float(raw[i]);
    }
    out.tensors.emplace(e.name, std::move(t));
  }
  return out;
}

}  // namespace pn::nn::io
