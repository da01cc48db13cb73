// algoscope: the Qt explorer. A thin main: the application's identity, then the explorer's command
// line, window and headless script (widgets/explorer_main.h).
#include <QApplication>

#include "algoscope/algoscope.h"
#include "explorer_main.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("algoscope"));
  QApplication::setApplicationName(QStringLiteral("algoscope"));
  QApplication::setApplicationVersion(QString::fromUtf8(algoscope::version()));
  return algoscope::gui::runExplorer(app);
}
