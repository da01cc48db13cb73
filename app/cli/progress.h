// Long commands on a terminal: a progress bar on stderr (only when stderr is a terminal, so
// scripts and logs get clean output), and Ctrl-C turned into a cancel request so a tune or bench
// stops within one kernel call and still reports what it finished.
#pragma once

#include <memory>

#include "algoscope/measure.h"

namespace algoscope::cli {

class ProgressBar {
 public:
  ProgressBar();  // enabled when stderr is a terminal
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  void update(const Progress& progress);
  void clear();

 private:
  bool enabled_ = false;
  bool drawn_ = false;
  double last_draw_ms_ = -1e9;
};

// While alive, SIGINT cancels token() instead of killing the process; a second SIGINT kills it as
// usual. The previous handler comes back on destruction.
class CancelOnInterrupt {
 public:
  CancelOnInterrupt();
  ~CancelOnInterrupt();
  CancelOnInterrupt(const CancelOnInterrupt&) = delete;
  CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;
  const std::shared_ptr<CancelToken>& token() const { return token_; }
  bool interrupted() const { return token_->cancelled(); }

 private:
  std::shared_ptr<CancelToken> token_ = std::make_shared<CancelToken>();
};

// The RunControl of a CLI command: the bar and the interrupt token.
RunControl run_control(ProgressBar& bar, const CancelOnInterrupt& interrupt);

// Exit code of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
constexpr int kInterruptedExitCode = 130;

}  // namespace algoscope::cli
