#include "pneumo/augment/transform.h"

#include <cmath>
#include <ostream>
#include <sstream>

#include "tensor/error.h"

namespace pn::augment {

namespace {

void check_probability(double p, const char* what) {
  PN_CHECK(std::isfinite(p) && p >= 0 && p <= 1, what, ": probability p must be in [0, 1], got ", p);
}

void check_children(const std::vector<TransformPtr>& children, const char* what) {
  for (std::size_t i = 0; i < children.size(); ++i) {
    PN_CHECK(children[i] != nullptr, what, ": transform ", i, " is null");
  }
}

}  // namespace

void Transform::collect_always_apply(std::vector<const Transform*>& out) const {
  if (always_apply()) out.push_back(this);
}

std::string describe(const Transform& t) {
  std::ostringstream os;
  t.describe(os);
  return os.str();
}

// ---- BasicTransform ----------------------------------------------------------

BasicTransform::BasicTransform(double p, bool always_apply) : p_(p), always_apply_(always_apply) {
  check_probability(p, "transform");
}

void BasicTransform::operator()(Sample& sample, Rng& rng, bool force) const {
  // albumentations draws first, whatever always_apply and force say.
  const bool hit = rng.uniform() < p_;
  if (hit || always_apply_ || force) apply(sample, rng);
}

void BasicTransform::collect_always_apply(std::vector<const Transform*>& out) const {
  if (always_apply_) out.push_back(this);
}

void BasicTransform::describe(std::ostream& os, int indent) const {
  os << std::string(static_cast<std::size_t>(indent), ' ') << name() << "(always_apply="
     << (always_apply_ ? "true" : "false") << ", p=" << p_;
  const std::string params = parameters();
  if (!params.empty()) os << ", " << params;
  os << ")\n";
}

void BasicTransform::check_sample(const Sample& sample) const {
  PN_CHECK(!sample.normalized, name(), ": the image was already normalised (Normalize must be the last transform)");
  PN_CHECK(sample.image.valid() && !sample.image.empty(), name(), ": needs a valid, non-empty image");
  PN_CHECK(sample.mask.empty() || (sample.mask.valid() && sample.mask.channels == 1 &&
                                   sample.mask.width == sample.image.width &&
                                   sample.mask.height == sample.image.height),
           name(), ": the mask (", sample.mask.width, "x", sample.mask.height, "x", sample.mask.channels,
           ") must be one channel of the image's size (", sample.image.width, "x", sample.image.height, ")");
}

// ---- Compose -----------------------------------------------------------------

Compose::Compose(std::vector<TransformPtr> transforms, double p) : transforms_(std::move(transforms)), p_(p) {
  check_probability(p, "Compose");
  check_children(transforms_, "Compose");
}

void Compose::operator()(Sample& sample, Rng& rng, bool force) const {
  const bool run = force || rng.uniform() < p_;
  if (run) {
    for (const TransformPtr& t : transforms_) (*t)(sample, rng, force);
    return;
  }
  std::vector<const Transform*> always;
  for (const TransformPtr& t : transforms_) t->collect_always_apply(always);
  for (const Transform* t : always) (*t)(sample, rng, false);
}

void Compose::collect_always_apply(std::vector<const Transform*>& out) const {
  for (const TransformPtr& t : transforms_) t->collect_always_apply(out);
}

void Compose::describe(std::ostream& os, int indent) const {
  os << std::string(static_cast<std::size_t>(indent), ' ') << "Compose(p=" << p_ << ")\n";
  for (const TransformPtr& t : transforms_) t->describe(os, indent + 2);
}

// ---- OneOf -------------------------------------------------------------------

OneOf::OneOf(std::vector<TransformPtr> transforms, double p) : transforms_(std::move(transforms)), p_(p) {
  check_probability(p, "OneOf");
  check_children(transforms_, "OneOf");
  PN_CHECK(!transforms_.empty(), "OneOf: needs at least one transform");
  double sum = 0;
  for (const TransformPtr& t : transforms_) sum += t->probability();
  PN_CHECK(sum > 0, "OneOf: the probabilities of its transforms sum to 0, so none can be chosen");
  double running = 0;
  for (const TransformPtr& t : transforms_) {
    running += t->probability() / sum;
    cumulative_.push_back(running);
  }
}

void OneOf::operator()(Sample& sample, Rng& rng, bool force) const {
  if (!(force || rng.uniform() < p_)) return;
  const double u = rng.uniform();
  std::size_t k = 0;
  // The last child takes any rounding shortfall of the running sums.
  while (k + 1 < transforms_.size() && !(u < cumulative_[k])) ++k;
  (*transforms_[k])(sample, rng, true);
}

void OneOf::collect_always_apply(std::vector<const Transform*>& out) const {
  for (const TransformPtr& t : transforms_) t->collect_always_apply(out);
}

void OneOf::describe(std::ostream& os, int indent) const {
  os << std::string(static_cast<std::size_t>(indent), ' ') << "OneOf(p=" << p_ << ")\n";
  for (const TransformPtr& t : transforms_) t->describe(os, indent + 2);
}

}  // namespace pn::augment
