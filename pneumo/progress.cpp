#include "pneumo/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace pn {

Progress::Progress(std::string label, std::size_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { finish(); }

std::string Progress::clock(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}

void Progress::update(std::size_t done, const std::string& postfix) {
  done_ = done;
  postfix_ = postfix;
  if (!enabled_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(100) && done_ < total_) return;
  } else {
    int quarter = total_ ? static_cast<int>(4 * done_ / total_) : 4;
    if (quarter == quarters_shown_ || done_ >= total_) return;  // the end is drawn by finish()
    quarters_shown_ = quarter;
  }
  last_draw_ = now;
  draw(false);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_) draw(true);
}

void Progress::draw(bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double per_step = done_ ? elapsed / static_cast<double>(done_) : NAN;
  const double eta = per_step * static_cast<double>(total_ > done_ ? total_ - done_ : 0);
  constexpr int width = 20;
  const int filled = total_ ? static_cast<int>(width * done_ / total_) : width;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(width, '-');
  char rate[32] = "";
  if (done_) std::snprintf(rate, sizeof rate, "%.2f s/it", per_step);
  std::string line = label_ + "  [" + bar + "]  " + std::to_string(done_) + "/" + std::to_string(total_) + "  " +
                     rate + (final ? "  in " + clock(elapsed) : "  ETA " + clock(eta)) +
                     (postfix_.empty() ? "" : "  " + postfix_);
  if (tty_)
    std::cerr << "\r\033[K" << line << (final ? "\n" : "") << std::flush;
  else
    std::cerr << line << "\n" << std::flush;
}

}  // namespace pn
