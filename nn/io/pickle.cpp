#include "nn/io/pickle.h"

#include <bit>
#include <cstdio>
#include <unordered_map>

#include "nn/io/json.h"
#include "tensor/error.h"

namespace pn::nn::io {

using Kind = PickleValue::Kind;

std::string PickleValue::describe() const {
  auto quoted = [](const std::string& s) {
    std::string q = s.size() > 40 ? s.substr(0, 40) + "..." : s;
    return "'" + q + "'";
  };
  switch (kind) {
    case Kind::None: return "None";
    case Kind::Bool: return boolean ? "True" : "False";
    case Kind::Int: return "int " + std::to_string(integer);
    case Kind::BigInt: return "int of " + std::to_string(text.size()) + " bytes";
    case Kind::Float: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", real);
      return std::string("float ") + buf;
    }
    case Kind::String: return "str " + quoted(text);
    case Kind::Bytes: return "bytes of length " + std::to_string(text.size());
    case Kind::Tuple: return "tuple of " + std::to_string(items.size());
    case Kind::List: return "list of " + std::to_string(items.size());
    case Kind::Dict: return "dict of " + std::to_string(entries.size());
    case Kind::Global: return "global " + text;
    case Kind::Object: return object ? object->describe() : "object";
  }
  return "?";
}

void PickleHooks::check_global(const std::string& module, const std::string& name) {
  fail("refusing to import '", module, ".", name, "': no global is allowed here");
}
PickleValue* PickleHooks::call(PickleArena&, const PickleValue& callable, const PickleValue&) {
  fail("refusing to call '", callable.text, "'");
}
void PickleHooks::build(PickleValue& target, const PickleValue&) {
  fail("refusing to set the state of ", target.describe());
}
PickleValue* PickleHooks::persistent_load(PickleArena&, const PickleValue& pid) {
  fail("refusing persistent id ", pid.describe());
}

namespace {

// The opcodes of pickletools, by their one-byte codes.
enum Op : uint8_t {
  MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', FLOAT = 'F', INT = 'I', BININT = 'J',
  BININT1 = 'K', LONG = 'L', BININT2 = 'M', NONE = 'N', PERSID = 'P', BINPERSID = 'Q', REDUCE = 'R',
  STRING = 'S', BINSTRING = 'T', SHORT_BINSTRING = 'U', UNICODE = 'V', BINUNICODE = 'X', APPEND = 'a',
  BUILD = 'b', GLOBAL = 'c', DICT = 'd', EMPTY_DICT = '}', APPENDS = 'e', GET = 'g', BINGET = 'h',
  INST = 'i', LONG_BINGET = 'j', LIST = 'l', EMPTY_LIST = ']', OBJ = 'o', PUT = 'p', BINPUT = 'q',
  LONG_BINPUT = 'r', SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', BINFLOAT = 'G',
  PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, TUPLE1 = 0x85, TUPLE2 = 0x86,
  TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b, BINBYTES = 'B',
  SHORT_BINBYTES = 'C', SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, EMPTY_SET = 0x8f,
  ADDITEMS = 0x90, FROZENSET = 0x91, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95,
  BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97, READONLY_BUFFER = 0x98,
};

std::string opcode_text(uint8_t op) {
  char buf[8];
  if (op >= 0x21 && op < 0x7f) std::snprintf(buf, sizeof buf, "'%c'", op);
  else std::snprintf(buf, sizeof buf, "0x%02x", op);
  return buf;
}

// Longest module or name accepted in GLOBAL (real ones are a few dozen bytes).
constexpr size_t kMaxGlobalLength = 1024;

class Unpickler {
 public:
  Unpickler(Cursor& in, PickleArena& arena, PickleHooks& hooks) : in_(in), arena_(arena), hooks_(hooks) {}

  PickleValue* run() {
    for (;;) {
      op_pos_ = in_.position();
      op_ = in_.byte("pickle opcode");
      if (op_ == STOP) return pop();
      step();
    }
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    fail(in_.source().name(), ": pickle opcode ", opcode_text(op_), " at byte ", op_pos_, ": ", what);
  }
  // Runs a hook, adding where in the pickle it was asked.
  template <class F> auto hook(F&& f) {
    try {
      return f();
    } catch (const Error& e) {
      error(e.what());
    }
  }

  size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
  PickleValue* pop() {
    if (stack_.size() <= fence()) error("stack underflow (malformed pickle)");
    PickleValue* v = stack_.back();
    stack_.pop_back();
    return v;
  }
  PickleValue* top() {
    if (stack_.size() <= fence()) error("stack underflow (malformed pickle)");
    return stack_.back();
  }
  std::vector<PickleValue*> pop_mark() {
    if (marks_.empty()) error("no MARK on the stack (malformed pickle)");
    size_t k = marks_.back();
    marks_.pop_back();
    std::vector<PickleValue*> items(stack_.begin() + static_cast<std::ptrdiff_t>(k), stack_.end());
    stack_.resize(k);
    return items;
  }
  PickleValue* push(PickleValue* v) {
    stack_.push_back(v);
    return v;
  }
  PickleValue* make(Kind k) { return arena_.make(k); }

  PickleValue* make_int(int64_t v) {
    PickleValue* p = make(Kind::Int);
    p->integer = v;
    return p;
  }
  // LONG1 / LONG4: n bytes, little-endian two's complement.
  PickleValue* make_long(uint64_t n) {
    std::string bytes = in_.read_string(n, "long integer");
    if (n > 8) {
      PickleValue* p = make(Kind::BigInt);
      p->text = std::move(bytes);
      return p;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    if (n > 0 && n < 8 && (static_cast<unsigned char>(bytes[n - 1]) & 0x80)) v |= ~uint64_t{0} << (8 * n);
    return make_int(static_cast<int64_t>(v));
  }
  PickleValue* make_text(Kind k, uint64_t n) {
    PickleValue* p = make(k);
    p->text = in_.read_string(n, k == Kind::String ? "string" : "bytes");
    if (k == Kind::String && !is_valid_utf8(p->text)) error("string is not valid UTF-8");
    return p;
  }
  PickleValue* make_tuple(std::vector<PickleValue*> items) {
    PickleValue* p = make(Kind::Tuple);
    p->items = std::move(items);
    return p;
  }
  void set_items(PickleValue* dict, const std::vector<PickleValue*>& kv) {
    if (!dict->is(Kind::Dict)) error("SETITEM(S) on " + dict->describe() + ", not a dict");
    if (kv.size() % 2) error("SETITEMS with an odd number of items");
    for (size_t i = 0; i < kv.size(); i += 2) dict->entries.emplace_back(kv[i], kv[i + 1]);
  }
  void append_items(PickleValue* list, const std::vector<PickleValue*>& items) {
    if (!list->is(Kind::List)) error("APPEND(S) on " + list->describe() + ", not a list");
    list->items.insert(list->items.end(), items.begin(), items.end());
  }
  void global(const std::string& module, const std::string& name) {
    hook([&] {
      hooks_.check_global(module, name);
      return 0;
    });
    PickleValue* g = make(Kind::Global);
    g->text = module + "." + name;
    push(g);
  }
  void call(PickleValue* callable, PickleValue* args) {
    if (!callable->is(Kind::Global)) error("calling " + callable->describe() + ", which is not a global");
    if (!args->is(Kind::Tuple)) error("arguments of '" + callable->text + "' are " + args->describe() + ", not a tuple");
    PickleValue* result = hook([&] { return hooks_.call(arena_, *callable, *args); });
    if (!result) error("'" + callable->text + "' produced nothing");
    push(result);
  }
  void memo_put(uint64_t index) { memo_[index] = top(); }
  void memo_get(uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) error("memo entry " + std::to_string(index) + " is not defined (malformed pickle)");
    push(it->second);
  }
  [[noreturn]] void refuse(const char* name, const char* why) { error(std::string(name) + " is not allowed: " + why); }

  void step() {
    switch (op_) {
      case PROTO: {
        uint8_t v = in_.byte("protocol");
        if (v > 5) error("protocol " + std::to_string(v) + " is newer than 5");
        break;
      }
      case FRAME: {
        uint64_t n = in_.read_le<uint64_t>("frame length");
        if (n > in_.remaining()) error("frame of " + std::to_string(n) + " bytes runs past the end (truncated pickle)");
        break;  // frames only group opcodes; reading goes on unchanged
      }
      case MARK: marks_.push_back(stack_.size()); break;
      case POP:
        if (stack_.size() > fence()) stack_.pop_back();
        else pop_mark();
        break;
      case POP_MARK: pop_mark(); break;
      case DUP: push(top()); break;

      case NONE: push(make(Kind::None)); break;
      case NEWTRUE:
      case NEWFALSE: push(make(Kind::Bool))->boolean = op_ == NEWTRUE; break;
      case BININT: push(make_int(static_cast<int32_t>(in_.read_le<uint32_t>("BININT")))); break;
      case BININT1: push(make_int(in_.byte("BININT1"))); break;
      case BININT2: push(make_int(in_.read_le<uint16_t>("BININT2"))); break;
      case LONG1: push(make_long(in_.byte("LONG1 length"))); break;
      case LONG4: {
        int32_t n = static_cast<int32_t>(in_.read_le<uint32_t>("LONG4 length"));
        if (n < 0) error("negative length");
        push(make_long(static_cast<uint64_t>(n)));
        break;
      }
      case BINFLOAT: {
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | in_.byte("BINFLOAT");  // big endian
        push(make(Kind::Float))->real = std::bit_cast<double>(bits);
        break;
      }

      case SHORT_BINUNICODE: push(make_text(Kind::String, in_.byte("string length"))); break;
      case BINUNICODE: push(make_text(Kind::String, in_.read_le<uint32_t>("string length"))); break;
      case BINUNICODE8: push(make_text(Kind::String, in_.read_le<uint64_t>("string length"))); break;
      // Python 2 str: torch.load decodes them as UTF-8, and so do we.
      case SHORT_BINSTRING: push(make_text(Kind::String, in_.byte("string length"))); break;
      case BINSTRING: {
        int32_t n = static_cast<int32_t>(in_.read_le<uint32_t>("string length"));
        if (n < 0) error("negative length");
        push(make_text(Kind::String, static_cast<uint64_t>(n)));
        break;
      }
      case SHORT_BINBYTES: push(make_text(Kind::Bytes, in_.byte("bytes length"))); break;
      case BINBYTES: push(make_text(Kind::Bytes, in_.read_le<uint32_t>("bytes length"))); break;
      case BINBYTES8:
      case BYTEARRAY8: push(make_text(Kind::Bytes, in_.read_le<uint64_t>("bytes length"))); break;

      case EMPTY_TUPLE: push(make(Kind::Tuple)); break;
      case TUPLE1: {
        PickleValue* a = pop();
        push(make_tuple({a}));
        break;
      }
      case TUPLE2: {
        PickleValue* b = pop();
        PickleValue* a = pop();
        push(make_tuple({a, b}));
        break;
      }
      case TUPLE3: {
        PickleValue* c = pop();
        PickleValue* b = pop();
        PickleValue* a = pop();
        push(make_tuple({a, b, c}));
        break;
      }
      case TUPLE: push(make_tuple(pop_mark())); break;
      case EMPTY_LIST: push(make(Kind::List)); break;
      case LIST: {
        std::vector<PickleValue*> items = pop_mark();
        push(make(Kind::List))->items = std::move(items);
        break;
      }
      case APPEND: {
        PickleValue* v = pop();
        append_items(top(), {v});
        break;
      }
      case APPENDS: {
        std::vector<PickleValue*> items = pop_mark();
        append_items(top(), items);
        break;
      }
      case EMPTY_DICT: push(make(Kind::Dict)); break;
      case DICT: {
        std::vector<PickleValue*> kv = pop_mark();
        set_items(push(make(Kind::Dict)), kv);
        break;
      }
      case SETITEM: {
        PickleValue* v = pop();
        PickleValue* k = pop();
        set_items(top(), {k, v});
        break;
      }
      case SETITEMS: {
        std::vector<PickleValue*> kv = pop_mark();
        set_items(top(), kv);
        break;
      }

      case BINPUT: memo_put(in_.byte("memo index")); break;
      case LONG_BINPUT: memo_put(in_.read_le<uint32_t>("memo index")); break;
      case MEMOIZE: memo_put(memo_.size()); break;
      case BINGET: memo_get(in_.byte("memo index")); break;
      case LONG_BINGET: memo_get(in_.read_le<uint32_t>("memo index")); break;

      case GLOBAL: {
        std::string module = in_.read_line(kMaxGlobalLength, "GLOBAL module");
        std::string name = in_.read_line(kMaxGlobalLength, "GLOBAL name");
        global(module, name);
        break;
      }
      case STACK_GLOBAL: {
        PickleValue* name = pop();
        PickleValue* module = pop();
        if (!module->is(Kind::String) || !name->is(Kind::String))
          error("STACK_GLOBAL needs two strings, got " + module->describe() + " and " + name->describe());
        global(module->text, name->text);
        break;
      }
      case REDUCE:
      case NEWOBJ: {
        PickleValue* args = pop();
        PickleValue* callable = pop();
        call(callable, args);
        break;
      }
      case NEWOBJ_EX: {
        PickleValue* kwargs = pop();
        PickleValue* args = pop();
        PickleValue* callable = pop();
        if (!kwargs->is(Kind::Dict) || !kwargs->entries.empty()) error("NEWOBJ_EX with keyword arguments");
        call(callable, args);
        break;
      }
      case BUILD: {
        PickleValue* state = pop();
        PickleValue* target = top();
        hook([&] {
          hooks_.build(*target, *state);
          return 0;
        });
        break;
      }
      case BINPERSID: {
        PickleValue* pid = pop();
        PickleValue* v = hook([&] { return hooks_.persistent_load(arena_, *pid); });
        if (!v) error("persistent id " + pid->describe() + " produced nothing");
        push(v);
        break;
      }

      case INST: refuse("INST", "it imports and calls arbitrary code");
      case OBJ: refuse("OBJ", "it calls arbitrary code");
      case EXT1:
      case EXT2:
      case EXT4: refuse("EXT", "it imports through the copyreg extension registry");
      case PERSID: refuse("PERSID", "text persistent ids are not used by PyTorch");
      case NEXT_BUFFER:
      case READONLY_BUFFER: refuse("out-of-band buffer", "no buffers are provided");
      case EMPTY_SET:
      case ADDITEMS:
      case FROZENSET: refuse("set", "a checkpoint holds no sets");
      case INT:
      case LONG:
      case FLOAT:
      case STRING:
      case UNICODE:
      case GET:
      case PUT: error("text opcodes of pickle protocol 0/1 are not supported (protocols 2 to 5 are)");
      default: error("unknown opcode (corrupt file, or not a pickle)");
    }
  }

  Cursor& in_;
  PickleArena& arena_;
  PickleHooks& hooks_;
  std::vector<PickleValue*> stack_;
  std::vector<size_t> marks_;  // stack sizes at each MARK
  std::unordered_map<uint64_t, PickleValue*> memo_;
  uint64_t op_pos_ = 0;
  uint8_t op_ = 0;
};

}  // namespace

PickleValue* unpickle(Cursor& in, PickleArena& arena, PickleHooks& hooks) {
  return Unpickler(in, arena, hooks).run();
}

}  // namespace pn::nn::io
