// See progress.h.
#include "cli/progress.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

namespace algoscope::cli {
namespace {

constexpr int kWidth = 79;  // the line, without the cursor's column
constexpr int kBarWidth = 24;

double now_ms() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The token SIGINT cancels. cancel() is one lock-free atomic store: safe in a signal handler.
CancelToken* interrupt_token = nullptr;
struct sigaction previous_action;

void on_interrupt(int) {
  if (interrupt_token) interrupt_token->cancel();
  // A second Ctrl-C ends the process the usual way.
  std::signal(SIGINT, SIG_DFL);
}

}  // namespace

ProgressBar::ProgressBar() : enabled_(::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { clear(); }

void ProgressBar::update(const Progress& p) {
  if (!enabled_) return;
  // Redraw at most 20 times a second, but always show the end.
  const double t = now_ms();
  if (p.done != p.total && t - last_draw_ms_ < 50) return;
  last_draw_ms_ = t;
  const int filled =
      p.total ? static_cast<int>(double(kBarWidth) * double(p.done) / double(p.total)) : 0;
  std::string line(1, '[');
  line.append(size_t(filled), '#').append(size_t(kBarWidth - filled), '.').append("] ");
  line += std::to_string(p.done) + "/" + std::to_string(p.total);
  if (!p.layer.empty()) {
    line += ' ';
    line += p.layer;
  }
  if (!p.algorithm.empty()) {
    line += ' ';
    line += p.algorithm;
  }
  if (line.size() > size_t(kWidth)) line = line.substr(0, kWidth - 3) + "...";
  std::fprintf(stderr, "\r%-*s", kWidth, line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r%*s\r", kWidth, "");
  std::fflush(stderr);
  drawn_ = false;
}

CancelOnInterrupt::CancelOnInterrupt() {
  interrupt_token = token_.get();
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_action);
}

CancelOnInterrupt::~CancelOnInterrupt() {
  sigaction(SIGINT, &previous_action, nullptr);
  interrupt_token = nullptr;
}

RunControl run_control(ProgressBar& bar, const CancelOnInterrupt& interrupt) {
  return {[&bar](const Progress& p) { bar.update(p); }, interrupt.token()};
}

}  // namespace algoscope::cli
