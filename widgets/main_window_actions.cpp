// The main window's actions as one table (KDAB hotspot's way): each row is an action's menu, text,
// shortcut, object name (tests and QSettings find actions by it), tip, when it is enabled and what
// it does. buildActions() makes the menus, the toolbar and the table's context menu from it;
// updateActions() applies the enable rules. Adding an action is adding a row.
#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QDialog>
#include <QFileInfo>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QToolBar>
#include <QVBoxLayout>
#include <map>

#include "algoscope/algoscope.h"
#include "graph_view.h"
#include "job_runner.h"
#include "main_window.h"
#include "model_document.h"
#include "reports.h"
#include "settings.h"

namespace algoscope::gui {
namespace {

const QString kModelFilter = QStringLiteral("ONNX models (*.onnx);;All files (*)");
const QString kPluginFilter =
    QStringLiteral("algoscope plugins (*.so *.dylib *.dll);;All files (*)");

using Spec = MainWindow::ActionSpec;
using Enable = Spec::Enable;

// The toolbar, by object name; "" is a separator.
const char* const kToolbar[] = {"actionOpen",
                                "actionLoadPlan",
                                "actionSavePlan",
                                "",
                                "actionRunEndToEnd",
                                "actionTimePlans",
                                "",
                                "actionCheck",
                                "actionTimeAll",
                                "actionTune",
                                "",
                                "actionFit",
                                "actionComparePlans"};

}  // namespace

std::vector<MainWindow::ActionSpec> MainWindow::actionTable() {
  std::vector<Spec> t;
  // A row with its required fields; the optional ones are set on the returned row.
  auto add = [&t](const QString& menu, const QString& objectName, const QString& text,
                  const QKeySequence& shortcut, const QString& tip, Enable enable,
                  std::function<void(MainWindow&)> handler) -> Spec& {
    Spec& spec = t.emplace_back();
    spec.menu = menu;
    spec.objectName = objectName;
    spec.text = text;
    spec.shortcut = shortcut;
    spec.tip = tip;
    spec.enable = enable;
    spec.handler = std::move(handler);
    return spec;
  };
  const QString file = QStringLiteral("&File"), plan = QStringLiteral("&Plan"),
                run = QStringLiteral("&Run"), view = QStringLiteral("&View"),
                help = QStringLiteral("&Help");

  // --- File
  add(file, "actionOpen", QStringLiteral("&Open model…"), QKeySequence::Open,
      QStringLiteral("Open an ONNX model"), Enable::Always, [](MainWindow& w) {
        const QString path = w.prompts_.openFileName(QStringLiteral("Open model"), kModelFilter);
        if (!path.isEmpty()) w.openModel(path);
      });
  int sampleIndex = 0;
  for (const QString& name : sampleNames())
    add(file + QStringLiteral("/Open &sample"),
        QStringLiteral("actionSample_") + QFileInfo(name).baseName(), name,
        QKeySequence(QStringLiteral("Ctrl+Shift+%1").arg(++sampleIndex)),
        QStringLiteral("Open the bundled sample model %1").arg(name), Enable::Always,
        [name](MainWindow& w) { w.openSample(name); });
  add(file, "actionLoadPlugin", QStringLiteral("Load &plugin…"), QKeySequence(),
      QStringLiteral("Add the algorithms of a plugin library (.so) to the registry"),
      Enable::Always,
      [](MainWindow& w) {
        const QString path = w.prompts_.openFileName(QStringLiteral("Load plugin"), kPluginFilter);
        if (!path.isEmpty()) w.loadPlugin(path);
      })
      .separatorBefore = true;
  add(file, "actionModelProperties", QStringLiteral("Model &properties"),
      QKeySequence(QStringLiteral("Ctrl+I")),
      QStringLiteral("Producer, opset, inputs and outputs, and what the loader changed"),
      Enable::Model,
      [](MainWindow& w) {
        auto* dialog = new QDialog(&w);
        dialog->setObjectName(QStringLiteral("modelProperties"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowTitle(QStringLiteral("Model properties"));
        auto* text = new QTextBrowser;
        text->setHtml(modelPropertiesHtml(*w.document_));
        auto* layout = new QVBoxLayout(dialog);
        layout->addWidget(text);
        dialog->resize(640, 480);
        // A new model makes the properties stale.
        QObject::connect(w.document_, &ModelDocument::modelChanged, dialog, &QDialog::close);
        dialog->show();
      })
      .separatorBefore = true;
  add(file, "actionExportCsv", QStringLiteral("Export results as &CSV…"),
      QKeySequence(QStringLiteral("Ctrl+E")), {}, Enable::Model,
      [](MainWindow& w) { w.exportResults(false); });
  add(file, "actionExportJson", QStringLiteral("Export results as &JSON…"),
      QKeySequence(QStringLiteral("Ctrl+Shift+E")), {}, Enable::Model,
      [](MainWindow& w) { w.exportResults(true); });
  add(file, "actionQuit", QStringLiteral("&Quit"), QKeySequence::Quit, {}, Enable::Always,
      [](MainWindow& w) { w.close(); })
      .separatorBefore = true;

  // --- Plan
  add(plan, "actionLoadPlan", QStringLiteral("&Load plan…"), QKeySequence(QStringLiteral("Ctrl+L")),
      QStringLiteral("Load a plan (JSON) for the open model"), Enable::Model,
      [](MainWindow& w) { w.openPlanFile(); });
  add(plan, "actionSavePlan", QStringLiteral("&Save plan"), QKeySequence::Save, {}, Enable::Model,
      [](MainWindow& w) { w.savePlanInteractive(false); });
  add(plan, "actionSavePlanAs", QStringLiteral("Save plan &as…"), QKeySequence::SaveAs, {},
      Enable::Model, [](MainWindow& w) { w.savePlanInteractive(true); });
  add(plan, "actionComparePlans", QStringLiteral("&Compare plans…"),
      QKeySequence(QStringLiteral("Ctrl+K")),
      QStringLiteral("Two plans side by side, per-layer latency ratio"), Enable::Model,
      [](MainWindow& w) { w.showCompareDialog(); })
      .separatorBefore = true;
  add(plan, "actionUseTunedPlan", QStringLiteral("Use &tuned plan"),
      QKeySequence(QStringLiteral("Ctrl+Shift+T")),
      QStringLiteral("The last tune's plan becomes the current plan"), Enable::TunedPlan,
      [](MainWindow& w) { w.useTunedPlan(); });
  add(plan, "actionBulkSelected", QStringLiteral("Set algorithm for &selected layers…"),
      QKeySequence(QStringLiteral("Ctrl+Shift+A")), {}, Enable::Model,
      [](MainWindow& w) { w.bulkSelected(); })
      .separatorBefore = true;
  t.back().inLayerMenu = true;
  add(plan, "actionBulkOpType", QStringLiteral("Set algorithm for all layers of an &op type…"),
      QKeySequence(QStringLiteral("Ctrl+Shift+O")), {}, Enable::Model,
      [](MainWindow& w) { w.bulkOpType(); })
      .inLayerMenu = true;
  add(plan, "actionBulkSignature",
      QStringLiteral("Set algorithm for layers with the same si&gnature…"),
      QKeySequence(QStringLiteral("Ctrl+Shift+G")),
      QStringLiteral("Same op, input shapes and attributes as the selected layer"), Enable::Model,
      [](MainWindow& w) { w.bulkSignature(); })
      .inLayerMenu = true;
  add(plan, "actionResetSelected", QStringLiteral("Reset selected layers to default"),
      QKeySequence(QStringLiteral("Ctrl+Shift+D")), {}, Enable::Model,
      [](MainWindow& w) {
        w.document_->setRowsAlgorithm(w.selectedRows(), QString::fromStdString(Plan::kDefault));
      })
      .inLayerMenu = true;
  add(plan, "actionExtractLayer", QStringLiteral("E&xtract selected layer as ONNX…"), {},
      QStringLiteral("The layer as a model of its own (its original ONNX nodes and weights) with "
                     "the input and output it had in this plan's run, to benchmark, check or "
                     "attach to a bug report alone"),
      Enable::Model, [](MainWindow& w) { w.extractSelectedLayer(); })
      .inLayerMenu = true;
  add(plan, "actionResetPlan", QStringLiteral("&Reset plan to the engine's default"),
      QKeySequence(QStringLiteral("Ctrl+Shift+R")), {}, Enable::Model,
      [](MainWindow& w) { w.document_->resetPlan(); });

  // --- Run
  add(run, "actionRunEndToEnd", QStringLiteral("Run &end to end"), QKeySequence(Qt::Key_F5),
      QStringLiteral("Run the model with the current plan on random inputs and time every layer"),
      Enable::Runnable, [](MainWindow& w) { w.runEndToEnd(); });
  add(run, "actionTimePlans", QStringLiteral("&Time plans"), QKeySequence(Qt::Key_F6),
      QStringLiteral("End-to-end latency of the current plan, the engine's default and reference"),
      Enable::Runnable, [](MainWindow& w) { w.timePlans(); });
  add(run, "actionCheck", QStringLiteral("&Check equivalence"), QKeySequence(Qt::Key_F7),
      QStringLiteral("Compare every layer of the plan with reference on the same inputs, and the "
                     "outputs end to end"),
      Enable::Runnable, [](MainWindow& w) { w.checkPlan(); })
      .separatorBefore = true;
  t.back().iconText = QStringLiteral("Check");  // the toolbar's short label
  add(run, "actionTimeSelected", QStringLiteral("Time algorithms of &selected layers"),
      QKeySequence(Qt::Key_F8),
      QStringLiteral("Time every applicable algorithm of the selected layers, each checked "
                     "against reference"),
      Enable::Runnable, [](MainWindow& w) { w.timeSelectedAlgorithms(); })
      .inLayerMenu = true;
  add(run, "actionTimeAll", QStringLiteral("Time algorithms of &all layers"),
      QKeySequence(QStringLiteral("Shift+F8")),
      QStringLiteral("Time every applicable algorithm of every layer, each checked against "
                     "reference"),
      Enable::Runnable, [](MainWindow& w) { w.timeAlgorithms(); })
      .iconText = QStringLiteral("Time algorithms");
  add(run, "actionTune", QStringLiteral("T&une"), QKeySequence(Qt::Key_F9),
      QStringLiteral("Per layer the fastest algorithm within tolerance (tuning cache as set in "
                     "Run settings)"),
      Enable::Runnable, [](MainWindow& w) { w.tunePlan(); });
  add(run, "actionTuneHeuristic", QStringLiteral("Tune (&heuristic, no timing)"),
      QKeySequence(QStringLiteral("Shift+F9")),
      QStringLiteral("A plan from the registry's shape rules, in an instant"), Enable::Runnable,
      [](MainWindow& w) { w.applyHeuristicPlan(); });
  add(run, "actionCancel", QStringLiteral("&Cancel run"), QKeySequence(Qt::Key_Escape), {},
      Enable::Busy, [](MainWindow& w) { w.runner_->cancel(); })
      .separatorBefore = true;
  add(run, "actionRunSettings", QStringLiteral("Run &settings…"),
      QKeySequence(QStringLiteral("Ctrl+,")),
      QStringLiteral("Threads, warm-up and measured runs, tolerances, tuning cache"),
      Enable::Always,
      [](MainWindow& w) {
        RunSettingsDialog dialog(w.runSettings_, &w);
        if (dialog.exec() == QDialog::Accepted) w.setRunSettings(dialog.settings());
      })
      .separatorBefore = true;

  // --- View
  add(view, "actionFind", QStringLiteral("&Find layer…"), QKeySequence::Find,
      QStringLiteral("Find a layer by name or op in the graph"), Enable::Model, [](MainWindow& w) {
        w.viewTabs_->setCurrentWidget(w.graph_);
        w.findEdit_->setFocus();
        w.findEdit_->selectAll();
      });
  add(view, "actionZoomIn", QStringLiteral("Zoom &in"), QKeySequence::ZoomIn, {}, Enable::Model,
      [](MainWindow& w) { w.graph_->zoomIn(); });
  add(view, "actionZoomOut", QStringLiteral("Zoom &out"), QKeySequence::ZoomOut, {}, Enable::Model,
      [](MainWindow& w) { w.graph_->zoomOut(); });
  add(view, "actionFit", QStringLiteral("&Fit graph"), QKeySequence(QStringLiteral("Ctrl+0")),
      QStringLiteral("The whole graph if it fits legibly, else its width from the inputs"),
      Enable::Model, [](MainWindow& w) { w.graph_->zoomToFit(); });
  add(view, "actionFitAll", QStringLiteral("Fit &all (overview)"),
      QKeySequence(QStringLiteral("Ctrl+Alt+0")),
      QStringLiteral("The whole graph, however small its text gets"), Enable::Model,
      [](MainWindow& w) { w.graph_->zoomToFitAll(); });
  add(view, "actionMinimap", QStringLiteral("Show &minimap"),
      QKeySequence(QStringLiteral("Ctrl+M")),
      QStringLiteral("An overview of the whole graph in the corner; click or drag it to move"),
      Enable::Always,
      [](MainWindow& w) {
        w.graph_->setMinimapEnabled(
            w.findChild<QAction*>(QStringLiteral("actionMinimap"))->isChecked());
      })
      .toggle = true;
  add(view, "actionCollapseBlocks", QStringLiteral("&Collapse blocks"),
      QKeySequence(QStringLiteral("Ctrl+B")),
      QStringLiteral("One box per block of layers that share a name prefix (double-click a box or "
                     "a block's frame to expand or collapse it alone)"),
      Enable::Model, [](MainWindow& w) { w.graph_->setAllBlocksCollapsed(true); })
      .separatorBefore = true;
  add(view, "actionExpandBlocks", QStringLiteral("&Expand blocks"),
      QKeySequence(QStringLiteral("Ctrl+Shift+B")), QStringLiteral("Every layer in its own box"),
      Enable::Model, [](MainWindow& w) { w.graph_->setAllBlocksCollapsed(false); });
  const char* colorNames[] = {"Colour by &op type", "Colour by &algorithm",
                              "Colour by measured &latency", "Colour by accumulated e&rror"};
  for (int mode = 0; mode < 4; ++mode) {
    Spec& color =
        add(view, QStringLiteral("actionColor%1").arg(mode), QString::fromUtf8(colorNames[mode]),
            QKeySequence(QStringLiteral("Ctrl+%1").arg(mode + 1)), {}, Enable::Always,
            [mode](MainWindow& w) { w.setColorMode(mode); });
    color.checkGroup = QStringLiteral("color");
    color.separatorBefore = mode == 0;
  }
  const char* tabNames[] = {"Show &graph",
                            "Show layer latency &chart",
                            "Show &plans chart",
                            "Show speed vs &error chart",
                            "Show error p&ropagation chart",
                            "Show &memory chart",
                            "Show roo&fline chart"};
  for (int tab = 0; tab < 7; ++tab)
    add(view, QStringLiteral("actionShowTab%1").arg(tab), QString::fromUtf8(tabNames[tab]),
        QKeySequence(QStringLiteral("Alt+%1").arg(tab + 1)), {}, Enable::Always,
        [tab](MainWindow& w) { w.viewTabs_->setCurrentIndex(tab); })
        .separatorBefore = tab == 0;
  add(view, "actionExportGraphPng", QStringLiteral("Export graph as &PNG…"),
      QKeySequence(QStringLiteral("Ctrl+Shift+P")), {}, Enable::Model,
      [](MainWindow& w) { w.exportGraph(false); })
      .separatorBefore = true;
  // Ctrl+Shift+S is Save As on most platforms; the graph SVG export keeps it only if free.
  const QKeySequence svgKey(QStringLiteral("Ctrl+Shift+S"));
  add(view, "actionExportGraphSvg", QStringLiteral("Export graph as S&VG…"),
      QKeySequence(QKeySequence::SaveAs) == svgKey ? QKeySequence(QStringLiteral("Ctrl+Alt+S"))
                                                   : svgKey,
      {}, Enable::Model, [](MainWindow& w) { w.exportGraph(true); });
  add(view, "actionExportChart", QStringLiteral("Export &chart as PNG…"),
      QKeySequence(QStringLiteral("Ctrl+Shift+C")),
      QStringLiteral("Save the chart tab that is showing"), Enable::Model,
      [](MainWindow& w) { w.exportChart(); });

  // --- Help
  add(help, "actionGettingStarted", QStringLiteral("&Getting started"), {}, {}, Enable::Always,
      [](MainWindow& w) {
        QMessageBox::information(&w, QStringLiteral("Getting started"), gettingStartedHtml());
      });
  add(help, "actionAbout", QStringLiteral("&About algoscope"), QKeySequence::HelpContents, {},
      Enable::Always, [](MainWindow& w) {
        QMessageBox::about(
            &w, QStringLiteral("About algoscope"),
            QStringLiteral(
                "<h3>algoscope %1</h3><p>An explorer for the algorithmic design space of neural "
                "networks: choose how each layer is computed, check it, time it.</p><p>OpenBLAS "
                "kernels: %2<br>OpenBLAS threads: %3</p>")
                .arg(QString::fromUtf8(algoscope::version()),
                     QString::fromStdString(algoscope::openblas_core()).toHtmlEscaped(),
                     QString::fromStdString(algoscope::openblas_threading()).toHtmlEscaped()));
      });
  return t;
}

void MainWindow::buildActions() {
  std::map<QString, QMenu*> menus;  // by path, "&File/Open &sample"
  std::map<QString, QActionGroup*> groups;
  std::map<QString, QAction*> byName;
  auto menuFor = [&](const QString& path) {
    QMenu*& menu = menus[path];
    if (menu) return menu;
    const int slash = int(path.lastIndexOf(QLatin1Char('/')));
    if (slash < 0) {
      menu = menuBar()->addMenu(path);
    } else {
      QMenu* parent = menus.at(path.left(slash));
      menu = parent->addMenu(path.mid(slash + 1));
    }
    return menu;
  };
  for (const ActionSpec& spec : actionTable()) {
    auto* action = new QAction(spec.text, this);
    action->setShortcut(spec.shortcut);
    action->setObjectName(spec.objectName);
    if (!spec.tip.isEmpty()) action->setStatusTip(spec.tip);
    action->setToolTip(spec.tip.isEmpty() ? spec.text : spec.tip);
    if (!spec.iconText.isEmpty()) action->setIconText(spec.iconText);
    if (spec.toggle) {
      action->setCheckable(true);
      action->setChecked(true);
    }
    if (!spec.checkGroup.isEmpty()) {
      action->setCheckable(true);
      QActionGroup*& group = groups[spec.checkGroup];
      if (!group) group = new QActionGroup(this);
      group->addAction(action);
    }
    connect(action, &QAction::triggered, this, [this, handler = spec.handler] { handler(*this); });
    QMenu* menu = menuFor(spec.menu);
    if (spec.separatorBefore) menu->addSeparator();
    menu->addAction(action);
    if (spec.inLayerMenu) table_->addAction(action);
    enableRules_.push_back({action, spec.enable});
    byName[spec.objectName] = action;
  }
  // The recent files, rebuilt as they change, sit between Open and Open sample.
  QMenu* file = menus.at(QStringLiteral("&File"));
  recentMenu_ = new QMenu(QStringLiteral("Open &recent"), file);
  file->insertMenu(menus.at(QStringLiteral("&File/Open &sample"))->menuAction(), recentMenu_);
  for (int mode = 0; mode < 4; ++mode)
    colorActions_[mode] = byName.at(QStringLiteral("actionColor%1").arg(mode));
  // Undo and redo head the Plan menu; their text names the edit ("Undo Set im2col for …") and
  // the stack enables them.
  QMenu* planMenu = menus.at(QStringLiteral("&Plan"));
  QAction* undo = document_->undoStack()->createUndoAction(this, QStringLiteral("&Undo"));
  undo->setShortcut(QKeySequence::Undo);
  undo->setObjectName(QStringLiteral("actionUndo"));
  QAction* redo = document_->undoStack()->createRedoAction(this, QStringLiteral("&Redo"));
  redo->setShortcut(QKeySequence::Redo);
  redo->setObjectName(QStringLiteral("actionRedo"));
  QAction* firstPlanAction = planMenu->actions().value(0);
  planMenu->insertActions(firstPlanAction, {undo, redo});
  planMenu->insertSeparator(firstPlanAction);

  // --- Toolbar: the everyday actions, the colour mode and the layer search.
  QToolBar* tools = addToolBar(QStringLiteral("Main"));
  tools->setObjectName(QStringLiteral("mainToolBar"));
  tools->setMovable(false);
  for (const char* name : kToolbar) {
    if (!*name)
      tools->addSeparator();
    else
      tools->addAction(byName.at(QString::fromLatin1(name)));
  }
  tools->addSeparator();
  colorCombo_ = new QComboBox;
  colorCombo_->addItems({QStringLiteral("Colour: op type"), QStringLiteral("Colour: algorithm"),
                         QStringLiteral("Colour: latency"), QStringLiteral("Colour: error")});
  colorCombo_->setToolTip(QStringLiteral(
      "How graph nodes are coloured (Ctrl+1/2/3/4); error: each layer's output against the "
      "all-reference run in the last check, the error the network carried to it"));
  connect(colorCombo_, &QComboBox::activated, this, &MainWindow::setColorMode);
  tools->addWidget(colorCombo_);
  tools->addSeparator();
  findEdit_ = new QLineEdit;
  findEdit_->setObjectName(QStringLiteral("findEdit"));
  findEdit_->setPlaceholderText(QStringLiteral("Find layer (Ctrl+F)"));
  findEdit_->setClearButtonEnabled(true);
  findEdit_->setMaximumWidth(260);
  findEdit_->setToolTip(QStringLiteral("Name or op; Enter: next match, Shift+Enter: previous"));
  findEdit_->installEventFilter(this);  // Enter and Shift+Enter: eventFilter()
  findResult_ = new QLabel;
  findResult_->setObjectName(QStringLiteral("findResult"));
  findResult_->setMinimumWidth(110);
  connect(findEdit_, &QLineEdit::textChanged, this, [this](const QString& text) {
    if (text.isEmpty()) {
      graph_->clearFind();
      findResult_->clear();
    }
  });
  tools->addWidget(findEdit_);
  tools->addWidget(findResult_);
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
  if (watched == findEdit_ && event->type() == QEvent::KeyPress) {
    const auto* key = static_cast<QKeyEvent*>(event);
    if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
      findInGraph(key->modifiers() & Qt::ShiftModifier);
      return true;
    }
  }
  return QMainWindow::eventFilter(watched, event);
}

void MainWindow::findInGraph(bool backwards) {
  const GraphView::FindResult found = graph_->find(findEdit_->text(), backwards);
  findResult_->setText(findEdit_->text().isEmpty() ? QString()
                       : found.count
                           ? QStringLiteral(" match %1 of %2").arg(found.match).arg(found.count)
                           : QStringLiteral(" no match"));
}

void MainWindow::updateActions() {
  const bool model = document_->hasModel();
  const bool runnable = model && document_->unsupportedSummary().isEmpty();
  for (const auto& [action, rule] : enableRules_) {
    switch (rule) {
      case Enable::Always:
        action->setEnabled(true);
        break;
      case Enable::Model:
        action->setEnabled(model);
        break;
      case Enable::Runnable:
        action->setEnabled(runnable);
        break;
      case Enable::Busy:
        action->setEnabled(runner_->isBusy());
        break;
      case Enable::TunedPlan:
        action->setEnabled(model && document_->lastTune().has_value());
        break;
    }
  }
}

}  // namespace algoscope::gui
