#pragma once
// A strict JSON reader and string writer for the small headers of files we do
// not trust (safetensors).
//
// Why not a general JSON library: a checkpoint header must be unambiguous, and
// the common parsers are lenient exactly where it matters here. This one
//  - rejects duplicate object keys (a file naming one tensor twice is
//    ambiguous; most parsers silently keep one of them),
//  - keeps numbers as their literal text, so integers up to 2^64-1 convert
//    exactly and "1e3" or "2.0" is never taken for an offset,
//  - checks UTF-8 (including escaped surrogate pairs),
//  - limits nesting depth, so hostile input cannot exhaust the stack,
// and follows RFC 8259 otherwise (whitespace around the value is allowed; the
// safetensors header is padded with spaces).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pn::nn::io {

struct JsonMember;

struct JsonValue {
  enum class Type { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  bool boolean = false;
  std::string text;                                        // String: decoded UTF-8; Number: the literal
  std::vector<JsonValue> items;                            // Array
  std::vector<JsonMember> members;                         // Object, in file order, keys unique

  // The member named key of an object, or nullptr.
  const JsonValue* find(std::string_view key) const;
  // A Number written as a non-negative integer without sign, fraction or
  // exponent that fits in uint64_t; nullopt otherwise.
  std::optional<uint64_t> as_uint64() const;
};

// A struct, not a std::pair: a pair of an incomplete type cannot be named in
// JsonValue's own definition portably.
struct JsonMember {
  std::string key;
  JsonValue value;
};

const char* json_type_name(JsonValue::Type t);

// Parses text as one JSON value. On failure throws pn::Error
// "<what>: invalid JSON at byte N: <reason>".
JsonValue parse_json(std::string_view text, std::string_view what, int max_depth = 64);

// True when s is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Appends s as a JSON string literal the way serde_json writes it: '"' and
// '\' escaped, control characters as \n, \t, ... or \u00XX, everything else
// (including non-ASCII UTF-8) as is.
void append_json_string(std::string& out, std::string_view s);

}  // namespace pn::nn::io
