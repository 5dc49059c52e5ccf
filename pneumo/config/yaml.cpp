#include "pneumo/config/yaml.h"

#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "nn/io/json.h"  // is_valid_utf8
#include "tensor/error.h"

namespace pn::config {

namespace {

constexpr size_t kMaxBytes = size_t{4} << 20;
constexpr int kMaxDepth = 64;

struct Line {
  int indent;        // leading spaces
  std::string text;  // the rest, without comment and trailing blanks
  int number;        // 1-based
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_blank(s[b])) ++b;
  while (e > b && (is_blank(s[e - 1]) || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

// Removes a comment: '#' at the start or after a blank, outside quotes. A
// quote opens a quoted scalar only where a scalar can start, so apostrophes
// inside plain scalars ("don't") are left alone.
std::string strip_comment(const std::string& s) {
  char quote = 0;
  char prev = ' ';
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) {
        if (quote == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
          ++i;  // '' is an escaped quote
          continue;
        }
        if (quote == '"' && s[i - 1] == '\\') continue;
        quote = 0;
      }
    } else if (c == '#' && is_blank(prev)) {
      return s.substr(0, i);
    } else if ((c == '\'' || c == '"') &&
               (is_blank(prev) || prev == ':' || prev == ',' || prev == '[' || prev == '{' || prev == '-')) {
      quote = c;
    }
    prev = c;
  }
  return s;
}

}  // namespace

class Parser {
 public:
  Parser(const std::string& text, std::string source) : source_(std::move(source)) {
    PN_CHECK(text.size() <= kMaxBytes, source_, ": YAML document larger than ", kMaxBytes, " bytes");
    std::istringstream in(text);
    std::string raw;
    int number = 0;
    while (std::getline(in, raw)) {
      ++number;
      if (!raw.empty() && raw.back() == '\r') raw.pop_back();
      // PyYAML refuses such a file too; a name with a stray byte would
      // otherwise travel into paths and logs.
      PN_CHECK(nn::io::is_valid_utf8(raw), source_, ":", number, ": not valid UTF-8 (YAML files are UTF-8)");
      size_t indent = 0;
      while (indent < raw.size() && raw[indent] == ' ') ++indent;
      std::string body = trim(strip_comment(raw.substr(indent)));
      if (body.empty()) continue;
      PN_CHECK(raw[indent] != '\t', source_, ":", number, ": tab in indentation (YAML allows spaces only)");
      if (number == 1 && body == "---") continue;
      PN_CHECK(body != "---" && body != "...", source_, ":", number, ": multi-document YAML is not supported");
      lines_.push_back({static_cast<int>(indent), body, number});
    }
  }

  Node parse() {
    if (lines_.empty()) return make(Node::Kind::Null, "", 1);
    Node root = parse_block(lines_[0].indent, "", 0);
    if (pos_ < lines_.size()) error(lines_[pos_].number, "unexpected indentation");
    return root;
  }

 private:
  [[noreturn]] void error(int line, const std::string& what) const { fail(source_, ":", line, ": ", what); }

  Node make(Node::Kind kind, const std::string& path, int line) const {
    Node n;
    n.kind_ = kind;
    n.source_ = source_;
    n.path_ = path;
    n.line_ = line;
    return n;
  }

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  static bool is_sequence_item(const std::string& text) { return text == "-" || text.rfind("- ", 0) == 0; }

  // The position of the colon that ends a mapping key on this line, or npos.
  static size_t key_colon(const std::string& text) {
    size_t i = 0;
    if (!text.empty() && (text[0] == '"' || text[0] == '\'')) {
      char q = text[0];
      for (i = 1; i < text.size() && text[i] != q; ++i) {
        if (q == '"' && text[i] == '\\') ++i;
      }
      ++i;
    }
    for (; i < text.size(); ++i) {
      if (text[i] == ':' && (i + 1 == text.size() || is_blank(text[i + 1]))) return i;
      if (text[i] == '[' || text[i] == '{') return std::string::npos;  // a flow value, not a key
    }
    return std::string::npos;
  }

  Node parse_block(int indent, const std::string& path, int depth) {
    if (depth > kMaxDepth) error(lines_[pos_].number, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    return is_sequence_item(lines_[pos_].text) ? parse_sequence(indent, path, depth)
                                               : parse_mapping(indent, path, depth);
  }

  Node parse_mapping(int indent, const std::string& path, int depth) {
    Node map = make(Node::Kind::Mapping, path, lines_[pos_].number);
    while (pos_ < lines_.size() && lines_[pos_].indent == indent && !is_sequence_item(lines_[pos_].text)) {
      Line line = lines_[pos_];
      size_t colon = key_colon(line.text);
      if (colon == std::string::npos) error(line.number, "expected 'key: value', got '" + line.text + "'");
      std::string key = trim(line.text.substr(0, colon));
      if (!key.empty() && (key[0] == '"' || key[0] == '\'')) key = parse_scalar(key, line.number, path).scalar_;
      if (key.empty()) error(line.number, "empty key");
      for (const auto& [k, v] : map.entries_)
        if (k == key) error(line.number, "duplicate key '" + key + "'");
      std::string rest = trim(line.text.substr(colon + 1));
      ++pos_;
      map.entries_.emplace_back(key, parse_value(rest, indent, line.number, join(path, key), depth));
    }
    if (pos_ < lines_.size() && lines_[pos_].indent > indent)
      error(lines_[pos_].number, "unexpected indentation");
    return map;
  }

  Node parse_sequence(int indent, const std::string& path, int depth) {
    Node seq = make(Node::Kind::Sequence, path, lines_[pos_].number);
    while (pos_ < lines_.size() && lines_[pos_].indent == indent && is_sequence_item(lines_[pos_].text)) {
      Line& line = lines_[pos_];
      std::string item_path = path + "[" + std::to_string(seq.elements_.size()) + "]";
      std::string rest = line.text.size() > 1 ? trim(line.text.substr(2)) : "";
      if (!rest.empty() && (is_sequence_item(rest) || key_colon(rest) != std::string::npos)) {
        // "- key: value" or "- - x": the item is a block starting on this
        // line, indented to where its text begins.
        line.indent = indent + static_cast<int>(line.text.size() - rest.size());
        line.text = rest;
        seq.elements_.push_back(parse_block(line.indent, item_path, depth + 1));
      } else {
        ++pos_;
        seq.elements_.push_back(parse_value(rest, indent, line.number, item_path, depth));
      }
    }
    if (pos_ < lines_.size() && lines_[pos_].indent > indent)
      error(lines_[pos_].number, "unexpected indentation");
    return seq;
  }

  // The value after "key:" or "- ": inline text, or the more-indented block
  // below, or null.
  Node parse_value(const std::string& rest, int indent, int line, const std::string& path, int depth) {
    bool below = pos_ < lines_.size() && lines_[pos_].indent > indent;
    if (!rest.empty()) {
      if (rest[0] == '[' || rest[0] == '{') return parse_flow_text(rest, line, path, depth);
      Node scalar = parse_scalar(rest, line, path);
      if (below && !scalar.quoted_) scalar.scalar_ += " " + continuation(indent);
      return scalar;
    }
    if (!below) {
      // A block sequence may sit at the key's own indentation.
      if (pos_ < lines_.size() && lines_[pos_].indent == indent && is_sequence_item(lines_[pos_].text) &&
          path.find('[') != path.size() - 1)
        return parse_sequence(indent, path, depth + 1);
      return make(Node::Kind::Null, path, line);
    }
    const Line& next = lines_[pos_];
    if (is_sequence_item(next.text) || key_colon(next.text) != std::string::npos)
      return parse_block(next.indent, path, depth + 1);
    if (next.text[0] == '[' || next.text[0] == '{') {
      ++pos_;
      return parse_flow_text(next.text, next.number, path, depth);
    }
    Node scalar = parse_scalar(next.text, next.number, path);
    ++pos_;
    if (!scalar.quoted_ && pos_ < lines_.size() && lines_[pos_].indent > indent)
      scalar.scalar_ += " " + continuation(indent);
    return scalar;
  }

  // Joins the following lines indented deeper than `indent` (a plain scalar
  // folded over several lines).
  std::string continuation(int indent) {
    std::string out;
    while (pos_ < lines_.size() && lines_[pos_].indent > indent) {
      if (key_colon(lines_[pos_].text) != std::string::npos)
        error(lines_[pos_].number, "a mapping cannot continue a scalar value");
      out += (out.empty() ? "" : " ") + lines_[pos_].text;
      ++pos_;
    }
    return out;
  }

  Node parse_scalar(const std::string& text, int line, const std::string& path) {
    Node n = make(Node::Kind::Scalar, path, line);
    char c = text[0];
    if (c == '&' || c == '*' || c == '!' || c == '|' || c == '>' || c == '%' || c == '@' || c == '`')
      error(line, std::string("unsupported YAML feature at '") + text + "' (anchors, aliases, tags and block "
                  "scalars are not supported)");
    if (c != '"' && c != '\'') {
      n.scalar_ = text;
      return n;
    }
    size_t i = 1;
    std::string out;
    for (; i < text.size(); ++i) {
      char d = text[i];
      if (d == c) {
        if (c == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          out += '\'';
          ++i;
          continue;
        }
        break;
      }
      if (c == '"' && d == '\\' && i + 1 < text.size()) {
        char e = text[++i];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          default: error(line, std::string("unsupported escape \\") + e + " in a double-quoted scalar");
        }
        continue;
      }
      out += d;
    }
    if (i >= text.size()) error(line, "unterminated quoted scalar");
    if (!trim(text.substr(i + 1)).empty()) error(line, "text after a quoted scalar: '" + text + "'");
    n.scalar_ = out;
    n.quoted_ = true;
    return n;
  }

  // ---- flow collections: [a, b] and {k: v} on one line ----
  Node parse_flow_text(const std::string& text, int line, const std::string& path, int depth) {
    size_t i = 0;
    Node n = parse_flow(text, i, line, path, depth);
    while (i < text.size() && is_blank(text[i])) ++i;
    if (i != text.size()) error(line, "text after a flow collection: '" + text.substr(i) + "'");
    return n;
  }

  Node parse_flow(const std::string& s, size_t& i, int line, const std::string& path, int depth) {
    if (depth > kMaxDepth) error(line, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    while (i < s.size() && is_blank(s[i])) ++i;
    if (i >= s.size()) error(line, "unterminated flow collection (multi-line flow collections are not supported)");
    char open = s[i];
    if (open != '[' && open != '{') {
      // A scalar inside a flow collection ends at , ] or }.
      size_t b = i;
      if (s[i] == '"' || s[i] == '\'') {
        char q = s[i++];
        while (i < s.size() && s[i] != q) i += (q == '"' && s[i] == '\\') ? 2 : 1;
        if (i < s.size()) ++i;
      } else {
        while (i < s.size() && s[i] != ',' && s[i] != ']' && s[i] != '}' &&
               !(s[i] == ':' && open != '"' && i + 1 < s.size() && is_blank(s[i + 1])))
          ++i;
      }
      return parse_scalar(trim(s.substr(b, i - b)).empty() ? "~" : trim(s.substr(b, i - b)), line, path);
    }
    char close = open == '[' ? ']' : '}';
    Node n = make(open == '[' ? Node::Kind::Sequence : Node::Kind::Mapping, path, line);
    ++i;
    for (;;) {
      while (i < s.size() && is_blank(s[i])) ++i;
      if (i >= s.size()) error(line, "unterminated flow collection (multi-line flow collections are not supported)");
      if (s[i] == close) {
        ++i;
        return n;
      }
      if (open == '[') {
        n.elements_.push_back(
            parse_flow(s, i, line, path + "[" + std::to_string(n.elements_.size()) + "]", depth + 1));
      } else {
        Node key = parse_flow(s, i, line, path, depth + 1);
        if (!key.is_scalar()) error(line, "a flow mapping key must be a scalar");
        while (i < s.size() && is_blank(s[i])) ++i;
        if (i >= s.size() || s[i] != ':') error(line, "expected ':' after key '" + key.scalar_ + "'");
        ++i;
        for (const auto& [k, v] : n.entries_)
          if (k == key.scalar_) error(line, "duplicate key '" + key.scalar_ + "'");
        n.entries_.emplace_back(key.scalar_, parse_flow(s, i, line, join(path, key.scalar_), depth + 1));
      }
      while (i < s.size() && is_blank(s[i])) ++i;
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == close) continue;
      if (i >= s.size()) error(line, "unterminated flow collection (multi-line flow collections are not supported)");
      error(line, std::string("expected ',' or '") + close + "' in a flow collection");
    }
  }

  std::vector<Line> lines_;
  size_t pos_ = 0;
  std::string source_;
};

Node parse_yaml(const std::string& text, const std::string& source) { return Parser(text, source).parse(); }

Node load_yaml(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  PN_CHECK(in.good(), path, ": cannot open the file (", std::strerror(errno), ")");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_yaml(buf.str(), path);
}

// ---- Node accessors ----------------------------------------------------------

std::string Node::where() const {
  return source_ + ":" + std::to_string(line_) + " (" + (path_.empty() ? "document" : path_) + ")";
}

namespace {
const char* kind_name(Node::Kind k) {
  switch (k) {
    case Node::Kind::Null: return "an empty value";
    case Node::Kind::Scalar: return "a scalar";
    case Node::Kind::Sequence: return "a sequence";
    case Node::Kind::Mapping: return "a mapping";
  }
  return "?";
}
}  // namespace

const std::string& Node::str() const {
  PN_CHECK(kind_ == Kind::Scalar, where(), ": expected a scalar, got ", kind_name(kind_));
  return scalar_;
}

double Node::number() const {
  const std::string& s = str();
  PN_CHECK(!quoted_, where(), ": expected a number, got the quoted string '", s, "'");
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  PN_CHECK(!s.empty() && end == s.c_str() + s.size() && errno == 0, where(), ": expected a number, got '", s, "'");
  return v;
}

int64_t Node::integer() const {
  const std::string& s = str();
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  PN_CHECK(!quoted_ && !s.empty() && end == s.c_str() + s.size() && errno == 0, where(),
           ": expected an integer, got '", s, "'");
  return v;
}

bool Node::boolean() const {
  const std::string& s = str();
  if (!quoted_) {
    for (const char* t : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})
      if (s == t) return true;
    for (const char* f : {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})
      if (s == f) return false;
  }
  fail(where(), ": expected a boolean (True or False), got '", s, "'");
}

bool Node::is_null_scalar() const {
  return kind_ == Kind::Null ||
         (kind_ == Kind::Scalar && !quoted_ && (scalar_ == "~" || scalar_ == "null" || scalar_ == "Null" || scalar_ == "NULL"));
}

size_t Node::size() const {
  PN_CHECK(kind_ == Kind::Sequence || kind_ == Kind::Mapping, where(), ": expected a sequence or mapping, got ",
           kind_name(kind_));
  return kind_ == Kind::Sequence ? elements_.size() : entries_.size();
}

const std::vector<Node>& Node::elements() const {
  PN_CHECK(kind_ == Kind::Sequence, where(), ": expected a sequence, got ", kind_name(kind_));
  return elements_;
}

const Node& Node::operator[](size_t i) const {
  const std::vector<Node>& e = elements();
  PN_CHECK(i < e.size(), where(), ": index ", i, " out of range for a sequence of ", e.size());
  return e[i];
}

const std::vector<std::pair<std::string, Node>>& Node::entries() const {
  PN_CHECK(kind_ == Kind::Mapping, where(), ": expected a mapping, got ", kind_name(kind_));
  return entries_;
}

const Node* Node::find(const std::string& key) const {
  for (const auto& [k, v] : entries())
    if (k == key) return &v;
  return nullptr;
}

const Node& Node::operator[](const std::string& key) const {
  const Node* n = find(key);
  PN_CHECK(n != nullptr, where(), ": missing key '", key, "'");
  return *n;
}

}  // namespace pn::config
