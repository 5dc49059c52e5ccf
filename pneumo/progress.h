#pragma once
// A progress bar in the manner of tqdm, on stderr:
//   fold 0 epoch 3  [##########----------]  45/100  0.31 s/it  ETA 00:17  loss 0.1234 lr 1e-04
// On a terminal the line is redrawn in place (at most 10 times a second);
// otherwise (a log file, CI) a line is printed at every quarter, so logs
// stay short.
#include <chrono>
#include <cstddef>
#include <string>

namespace pn {

class Progress {
 public:
  Progress(std::string label, std::size_t total, bool enabled = true);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `done` steps of `total` are complete; `postfix` is shown after the ETA.
  void update(std::size_t done, const std::string& postfix = "");
  // Draws the final state and ends the line (also done by the destructor).
  void finish();

  // "MM:SS" (or "H:MM:SS") of a duration in seconds.
  static std::string clock(double seconds);

 private:
  void draw(bool final);
  std::string label_;
  std::size_t total_, done_ = 0;
  std::string postfix_;
  bool enabled_, tty_, finished_ = false;
  int quarters_shown_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace pn
