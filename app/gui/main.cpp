// algoscope: the Qt explorer. Parses the command line and opens the main window; with
// --screenshot it renders the window once the model (and plan, and optionally a run) is in and
// exits, which works without a display under QT_QPA_PLATFORM=offscreen.
//
//   algoscope [MODEL] [--plan P] [--screenshot FILE.png] [--run] [--color op|algorithm|latency]
//             [--fit] [--view graph|layers|plans] [--time-plans] [--threads N] [--size WxH]
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>

#include "algoscope/algoscope.h"
#include "graph_view.h"
#include "job_runner.h"
#include "main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("algoscope"));
  QApplication::setApplicationName(QStringLiteral("algoscope"));
  QApplication::setApplicationVersion(QString::fromUtf8(algoscope::version()));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Explore how each layer of an ONNX network is computed: see the layer "
                     "graph, choose algorithms per layer, run and time them."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("MODEL"), QStringLiteral("ONNX model to open"),
                               QStringLiteral("[MODEL]"));
  QCommandLineOption plan(QStringLiteral("plan"), QStringLiteral("Plan (JSON) to apply"),
                          QStringLiteral("P"));
  QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QStringLiteral("Render the main window to FILE.png after loading, then exit"),
      QStringLiteral("FILE.png"));
  QCommandLineOption run(QStringLiteral("run"),
                         QStringLiteral("Run end to end after loading (with --screenshot: before "
                                        "rendering, so latencies show)"));
  QCommandLineOption color(QStringLiteral("color"),
                           QStringLiteral("Colour graph nodes by op, algorithm or latency"),
                           QStringLiteral("MODE"));
  QCommandLineOption fit(QStringLiteral("fit"),
                         QStringLiteral("Show the whole graph (zoomed out) instead of its top"));
  QCommandLineOption view(QStringLiteral("view"),
                          QStringLiteral("Tab to show: graph, layers (latency chart) or plans"),
                          QStringLiteral("TAB"));
  QCommandLineOption timePlans(QStringLiteral("time-plans"),
                               QStringLiteral("Time the current plan, the engine's default and "
                                              "reference after loading (fills the charts)"));
  QCommandLineOption threads(QStringLiteral("threads"),
                             QStringLiteral("Threads for runs (0: all; default: the saved run "
                                            "settings)"),
                             QStringLiteral("N"));
  QCommandLineOption size(QStringLiteral("size"),
                          QStringLiteral("Window size for --screenshot (default 1440x900)"),
                          QStringLiteral("WxH"), QStringLiteral("1440x900"));
  parser.addOptions({plan, screenshot, run, color, fit, view, timePlans, threads, size});
  parser.process(app);
  if (parser.positionalArguments().size() > 1) {
    std::fprintf(stderr, "algoscope: at most one MODEL (see --help)\n");
    return 2;
  }
  const QString model = parser.positionalArguments().value(0);
  const bool headless = parser.isSet(screenshot);
  if (parser.isSet(plan) && model.isEmpty()) {
    std::fprintf(stderr, "algoscope: --plan needs a MODEL\n");
    return 2;
  }

  // A screenshot neither reads nor changes the person's settings (window size, recent files).
  QTemporaryDir scratchSettings;
  if (headless) {
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, scratchSettings.path());
  }

  algoscope::gui::MainWindow window;
  if (headless) {
    window.prompts().confirm = [](const QString&, const QString&) { return true; };
    window.prompts().unsavedChanges = [](const QString&) { return QMessageBox::Discard; };
    const QStringList wh = parser.value(size).split(QLatin1Char('x'));
    const int w = wh.value(0).toInt(), h = wh.value(1).toInt();
    if (wh.size() != 2 || w < 320 || h < 240) {
      std::fprintf(stderr, "algoscope: --size must be WxH, at least 320x240\n");
      return 2;
    }
    window.resize(w, h);
  }
  if (parser.isSet(color)) {
    const QStringList modes{QStringLiteral("op"), QStringLiteral("algorithm"),
                            QStringLiteral("latency")};
    const int mode = int(modes.indexOf(parser.value(color)));
    if (mode < 0) {
      std::fprintf(stderr, "algoscope: --color must be op, algorithm or latency\n");
      return 2;
    }
    window.setColorMode(mode);
  }
  if (parser.isSet(view)) {
    const QStringList views{QStringLiteral("graph"), QStringLiteral("layers"),
                            QStringLiteral("plans")};
    const int index = int(views.indexOf(parser.value(view)));
    if (index < 0) {
      std::fprintf(stderr, "algoscope: --view must be graph, layers or plans\n");
      return 2;
    }
    window.showView(index);
  }
  if (parser.isSet(threads)) {
    bool ok = false;
    const int n = parser.value(threads).toInt(&ok);
    if (!ok || n < 0) {
      std::fprintf(stderr, "algoscope: --threads must be a count (0: all)\n");
      return 2;
    }
    algoscope::gui::RunSettings settings = window.runSettings();
    settings.threads = n;
    window.setRunSettings(settings);
  }
  if (parser.isSet(run) && parser.isSet(timePlans)) {
    std::fprintf(stderr,
                 "algoscope: --run and --time-plans are alternatives (time plans runs the "
                 "current plan too)\n");
    return 2;
  }
  window.show();

  int exitCode = 0;
  auto capture = [&] {
    // Let layouts and the graph settle before rendering.
    QTimer::singleShot(50, &window, [&] {
      const QString path = parser.value(screenshot);
      if (!window.saveScreenshot(path)) {
        std::fprintf(stderr, "algoscope: could not write %s\n", qPrintable(path));
        exitCode = 2;
      } else {
        std::printf("wrote %s (%dx%d); graph of %d nodes laid out in %.1f ms\n", qPrintable(path),
                    window.width(), window.height(), window.graphView()->nodeItemCount(),
                    window.graphView()->lastLayoutMs());
      }
      app.exit(exitCode);
    });
  };
  QObject::connect(&window, &algoscope::gui::MainWindow::loadFailed, &app,
                   [&](const QString& message) {
                     std::fprintf(stderr, "algoscope: %s\n", qPrintable(message));
                     if (headless) {
                       exitCode = 2;
                       capture();
                     }
                   });
  QObject::connect(&window, &algoscope::gui::MainWindow::modelLoaded, &app, [&] {
    if (parser.isSet(fit)) window.graphView()->zoomToFit();
    if (parser.isSet(run) || parser.isSet(timePlans)) {
      if (parser.isSet(run))
        window.runEndToEnd();
      else
        window.timePlans();
      if (headless)
        QObject::connect(window.runner(), &algoscope::gui::JobRunner::finished, &app,
                         [&] { capture(); });
    } else if (headless) {
      capture();
    }
  });
  if (!model.isEmpty())
    window.openModel(model, parser.value(plan));
  else if (headless)
    capture();
  return app.exec();
}
