#pragma once
// An experiment's training curves: three charts side by side, each with one
// line per fold: the training loss, the validation metric (the summary's
// best_metric, or the history's when a fold has no summary) and the learning
// rate on a log scale, all against the epoch.
#include "pneumo/report/canvas.h"
#include "pneumo/report/experiments.h"
#include "pneumo/report/plot.h"

namespace pn::report {

struct CurvesLayout {
  int panel_width = 640;
  int panel_height = 440;
  int header_height = 36;  // the experiment's name above the panels
};

// The three charts, before drawing (series labelled "fold I", coloured
// palette(position of the fold in experiment.folds)).
std::vector<Chart> training_charts(const Experiment& experiment);

// The figure: 3 * panel_width wide, header_height + panel_height high.
// `frames`, when given, receives where each chart put its data.
Canvas draw_training_curves(const Experiment& experiment, const CurvesLayout& layout = {},
                            std::vector<PlotFrame>* frames = nullptr);

}  // namespace pn::report
