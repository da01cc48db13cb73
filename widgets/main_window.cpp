// MainWindow: layout, actions, and the glue between the views, the document and the job runner.
#include "main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <set>
#include <utility>

#include "algorithm_delegate.h"
#include "algoscope/algoscope.h"
#include "charts.h"
#include "graph_view.h"
#include "inspector.h"
#include "job_runner.h"
#include "layer_table_model.h"
#include "model_document.h"
#include "plan_compare.h"
#include "results_export.h"
#include "settings.h"

// The bundled samples live in resources/algoscope.qrc, compiled into this static library; its
// initializer must be called from the global namespace.
static void initAlgoscopeResources() { Q_INIT_RESOURCE(algoscope); }

namespace algoscope::gui {
namespace {

const QString kModelFilter = QStringLiteral("ONNX models (*.onnx);;All files (*)");
const QString kPlanFilter = QStringLiteral("algoscope plans (*.json);;All files (*)");
const QString kPluginFilter =
    QStringLiteral("algoscope plugins (*.so *.dylib *.dll);;All files (*)");
const QString kSamplePrefix = QStringLiteral(":/models/");

QAction* makeAction(QObject* parent, const QString& text, const QKeySequence& shortcut,
                    const QString& objectName, const QString& tip = {}) {
  auto* action = new QAction(text, parent);
  action->setShortcut(shortcut);
  action->setObjectName(objectName);
  if (!tip.isEmpty()) action->setStatusTip(tip);
  action->setToolTip(tip.isEmpty() ? text : tip);
  return action;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), document_(new ModelDocument(this)), runner_(new JobRunner(this)) {
  initAlgoscopeResources();
  setObjectName(QStringLiteral("MainWindow"));
  setAcceptDrops(true);
  prompts_.openFileName = [this](const QString& caption, const QString& filter) {
    return QFileDialog::getOpenFileName(this, caption, {}, filter);
  };
  prompts_.saveFileName = [this](const QString& caption, const QString& filter,
                                 const QString& suggested) {
    return QFileDialog::getSaveFileName(this, caption, suggested, filter);
  };
  prompts_.confirm = [this](const QString& title, const QString& text) {
    return QMessageBox::question(this, title, text) == QMessageBox::Yes;
  };
  prompts_.unsavedChanges = [this](const QString& text) {
    return QMessageBox::warning(this, QStringLiteral("Unsaved plan"), text,
                                QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                QMessageBox::Save);
  };
  prompts_.chooseItem = [this](const QString& title, const QString& label,
                               const QStringList& items) {
    bool ok = false;
    QString item = QInputDialog::getItem(this, title, label, items, 0, false, &ok);
    return ok ? item : QString();
  };
  runSettings_ = AppSettings::runSettings();
  buildViews();
  buildActions();
  restoreSettings();

  connect(document_, &ModelDocument::modelChanged, this, [this] {
    updateActions();
    updateStatus();
    updateTitle();
  });
  connect(document_, &ModelDocument::planChanged, this, [this] {
    updateStatus();
    updateTitle();
  });
  connect(document_, &ModelDocument::measurementsChanged, this, [this] {
    updateStatus();
    useTunedAction_->setEnabled(document_->hasModel() && document_->lastTune().has_value());
  });

  connect(runner_, &JobRunner::started, this, [this](const QString& title) {
    // What the last run reported is history once the next one starts.
    if (messageIsJobReport_) hideMessage();
    progressLabel_->setText(title);
    progressBar_->setRange(0, 0);
    progressBox_->show();
    updateActions();
  });
  connect(runner_, &JobRunner::progress, this, [this](int done, int total, const QString& what) {
    if (total > 0) {
      progressBar_->setRange(0, 1000);
      progressBar_->setValue(int(1000.0 * done / total));
    } else {
      progressBar_->setRange(0, 0);
    }
    progressLabel_->setText(progressLabel_->fontMetrics().elidedText(
        runner_->currentTitle() + QStringLiteral(": ") + what, Qt::ElideMiddle,
        progressLabel_->maximumWidth()));
  });
  connect(runner_, &JobRunner::finished, this,
          [this](const QString& title, JobRunner::Outcome outcome, const QString& message) {
            progressBox_->hide();
            updateActions();
            if (outcome == JobRunner::Outcome::Failed)
              showJobReport(Level::Error, title + QStringLiteral(" failed: ") + message);
            else if (outcome == JobRunner::Outcome::Cancelled)
              statusBar()->showMessage(title + QStringLiteral(": cancelled"), 5000);
            else if (statusBar()->currentMessage().isEmpty())  // keep the job's own report
              statusBar()->showMessage(title + QStringLiteral(": done"), 5000);
            if (afterJob_) std::exchange(afterJob_, {})();
          });
  updateActions();
  updateStatus();
  updateTitle();
}

MainWindow::~MainWindow() {
  // Stop the worker before the document and the views it delivers to go away.
  delete runner_;
}

void MainWindow::buildViews() {
  graph_ = new GraphView(document_);
  graph_->setObjectName(QStringLiteral("graphView"));
  layerChart_ = new LayerLatencyChart(document_);
  plansChart_ = new PlansChart(document_);
  speedErrorChart_ = new SpeedErrorChart(document_);
  viewTabs_ = new QTabWidget;
  viewTabs_->addTab(graph_, QStringLiteral("Graph"));
  viewTabs_->addTab(layerChart_, QStringLiteral("Layer latency"));
  viewTabs_->addTab(plansChart_, QStringLiteral("Plans"));
  viewTabs_->addTab(speedErrorChart_, QStringLiteral("Speed vs error"));

  tableModel_ = new LayerTableModel(document_, this);
  filterModel_ = new LayerFilterModel(this);
  filterModel_->setSourceModel(tableModel_);
  table_ = new QTableView;
  table_->setObjectName(QStringLiteral("layerTable"));
  table_->setModel(filterModel_);
  table_->setItemDelegateForColumn(LayerTableModel::AlgorithmColumn, new AlgorithmDelegate(table_));
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::SelectedClicked |
                          QAbstractItemView::EditKeyPressed);
  table_->setAlternatingRowColors(true);
  table_->setWordWrap(false);
  table_->setTextElideMode(Qt::ElideMiddle);  // layer names differ at their ends
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
  table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
  table_->setSortingEnabled(true);
  table_->horizontalHeader()->setStretchLastSection(true);
  // Narrow enough that the status column still shows at 1440 px beside the inspector.
  const std::pair<int, int> widths[] = {
      {LayerTableModel::LayerColumn, 180},  {LayerTableModel::OpColumn, 150},
      {LayerTableModel::ShapeColumn, 170},  {LayerTableModel::ParametersColumn, 56},
      {LayerTableModel::FlopsColumn, 64},   {LayerTableModel::AlgorithmColumn, 100},
      {LayerTableModel::LatencyColumn, 70}, {LayerTableModel::ThroughputColumn, 60},
      {LayerTableModel::ErrorColumn, 66}};
  for (auto [column, width] : widths) table_->setColumnWidth(column, width);
  table_->setContextMenuPolicy(Qt::ActionsContextMenu);

  filterEdit_ = new QLineEdit;
  filterEdit_->setPlaceholderText(QStringLiteral("Filter layers by name, op or algorithm"));
  filterEdit_->setClearButtonEnabled(true);
  opFilter_ = new QComboBox;
  opFilter_->addItem(QStringLiteral("All ops"));
  connect(filterEdit_, &QLineEdit::textChanged, filterModel_, &LayerFilterModel::setText);
  connect(opFilter_, &QComboBox::currentIndexChanged, this, [this](int index) {
    filterModel_->setOpType(index <= 0 ? QString() : opFilter_->currentText());
  });
  auto* tablePane = new QWidget;
  auto* filterRow = new QHBoxLayout;
  filterRow->addWidget(filterEdit_, 1);
  filterRow->addWidget(opFilter_);
  auto* tableLayout = new QVBoxLayout(tablePane);
  tableLayout->setContentsMargins(0, 4, 0, 0);
  tableLayout->addLayout(filterRow);
  tableLayout->addWidget(table_, 1);

  // Table selection <-> document selection (guarded: each only follows a real change).
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (current.isValid())
              document_->setCurrentRow(current.data(LayerTableModel::RowRole).toInt());
          });
  connect(document_, &ModelDocument::currentRowChanged, this, [this](int row) {
    if (row < 0) return;
    const QModelIndex current = table_->currentIndex();
    if (current.isValid() && current.data(LayerTableModel::RowRole).toInt() == row) return;
    const QModelIndex target = filterModel_->mapFromSource(tableModel_->index(row, 0));
    if (!target.isValid()) return;  // filtered out
    table_->selectionModel()->setCurrentIndex(
        target, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    table_->scrollTo(target);
  });
  connect(document_, &ModelDocument::modelChanged, this, [this] {
    const QSignalBlocker blocker(opFilter_);
    opFilter_->clear();
    opFilter_->addItem(QStringLiteral("All ops"));
    opFilter_->addItems(document_->opTypes());
    filterModel_->setOpType({});
  });

  inspector_ = new Inspector(document_);

  messageBar_ = new QWidget;
  messageLabel_ = new QLabel;
  messageLabel_->setWordWrap(true);
  messageLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* closeMessage = new QToolButton;
  closeMessage->setText(QStringLiteral("✕"));
  closeMessage->setAutoRaise(true);
  closeMessage->setToolTip(QStringLiteral("Dismiss"));
  connect(closeMessage, &QToolButton::clicked, this, &MainWindow::hideMessage);
  auto* messageLayout = new QHBoxLayout(messageBar_);
  messageLayout->setContentsMargins(10, 6, 6, 6);
  messageLayout->addWidget(messageLabel_, 1);
  messageLayout->addWidget(closeMessage, 0, Qt::AlignTop);
  messageBar_->hide();

  centerSplitter_ = new QSplitter(Qt::Vertical);
  centerSplitter_->addWidget(viewTabs_);
  centerSplitter_->addWidget(tablePane);
  centerSplitter_->setStretchFactor(0, 3);
  centerSplitter_->setStretchFactor(1, 2);
  auto* center = new QWidget;
  auto* centerLayout = new QVBoxLayout(center);
  centerLayout->setContentsMargins(0, 0, 0, 0);
  centerLayout->setSpacing(0);
  centerLayout->addWidget(messageBar_);
  centerLayout->addWidget(centerSplitter_, 1);
  mainSplitter_ = new QSplitter(Qt::Horizontal);
  mainSplitter_->addWidget(center);
  mainSplitter_->addWidget(inspector_);
  mainSplitter_->setStretchFactor(0, 3);
  mainSplitter_->setStretchFactor(1, 1);
  mainSplitter_->setSizes({1080, 360});
  centerSplitter_->setSizes({560, 340});
  setCentralWidget(mainSplitter_);

  summaryLabel_ = new QLabel;
  progressBox_ = new QWidget;
  progressLabel_ = new QLabel;
  progressLabel_->setMinimumWidth(200);
  progressLabel_->setMaximumWidth(460);
  progressBar_ = new QProgressBar;
  progressBar_->setMaximumWidth(180);
  progressBar_->setTextVisible(false);
  cancelButton_ = new QPushButton(QStringLiteral("Cancel"));
  cancelButton_->setToolTip(QStringLiteral("Stop the run (Esc)"));
  connect(cancelButton_, &QPushButton::clicked, runner_, &JobRunner::cancel);
  auto* progressLayout = new QHBoxLayout(progressBox_);
  progressLayout->setContentsMargins(0, 0, 0, 0);
  progressLayout->addWidget(progressLabel_);
  progressLayout->addWidget(progressBar_);
  progressLayout->addWidget(cancelButton_);
  progressBox_->hide();
  statusBar()->addPermanentWidget(progressBox_);
  statusBar()->addPermanentWidget(summaryLabel_);
}

void MainWindow::buildActions() {
  // --- File
  QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
  QAction* open = makeAction(this, QStringLiteral("&Open model…"), QKeySequence::Open,
                             QStringLiteral("actionOpen"), QStringLiteral("Open an ONNX model"));
  connect(open, &QAction::triggered, this, [this] {
    const QString path = prompts_.openFileName(QStringLiteral("Open model"), kModelFilter);
    if (!path.isEmpty()) openModel(path);
  });
  file->addAction(open);
  recentMenu_ = file->addMenu(QStringLiteral("Open &recent"));
  QMenu* samples = file->addMenu(QStringLiteral("Open &sample"));
  int sampleIndex = 0;
  for (const QString& name : sampleNames()) {
    QAction* sample =
        makeAction(this, name, QKeySequence(QStringLiteral("Ctrl+Shift+%1").arg(++sampleIndex)),
                   QStringLiteral("actionSample_") + QFileInfo(name).baseName(),
                   QStringLiteral("Open the bundled sample model %1").arg(name));
    connect(sample, &QAction::triggered, this, [this, name] { openSample(name); });
    samples->addAction(sample);
  }
  file->addSeparator();
  QAction* loadPluginAction = makeAction(
      this, QStringLiteral("Load &plugin…"), QKeySequence(), QStringLiteral("actionLoadPlugin"),
      QStringLiteral("Add the algorithms of a plugin library (.so) to the registry"));
  connect(loadPluginAction, &QAction::triggered, this, [this] {
    const QString path = prompts_.openFileName(QStringLiteral("Load plugin"), kPluginFilter);
    if (!path.isEmpty()) loadPlugin(path);
  });
  file->addAction(loadPluginAction);
  file->addSeparator();
  QAction* exportCsv =
      makeAction(this, QStringLiteral("Export results as &CSV…"),
                 QKeySequence(QStringLiteral("Ctrl+E")), QStringLiteral("actionExportCsv"));
  connect(exportCsv, &QAction::triggered, this, [this] { exportResults(false); });
  QAction* exportJson =
      makeAction(this, QStringLiteral("Export results as &JSON…"),
                 QKeySequence(QStringLiteral("Ctrl+Shift+E")), QStringLiteral("actionExportJson"));
  connect(exportJson, &QAction::triggered, this, [this] { exportResults(true); });
  file->addAction(exportCsv);
  file->addAction(exportJson);
  modelActions_ << exportCsv << exportJson;
  file->addSeparator();
  QAction* quit =
      makeAction(this, QStringLiteral("&Quit"), QKeySequence::Quit, QStringLiteral("actionQuit"));
  connect(quit, &QAction::triggered, this, &QWidget::close);
  file->addAction(quit);

  // --- Plan
  QMenu* plan = menuBar()->addMenu(QStringLiteral("&Plan"));
  QAction* loadPlanAction = makeAction(
      this, QStringLiteral("&Load plan…"), QKeySequence(QStringLiteral("Ctrl+L")),
      QStringLiteral("actionLoadPlan"), QStringLiteral("Load a plan (JSON) for the open model"));
  connect(loadPlanAction, &QAction::triggered, this, &MainWindow::openPlanFile);
  QAction* savePlanAction = makeAction(this, QStringLiteral("&Save plan"), QKeySequence::Save,
                                       QStringLiteral("actionSavePlan"));
  connect(savePlanAction, &QAction::triggered, this, [this] { savePlanInteractive(false); });
  QAction* savePlanAs = makeAction(this, QStringLiteral("Save plan &as…"), QKeySequence::SaveAs,
                                   QStringLiteral("actionSavePlanAs"));
  connect(savePlanAs, &QAction::triggered, this, [this] { savePlanInteractive(true); });
  QAction* compare =
      makeAction(this, QStringLiteral("&Compare plans…"), QKeySequence(QStringLiteral("Ctrl+K")),
                 QStringLiteral("actionComparePlans"),
                 QStringLiteral("Two plans side by side, per-layer latency ratio"));
  connect(compare, &QAction::triggered, this, &MainWindow::showCompareDialog);
  QAction* bulkSelectedAction = makeAction(
      this, QStringLiteral("Set algorithm for &selected layers…"),
      QKeySequence(QStringLiteral("Ctrl+Shift+A")), QStringLiteral("actionBulkSelected"));
  connect(bulkSelectedAction, &QAction::triggered, this, &MainWindow::bulkSelected);
  QAction* bulkOp =
      makeAction(this, QStringLiteral("Set algorithm for all layers of an &op type…"),
                 QKeySequence(QStringLiteral("Ctrl+Shift+O")), QStringLiteral("actionBulkOpType"));
  connect(bulkOp, &QAction::triggered, this, &MainWindow::bulkOpType);
  QAction* bulkSignature = makeAction(
      this, QStringLiteral("Set algorithm for layers with the same si&gnature…"),
      QKeySequence(QStringLiteral("Ctrl+Shift+G")), QStringLiteral("actionBulkSignature"),
      QStringLiteral("Same op, input shapes and attributes as the selected layer"));
  connect(bulkSignature, &QAction::triggered, this, &MainWindow::bulkSignature);
  QAction* resetSelected = makeAction(this, QStringLiteral("Reset selected layers to default"),
                                      QKeySequence(QStringLiteral("Ctrl+Shift+D")),
                                      QStringLiteral("actionResetSelected"));
  connect(resetSelected, &QAction::triggered, this, [this] {
    document_->setRowsAlgorithm(selectedRows(), QString::fromStdString(Plan::kDefault));
  });
  QAction* resetPlan =
      makeAction(this, QStringLiteral("&Reset plan to the engine's default"),
                 QKeySequence(QStringLiteral("Ctrl+Shift+R")), QStringLiteral("actionResetPlan"));
  connect(resetPlan, &QAction::triggered, document_, &ModelDocument::resetPlan);
  useTunedAction_ =
      makeAction(this, QStringLiteral("Use &tuned plan"),
                 QKeySequence(QStringLiteral("Ctrl+Shift+T")), QStringLiteral("actionUseTunedPlan"),
                 QStringLiteral("The last tune's plan becomes the current plan"));
  connect(useTunedAction_, &QAction::triggered, this, &MainWindow::useTunedPlan);
  plan->addActions({loadPlanAction, savePlanAction, savePlanAs});
  plan->addSeparator();
  plan->addAction(compare);
  plan->addAction(useTunedAction_);
  plan->addSeparator();
  plan->addActions({bulkSelectedAction, bulkOp, bulkSignature, resetSelected, resetPlan});
  modelActions_ << loadPlanAction << savePlanAction << savePlanAs << compare << bulkSelectedAction
                << bulkOp << bulkSignature << resetSelected << resetPlan;
  table_->addActions({bulkSelectedAction, bulkOp, bulkSignature, resetSelected});

  // --- Run
  QMenu* run = menuBar()->addMenu(QStringLiteral("&Run"));
  QAction* runAction = makeAction(
      this, QStringLiteral("Run &end to end"), QKeySequence(Qt::Key_F5),
      QStringLiteral("actionRunEndToEnd"),
      QStringLiteral("Run the model with the current plan on random inputs and time every layer"));
  connect(runAction, &QAction::triggered, this, &MainWindow::runEndToEnd);
  QAction* timePlansAction = makeAction(
      this, QStringLiteral("&Time plans"), QKeySequence(Qt::Key_F6),
      QStringLiteral("actionTimePlans"),
      QStringLiteral("End-to-end latency of the current plan, the engine's default and reference"));
  connect(timePlansAction, &QAction::triggered, this, [this] { timePlans(); });
  cancelAction_ = makeAction(this, QStringLiteral("&Cancel run"), QKeySequence(Qt::Key_Escape),
                             QStringLiteral("actionCancel"));
  connect(cancelAction_, &QAction::triggered, runner_, &JobRunner::cancel);
  QAction* settings =
      makeAction(this, QStringLiteral("Run &settings…"), QKeySequence(QStringLiteral("Ctrl+,")),
                 QStringLiteral("actionRunSettings"),
                 QStringLiteral("Threads, warm-up and measured runs, tolerances, tuning cache"));
  connect(settings, &QAction::triggered, this, [this] {
    RunSettingsDialog dialog(runSettings_, this);
    if (dialog.exec() == QDialog::Accepted) setRunSettings(dialog.settings());
  });
  QAction* checkAction =
      makeAction(this, QStringLiteral("&Check equivalence"), QKeySequence(Qt::Key_F7),
                 QStringLiteral("actionCheck"),
                 QStringLiteral("Compare every layer of the plan with reference on the same "
                                "inputs, and the outputs end to end"));
  connect(checkAction, &QAction::triggered, this, &MainWindow::checkPlan);
  checkAction->setIconText(QStringLiteral("Check"));  // the toolbar's short label
  QAction* timeSelected = makeAction(
      this, QStringLiteral("Time algorithms of &selected layers"), QKeySequence(Qt::Key_F8),
      QStringLiteral("actionTimeSelected"),
      QStringLiteral("Time every applicable algorithm of the selected layers, each checked "
                     "against reference"));
  connect(timeSelected, &QAction::triggered, this, &MainWindow::timeSelectedAlgorithms);
  QAction* timeAll = makeAction(
      this, QStringLiteral("Time algorithms of &all layers"),
      QKeySequence(QStringLiteral("Shift+F8")), QStringLiteral("actionTimeAll"),
      QStringLiteral("Time every applicable algorithm of every layer, each checked against "
                     "reference"));
  connect(timeAll, &QAction::triggered, this, [this] { timeAlgorithms(); });
  timeAll->setIconText(QStringLiteral("Time algorithms"));
  QAction* tuneAction = makeAction(
      this, QStringLiteral("T&une"), QKeySequence(Qt::Key_F9), QStringLiteral("actionTune"),
      QStringLiteral("Per layer the fastest algorithm within tolerance (tuning cache as set in "
                     "Run settings)"));
  connect(tuneAction, &QAction::triggered, this, &MainWindow::tunePlan);
  QAction* heuristic =
      makeAction(this, QStringLiteral("Tune (&heuristic, no timing)"),
                 QKeySequence(QStringLiteral("Shift+F9")), QStringLiteral("actionTuneHeuristic"),
                 QStringLiteral("A plan from the registry's shape rules, in an instant"));
  connect(heuristic, &QAction::triggered, this, &MainWindow::applyHeuristicPlan);
  run->addActions({runAction, timePlansAction});
  run->addSeparator();
  run->addActions({checkAction, timeSelected, timeAll, tuneAction, heuristic});
  run->addSeparator();
  run->addAction(cancelAction_);
  run->addSeparator();
  run->addAction(settings);
  runnableActions_ << runAction << timePlansAction << checkAction << timeSelected << timeAll
                   << tuneAction << heuristic;
  table_->addActions({timeSelected});

  // --- View
  QMenu* view = menuBar()->addMenu(QStringLiteral("&View"));
  QAction* find = makeAction(this, QStringLiteral("&Find layer…"), QKeySequence::Find,
                             QStringLiteral("actionFind"),
                             QStringLiteral("Find a layer by name or op in the graph"));
  connect(find, &QAction::triggered, this, [this] {
    viewTabs_->setCurrentWidget(graph_);
    findEdit_->setFocus();
    findEdit_->selectAll();
  });
  QAction* zoomIn = makeAction(this, QStringLiteral("Zoom &in"), QKeySequence::ZoomIn,
                               QStringLiteral("actionZoomIn"));
  connect(zoomIn, &QAction::triggered, graph_, &GraphView::zoomIn);
  QAction* zoomOut = makeAction(this, QStringLiteral("Zoom &out"), QKeySequence::ZoomOut,
                                QStringLiteral("actionZoomOut"));
  connect(zoomOut, &QAction::triggered, graph_, &GraphView::zoomOut);
  QAction* fit = makeAction(this, QStringLiteral("&Fit graph"),
                            QKeySequence(QStringLiteral("Ctrl+0")), QStringLiteral("actionFit"));
  connect(fit, &QAction::triggered, graph_, &GraphView::zoomToFit);
  view->addActions({find, zoomIn, zoomOut, fit});
  view->addSeparator();
  auto* colors = new QActionGroup(this);
  const char* colorNames[] = {"Colour by &op type", "Colour by &algorithm",
                              "Colour by measured &latency"};
  for (int mode = 0; mode < 3; ++mode) {
    colorActions_[mode] = makeAction(this, QString::fromUtf8(colorNames[mode]),
                                     QKeySequence(QStringLiteral("Ctrl+%1").arg(mode + 1)),
                                     QStringLiteral("actionColor%1").arg(mode));
    colorActions_[mode]->setCheckable(true);
    colors->addAction(colorActions_[mode]);
    connect(colorActions_[mode], &QAction::triggered, this, [this, mode] { setColorMode(mode); });
    view->addAction(colorActions_[mode]);
  }
  view->addSeparator();
  const char* tabNames[] = {"Show &graph", "Show layer latency &chart", "Show &plans chart",
                            "Show speed vs &error chart"};
  for (int tab = 0; tab < 4; ++tab) {
    QAction* show = makeAction(this, QString::fromUtf8(tabNames[tab]),
                               QKeySequence(QStringLiteral("Alt+%1").arg(tab + 1)),
                               QStringLiteral("actionShowTab%1").arg(tab));
    connect(show, &QAction::triggered, this, [this, tab] { viewTabs_->setCurrentIndex(tab); });
    view->addAction(show);
  }
  view->addSeparator();
  QAction* exportPng = makeAction(this, QStringLiteral("Export graph as &PNG…"),
                                  QKeySequence(QStringLiteral("Ctrl+Shift+P")),
                                  QStringLiteral("actionExportGraphPng"));
  connect(exportPng, &QAction::triggered, this, [this] { exportGraph(false); });
  QAction* exportSvg = makeAction(this, QStringLiteral("Export graph as S&VG…"),
                                  QKeySequence(QStringLiteral("Ctrl+Shift+S")),
                                  QStringLiteral("actionExportGraphSvg"));
  connect(exportSvg, &QAction::triggered, this, [this] { exportGraph(true); });
  QAction* exportChartAction = makeAction(
      this, QStringLiteral("Export &chart as PNG…"), QKeySequence(QStringLiteral("Ctrl+Shift+C")),
      QStringLiteral("actionExportChart"), QStringLiteral("Save the chart tab that is showing"));
  connect(exportChartAction, &QAction::triggered, this, &MainWindow::exportChart);
  view->addActions({exportPng, exportSvg, exportChartAction});
  modelActions_ << find << zoomIn << zoomOut << fit << exportPng << exportSvg << exportChartAction;
  // Ctrl+Shift+S is Save As on most platforms; the graph SVG export keeps it only if free.
  if (QKeySequence(QKeySequence::SaveAs) == exportSvg->shortcut())
    exportSvg->setShortcut(QKeySequence(QStringLiteral("Ctrl+Alt+S")));

  // --- Help
  QMenu* help = menuBar()->addMenu(QStringLiteral("&Help"));
  QAction* about = makeAction(this, QStringLiteral("&About algoscope"), QKeySequence::HelpContents,
                              QStringLiteral("actionAbout"));
  connect(about, &QAction::triggered, this, [this] {
    QMessageBox::about(
        this, QStringLiteral("About algoscope"),
        QStringLiteral("<h3>algoscope %1</h3><p>An explorer for the algorithmic design space of "
                       "neural networks: choose how each layer is computed, check it, time "
                       "it.</p><p>OpenBLAS kernels: %2<br>OpenBLAS threads: %3</p>")
            .arg(QString::fromUtf8(algoscope::version()),
                 QString::fromStdString(algoscope::openblas_core()).toHtmlEscaped(),
                 QString::fromStdString(algoscope::openblas_threading()).toHtmlEscaped()));
  });
  help->addAction(about);

  // --- Toolbar: the everyday actions, the colour mode and the layer search.
  QToolBar* tools = addToolBar(QStringLiteral("Main"));
  tools->setObjectName(QStringLiteral("mainToolBar"));
  tools->setMovable(false);
  tools->addActions({open, loadPlanAction, savePlanAction});
  tools->addSeparator();
  tools->addActions({runAction, timePlansAction});
  tools->addSeparator();
  tools->addActions({checkAction, timeAll, tuneAction});
  tools->addSeparator();
  tools->addActions({fit, compare});
  tools->addSeparator();
  colorCombo_ = new QComboBox;
  colorCombo_->addItems({QStringLiteral("Colour: op type"), QStringLiteral("Colour: algorithm"),
                         QStringLiteral("Colour: latency")});
  colorCombo_->setToolTip(QStringLiteral("How graph nodes are coloured (Ctrl+1/2/3)"));
  connect(colorCombo_, &QComboBox::activated, this, &MainWindow::setColorMode);
  tools->addWidget(colorCombo_);
  tools->addSeparator();
  findEdit_ = new QLineEdit;
  findEdit_->setObjectName(QStringLiteral("findEdit"));
  findEdit_->setPlaceholderText(QStringLiteral("Find layer (Ctrl+F)"));
  findEdit_->setClearButtonEnabled(true);
  findEdit_->setMaximumWidth(260);
  findEdit_->setToolTip(QStringLiteral("Name or op; Enter: next match, Shift+Enter: previous"));
  findResult_ = new QLabel;
  findResult_->setMinimumWidth(80);
  connect(findEdit_, &QLineEdit::returnPressed, this, [this] {
    const bool back = QApplication::keyboardModifiers() & Qt::ShiftModifier;
    const int matches = graph_->find(findEdit_->text(), back);
    findResult_->setText(
        findEdit_->text().isEmpty() ? QString()
        : matches ? QStringLiteral(" %1 match%2").arg(matches).arg(matches == 1 ? "" : "es")
                  : QStringLiteral(" no match"));
  });
  connect(findEdit_, &QLineEdit::textChanged, this, [this](const QString& text) {
    if (text.isEmpty()) {
      graph_->clearFind();
      findResult_->clear();
    }
  });
  tools->addWidget(findEdit_);
  tools->addWidget(findResult_);
}

QStringList MainWindow::sampleNames() {
  return {QStringLiteral("lenet.onnx"), QStringLiteral("tiny_resnet.onnx")};
}

void MainWindow::restoreSettings() {
  QSettings settings;
  if (!restoreGeometry(settings.value(SettingsKey::kGeometry).toByteArray())) resize(1440, 900);
  restoreState(settings.value(SettingsKey::kState).toByteArray());
  mainSplitter_->restoreState(settings.value(SettingsKey::kMainSplitter).toByteArray());
  centerSplitter_->restoreState(settings.value(SettingsKey::kCenterSplitter).toByteArray());
  table_->horizontalHeader()->restoreState(settings.value(SettingsKey::kTableHeader).toByteArray());
  viewTabs_->setCurrentIndex(settings.value(SettingsKey::kViewTab, 0).toInt());
  const int mode = std::clamp(AppSettings::colorMode(), 0, 2);
  colorActions_[mode]->setChecked(true);
  colorCombo_->setCurrentIndex(mode);
  graph_->setColorMode(GraphView::ColorMode(mode));
  rebuildRecentMenu();
}

void MainWindow::saveSettings() {
  QSettings settings;
  settings.setValue(SettingsKey::kGeometry, saveGeometry());
  settings.setValue(SettingsKey::kState, saveState());
  settings.setValue(SettingsKey::kMainSplitter, mainSplitter_->saveState());
  settings.setValue(SettingsKey::kCenterSplitter, centerSplitter_->saveState());
  settings.setValue(SettingsKey::kTableHeader, table_->horizontalHeader()->saveState());
  settings.setValue(SettingsKey::kViewTab, viewTabs_->currentIndex());
}

void MainWindow::setColorMode(int mode) {
  colorActions_[mode]->setChecked(true);
  colorCombo_->setCurrentIndex(mode);
  graph_->setColorMode(GraphView::ColorMode(mode));
  AppSettings::setColorMode(mode);
}

void MainWindow::setRunSettings(const RunSettings& settings) {
  runSettings_ = settings;
  AppSettings::setRunSettings(settings);
}

QString MainWindow::messageText() const {
  return messageBar_->isHidden() ? QString() : messageLabel_->text();
}

void MainWindow::showMessage(Level level, const QString& text) {
  const char* colors[] = {"#e8f1fc; border-bottom: 1px solid #9bbbe6",
                          "#fff4d6; border-bottom: 1px solid #e6c35c",
                          "#fde2e1; border-bottom: 1px solid #e08a85"};
  messageBar_->setStyleSheet(
      QStringLiteral("background: %1;").arg(QLatin1String(colors[int(level)])));
  messageLabel_->setText(text);
  messageIsJobReport_ = false;
  messageBar_->show();
  emit messageShown(text);
}

void MainWindow::showJobReport(Level level, const QString& text) {
  showMessage(level, text);
  messageIsJobReport_ = true;
}

void MainWindow::hideMessage() {
  messageLabel_->clear();
  messageBar_->hide();
}

bool MainWindow::startJob(Job job) {
  if (runner_->isBusy()) {
    // Never two at once: the person decides whether the new run replaces the old one.
    if (!prompts_.confirm(QStringLiteral("A run is in progress"),
                          QStringLiteral("Cancel \"%1\" and start \"%2\"?")
                              .arg(runner_->currentTitle(), job.title)))
      return false;
    runner_->replace(std::move(job));
    return true;
  }
  return runner_->start(std::move(job));
}

void MainWindow::openModel(const QString& path, const QString& planPath) {
  if (!maybeSavePlan()) return;
  const bool sample = path.startsWith(kSamplePrefix);
  QByteArray bytes;
  if (sample) {
    QFile resource(path);
    if (!resource.open(QIODevice::ReadOnly)) {
      showMessage(Level::Error, QStringLiteral("No bundled sample %1").arg(path));
      return;
    }
    bytes = resource.readAll();
  }
  QPointer<MainWindow> self(this);
  Job job =
      loadModelJob(path, bytes, [self, path, planPath, sample](std::shared_ptr<const Model> model) {
        if (self) self->onModelLoaded(std::move(model), path, planPath, !sample);
      });
  const QString title = job.title;
  if (!startJob(std::move(job))) return;
  // A failed load names the file; the open model stays as it was.
  auto connection = std::make_shared<QMetaObject::Connection>();
  *connection = connect(
      runner_, &JobRunner::finished, this,
      [this, path, title, connection](const QString& finishedTitle, JobRunner::Outcome outcome,
                                      const QString& message) {
        if (finishedTitle != title) return;  // the run this load replaced
        disconnect(*connection);
        // Announced once the load job is over, so whatever follows (a run,
        // a screenshot) finds the runner idle.
        if (outcome == JobRunner::Outcome::Completed && document_->model() && modelPath_ == path)
          emit modelLoaded(path);
        if (outcome != JobRunner::Outcome::Failed) return;
        const QString text =
            QStringLiteral("Could not open %1: %2").arg(QFileInfo(path).fileName(), message);
        showMessage(Level::Error, text);
        emit loadFailed(text);
      });
}

void MainWindow::openSample(const QString& fileName) { openModel(kSamplePrefix + fileName); }

void MainWindow::onModelLoaded(std::shared_ptr<const Model> model, const QString& path,
                               const QString& planPath, bool isFile) {
  hideMessage();
  modelPath_ = path;
  planPath_.clear();
  document_->setModel(std::move(model));
  if (isFile) {
    AppSettings::addRecentFile(path);
    rebuildRecentMenu();
  }
  const QString unsupported = document_->unsupportedSummary();
  if (!unsupported.isEmpty())
    showMessage(Level::Warning,
                QStringLiteral("The engine cannot run every node of this model: %1. The graph is "
                               "shown view-only with those nodes marked in red; runs are "
                               "disabled.")
                    .arg(unsupported.toHtmlEscaped()));
  if (!planPath.isEmpty()) loadPlan(planPath);
  // Something to read in the inspector from the start.
  if (document_->layerCount() > 0) document_->setCurrentRow(0);
  statusBar()->showMessage(QStringLiteral("Opened %1 (graph laid out in %2 ms)")
                               .arg(QFileInfo(path).fileName())
                               .arg(graph_->lastLayoutMs(), 0, 'f', 1),
                           8000);
}

bool MainWindow::loadPlan(const QString& path) {
  if (!document_->hasModel()) {
    showMessage(Level::Error, QStringLiteral("Open a model before loading a plan."));
    return false;
  }
  try {
    document_->setPlan(Plan::load(path.toStdString()));
  } catch (const Error& e) {
    showMessage(
        Level::Error,
        QStringLiteral("Plan %1 was not loaded (the current plan is unchanged):<pre>%2</pre>")
            .arg(QFileInfo(path).fileName().toHtmlEscaped(),
                 QString::fromUtf8(e.what()).toHtmlEscaped()));
    return false;
  }
  document_->markPlanSaved();
  planPath_ = path;
  updateTitle();
  statusBar()->showMessage(QStringLiteral("Loaded plan %1").arg(path), 5000);
  return true;
}

bool MainWindow::savePlan(const QString& path) {
  try {
    document_->plan().save(path.toStdString());
  } catch (const Error& e) {
    showMessage(Level::Error, QString::fromUtf8(e.what()).toHtmlEscaped());
    return false;
  }
  document_->markPlanSaved();
  planPath_ = path;
  updateTitle();
  statusBar()->showMessage(QStringLiteral("Saved plan %1").arg(path), 5000);
  return true;
}

void MainWindow::openPlanFile() {
  const QString path = prompts_.openFileName(QStringLiteral("Load plan"), kPlanFilter);
  if (!path.isEmpty()) loadPlan(path);
}

bool MainWindow::savePlanInteractive(bool askPath) {
  if (!document_->hasModel()) return false;
  QString path = planPath_;
  if (askPath || path.isEmpty()) {
    const QString suggested = planPath_.isEmpty()
                                  ? (modelPath_.startsWith(kSamplePrefix)
                                         ? QString()
                                         : QFileInfo(modelPath_).path() + QLatin1Char('/')) +
                                        QString::fromStdString(document_->model()->name) +
                                        QStringLiteral(".plan.json")
                                  : planPath_;
    path = prompts_.saveFileName(QStringLiteral("Save plan"), kPlanFilter, suggested);
    if (path.isEmpty()) return false;
  }
  return savePlan(path);
}

bool MainWindow::maybeSavePlan() {
  if (!document_->isPlanModified()) return true;
  switch (prompts_.unsavedChanges(QStringLiteral("The plan for %1 has unsaved changes.")
                                      .arg(QString::fromStdString(document_->model()->name)))) {
    case QMessageBox::Save:
      return savePlanInteractive(false);
    case QMessageBox::Discard:
      return true;
    default:
      return false;
  }
}

void MainWindow::runEndToEnd() {
  if (!document_->hasModel()) return;
  startJob(timePlansJob(*document_, {{QStringLiteral("current plan"), document_->plan()}},
                        runSettings_, QStringLiteral("Run end to end")));
}

void MainWindow::timePlans(std::vector<NamedPlan> plans) {
  if (!document_->hasModel()) return;
  if (plans.empty())
    plans = {{QStringLiteral("current plan"), document_->plan()},
             {QStringLiteral("engine default"), document_->engineDefaultPlan()},
             {QStringLiteral("reference"), document_->referencePlan()}};
  startJob(timePlansJob(*document_, std::move(plans), runSettings_, QStringLiteral("Time plans")));
}

void MainWindow::checkPlan() {
  if (!document_->hasModel()) return;
  QPointer<MainWindow> self(this);
  startJob(checkPlanJob(*document_, document_->plan(), runSettings_, [self](const CheckResult& r) {
    if (self) self->onCheckDone(r);
  }));
}

void MainWindow::onCheckDone(const CheckResult& result) {
  if (result.partial) {
    showJobReport(
        Level::Info,
        QStringLiteral("The check was cancelled after %1 layer(s); their verdicts are kept "
                       "in the table (partial), the outputs were not compared.")
            .arg(result.layers.size()));
    return;
  }
  int compared = 0;
  for (const LayerCheck& layer : result.layers) compared += layer.compared;
  QStringList outputs;
  for (const OutputCheck& output : result.outputs)
    outputs << QStringLiteral("%1: max |Δ| %2 vs reference%3 (%4)")
                   .arg(QString::fromStdString(output.name),
                        humanError(output.vs_reference.max_abs_error),
                        output.vs_expected ? QStringLiteral(", %1 vs expected")
                                                 .arg(humanError(output.vs_expected->max_abs_error))
                                           : QString(),
                        output.passed() ? QStringLiteral("ok") : QStringLiteral("MISMATCH"));
  const QString endToEnd =
      QStringLiteral("end to end (|Δ| ≤ %1·s + %2·|ref|, s = max(1, max |ref|)): %3")
          .arg(result.end_to_end_tolerance.atol, 0, 'g', 2)
          .arg(result.end_to_end_tolerance.rtol, 0, 'g', 2)
          .arg(outputs.join(QStringLiteral("; ")));
  if (result.passed()) {
    hideMessage();
    statusBar()->showMessage(
        QStringLiteral("Check passed: %1 layer(s) compared with reference, all within tolerance; "
                       "%2")
            .arg(compared)
            .arg(endToEnd),
        20000);
    return;
  }
  // The culprits first, by name and algorithm, as the CLI's check prints them.
  QStringList lines;
  const auto failed = result.failed_layers();
  for (size_t i = 0; i < failed.size() && i < 6; ++i) {
    const LayerCheck& l = *failed[i];
    lines << (l.failure.empty()
                  ? QStringLiteral("<b>%1</b> (%2, %3): %4 of %5 elements outside |Δ| ≤ %6 + "
                                   "%7·|ref|, max |Δ| %8")
                        .arg(QString::fromStdString(l.node).toHtmlEscaped(),
                             QString::fromStdString(l.op_type),
                             QString::fromStdString(l.algorithm).toHtmlEscaped())
                        .arg(l.error.mismatches)
                        .arg(l.error.elements)
                        .arg(l.error.tolerance.atol * l.error.scale, 0, 'g', 2)
                        .arg(l.error.tolerance.rtol, 0, 'g', 2)
                        .arg(humanError(l.error.max_abs_error))
                  : QStringLiteral("<b>%1</b> (%2, %3) failed: %4")
                        .arg(QString::fromStdString(l.node).toHtmlEscaped(),
                             QString::fromStdString(l.op_type),
                             QString::fromStdString(l.algorithm).toHtmlEscaped(),
                             QString::fromStdString(l.failure).toHtmlEscaped()));
  }
  if (failed.size() > 6) lines << QStringLiteral("… and %1 more").arg(failed.size() - 6);
  lines << endToEnd.toHtmlEscaped();
  showJobReport(
      Level::Warning,
      QStringLiteral("Check failed: %1 of %2 compared layer(s) differ from reference.<br>%3")
          .arg(failed.size())
          .arg(compared)
          .arg(lines.join(QStringLiteral("<br>"))));
}

void MainWindow::timeAlgorithms(const QList<int>& rows) {
  if (!document_->hasModel()) return;
  std::vector<std::string> nodes;
  for (int row : rows)
    if (document_->layer(row).runnable()) nodes.push_back(document_->layer(row).name.toStdString());
  if (!rows.isEmpty() && nodes.empty()) {
    showMessage(Level::Info, QStringLiteral("None of the selected layers can run."));
    return;
  }
  QPointer<MainWindow> self(this);
  startJob(timeAlgorithmsJob(*document_, document_->plan(), std::move(nodes), runSettings_,
                             [self](const LayerTimingResult& r) {
                               if (self) self->onTimingDone(r);
                             }));
}

void MainWindow::timeSelectedAlgorithms() {
  const QList<int> rows = selectedRows();
  if (rows.isEmpty()) {
    showMessage(Level::Info, QStringLiteral("Select layers in the table or the graph first (or "
                                            "use Time algorithms of all layers)."));
    return;
  }
  timeAlgorithms(rows);
}

void MainWindow::onTimingDone(const LayerTimingResult& result) {
  std::set<size_t> layers;
  int unusable = 0;
  for (const AlgorithmTiming& t : result.timings) {
    layers.insert(t.index);
    unusable += !t.usable();
  }
  const QString text =
      QStringLiteral(
          "%1 algorithm timing(s) on %2 layer(s), %3 thread(s); %4 failed or out of "
          "tolerance")
          .arg(result.timings.size())
          .arg(layers.size())
          .arg(result.threads)
          .arg(unusable);
  if (result.partial)
    showJobReport(
        Level::Info,
        QStringLiteral("Timing was cancelled: %1 are kept (partial).").arg(text.toHtmlEscaped()));
  else
    statusBar()->showMessage(QStringLiteral("Timed ") + text, 15000);
}

void MainWindow::tunePlan() {
  if (!document_->hasModel()) return;
  QPointer<MainWindow> self(this);
  startJob(tuneJob(*document_, runSettings_, [self](const TuneResult& r) {
    if (self) self->onTuneDone(r);
  }));
}

void MainWindow::onTuneDone(const TuneResult& result) {
  QStringList notes;
  for (const std::string& note : result.notes)
    notes << QString::fromStdString(note).toHtmlEscaped();
  if (result.partial) {
    showJobReport(
        Level::Info,
        QStringLiteral("Tuning was cancelled after %1 of %2 layer(s). Their measurements "
                       "are kept (partial); the plan is unchanged. Plan ▸ Use tuned plan "
                       "applies the partial choice (the engine's choice elsewhere).%3")
            .arg(result.layers.size())
            .arg(document_->layerCount())
            .arg(notes.isEmpty() ? QString()
                                 : QStringLiteral("<br>") + notes.join(QStringLiteral("<br>"))));
    return;
  }
  if (!notes.isEmpty()) showJobReport(Level::Warning, notes.join(QStringLiteral("<br>")));
  QString text = QStringLiteral(
                     "Tuned %1 layer(s): %2 algorithm timing(s) performed, %3 layer(s) "
                     "from the tuning cache.")
                     .arg(result.layers.size())
                     .arg(result.timings_performed)
                     .arg(result.cache_hits);
  if (result.end_to_end) {
    text += QStringLiteral(" The tuned plan runs in %1 end to end")
                .arg(humanSeconds(result.end_to_end->latency.median_ms * 1e-3));
    for (const FamilyPlan& family : result.family_plans)
      if (family.chosen && result.per_layer_end_to_end)
        text += QStringLiteral(
                    ", with %1 layer(s) switched to %2 algorithms that pass values to each other "
                    "in their own layout (the fastest choice of each layer alone: %3)")
                    .arg(family.layers)
                    .arg(QString::fromStdString(family.family))
                    .arg(humanSeconds(result.per_layer_end_to_end->latency.median_ms * 1e-3));
    if (auto current = document_->currentPlanLatency())
      text += QStringLiteral(" (the current plan: %1)").arg(humanSeconds(current->timing.median));
    text += QLatin1Char('.');
  }
  // Asked once the job is over, so the progress bar is gone and a new run may start.
  afterJob_ = [this, text] {
    if (prompts_.confirm(QStringLiteral("Use the tuned plan?"),
                         text + QStringLiteral("\n\nReplace the current plan with the tuned "
                                               "one? (Plan ▸ Use tuned plan does it later.)")))
      useTunedPlan();
    else
      statusBar()->showMessage(text, 15000);
  };
}

bool MainWindow::useTunedPlan() {
  if (!document_->hasModel() || !document_->lastTune()) return false;
  try {
    document_->setPlan(document_->lastTune()->plan);
  } catch (const Error& e) {
    showMessage(Level::Error, QStringLiteral("The tuned plan does not fit: %1")
                                  .arg(QString::fromUtf8(e.what()).toHtmlEscaped()));
    return false;
  }
  statusBar()->showMessage(QStringLiteral("Using the tuned plan (not saved yet: Plan ▸ Save plan)"),
                           10000);
  return true;
}

void MainWindow::applyHeuristicPlan() {
  if (!document_->hasModel()) return;
  Plan plan;
  try {
    plan = heuristic_plan(*document_->model());
  } catch (const Error& e) {
    showMessage(Level::Error, QString::fromUtf8(e.what()).toHtmlEscaped());
    return;
  }
  if (!prompts_.confirm(QStringLiteral("Heuristic plan"),
                        QStringLiteral("Replace the current plan with the registry's shape rules' "
                                       "choice for every layer (nothing is timed)?")))
    return;
  try {
    document_->setPlan(plan);
  } catch (const Error& e) {
    showMessage(Level::Error, QString::fromUtf8(e.what()).toHtmlEscaped());
    return;
  }
  statusBar()->showMessage(QStringLiteral("Heuristic plan applied (not saved yet)"), 10000);
}

bool MainWindow::loadPlugin(const QString& path) {
  if (runner_->isBusy()) {
    showMessage(Level::Warning,
                QStringLiteral("Wait for \"%1\" to finish (or cancel it) before loading a plugin: "
                               "the engine reads the registry while it measures.")
                    .arg(runner_->currentTitle().toHtmlEscaped()));
    return false;
  }
  PluginInfo info;
  try {
    info = load_plugin(path.toStdString());
  } catch (const Error& e) {
    showMessage(
        Level::Error,
        QStringLiteral("Plugin not loaded: %1").arg(QString::fromUtf8(e.what()).toHtmlEscaped()));
    return false;
  }
  // New algorithms for the open model's layers: the combos, the inspector, the engine's choice.
  document_->refreshAlgorithms();
  QStringList added;
  for (const std::string& algorithm : info.algorithms) added << QString::fromStdString(algorithm);
  statusBar()->showMessage(
      QStringLiteral("Loaded plugin %1: %2")
          .arg(QFileInfo(path).fileName(), added.isEmpty() ? QStringLiteral("no algorithms")
                                                           : added.join(QStringLiteral(", "))),
      10000);
  return true;
}

QList<int> MainWindow::selectedRows() const {
  QList<int> rows;
  for (const QModelIndex& index : table_->selectionModel()->selectedRows())
    rows << index.data(LayerTableModel::RowRole).toInt();
  if (rows.isEmpty() && document_->currentRow() >= 0) rows << document_->currentRow();
  std::sort(rows.begin(), rows.end());
  return rows;
}

void MainWindow::bulkSelected() {
  const QList<int> rows = selectedRows();
  if (rows.isEmpty()) {
    showMessage(Level::Info, QStringLiteral("Select layers in the table first."));
    return;
  }
  // Every algorithm that fits at least one selected layer.
  QStringList names{QString::fromStdString(Plan::kDefault)};
  for (int row : rows)
    for (const AlgorithmOption& option : document_->layer(row).algorithms)
      if (option.applicable() && !names.contains(option.name)) names << option.name;
  const QString algorithm = prompts_.chooseItem(
      QStringLiteral("Set algorithm"),
      QStringLiteral("Algorithm for the %1 selected layer(s):").arg(rows.size()), names);
  if (algorithm.isEmpty()) return;
  QStringList skipped;
  const int changed = document_->setRowsAlgorithm(rows, algorithm, &skipped);
  if (skipped.isEmpty())
    statusBar()->showMessage(QStringLiteral("%1 on %2 layer(s)").arg(algorithm).arg(changed), 5000);
  else
    showMessage(Level::Info, QStringLiteral("%1 set on %2 layer(s); left alone where it does not "
                                            "apply:<br>%3")
                                 .arg(algorithm)
                                 .arg(changed)
                                 .arg(skipped.join(QStringLiteral("<br>")).toHtmlEscaped()));
}

void MainWindow::bulkOpType() {
  if (!document_->hasModel()) return;
  QString op =
      document_->currentRow() >= 0 ? document_->layer(document_->currentRow()).opType : QString();
  if (op.isEmpty()) {
    QStringList ops;
    for (const QString& candidate : document_->opTypes())
      for (int row = 0; row < document_->layerCount(); ++row)
        if (document_->layer(row).opType == candidate && document_->layer(row).runnable()) {
          ops << candidate;
          break;
        }
    op = prompts_.chooseItem(QStringLiteral("Op type"), QStringLiteral("Op type:"), ops);
    if (op.isEmpty()) return;
  }
  QStringList names{QString::fromStdString(Plan::kDefault)};
  for (int row = 0; row < document_->layerCount(); ++row)
    if (document_->layer(row).opType == op)
      for (const AlgorithmOption& option : document_->layer(row).algorithms)
        if (option.applicable() && !names.contains(option.name)) names << option.name;
  const QString algorithm = prompts_.chooseItem(
      QStringLiteral("Set algorithm for all %1 layers").arg(op),
      QStringLiteral("Default algorithm for %1 (the plan's per-op default):").arg(op), names);
  if (algorithm.isEmpty()) return;
  int layers = 0;
  for (int row = 0; row < document_->layerCount(); ++row)
    if (document_->layer(row).opType == op) ++layers;
  const int applies = document_->setOpTypeDefault(op, algorithm);
  statusBar()->showMessage(
      QStringLiteral("%1 default: %2 (runs %3 of %4 layers; the others keep the engine's choice or "
                     "their own)")
          .arg(op, algorithm)
          .arg(applies)
          .arg(layers),
      8000);
}

void MainWindow::bulkSignature() {
  const int current = document_->currentRow();
  if (current < 0) {
    showMessage(Level::Info, QStringLiteral("Select a layer first: layers with its signature (op, "
                                            "input shapes, attributes) get the same algorithm."));
    return;
  }
  const LayerFacts& facts = document_->layer(current);
  const QList<int> rows = document_->rowsWithSignature(facts.signature);
  QStringList names{QString::fromStdString(Plan::kDefault)};
  for (const AlgorithmOption& option : facts.algorithms)
    if (option.applicable()) names << option.name;
  const QString algorithm = prompts_.chooseItem(
      QStringLiteral("Set algorithm by signature"),
      QStringLiteral("Algorithm for the %1 layer(s) like %2:").arg(rows.size()).arg(facts.name),
      names);
  if (algorithm.isEmpty()) return;
  const int changed = document_->setRowsAlgorithm(rows, algorithm);
  statusBar()->showMessage(QStringLiteral("%1 on %2 layer(s) with the signature of %3")
                               .arg(algorithm)
                               .arg(changed)
                               .arg(facts.name),
                           5000);
}

void MainWindow::exportResults(bool json) {
  if (!document_->hasModel()) return;
  const QString name = QString::fromStdString(document_->model()->name);
  const QString path = prompts_.saveFileName(
      json ? QStringLiteral("Export results as JSON") : QStringLiteral("Export results as CSV"),
      json ? QStringLiteral("JSON (*.json)") : QStringLiteral("CSV (*.csv)"),
      name + (json ? QStringLiteral(".results.json") : QStringLiteral(".results.csv")));
  if (path.isEmpty()) return;
  QSaveFile out(path);
  const QByteArray bytes = json ? resultsJson(*document_) : resultsCsv(*document_).toUtf8();
  if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit()) {
    showMessage(Level::Error,
                QStringLiteral("Could not write %1: %2").arg(path, out.errorString()));
    return;
  }
  statusBar()->showMessage(QStringLiteral("Exported %1").arg(path), 5000);
}

void MainWindow::exportGraph(bool svg) {
  if (!document_->hasModel()) return;
  const QString name = QString::fromStdString(document_->model()->name);
  const QString path = prompts_.saveFileName(
      svg ? QStringLiteral("Export graph as SVG") : QStringLiteral("Export graph as PNG"),
      svg ? QStringLiteral("SVG (*.svg)") : QStringLiteral("PNG (*.png)"),
      name + (svg ? QStringLiteral(".svg") : QStringLiteral(".png")));
  if (path.isEmpty()) return;
  if (!(svg ? graph_->exportSvg(path) : graph_->exportPng(path)))
    showMessage(Level::Error, QStringLiteral("Could not write %1").arg(path));
  else
    statusBar()->showMessage(QStringLiteral("Exported %1").arg(path), 5000);
}

void MainWindow::exportChart() {
  // The chart tab showing, or the layer chart when the graph is showing.
  QWidget* current = viewTabs_->currentWidget();
  const QString suggested = current == plansChart_        ? QStringLiteral("plans.png")
                            : current == speedErrorChart_ ? QStringLiteral("speed_vs_error.png")
                                                          : QStringLiteral("layer_latency.png");
  const QString path = prompts_.saveFileName(QStringLiteral("Export chart as PNG"),
                                             QStringLiteral("PNG (*.png)"), suggested);
  if (path.isEmpty()) return;
  const bool written = current == plansChart_        ? plansChart_->exportPng(path)
                       : current == speedErrorChart_ ? speedErrorChart_->exportPng(path)
                                                     : layerChart_->exportPng(path);
  if (!written) showMessage(Level::Error, QStringLiteral("Could not write %1").arg(path));
}

void MainWindow::showCompareDialog() {
  if (!document_->hasModel()) return;
  if (!compareDialog_) {
    compareDialog_ = new PlanCompareDialog(document_, this);
    connect(compareDialog_, &PlanCompareDialog::timePlansRequested, this,
            [this](const std::vector<NamedPlan>& plans) { timePlans(plans); });
    // Plans picked for one model mean nothing for the next: a new model gets a fresh dialog.
    connect(document_, &ModelDocument::modelChanged, compareDialog_, [this] {
      compareDialog_->deleteLater();
      compareDialog_ = nullptr;
    });
  }
  compareDialog_->show();
  compareDialog_->raise();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList files = AppSettings::recentFiles();
  for (int i = 0; i < files.size(); ++i) {
    QAction* action = recentMenu_->addAction(QFileInfo(files[i]).fileName());
    action->setToolTip(files[i]);
    action->setStatusTip(files[i]);
    if (i < 9) action->setShortcut(QKeySequence(QStringLiteral("Ctrl+Alt+%1").arg(i + 1)));
    const QString path = files[i];
    connect(action, &QAction::triggered, this, [this, path] { openModel(path); });
  }
  recentMenu_->setEnabled(!files.isEmpty());
}

void MainWindow::updateActions() {
  const bool model = document_->hasModel();
  const bool runnable = model && document_->unsupportedSummary().isEmpty();
  for (QAction* action : modelActions_) action->setEnabled(model);
  for (QAction* action : runnableActions_) action->setEnabled(runnable);
  cancelAction_->setEnabled(runner_->isBusy());
  useTunedAction_->setEnabled(model && document_->lastTune().has_value());
}

QString MainWindow::statusSummary() const { return summaryLabel_->text(); }

void MainWindow::updateStatus() {
  const Model* model = document_->model();
  if (!model) {
    summaryLabel_->setText(QStringLiteral("No model — File ▸ Open (Ctrl+O) or Open sample"));
    return;
  }
  QString latency = QStringLiteral("latency: not measured (F5)");
  if (auto current = document_->currentPlanLatency())
    latency = QStringLiteral("latency %1 (median of %2, %3 thread(s))")
                  .arg(humanSeconds(current->timing.median))
                  .arg(current->timing.samples)
                  .arg(current->threads);
  else if (!document_->planLatencies().empty() && document_->hasTimings())
    latency = QStringLiteral("latency: plan changed since the last run (F5)");
  if (const CheckSummary* check = document_->currentCheck())
    latency +=
        check->partial ? QStringLiteral(" · check cancelled (partial)")
        : check->passed
            ? QStringLiteral(" · check passed")
            : QStringLiteral(" · check FAILED (%1 layer(s)%2)")
                  .arg(check->failedLayers.size())
                  .arg(check->failedLayers.isEmpty() ? QStringLiteral(", outputs") : QString());
  summaryLabel_->setText(QStringLiteral("%1 · %2 layers · %3FLOPs · %4")
                             .arg(QString::fromStdString(model->name))
                             .arg(document_->layerCount())
                             .arg(humanCount(document_->totalFlops()))
                             .arg(latency));
}

void MainWindow::updateTitle() {
  QString title = QStringLiteral("algoscope");
  if (const Model* model = document_->model()) {
    title = QString::fromStdString(model->name) + QStringLiteral("[*]");
    if (!planPath_.isEmpty()) title += QStringLiteral(" — ") + QFileInfo(planPath_).fileName();
    title += QStringLiteral(" — algoscope");
  }
  setWindowTitle(title);
  setWindowModified(document_->isPlanModified());
}

void MainWindow::showView(int index) { viewTabs_->setCurrentIndex(index); }

bool MainWindow::saveScreenshot(const QString& path) {
  QImage image = grab().toImage();
  return !image.isNull() && image.save(path, "PNG");
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!maybeSavePlan()) {
    event->ignore();
    return;
  }
  runner_->cancel();
  saveSettings();
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  for (const QUrl& url : event->mimeData()->urls())
    if (url.isLocalFile() && (url.toLocalFile().endsWith(QStringLiteral(".onnx")) ||
                              url.toLocalFile().endsWith(QStringLiteral(".json")))) {
      event->acceptProposedAction();
      return;
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    const QString path = url.toLocalFile();
    if (path.endsWith(QStringLiteral(".onnx"))) {
      openModel(path);
      break;
    }
    if (path.endsWith(QStringLiteral(".json"))) {  // a plan for the open model
      loadPlan(path);
      break;
    }
  }
  event->acceptProposedAction();
}

}  // namespace algoscope::gui
