// algoscope: the Qt explorer. A thin main: the application's identity, then the explorer's command
// line, window and headless script (widgets/explorer_main.h).
#include <QApplication>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "algoscope/algoscope.h"
#include "explorer_main.h"

namespace {

bool set(const char* variable) {
  const char* value = std::getenv(variable);
  return value && *value;
}

}  // namespace

int main(int argc, char** argv) {
  // Without a display Qt aborts with its platform-plugin error (exit 134). A screenshot needs no
  // display, so it renders offscreen; anything else says how to run and exits like a usage error.
  if (!set("QT_QPA_PLATFORM") && !set("DISPLAY") && !set("WAYLAND_DISPLAY")) {
    bool screenshot = false;
    for (int i = 1; i < argc; ++i)
      screenshot = screenshot || std::strcmp(argv[i], "--screenshot") == 0 ||
                   std::strncmp(argv[i], "--screenshot=", 13) == 0;
    if (!screenshot) {
      std::fprintf(stderr,
                   "algoscope: no display (DISPLAY and WAYLAND_DISPLAY are not set). Run it in a "
                   "desktop session, or render the window to a picture without one: algoscope "
                   "MODEL --screenshot out.png (see --help)\n");
      return 2;
    }
    setenv("QT_QPA_PLATFORM", "offscreen", 1);
  }
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("algoscope"));
  QApplication::setApplicationName(QStringLiteral("algoscope"));
  QApplication::setApplicationVersion(QString::fromUtf8(algoscope::version()));
  return algoscope::gui::runExplorer(app);
}
