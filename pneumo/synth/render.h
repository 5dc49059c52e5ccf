#pragma once
// Rendering a ChestAnatomy (pneumo/synth/anatomy.h) as an 8-bit radiograph
// and its pneumothorax masks.
//
// The picture is a sum of attenuations (soft tissue, air in the lungs, heart,
// mediastinum, spine, ribs, clavicles, vessels), turned into brightness as an
// exposure does (1 - exp(-gain * attenuation), then the window and gamma of
// the anatomy's exposure), so dense parts are bright (MONOCHROME2).  Inside a
// pneumothorax region the lung's vessels and texture are absent, the
// attenuation is lower (darker), and a thin bright pleural line bounds it on
// the lung's side.
//
// The smooth anatomy is computed at min(size, 512) pixels a side and
// resized bilinearly; the pixel noise and the masks are computed at the full
// size.  The result is a pure function of (anatomy, size).
#include <vector>

#include "pneumo/data/image.h"
#include "pneumo/synth/anatomy.h"

namespace pn::synth {

struct ChestImage {
  data::GrayImage image;                 // size x size
  std::vector<data::GrayImage> regions;  // a 0/255 mask per anatomy.regions[i]
};

// Requires size >= 32.  Every region's mask is non-empty: a region too thin to
// cover a pixel centre at this size gets the pixel at its middle.
ChestImage render_chest(const ChestAnatomy& anatomy, int size);

// The region's pixels (pixel centres inside it) as a 0/255 mask, size x size.
data::GrayImage region_mask(const ChestAnatomy& anatomy, const PneumothoraxRegion& region, int size);

// The lung fields (rho <= 1 of lung `lung`, or of either lung for -1) as a
// 0/255 mask, size x size.
data::GrayImage lung_field_mask(const ChestAnatomy& anatomy, int size, int lung = -1);

}  // namespace pn::synth
