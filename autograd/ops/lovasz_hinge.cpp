// lovasz_hinge: the Lovasz extension of the Jaccard loss on hinge errors.
#include <algorithm>
#include <numeric>

#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"

namespace pn {

namespace {

// For one image (n pixels): the loss, and d loss / d logit for each pixel.
// Sorting makes this a host computation: errors are sorted in decreasing
// order, and the k-th sorted error is weighted by the k-th increment of the
// Jaccard loss of the labels in that order (the Lovasz gradient).
double lovasz_flat(const double* x, const double* label, int64_t n, double* grad) {
  std::vector<double> errors(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) errors[static_cast<size_t>(i)] = 1.0 - x[i] * (2.0 * label[i] - 1.0);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return errors[static_cast<size_t>(a)] > errors[static_cast<size_t>(b)]; });
  double positives = 0;
  for (int64_t i = 0; i < n; ++i) positives += label[i];
  double loss = 0, previous_jaccard = 0, seen_pos = 0, seen_neg = 0;
  for (int64_t k = 0; k < n; ++k) {
    int64_t i = order[static_cast<size_t>(k)];
    (label[i] > 0.5 ? seen_pos : seen_neg) += 1;
    double jaccard = 1.0 - (positives - seen_pos) / (positives + seen_neg);
    double weight = jaccard - previous_jaccard;
    previous_jaccard = jaccard;
    double e = errors[static_cast<size_t>(i)];
    loss += std::max(e, 0.0) * weight;
    grad[i] = e > 0 ? -(2.0 * label[i] - 1.0) * weight : 0.0;
  }
  return loss;
}

}  // namespace

Tensor lovasz_hinge(const Tensor& x, const Tensor& labels, bool per_image) {
  check_defined("lovasz_hinge", x, "logits");
  check_defined("lovasz_hinge", labels, "labels");
  check_floating_same("lovasz_hinge", {&x, &labels});
  PN_CHECK(x.shape() == labels.shape(), "lovasz_hinge: logits ", x.shape(), " and labels ", labels.shape(),
           " differ in shape");
  PN_CHECK(x.dim() >= 1 && x.numel() > 0, "lovasz_hinge: needs a non-empty [B, ...] tensor, got ", x.shape());
  int64_t images = per_image ? x.size(0) : 1;
  int64_t n = x.numel() / images;
  std::vector<double> xs = x.to_vector<double>(), ls = labels.to_vector<double>();
  std::vector<double> grad(xs.size());
  double total = 0;
  for (int64_t b = 0; b < images; ++b) total += lovasz_flat(xs.data() + b * n, ls.data() + b * n, n, grad.data() + b * n);
  for (double& g : grad) g /= static_cast<double>(images);
  Tensor out = full({}, total / static_cast<double>(images), x.dtype(), x.device());
  Tensor dx = from_vector(grad, x.shape()).to(x.dtype()).to(x.device());
  record(Op::lovasz_hinge, out, {&x}, [dx](const Tensor& g, const Node&) {
    return std::vector<Tensor>{mul(dx, g)};
  });
  return out;
}

}  // namespace pn
