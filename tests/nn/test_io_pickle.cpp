// The restricted unpickler (nn/io/pickle.h): plain values of protocols 2 and
// 4 as Python writes them, and every way a pickle could run code or break the
// reader.
#include <doctest/doctest.h>

#include <string>

#include "nn/io/pickle.h"

using namespace pn;
using namespace pn::nn::io;
using Kind = PickleValue::Kind;

// A byte string literal that may contain NULs.
#define BYTES(lit) std::string(lit, sizeof(lit) - 1)

namespace {

// pickle.dumps(obj, protocol) of
//   shared = [1]
//   obj = {'a': [1, -2, 300, 70000, -70000, 3.5, None, True, False, 'é', (1, 2, 3), (), (4,), (5, 6),
//                2**40, -2**63, 2**70], 'shared1': shared, 'shared2': shared}
// (protocol 4 with b'xy' after False).
const std::string kProto2 = BYTES(
    "\x80\x02\x7d\x71\x00\x28\x58\x01\x00\x00\x00\x61\x71\x01\x5d\x71\x02\x28\x4b\x01\x4a\xfe\xff\xff\xff\x4d\x2c\x01"
    "\x4a\x70\x11\x01\x00\x4a\x90\xee\xfe\xff\x47\x40\x0c\x00\x00\x00\x00\x00\x00\x4e\x88\x89\x58\x02\x00\x00\x00\xc3"
    "\xa9\x71\x03\x4b\x01\x4b\x02\x4b\x03\x87\x71\x04\x29\x4b\x04\x85\x71\x05\x4b\x05\x4b\x06\x86\x71\x06\x8a\x06\x00"
    "\x00\x00\x00\x00\x01\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x40\x65\x58"
    "\x07\x00\x00\x00\x73\x68\x61\x72\x65\x64\x31\x71\x07\x5d\x71\x08\x4b\x01\x61\x58\x07\x00\x00\x00\x73\x68\x61\x72"
    "\x65\x64\x32\x71\x09\x68\x08\x75\x2e");
const std::string kProto4 = BYTES(
    "\x80\x04\x95\x82\x00\x00\x00\x00\x00\x00\x00\x7d\x94\x28\x8c\x01\x61\x94\x5d\x94\x28\x4b\x01\x4a\xfe\xff\xff\xff"
    "\x4d\x2c\x01\x4a\x70\x11\x01\x00\x4a\x90\xee\xfe\xff\x47\x40\x0c\x00\x00\x00\x00\x00\x00\x4e\x88\x89\x43\x02\x78"
    "\x79\x94\x8c\x02\xc3\xa9\x94\x4b\x01\x4b\x02\x4b\x03\x87\x94\x29\x4b\x04\x85\x94\x4b\x05\x4b\x06\x86\x94\x8a\x06"
    "\x00\x00\x00\x00\x00\x01\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x40\x65"
    "\x8c\x07\x73\x68\x61\x72\x65\x64\x31\x94\x5d\x94\x4b\x01\x61\x8c\x07\x73\x68\x61\x72\x65\x64\x32\x94\x68\x09\x75"
    "\x2e");
// pickle.dumps(E()) where E.__reduce__ returns (eval, ('1+1',)): protocol 4 (STACK_GLOBAL) and 2 (GLOBAL).
const std::string kEval4 = BYTES(
    "\x80\x04\x95\x1f\x00\x00\x00\x00\x00\x00\x00\x8c\x08\x62\x75\x69\x6c\x74\x69\x6e\x73\x94\x8c\x04\x65\x76\x61\x6c"
    "\x94\x93\x94\x8c\x03\x31\x2b\x31\x94\x85\x94\x52\x94\x2e");
const std::string kEval2 = BYTES(
    "\x80\x02\x63\x5f\x5f\x62\x75\x69\x6c\x74\x69\x6e\x5f\x5f\x0a\x65\x76\x61\x6c\x0a\x71\x00\x58\x03\x00\x00\x00\x31"
    "\x2b\x31\x71\x01\x85\x71\x02\x52\x71\x03\x2e");

const PickleValue* load(const std::string& bytes, PickleArena& arena, PickleHooks& hooks) {
  MemorySource src(bytes, "test.pkl");
  Cursor in(src);
  const PickleValue* v = unpickle(in, arena, hooks);
  CHECK(in.position() == bytes.size());
  return v;
}

std::string pickle_error(const std::string& bytes) {
  PickleArena arena;
  PickleHooks hooks;
  try {
    load(bytes, arena, hooks);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

const PickleValue* get(const PickleValue& dict, const std::string& key) {
  for (const auto& [k, v] : dict.entries)
    if (k->is(Kind::String) && k->text == key) return v;
  FAIL("no key ", key);
  return nullptr;
}

void check_values(const PickleValue& root, bool has_bytes) {
  REQUIRE(root.is(Kind::Dict));
  REQUIRE(root.entries.size() == 3);
  const PickleValue& a = *get(root, "a");
  REQUIRE(a.is(Kind::List));
  REQUIRE(a.items.size() == (has_bytes ? 18u : 17u));
  size_t i = 0;
  for (int64_t v : {int64_t{1}, int64_t{-2}, int64_t{300}, int64_t{70000}, int64_t{-70000}}) {
    CHECK(a.items[i]->is(Kind::Int));
    CHECK(a.items[i++]->integer == v);
  }
  CHECK(a.items[i]->is(Kind::Float));
  CHECK(a.items[i++]->real == 3.5);
  CHECK(a.items[i++]->is(Kind::None));
  CHECK((a.items[i]->is(Kind::Bool) && a.items[i++]->boolean));
  CHECK((a.items[i]->is(Kind::Bool) && !a.items[i++]->boolean));
  if (has_bytes) {
    CHECK(a.items[i]->is(Kind::Bytes));
    CHECK(a.items[i++]->text == "xy");
  }
  CHECK(a.items[i]->is(Kind::String));
  CHECK(a.items[i++]->text == "\xc3\xa9");
  const PickleValue& t3 = *a.items[i++];
  REQUIRE(t3.is(Kind::Tuple));
  REQUIRE(t3.items.size() == 3);
  CHECK(t3.items[2]->integer == 3);
  CHECK(a.items[i++]->items.empty());
  CHECK(a.items[i++]->items.size() == 1);
  CHECK(a.items[i++]->items.size() == 2);
  CHECK(a.items[i++]->integer == (int64_t{1} << 40));
  CHECK(a.items[i++]->integer == INT64_MIN);
  CHECK(a.items[i]->is(Kind::BigInt));  // 2**70 does not fit in int64
  CHECK(a.items[i]->text == std::string("\0\0\0\0\0\0\0\0\x40", 9));
  // The memo makes both keys refer to one list, as in Python.
  CHECK(get(root, "shared1") == get(root, "shared2"));
  CHECK(get(root, "shared1")->items.size() == 1);
}

}  // namespace

TEST_CASE("pickle: plain values of protocol 2 as Python writes them") {
  PickleArena arena;
  PickleHooks refuse_all;
  check_values(*load(kProto2, arena, refuse_all), false);
}

TEST_CASE("pickle: protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, SHORT_BINBYTES)") {
  PickleArena arena;
  PickleHooks refuse_all;
  check_values(*load(kProto4, arena, refuse_all), true);
}

TEST_CASE("pickle: globals are refused before anything is called, with their names") {
  std::string msg = pickle_error(kEval4);
  INFO(msg);
  CHECK(msg.find("test.pkl: pickle opcode 0x93 at byte 29") != std::string::npos);
  CHECK(msg.find("refusing to import 'builtins.eval'") != std::string::npos);
  msg = pickle_error(kEval2);
  CHECK(msg.find("pickle opcode 'c' at byte 2") != std::string::npos);
  CHECK(msg.find("refusing to import '__builtin__.eval'") != std::string::npos);
}

TEST_CASE("pickle: an allowed global is handed to the hooks, never called") {
  struct Allow : PickleHooks {
    std::string seen;
    void check_global(const std::string& m, const std::string& n) override { seen += m + "." + n + ";"; }
    PickleValue* call(PickleArena& arena, const PickleValue& f, const PickleValue& args) override {
      PickleValue* v = arena.make(Kind::String);
      v->text = "called " + f.text + " with " + args.describe();
      return v;
    }
  } hooks;
  PickleArena arena;
  const PickleValue* v = load(kEval2, arena, hooks);
  CHECK(hooks.seen == "__builtin__.eval;");
  CHECK(v->text == "called __builtin__.eval with tuple of 1");
}

TEST_CASE("pickle: opcodes that run code or are not needed are refused") {
  struct Case {
    std::string bytes;
    const char* message;
  };
  const Case cases[] = {
      {BYTES("\x80\x02(ios\nsystem\nX\x02\x00\x00\x00ls."), "INST is not allowed: it imports and calls arbitrary code"},
      {BYTES("\x80\x02(N)o."), "OBJ is not allowed"},
      {BYTES("\x80\x02\x82\x01."), "EXT is not allowed"},
      {BYTES("\x80\x02P1\n."), "PERSID is not allowed"},
      {BYTES("\x80\x02X\x01\x00\x00\x00xQ."), "refusing persistent id str 'x'"},
      {BYTES("\x80\x02}N\x62."), "refusing to set the state of dict of 0"},
      {BYTES("\x80\x05\x97."), "out-of-band buffer is not allowed"},
      {BYTES("\x80\x04\x8f."), "a checkpoint holds no sets"},
      {BYTES("I12\n."), "text opcodes of pickle protocol 0/1 are not supported"},
      {BYTES("\x80\x02\xff."), "unknown opcode"},
      {BYTES("\x80\x06N."), "protocol 6 is newer than 5"},
      {BYTES("\x80\x02NN\x81."), "calling None, which is not a global"},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.message));
    std::string msg = pickle_error(c.bytes);
    INFO(msg);
    CHECK(msg.find("test.pkl: pickle opcode") != std::string::npos);
    CHECK(msg.find(c.message) != std::string::npos);
  }
}

TEST_CASE("pickle: malformed programs are errors, not crashes") {
  struct Case {
    std::string bytes;
    const char* message;
  };
  const Case cases[] = {
      {BYTES("\x80\x02."), "stack underflow"},
      {BYTES("\x80\x02Na."), "stack underflow"},
      {BYTES("\x80\x02(a."), "stack underflow"},  // APPEND may not reach below a MARK
      {BYTES("\x80\x02NNa."), "APPEND(S) on None, not a list"},
      {BYTES("\x80\x02)NNs."), "SETITEM(S) on tuple of 0, not a dict"},
      {BYTES("\x80\x02}(Nu."), "odd number of items"},
      {BYTES("\x80\x02t."), "no MARK on the stack"},
      {BYTES("\x80\x02\x31."), "no MARK on the stack"},
      {BYTES("\x80\x02h\x05."), "memo entry 5 is not defined"},
      {BYTES("\x80\x02q\x00."), "stack underflow"},
      {BYTES("\x80\x02NNR."), "calling None"},
      {BYTES("\x80\x02\x8b\xff\xff\xff\xff."), "negative length"},
      {BYTES("\x80\x02X\x02\x00\x00\x00\xc3(."), "string is not valid UTF-8"},
      {BYTES("\x80\x02X\xff\xff\xff\x7f" "ab."), "needs 2147483647 bytes but only 3 remain"},
      {BYTES("\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\xff."), "bytes but only 1 remain"},
      {BYTES("\x80\x04\x95\x00\x00\x00\x00\x00\x01\x00\x00N."), "frame of"},
      {BYTES("\x80\x02N"), "pickle opcode"},  // no STOP
      {BYTES("\x80\x02" "c") + std::string(2000, 'a'), "longer than 1024 bytes"},
      {BYTES("\x80\x02" "cos"), "no end of line"},
      {BYTES("\x80\x04NN\x93."), "STACK_GLOBAL needs two strings"},
      {BYTES("\x80\x04NN}\x92."), "calling None"},
      {BYTES("\x80\x04NN}N\x92."), "NEWOBJ_EX with keyword arguments"},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.message));
    std::string msg = pickle_error(c.bytes);
    INFO(msg);
    CHECK(msg.find("test.pkl") != std::string::npos);
    CHECK(msg.find(c.message) != std::string::npos);
  }
}

TEST_CASE("pickle: cycles and sharing through the memo are fine in the arena") {
  // l = []; l.append(l); d = {}; d['self'] = d
  PickleArena arena;
  PickleHooks hooks;
  const PickleValue* l = load(BYTES("\x80\x02]q\x00h\x00" "a."), arena, hooks);
  REQUIRE(l->is(Kind::List));
  REQUIRE(l->items.size() == 1);
  CHECK(l->items[0] == l);
  const PickleValue* d = load(BYTES("\x80\x02}q\x00X\x04\x00\x00\x00selfh\x00s."), arena, hooks);
  CHECK(d->entries[0].second == d);
  CHECK(d->describe() == "dict of 1");
}

TEST_CASE("pickle: POP, POP_MARK, DUP, LIST, DICT and LONG_BINPUT/GET") {
  PickleArena arena;
  PickleHooks hooks;
  // (1, 2) built from: MARK K1 K2 l(list) -> POP it; then MARK K9 POP_MARK;
  // DUP of 'x'; DICT from mark; LONG_BINPUT/LONG_BINGET.
  const PickleValue* v = load(BYTES("\x80\x02(K\x01K\x02l0(K\x09\x31X\x01\x00\x00\x00x2(K\x03K\x04"
                                    "d" "r\x10\x00\x00\x00\x86j\x10\x00\x00\x00\x86."),
                              arena, hooks);
  // stack: 'x', 'x', {3: 4} -> TUPLE2 ('x', {3:4}) -> push memo {3:4} -> TUPLE2 (('x', {..}), {..})
  REQUIRE(v->is(Kind::Tuple));
  REQUIRE(v->items.size() == 2);
  CHECK(v->items[1]->is(Kind::Dict));
  CHECK(v->items[1]->entries[0].first->integer == 3);
  CHECK(v->items[0]->items[0]->text == "x");
  CHECK(v->items[0]->items[1] == v->items[1]);
}

TEST_CASE("pickle: every truncation of a valid pickle is an error") {
  for (size_t n = 0; n < kProto4.size(); ++n) {
    CAPTURE(n);
    std::string cut = kProto4.substr(0, n);
    PickleArena arena;
    PickleHooks hooks;
    MemorySource src(cut, "cut.pkl");
    Cursor in(src);
    CHECK_THROWS_AS(unpickle(in, arena, hooks), Error);
  }
}
