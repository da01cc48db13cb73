// The explorer's command line and its headless script, as a function of the widgets library so that
// app/gui/main.cpp stays a thin main. Parses the command line and opens the main window; with
// --screenshot it renders the window once the model (and plan, and the runs asked for) is in and
// exits, which works without a display under QT_QPA_PLATFORM=offscreen. The runs go through the
// window's own actions, one after the other, in the order a person would click them: check, time
// algorithms, run or time plans, tune (whose plan is then used), and check the tuned plan.
//
//   algoscope [MODEL] [--plan P] [--plugin LIB.so]... [--select OP=ALGO]... [--screenshot FILE.png]
//             [--check] [--time-algorithms all|TEXT] [--run | --time-plans] [--tune]
//             [--threads N] [--repeats N] [--layer TEXT] [--color op|algorithm|latency|error]
//             [--fit] [--collapse]
//             [--view graph|layers|plans|error|propagation|memory|roofline[,...]] [--size WxH]
#include "explorer_main.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>
#include <deque>
#include <functional>

#include "algoscope/algoscope.h"
#include "charts.h"
#include "graph_view.h"
#include "job_runner.h"
#include "main_window.h"
#include "model_document.h"

namespace algoscope::gui {

int runExplorer(QApplication& app) {
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
                           QStringLiteral("Colour graph nodes by op, algorithm, latency or "
                                          "accumulated error (error: after --check)"),
                           QStringLiteral("MODE"));
  QCommandLineOption fit(QStringLiteral("fit"),
                         QStringLiteral("Show the whole graph (zoomed out) instead of its top"));
  QCommandLineOption collapse(QStringLiteral("collapse"),
                              QStringLiteral("Collapse the graph's blocks (layers that share a "
                                             "name prefix) after loading"));
  QCommandLineOption view(QStringLiteral("view"),
                          QStringLiteral("Tab to show: graph, layers (latency chart), plans, "
                                         "error (speed vs error), propagation (accumulated "
                                         "error), memory or roofline; several, comma-separated, "
                                         "write one screenshot each (FILE-TAB.png)"),
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
  QCommandLineOption plugin(QStringLiteral("plugin"),
                            QStringLiteral("Load a plugin's algorithms first (repeatable)"),
                            QStringLiteral("LIB.so"));
  QCommandLineOption select(QStringLiteral("select"),
                            QStringLiteral("Plan default for an op type after loading, e.g. "
                                           "Conv=winograd_f4 (repeatable)"),
                            QStringLiteral("OP=ALGO"));
  QCommandLineOption check(QStringLiteral("check"),
                           QStringLiteral("Check the plan's equivalence with reference (with "
                                          "--tune, the tuned plan too)"));
  QCommandLineOption timeAlgorithms(
      QStringLiteral("time-algorithms"),
      QStringLiteral("Time every algorithm of all layers, or of the layers whose name contains "
                     "TEXT"),
      QStringLiteral("all|TEXT"));
  QCommandLineOption tune(QStringLiteral("tune"),
                          QStringLiteral("Tune, then use the tuned plan (with --screenshot)"));
  QCommandLineOption repeats(QStringLiteral("repeats"),
                             QStringLiteral("Measured runs per timing (default: the saved run "
                                            "settings)"),
                             QStringLiteral("N"));
  QCommandLineOption layer(QStringLiteral("layer"),
                           QStringLiteral("Select the first layer whose name contains TEXT (the "
                                          "speed vs error chart then shows the layers like it)"),
                           QStringLiteral("TEXT"));
  parser.addOptions({plan, screenshot, run, color, fit, collapse, view, timePlans, threads, size,
                     plugin, select, check, timeAlgorithms, tune, repeats, layer});
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

  MainWindow window;
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
                            QStringLiteral("latency"), QStringLiteral("error")};
    const int mode = int(modes.indexOf(parser.value(color)));
    if (mode < 0) {
      std::fprintf(stderr, "algoscope: --color must be op, algorithm, latency or error\n");
      return 2;
    }
    window.setColorMode(mode);
  }
  // Several views (graph,plans,...) with --screenshot write one file per view, FILE-VIEW.png.
  QList<int> viewIndexes;
  if (parser.isSet(view)) {
    const QStringList views{QStringLiteral("graph"),       QStringLiteral("layers"),
                            QStringLiteral("plans"),       QStringLiteral("error"),
                            QStringLiteral("propagation"), QStringLiteral("memory"),
                            QStringLiteral("roofline")};
    for (const QString& name : parser.value(view).split(QLatin1Char(','))) {
      const int index = int(views.indexOf(name));
      if (index < 0) {
        std::fprintf(stderr,
                     "algoscope: --view must be graph, layers, plans, error, propagation, memory "
                     "or roofline (or several, comma-separated)\n");
        return 2;
      }
      viewIndexes << index;
    }
    window.showView(viewIndexes.first());
  }
  if (parser.isSet(threads)) {
    bool ok = false;
    const int n = parser.value(threads).toInt(&ok);
    if (!ok || n < 0) {
      std::fprintf(stderr, "algoscope: --threads must be a count (0: all)\n");
      return 2;
    }
    RunSettings settings = window.runSettings();
    settings.threads = n;
    window.setRunSettings(settings);
  }
  if (parser.isSet(repeats)) {
    bool ok = false;
    const int n = parser.value(repeats).toInt(&ok);
    if (!ok || n < 1) {
      std::fprintf(stderr, "algoscope: --repeats must be at least 1\n");
      return 2;
    }
    RunSettings settings = window.runSettings();
    settings.repeats = n;
    window.setRunSettings(settings);
  }
  for (const QString& path : parser.values(plugin))
    if (!window.loadPlugin(path)) {
      std::fprintf(stderr, "algoscope: %s\n", qPrintable(window.messageText()));
      if (headless) return 2;
    }
  QList<std::pair<QString, QString>> selections;
  for (const QString& choice : parser.values(select)) {
    const int eq = int(choice.indexOf(QLatin1Char('=')));
    if (eq <= 0 || eq + 1 == choice.size()) {
      std::fprintf(stderr, "algoscope: --select takes OP=ALGO, not '%s'\n", qPrintable(choice));
      return 2;
    }
    selections.append({choice.left(eq), choice.mid(eq + 1)});
  }
  if (!selections.isEmpty() && model.isEmpty()) {
    std::fprintf(stderr, "algoscope: --select needs a MODEL\n");
    return 2;
  }
  if (parser.isSet(run) && parser.isSet(timePlans)) {
    std::fprintf(stderr,
                 "algoscope: --run and --time-plans are alternatives (time plans runs the "
                 "current plan too)\n");
    return 2;
  }
  if (model.isEmpty() && (parser.isSet(check) || parser.isSet(timeAlgorithms) ||
                          parser.isSet(tune) || parser.isSet(run) || parser.isSet(timePlans))) {
    std::fprintf(stderr, "algoscope: runs need a MODEL\n");
    return 2;
  }
  window.show();

  int exitCode = 0;
  auto capture = [&] {
    // Let layouts and the graph settle before rendering.
    QTimer::singleShot(50, &window, [&] {
      const QString path = parser.value(screenshot);
      QList<std::pair<int, QString>> shots{{-1, path}};
      if (viewIndexes.size() > 1) {
        shots.clear();
        const QStringList names = parser.value(view).split(QLatin1Char(','));
        const QFileInfo file(path);
        for (int i = 0; i < viewIndexes.size(); ++i)
          shots.append(
              {viewIndexes[i], file.dir().filePath(file.completeBaseName() + QLatin1Char('-') +
                                                   names[i] + QStringLiteral(".png"))});
      }
      for (const auto& [index, shot] : shots) {
        if (index >= 0) {
          window.showView(index);
          QCoreApplication::processEvents();  // lay the tab out before grabbing it
        }
        if (!window.saveScreenshot(shot)) {
          std::fprintf(stderr, "algoscope: could not write %s\n", qPrintable(shot));
          exitCode = 2;
        } else {
          std::printf("wrote %s (%dx%d); graph of %d nodes laid out in %.1f ms\n", qPrintable(shot),
                      window.width(), window.height(), window.graphView()->nodeItemCount(),
                      window.graphView()->lastLayoutMs());
        }
      }
      app.exit(exitCode);
    });
  };
  QObject::connect(&window, &MainWindow::loadFailed, &app, [&](const QString& message) {
    std::fprintf(stderr, "algoscope: %s\n", qPrintable(message));
    if (headless) {
      exitCode = 2;
      capture();
    }
  });
  // The runs asked for, in the order a person would click them; each starts when the one before
  // has finished.
  std::deque<std::function<void()>> steps;
  if (parser.isSet(check)) steps.push_back([&] { window.checkPlan(); });
  if (parser.isSet(timeAlgorithms))
    steps.push_back([&] {
      const QString which = parser.value(timeAlgorithms);
      QList<int> rows;
      ModelDocument* document = window.document();
      if (which != QStringLiteral("all"))
        for (int row = 0; row < document->layerCount(); ++row)
          if (document->layer(row).name.contains(which)) rows << row;
      if (which != QStringLiteral("all") && rows.isEmpty())
        std::fprintf(stderr, "algoscope: no layer name contains '%s'; timing all\n",
                     qPrintable(which));
      window.timeAlgorithms(rows);
    });
  if (parser.isSet(run)) steps.push_back([&] { window.runEndToEnd(); });
  if (parser.isSet(timePlans)) steps.push_back([&] { window.timePlans(); });
  if (parser.isSet(tune)) steps.push_back([&] { window.tunePlan(); });
  // The tuned plan is checked too: its verdict, and its error propagation beside the first plan's.
  if (parser.isSet(tune) && parser.isSet(check)) steps.push_back([&] { window.checkPlan(); });
  auto nextStep = [&] {
    if (steps.empty()) {
      if (headless) capture();
      return;
    }
    auto step = std::move(steps.front());
    steps.pop_front();
    step();
  };
  // Headless runs can take minutes (tuning ResNet-50): each job says when it is over and how long
  // it took.
  QElapsedTimer jobClock;
  QObject::connect(window.runner(), &JobRunner::started, &app, [&] { jobClock.start(); });
  QObject::connect(window.runner(), &JobRunner::finished, &app,
                   [&](const QString& title, JobRunner::Outcome outcome, const QString& message) {
                     if (outcome == JobRunner::Outcome::Failed) {
                       std::fprintf(stderr, "algoscope: %s failed: %s\n", qPrintable(title),
                                    qPrintable(message));
                       if (headless) exitCode = 2;
                     } else if (headless) {
                       std::printf("%s: %s in %.1f s\n", qPrintable(title),
                                   outcome == JobRunner::Outcome::Completed ? "done" : "cancelled",
                                   jobClock.elapsed() / 1000.0);
                       std::fflush(stdout);
                     }
                     // The load job announces itself through modelLoaded instead.
                     if (!title.startsWith(QStringLiteral("Loading ")))
                       QTimer::singleShot(0, &app, nextStep);
                   });
  QObject::connect(&window, &MainWindow::modelLoaded, &app, [&] {
    for (const auto& [op, algorithm] : selections) {
      if (!window.document()->opTypes().contains(op)) {
        std::fprintf(stderr, "algoscope: --select %s=%s: the model has no %s layer\n",
                     qPrintable(op), qPrintable(algorithm), qPrintable(op));
        continue;
      }
      window.document()->setOpTypeDefault(op, algorithm);
    }
    if (parser.isSet(layer))
      for (int row = 0; row < window.document()->layerCount(); ++row)
        if (window.document()->layer(row).name.contains(parser.value(layer))) {
          window.document()->setCurrentRow(row);
          window.speedErrorChart()->setScope(SpeedErrorChart::Scope::SameSignatureAsSelected);
          break;
        }
    if (parser.isSet(collapse)) window.graphView()->setAllBlocksCollapsed(true);
    if (parser.isSet(fit)) window.graphView()->zoomToFitAll();
    nextStep();
  });
  if (!model.isEmpty())
    window.openModel(model, parser.value(plan));
  else if (headless)
    capture();
  return app.exec();
}

}  // namespace algoscope::gui
