// MainWindow's file handling: opening models (files, bundled samples, recent files, drops),
// loading and saving plans with the unsaved-changes prompt, and loading plugins. Kept apart from
// the window's layout and job glue in main_window.cpp.
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QMenu>
#include <QMimeData>
#include <QPointer>
#include <QStatusBar>

#include "algoscope/algoscope.h"
#include "graph_view.h"
#include "job_runner.h"
#include "main_window.h"
#include "model_document.h"
#include "reports.h"
#include "settings.h"

namespace algoscope::gui {
namespace {

const QString kPlanFilter = QStringLiteral("algoscope plans (*.json);;All files (*)");
// Where the bundled samples (resources/algoscope.qrc) are found.
const QString kSamplePrefix = QStringLiteral(":/models/");

}  // namespace

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
  if (!unsupported.isEmpty()) showMessage(Level::Warning, unsupportedModelText(unsupported));
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

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList files = AppSettings::recentFiles();
  for (int i = 0; i < files.size(); ++i) {
    // Exports are often all "model.onnx": the folder tells them apart.
    QAction* action = recentMenu_->addAction(recentFileText(files[i]));
    action->setToolTip(files[i]);
    action->setStatusTip(files[i]);
    if (i < 9) action->setShortcut(QKeySequence(QStringLiteral("Ctrl+Alt+%1").arg(i + 1)));
    const QString path = files[i];
    connect(action, &QAction::triggered, this, [this, path] { openModel(path); });
  }
  recentMenu_->setEnabled(!files.isEmpty());
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
