#pragma once
// A reader for the YAML the reference configurations are written in.
//
// Supported: block mappings and block sequences nested by indentation (spaces
// only), flow sequences and mappings ([a, [b, c]], {k: v}), plain, single- and
// double-quoted scalars, plain scalars continued on more-indented lines,
// comments, empty values (null), and keys with a space before the colon.
// Not supported, and rejected with an error naming the line: anchors and
// aliases (&a, *a), tags (!!str), block scalars (| and >), multi-document
// streams, tabs in indentation, duplicate keys, text that is not UTF-8.
// Documents are limited to 4 MiB and 64 levels of nesting, so a hostile file
// cannot exhaust memory or the stack.
//
// Every node remembers its source line and its path from the root
// ("MODEL.ARGS.pretrained"), and every accessor failure says both.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pn::config {

class Node {
 public:
  enum class Kind { Null, Scalar, Sequence, Mapping };

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_scalar() const { return kind_ == Kind::Scalar; }
  bool is_sequence() const { return kind_ == Kind::Sequence; }
  bool is_mapping() const { return kind_ == Kind::Mapping; }
  const std::string& path() const { return path_; }
  // What the document was read from (the `source` of parse_yaml).
  const std::string& source() const { return source_; }
  int line() const { return line_; }
  // "FILE:LINE (PATH)", the prefix of every error about this node.
  std::string where() const;

  // ---- scalars (throw unless the node is a scalar of that form) ----
  const std::string& str() const;
  double number() const;
  int64_t integer() const;
  // YAML 1.1 booleans, as PyYAML reads them: true/false, yes/no, on/off in
  // lower, Capitalised or UPPER case.
  bool boolean() const;
  // The scalar is a YAML null: ~, null, Null, NULL (an empty value is Kind::Null).
  bool is_null_scalar() const;

  // ---- sequences ----
  size_t size() const;  // elements of a sequence or entries of a mapping
  const Node& operator[](size_t i) const;
  const std::vector<Node>& elements() const;

  // ---- mappings (keys in file order) ----
  bool has(const std::string& key) const { return find(key) != nullptr; }
  const Node* find(const std::string& key) const;  // null when absent
  const Node& operator[](const std::string& key) const;  // throws naming the missing key
  const std::vector<std::pair<std::string, Node>>& entries() const;

 private:
  friend class Parser;
  Kind kind_ = Kind::Null;
  std::string scalar_;
  bool quoted_ = false;  // quoted scalars are never null, booleans or numbers
  std::vector<Node> elements_;
  std::vector<std::pair<std::string, Node>> entries_;
  std::string source_, path_;
  int line_ = 0;
};

// Parses YAML text; `source` names it in errors (usually the file path).
Node parse_yaml(const std::string& text, const std::string& source);
// Reads and parses a file; errors name the file.
Node load_yaml(const std::string& path);

}  // namespace pn::config
