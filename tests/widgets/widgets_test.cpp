// The explorer's building blocks without the window: ModelDocument over the bundled samples, the
// item models under QAbstractItemModelTester while the plan, the measurements and the model
// change, the algorithm combo, the layered graph layout's geometric promises, the grouping of
// layers into blocks by name prefix, the job runner's ordering and cancellation, and the CSV/JSON
// exports.
#include <QAbstractItemModelTester>
#include <QBrush>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QStyleOptionViewItem>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <map>

#include "algorithm_delegate.h"
#include "algoscope/algoscope.h"
#include "charts.h"
#include "graph_groups.h"
#include "job_runner.h"
#include "layer_table_model.h"
#include "model_document.h"
#include "plan_compare.h"
#include "reports.h"
#include "results_export.h"
#include "settings.h"
#include "sugiyama_layout.h"
#include "support/fused_models.h"

using namespace algoscope;
using namespace algoscope::gui;

namespace {

std::shared_ptr<const Model> sample(const char* name) {
  return std::make_shared<const Model>(load_model(std::string(ALGOSCOPE_SAMPLES) + "/" + name));
}

// A layer and an algorithm of its op type that cannot compute it.
std::pair<int, QString> notApplicable(const ModelDocument& document) {
  for (int row = 0; row < document.layerCount(); ++row)
    for (const AlgorithmOption& option : document.layer(row).algorithms)
      if (!option.applicable()) return {row, option.name};
  return {-1, {}};
}

// A layer and an applicable algorithm that is not the engine's choice for it.
std::pair<int, QString> alternative(const ModelDocument& document, const QString& op) {
  for (int row = 0; row < document.layerCount(); ++row) {
    const LayerFacts& facts = document.layer(row);
    if (facts.opType != op) continue;
    for (const AlgorithmOption& option : facts.algorithms)
      if (option.applicable() && option.name != facts.engineDefault) return {row, option.name};
  }
  return {-1, {}};
}

// A random DAG in topological order: local edges plus some long skips (like residual and dense
// connections), the shapes the layout must handle.
LayoutGraph randomDag(int nodes, quint32 seed, bool tree = false) {
  QRandomGenerator random(seed);
  LayoutGraph graph;
  for (int i = 0; i < nodes; ++i)
    graph.sizes.emplace_back(60 + random.bounded(160), 20 + random.bounded(40));
  for (int i = 1; i < nodes; ++i) {
    const int parents = tree ? 1 : 1 + random.bounded(2);
    for (int p = 0; p < parents; ++p) {
      const bool skip = !tree && random.bounded(10) == 0;
      const int span =
          skip ? 1 + random.bounded(std::min(i, 60)) : 1 + random.bounded(std::min(i, 3));
      graph.edges.emplace_back(i - span, i);
    }
  }
  return graph;
}

}  // namespace

class WidgetsTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void documentDescribesEveryLayer() {
    ModelDocument document;
    QSignalSpy modelChanged(&document, &ModelDocument::modelChanged);
    auto model = sample("tiny_resnet.onnx");
    document.setModel(model);
    QCOMPARE(modelChanged.count(), 1);
    QCOMPARE(document.layerCount(), int(model->nodes.size()));
    double flops = 0;
    for (int row = 0; row < document.layerCount(); ++row) {
      const LayerFacts& facts = document.layer(row);
      QCOMPARE(facts.name.toStdString(), model->nodes[size_t(row)].name);
      QVERIFY(facts.runnable());
      QVERIFY(!facts.algorithms.empty());
      QVERIFY(!facts.outputShapes.isEmpty());
      // The engine's choice is one of the applicable algorithms, and the plan starts on it.
      bool found = false;
      for (const AlgorithmOption& option : facts.algorithms)
        found |= option.name == facts.engineDefault && option.applicable();
      QVERIFY2(found, qPrintable(facts.name));
      QCOMPARE(document.effectiveAlgorithm(row), facts.engineDefault);
      flops += facts.flops;
    }
    QVERIFY(flops > 1e6);
    QCOMPARE(document.totalFlops(), flops);
    QVERIFY(document.unsupportedSummary().isEmpty());
    QVERIFY(!document.isPlanModified());
    QCOMPARE(document.rowOfNode(document.layer(3).name), 3);
  }

  // The op column shows what the engine's describe_layer says the layer is after the graph passes,
  // and the facts name what each fusion absorbed.
  void layerTableShowsFusedOps() {
    struct Case {
      onnx_builder::ModelBuilder model;
      QString displayOp;
      QString absorbed;
    };
    std::vector<Case> cases;
    cases.push_back(
        {fused_models::conv_bn_relu(), QStringLiteral("Conv+BN+Relu"), QStringLiteral("bn")});
    cases.push_back({fused_models::add_relu(), QStringLiteral("Add+Relu"), QStringLiteral("act")});
    cases.push_back(
        {fused_models::attention(), QStringLiteral("Attention"), QStringLiteral("softmax")});
    for (const Case& c : cases) {
      ModelDocument document;
      document.setModel(
          std::make_shared<const Model>(load_model_from_bytes(c.model.bytes(), "fused.onnx")));
      LayerTableModel table(&document);
      int found = -1;
      for (int row = 0; row < table.rowCount(); ++row)
        if (table.index(row, LayerTableModel::OpColumn).data().toString() == c.displayOp)
          found = row;
      QVERIFY2(found >= 0, qPrintable(c.displayOp));
      const LayerFacts& facts = document.layer(found);
      QCOMPARE(facts.displayOp, c.displayOp);
      QVERIFY(!facts.fusions.isEmpty());
      QVERIFY2(facts.fusions.join(QLatin1Char(' ')).contains(c.absorbed),
               qPrintable(facts.fusions.join(QLatin1Char(' '))));
      QVERIFY(facts.runnable());
      for (const AlgorithmOption& option : facts.algorithms) QVERIFY(!option.backend.isEmpty());
    }
  }

  // The report wording is plain functions of the engine's results: what the status bar and the
  // message bar say, tested without a window.
  // A picture is saved through a temporary file: a failed save leaves the earlier one whole and
  // no temporary behind.
  void pngSavesAreAtomic() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("graph.png"));
    QImage red(8, 8, QImage::Format_ARGB32);
    red.fill(Qt::red);
    QVERIFY(savePngAtomically(red, path));
    QCOMPARE(QImage(path).pixelColor(0, 0), QColor(Qt::red));
    QVERIFY(!savePngAtomically(QImage(), path));
    QVERIFY(!savePngAtomically(red, dir.filePath(QStringLiteral("missing/graph.png"))));
    QCOMPARE(QImage(path).pixelColor(0, 0), QColor(Qt::red));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
  }

  void reportWording() {
    ModelDocument document;
    QCOMPARE(statusSummaryText(document),
             QStringLiteral("No model — File ▸ Open (Ctrl+O) or Open sample"));
    document.setModel(sample("lenet.onnx"));
    QString summary = statusSummaryText(document);
    QVERIFY2(summary.startsWith(QStringLiteral("lenet · %1 layers · ").arg(document.layerCount())),
             qPrintable(summary));
    QVERIFY(summary.contains(QStringLiteral("latency: not measured (F5)")));
    document.recordPlanLatency(document.model(), {QStringLiteral("current plan"), document.plan(),
                                                  Timing{0.0125, 0.012, 7, 1e-3, 0.04}, 2});
    summary = statusSummaryText(document);
    QVERIFY2(summary.contains(QStringLiteral("latency 12.50 ms ±4.0% (median of 7, 2 thread(s))")),
             qPrintable(summary));
    document.recordPlanLatency(document.model(), {QStringLiteral("current plan"), document.plan(),
                                                  Timing{0.0125, 0.012, 7, 1e-3, 0.2}, 2});
    QVERIFY2(statusSummaryText(document).contains(
                 QStringLiteral("±20.0% (median of 7, 2 thread(s)), unstable")),
             qPrintable(statusSummaryText(document)));

    QCOMPARE(windowTitleText({}, {}), QStringLiteral("algoscope"));
    QCOMPARE(windowTitleText(QStringLiteral("lenet"), QStringLiteral("/tmp/a.plan.json")),
             QStringLiteral("lenet[*] — a.plan.json — algoscope"));

    auto failed = jobOutcomeReport(QStringLiteral("Tune"), JobRunner::Outcome::Failed,
                                   QStringLiteral("no memory"), false);
    QVERIFY(failed && failed->where == Report::Where::MessageBar);
    QCOMPARE(failed->level, ReportLevel::Error);
    QCOMPARE(failed->text, QStringLiteral("Tune failed: no memory"));
    QCOMPARE(
        jobOutcomeReport(QStringLiteral("Tune"), JobRunner::Outcome::Cancelled, {}, true)->text,
        QStringLiteral("Tune: cancelled"));
    QVERIFY(!jobOutcomeReport(QStringLiteral("Tune"), JobRunner::Outcome::Completed, {}, true));
    QCOMPARE(
        jobOutcomeReport(QStringLiteral("Tune"), JobRunner::Outcome::Completed, {}, false)->text,
        QStringLiteral("Tune: done"));

    CheckResult check;
    LayerCheck good;
    good.node = "conv1";
    good.op_type = "Conv";
    good.algorithm = "im2col";
    good.compared = true;
    check.layers = {good};
    OutputCheck output;
    output.name = "y";
    check.outputs = {output};
    Report passed = checkReport(check);
    QCOMPARE(passed.where, Report::Where::StatusBar);
    QVERIFY2(passed.text.startsWith(QStringLiteral("Check passed: 1 layer(s) compared")),
             qPrintable(passed.text));
    LayerCheck bad = good;
    bad.node = "conv<2>";
    bad.algorithm = "winograd_f6";
    bad.error.mismatches = 7;
    bad.error.elements = 100;
    check.layers.push_back(bad);
    Report mismatch = checkReport(check);
    QCOMPARE(mismatch.where, Report::Where::MessageBar);
    QCOMPARE(mismatch.level, ReportLevel::Warning);
    QVERIFY2(mismatch.text.contains(QStringLiteral("Check failed: 1 of 2 compared layer(s)")),
             qPrintable(mismatch.text));
    // Node names are escaped: the message bar shows rich text.
    QVERIFY2(mismatch.text.contains(QStringLiteral("<b>conv&lt;2&gt;</b> (Conv, winograd_f6): 7 of "
                                                   "100 elements")),
             qPrintable(mismatch.text));
    check.partial = true;
    QVERIFY(checkReport(check).text.startsWith(QStringLiteral("The check was cancelled after 2")));

    LayerTimingResult timing;
    timing.threads = 2;
    AlgorithmTiming t;
    t.index = 3;
    t.algorithm = "fft";
    timing.timings = {t, t};
    timing.timings[1].failure = "out of memory";
    Report timed = timingReport(timing);
    QCOMPARE(timed.where, Report::Where::StatusBar);
    QCOMPARE(timed.text, QStringLiteral("Timed 2 algorithm timing(s) on 1 layer(s), 2 thread(s); "
                                        "1 failed or out of tolerance"));

    TuneResult tune;
    tune.layers.resize(3);
    tune.timings_performed = 12;
    tune.cache_hits = 1;
    QVERIFY(!tuneReport(tune, 5));
    QCOMPARE(tuneSummaryText(tune, std::nullopt),
             QStringLiteral("Tuned 3 layer(s): 12 algorithm timing(s) performed, 1 layer(s) from "
                            "the tuning cache."));
    // A layer whose candidates tied is named with what decided it.
    tune.layers[1].node = "conv2";
    tune.layers[1].algorithm = "im2col";
    tune.layers[1].tied = {"smm", "direct"};
    tune.layers[1].tie_break = "lower error";
    QVERIFY2(tuneSummaryText(tune, std::nullopt)
                 .endsWith(QStringLiteral("1 layer(s) tied within noise and were decided by lower "
                                          "error, then workspace, then registry order: conv2: "
                                          "im2col over smm, direct (lower error).")),
             qPrintable(tuneSummaryText(tune, std::nullopt)));
    tune.layers[1].tied.clear();
    tune.end_to_end = EndToEndResult{};
    tune.end_to_end->latency.median_ms = 2.5;
    QVERIFY2(tuneSummaryText(tune, 0.004)
                 .endsWith(QStringLiteral(
                     "The tuned plan runs in 2.50 ms end to end (the current plan: 4.00 ms).")),
             qPrintable(tuneSummaryText(tune, 0.004)));
    tune.partial = true;
    auto cancelled = tuneReport(tune, 5);
    QVERIFY(cancelled);
    QVERIFY(
        cancelled->text.startsWith(QStringLiteral("Tuning was cancelled after 3 of 5 layer(s)")));
  }

  void documentRefusesAlgorithmsThatDoNotApply() {
    ModelDocument document;
    document.setModel(sample("tiny_resnet.onnx"));
    auto [row, algorithm] = notApplicable(document);
    QVERIFY2(row >= 0, "tiny_resnet should have a layer some algorithm cannot compute");
    QSignalSpy planChanged(&document, &ModelDocument::planChanged);
    QString why;
    QVERIFY(!document.setLayerAlgorithm(row, algorithm, &why));
    QVERIFY(!why.isEmpty());
    QCOMPARE(planChanged.count(), 0);
    QVERIFY(!document.isPlanModified());

    auto [convRow, other] = alternative(document, QStringLiteral("Conv"));
    QVERIFY(convRow >= 0);
    QVERIFY(document.setLayerAlgorithm(convRow, other));
    QCOMPARE(planChanged.count(), 1);
    QCOMPARE(document.effectiveAlgorithm(convRow), other);
    QVERIFY(document.isPlanModified());
    document.markPlanSaved();
    QVERIFY(!document.isPlanModified());
    QVERIFY(document.setLayerAlgorithm(convRow, QString::fromStdString(Plan::kDefault)));
    QCOMPARE(document.effectiveAlgorithm(convRow), document.layer(convRow).engineDefault);
  }

  void opTypeDefaultFallsBackWhereItDoesNotApply() {
    ModelDocument document;
    document.setModel(sample("tiny_resnet.onnx"));
    // depthwise fits only depthwise Convs: the others keep the engine's choice, with a note.
    int convs = 0, depthwise = 0;
    for (int row = 0; row < document.layerCount(); ++row) {
      if (document.layer(row).opType != QStringLiteral("Conv")) continue;
      ++convs;
      for (const AlgorithmOption& option : document.layer(row).algorithms)
        if (option.name == QStringLiteral("depthwise") && option.applicable()) ++depthwise;
    }
    QVERIFY(depthwise > 0 && depthwise < convs);
    QCOMPARE(document.setOpTypeDefault(QStringLiteral("Conv"), QStringLiteral("depthwise")),
             depthwise);
    int notes = 0;
    for (int row = 0; row < document.layerCount(); ++row)
      if (!document.planNote(row).isEmpty()) ++notes;
    QCOMPARE(notes, convs - depthwise);
    QCOMPARE(document.plan().defaults.at("Conv"), std::string("depthwise"));
  }

  void sameSignatureGroupsIdenticalLayers() {
    ModelDocument document;
    document.setModel(sample("tiny_resnet.onnx"));
    for (int row = 0; row < document.layerCount(); ++row) {
      const QList<int> rows = document.rowsWithSignature(document.layer(row).signature);
      QVERIFY(rows.contains(row));
      for (int other : rows) {
        QCOMPARE(document.layer(other).opType, document.layer(row).opType);
        QCOMPARE(document.layer(other).inputShapes, document.layer(row).inputShapes);
      }
    }
  }

  void layerTableModelPassesTheTester() {
    ModelDocument document;
    LayerTableModel model(&document);
    LayerFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester filterTester(&filter,
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    document.setModel(sample("tiny_resnet.onnx"));
    QCOMPARE(model.rowCount(), document.layerCount());
    QCOMPARE(model.columnCount(), int(LayerTableModel::ColumnCount));

    // Plan edits through the model's algorithm column.
    auto [row, other] = alternative(document, QStringLiteral("Conv"));
    const QModelIndex cell = model.index(row, LayerTableModel::AlgorithmColumn);
    QVERIFY(model.flags(cell) & Qt::ItemIsEditable);
    QVERIFY(!(model.flags(model.index(row, LayerTableModel::LayerColumn)) & Qt::ItemIsEditable));
    QSignalSpy dataChanged(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(model.setData(cell, other));
    QVERIFY(dataChanged.count() >= 1);
    QCOMPARE(cell.data().toString(), other);
    QCOMPARE(cell.data(Qt::EditRole).toString(), other);
    auto [badRow, bad] = notApplicable(document);
    QVERIFY(!model.setData(model.index(badRow, LayerTableModel::AlgorithmColumn), bad));

    // Measurements fill latency and GFLOP/s of the measured algorithm only.
    const QModelIndex latency = model.index(row, LayerTableModel::LatencyColumn);
    QVERIFY(latency.data().toString().isEmpty());
    document.recordLayerTimings(document.model(),
                                {{row, other, Timing{2e-3, 1e-3, 5}},
                                 {row, document.layer(row).engineDefault, Timing{4e-3, 3e-3, 5}}});
    QCOMPARE(latency.data(LayerTableModel::SortRole).toDouble(), 2e-3);
    QVERIFY(latency.data().toString().contains(QStringLiteral("ms")));
    const double gflops = model.index(row, LayerTableModel::ThroughputColumn)
                              .data(LayerTableModel::SortRole)
                              .toDouble();
    QVERIFY(qAbs(gflops - document.layer(row).flops / 2e-3 / 1e9) < 1e-9);
    // Switching back to the engine's choice shows that algorithm's measurement.
    QVERIFY(model.setData(cell, QString::fromStdString(Plan::kDefault)));
    QCOMPARE(latency.data(LayerTableModel::SortRole).toDouble(), 4e-3);
    // A spread too wide to trust the median: the IQR stands next to it, the latency reads orange,
    // the status and the tooltip say why.
    const QString engineDefault = document.layer(row).engineDefault;
    document.recordLayerTimings(
        document.model(),
        {{row, engineDefault, Timing{4e-3, 3e-3, 9, 1.5e-3, 0.25, 1, QStringLiteral("budget")}}});
    QCOMPARE(model.index(row, LayerTableModel::SpreadColumn).data().toString(),
             humanSeconds(1.5e-3));
    QCOMPARE(latency.data(Qt::ForegroundRole).value<QBrush>().color(), QColor(200, 110, 0));
    QCOMPARE(model.index(row, LayerTableModel::StatusColumn).data().toString(),
             QStringLiteral("measured (unstable)"));
    const QString tip = latency.data(Qt::ToolTipRole).toString();
    for (const char* part : {"±25.0%", "budget", "1 outlier", "UNSTABLE", "over 9 run"})
      QVERIFY2(tip.contains(QString::fromUtf8(part)), qPrintable(tip));
    document.recordLayerTimings(document.model(), {{row, engineDefault, Timing{4e-3, 3e-3, 5}}});
    QVERIFY(!latency.data(Qt::ForegroundRole).isValid());

    // Errors against reference fill the max error and status columns; a mismatch reads red.
    const QModelIndex error = model.index(row, LayerTableModel::ErrorColumn);
    const QModelIndex status = model.index(row, LayerTableModel::StatusColumn);
    QVERIFY(error.data().toString().isEmpty());
    ErrorStats fine;
    fine.max_abs_error = 3e-7;
    fine.elements = 100;
    ErrorStats wrong = fine;
    wrong.max_abs_error = 0.5;
    wrong.mismatches = 7;
    AlgorithmMeasurement checked{row, document.layer(row).engineDefault, std::nullopt, {}};
    checked.result.error = fine;
    document.recordAlgorithmResults(document.model(), {checked});
    QCOMPARE(error.data().toString(), QStringLiteral("3.0e-07"));
    QCOMPARE(error.data(LayerTableModel::SortRole).toDouble(), 3e-7);
    QCOMPARE(status.data().toString(), QStringLiteral("measured · ok"));
    QVERIFY(!status.data(Qt::ForegroundRole).isValid());
    checked.result.error = wrong;
    document.recordAlgorithmResults(document.model(), {checked});
    QCOMPARE(status.data().toString(), QStringLiteral("MISMATCH: 7 of 100 outside tolerance"));
    QVERIFY(status.data(Qt::ForegroundRole).isValid());
    QVERIFY(error.data(Qt::ToolTipRole).toString().contains(QStringLiteral("7 of 100")));
    // Cells without an explanation show their whole text as the tooltip: narrow columns elide.
    QCOMPARE(status.data(Qt::ToolTipRole).toString(), status.data().toString());
    const QModelIndex op = model.index(row, LayerTableModel::OpColumn);
    QCOMPARE(op.data(Qt::ToolTipRole).toString(), op.data().toString());
    AlgorithmMeasurement broken{row, other, std::nullopt, {}};
    broken.result.failure = QStringLiteral("kernel threw");
    document.recordAlgorithmResults(document.model(), {broken});
    QVERIFY(model.setData(cell, other));
    QCOMPARE(error.data().toString(), QStringLiteral("failed"));
    QCOMPARE(status.data().toString(), QStringLiteral("FAILED: kernel threw"));
    QCOMPARE(document.timing(row, other)->median, 2e-3);  // the timing is kept
    QVERIFY(model.setData(cell, QString::fromStdString(Plan::kDefault)));

    // Sorting and filtering through the proxy.
    filter.sort(LayerTableModel::FlopsColumn, Qt::DescendingOrder);
    double previous = 1e300;
    for (int r = 0; r < filter.rowCount(); ++r) {
      const double flops =
          filter.index(r, LayerTableModel::FlopsColumn).data(LayerTableModel::SortRole).toDouble();
      QVERIFY(flops <= previous);
      previous = flops;
    }
    filter.setOpType(QStringLiteral("Conv"));
    QVERIFY(filter.rowCount() > 0);
    // The residual Adds are fused into their Convs with the Relu after them ("Conv+BN+Add+Relu"),
    // which still belong to the Conv filter.
    bool sawFusedAdd = false;
    for (int r = 0; r < filter.rowCount(); ++r) {
      const QString op = filter.index(r, LayerTableModel::OpColumn).data().toString();
      QVERIFY2(op.startsWith(QStringLiteral("Conv")), qPrintable(op));
      sawFusedAdd = sawFusedAdd || op == QStringLiteral("Conv+BN+Add+Relu");
    }
    QVERIFY(sawFusedAdd);
    filter.setOpType({});
    filter.setText(QStringLiteral("layer2"));
    QVERIFY(filter.rowCount() > 0 && filter.rowCount() < model.rowCount());
    filter.setText({});

    // A different model resets everything.
    document.setModel(sample("lenet.onnx"));
    QCOMPARE(model.rowCount(), document.layerCount());
    document.setModel(nullptr);
    QCOMPARE(model.rowCount(), 0);
  }

  void runSettingsPersist() {
    QCoreApplication::setOrganizationName(QStringLiteral("algoscope-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("widgets_test"));
    RunSettings settings{2, 3, 4};
    settings.tolerance = Tolerance{1e-4, 1e-3};
    settings.useTuningCache = false;
    settings.tuningCachePath = QStringLiteral("/tmp/somewhere/cache.json");
    AppSettings::setRunSettings(settings);
    RunSettings back = AppSettings::runSettings();
    QCOMPARE(back.threads, 2);
    QCOMPARE(back.warmup, 3);
    QCOMPARE(back.repeats, 4);
    QVERIFY(back.tolerance.has_value());
    QCOMPARE(back.tolerance->atol, 1e-4);
    QCOMPARE(back.tolerance->rtol, 1e-3);
    QCOMPARE(back.useTuningCache, false);
    QCOMPARE(back.tuningCachePath, settings.tuningCachePath);
    AppSettings::setRunSettings(RunSettings{});
    back = AppSettings::runSettings();
    QVERIFY(!back.tolerance.has_value());
    QVERIFY(back.useTuningCache);
    QVERIFY(back.tuningCachePath.isEmpty());
  }

  void jobRunnerDeliversPartialResultsOfACancelledJob() {
    // deliver() is dropped once the job is cancelled; deliverAlways() is what a cancelled engine
    // service returned, and arrives before the finished signal.
    JobRunner runner;
    QStringList events;
    QSignalSpy finished(&runner, &JobRunner::finished);
    connect(&runner, &JobRunner::finished, this, [&] { events << QStringLiteral("finished"); });
    std::atomic<bool> started{false};
    runner.start({QStringLiteral("partial"), [&](JobContext& context) {
                    started = true;
                    while (!context.cancelToken()->cancelled()) QThread::msleep(1);
                    context.deliver([&] { events << QStringLiteral("dropped"); });
                    context.deliverAlways([&] { events << QStringLiteral("partial"); });
                  }});
    while (!started) QThread::msleep(1);
    runner.cancel();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Cancelled);
    QCOMPARE(events, QStringList({"partial", "finished"}));
  }

  void algorithmComboDisablesWhatDoesNotApply() {
    ModelDocument document;
    document.setModel(sample("tiny_resnet.onnx"));
    LayerTableModel model(&document);
    auto [row, bad] = notApplicable(document);
    AlgorithmDelegate delegate;
    QWidget parent;
    QStyleOptionViewItem option;
    const QModelIndex cell = model.index(row, LayerTableModel::AlgorithmColumn);
    std::unique_ptr<QWidget> editor(delegate.createEditor(&parent, option, cell));
    auto* combo = qobject_cast<QComboBox*>(editor.get());
    QVERIFY(combo);
    // "default" plus every algorithm of the op type, in registry order.
    QCOMPARE(combo->count(), int(document.layer(row).algorithms.size()) + 1);
    auto* items = qobject_cast<QStandardItemModel*>(combo->model());
    QVERIFY(items);
    bool sawDisabled = false;
    for (int i = 0; i < combo->count(); ++i) {
      QStandardItem* item = items->item(i);
      if (item->data(Qt::UserRole).toString() == bad) {
        QVERIFY(!item->isEnabled());
        QVERIFY(item->toolTip().contains(QStringLiteral("Not applicable")));
        sawDisabled = true;
      }
    }
    QVERIFY(sawDisabled);
    // Picking an applicable entry writes it to the plan.
    delegate.setEditorData(combo, cell);
    QCOMPARE(combo->currentData().toString(), QString::fromStdString(Plan::kDefault));
    const QString engineDefault = document.layer(row).engineDefault;
    for (int i = 1; i < combo->count(); ++i)
      if (items->item(i)->isEnabled() && items->item(i)->data(Qt::UserRole) != engineDefault) {
        combo->setCurrentIndex(i);
        break;
      }
    delegate.setModelData(combo, &model, cell);
    QCOMPARE(document.requestedAlgorithm(row), combo->currentData().toString());
  }

  void planCompareModelPassesTheTester() {
    ModelDocument document;
    document.setModel(sample("tiny_resnet.onnx"));
    PlanCompareModel model(&document);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setPlans({QStringLiteral("engine default"), document.engineDefaultPlan()},
                   {QStringLiteral("reference"), document.referencePlan()});
    QCOMPARE(model.rowCount(), document.layerCount());
    int expected = 0;
    for (int row = 0; row < document.layerCount(); ++row)
      if (document.layer(row).engineDefault != QStringLiteral("reference")) ++expected;
    QVERIFY(expected > 0);
    QCOMPARE(model.differenceCount(), expected);
    // The ratio appears once both algorithms of a layer are measured.
    const int row = 0;
    const QString a = model.index(row, PlanCompareModel::AlgorithmAColumn).data().toString();
    const QString b = model.index(row, PlanCompareModel::AlgorithmBColumn).data().toString();
    QVERIFY(a != b);
    QVERIFY(model.index(row, PlanCompareModel::RatioColumn).data().toString().isEmpty());
    document.recordLayerTimings(document.model(),
                                {{row, a, Timing{1e-3, 1e-3, 3}}, {row, b, Timing{5e-3, 5e-3, 3}}});
    QCOMPARE(
        model.index(row, PlanCompareModel::RatioColumn).data(PlanCompareModel::SortRole).toDouble(),
        5.0);
    model.setPlans({QStringLiteral("x"), document.plan()}, {QStringLiteral("y"), document.plan()});
    QCOMPARE(model.differenceCount(), 0);
    document.setModel(sample("lenet.onnx"));
    QCOMPARE(model.rowCount(), 0);
  }

  void layoutKeepsItsGeometricPromises_data() {
    QTest::addColumn<int>("nodes");
    QTest::addColumn<bool>("tree");
    QTest::newRow("dag 60") << 60 << false;
    QTest::newRow("dag 600") << 600 << false;
    QTest::newRow("tree 200") << 200 << true;
  }

  void layoutKeepsItsGeometricPromises() {
    QFETCH(int, nodes);
    QFETCH(bool, tree);
    const LayoutGraph graph = randomDag(nodes, 7u + quint32(nodes), tree);
    SugiyamaLayout layout;
    const GraphLayoutResult result = layout.layout(graph);
    QCOMPARE(int(result.centers.size()), nodes);
    QCOMPARE(result.routes.size(), graph.edges.size());
    // Every edge points down and its route runs from the source's bottom to the target's top.
    for (size_t e = 0; e < graph.edges.size(); ++e) {
      auto [s, t] = graph.edges[e];
      const QPointF cs = result.centers[size_t(s)], ct = result.centers[size_t(t)];
      const QSizeF ss = graph.sizes[size_t(s)], st = graph.sizes[size_t(t)];
      QVERIFY(cs.y() < ct.y());
      const auto& route = result.routes[e];
      QVERIFY(route.size() >= 2);
      QCOMPARE(route.front().y(), cs.y() + ss.height() / 2);
      QVERIFY(qAbs(route.front().x() - cs.x()) <= ss.width() / 2);
      QCOMPARE(route.back().y(), ct.y() - st.height() / 2);
      QVERIFY(qAbs(route.back().x() - ct.x()) <= st.width() / 2);
      for (size_t i = 1; i < route.size(); ++i) QVERIFY(route[i].y() > route[i - 1].y());
    }
    // Nodes of one row never overlap.
    std::map<double, std::vector<int>> rows;
    for (int v = 0; v < nodes; ++v) rows[result.centers[size_t(v)].y()].push_back(v);
    for (auto& [y, members] : rows) {
      std::sort(members.begin(), members.end(), [&](int a, int b) {
        return result.centers[size_t(a)].x() < result.centers[size_t(b)].x();
      });
      for (size_t i = 1; i < members.size(); ++i) {
        const int a = members[i - 1], b = members[i];
        const double room = (graph.sizes[size_t(a)].width() + graph.sizes[size_t(b)].width()) / 2;
        QVERIFY2(result.centers[size_t(b)].x() - result.centers[size_t(a)].x() >= room - 1e-6,
                 qPrintable(QStringLiteral("nodes %1 and %2 overlap").arg(a).arg(b)));
      }
    }
    for (const QPointF& c : result.centers) QVERIFY(result.bounds.contains(c));
    QVERIFY(layout.lastStats().crossings <= layout.lastStats().initialCrossings);
    if (tree) QCOMPARE(layout.lastStats().crossings, 0LL);
  }

  void layoutReducesCrossings() {
    // The depth-first initial order of a tangled DAG has crossings; the sweeps must remove some.
    const LayoutGraph graph = randomDag(300, 99u);
    SugiyamaLayout layout;
    layout.layout(graph);
    QVERIFY(layout.lastStats().initialCrossings > 0);
    QVERIFY2(layout.lastStats().crossings < layout.lastStats().initialCrossings,
             qPrintable(QStringLiteral("%1 -> %2")
                            .arg(layout.lastStats().initialCrossings)
                            .arg(layout.lastStats().crossings)));
  }

  void layoutSurvivesCyclesAndSelfLoops() {
    LayoutGraph graph;
    for (int i = 0; i < 4; ++i) graph.sizes.emplace_back(50, 20);
    graph.edges = {{0, 1}, {1, 2}, {2, 0}, {2, 3}, {3, 3}};
    const GraphLayoutResult result = SugiyamaLayout().layout(graph);
    for (const QPointF& c : result.centers) QVERIFY(qIsFinite(c.x()) && qIsFinite(c.y()));
    for (size_t e = 0; e < 4; ++e) QVERIFY(result.routes[e].size() >= 2);
    QVERIFY(result.routes[4].empty());  // a self loop is not drawn
  }

  void layoutOfAThousandNodes() {
    // Densenet-like: long skips into concatenations. Reported, not asserted (machines differ);
    // the geometric checks above cover correctness.
    LayoutGraph graph = randomDag(1000, 12345u);
    for (int i = 30; i < 1000; i += 30)
      for (int j = i - 29; j < i; j += 3) graph.edges.emplace_back(j, i);
    SugiyamaLayout layout;
    QElapsedTimer timer;
    timer.start();
    const GraphLayoutResult result = layout.layout(graph);
    qInfo("1000 nodes, %zu edges: %d layers, %d dummies, crossings %lld -> %lld, %.1f ms",
          graph.edges.size(), layout.lastStats().layers, layout.lastStats().dummies,
          layout.lastStats().initialCrossings, layout.lastStats().crossings,
          double(timer.nsecsElapsed()) / 1e6);
    QCOMPARE(int(result.centers.size()), 1000);
  }

  void blockPrefixesSplitOnSlashesAndDots() {
    const QString name = QStringLiteral("/encoder/layers.3/self_attn/MatMul");
    const std::vector<int> ends = prefixTokenEnds(name);
    QCOMPARE(int(ends.size()), 4);  // encoder, layers, 3, self_attn; MatMul is the node itself
    QCOMPARE(name.left(ends[2]), QStringLiteral("/encoder/layers.3"));
    QCOMPARE(name.left(ends[3]), QStringLiteral("/encoder/layers.3/self_attn"));
    QVERIFY(prefixTokenEnds(QStringLiteral("conv1")).empty());
    QCOMPARE(int(prefixTokenEnds(QStringLiteral("//a//b")).size()), 1);
  }

  // A ViT-like naming: an embedding, twelve encoder layers (norms, attention, MLP, residual Adds),
  // a final norm. One block per encoder layer (15 boxes) is the deepest level within 60 boxes; one
  // level deeper, each encoder layer is ten boxes (attention, MLP, and eight layers alone): 123.
  void blocksTakeTheDeepestLevelWithinTheLimit() {
    std::vector<QString> names = {QStringLiteral("/conv_proj/Conv"), QStringLiteral("/Reshape")};
    for (int layer = 0; layer < 12; ++layer) {
      const QString prefix = QStringLiteral("/encoder/layers/encoder_layer_%1").arg(layer);
      for (const char* node :
           {"ln_1/LayerNormalization", "self_attention/MatMul", "self_attention/Softmax",
            "self_attention/MatMul_1", "Add", "ln_2/LayerNormalization", "mlp/mlp.0/MatMul",
            "mlp/Gelu", "mlp/mlp.3/MatMul", "Add_1", "Add_2", "Add_3", "Add_4", "Add_5"})
        names.push_back(prefix + QLatin1Char('/') + QLatin1String(node));
    }
    names.push_back(QStringLiteral("/encoder/ln/LayerNormalization"));
    const LayerGroups blocks = groupLayersByPrefix(names, 60);
    QCOMPARE(blocks.level, 3);
    QCOMPARE(int(blocks.prefixes.size()), 12);
    QCOMPARE(blocks.prefixes[3], QStringLiteral("/encoder/layers/encoder_layer_3"));
    QCOMPARE(int(blocks.members[3].size()), 14);
    QCOMPARE(blocks.collapsedBoxes, 12 + 3);
    QCOMPARE(blocks.groupOf[0], -1);  // /conv_proj/Conv has no partner
    QCOMPARE(blocks.groupOf[2], 0);
    QCOMPARE(blocks.groupOf[names.size() - 1], -1);  // /encoder/ln alone at level 3
    for (size_t group = 0; group < blocks.members.size(); ++group)
      for (int member : blocks.members[group]) QCOMPARE(blocks.groupOf[size_t(member)], int(group));
    // The level below splits each encoder layer: too many boxes for 60, fine for 130.
    QCOMPARE(groupLayersAtLevel(names, 4).collapsedBoxes, 123);
    QCOMPARE(groupLayersByPrefix(names, 130).level, 4);
    QCOMPARE(groupLayersByPrefix(names, 122).level, 3);
    // Fewer boxes allowed than even the first level gives: the first level, the coarsest there is.
    QCOMPARE(groupLayersByPrefix(names, 2).level, 1);
  }

  void namesWithoutSharedPrefixesMakeNoBlocks() {
    const std::vector<QString> names = {QStringLiteral("conv1"), QStringLiteral("/a/Relu"),
                                        QStringLiteral("/b/Relu")};
    const LayerGroups blocks = groupLayersByPrefix(names);
    QCOMPARE(blocks.level, 0);
    QVERIFY(blocks.prefixes.empty());
    QCOMPARE(blocks.collapsedBoxes, 3);
    QCOMPARE(blocks.groupOf, std::vector<int>({-1, -1, -1}));
  }

  void jobRunnerDeliversInOrderBeforeFinished() {
    JobRunner runner;
    QStringList events;
    QSignalSpy progress(&runner, &JobRunner::progress);
    QSignalSpy finished(&runner, &JobRunner::finished);
    connect(&runner, &JobRunner::finished, this,
            [&](const QString&, JobRunner::Outcome) { events << QStringLiteral("finished"); });
    Qt::HANDLE guiThread = QThread::currentThreadId();
    Qt::HANDLE workerThread = nullptr;
    QVERIFY(runner.start({QStringLiteral("count"), [&](JobContext& context) {
                            workerThread = QThread::currentThreadId();
                            for (int i = 1; i <= 3; ++i) {
                              context.progress(i, 3, QString::number(i));
                              context.deliver([&events, i] { events << QString::number(i); });
                            }
                          }}));
    QVERIFY(runner.isBusy());
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Completed);
    QCOMPARE(events, QStringList({"1", "2", "3", "finished"}));
    QVERIFY(workerThread != nullptr && workerThread != guiThread);
    QVERIFY(progress.count() >= 1);
    QCOMPARE(progress.last().at(0).toInt(), 3);  // the last step is always reported
    QVERIFY(!runner.isBusy());
  }

  void jobRunnerCancels() {
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy progress(&runner, &JobRunner::progress);
    bool lateDelivery = false;
    QVERIFY(runner.start({QStringLiteral("spin"), [&](JobContext& context) {
                            for (int i = 0;; ++i) {
                              context.progress(i, 1000000, {});
                              if (context.cancelled()) {
                                context.deliver([&lateDelivery] { lateDelivery = true; });
                                return;
                              }
                              QThread::msleep(2);
                            }
                          }}));
    QVERIFY(progress.wait(10000));
    runner.cancel();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Cancelled);
    QCoreApplication::processEvents();
    QVERIFY(!lateDelivery);  // results of a cancelled job are dropped
  }

  void jobRunnerRunsOneJobAtATime() {
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    std::atomic<int> concurrent{0}, most{0};
    auto job = [&](const QString& title, int steps) {
      return Job{title, [&, steps](JobContext& context) {
                   most = std::max(most.load(), ++concurrent);
                   for (int i = 0; i < steps; ++i) {
                     if (context.cancelled()) break;
                     QThread::msleep(2);
                   }
                   --concurrent;
                 }};
    };
    QVERIFY(runner.start(job(QStringLiteral("first"), 100000)));
    QVERIFY(!runner.start(job(QStringLiteral("refused"), 1)));
    QCOMPARE(runner.currentTitle(), QStringLiteral("first"));
    runner.replace(job(QStringLiteral("second"), 5));
    QVERIFY(runner.waitForIdle(20000));
    QCOMPARE(finished.count(), 2);
    QCOMPARE(finished.at(0).at(0).toString(), QStringLiteral("first"));
    QCOMPARE(finished.at(0).at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Cancelled);
    QCOMPARE(finished.at(1).at(0).toString(), QStringLiteral("second"));
    QCOMPARE(finished.at(1).at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Completed);
    QCOMPARE(most.load(), 1);
  }

  void jobRunnerReportsFailures() {
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    runner.start({QStringLiteral("fail"), [](JobContext&) { throw Error("the plan is bad"); }});
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(1).value<JobRunner::Outcome>(), JobRunner::Outcome::Failed);
    QCOMPARE(finished.first().at(2).toString(), QStringLiteral("the plan is bad"));
  }

  void resultsExportAsCsvAndJson() {
    ModelDocument document;
    document.setModel(sample("lenet.onnx"));
    const QString chosen = document.effectiveAlgorithm(0);
    document.recordLayerTimings(document.model(),
                                {{0, chosen, Timing{1e-3, 9e-4, 4}},
                                 {0, QStringLiteral("reference"), Timing{8e-3, 7e-3, 4}}});
    document.recordPlanLatency(document.model(), {QStringLiteral("current plan"), document.plan(),
                                                  Timing{0.01, 0.009, 4}, 1});
    const QStringList lines = resultsCsv(document).trimmed().split(QLatin1Char('\n'));
    // Header, one line per layer, plus the extra measured algorithm of layer 0.
    QCOMPARE(lines.size(),
             1 + document.layerCount() + (chosen == QStringLiteral("reference") ? 0 : 1));
    QVERIFY(lines[0].startsWith(QStringLiteral("layer,op,")));
    QVERIFY(lines[1].startsWith(document.layer(0).name + QLatin1Char(',')));

    const QJsonObject json = QJsonDocument::fromJson(resultsJson(document)).object();
    QCOMPARE(json[QStringLiteral("layers")].toArray().size(), document.layerCount());
    const QJsonObject first = json[QStringLiteral("layers")].toArray()[0].toObject();
    QCOMPARE(first[QStringLiteral("algorithm")].toString(), chosen);
    QCOMPARE(first[QStringLiteral("measurements")]
                 .toObject()[chosen]
                 .toObject()[QStringLiteral("median_s")]
                 .toDouble(),
             1e-3);
    QCOMPARE(json[QStringLiteral("plans")].toArray().size(), 1);
    QCOMPARE(json[QStringLiteral("plan")].toObject()[QStringLiteral("format")].toString(),
             QStringLiteral("algoscope-plan"));
  }

  // One colour per algorithm name everywhere (issue 17): every distinct name in the registry gets
  // its own colour, `direct` under Conv and Add is one colour, `reference` is grey, and a name
  // the registry does not know still gets the same colour each time.
  // The bars tune decided between come from one batch of runs: where the optimizer's plan was
  // timed beside the first batch's fastest, that plan's bar takes its time from the second batch;
  // a rival without a bar (the optimizer's first plan) gets one.
  void strategyBarsTuneDecidedBetweenShareABatch() {
    auto timed = [](double ms) {
      EndToEndResult r;
      r.latency = TimingStats::of({ms, ms, ms});
      return r;
    };
    auto plan_of = [](const char* algorithm) {
      Plan p;
      p.layers["conv"] = algorithm;
      return p;
    };
    TuneResult result;
    result.end_to_end = timed(3.0);
    result.per_layer_plan = plan_of("direct");
    result.per_layer_end_to_end = timed(4.7);
    FamilyPlan family;
    family.plan = plan_of("onednn_direct");
    family.end_to_end = timed(3.25);
    result.family_plans = {family};
    GlobalPlan global;
    global.plan = plan_of("onednn_auto");
    global.end_to_end = timed(3.14);
    result.global_plan = global;
    std::vector<StrategyPlan> bars = strategyPlans(result);
    QCOMPARE(bars.size(), size_t(3));
    QCOMPARE(bars[1].timing.median_ms, 3.25);  // one batch: nothing to adjust

    result.global_plan->rival = "onednn";
    result.global_plan->rival_plan = family.plan;
    result.global_plan->rival_end_to_end = timed(3.10);
    bars = strategyPlans(result);
    QCOMPARE(bars.size(), size_t(3));
    QCOMPARE(bars[0].timing.median_ms, 4.7);
    QCOMPARE(bars[1].label, QStringLiteral("best family plan"));
    QCOMPARE(bars[1].timing.median_ms, 3.10);
    QCOMPARE(bars[2].timing.median_ms, 3.14);

    result.global_plan->rival = "optimizer's first";
    result.global_plan->rival_plan = plan_of("winograd_f2");
    bars = strategyPlans(result);
    QCOMPARE(bars.size(), size_t(4));
    QCOMPARE(bars[1].timing.median_ms, 3.25);
    QCOMPARE(bars[2].label, QStringLiteral("optimizer's first plan"));
    QCOMPARE(bars[2].timing.median_ms, 3.10);
  }

  void algorithmColoursAreOnePerNameEverywhere() {
    const Registry& registry = Registry::instance();
    std::map<QRgb, std::string> owner;
    for (const std::string& opType : registry.op_types())
      for (const Algorithm& a : registry.find_op(opType)->algorithms) {
        const QRgb rgb = algorithmColor(QString::fromStdString(a.name)).rgb();
        auto [it, fresh] = owner.emplace(rgb, a.name);
        QVERIFY2(fresh || it->second == a.name,
                 (a.name + " has the colour of " + it->second).c_str());
      }
    QVERIFY(owner.size() > size_t(kAlgorithmColors));  // beyond the palette too
    QCOMPARE(algorithmColor(QString::fromStdString(kReference)), QColor(127, 127, 127));
    QCOMPARE(algorithmColor(QStringLiteral("no_such_algorithm")),
             algorithmColor(QStringLiteral("no_such_algorithm")));
  }
};

QTEST_MAIN(WidgetsTest)
#include "widgets_test.moc"
