#pragma once
// A restricted unpickler: reads a Python pickle (protocols 2 to 5) into plain
// values without ever running code.
//
// A pickle is a program for a small stack machine. Its dangerous instructions
// import a name (GLOBAL, STACK_GLOBAL), call it (REDUCE, NEWOBJ, NEWOBJ_EX,
// and the protocol-0 INST and OBJ), set attributes (BUILD) or consult
// registries (EXT1/2/4, persistent ids). Here nothing is imported or called:
//  - GLOBAL / STACK_GLOBAL ask PickleHooks::check_global, which refuses every
//    name the caller has not listed (the default hooks refuse all);
//  - REDUCE / NEWOBJ / NEWOBJ_EX hand an allowed name and its argument tuple
//    to PickleHooks::call, which builds a value in C++ for it;
//  - BUILD goes to PickleHooks::build, BINPERSID to PickleHooks::persistent_load;
//  - INST, OBJ, EXT1/2/4, PERSID, out-of-band buffers, sets and the text
//    opcodes of protocols 0 and 1 are refused.
// Every length is checked against the bytes that remain before anything is
// allocated, and every stack, mark and memo access is checked.
//
// Values live in a PickleArena: memo references make pickles DAGs or even
// cycles (a list appended to itself), which an arena owns without reference
// cycles, leaks or deeply recursive destruction.
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn/io/byte_source.h"

namespace pn::nn::io {

// A value the hooks build that is not a plain Python value (a tensor, a storage).
class PickleObject {
 public:
  virtual ~PickleObject() = default;
  virtual std::string describe() const = 0;
};

struct PickleValue {
  enum class Kind { None, Bool, Int, BigInt, Float, String, Bytes, Tuple, List, Dict, Global, Object };
  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0.0;
  // String: UTF-8; Bytes: raw; BigInt: little-endian two's complement (more
  // than 8 bytes); Global: "module.name".
  std::string text;
  std::vector<PickleValue*> items;                             // Tuple, List
  std::vector<std::pair<PickleValue*, PickleValue*>> entries;  // Dict, in insertion order
  std::shared_ptr<PickleObject> object;                        // Object

  bool is(Kind k) const { return kind == k; }
  // A short description for error messages: "int 3", "str 'abc'", "tuple of 2".
  std::string describe() const;
};

class PickleArena {
 public:
  PickleValue* make(PickleValue::Kind kind) {
    values_.emplace_back();  // std::deque: earlier values keep their address
    values_.back().kind = kind;
    return &values_.back();
  }
  size_t size() const { return values_.size(); }

 private:
  std::deque<PickleValue> values_;
};

// What a caller allows. Each default refuses; an override that refuses throws
// a pn::Error saying what was refused (the unpickler adds source and offset).
class PickleHooks {
 public:
  virtual ~PickleHooks() = default;
  // GLOBAL / STACK_GLOBAL: return to allow `module.name`.
  virtual void check_global(const std::string& module, const std::string& name);
  // REDUCE / NEWOBJ(_EX): `callable` is an allowed Global, `args` a Tuple.
  virtual PickleValue* call(PickleArena& arena, const PickleValue& callable, const PickleValue& args);
  // BUILD: `target` receives `state` (e.g. __setstate__ or __dict__ update).
  virtual void build(PickleValue& target, const PickleValue& state);
  // BINPERSID: the object a persistent id stands for.
  virtual PickleValue* persistent_load(PickleArena& arena, const PickleValue& pid);
};

// Reads one pickle from the cursor's position up to and including its STOP
// opcode (the cursor is left after it) and returns the value it builds.
// Throws pn::Error naming the source, the byte offset and the opcode.
PickleValue* unpickle(Cursor& in, PickleArena& arena, PickleHooks& hooks);

}  // namespace pn::nn::io
