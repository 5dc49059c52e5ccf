// The strict JSON reader behind the safetensors header (nn/io/json.h).
#include <doctest/doctest.h>

#include <string>

#include "nn/io/json.h"
#include "tensor/error.h"

using pn::nn::io::JsonValue;
using pn::nn::io::parse_json;

namespace {

std::string json_error(const std::string& text) {
  try {
    parse_json(text, "test.json");
  } catch (const pn::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("json: parses objects, arrays, strings, numbers and literals in file order") {
  JsonValue v = parse_json(R"( {"b": [1, -2.5e3, true, false, null], "a": {"x": "y"}, "": ""}  )", "t");
  REQUIRE(v.type == JsonValue::Type::Object);
  REQUIRE(v.members.size() == 3);
  CHECK(v.members[0].key == "b");
  CHECK(v.members[1].key == "a");
  const JsonValue* b = v.find("b");
  REQUIRE(b);
  REQUIRE(b->items.size() == 5);
  CHECK(b->items[0].as_uint64() == 1u);
  CHECK(b->items[1].text == "-2.5e3");
  CHECK_FALSE(b->items[1].as_uint64());
  CHECK(b->items[2].type == JsonValue::Type::Bool);
  CHECK(b->items[2].boolean);
  CHECK_FALSE(b->items[3].boolean);
  CHECK(b->items[4].type == JsonValue::Type::Null);
  CHECK(v.find("a")->find("x")->text == "y");
  CHECK(v.find("missing") == nullptr);
}

TEST_CASE("json: integers convert exactly up to 2^64-1 and nothing else is an integer") {
  CHECK(parse_json("18446744073709551615", "t").as_uint64() == UINT64_MAX);
  CHECK_FALSE(parse_json("18446744073709551616", "t").as_uint64());
  CHECK_FALSE(parse_json("-1", "t").as_uint64());
  CHECK_FALSE(parse_json("1.0", "t").as_uint64());
  CHECK_FALSE(parse_json("1e3", "t").as_uint64());
  CHECK(parse_json("0", "t").as_uint64() == 0u);
  CHECK_FALSE(parse_json("\"5\"", "t").as_uint64());
}

TEST_CASE("json: string escapes, surrogate pairs and raw UTF-8 decode") {
  CHECK(parse_json(R"("a\"b\\c\/d\b\f\n\r\t")", "t").text == "a\"b\\c/d\b\f\n\r\t");
  CHECK(parse_json(R"("\u00e9\u20ac")", "t").text == "\xc3\xa9\xe2\x82\xac");
  CHECK(parse_json(R"("\ud83d\ude00")", "t").text == "\xf0\x9f\x98\x80");
  CHECK(parse_json("\"\xc3\xa9\"", "t").text == "\xc3\xa9");
}

TEST_CASE("json: malformed input is rejected with the source and byte offset") {
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case cases[] = {
      {"", "unexpected end"},
      {"{", "expected a string key"},
      {R"({"a":1,})", "expected a string key"},
      {R"({"a" 1})", "expected ':'"},
      {R"({"a":1 "b":2})", "expected ',' or '}'"},
      {"[1 2]", "expected ',' or ']'"},
      {R"({"a":1,"a":2})", "duplicate key 'a'"},
      {"01", "unexpected data after the value"},
      {"1.", "no digits after '.'"},
      {"1e", "no digits in the exponent"},
      {"-", "invalid number"},
      {"tru", "invalid literal"},
      {"nul", "invalid literal"},
      {"\"abc", "unterminated string"},
      {"\"a\x01\"", "control character"},
      {R"("\x")", "invalid escape"},
      {R"("\u12zz")", "invalid hex digit"},
      {R"("\u12")", "truncated \\u escape"},
      {R"("\ud800")", "unpaired high surrogate"},
      {R"("\udc00")", "unpaired low surrogate"},
      {R"("\ud800\u0041")", "invalid low surrogate"},
      {"\"\xff\"", "invalid UTF-8"},
      {"\"\xc0\xaf\"", "invalid UTF-8"},         // overlong '/'
      {"\"\xed\xa0\x80\"", "invalid UTF-8"},     // encoded surrogate
      {"\"\xf4\x90\x80\x80\"", "invalid UTF-8"}, // above U+10FFFF
      {"\"\xe2\x82\"", "invalid UTF-8"},         // truncated sequence
      {"{} x", "unexpected data after the value"},
      {"'a'", "unexpected character"},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.text));
    std::string msg = json_error(c.text);
    INFO(msg);
    CHECK(msg.find("test.json: invalid JSON at byte") != std::string::npos);
    CHECK(msg.find(c.reason) != std::string::npos);
  }
}

TEST_CASE("json: nesting is limited so that hostile input cannot exhaust the stack") {
  std::string deep(100000, '[');
  CHECK(json_error(deep).find("nesting deeper than 64 levels") != std::string::npos);
  std::string ok = std::string(60, '[') + std::string(60, ']');
  CHECK(parse_json(ok, "t").type == JsonValue::Type::Array);
}

TEST_CASE("json: append_json_string escapes like serde_json and round-trips") {
  std::string out;
  pn::nn::io::append_json_string(out, std::string("a\"\\\n\t\x01/\xc3\xa9", 9));
  CHECK(out == "\"a\\\"\\\\\\n\\t\\u0001/\xc3\xa9\"");
  CHECK(parse_json(out, "t").text == std::string("a\"\\\n\t\x01/\xc3\xa9", 9));
  CHECK(pn::nn::io::is_valid_utf8("abc\xc3\xa9"));
  CHECK_FALSE(pn::nn::io::is_valid_utf8("\xc3"));
}
