#pragma once
// Whether ops record their backward. On by default; off inside a NoGradGuard
// (inference, optimizer updates) and while backward runs.

namespace pn {

bool grad_enabled();
void set_grad_enabled(bool enabled);

// Disables recording for its lifetime and restores the previous mode after.
class NoGradGuard {
 public:
  NoGradGuard() : previous_(grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace pn
