// The explorer's main window: menus, toolbar and shortcuts for every action, the graph and chart
// tabs over the layer table, the inspector on the right, a message bar for errors, and the run
// progress (with Cancel) and model summary in the status bar. It wires the views to one
// ModelDocument and starts every piece of engine work on one JobRunner: loading, runs end to end,
// the equivalence check, timing every algorithm of layers, tuning. Plugins load from File ▸ Load
// plugin (or the app's --plugin) while no job runs.
//
// The parts live apart, as in KDAB hotspot: the actions are one table (actionTable(),
// main_window_actions.cpp), the report wording is plain functions (reports.h), and the pages with
// logic are their own classes (LayerTablePage, MessageBar, JobProgress, the charts, the graph, the
// inspector). Dialogs go through Prompts, so tests and the headless screenshot can answer them
// without a person; by default they are the usual Qt dialogs.
#pragma once

#include <QKeySequence>
#include <QMainWindow>
#include <QMessageBox>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "jobs.h"
#include "reports.h"

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QSplitter;
class QTabWidget;
class QTableView;

namespace algoscope::gui {

class GraphView;
class Inspector;
class JobRunner;
class LayerLatencyChart;
class LayerTableModel;
class LayerTablePage;
class MessageBar;
class ModelDocument;
class PlansChart;
class SpeedErrorChart;
class ErrorPropagationChart;
class MemoryChart;
class RooflineChart;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  struct Prompts {
    std::function<QString(const QString& caption, const QString& filter)> openFileName;
    std::function<QString(const QString& caption, const QString& filter, const QString& suggested)>
        saveFileName;
    // Yes/no question; true for yes.
    std::function<bool(const QString& title, const QString& text)> confirm;
    // Save, Discard or Cancel for unsaved plan edits.
    std::function<QMessageBox::StandardButton(const QString& text)> unsavedChanges;
    // One of `items`, or an empty string when cancelled.
    std::function<QString(const QString& title, const QString& label, const QStringList& items)>
        chooseItem;
    // An existing folder, or an empty string when cancelled.
    std::function<QString(const QString& caption)> existingDirectory;
  };

  // One row of the window's action table (main_window_actions.cpp): everything an action is.
  struct ActionSpec {
    enum class Enable {
      Always,
      Model,      // an open model
      Runnable,   // a model the engine can run entirely
      Busy,       // a job is running (Cancel)
      TunedPlan,  // a tune has finished
    };
    QString menu;  // "&Run"; a submenu is "&File/Open &sample"
    QString objectName;
    QString text;
    QKeySequence shortcut;
    QString tip;  // status and tool tip; empty: the text
    Enable enable = Enable::Always;
    std::function<void(MainWindow&)> handler;
    QString iconText;              // the toolbar's short label, when it differs
    QString checkGroup;            // checkable, exclusive within the group
    bool toggle = false;           // checkable on its own, starting checked
    bool separatorBefore = false;  // in its menu
    bool inLayerMenu = false;      // also in the layer table's context menu
  };
  // Every action, in menu order. The handlers run on the window they are given.
  static std::vector<ActionSpec> actionTable();

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  Prompts& prompts() { return prompts_; }

  // Loads on the worker thread; modelLoaded or loadFailed follows. The previous model stays open
  // until the new one has loaded (and stays if it fails). A plan given here is applied after.
  void openModel(const QString& path, const QString& planPath = {});
  void openSample(const QString& fileName);  // a bundled sample, e.g. "tiny_resnet.onnx"
  static QStringList sampleNames();
  // Validated against the model; on error the message bar says why and the plan is unchanged.
  bool loadPlan(const QString& path);
  bool savePlan(const QString& path);
  void runEndToEnd();
  void timePlans(std::vector<NamedPlan> plans = {});  // default: current, engine default, reference
  // The measurement services on the current plan (Run menu). Results stream into the views; the
  // message bar or status bar reports the outcome.
  void checkPlan();
  // Every applicable algorithm of these rows (empty: of every layer), each compared with reference.
  void timeAlgorithms(const QList<int>& rows = {});
  void timeSelectedAlgorithms();  // the rows selected in the table (or the current one)
  // Afterwards the person is asked whether the tuned plan replaces the current one.
  void tunePlan();
  void applyHeuristicPlan();  // the registry's shape rules, nothing timed (asks first)
  bool useTunedPlan();        // the last tune's plan becomes the current plan (unsaved)
  // Adds a plugin's algorithms to the registry; refused while a job runs (the services read the
  // registry), errors in the message bar.
  bool loadPlugin(const QString& path);
  void setRunSettings(const RunSettings& settings);
  // 0: op type, 1: algorithm, 2: measured latency (GraphView::ColorMode); remembered.
  void setColorMode(int mode);
  RunSettings runSettings() const { return runSettings_; }
  bool saveScreenshot(const QString& path);
  // 0: graph, 1: layer latency chart, 2: plans chart, 3: speed vs error chart.
  void showView(int index);

  ModelDocument* document() const { return document_; }
  JobRunner* runner() const { return runner_; }
  GraphView* graphView() const { return graph_; }
  QTableView* layerTable() const { return table_; }
  LayerTableModel* layerModel() const { return tableModel_; }
  Inspector* inspector() const { return inspector_; }
  LayerLatencyChart* layerChart() const { return layerChart_; }
  PlansChart* plansChart() const { return plansChart_; }
  SpeedErrorChart* speedErrorChart() const { return speedErrorChart_; }
  ErrorPropagationChart* propagationChart() const { return propagationChart_; }
  MemoryChart* memoryChart() const { return memoryChart_; }
  RooflineChart* rooflineChart() const { return rooflineChart_; }
  // Starts writing the selected layer as a one-layer ONNX model with its recorded input into a
  // folder named after it inside one the person picks (prompts().existingDirectory); false when
  // there is nothing to extract or the person cancelled. A failure is the job's report.
  bool extractSelectedLayer();
  QString messageText() const;
  QString statusSummary() const;
  QString planPath() const { return planPath_; }

 signals:
  void modelLoaded(const QString& path);
  void loadFailed(const QString& message);
  void messageShown(const QString& message);

 protected:
  void closeEvent(QCloseEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  using Level = ReportLevel;
  void buildViews();
  void buildActions();
  void restoreSettings();
  void saveSettings();
  void showMessage(Level level, const QString& text);
  // A job's outcome: hidden again when the next job starts.
  void showJobReport(Level level, const QString& text);
  void showReport(const Report& report);  // where the report says
  // A plan edit's report: in the message bar it stays when the next job starts.
  void showEditReport(const std::optional<Report>& report);
  void hideMessage();
  bool startJob(Job job);  // false when the person keeps the running job
  void onModelLoaded(std::shared_ptr<const Model> model, const QString& path,
                     const QString& planPath, bool isFile);
  bool maybeSavePlan();  // false when the user cancels
  void updateActions();
  void updateStatus();
  void updateTitle();
  void rebuildRecentMenu();
  QList<int> selectedRows() const;
  void bulkSelected();
  void bulkOpType();
  void bulkSignature();
  void exportResults(bool json);
  void exportGraph(bool svg);
  void exportChart();
  // The find box's search: the next (or previous) match selected, "match k of N" beside the box.
  void findInGraph(bool backwards);
  void openPlanFile();
  bool savePlanInteractive(bool askPath);
  void showCompareDialog();
  void onCheckDone(const CheckResult& result);
  void onTimingDone(const LayerTimingResult& result);
  void onTuneDone(const TuneResult& result);

  Prompts prompts_;
  ModelDocument* document_;
  JobRunner* runner_;
  RunSettings runSettings_;
  QString modelPath_;  // file path, or a sample's name
  QString planPath_;

  GraphView* graph_ = nullptr;
  LayerTablePage* tablePage_ = nullptr;
  QTableView* table_ = nullptr;  // the page's
  LayerTableModel* tableModel_ = nullptr;
  Inspector* inspector_ = nullptr;
  LayerLatencyChart* layerChart_ = nullptr;
  PlansChart* plansChart_ = nullptr;
  SpeedErrorChart* speedErrorChart_ = nullptr;
  ErrorPropagationChart* propagationChart_ = nullptr;
  MemoryChart* memoryChart_ = nullptr;
  RooflineChart* rooflineChart_ = nullptr;
  QTabWidget* viewTabs_ = nullptr;
  QSplitter* mainSplitter_ = nullptr;
  QSplitter* centerSplitter_ = nullptr;
  MessageBar* messageBar_ = nullptr;
  QLineEdit* findEdit_ = nullptr;
  QLabel* findResult_ = nullptr;
  QComboBox* colorCombo_ = nullptr;
  QLabel* summaryLabel_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  std::vector<std::pair<QAction*, ActionSpec::Enable>> enableRules_;
  // Runs once the running job has finished and the progress bar is gone: questions that follow
  // a job (use the tuned plan?) are asked then.
  std::function<void()> afterJob_;
  QAction* colorActions_[4] = {};
  class PlanCompareDialog* compareDialog_ = nullptr;
};

}  // namespace algoscope::gui
