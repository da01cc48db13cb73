// The explorer as a person uses it, on the offscreen platform: open a sample, click a layer, run
// end to end and watch results arrive, cancel, keep the GUI responsive during a run, edit, save and
// load plans through the window's actions, survive a corrupt model and a model with unsupported
// ops, bulk-edit the plan, export, persist settings, check equivalence (a deliberately wrong
// algorithm is caught), time every algorithm, tune and cancel a tune, load a plugin, and render
// --screenshot from the app binary. Dialogs are answered through MainWindow::Prompts; tuning uses a
// cache file in a temporary directory, never the user's.
#include "main_window.h"

#include <QAction>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QImage>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QProcess>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QScatterSeries>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <set>

#include "algoscope/algoscope.h"
#include "analysis_charts.h"
#include "charts.h"
#include "graph_minimap.h"
#include "graph_view.h"
#include "inspector.h"
#include "job_runner.h"
#include "layer_table_model.h"
#include "model_document.h"
#include "plan_compare.h"
#include "settings.h"
#include "support/onnx_builder.h"

using namespace algoscope;
using namespace algoscope::gui;

namespace {
constexpr int kLoadTimeoutMs = 60000;
constexpr int kRunTimeoutMs = 120000;
// Small runs keep the suite quick; tests that need a long run raise the repeats.
// Exactly three runs (fewer are not a result; no adaptive repeating), so that the tests count them.
const RunSettings kQuickRuns{1, 0, 3, false};

// A Conv algorithm that is wrong on purpose: reference's result with 1e-2 added to the first
// element (after the fused activation and residual, so a Relu cannot hide it). default_priority 0
// and its place at the end of the registry keep the engine from ever choosing it; only a plan names
// it.
const char kWrongAlgorithm[] = "test_wrong_gui";

class OffByAHundredth : public Kernel {
 public:
  explicit OffByAHundredth(std::unique_ptr<Kernel> reference) : reference_(std::move(reference)) {}
  void run(KernelIO& io) override {
    reference_->run(io);
    io.outputs[0]->data<float>()[0] += 1e-2f;
  }

 private:
  std::unique_ptr<Kernel> reference_;
};

void registerWrongAlgorithm() {
  Registry& registry = Registry::instance();
  if (registry.find_algorithm("Conv", kWrongAlgorithm)) return;
  Algorithm wrong;
  wrong.name = kWrongAlgorithm;
  wrong.summary = "reference plus 1e-2 on the first output element (a test's deliberate bug)";
  wrong.default_priority = 0;
  // Reference's kernel for the whole layer (activation and a fused residual included) comes first.
  wrong.applies_activation = true;
  wrong.applies_residual = true;
  wrong.prepare = [](const Layer& layer) -> std::unique_ptr<Kernel> {
    const Algorithm* reference = Registry::instance().find_algorithm("Conv", "reference");
    return std::make_unique<OffByAHundredth>(reference->make_kernel(layer));
  };
  registry.add_algorithm("Conv", std::move(wrong));
}

QStringList categoriesOf(QChart* chart) {
  for (QAbstractAxis* axis : chart->axes())
    if (auto* categories = qobject_cast<QBarCategoryAxis*>(axis)) return categories->categories();
  return {};
}
}  // namespace

class MainWindowTest : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<MainWindow> window_;
  QTemporaryDir dir_;
  int confirmations_ = 0;
  bool confirmAnswer_ = true;
  int unsavedAsked_ = 0;
  QMessageBox::StandardButton unsavedAnswer_ = QMessageBox::Discard;
  QString nextSavePath_, nextOpenPath_, nextChoice_, nextDirectory_;

  std::unique_ptr<MainWindow> makeWindow(bool defaultSize = true) {
    auto window = std::make_unique<MainWindow>();
    MainWindow::Prompts& p = window->prompts();
    p.confirm = [this](const QString&, const QString&) {
      ++confirmations_;
      return confirmAnswer_;
    };
    p.unsavedChanges = [this](const QString&) {
      ++unsavedAsked_;
      return unsavedAnswer_;
    };
    p.saveFileName = [this](const QString&, const QString&, const QString&) {
      return nextSavePath_;
    };
    p.openFileName = [this](const QString&, const QString&) { return nextOpenPath_; };
    p.chooseItem = [this](const QString&, const QString&, const QStringList& items) {
      return items.contains(nextChoice_) ? nextChoice_ : QString();
    };
    p.existingDirectory = [this](const QString&) { return nextDirectory_; };
    window->setRunSettings(kQuickRuns);
    if (defaultSize) window->resize(1200, 800);
    window->show();
    return window;
  }

  static bool open(MainWindow& window, const QString& path) {
    QSignalSpy loaded(&window, &MainWindow::modelLoaded);
    if (path.startsWith(QStringLiteral(":")))
      window.openSample(path.mid(QStringLiteral(":/models/").size()));
    else
      window.openModel(path);
    return loaded.wait(kLoadTimeoutMs);
  }

  QAction* action(const char* name) const {
    auto* a = window_->findChild<QAction*>(QString::fromLatin1(name));
    if (!a) qFatal("no action %s", name);
    return a;
  }

  // Runs the job an action starts and returns its outcome.
  JobRunner::Outcome runToEnd(const std::function<void()>& start) {
    QSignalSpy finished(window_->runner(), &JobRunner::finished);
    start();
    if (!finished.wait(kRunTimeoutMs)) return JobRunner::Outcome::Failed;
    return finished.first().at(1).value<JobRunner::Outcome>();
  }

  QString cell(int row, int column) const {
    return window_->layerModel()->index(row, column).data().toString();
  }

  // Quick runs that tune into a cache file of this test's own.
  RunSettings tuneSettings() const {
    RunSettings settings = kQuickRuns;
    settings.tuningCachePath = dir_.filePath(QStringLiteral("tuning-cache.json"));
    return settings;
  }

  // A transformer-shaped model too tall to show whole and legible in the window: an embedding,
  // sixteen encoder layers named as torch exports them (an attention and an MLP half, each a gate,
  // and residual Adds), a head. 98 layers; its blocks are the sixteen encoder layers (one level
  // deeper, attention, MLP and the Adds apart, would be 66 boxes, over the limit of 60).
  static constexpr int kEncoderLayers = 16;
  static constexpr int kLayersPerBlock = 6;
  QString writeEncoderModel() const {
    onnx_builder::ModelBuilder b("encoder");
    b.input("x", {1, 16});
    auto node = [&b](const char* op, const std::vector<std::string>& inputs,
                     const std::string& name) {
      b.node(op, inputs, {name + "_out"}, name);
      return name + "_out";
    };
    std::string x = node("Sigmoid", {"x"}, "/embed/Sigmoid");
    for (int layer = 0; layer < kEncoderLayers; ++layer) {
      const std::string prefix = "/encoder/layers." + std::to_string(layer);
      const std::string attention =
          node("Mul", {x, node("Sigmoid", {x}, prefix + "/attn/Sigmoid")}, prefix + "/attn/Mul");
      const std::string middle = node("Add", {x, attention}, prefix + "/Add");
      const std::string mlp = node(
          "Mul", {middle, node("Sigmoid", {middle}, prefix + "/mlp/Sigmoid")}, prefix + "/mlp/Mul");
      x = node("Add", {middle, mlp}, prefix + "/Add_1");
    }
    b.node("Sigmoid", {x}, {"y"}, "/head/Sigmoid");
    b.output("y");
    const QString path = dir_.filePath(QStringLiteral("encoder.onnx"));
    b.write(path.toStdString());
    return path;
  }

  QRectF visibleScene(GraphView* graph) const {
    return graph->mapToScene(graph->viewport()->rect()).boundingRect();
  }

  // The scene item whose tool tip starts with `text` (a layer's name, a block's prefix).
  QGraphicsItem* itemWithTip(GraphView* graph, const QString& text) const {
    for (QGraphicsItem* item : graph->scene()->items())
      if (item->toolTip().startsWith(text)) return item;
    return nullptr;
  }

  int firstConvRow() const {
    for (int row = 0; row < window_->document()->layerCount(); ++row)
      if (window_->document()->layer(row).opType == QStringLiteral("Conv")) return row;
    return -1;
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("algoscope-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("main_window_test"));
    QSettings().clear();
    QVERIFY(dir_.isValid());
    // The roofline's roofs are measured once into a cache of the test's own.
    qputenv("ALGOSCOPE_ROOFS_CACHE", dir_.filePath(QStringLiteral("roofs.json")).toUtf8());
    registerWrongAlgorithm();
  }

  void init() {
    confirmations_ = unsavedAsked_ = 0;
    confirmAnswer_ = true;
    unsavedAnswer_ = QMessageBox::Discard;
    window_ = makeWindow();
    QVERIFY(open(*window_, QStringLiteral(":/models/tiny_resnet.onnx")));
  }

  void cleanup() {
    if (window_) window_->document()->markPlanSaved();
    window_.reset();  // cancels any run and waits for the worker
  }

  // Every action is one row of the window's table: it has a text, a unique object name and a
  // handler, and the window built from the table has it with that shortcut.
  void everyActionInTheTableIsComplete() {
    const auto table = MainWindow::actionTable();
    QVERIFY(table.size() >= 30);
    QSet<QString> names;
    for (const MainWindow::ActionSpec& spec : table) {
      QVERIFY2(!spec.text.isEmpty(), qPrintable(spec.objectName));
      QVERIFY2(spec.objectName.startsWith(QStringLiteral("action")), qPrintable(spec.text));
      QVERIFY2(!names.contains(spec.objectName), qPrintable(spec.objectName));
      names.insert(spec.objectName);
      QVERIFY2(bool(spec.handler), qPrintable(spec.objectName));
      QVERIFY2(!spec.menu.isEmpty(), qPrintable(spec.objectName));
      auto* built = window_->findChild<QAction*>(spec.objectName);
      QVERIFY2(built, qPrintable(spec.objectName));
      QCOMPARE(built->text(), spec.text);
      QCOMPARE(built->shortcut(), spec.shortcut);
    }
    // The shortcuts people know stay where they were.
    QCOMPARE(action("actionRunEndToEnd")->shortcut(), QKeySequence(Qt::Key_F5));
    QCOMPARE(action("actionTune")->shortcut(), QKeySequence(Qt::Key_F9));
    QCOMPARE(action("actionCancel")->shortcut(), QKeySequence(Qt::Key_Escape));
    QCOMPARE(action("actionBulkOpType")->shortcut(), QKeySequence(QStringLiteral("Ctrl+Shift+O")));
    // No two actions share a shortcut.
    QSet<QString> shortcuts;
    for (const MainWindow::ActionSpec& spec : table) {
      if (spec.shortcut.isEmpty()) continue;
      const QString key = spec.shortcut.toString();
      QVERIFY2(!shortcuts.contains(key), qPrintable(key));
      shortcuts.insert(key);
    }
  }

  void openingASampleFillsEveryView() {
    ModelDocument* document = window_->document();
    QVERIFY(document->hasModel());
    QCOMPARE(QString::fromStdString(document->model()->name), QStringLiteral("tiny_resnet"));
    QCOMPARE(window_->layerTable()->model()->rowCount(), document->layerCount());
    // One item per layer plus the graph's input and output.
    QCOMPARE(window_->graphView()->nodeItemCount(),
             document->layerCount() +
                 int(document->model()->inputs.size() + document->model()->outputs.size()));
    QVERIFY(window_->statusSummary().contains(QStringLiteral("tiny_resnet")));
    QVERIFY(
        window_->statusSummary().contains(QStringLiteral("%1 layers").arg(document->layerCount())));
    QVERIFY(window_->statusSummary().contains(QStringLiteral("FLOPs")));
    QCOMPARE(document->currentRow(), 0);
    QVERIFY(window_->inspector()->layerHtml().contains(document->layer(0).name));
    QVERIFY(window_->windowTitle().contains(QStringLiteral("tiny_resnet")));
    QVERIFY(window_->messageText().isEmpty());
  }

  void clickingAGraphNodeSelectsTheLayerEverywhere() {
    ModelDocument* document = window_->document();
    const int row = document->layerCount() - 2;
    const QString name = document->layer(row).name;
    GraphView* graph = window_->graphView();
    QGraphicsItem* node = nullptr;
    for (QGraphicsItem* item : graph->scene()->items())
      if (item->toolTip().startsWith(name + QLatin1Char('\n'))) node = item;
    QVERIFY(node);
    graph->centerOn(node);
    const QPoint at = graph->mapFromScene(node->sceneBoundingRect().center());
    QTest::mouseClick(graph->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(document->currentRow(), row);
    const QModelIndex current = window_->layerTable()->currentIndex();
    QCOMPARE(current.data(LayerTableModel::RowRole).toInt(), row);
    QVERIFY(window_->inspector()->layerHtml().contains(name));
    // And the other way: the table selects, the inspector follows.
    window_->layerTable()->selectRow(1);
    QCOMPARE(document->currentRow(),
             window_->layerTable()->currentIndex().data(LayerTableModel::RowRole).toInt());
    QVERIFY(
        window_->inspector()->layerHtml().contains(document->layer(document->currentRow()).name));
  }

  void findSelectsMatchingLayers() {
    ModelDocument* document = window_->document();
    const int matches = window_->graphView()->find(QStringLiteral("mobile")).count;
    QVERIFY(matches > 0);
    QVERIFY(document->layer(document->currentRow()).name.contains(QStringLiteral("mobile")));
    const int first = document->currentRow();
    window_->graphView()->find(QStringLiteral("mobile"));
    if (matches > 1) QVERIFY(document->currentRow() != first);
    QCOMPARE(window_->graphView()->find(QStringLiteral("no such layer")).count, 0);
  }

  // Issue 17: Fit on a big model showed a hairline. The start view and Fit stay legible and begin
  // at the graph's inputs; Fit all is the overview.
  void bigGraphsOpenLegibleAtTheirInputs() {
    QVERIFY(open(*window_, writeEncoderModel()));
    GraphView* graph = window_->graphView();
    QCOMPARE(window_->document()->layerCount(), 2 + kEncoderLayers * kLayersPerBlock);
    const QRectF scene = graph->scene()->sceneRect();
    QVERIFY2(graph->zoomLevel() >= GraphView::kLegibleScale,
             qPrintable(QString::number(graph->zoomLevel())));
    QVERIFY(!visibleScene(graph).contains(scene));  // big, indeed
    QVERIFY(visibleScene(graph).top() <= scene.top() + 1);

    action("actionFitAll")->trigger();
    QVERIFY(graph->zoomLevel() < GraphView::kLegibleScale);
    QVERIFY(visibleScene(graph).adjusted(-2, -2, 2, 2).contains(scene));
    QTest::keyClick(graph, Qt::Key_0);
    QVERIFY(graph->zoomLevel() >= GraphView::kLegibleScale);
    QTest::keyClick(graph, Qt::Key_0, Qt::ShiftModifier);
    QVERIFY(graph->zoomLevel() < GraphView::kLegibleScale);
    action("actionFit")->trigger();
    QVERIFY(graph->zoomLevel() >= GraphView::kLegibleScale);
    QVERIFY(visibleScene(graph).top() <= scene.top() + 1);

    // A graph that fits legibly is shown whole.
    onnx_builder::ModelBuilder small("small");
    small.input("x", {1, 4});
    small.node("Sigmoid", {"x"}, {"y"}, "/block/Sigmoid");
    small.output("y");
    const QString path = dir_.filePath(QStringLiteral("small.onnx"));
    small.write(path.toStdString());
    QVERIFY(open(*window_, path));
    QVERIFY(graph->zoomLevel() >= GraphView::kLegibleScale);
    QVERIFY(visibleScene(graph).adjusted(-2, -2, 2, 2).contains(graph->scene()->sceneRect()));
    QVERIFY(!graph->minimap()->isVisible());
  }

  void minimapPansTheView() {
    QVERIFY(open(*window_, writeEncoderModel()));
    GraphView* graph = window_->graphView();
    GraphMinimap* minimap = graph->minimap();
    QVERIFY(minimap && minimap->isVisible());
    const QRectF scene = graph->scene()->sceneRect();
    const double before = visibleScene(graph).center().y();
    const QPointF target(scene.center().x(), scene.top() + scene.height() * 0.75);
    QTest::mouseClick(minimap, Qt::LeftButton, {}, minimap->minimapPointOf(target).toPoint());
    const double after = visibleScene(graph).center().y();
    QVERIFY2(
        after > before + scene.height() / 2,
        qPrintable(QStringLiteral("%1 -> %2 of %3").arg(before).arg(after).arg(scene.height())));
    QVERIFY(std::abs(after - target.y()) < scene.height() / 50);

    action("actionMinimap")->trigger();
    QVERIFY(!minimap->isVisible());
    action("actionMinimap")->trigger();
    QVERIFY(minimap->isVisible());
    action("actionFitAll")->trigger();  // all of it in view: nothing to navigate
    QVERIFY(!minimap->isVisible());
  }

  // Issue 17: Find did not zoom to its match. It zooms in, centres the match and counts
  // "match k of N"; Enter goes forward, Shift+Enter back, both wrap.
  void findZoomsToItsMatchAndCycles() {
    QVERIFY(open(*window_, writeEncoderModel()));
    GraphView* graph = window_->graphView();
    ModelDocument* document = window_->document();
    auto* find = window_->findChild<QLineEdit*>(QStringLiteral("findEdit"));
    auto* result = window_->findChild<QLabel*>(QStringLiteral("findResult"));
    QVERIFY(find && result);
    action("actionFitAll")->trigger();
    QVERIFY(graph->zoomLevel() < GraphView::kLegibleScale);
    find->setText(QStringLiteral("mlp/Mul"));
    const QString of = QStringLiteral(" of %1").arg(kEncoderLayers);
    for (int k = 1; k <= kEncoderLayers + 1; ++k) {
      QTest::keyClick(find, Qt::Key_Return);
      const int expected = (k - 1) % kEncoderLayers;  // the last Enter wraps to the first
      QCOMPARE(result->text().trimmed(), QStringLiteral("match %1").arg(expected + 1) + of);
      const QString name = document->layer(document->currentRow()).name;
      QCOMPARE(name, QStringLiteral("/encoder/layers.%1/mlp/Mul").arg(expected));
      QVERIFY(graph->zoomLevel() >= GraphView::kLegibleScale);
      QGraphicsItem* node = itemWithTip(graph, name + QLatin1Char('\n'));
      QVERIFY(node);
      QVERIFY(visibleScene(graph).contains(node->sceneBoundingRect()));
      if (expected > 0 && expected < kEncoderLayers - 1) {  // away from the ends: centred
        const QPoint offset = graph->mapFromScene(node->sceneBoundingRect().center()) -
                              graph->viewport()->rect().center();
        // Up and down; sideways the narrow graph sits in the middle, where nothing scrolls.
        QVERIFY2(std::abs(offset.y()) <= 4, qPrintable(QString::number(offset.y())));
      }
    }
    QTest::keyClick(find, Qt::Key_Return, Qt::ShiftModifier);
    QCOMPARE(result->text().trimmed(), QStringLiteral("match %1").arg(kEncoderLayers) + of);
    QTest::keyClick(find, Qt::Key_Return, Qt::ShiftModifier);
    QCOMPARE(result->text().trimmed(), QStringLiteral("match %1").arg(kEncoderLayers - 1) + of);
    find->setText(QStringLiteral("no such layer"));
    QTest::keyClick(find, Qt::Key_Return);
    QCOMPARE(result->text().trimmed(), QStringLiteral("no match"));
  }

  void collapsingBlocksReducesTheBoxesAndExpandingRestoresThem() {
    QVERIFY(open(*window_, writeEncoderModel()));
    GraphView* graph = window_->graphView();
    const int all = graph->nodeItemCount();
    QCOMPARE(all, window_->document()->layerCount() + 2);
    QCOMPARE(int(graph->blocks().prefixes.size()), kEncoderLayers);
    QCOMPARE(graph->blocks().prefixes[5], QStringLiteral("/encoder/layers.5"));

    action("actionCollapseBlocks")->trigger();
    QCOMPARE(graph->nodeItemCount(), kEncoderLayers + 2 + 2);  // blocks, embed and head, pills
    QVERIFY(graph->zoomLevel() >= GraphView::kLegibleScale);
    QVERIFY(
        itemWithTip(graph, QStringLiteral("/encoder/layers.5: %1 layers").arg(kLayersPerBlock)));
    action("actionExpandBlocks")->trigger();
    QCOMPARE(graph->nodeItemCount(), all);

    // One block: double-clicking its frame collapses it, double-clicking its box expands it.
    QGraphicsItem* frame = itemWithTip(graph, QStringLiteral("/encoder/layers.5\n"));
    QVERIFY(frame);
    const QPointF corner = frame->sceneBoundingRect().topLeft() + QPointF(4, 4);
    graph->centerOn(corner);
    QTest::mouseDClick(graph->viewport(), Qt::LeftButton, {}, graph->mapFromScene(corner));
    QVERIFY(graph->isBlockCollapsed(5));
    QCOMPARE(graph->nodeItemCount(), all - kLayersPerBlock + 1);
    QGraphicsItem* box = itemWithTip(graph, QStringLiteral("/encoder/layers.5: "));
    QVERIFY(box);
    QVERIFY(visibleScene(graph).contains(box->sceneBoundingRect().center()));
    QTest::mouseDClick(graph->viewport(), Qt::LeftButton, {},
                       graph->mapFromScene(box->sceneBoundingRect().center()));
    QVERIFY(!graph->isBlockCollapsed(5));
    QCOMPARE(graph->nodeItemCount(), all);
  }

  void selectingALayerInACollapsedBlockExpandsIt() {
    QVERIFY(open(*window_, writeEncoderModel()));
    GraphView* graph = window_->graphView();
    ModelDocument* document = window_->document();
    action("actionCollapseBlocks")->trigger();
    const int collapsed = graph->nodeItemCount();
    const int row = graph->blocks().members[7][2];
    QTableView* table = window_->layerTable();
    for (int r = 0; r < table->model()->rowCount(); ++r)
      if (table->model()->index(r, 0).data(LayerTableModel::RowRole).toInt() == row)
        table->selectRow(r);
    QCOMPARE(document->currentRow(), row);
    QVERIFY(!graph->isBlockCollapsed(7));
    QVERIFY(graph->isBlockCollapsed(6) && graph->isBlockCollapsed(8));
    QCOMPARE(graph->nodeItemCount(), collapsed + kLayersPerBlock - 1);
    QGraphicsItem* node = itemWithTip(graph, document->layer(row).name + QLatin1Char('\n'));
    QVERIFY(node);
    QVERIFY(visibleScene(graph).contains(node->sceneBoundingRect()));

    // Find into a collapsed block opens it too.
    auto* find = window_->findChild<QLineEdit*>(QStringLiteral("findEdit"));
    find->setText(QStringLiteral("layers.12/attn/Mul"));
    QTest::keyClick(find, Qt::Key_Return);
    QCOMPARE(document->layer(document->currentRow()).name,
             QStringLiteral("/encoder/layers.12/attn/Mul"));
    QVERIFY(!graph->isBlockCollapsed(12));
  }

  // Two timings of one plan under two names are one bar that lists both runs (issue 17: the
  // tuned plan, taken as the current plan, showed as two plans 4.63 and 10.81 ms apart).
  void plansChartShowsOnePlanTimedTwiceAsOneBar() {
    QVERIFY(open(*window_, QStringLiteral(":/models/lenet.onnx")));
    ModelDocument* document = window_->document();
    const Plan plan = document->plan();
    Plan other = plan;
    other.defaults["Gemm"] = "reference";
    document->recordPlanLatency(
        document->model(), {QStringLiteral("current plan"), plan, Timing{0.0108, 0.0100, 5}, 2});
    document->recordPlanLatency(document->model(),
                                {QStringLiteral("tuned"), plan, Timing{0.0046, 0.0044, 5}, 2});
    document->recordPlanLatency(
        document->model(), {QString::fromStdString(kReference), other, Timing{0.2, 0.19, 5}, 2});
    const QStringList bars = categoriesOf(window_->plansChart()->chart());
    QCOMPARE(bars.size(), 2);
    QVERIFY2(bars.join(QStringLiteral("|")).contains(QStringLiteral("current plan = tuned: ")) &&
                 bars.join(QStringLiteral("|")).contains(QStringLiteral("2 runs: ")),
             qPrintable(bars.join(QStringLiteral(" | "))));
  }

  // With adaptive repeating (the default), a run goes on past the minimum until the median is
  // known or the budget is spent, and every figure says which and what it is worth.
  void adaptiveRunsSayWhatEachMedianIsWorth() {
    ModelDocument* document = window_->document();
    RunSettings settings = kQuickRuns;
    settings.repeats = 3;
    settings.adaptiveRepeats = true;
    window_->setRunSettings(settings);
    QCOMPARE(runToEnd([&] { action("actionRunEndToEnd")->trigger(); }),
             JobRunner::Outcome::Completed);
    for (int row = 0; row < document->layerCount(); ++row) {
      const std::optional<Timing> timing = document->currentTiming(row);
      QVERIFY(timing && timing->samples >= 3);
      QVERIFY2(timing->stop != QStringLiteral("count"), qPrintable(timing->stop));
      const QString tip = window_->layerModel()
                              ->index(row, LayerTableModel::LatencyColumn)
                              .data(Qt::ToolTipRole)
                              .toString();
      QVERIFY2(tip.contains(QStringLiteral("known to ±")), qPrintable(tip));
    }
    const std::optional<PlanLatency> latency = document->currentPlanLatency();
    QVERIFY(latency && latency->timing.samples >= 3);
    QVERIFY(
        categoriesOf(window_->plansChart()->chart()).join(QString()).contains(QStringLiteral("±")));
  }

  void runEndToEndFillsTheTableAndCharts() {
    ModelDocument* document = window_->document();
    QVERIFY(window_->plansChart()->chart()->series().isEmpty());
    QSignalSpy measured(document, &ModelDocument::measurementsChanged);
    QCOMPARE(runToEnd([&] { action("actionRunEndToEnd")->trigger(); }),
             JobRunner::Outcome::Completed);
    QVERIFY(measured.count() >= 1);
    for (int row = 0; row < document->layerCount(); ++row) {
      QVERIFY2(!cell(row, LayerTableModel::LatencyColumn).isEmpty(),
               qPrintable(document->layer(row).name));
      // Three runs of a tiny layer may well spread wider than ±10%: then the status says unstable.
      QVERIFY(cell(row, LayerTableModel::StatusColumn).startsWith(QStringLiteral("measured")));
      QCOMPARE(document->currentTiming(row)->samples, kQuickRuns.repeats);
    }
    QVERIFY(document->currentPlanLatency().has_value());
    QVERIFY(window_->statusSummary().contains(QStringLiteral("latency")));
    QVERIFY(!window_->statusSummary().contains(QStringLiteral("not measured")));
    QCOMPARE(window_->plansChart()->chart()->series().size(), 1);
    // The bars and the rings that mark the plan's algorithm.
    QCOMPARE(window_->layerChart()->chart()->series().size(), 2);
    QVERIFY(
        window_->inspector()->algorithmHtml().contains(QStringLiteral("Measured on this layer")));
    // Editing the plan makes the measured latency stale, and the status bar says so.
    auto& facts = document->layer(0);
    for (const AlgorithmOption& option : facts.algorithms)
      if (option.applicable() && option.name != facts.engineDefault) {
        QVERIFY(document->setLayerAlgorithm(0, option.name));
        break;
      }
    QVERIFY(window_->statusSummary().contains(QStringLiteral("plan changed")));
  }

  void cancelStopsARunAndTheWindowStaysUsable() {
    window_->setRunSettings({1, 0, 1000000});
    QSignalSpy progress(window_->runner(), &JobRunner::progress);
    QSignalSpy finished(window_->runner(), &JobRunner::finished);
    action("actionRunEndToEnd")->trigger();
    QVERIFY(window_->runner()->isBusy());
    QVERIFY(action("actionCancel")->isEnabled());
    QVERIFY(progress.wait(kRunTimeoutMs));
    action("actionCancel")->trigger();
    QVERIFY(finished.wait(kRunTimeoutMs));
    QCOMPARE(finished.first().at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Cancelled);
    QVERIFY(!window_->runner()->isBusy());
    QVERIFY(!action("actionCancel")->isEnabled());
    window_->setRunSettings(kQuickRuns);
    QCOMPARE(runToEnd([&] { window_->runEndToEnd(); }), JobRunner::Outcome::Completed);
  }

  void theGuiStaysResponsiveDuringARun() {
    // A 10 ms timer ticks while a long run goes on. Had the run blocked the GUI thread, the
    // longest gap between ticks would be the whole run; on the worker it is scheduling noise.
    // The bound is relative to the run's own length, so a loaded machine does not fail it.
    window_->setRunSettings({0, 0, 1000000});
    QSignalSpy finished(window_->runner(), &JobRunner::finished);
    QSignalSpy measured(window_->document(), &ModelDocument::measurementsChanged);
    QElapsedTimer clock;
    qint64 last = 0, longestGap = 0;
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this, [&] {
      const qint64 now = clock.elapsed();
      longestGap = std::max(longestGap, now - last);
      last = now;
      ++ticks;
    });
    clock.start();
    ticker.start();
    window_->runEndToEnd();
    QTest::qWait(2000);
    const int streamed = measured.count();
    window_->runner()->cancel();
    QVERIFY(finished.wait(kRunTimeoutMs));
    const qint64 total = clock.elapsed();
    ticker.stop();
    qInfo("run of %lld ms: %d ticks, longest event-loop gap %lld ms, %d result deliveries", total,
          ticks, longestGap, streamed);
    QVERIFY(total >= 2000);
    QVERIFY2(longestGap < total / 4,
             qPrintable(QStringLiteral("event loop blocked for %1 ms of a %2 ms run")
                            .arg(longestGap)
                            .arg(total)));
    QVERIFY2(streamed >= 1, "results did not stream in while the run went on");
  }

  void aNewRunWhileOneGoesAsksFirst() {
    QSignalSpy finished(window_->runner(), &JobRunner::finished);
    window_->setRunSettings({1, 0, 1000000});
    window_->runEndToEnd();
    window_->setRunSettings(kQuickRuns);
    confirmAnswer_ = false;
    action("actionTimePlans")->trigger();
    QCOMPARE(confirmations_, 1);
    QCOMPARE(window_->runner()->currentTitle(), QStringLiteral("Run end to end"));
    confirmAnswer_ = true;
    action("actionTimePlans")->trigger();
    QCOMPARE(confirmations_, 2);
    QVERIFY(window_->runner()->waitForIdle(kRunTimeoutMs));
    QCOMPARE(finished.count(), 2);
    QCOMPARE(finished.at(0).at(0).toString(), QStringLiteral("Run end to end"));
    QCOMPARE(finished.at(0).at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Cancelled);
    QCOMPARE(finished.at(1).at(0).toString(), QStringLiteral("Time plans"));
    QCOMPARE(finished.at(1).at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Completed);
  }

  void timePlansComparesCurrentDefaultAndReference() {
    ModelDocument* document = window_->document();
    QCOMPARE(runToEnd([&] { action("actionTimePlans")->trigger(); }),
             JobRunner::Outcome::Completed);
    QStringList labels;
    for (const PlanLatency& latency : document->planLatencies()) labels << latency.label;
    QCOMPARE(labels, QStringList({"current plan", "engine default", "reference"}));
    for (int row = 0; row < document->layerCount(); ++row) {
      QVERIFY(document->timing(row, QStringLiteral("reference")).has_value());
      QVERIFY(document->timing(row, document->layer(row).engineDefault).has_value());
    }
    QCOMPARE(window_->plansChart()->chart()->series().size(), 1);
    // Per-layer chart: one bar set per measured algorithm (reference plus the engine's picks), and
    // the rings.
    QVERIFY(window_->layerChart()->chart()->series().size() == 2);
  }

  void planSaveAndLoadRoundTripThroughTheActions() {
    ModelDocument* document = window_->document();
    int row = -1;
    QString algorithm;
    for (int r = 0; r < document->layerCount() && row < 0; ++r)
      for (const AlgorithmOption& option : document->layer(r).algorithms)
        if (option.applicable() && option.name != document->layer(r).engineDefault) {
          row = r;
          algorithm = option.name;
          break;
        }
    QVERIFY(row >= 0);
    // Through the table, as a person edits it.
    QVERIFY(window_->layerModel()->setData(
        window_->layerModel()->index(row, LayerTableModel::AlgorithmColumn), algorithm));
    QVERIFY(document->isPlanModified());
    QVERIFY(window_->isWindowModified());

    nextSavePath_ = dir_.filePath(QStringLiteral("roundtrip.plan.json"));
    action("actionSavePlan")->trigger();
    QVERIFY(QFile::exists(nextSavePath_));
    QVERIFY(!document->isPlanModified());
    QVERIFY(!window_->isWindowModified());
    const Plan saved = Plan::load(nextSavePath_.toStdString());
    QCOMPARE(QString::fromStdString(saved.layers.at(document->layer(row).name.toStdString())),
             algorithm);
    QCOMPARE(saved.model_fingerprint, document->model()->fingerprint);

    action("actionResetPlan")->trigger();
    QCOMPARE(document->requestedAlgorithm(row), QString::fromStdString(Plan::kDefault));
    nextOpenPath_ = nextSavePath_;
    action("actionLoadPlan")->trigger();
    QCOMPARE(document->requestedAlgorithm(row), algorithm);
    QCOMPARE(document->effectiveAlgorithm(row), algorithm);
    QCOMPARE(cell(row, LayerTableModel::AlgorithmColumn), algorithm);
    QVERIFY(!document->isPlanModified());
    QCOMPARE(window_->planPath(), nextSavePath_);
  }

  void anInvalidPlanIsRefusedAndNothingIsLost() {
    ModelDocument* document = window_->document();
    auto [row, algorithm] = [&] {
      for (int r = 0; r < document->layerCount(); ++r)
        for (const AlgorithmOption& option : document->layer(r).algorithms)
          if (option.applicable() && option.name != document->layer(r).engineDefault)
            return std::make_pair(r, option.name);
      return std::make_pair(-1, QString());
    }();
    QVERIFY(document->setLayerAlgorithm(row, algorithm));
    const std::string before = document->plan().to_json();
    Plan bad = document->plan();
    bad.layers["/no/such/node"] = "reference";
    const QString path = dir_.filePath(QStringLiteral("bad.plan.json"));
    bad.save(path.toStdString());
    nextOpenPath_ = path;
    action("actionLoadPlan")->trigger();
    QVERIFY(window_->messageText().contains(QStringLiteral("/no/such/node")));
    QCOMPARE(document->plan().to_json(), before);
    QVERIFY(document->isPlanModified());

    QFile garbage(dir_.filePath(QStringLiteral("garbage.json")));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write("{not json");
    garbage.close();
    QVERIFY(!window_->loadPlan(garbage.fileName()));
    QVERIFY(window_->messageText().contains(QStringLiteral("garbage.json")));
    QCOMPARE(document->plan().to_json(), before);
  }

  void aCorruptModelShowsAnErrorAndKeepsTheOpenModel() {
    const QString path = dir_.filePath(QStringLiteral("corrupt.onnx"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("this is not an ONNX model");
    file.close();
    QSignalSpy failed(window_.get(), &MainWindow::loadFailed);
    window_->openModel(path);
    QVERIFY(failed.wait(kLoadTimeoutMs));
    QVERIFY(window_->messageText().contains(QStringLiteral("corrupt.onnx")));
    QCOMPARE(QString::fromStdString(window_->document()->model()->name),
             QStringLiteral("tiny_resnet"));
    QCOMPARE(window_->layerTable()->model()->rowCount(), window_->document()->layerCount());
    // Still usable: a run completes, another model opens.
    QCOMPARE(runToEnd([&] { window_->runEndToEnd(); }), JobRunner::Outcome::Completed);
    QVERIFY(open(*window_, QStringLiteral(":/models/lenet.onnx")));
    QVERIFY(window_->messageText().isEmpty());
  }

  void unsupportedOpsGiveAViewOnlyGraph() {
    onnx_builder::ModelBuilder b("fancy");
    b.input("x", {2, 3});
    b.node("Relu", {"x"}, {"a"}, "relu");
    b.node("FancyOp", {"a"}, {"f"}, "fancy");
    b.node("Relu", {"f"}, {"y"}, "after_fancy");
    b.output("y");
    const QString path = dir_.filePath(QStringLiteral("fancy.onnx"));
    b.write(path.toStdString());
    QVERIFY(open(*window_, path));
    QVERIFY(window_->messageText().contains(QStringLiteral("FancyOp")));
    QVERIFY(!action("actionRunEndToEnd")->isEnabled());
    QVERIFY(!action("actionTimePlans")->isEnabled());
    const int fancy = window_->document()->rowOfNode(QStringLiteral("fancy"));
    QVERIFY(cell(fancy, LayerTableModel::StatusColumn).startsWith(QStringLiteral("cannot run")));
    QVERIFY(!(window_->layerModel()->flags(
                  window_->layerModel()->index(fancy, LayerTableModel::AlgorithmColumn)) &
              Qt::ItemIsEditable));
    QCOMPARE(window_->graphView()->nodeItemCount(), 3 + 2);
    // The FLOP total says it leaves out the layers that cannot run (FancyOp and the Relu after).
    QVERIFY2(window_->statusSummary().contains(
                 QStringLiteral("FLOPs (2 layer(s) that cannot run not counted)")),
             qPrintable(window_->statusSummary()));
    // Running anyway (e.g. from a script) fails with the engine's message, not a crash.
    QCOMPARE(runToEnd([&] { window_->runEndToEnd(); }), JobRunner::Outcome::Failed);
    QVERIFY(window_->messageText().contains(QStringLiteral("fancy")));
  }

  void bulkActionsEditThePlan() {
    ModelDocument* document = window_->document();
    QTableView* table = window_->layerTable();
    const int conv = 0;
    QCOMPARE(document->layer(conv).opType, QStringLiteral("Conv"));
    document->setCurrentRow(conv);

    nextChoice_ = QStringLiteral("im2col");
    action("actionBulkOpType")->trigger();
    QCOMPARE(document->plan().defaults.at("Conv"), std::string("im2col"));
    for (int row = 0; row < document->layerCount(); ++row)
      if (document->layer(row).opType == QStringLiteral("Conv") &&
          document->planNote(row).isEmpty())
        QCOMPARE(document->effectiveAlgorithm(row), QStringLiteral("im2col"));

    // Selected layers: the first two rows.
    table->clearSelection();
    table->selectionModel()->select(table->model()->index(0, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    table->selectionModel()->select(table->model()->index(1, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    nextChoice_ = QStringLiteral("reference");
    action("actionBulkSelected")->trigger();
    QCOMPARE(document->requestedAlgorithm(0), QStringLiteral("reference"));
    QCOMPARE(document->requestedAlgorithm(1), QStringLiteral("reference"));
    QCOMPARE(int(document->plan().layers.size()), 2);

    // Same signature as the selected layer: exactly its group changes.
    int row = 0;
    for (int r = 0; r < document->layerCount(); ++r)
      if (document->rowsWithSignature(document->layer(r).signature).size() >= 2) row = r;
    document->setCurrentRow(row);
    const QList<int> group = document->rowsWithSignature(document->layer(row).signature);
    action("actionResetPlan")->trigger();
    QVERIFY(document->plan().layers.empty() && document->plan().defaults.empty());
    nextChoice_ = QStringLiteral("reference");
    action("actionBulkSignature")->trigger();
    for (int r = 0; r < document->layerCount(); ++r)
      QCOMPARE(document->requestedAlgorithm(r) == QStringLiteral("reference"), group.contains(r));

    table->clearSelection();
    document->setCurrentRow(group.first());
    action("actionResetSelected")->trigger();
    QCOMPARE(document->requestedAlgorithm(group.first()), QString::fromStdString(Plan::kDefault));
  }

  void comparePlansShowsDifferencesAndTimesBoth() {
    ModelDocument* document = window_->document();
    document->setOpTypeDefault(QStringLiteral("Conv"), QStringLiteral("reference"));
    action("actionComparePlans")->trigger();
    auto* dialog = window_->findChild<PlanCompareDialog*>();
    QVERIFY(dialog && dialog->isVisible());
    // A: current plan (every Conv on reference), B: the engine's default.
    int convs = 0;
    for (int row = 0; row < document->layerCount(); ++row)
      if (document->layer(row).opType == QStringLiteral("Conv") &&
          document->layer(row).engineDefault != QStringLiteral("reference"))
        ++convs;
    QCOMPARE(dialog->model()->differenceCount(), convs);
    QPushButton* timeBoth = nullptr;
    for (QPushButton* button : dialog->findChildren<QPushButton*>())
      if (button->text() == QStringLiteral("Time both plans")) timeBoth = button;
    QVERIFY(timeBoth);
    QCOMPARE(runToEnd([&] { timeBoth->click(); }), JobRunner::Outcome::Completed);
    QStringList labels;
    for (const PlanLatency& latency : document->planLatencies()) labels << latency.label;
    QCOMPARE(labels, QStringList({"current plan", "engine default"}));
    // Every differing layer now has a latency ratio.
    for (int row = 0; row < dialog->model()->rowCount(); ++row)
      if (dialog->model()->index(row, 0).data(PlanCompareModel::DiffersRole).toBool())
        QVERIFY(dialog->model()
                    ->index(row, PlanCompareModel::RatioColumn)
                    .data(PlanCompareModel::SortRole)
                    .toDouble() > 0);
  }

  void unsavedPlanEditsPromptOnClose() {
    ModelDocument* document = window_->document();
    document->setOpTypeDefault(QStringLiteral("Conv"), QStringLiteral("reference"));
    unsavedAnswer_ = QMessageBox::Cancel;
    QVERIFY(!window_->close());
    QCOMPARE(unsavedAsked_, 1);
    QVERIFY(window_->isVisible());
    // Opening another model asks too, and Cancel keeps everything.
    window_->openModel(QStringLiteral(":/models/lenet.onnx"));
    QCOMPARE(unsavedAsked_, 2);
    QVERIFY(!window_->runner()->isBusy());
    QCOMPARE(QString::fromStdString(document->model()->name), QStringLiteral("tiny_resnet"));
    unsavedAnswer_ = QMessageBox::Save;
    nextSavePath_ = dir_.filePath(QStringLiteral("on_close.plan.json"));
    QVERIFY(window_->close());
    QCOMPARE(unsavedAsked_, 3);
    QVERIFY(QFile::exists(nextSavePath_));
  }

  // Colouring the graph by algorithm uses the charts' colour of each algorithm, whatever the
  // plan: a change of plan does not reshuffle the others.
  void graphColoursAlgorithmsLikeTheCharts() {
    QVERIFY(open(*window_, QStringLiteral(":/models/tiny_resnet.onnx")));
    window_->graphView()->setColorMode(GraphView::ColorMode::Algorithm);
    ModelDocument* document = window_->document();
    auto check = [&] {
      for (int row = 0; row < document->layerCount(); ++row)
        QCOMPARE(window_->graphView()->fillOfRow(row),
                 algorithmColor(document->effectiveAlgorithm(row)));
    };
    check();
    QVERIFY(document->setLayerAlgorithm(firstConvRow(), QStringLiteral("im2col")));
    check();
    window_->graphView()->setColorMode(GraphView::ColorMode::OpType);
  }

  void settingsPersistAcrossWindows() {
    action("actionColor1")->trigger();
    QCOMPARE(window_->graphView()->colorMode(), GraphView::ColorMode::Algorithm);
    window_->resize(1111, 777);
    QVERIFY(window_->close());
    window_ = makeWindow(false);
    QCOMPARE(window_->graphView()->colorMode(), GraphView::ColorMode::Algorithm);
    QCOMPARE(window_->size(), QSize(1111, 777));
    action("actionColor0")->trigger();
  }

  void exportsWriteTheirFiles() {
    QCOMPARE(runToEnd([&] { window_->runEndToEnd(); }), JobRunner::Outcome::Completed);
    struct Case {
      const char* action;
      const char* file;
    };
    for (const Case& c :
         {Case{"actionExportGraphPng", "graph.png"}, Case{"actionExportGraphSvg", "graph.svg"},
          Case{"actionExportCsv", "results.csv"}, Case{"actionExportJson", "results.json"},
          Case{"actionExportChart", "chart.png"}}) {
      nextSavePath_ = dir_.filePath(QString::fromLatin1(c.file));
      action(c.action)->trigger();
      QFile file(nextSavePath_);
      QVERIFY2(file.open(QIODevice::ReadOnly) && file.size() > 100, c.file);
      if (nextSavePath_.endsWith(QStringLiteral(".png"))) QVERIFY(!QImage(nextSavePath_).isNull());
      if (nextSavePath_.endsWith(QStringLiteral(".svg"))) QVERIFY(file.readAll().contains("<svg"));
    }
  }

  void dropAndRecentFilesOpenModelsAndPlans() {
    // A model file dropped on the window opens; a plan dropped next applies to it.
    const QString model = dir_.filePath(QStringLiteral("dropped.onnx"));
    QFile::remove(model);
    QVERIFY(QFile::copy(QStringLiteral(ALGOSCOPE_SAMPLES "/lenet.onnx"), model));
    auto drop = [&](const QString& path) {
      QMimeData data;
      data.setUrls({QUrl::fromLocalFile(path)});
      QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
      QCoreApplication::sendEvent(window_.get(), &enter);
      if (!enter.isAccepted()) return false;
      QDropEvent dropEvent(QPointF(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
      QCoreApplication::sendEvent(window_.get(), &dropEvent);
      return true;
    };
    QSignalSpy loaded(window_.get(), &MainWindow::modelLoaded);
    QVERIFY(drop(model));
    QVERIFY(loaded.wait(kLoadTimeoutMs));
    QCOMPARE(QString::fromStdString(window_->document()->model()->name), QStringLiteral("dropped"));

    ModelDocument* document = window_->document();
    Plan plan = document->plan();
    plan.defaults["Gemm"] = "reference";
    const QString planPath = dir_.filePath(QStringLiteral("dropped.plan.json"));
    plan.save(planPath.toStdString());
    QVERIFY(drop(planPath));
    QCOMPARE(document->plan().defaults.at("Gemm"), std::string("reference"));
    QVERIFY(!drop(dir_.filePath(QStringLiteral("notes.txt"))));  // not offered

    // The file is first in File > Open recent; choosing it opens it again.
    QMenu* recent = nullptr;
    for (QMenu* menu : window_->findChildren<QMenu*>())
      if (menu->title().contains(QStringLiteral("recent"))) recent = menu;
    QVERIFY(recent);
    QVERIFY(!recent->actions().isEmpty());
    QCOMPARE(recent->actions().first()->toolTip(), QFileInfo(model).absoluteFilePath());
    // Named with its folder: two exports called model.onnx read differently.
    QVERIFY2(recent->actions().first()->text().startsWith(QFileInfo(model).fileName() +
                                                          QStringLiteral(" — ")),
             qPrintable(recent->actions().first()->text()));
    QCOMPARE(recentFileText(QStringLiteral("/data/exports/resnet/model.onnx")),
             QStringLiteral("model.onnx — /data/exports/resnet"));
    QCOMPARE(recentFileText(QStringLiteral("/data/exports/vit/b16/model.onnx")),
             QStringLiteral("model.onnx — …/vit/b16"));
    QVERIFY(open(*window_, QStringLiteral(":/models/tiny_resnet.onnx")));
    loaded.clear();
    recent->actions().first()->trigger();
    QVERIFY(loaded.wait(kLoadTimeoutMs));
    QCOMPARE(QString::fromStdString(document->model()->name), QStringLiteral("dropped"));
  }

  void checkFindsADeliberatelyWrongAlgorithm() {
    ModelDocument* document = window_->document();
    const int row = firstConvRow();
    QVERIFY(row >= 0);
    // Chosen in the table, as a person picks it from the combo.
    QVERIFY(window_->layerModel()->setData(
        window_->layerModel()->index(row, LayerTableModel::AlgorithmColumn),
        QString::fromLatin1(kWrongAlgorithm)));
    QCOMPARE(document->effectiveAlgorithm(row), QString::fromLatin1(kWrongAlgorithm));
    QSignalSpy measured(document, &ModelDocument::measurementsChanged);
    QCOMPARE(runToEnd([&] { action("actionCheck")->trigger(); }), JobRunner::Outcome::Completed);
    QVERIFY(measured.count() >= 1);

    QVERIFY2(cell(row, LayerTableModel::StatusColumn).startsWith(QStringLiteral("MISMATCH")),
             qPrintable(cell(row, LayerTableModel::StatusColumn)));
    const AlgorithmResult* result = document->currentResult(row);
    QVERIFY(result && result->error && result->failed());
    QVERIFY(std::abs(result->error->max_abs_error - 1e-2) < 1e-4);
    QCOMPARE(result->error->mismatches, 1);
    QCOMPARE(cell(row, LayerTableModel::ErrorColumn), humanError(result->error->max_abs_error));
    QCOMPARE(window_->layerModel()
                 ->index(row, LayerTableModel::StatusColumn)
                 .data(Qt::ForegroundRole)
                 .value<QBrush>()
                 .color(),
             QColor(190, 30, 30));
    // Every other layer was checked and is fine.
    for (int other = 0; other < document->layerCount(); ++other) {
      if (other == row) continue;
      const QString status = cell(other, LayerTableModel::StatusColumn);
      QVERIFY2(status == QStringLiteral("ok") || status == QStringLiteral("reference"),
               qPrintable(document->layer(other).name + QStringLiteral(": ") + status));
    }
    // The window names the culprit, and the status bar keeps the verdict for this plan.
    QVERIFY(window_->messageText().contains(document->layer(row).name));
    QVERIFY(window_->messageText().contains(QString::fromLatin1(kWrongAlgorithm)));
    QVERIFY(window_->statusSummary().contains(QStringLiteral("check FAILED")));
    QVERIFY(document->lastCheck() && !document->lastCheck()->passed);
    QVERIFY(!document->lastCheck()->outputs.empty());

    // Back to the engine's choice: the check passes.
    action("actionResetPlan")->trigger();
    QCOMPARE(runToEnd([&] { action("actionCheck")->trigger(); }), JobRunner::Outcome::Completed);
    QVERIFY(document->lastCheck()->passed);
    QVERIFY(window_->statusSummary().contains(QStringLiteral("check passed")));
    QVERIFY(!cell(row, LayerTableModel::StatusColumn).startsWith(QStringLiteral("MISMATCH")));
  }

  // Check fills the error propagation (a line per checked plan), the error colour mode and the
  // memory chart; timing algorithms fills the roofline; the inspector compares the algorithms'
  // memory.
  void analysisViewsFollowChecksAndTimings() {
    ModelDocument* document = window_->document();
    QCOMPARE(window_->propagationChart()->lineCount(), 0);
    QVERIFY(window_->propagationChart()->chart()->title().contains(QStringLiteral("Check")));
    QCOMPARE(window_->memoryChart()->stepCount(), 0);
    QCOMPARE(window_->rooflineChart()->pointCount(), 0);
    QVERIFY(window_->inspector()->layerHtml().contains(QStringLiteral("Memory per algorithm")) ==
            document->layer(0).runnable());

    QCOMPARE(runToEnd([&] { action("actionCheck")->trigger(); }), JobRunner::Outcome::Completed);
    QCOMPARE(window_->propagationChart()->lineCount(), 1);
    const PropagationLine& first = document->propagationLines().back();
    QCOMPARE(first.label, QStringLiteral("engine's choice"));
    QCOMPARE(int(first.layers.size()), document->layerCount());
    QVERIFY(document->accumulatedError(firstConvRow()).has_value());
    QChart* propagation = window_->propagationChart()->chart();
    QVERIFY(propagation->axes(Qt::Horizontal)
                .value(0)
                ->titleText()
                .contains(QStringLiteral("execution order")));
    QVERIFY(propagation->axes(Qt::Vertical)
                .value(0)
                ->titleText()
                .contains(QStringLiteral("relative error")));
    QVERIFY(propagation->legend()->isVisible());
    // The memory of the checked plan: one step per layer on the host, the peak named.
    QCOMPARE(window_->memoryChart()->stepCount(), document->layerCount());
    const MemoryReport* memory = document->currentMemory();
    QVERIFY(memory);
    QVERIFY(window_->memoryChart()->chart()->title().contains(
        QString::fromStdString(memory->peak().name)));
    QVERIFY(window_->memoryChart()
                ->chart()
                ->axes(Qt::Vertical)
                .value(0)
                ->titleText()
                .contains(QStringLiteral("MiB")));
    // Colour by accumulated error: the layer with the largest error is drawn darker on the heat
    // scale than the one with the smallest.
    window_->setColorMode(int(GraphView::ColorMode::AccumulatedError));
    QCOMPARE(window_->graphView()->colorMode(), GraphView::ColorMode::AccumulatedError);
    int least = -1, most = -1;
    for (int row = 0; row < document->layerCount(); ++row) {
      const std::optional<double> error = document->accumulatedError(row);
      if (!error || *error <= 0) continue;
      if (least < 0 || *error < *document->accumulatedError(least)) least = row;
      if (most < 0 || *error > *document->accumulatedError(most)) most = row;
    }
    QVERIFY(least >= 0 && most >= 0 && least != most);
    QVERIFY(window_->graphView()->fillOfRow(most).lightness() <
            window_->graphView()->fillOfRow(least).lightness());

    // A second plan adds its line: Winograd F4's larger error shows at the output.
    document->setOpTypeDefault(QStringLiteral("Conv"), QStringLiteral("winograd_f4"));
    QCOMPARE(runToEnd([&] { action("actionCheck")->trigger(); }), JobRunner::Outcome::Completed);
    QCOMPARE(window_->propagationChart()->lineCount(), 2);
    const PropagationLine& winograd = document->propagationLines().back();
    QVERIFY(winograd.label.contains(QStringLiteral("winograd_f4")));
    QVERIFY(winograd.layers.back().accumulated >
            document->propagationLines()[0].layers.back().accumulated);
    QVERIFY(window_->propagationChart()->chart()->series().size() >= 3);  // two plans + local

    // Timing the first Conv's algorithms: the roofline with the machine's roofs.
    document->setCurrentRow(firstConvRow());
    window_->layerTable()->clearSelection();
    window_->layerTable()->selectRow(firstConvRow());
    QCOMPARE(runToEnd([&] { action("actionTimeSelected")->trigger(); }),
             JobRunner::Outcome::Completed);
    QVERIFY(document->roofs().has_value());
    QVERIFY(document->roofs()->peak_gflops > 0);
    QVERIFY(window_->rooflineChart()->hasRoofs());
    QCOMPARE(window_->rooflineChart()->pointCount(), int(document->timings(firstConvRow()).size()));
    QVERIFY(window_->rooflineChart()
                ->chart()
                ->axes(Qt::Horizontal)
                .value(0)
                ->titleText()
                .contains(QStringLiteral("intensity")));
    QVERIFY(window_->inspector()->layerHtml().contains(QStringLiteral("Memory per algorithm")));
    QVERIFY(window_->inspector()->layerHtml().contains(QStringLiteral("im2col")));
  }

  // The layer context menu's Extract writes a model that, run alone on its recorded input, gives
  // the recorded output.
  void extractingALayerWritesAModelThatRunsAlone() {
    ModelDocument* document = window_->document();
    const int row = firstConvRow();
    document->setCurrentRow(row);
    QVERIFY(window_->layerTable()->actions().contains(action("actionExtractLayer")));
    nextDirectory_.clear();  // cancelled: nothing happens
    QVERIFY(!window_->extractSelectedLayer());
    nextDirectory_ = dir_.path();
    QCOMPARE(runToEnd([&] { action("actionExtractLayer")->trigger(); }),
             JobRunner::Outcome::Completed);
    QString folder = document->layer(row).name;
    for (QChar& c : folder)
      if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('_'))
        c = QLatin1Char('_');
    const QString model = QDir(dir_.filePath(folder)).filePath(QStringLiteral("model.onnx"));
    QVERIFY2(QFile::exists(model), qPrintable(model));
    const std::string data =
        QDir(dir_.filePath(folder)).filePath(QStringLiteral("test_data_set_0")).toStdString();
    auto alone = std::make_shared<const Model>(load_model(model.toStdString()));
    Session session(alone, reference_plan(*alone), {.threads = 1});
    const Tensor got = session.run(read_tensor_dir(data, "input")).at(0);
    const Tensor want = read_tensor_dir(data, "output").at(0);
    QCOMPARE(got.shape(), want.shape());
    for (int64_t i = 0; i < got.numel(); ++i)
      QVERIFY(std::abs(got.data<float>()[i] - want.data<float>()[i]) <=
              1e-4f * (1 + std::abs(want.data<float>()[i])));
  }

  void timeAlgorithmsFillsEveryAlgorithmAndTheCharts() {
    ModelDocument* document = window_->document();
    QCOMPARE(window_->speedErrorChart()->pointCount(), 0);
    QCOMPARE(runToEnd([&] { action("actionTimeAll")->trigger(); }), JobRunner::Outcome::Completed);
    int convs = 0;
    for (int row = 0; row < document->layerCount(); ++row) {
      const LayerFacts& facts = document->layer(row);
      int applicable = 0;
      for (const AlgorithmOption& option : facts.algorithms)
        applicable += option.applicable() && option.name != QStringLiteral("reference") &&
                      option.name != QString::fromLatin1(kWrongAlgorithm);
      if (facts.opType != QStringLiteral("Conv")) continue;
      ++convs;
      // Every applicable algorithm but reference, each with its time and its error; the wrong one
      // was timed once only (out of tolerance), which is never shown as its time.
      QCOMPARE(int(document->timings(row).size()), applicable);
      QVERIFY(!document->timing(row, QString::fromLatin1(kWrongAlgorithm)));
      QVERIFY(applicable >= 3);
      for (const auto& [algorithm, timing] : document->timings(row)) {
        QVERIFY(timing.median > 0);
        const AlgorithmResult* result = document->result(row, algorithm);
        QVERIFY2(result && result->error, qPrintable(algorithm));
        QVERIFY(result->workspaceBytes.has_value());
      }
      QVERIFY(document->result(row, QString::fromLatin1(kWrongAlgorithm))->failed());
      QVERIFY(!cell(row, LayerTableModel::LatencyColumn).isEmpty());
      QVERIFY(!cell(row, LayerTableModel::ErrorColumn).isEmpty());
    }
    QVERIFY(convs > 0);
    // Per-layer chart: one bar set per algorithm; speed vs error: one series per algorithm.
    auto* bars =
        qobject_cast<QAbstractBarSeries*>(window_->layerChart()->chart()->series().value(0));
    QVERIFY(bars);
    QVERIFY(bars->count() >= 3);
    // The plan's algorithm is ringed at its median, not recoloured: no bar is drawn selected, and
    // every ring sits at the median of some layer's plan algorithm.
    auto* rings = qobject_cast<QScatterSeries*>(window_->layerChart()->chart()->series().value(1));
    QVERIFY(rings && rings->count() >= 1);
    for (QBarSet* set : bars->barSets()) QVERIFY(set->selectedBars().isEmpty());
    std::set<double> planMedians;
    for (int row = 0; row < document->layerCount(); ++row)
      if (auto t = document->currentTiming(row)) planMedians.insert(t->median * 1e3);
    for (const QPointF& ring : rings->points()) QVERIFY(planMedians.count(ring.x()));
    QVERIFY(window_->speedErrorChart()->pointCount() > convs);
    QVERIFY(window_->speedErrorChart()->chart()->series().size() >= 3);
    const int allPoints = window_->speedErrorChart()->pointCount();
    document->setCurrentRow(firstConvRow());
    window_->speedErrorChart()->setScope(SpeedErrorChart::Scope::SameOpAsSelected);
    QVERIFY(window_->speedErrorChart()->pointCount() < allPoints);
    QVERIFY(window_->speedErrorChart()->pointCount() > convs);
    window_->speedErrorChart()->setScope(SpeedErrorChart::Scope::SelectedLayer);
    QVERIFY(window_->speedErrorChart()->pointCount() >= 3);
    QVERIFY(window_->inspector()->algorithmHtml().contains(QStringLiteral("max error")));
    QVERIFY(window_->inspector()->algorithmHtml().contains(QString::fromLatin1(kWrongAlgorithm)));
    window_->speedErrorChart()->setScope(SpeedErrorChart::Scope::AllLayers);
    // Clicking a point selects its layer: the point of the last conv's first algorithm, found by
    // its time (the x coordinate).
    int lastConv = -1;
    for (int row = 0; row < document->layerCount(); ++row)
      if (document->layer(row).opType == QStringLiteral("Conv") && !document->timings(row).empty())
        lastConv = row;
    QVERIFY(lastConv > firstConvRow());
    const auto& [algorithm, timing] = *document->timings(lastConv).begin();
    QScatterSeries* clicked = nullptr;
    for (QAbstractSeries* series : window_->speedErrorChart()->chart()->series())
      if (series->name() == algorithm) clicked = qobject_cast<QScatterSeries*>(series);
    QVERIFY(clicked);
    std::optional<QPointF> at;
    for (const QPointF& p : clicked->points())
      if (p.x() == timing.median * 1e3) at = p;
    QVERIFY(at);
    document->setCurrentRow(firstConvRow());
    emit clicked->clicked(*at);
    QCOMPARE(document->currentRow(), lastConv);

    // Selected layers only: exactly those get new measurements.
    document->clearMeasurements();
    window_->layerTable()->clearSelection();
    window_->layerTable()->selectRow(firstConvRow());
    QCOMPARE(runToEnd([&] { action("actionTimeSelected")->trigger(); }),
             JobRunner::Outcome::Completed);
    for (int row = 0; row < document->layerCount(); ++row)
      QCOMPARE(document->timings(row).empty(), row != firstConvRow());
  }

  void tuneUsesTheTunedPlanAndChartsIt() {
    ModelDocument* document = window_->document();
    window_->setRunSettings(tuneSettings());
    QFile::remove(tuneSettings().tuningCachePath);
    QCOMPARE(runToEnd([&] { action("actionTune")->trigger(); }), JobRunner::Outcome::Completed);
    QCOMPARE(confirmations_, 1);  // "Use the tuned plan?" - yes
    QVERIFY(document->lastTune().has_value());
    const TuneSummary& tuned = *document->lastTune();
    QVERIFY(!tuned.partial);
    QVERIFY(tuned.latency.has_value());
    for (int row = 0; row < document->layerCount(); ++row) {
      const std::string name = document->layer(row).name.toStdString();
      QVERIFY2(tuned.plan.layers.count(name), name.c_str());
      QVERIFY(tuned.plan.layers.at(name) != kWrongAlgorithm);  // out of tolerance: never chosen
      QCOMPARE(document->requestedAlgorithm(row),
               QString::fromStdString(tuned.plan.layers.at(name)));
    }
    QVERIFY(document->isPlanModified());
    QVERIFY(window_->isWindowModified());
    QVERIFY(QFile::exists(tuneSettings().tuningCachePath));
    bool tunedBar = false;
    for (const QString& category : categoriesOf(window_->plansChart()->chart()))
      tunedBar |= category.contains(QStringLiteral("tuned"));
    QVERIFY2(tunedBar, qPrintable(categoriesOf(window_->plansChart()->chart()).join(", ")));
    // A bar per strategy tune compared (one plan under several names shares a bar).
    const QString bars = categoriesOf(window_->plansChart()->chart()).join(QStringLiteral("|"));
    for (const char* strategy : {"per-layer choices", "optimizer's plan"})
      QVERIFY2(bars.contains(QLatin1String(strategy)), qPrintable(bars));
    // The optimizer's reasons show in the inspector, and the values its plan pays for are drawn
    // as costly edges, while the tuned plan is the current one.
    for (const auto& [node, reason] : tuned.reasons) {
      document->setCurrentRow(document->rowOfNode(node));
      QVERIFY2(window_->inspector()->layerHtml().contains(reason.toHtmlEscaped()),
               qPrintable(node));
    }
    QCOMPARE(window_->graphView()->costlyEdgeCount() > 0, !tuned.edgeCosts.empty());
    // The tuned plan is the current one now: the status bar shows its latency.
    QVERIFY(document->currentPlanLatency().has_value());

    // Again, declining the plan: every layer comes from the cache, and the plan stays.
    confirmAnswer_ = false;
    action("actionResetPlan")->trigger();
    QCOMPARE(runToEnd([&] { action("actionTune")->trigger(); }), JobRunner::Outcome::Completed);
    QCOMPARE(confirmations_, 2);
    QCOMPARE(document->lastTune()->cacheHits, document->layerCount());
    QVERIFY(document->plan().layers.empty());
    action("actionUseTunedPlan")->trigger();
    QCOMPARE(document->plan().layers.size(), size_t(document->layerCount()));

    // The heuristic choice, timing nothing.
    confirmAnswer_ = true;
    action("actionTuneHeuristic")->trigger();
    QVERIFY(document->plan().measurements_json.find("heuristic") != std::string::npos);
  }

  void cancellingATuneKeepsPartialResults() {
    ModelDocument* document = window_->document();
    RunSettings slow = tuneSettings();
    slow.useTuningCache = false;  // a cache hit would finish before the cancel
    slow.repeats = 1000000;
    window_->setRunSettings(slow);
    QSignalSpy progress(window_->runner(), &JobRunner::progress);
    QSignalSpy finished(window_->runner(), &JobRunner::finished);
    action("actionTune")->trigger();
    // Progress names the layer and algorithm being measured.
    QVERIFY(progress.wait(kRunTimeoutMs));
    while (!progress.last().at(2).toString().contains(QStringLiteral(" · ")))
      QVERIFY(progress.wait(kRunTimeoutMs));
    action("actionCancel")->trigger();
    QVERIFY(finished.wait(kRunTimeoutMs));
    QCOMPARE(finished.first().at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Cancelled);
    QVERIFY(document->lastTune().has_value());
    QVERIFY(document->lastTune()->partial);
    QVERIFY(document->lastTune()->layersDecided < document->layerCount());
    QCOMPARE(confirmations_, 0);  // nothing offered
    QVERIFY(document->plan().layers.empty());
    QVERIFY(window_->messageText().contains(QStringLiteral("partial")));
    // Usable: the next job runs to the end.
    window_->setRunSettings(kQuickRuns);
    QCOMPARE(runToEnd([&] { action("actionCheck")->trigger(); }), JobRunner::Outcome::Completed);
    QVERIFY(document->lastCheck()->passed);
  }

  void runSettingsDialogKeepsTolerancesAndCache() {
    RunSettings settings = tuneSettings();
    settings.tolerance = Tolerance{1e-3, 2e-2};
    settings.useTuningCache = false;
    RunSettingsDialog dialog(settings);
    const RunSettings back = dialog.settings();
    QVERIFY(back.tolerance.has_value());
    QCOMPARE(back.tolerance->atol, 1e-3);
    QCOMPARE(back.tolerance->rtol, 2e-2);
    QCOMPARE(back.useTuningCache, false);
    QCOMPARE(back.tuningCachePath, settings.tuningCachePath);
    window_->setRunSettings(back);
    const RunSettings stored = AppSettings::runSettings();
    QCOMPARE(stored.tolerance->atol, 1e-3);
    QCOMPARE(stored.tuningCachePath, settings.tuningCachePath);
    window_->setRunSettings(kQuickRuns);
    QVERIFY(!AppSettings::runSettings().tolerance.has_value());
  }

  // The run settings pick the GPU: the devices the driver reports, or, on a machine without one,
  // a disabled choice with the engine's reason, and the setting left as it was.
  void runSettingsDialogPicksTheGpuDevice() {
    const GpuDevices devices = gpu_devices();
    RunSettings settings = kQuickRuns;
    settings.gpuDevice = 0;
    RunSettingsDialog dialog(settings);
    auto* combo = dialog.findChild<QComboBox*>(QStringLiteral("gpuDevice"));
    auto* note = dialog.findChild<QLabel*>(QStringLiteral("gpuNote"));
    QVERIFY(combo && note);
    if (devices.names.empty()) {
      QVERIFY(!combo->isEnabled());
      QCOMPARE(note->text(), QString::fromStdString(devices.none_reason));
      QVERIFY(!note->text().isEmpty());
      QCOMPARE(dialog.settings().gpuDevice.value_or(-1), 0);
      QCOMPARE(applyGpuDevice(0), QString());  // nothing to select, nothing to complain about
      // Never chosen: the engine's default, not stored, and nothing asked of the driver.
      QVERIFY(!RunSettings{}.gpuDevice.has_value());
      QCOMPARE(applyGpuDevice(std::nullopt), QString());
      return;
    }
    QVERIFY(combo->isEnabled());
    QCOMPARE(combo->count(), int(devices.names.size()));
    QVERIFY(combo->itemText(0).contains(QString::fromStdString(devices.names[0])));
    combo->setCurrentIndex(combo->count() - 1);
    QCOMPARE(dialog.settings().gpuDevice.value_or(-1), combo->count() - 1);
  }

  // Started without any display: the explorer says how to run in one line and exits with 2 (Qt
  // alone aborts with exit 134); a screenshot renders offscreen by itself.
  // A filter and a search belong to the model they were typed for: while a filter hides rows the
  // table says how many it shows, and the next model opens with every layer shown and no search.
  // A long error (a plan for another model lists every missing node; a wide <pre> block) stays
  // inside a bar a few lines tall: the window keeps its size, the text scrolls and is all there,
  // and the next successful load clears it.
  void aLongErrorNeitherGrowsTheWindowNorOutstaysTheNextLoad() {
    QVERIFY(open(*window_, QStringLiteral(":/models/tiny_resnet.onnx")));
    window_->resize(1200, 800);
    QCoreApplication::processEvents();
    const QSize before = window_->size();
    // A plan for another model: 65 layers this one does not have, one with a very long name.
    Plan other;
    for (int i = 0; i < 65; ++i)
      other.layers["/features/block" + std::to_string(i) + "/conv/Conv"] = "reference";
    other.layers[std::string(3000, 'x')] = "reference";
    const QString path = dir_.filePath(QStringLiteral("other.plan.json"));
    other.save(path.toStdString());
    QVERIFY(!window_->loadPlan(path));
    for (int i = 0; i < 5; ++i) QCoreApplication::processEvents();
    QCOMPARE(window_->size(), before);
    const QString text = window_->messageText();
    QVERIFY2(text.contains(QStringLiteral("block64")) && text.contains(QString(3000, 'x')),
             qPrintable(text.left(400)));
    auto* view = window_->findChild<QWidget*>(QStringLiteral("messageText"));
    QVERIFY(view);
    QVERIFY2(view->height() < 12 * view->fontMetrics().lineSpacing(),
             qPrintable(QString::number(view->height())));
    QVERIFY(view->width() <= before.width());
    QVERIFY(open(*window_, QStringLiteral(":/models/lenet.onnx")));
    QVERIFY(window_->messageText().isEmpty());
    QCOMPARE(window_->size(), before);
  }

  // The inspector's combo follows the plan: reading about another algorithm keeps it while the
  // rest of the plan changes, but a new algorithm for this layer (from the table, a loaded plan)
  // shows the one that now runs it.
  // Plan edits undo and redo from the Plan menu, a reset included; a batch of rows is one step;
  // another model starts with nothing to undo.
  // File > Model properties shows the model's facts; Help has a getting-started page.
  void modelPropertiesAndGettingStarted() {
    QVERIFY(open(*window_, QStringLiteral(":/models/tiny_resnet.onnx")));
    const QString html = modelPropertiesHtml(*window_->document());
    const Model& model = *window_->document()->model();
    QVERIFY(html.contains(QString::fromStdString(model.producer)));
    QVERIFY(html.contains(QStringLiteral("%1, %2").arg(model.ir_version).arg(model.opset)));
    QVERIFY(html.contains(QString::fromStdString(model.inputs[0])));
    QVERIFY(html.contains(
        QString::fromStdString(shape_to_string(model.find_value(model.inputs[0])->info.shape))));
    QVERIFY(html.contains(QStringLiteral("What the loader changed")));
    action("actionModelProperties")->trigger();
    auto* dialog = window_->findChild<QDialog*>(QStringLiteral("modelProperties"));
    QVERIFY(dialog && dialog->isVisible());
    QVERIFY(dialog->findChild<QTextBrowser*>()->toPlainText().contains(
        QString::fromStdString(model.inputs[0])));
    dialog->close();
    QVERIFY(gettingStartedHtml().contains(QStringLiteral("Check")));
    QVERIFY(action("actionGettingStarted")->isEnabled());
  }

  void undoAndRedoRestoreThePlan() {
    QVERIFY(open(*window_, QStringLiteral(":/models/tiny_resnet.onnx")));
    ModelDocument* document = window_->document();
    QAction* undo = action("actionUndo");
    QAction* redo = action("actionRedo");
    QVERIFY(!undo->isEnabled());
    const Plan initial = document->plan();
    const int row = firstConvRow();
    QVERIFY(document->setLayerAlgorithm(row, QStringLiteral("im2col")));
    const Plan edited = document->plan();
    QVERIFY(undo->isEnabled());
    QVERIFY(undo->text().contains(QStringLiteral("im2col")));
    QList<int> rows;
    for (int r = 0; r < document->layerCount(); ++r)
      if (document->layer(r).opType == QStringLiteral("Conv")) rows << r;
    QVERIFY(document->setRowsAlgorithm(rows, QStringLiteral("reference")) > 1);
    const Plan batch = document->plan();
    document->resetPlan();
    QVERIFY(document->plan() == initial);

    undo->trigger();
    QVERIFY(document->plan() == batch);
    undo->trigger();  // the whole batch in one step
    QVERIFY(document->plan() == edited);
    QCOMPARE(document->effectiveAlgorithm(row), QStringLiteral("im2col"));
    undo->trigger();
    QVERIFY(document->plan() == initial);
    QVERIFY(!undo->isEnabled());
    redo->trigger();
    redo->trigger();
    QVERIFY(document->plan() == batch);
    QVERIFY(document->isPlanModified());

    QVERIFY(open(*window_, QStringLiteral(":/models/lenet.onnx")));
    QVERIFY(!undo->isEnabled());
    QVERIFY(!redo->isEnabled());
  }

  void inspectorComboFollowsThePlan() {
    QVERIFY(open(*window_, QStringLiteral(":/models/tiny_resnet.onnx")));
    ModelDocument* document = window_->document();
    Inspector* inspector = window_->inspector();
    const int row = firstConvRow();
    document->setCurrentRow(row);
    QCOMPARE(inspector->inspectedAlgorithm(), document->effectiveAlgorithm(row));
    inspector->inspectAlgorithm(QStringLiteral("reference"));  // reading, not choosing
    Plan plan = document->plan();
    plan.defaults["Gemm"] = "reference";  // another layer's choice
    document->setPlan(plan);
    QCOMPARE(inspector->inspectedAlgorithm(), QStringLiteral("reference"));
    QVERIFY(document->setLayerAlgorithm(row, QStringLiteral("im2col")));
    QCOMPARE(inspector->inspectedAlgorithm(), QStringLiteral("im2col"));
    plan = document->plan();
    plan.layers[document->layer(row).name.toStdString()] = "kn2row";
    document->setPlan(plan);
    QCOMPARE(inspector->inspectedAlgorithm(), QStringLiteral("kn2row"));
  }

  // The layer column fits the model's longest name up to a cap (issue 17: every name was cut in
  // the middle); longer ones lose their shared start, not their distinctive end.
  void layerColumnFitsLongNames() {
    onnx_builder::ModelBuilder b("long_names");
    b.input("x", {1, 8});
    const std::string longName = "/features/features.12/conv/conv.0/Relu";
    b.node("Relu", {"x"}, {"a"}, longName);
    b.node("Relu", {"a"}, {"y"}, "/short");
    b.output("y");
    const QString path = dir_.filePath(QStringLiteral("long_names.onnx"));
    b.write(path.toStdString());
    QVERIFY(open(*window_, path));
    const int needed =
        window_->layerTable()->fontMetrics().horizontalAdvance(QString::fromStdString(longName));
    QVERIFY2(window_->layerTable()->columnWidth(LayerTableModel::LayerColumn) >= needed,
             qPrintable(QStringLiteral("%1 < %2")
                            .arg(window_->layerTable()->columnWidth(LayerTableModel::LayerColumn))
                            .arg(needed)));
  }

  void filterAndFindResetWhenAnotherModelOpens() {
    QVERIFY(open(*window_, QStringLiteral(":/models/tiny_resnet.onnx")));
    auto* filter = window_->findChild<QLineEdit*>(QStringLiteral("layerFilter"));
    auto* shown = window_->findChild<QLabel*>(QStringLiteral("shownCount"));
    auto* find = window_->findChild<QLineEdit*>(QStringLiteral("findEdit"));
    QVERIFY(filter && shown && find);
    QAbstractItemModel* table = window_->layerTable()->model();
    const int layers = window_->document()->layerCount();
    QCOMPARE(table->rowCount(), layers);
    QVERIFY(shown->text().isEmpty());
    filter->setText(QStringLiteral("Gemm"));
    QVERIFY(table->rowCount() < layers);
    QCOMPARE(shown->text(), QStringLiteral("%1 of %2 shown").arg(table->rowCount()).arg(layers));
    find->setText(QStringLiteral("Attention"));

    QVERIFY(open(*window_, QStringLiteral(":/models/lenet.onnx")));
    QVERIFY(filter->text().isEmpty());
    QVERIFY(find->text().isEmpty());
    QCOMPARE(table->rowCount(), window_->document()->layerCount());
    QVERIFY(shown->text().isEmpty());
  }

  void withoutADisplayTheExplorerSaysHowToRun() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* variable : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
      env.remove(QString::fromLatin1(variable));
    QProcess app;
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(ALGOSCOPE_GUI_APP),
              {QStringLiteral(ALGOSCOPE_SAMPLES "/tiny_resnet.onnx")});
    QVERIFY(app.waitForFinished(kLoadTimeoutMs));
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 2);
    const QByteArray err = app.readAllStandardError();
    QVERIFY2(err.contains("no display") && err.contains("--screenshot"), err.constData());
    QCOMPARE(err.count('\n'), 1);

    const QString out = dir_.filePath(QStringLiteral("no-display.png"));
    app.start(QStringLiteral(ALGOSCOPE_GUI_APP),
              {QStringLiteral(ALGOSCOPE_SAMPLES "/lenet.onnx"), QStringLiteral("--screenshot"), out,
               QStringLiteral("--size"), QStringLiteral("800x600")});
    QVERIFY(app.waitForFinished(kLoadTimeoutMs));
    QCOMPARE(app.exitCode(), 0);
    QCOMPARE(QImage(out).size(), QSize(800, 600));
  }

  void screenshotRendersTheWindowHeadless() {
    const QString out = dir_.filePath(QStringLiteral("shot.png"));
    QProcess app;
    app.start(
        QStringLiteral(ALGOSCOPE_GUI_APP),
        {QStringLiteral(ALGOSCOPE_SAMPLES "/tiny_resnet.onnx"), QStringLiteral("--screenshot"), out,
         QStringLiteral("--size"), QStringLiteral("1000x700")});
    QVERIFY(app.waitForFinished(kLoadTimeoutMs));
    QCOMPARE(app.exitCode(), 0);
    const QImage image(out);
    QCOMPARE(image.size(), QSize(1000, 700));
    // Not a blank window: many colours, and the graph area (left middle) is not one flat fill.
    QSet<QRgb> colors, graphColors;
    for (int y = 0; y < image.height(); y += 7)
      for (int x = 0; x < image.width(); x += 7) {
        colors.insert(image.pixel(x, y));
        if (y > 80 && y < 400 && x < 650) graphColors.insert(image.pixel(x, y));
      }
    QVERIFY2(colors.size() > 50, qPrintable(QString::number(colors.size())));
    QVERIFY2(graphColors.size() > 10, qPrintable(QString::number(graphColors.size())));

    // A model that cannot be read still renders (showing the error) but exits with 2.
    const QString failedOut = dir_.filePath(QStringLiteral("failed.png"));
    app.start(QStringLiteral(ALGOSCOPE_GUI_APP), {dir_.filePath(QStringLiteral("missing.onnx")),
                                                  QStringLiteral("--screenshot"), failedOut});
    QVERIFY(app.waitForFinished(kLoadTimeoutMs));
    QCOMPARE(app.exitCode(), 2);
    QVERIFY(app.readAllStandardError().contains("missing.onnx"));
    QCOMPARE(QImage(failedOut).size(), QSize(1440, 900));

    // The measurement flags, through the window's actions, with a cache file of the test's own.
    const QString measuredOut = dir_.filePath(QStringLiteral("measured.png"));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("ALGOSCOPE_TUNING_CACHE"),
                       dir_.filePath(QStringLiteral("app-tuning-cache.json")));
    app.setProcessEnvironment(environment);
    app.start(QStringLiteral(ALGOSCOPE_GUI_APP),
              {QStringLiteral(ALGOSCOPE_SAMPLES "/tiny_resnet.onnx"), QStringLiteral("--select"),
               QStringLiteral("Conv=im2col"), QStringLiteral("--check"),
               QStringLiteral("--time-algorithms"), QStringLiteral("conv"),
               QStringLiteral("--tune"), QStringLiteral("--threads"), QStringLiteral("1"),
               QStringLiteral("--repeats"), QStringLiteral("1"), QStringLiteral("--view"),
               QStringLiteral("error,propagation,memory,roofline"), QStringLiteral("--screenshot"),
               measuredOut, QStringLiteral("--size"), QStringLiteral("900x600")});
    QVERIFY(app.waitForFinished(kRunTimeoutMs));
    QCOMPARE(app.exitCode(), 0);
    for (const char* view : {"error", "propagation", "memory", "roofline"})
      QCOMPARE(
          QImage(dir_.filePath(QStringLiteral("measured-%1.png").arg(QLatin1String(view)))).size(),
          QSize(900, 600));
    QVERIFY(QFile::exists(dir_.filePath(QStringLiteral("app-tuning-cache.json"))));
  }

  // Last: the plugin's algorithm stays in the process's registry.
  void loadingAPluginAddsItsAlgorithms() {
    ModelDocument* document = window_->document();
    const int conv = firstConvRow();
    auto offered = [&] {
      QStringList names;
      const QVariantList options = window_->layerModel()
                                       ->index(conv, LayerTableModel::AlgorithmColumn)
                                       .data(LayerTableModel::AlgorithmOptionsRole)
                                       .toList();
      for (const QVariant& option : options) names << option.toMap().value("name").toString();
      return names;
    };
    QVERIFY(!offered().contains(QStringLiteral("example_loops")));
    nextOpenPath_ = dir_.filePath(QStringLiteral("no-such-plugin.so"));
    action("actionLoadPlugin")->trigger();
    QVERIFY2(window_->messageText().contains(QStringLiteral("no-such-plugin.so")),
             qPrintable(window_->messageText()));

    nextOpenPath_ = QStringLiteral(ALGOSCOPE_EXAMPLE_PLUGIN);
    action("actionLoadPlugin")->trigger();
    QVERIFY(offered().contains(QStringLiteral("example_loops")));
    QVERIFY(window_->layerModel()->setData(
        window_->layerModel()->index(conv, LayerTableModel::AlgorithmColumn),
        QStringLiteral("example_loops")));
    QCOMPARE(document->effectiveAlgorithm(conv), QStringLiteral("example_loops"));
    document->setCurrentRow(conv);
    window_->inspector()->inspectAlgorithm(QStringLiteral("example_loops"));  // in its combo
    QCOMPARE(window_->inspector()->inspectedAlgorithm(), QStringLiteral("example_loops"));
    QVERIFY(window_->inspector()->algorithmHtml().contains(QStringLiteral("from plugin")));
    // And it checks out against reference.
    QCOMPARE(runToEnd([&] { action("actionCheck")->trigger(); }), JobRunner::Outcome::Completed);
    QVERIFY(document->lastCheck()->passed);
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
