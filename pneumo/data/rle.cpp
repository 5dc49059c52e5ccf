#include "pneumo/data/rle.h"

#include <algorithm>
#include <limits>

#include "tensor/error.h"

namespace pn::data {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A token quoted for an error message, cut short when long.
std::string shown(std::string_view token) {
  // Built with append: GCC 12 warns falsely (-Wrestrict) on "literal" + string.
  constexpr std::size_t kMax = 24;
  std::string out(1, '"');
  out.append(token.substr(0, kMax));
  if (token.size() > kMax) out.append("...");
  out.push_back('"');
  return out;
}

// Parses the whitespace-separated integers of `text`.  Values are bounded far
// above any image size so that sums cannot overflow.
std::vector<std::int64_t> parse_values(std::string_view text, std::string_view where) {
  constexpr std::int64_t kLimit = std::int64_t{1} << 50;
  std::vector<std::int64_t> values;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && !is_space(text[j])) ++j;
    const std::string_view token = text.substr(i, j - i);
    std::size_t k = 0;
    bool negative = false;
    if (token[0] == '-' || token[0] == '+') {
      negative = token[0] == '-';
      k = 1;
    }
    PN_CHECK(k < token.size(), where, ": RLE value ", shown(token), " is not a number");
    std::int64_t v = 0;
    for (; k < token.size(); ++k) {
      const char c = token[k];
      PN_CHECK(c >= '0' && c <= '9', where, ": RLE value ", shown(token), " is not a number");
      PN_CHECK(v <= kLimit, where, ": RLE value ", shown(token), " is too large");
      v = v * 10 + (c - '0');
    }
    PN_CHECK(v <= kLimit, where, ": RLE value ", shown(token), " is too large");
    values.push_back(negative ? -v : v);
    i = j;
  }
  return values;
}

std::string where_of(std::span<const std::string> wheres, std::size_t i) {
  if (i < wheres.size()) return wheres[i];
  return "RLE string #" + std::to_string(i);
}

}  // namespace

const char* rle_format_name(RleFormat format) {
  return format == RleFormat::Stage1Relative ? "stage 1 (relative)" : "stage 2 (absolute)";
}

RleFormat parse_rle_format(std::string_view name, std::string_view where) {
  if (name == "stage1") return RleFormat::Stage1Relative;
  if (name == "stage2") return RleFormat::Stage2Absolute;
  fail(where, ": expected stage1 or stage2, got '", name, "'");
}

bool rle_is_empty(std::string_view text) {
  const std::string_view t = trim(text);
  return t.empty() || t == "-1";
}

std::vector<RleRun> rle_parse(std::string_view text, RleFormat format, int width, int height,
                              std::string_view where) {
  PN_CHECK(width > 0 && height > 0, where, ": RLE needs a positive image size, got ", width,
           "x", height);
  if (rle_is_empty(text)) return {};
  const std::vector<std::int64_t> v = parse_values(text, where);
  PN_CHECK(v.size() % 2 == 0, where, ": RLE has an odd number of values (", v.size(),
           "): it must be pairs of ",
           format == RleFormat::Stage1Relative ? "offset and length" : "start and length");
  const std::int64_t total = std::int64_t{width} * std::int64_t{height};
  std::vector<RleRun> runs;
  runs.reserve(v.size() / 2);
  std::int64_t end = 0;  // stage 1: one past the previous run
  for (std::size_t i = 0; i < v.size(); i += 2) {
    const std::int64_t first = v[i];
    const std::int64_t length = v[i + 1];
    const std::size_t pair = i / 2 + 1;
    RleRun run;
    if (format == RleFormat::Stage1Relative) {
      PN_CHECK(first >= 0, where, ": RLE pair ", pair, " has a negative offset (", first, ")");
      run.start = end + first;
    } else {
      PN_CHECK(first >= 1, where, ": RLE pair ", pair, " has start ", first,
               " (stage 2 starts are 1-based, so at least 1)");
      run.start = first - 1;
    }
    PN_CHECK(length >= 1, where, ": RLE pair ", pair, " has length ", length,
             " (a run has at least one pixel)");
    run.length = length;
    PN_CHECK(run.start + run.length <= total, where, ": RLE run ", pair, " (pixels ", run.start,
             "..", run.start + run.length - 1, ") goes past the last pixel ", total - 1, " of a ",
             width, "x", height, " image");
    end = run.start + run.length;
    runs.push_back(run);
  }
  return runs;
}

void rle_paint(GrayImage& mask, std::string_view text, RleFormat format, std::string_view where) {
  PN_CHECK(mask.valid(), where, ": rle_paint got an invalid mask");
  const std::vector<RleRun> runs = rle_parse(text, format, mask.width, mask.height, where);
  const std::int64_t h = mask.height;
  for (const RleRun& run : runs) {
    // Walk the run column by column: within one column the pixels are
    // consecutive rows, which become a strided walk in the row-major mask.
    std::int64_t p = run.start;
    const std::int64_t stop = run.start + run.length;
    while (p < stop) {
      const std::int64_t x = p / h;
      std::int64_t y = p % h;
      const std::int64_t column_stop = std::min(stop, (x + 1) * h);
      for (; p < column_stop; ++p, ++y) mask.at(static_cast<int>(x), static_cast<int>(y)) = 255;
    }
  }
}

GrayImage rle_decode(std::span<const std::string> texts, RleFormat format, int width, int height,
                     std::span<const std::string> wheres) {
  PN_CHECK(width > 0 && height > 0, "rle_decode: image size must be positive, got ", width, "x",
           height);
  GrayImage mask(width, height, 0);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    rle_paint(mask, texts[i], format, where_of(wheres, i));
  }
  return mask;
}

GrayImage rle_decode(std::string_view text, RleFormat format, int width, int height,
                     std::string_view where) {
  PN_CHECK(width > 0 && height > 0, where, ": image size must be positive, got ", width, "x",
           height);
  GrayImage mask(width, height, 0);
  rle_paint(mask, text, format, where);
  return mask;
}

std::string rle_encode(const GrayImage& mask, RleFormat format) {
  PN_CHECK(mask.valid() && !mask.empty(), "rle_encode: needs a valid non-empty mask, got ",
           mask.width, "x", mask.height);
  std::string out;
  auto put = [&out](std::int64_t a, std::int64_t b) {
    if (!out.empty()) out.push_back(' ');
    out += std::to_string(a);
    out.push_back(' ');
    out += std::to_string(b);
  };
  std::int64_t p = 0;            // current pixel number
  std::int64_t run_start = -1;   // start of the open run, -1 when none
  std::int64_t prev_end = 0;     // one past the previous run (stage 1 offsets)
  auto close = [&](std::int64_t end) {
    if (format == RleFormat::Stage1Relative) {
      put(run_start - prev_end, end - run_start);
    } else {
      put(run_start + 1, end - run_start);
    }
    prev_end = end;
    run_start = -1;
  };
  for (int x = 0; x < mask.width; ++x) {
    for (int y = 0; y < mask.height; ++y, ++p) {
      const bool on = mask.at(x, y) != 0;
      if (on && run_start < 0) {
        run_start = p;
      } else if (!on && run_start >= 0) {
        close(p);
      }
    }
  }
  // The reference drops this run; closing it keeps decode(encode(m)) == m.
  if (run_start >= 0) close(p);
  return out.empty() ? "-1" : out;
}

std::optional<RleFormat> rle_detect_format(std::span<const std::string> texts, int width,
                                           int height, std::span<const std::string> wheres) {
  PN_CHECK(width > 0 && height > 0, "rle_detect_format: image size must be positive, got ",
           width, "x", height);
  // The first string seen that can only be stage 1 / only be stage 2.
  std::optional<std::size_t> only1, only2;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (rle_is_empty(texts[i])) continue;
    bool valid[2] = {false, false}, canonical[2] = {false, false};
    std::string why[2];
    const RleFormat formats[2] = {RleFormat::Stage1Relative, RleFormat::Stage2Absolute};
    for (int f = 0; f < 2; ++f) {
      try {
        const auto runs = rle_parse(texts[i], formats[f], width, height, "");
        valid[f] = canonical[f] = true;
        // Runs an encoder writes are in increasing order and never touch.
        for (std::size_t k = 1; k < runs.size(); ++k) {
          if (runs[k].start <= runs[k - 1].start + runs[k - 1].length) canonical[f] = false;
        }
      } catch (const pn::Error& e) {
        why[f] = e.what();
      }
    }
    PN_CHECK(valid[0] || valid[1], where_of(wheres, i), ": RLE is neither stage 1 (relative",
             why[0], ") nor stage 2 (absolute", why[1], ")");
    // Canonical in one format only decides; failing that, valid in one only.
    int decided = -1;
    if (canonical[0] != canonical[1]) {
      decided = canonical[0] ? 0 : 1;
    } else if (!canonical[0] && valid[0] != valid[1]) {
      decided = valid[0] ? 0 : 1;
    }
    if (decided == 0 && !only1) only1 = i;
    if (decided == 1 && !only2) only2 = i;
  }
  PN_CHECK(!(only1 && only2), "RLE strings mix formats: ", where_of(wheres, *only1),
           " can only be stage 1 (relative) but ", where_of(wheres, *only2),
           " can only be stage 2 (absolute)");
  if (only1) return RleFormat::Stage1Relative;
  if (only2) return RleFormat::Stage2Absolute;
  return std::nullopt;
}

}  // namespace pn::data
