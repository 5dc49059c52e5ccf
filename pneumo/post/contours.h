#pragma once
// The contour steps of the reference's TripletSubmit.py, with OpenCV's
// semantics: cv2.findContours(mask, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE),
// cv2.contourArea and cv2.drawContours(background, contours, -1, 255,
// thickness=cv2.FILLED), built here on their own (no OpenCV inside).
//
// Borders (find_contours) follow Suzuki and Abe's border following (1985), as
// OpenCV runs it: foreground pixels (nonzero) are 8-connected and background
// 4-connected; the image is surrounded by a frame of background, so regions
// touching the image edge get closed borders; both the outer border of every
// region and the border of every hole are traced. A border is the cycle of
// its boundary pixels' centres; CHAIN_APPROX_SIMPLE keeps the pixels where
// the direction of travel changes. A hole border runs through the foreground
// pixels around the hole.
//
// Area (contour_area) is the polygon area through those centres (shoelace),
// not the pixel count: a single pixel or a one-pixel-wide line has area 0, a
// filled 3x3 square has area 4.
//
// Filling (fill_contours) is OpenCV's polygon filler given all contours at
// once: every polygon's outline is drawn (8-connected lines through the
// vertices), then rows are filled between alternate edge crossings (even-odd
// rule over all polygons together). So a hole whose border is drawn stays a
// hole (inside two polygons), a hole whose border was dropped is filled, and
// a region inside a hole is filled again (inside three).
//
// Checked against cv2 4.6 (python3-opencv) on reference masks made by
// tests/reference/make_post_reference.py: random blobs, holes, regions inside
// holes, diagonal touches, single pixels, lines and image-edge regions; the
// contour points, areas and filled masks are equal (pixel-exact).
//
// Not reproduced: the order in which cv2 lists the contours (a traversal of
// its hierarchy). It matters only for extract_largest when two contours have
// equal areas (see there).
#include <cstdint>
#include <vector>

#include "pneumo/data/image.h"

namespace pn::post {

struct Point {
  int x = 0;
  int y = 0;
  friend bool operator==(const Point&, const Point&) = default;
};

// A closed polygon: its vertices in order (the last joins the first).
using Contour = std::vector<Point>;

// Every border of the nonzero pixels of `mask` (outer borders and hole
// borders), each as cv2.findContours with CHAIN_APPROX_SIMPLE gives its points
// (same points, same starting point, same direction), in the order of their
// starting pixels in a raster scan. A lone pixel is a one-point contour.
// Requires a valid image; an empty image has no contours.
std::vector<Contour> find_contours(const data::GrayImage& mask);

// cv2.contourArea(contour): the absolute shoelace area of the polygon; 0 for
// fewer than 3 points.
double contour_area(const Contour& contour);

// cv2.drawContours(image, contours, -1, value, cv2.FILLED): draws every
// contour's outline and fills the polygons together with the even-odd rule
// (see above). Pixels outside the image are clipped.
void fill_contours(data::GrayImage& image, const std::vector<Contour>& contours, std::uint8_t value);

// The reference's remove_smallest: the contours of `mask` whose area is above
// min_contour_area, filled with 255 on a zero image of the mask's size.
data::GrayImage remove_smallest(const data::GrayImage& mask, double min_contour_area);

// The reference's extract_largest: the n_objects contours of `mask` with the
// largest areas, filled with 255 on a zero image. Among equal areas the
// contour found later in the raster scan goes first. The reference breaks
// such ties by cv2's listing order and NumPy's argsort, so where a tie decides
// which contours are kept the choice may differ from the reference's.
data::GrayImage extract_largest(const data::GrayImage& mask, int n_objects);

}  // namespace pn::post
