#pragma once
// The pipeline: albumentations 0.3.1's transform interface and its two
// compositions, Compose and OneOf, with their probability rules.
//
// A pipeline is a tree of immutable nodes shared by every loader thread; all
// randomness comes from the Rng passed in (rng.h), so the same stream gives
// the same result in any thread.  The rules, as in albumentations 0.3.1:
//   - a transform (BasicTransform) takes one draw u and runs when u < p, or
//     always_apply, or it is forced; then draws its parameters;
//   - Compose runs when forced or a draw is < p; its children then run in
//     order, forced when it was forced; when it does not run, only the
//     always_apply transforms below it (inside OneOf too) run;
//   - OneOf runs when forced or a draw is < p; it then picks one child with
//     probability proportional to the children's p (one more draw) and runs it
//     forced (so the child's own p only weighs the choice).
// The draws are our own (rng.h), not Python's: the same distributions, not the
// same numbers.
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "pneumo/augment/image.h"
#include "pneumo/augment/rng.h"

namespace pn::augment {

class Transform {
 public:
  virtual ~Transform() = default;
  Transform() = default;
  Transform(const Transform&) = delete;
  Transform& operator=(const Transform&) = delete;

  // Applies this node to `sample` (see the rules above).  Throws pn::Error
  // naming the transform when the sample does not fit it (a mask of another
  // size, an image transform after Normalize, ...).
  virtual void operator()(Sample& sample, Rng& rng, bool force = false) const = 0;

  // albumentations' class name ("ShiftScaleRotate", "OneOf", ...).
  virtual std::string name() const = 0;
  virtual double probability() const = 0;
  virtual bool always_apply() const { return false; }
  // The always_apply transforms of this subtree, in order (albumentations'
  // find_always_apply_transforms).
  virtual void collect_always_apply(std::vector<const Transform*>& out) const;
  // Writes the node and its parameters, children indented below (like
  // albumentations' repr), ending with a newline.
  virtual void describe(std::ostream& os, int indent = 0) const = 0;
};

using TransformPtr = std::shared_ptr<const Transform>;

// The node as text (describe()).
std::string describe(const Transform& t);

// A transform with albumentations' BasicTransform rule; subclasses draw their
// parameters and transform the sample in apply().
class BasicTransform : public Transform {
 public:
  // Requires 0 <= p <= 1.
  BasicTransform(double p, bool always_apply);
  void operator()(Sample& sample, Rng& rng, bool force = false) const final;
  double probability() const override { return p_; }
  bool always_apply() const override { return always_apply_; }
  void collect_always_apply(std::vector<const Transform*>& out) const override;
  void describe(std::ostream& os, int indent = 0) const override;

 protected:
  // Draws the parameters (in albumentations' get_params order) and applies them.
  virtual void apply(Sample& sample, Rng& rng) const = 0;
  // The parameters as "name=value, ..." for describe().
  virtual std::string parameters() const = 0;
  // Throws pn::Error naming this transform when the image may no longer
  // change (after Normalize) or the mask does not match the image.
  void check_sample(const Sample& sample) const;

 private:
  double p_;
  bool always_apply_;
};

class Compose final : public Transform {
 public:
  // Requires 0 <= p <= 1 and no null children.
  explicit Compose(std::vector<TransformPtr> transforms, double p = 1.0);
  void operator()(Sample& sample, Rng& rng, bool force = false) const override;
  std::string name() const override { return "Compose"; }
  double probability() const override { return p_; }
  void collect_always_apply(std::vector<const Transform*>& out) const override;
  void describe(std::ostream& os, int indent = 0) const override;
  const std::vector<TransformPtr>& transforms() const { return transforms_; }

 private:
  std::vector<TransformPtr> transforms_;
  double p_;
};

class OneOf final : public Transform {
 public:
  // Requires 0 <= p <= 1, at least one child, no null children and children
  // whose probabilities sum to more than 0.
  explicit OneOf(std::vector<TransformPtr> transforms, double p = 0.5);
  void operator()(Sample& sample, Rng& rng, bool force = false) const override;
  std::string name() const override { return "OneOf"; }
  double probability() const override { return p_; }
  void collect_always_apply(std::vector<const Transform*>& out) const override;
  void describe(std::ostream& os, int indent = 0) const override;
  const std::vector<TransformPtr>& transforms() const { return transforms_; }

 private:
  std::vector<TransformPtr> transforms_;
  std::vector<double> cumulative_;  // normalised running sums of the children's p
  double p_;
};

}  // namespace pn::augment
