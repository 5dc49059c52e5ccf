#include "tensor/broadcast.h"

#include <algorithm>

namespace pn {

Shape broadcast_shape(const Shape& a, const Shape& b, const char* op) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    PN_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", a, " and ", b, " do not broadcast");
    out[rank - 1 - i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace pn
