#pragma once
// The results table drawn as a picture, in the manner of the reference's
// results sheet: a header row, one row per experiment, grid lines, values at
// the bottom right of their cells, the mean column coloured.
#include "pneumo/report/canvas.h"
#include "pneumo/report/results_table.h"

namespace pn::report {

// Requires every row to have table.header.size() cells.
Canvas draw_table(const ResultsTable& table);

}  // namespace pn::report
