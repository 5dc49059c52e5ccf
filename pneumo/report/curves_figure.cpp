#include "pneumo/report/curves_figure.h"

#include <cmath>

#include "pneumo/report/font.h"

namespace pn::report {

std::vector<Chart> training_charts(const Experiment& experiment) {
  Chart loss, metric, lr;
  loss.title = "train loss";
  loss.y_label = "loss";
  metric.title = "validation metric";
  metric.y_label = "best metric";
  metric.empty_note = "no validation";
  lr.title = "learning rate";
  lr.y_label = "lr (log scale)";
  lr.y_scale = Scale::Log;
  for (Chart* c : {&loss, &metric, &lr}) c->x_label = "epoch";

  for (std::size_t i = 0; i < experiment.folds.size(); ++i) {
    const FoldRun& f = experiment.folds[i];
    const std::string label = "fold " + std::to_string(f.fold);
    const Rgb colour = palette(static_cast<int>(i));
    Series s_loss{label, colour, {}, {}}, s_metric = s_loss, s_lr = s_loss;
    for (const HistoryEpoch& h : f.history) {
      s_loss.x.push_back(h.epoch);
      s_loss.y.push_back(h.train_loss);
      s_lr.x.push_back(h.epoch);
      s_lr.y.push_back(h.lr);
    }
    if (f.summary_file) {
      for (const ValidationEpoch& v : f.validation) {
        s_metric.x.push_back(v.epoch);
        s_metric.y.push_back(v.best_metric);
      }
    } else {
      for (const HistoryEpoch& h : f.history) {
        if (std::isnan(h.best_metric)) continue;
        s_metric.x.push_back(h.epoch);
        s_metric.y.push_back(h.best_metric);
      }
    }
    loss.series.push_back(std::move(s_loss));
    metric.series.push_back(std::move(s_metric));
    lr.series.push_back(std::move(s_lr));
  }
  return {loss, metric, lr};
}

Canvas draw_training_curves(const Experiment& experiment, const CurvesLayout& layout,
                            std::vector<PlotFrame>* frames) {
  const std::vector<Chart> charts = training_charts(experiment);
  Canvas canvas(static_cast<int>(charts.size()) * layout.panel_width, layout.header_height + layout.panel_height,
                {255, 255, 255});
  const TextStyle title{hex(0x111111), 2, true};
  draw_text(canvas, 8, (layout.header_height - text_height(title)) / 2,
            experiment.name + ": training curves", title);
  canvas.fill({0, layout.header_height - 1, canvas.width(), 1}, hex(0xCCCCCC));
  for (std::size_t i = 0; i < charts.size(); ++i) {
    const Rect where{static_cast<int>(i) * layout.panel_width, layout.header_height, layout.panel_width,
                     layout.panel_height};
    const PlotFrame f = draw_chart(canvas, where, charts[i]);
    if (frames != nullptr) frames->push_back(f);
  }
  return canvas;
}

}  // namespace pn::report
