// MainWindow: layout and the glue between the views, the document and the job runner. The actions
// are a table in main_window_actions.cpp, opening and saving files is in main_window_files.cpp,
// the report wording is in reports.cpp.
#include "main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QPointer>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <utility>

#include "algoscope/algoscope.h"
#include "analysis_charts.h"
#include "charts.h"
#include "graph_view.h"
#include "inspector.h"
#include "job_progress.h"
#include "job_runner.h"
#include "layer_table_model.h"
#include "layer_table_page.h"
#include "message_bar.h"
#include "model_document.h"
#include "plan_compare.h"
#include "reports.h"
#include "results_export.h"
#include "settings.h"

// The bundled samples live in resources/algoscope.qrc, compiled into this static library; its
// initializer must be called from the global namespace.
static void initAlgoscopeResources() { Q_INIT_RESOURCE(algoscope); }

namespace algoscope::gui {

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
  prompts_.existingDirectory = [this](const QString& caption) {
    return QFileDialog::getExistingDirectory(this, caption);
  };
  runSettings_ = AppSettings::runSettings();
  buildViews();
  buildActions();
  restoreSettings();
  // Before any model is opened: the first GPU algorithm asked about fixes the device.
  if (const QString problem = applyGpuDevice(runSettings_.gpuDevice); !problem.isEmpty())
    showMessage(Level::Warning, QStringLiteral("GPU device: %1").arg(problem.toHtmlEscaped()));

  connect(document_, &ModelDocument::modelChanged, this, [this] {
    findEdit_->clear();  // a search belongs to the model it was typed for
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
    updateActions();  // Use tuned plan follows the last tune
  });

  connect(runner_, &JobRunner::started, this, [this] {
    // What the last run reported is history once the next one starts.
    if (messageBar_->showsJobReport()) hideMessage();
    updateActions();
  });
  // The progress widget hides itself first (it connected first), so what follows a job finds the
  // status bar without it.
  connect(runner_, &JobRunner::finished, this,
          [this](const QString& title, JobRunner::Outcome outcome, const QString& message) {
            updateActions();
            if (auto report = jobOutcomeReport(title, outcome, message,
                                               !statusBar()->currentMessage().isEmpty()))
              showReport(*report);
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
  propagationChart_ = new ErrorPropagationChart(document_);
  memoryChart_ = new MemoryChart(document_);
  rooflineChart_ = new RooflineChart(document_);
  viewTabs_ = new QTabWidget;
  viewTabs_->addTab(graph_, QStringLiteral("Graph"));
  viewTabs_->addTab(layerChart_, QStringLiteral("Layer latency"));
  viewTabs_->addTab(plansChart_, QStringLiteral("Plans"));
  viewTabs_->addTab(speedErrorChart_, QStringLiteral("Speed vs error"));
  viewTabs_->addTab(propagationChart_, QStringLiteral("Error propagation"));
  viewTabs_->addTab(memoryChart_, QStringLiteral("Memory"));
  viewTabs_->addTab(rooflineChart_, QStringLiteral("Roofline"));

  tablePage_ = new LayerTablePage(document_);
  table_ = tablePage_->table();
  tableModel_ = tablePage_->model();

  inspector_ = new Inspector(document_);

  messageBar_ = new MessageBar;

  centerSplitter_ = new QSplitter(Qt::Vertical);
  centerSplitter_->addWidget(viewTabs_);
  centerSplitter_->addWidget(tablePage_);
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
  statusBar()->addPermanentWidget(new JobProgress(runner_));
  statusBar()->addPermanentWidget(summaryLabel_);
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
  const int mode = std::clamp(AppSettings::colorMode(), 0, 3);
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
  applyGpuDevice(settings.gpuDevice);  // until GPU algorithms run; the dialog says when it waits
}

QString MainWindow::messageText() const { return messageBar_->text(); }

void MainWindow::showMessage(Level level, const QString& text) {
  messageBar_->showMessage(level, text);
  emit messageShown(text);
}

void MainWindow::showJobReport(Level level, const QString& text) {
  messageBar_->showMessage(level, text, true);
  emit messageShown(text);
}

void MainWindow::showReport(const Report& report) {
  if (report.where == Report::Where::MessageBar)
    showJobReport(report.level, report.text);
  else
    statusBar()->showMessage(report.text, report.timeoutMs);
}

void MainWindow::hideMessage() { messageBar_->dismiss(); }

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

bool MainWindow::extractSelectedLayer() {
  const int row = document_->currentRow();
  if (!document_->hasModel() || row < 0) return false;
  const QString parent = prompts_.existingDirectory(
      QStringLiteral("Folder to extract layer %1 into").arg(document_->layer(row).name));
  if (parent.isEmpty()) return false;
  // One folder per layer, named after it with only characters safe in a file name.
  QString folder = document_->layer(row).name;
  for (QChar& c : folder)
    if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('_'))
      c = QLatin1Char('_');
  const QString directory = QDir(parent).filePath(folder);
  const QString layer = document_->layer(row).name;
  QPointer<MainWindow> self(this);
  startJob(extractLayerJob(*document_, document_->plan(), layer.toStdString(), modelPath_,
                           directory, runSettings_, [self, layer](const ExtractedLayer& x) {
                             if (!self) return;
                             self->statusBar()->showMessage(
                                 QStringLiteral("Layer %1 (%2 ONNX node(s)) extracted to %3, "
                                                "with the input and output it had under this "
                                                "plan in test_data_set_0")
                                     .arg(layer)
                                     .arg(x.onnx_nodes.size())
                                     .arg(QString::fromStdString(x.model_path)),
                                 10000);
                           }));
  return true;
}

void MainWindow::onCheckDone(const CheckResult& result) {
  const Report report = checkReport(result);
  if (result.passed() && !result.partial) hideMessage();
  showReport(report);
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

void MainWindow::onTimingDone(const LayerTimingResult& result) { showReport(timingReport(result)); }

void MainWindow::tunePlan() {
  if (!document_->hasModel()) return;
  QPointer<MainWindow> self(this);
  startJob(tuneJob(*document_, runSettings_, [self](const TuneResult& r) {
    if (self) self->onTuneDone(r);
  }));
}

void MainWindow::onTuneDone(const TuneResult& result) {
  if (auto report = tuneReport(result, document_->layerCount())) showReport(*report);
  if (result.partial) return;
  std::optional<double> current;
  if (auto latency = document_->currentPlanLatency()) current = latency->timing.median;
  const QString text = tuneSummaryText(result, current);
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

QList<int> MainWindow::selectedRows() const { return tablePage_->selectedRows(); }

void MainWindow::showEditReport(const std::optional<Report>& report) {
  if (!report) return;
  if (report->where == Report::Where::MessageBar)
    showMessage(report->level, report->text);
  else
    statusBar()->showMessage(report->text, report->timeoutMs);
}

void MainWindow::bulkSelected() {
  showEditReport(tablePage_->setAlgorithmForSelected(prompts_.chooseItem));
}

void MainWindow::bulkOpType() {
  showEditReport(tablePage_->setAlgorithmForOpType(prompts_.chooseItem));
}

void MainWindow::bulkSignature() {
  showEditReport(tablePage_->setAlgorithmForSignature(prompts_.chooseItem));
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
  const QString suggested = current == plansChart_         ? QStringLiteral("plans.png")
                            : current == speedErrorChart_  ? QStringLiteral("speed_vs_error.png")
                            : current == propagationChart_ ? QStringLiteral("error_propagation.png")
                            : current == memoryChart_      ? QStringLiteral("memory.png")
                            : current == rooflineChart_    ? QStringLiteral("roofline.png")
                                                           : QStringLiteral("layer_latency.png");
  const QString path = prompts_.saveFileName(QStringLiteral("Export chart as PNG"),
                                             QStringLiteral("PNG (*.png)"), suggested);
  if (path.isEmpty()) return;
  const bool written = current == plansChart_         ? plansChart_->exportPng(path)
                       : current == speedErrorChart_  ? speedErrorChart_->exportPng(path)
                       : current == propagationChart_ ? propagationChart_->exportPng(path)
                       : current == memoryChart_      ? memoryChart_->exportPng(path)
                       : current == rooflineChart_    ? rooflineChart_->exportPng(path)
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

QString MainWindow::statusSummary() const { return summaryLabel_->text(); }

void MainWindow::updateStatus() { summaryLabel_->setText(statusSummaryText(*document_)); }

void MainWindow::updateTitle() {
  const Model* model = document_->model();
  setWindowTitle(
      windowTitleText(model ? QString::fromStdString(model->name) : QString(), planPath_));
  setWindowModified(document_->isPlanModified());
}

void MainWindow::showView(int index) { viewTabs_->setCurrentIndex(index); }

bool MainWindow::saveScreenshot(const QString& path) {
  return savePngAtomically(grab().toImage(), path);
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

}  // namespace algoscope::gui
