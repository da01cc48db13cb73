// The explorer as a program: its command line (README's explorer section), the main window and,
// with --screenshot, the headless script that loads, runs what the flags ask for, renders and
// exits. app/gui/main.cpp only makes the QApplication and calls this.
#pragma once

class QApplication;

namespace algoscope::gui {

// Runs the explorer on `app`'s arguments; returns the process exit code (2: bad usage or a failed
// headless step).
int runExplorer(QApplication& app);

}  // namespace algoscope::gui
