#include "pneumo/post/contours.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>

namespace pn::post {

namespace {

// Chain codes, counter-clockwise on screen (y grows downwards): 0 right,
// 1 up-right, 2 up, 3 up-left, 4 left, 5 down-left, 6 down, 7 down-right.
constexpr int kDx[8] = {1, 1, 0, -1, -1, -1, 0, 1};
constexpr int kDy[8] = {0, -1, -1, -1, 0, 1, 1, 1};

// Pixel states during border following, on the mask framed by one pixel of
// background on every side.
constexpr int8_t kBackground = 0;
constexpr int8_t kUnvisited = 1;   // foreground not yet on a traced border
constexpr int8_t kVisited = 2;     // on a traced border
constexpr int8_t kRightEdge = -2;  // on a traced border whose right neighbour is background

class Tracer {
 public:
  explicit Tracer(const data::GrayImage& mask) : w_(mask.width + 2), h_(mask.height + 2) {
    f_.assign(static_cast<size_t>(w_) * static_cast<size_t>(h_), kBackground);
    for (int y = 0; y < mask.height; ++y)
      for (int x = 0; x < mask.width; ++x)
        if (mask.at(x, y)) at(x + 1, y + 1) = kUnvisited;
  }

  std::vector<Contour> run() {
    std::vector<Contour> contours;
    // The raster scan looks at pixels 1..width of each framed row, and only
    // at changes of state from the left neighbour (which may have just been
    // marked by a trace): 0 -> unvisited starts an outer border at the pixel,
    // foreground (not right-edge marked) -> 0 starts a hole border at the
    // pixel on the left.
    for (int y = 1; y < h_ - 1; ++y) {
      for (int x = 1; x < w_ - 1; ++x) {
        const int8_t prev = at(x - 1, y), p = at(x, y);
        if (prev == kBackground && p == kUnvisited) {
          contours.push_back(trace(x, y, false));
        } else if (p == kBackground && prev >= kUnvisited) {
          contours.push_back(trace(x - 1, y, true));
        }
      }
    }
    return contours;
  }

 private:
  int8_t& at(int x, int y) { return f_[static_cast<size_t>(y) * static_cast<size_t>(w_) + static_cast<size_t>(x)]; }
  int8_t at_dir(Point p, int d) { return at(p.x + kDx[d & 7], p.y + kDy[d & 7]); }
  static Point step(Point p, int d) { return {p.x + kDx[d & 7], p.y + kDy[d & 7]}; }

  // Follows the border that starts at (x, y), marking its pixels; returns the
  // pixels where the direction changes, in image coordinates.
  Contour trace(int x, int y, bool hole) {
    const Point start{x, y};
    Contour points;
    // The known background neighbour: left of an outer border's start, right
    // of a hole border's. Search clockwise from it for the first foreground
    // neighbour.
    const int known = hole ? 0 : 4;
    int s = known;
    do {
      s = (s + 7) & 7;
    } while (at_dir(start, s) == kBackground && s != known);
    if (s == known) {  // a lone pixel
      at(x, y) = kRightEdge;
      points.push_back({x - 1, y - 1});
      return points;
    }
    const Point first = step(start, s);  // the second pixel of the border
    Point cur = start;
    int prev_dir = s ^ 4;
    for (;;) {
      // s points back to the pixel we came from; search counter-clockwise
      // after it for the next foreground neighbour.
      const int back = s;
      int d = back;
      do {
        ++d;
      } while (at_dir(cur, d) == kBackground);
      // The right neighbour (code 0) was examined, and background, when the
      // search passed code 8 before finding d.
      const int found = d & 7;
      if (found >= 1 && found <= back) {
        at(cur.x, cur.y) = kRightEdge;
      } else if (at(cur.x, cur.y) == kUnvisited) {
        at(cur.x, cur.y) = kVisited;
      }
      if (found != prev_dir) {
        points.push_back({cur.x - 1, cur.y - 1});
        prev_dir = found;
      }
      const Point next = step(cur, found);
      if (next == start && cur == first) break;
      cur = next;
      s = (found + 4) & 7;
    }
    return points;
  }

  int w_, h_;
  std::vector<int8_t> f_;
};

// An 8-connected line from a to b inclusive, as OpenCV's LineIterator walks
// it (Bresenham, left to right, the error term deciding minor steps).
void draw_line(data::GrayImage& image, Point a, Point b, uint8_t value) {
  if (b.x < a.x) std::swap(a, b);
  const int dx = b.x - a.x, dy_signed = b.y - a.y;
  const int ystep = dy_signed < 0 ? -1 : 1, dy = std::abs(dy_signed);
  const bool steep = dy > dx;
  const int major = steep ? dy : dx, minor = steep ? dx : dy;
  int err = major - 2 * minor;
  Point p = a;
  for (int i = 0; i <= major; ++i) {
    if (p.x >= 0 && p.y >= 0 && p.x < image.width && p.y < image.height) image.at(p.x, p.y) = value;
    const bool minor_step = err < 0;
    err += -2 * minor + (minor_step ? 2 * major : 0);
    if (steep) {
      p.y += ystep;
      if (minor_step) ++p.x;
    } else {
      ++p.x;
      if (minor_step) p.y += ystep;
    }
  }
}

// A polygon edge for the scanline fill: active on rows [y0, y1), crossing row
// y at x0 + (y - y0) * dx, in 16.16 fixed point with dx truncated towards
// zero, as OpenCV computes it.
struct Edge {
  int y0 = 0, y1 = 0;
  int64_t x0 = 0, dx = 0;
};
constexpr int kShift = 16;

}  // namespace

std::vector<Contour> find_contours(const data::GrayImage& mask) {
  PN_CHECK(mask.valid(), "find_contours: invalid image ", mask.width, "x", mask.height);
  if (mask.empty()) return {};
  return Tracer(mask).run();
}

double contour_area(const Contour& c) {
  if (c.size() < 3) return 0.0;
  double twice = 0;
  Point prev = c.back();
  for (const Point& p : c) {
    twice += static_cast<double>(prev.x) * p.y - static_cast<double>(prev.y) * p.x;
    prev = p;
  }
  return std::fabs(twice * 0.5);
}

void fill_contours(data::GrayImage& image, const std::vector<Contour>& contours, uint8_t value) {
  PN_CHECK(image.valid(), "fill_contours: invalid image ", image.width, "x", image.height);
  std::vector<Edge> edges;
  for (const Contour& c : contours) {
    if (c.empty()) continue;
    // OpenCV closes the polygon by repeating its first point, which adds a
    // zero-length segment (one more pixel drawn at the first point).
    draw_line(image, c.front(), c.front(), value);
    for (size_t i = 0; i < c.size(); ++i) {
      const Point a = c[i], b = c[(i + 1) % c.size()];
      draw_line(image, a, b, value);
      if (a.y == b.y) continue;
      const Point top = a.y < b.y ? a : b;
      Edge e;
      e.y0 = std::min(a.y, b.y);
      e.y1 = std::max(a.y, b.y);
      e.x0 = static_cast<int64_t>(top.x) << kShift;
      e.dx = (static_cast<int64_t>(b.x - a.x) << kShift) / (b.y - a.y);
      edges.push_back(e);
    }
  }
  if (edges.size() < 2) return;
  // Rows from the top of the first edge; an edge joins the active set at its
  // first row and leaves after its last.
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.y0 < b.y0; });
  int y_end = 0;
  for (const Edge& e : edges) y_end = std::max(y_end, e.y1);
  y_end = std::min(y_end, image.height);
  std::vector<Edge> active;
  std::vector<int64_t> xs;
  size_t next = 0;
  for (int y = edges[0].y0; y < y_end; ++y) {
    while (next < edges.size() && edges[next].y0 == y) active.push_back(edges[next++]);
    std::erase_if(active, [y](const Edge& e) { return e.y1 <= y; });
    if (y < 0) continue;
    xs.clear();
    for (const Edge& e : active) xs.push_back(e.x0 + (y - e.y0) * e.dx);
    std::sort(xs.begin(), xs.end());
    // Spans between alternate crossings, both ends included (floor of the
    // fixed-point x).
    for (size_t i = 0; i + 1 < xs.size(); i += 2) {
      int x1 = static_cast<int>(xs[i] >> kShift), x2 = static_cast<int>(xs[i + 1] >> kShift);
      if (x1 >= image.width || x2 < 0) continue;
      x1 = std::max(x1, 0);
      x2 = std::min(x2, image.width - 1);
      std::fill_n(&image.at(x1, y), x2 - x1 + 1, value);
    }
  }
}

data::GrayImage remove_smallest(const data::GrayImage& mask, double min_contour_area) {
  std::vector<Contour> kept;
  for (Contour& c : find_contours(mask))
    if (contour_area(c) > min_contour_area) kept.push_back(std::move(c));
  data::GrayImage out(mask.width, mask.height, 0);
  fill_contours(out, kept, 255);
  return out;
}

data::GrayImage extract_largest(const data::GrayImage& mask, int n_objects) {
  std::vector<Contour> contours = find_contours(mask);
  std::vector<double> areas;
  for (const Contour& c : contours) areas.push_back(contour_area(c));
  std::vector<size_t> order(contours.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // Ascending and stable, then reversed: larger first, ties later-found first.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return areas[a] < areas[b]; });
  std::reverse(order.begin(), order.end());
  std::vector<Contour> chosen;
  for (size_t i = 0; i < order.size() && static_cast<int>(i) < n_objects; ++i) chosen.push_back(contours[order[i]]);
  data::GrayImage out(mask.width, mask.height, 0);
  fill_contours(out, chosen, 255);
  return out;
}

}  // namespace pn::post
