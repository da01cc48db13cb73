// Inspector: HTML views of the selected layer and of the algorithm under study.
#include "inspector.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>
#include <set>

#include "algoscope/plan.h"
#include "algoscope/registry.h"
#include "model_document.h"

namespace algoscope::gui {
namespace {

QString esc(const QString& text) { return text.toHtmlEscaped(); }
QString esc(const std::string& text) { return QString::fromStdString(text).toHtmlEscaped(); }

QString field(const QString& key, const QString& value) {
  return QStringLiteral("<tr><td style='color:#555;padding-right:8px'>%1</td><td>%2</td></tr>")
      .arg(key, value);
}

// The teaching texts are one paragraph; their standard parts get a heading each.
QString teachingHtml(const std::string& teaching) {
  QString html = esc(teaching);
  for (const char* label :
       {"Extra memory:", "It wins", "It never wins", "Numerics:", "Numerical behaviour:"}) {
    const QString key = QString::fromUtf8(label);
    html.replace(key, QStringLiteral("<br><b>") + key + QStringLiteral("</b>"));
  }
  return QStringLiteral("<p>") + html + QStringLiteral("</p>");
}

// Each applicable algorithm's memory on this layer side by side, from the formulas of its teaching
// text: the workspace it borrows per call, what its kernel keeps (transformed weights), and the
// bytes one call must move, with the FLOPs per byte that places it on the roofline.
QString memoryHtml(const LayerFacts& facts, const QString& chosen) {
  QString rows;
  for (const AlgorithmDescription& a : facts.description.algorithms) {
    if (!a.applicable()) continue;
    const QString name = QString::fromStdString(a.name);
    const QString style = name == chosen ? QStringLiteral(" style='font-weight:bold'") : QString();
    rows += QStringLiteral(
                "<tr%1><td>%2</td><td align='right'>%3</td><td align='right'>%4</td>"
                "<td align='right'>%5</td><td align='right'>%6</td></tr>")
                .arg(style, esc(name), humanBytes(double(a.workspace_bytes)),
                     humanBytes(double(a.prepared_bytes)), humanBytes(a.traffic_bytes),
                     a.traffic_bytes > 0 ? QString::number(facts.flops / a.traffic_bytes, 'f', 1)
                                         : QStringLiteral("—"));
  }
  if (rows.isEmpty()) return {};
  return QStringLiteral(
             "<h4>Memory per algorithm</h4><table cellspacing='0' cellpadding='1' width='100%'>"
             "<tr><th align='left'>algorithm</th><th align='right'>workspace</th>"
             "<th align='right'>kept</th><th align='right'>moved</th>"
             "<th align='right'>FLOP/B</th></tr>") +
         rows +
         QStringLiteral(
             "<tr><td colspan='5' style='color:#777; font-size:small'>workspace: "
             "borrowed per call; kept: held by the kernel (transformed weights); "
             "moved: bytes one call reads and writes at the least</td></tr></table>");
}

}  // namespace

Inspector::Inspector(ModelDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
  layerText_ = new QTextBrowser;
  layerText_->setOpenLinks(false);
  algorithms_ = new QComboBox;
  algorithms_->setToolTip(QStringLiteral("The algorithm to read about (the plan's choice first)"));
  useButton_ = new QPushButton(QStringLiteral("Use for this layer"));
  useButton_->setToolTip(QStringLiteral("Put this algorithm in the plan for the selected layer"));
  algorithmText_ = new QTextBrowser;

  auto* algorithmPane = new QWidget;
  auto* picker = new QHBoxLayout;
  picker->addWidget(new QLabel(QStringLiteral("Algorithm:")));
  picker->addWidget(algorithms_, 1);
  picker->addWidget(useButton_);
  auto* algorithmLayout = new QVBoxLayout(algorithmPane);
  algorithmLayout->setContentsMargins(0, 0, 0, 0);
  algorithmLayout->addLayout(picker);
  algorithmLayout->addWidget(algorithmText_, 1);

  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(layerText_);
  split->addWidget(algorithmPane);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  connect(document_, &ModelDocument::currentRowChanged, this, &Inspector::showRow);
  connect(document_, &ModelDocument::modelChanged, this, [this] { showRow(-1); });
  connect(document_, &ModelDocument::planChanged, this, [this] { showRow(row_); });
  connect(document_, &ModelDocument::measurementsChanged, this, &Inspector::refreshAlgorithm);
  connect(algorithms_, &QComboBox::currentIndexChanged, this, &Inspector::refreshAlgorithm);
  connect(useButton_, &QPushButton::clicked, this, [this] {
    if (row_ >= 0) document_->setLayerAlgorithm(row_, inspectedAlgorithm());
  });
  showRow(-1);
}

QString Inspector::inspectedAlgorithm() const { return algorithms_->currentData().toString(); }

void Inspector::inspectAlgorithm(const QString& name) {
  const int at = algorithms_->findData(name);
  if (at >= 0) algorithms_->setCurrentIndex(at);
}

QString Inspector::layerHtml() const { return layerText_->toHtml(); }
QString Inspector::algorithmHtml() const { return algorithmText_->toHtml(); }

void Inspector::showRow(int row) {
  row_ = row;
  const QSignalBlocker blocker(algorithms_);
  const QString previous = algorithms_->currentData().toString();
  algorithms_->clear();
  if (row < 0 || row >= document_->layerCount()) {
    layerText_->setHtml(document_->hasModel()
                            ? QStringLiteral("<p style='color:#666'>Select a layer in the graph or "
                                             "the table to see its attributes and algorithms.</p>")
                            : QStringLiteral("<p style='color:#666'>No model open.</p>"));
    algorithmText_->clear();
    algorithms_->setEnabled(false);
    useButton_->setEnabled(false);
    return;
  }
  const LayerFacts& facts = document_->layer(row);
  const Model& model = *document_->model();
  const Node& node = *facts.node;

  QString html =
      QStringLiteral("<h3 style='margin:0'>%1</h3><p style='margin-top:2px'>%2</p><table>")
          .arg(esc(facts.displayOp), esc(facts.name));
  if (!facts.runnable())
    html += field(QStringLiteral("cannot run"),
                  QStringLiteral("<span style='color:#b00'>%1</span>").arg(esc(facts.problem)));
  if (!facts.fusions.isEmpty()) {
    QStringList merged;
    for (const QString& text : facts.fusions) merged << esc(text);
    html += field(QStringLiteral("merged"), merged.join(QStringLiteral("<br>")));
  }
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    if (node.inputs[i].empty()) continue;
    const ValueInfo* value = model.find_value(node.inputs[i]);
    const bool constant = model.find_constant(node.inputs[i]) != nullptr;
    html += field(constant ? QStringLiteral("weight %1").arg(i) : QStringLiteral("input %1").arg(i),
                  QStringLiteral("%1 <span style='color:#777'>%2</span>")
                      .arg(value && value->known ? esc(shape_to_string(value->info.shape))
                                                 : QStringLiteral("?"),
                           esc(node.inputs[i])));
  }
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    if (node.outputs[i].empty()) continue;
    const ValueInfo* value = model.find_value(node.outputs[i]);
    html += field(QStringLiteral("output %1").arg(i), value && value->known
                                                          ? esc(shape_to_string(value->info.shape))
                                                          : QStringLiteral("?"));
  }
  for (const auto& [key, attribute] : node.attributes)
    html += field(esc(key), esc(attributeText(attribute)));
  if (node.activation)
    html +=
        field(QStringLiteral("fused activation"),
              node.activation->is_clamp()
                  ? QStringLiteral("%1 (clamp to [%2, %3])")
                        .arg(esc(node.activation->op))
                        .arg(double(node.activation->lower))
                        .arg(double(node.activation->upper))
                  : QStringLiteral("%1 (in the kernel's epilogue)").arg(esc(node.activation->op)));
  html += field(QStringLiteral("parameters"), humanCount(double(facts.parameters)));
  html += field(QStringLiteral("FLOPs"),
                facts.flops > 0 ? humanCount(facts.flops) : QStringLiteral("0 (data movement)"));
  if (facts.runnable()) {
    html += field(QStringLiteral("plan"), esc(document_->requestedAlgorithm(row)));
    html += field(QStringLiteral("runs with"),
                  QStringLiteral("<b>%1</b>").arg(esc(document_->effectiveAlgorithm(row))));
    if (!document_->planNote(row).isEmpty())
      html += field(QStringLiteral("note"), esc(document_->planNote(row)));
    // Why the last tune's optimizer chose what it did here, while its plan is the current one.
    if (const auto& tune = document_->lastTune(); tune && tune->plan == document_->plan())
      if (auto reason = tune->reasons.find(facts.name); reason != tune->reasons.end())
        html += field(QStringLiteral("tuned"), esc(reason->second));
    if (auto error = document_->accumulatedError(row))
      html += field(
          QStringLiteral("accumulated error"),
          QStringLiteral("%1 (its output against the all-reference run)").arg(humanError(*error)));
  }
  html += QStringLiteral("</table>");
  html += memoryHtml(facts, document_->effectiveAlgorithm(row));
  layerText_->setHtml(html);

  auto* items = new QStandardItemModel(algorithms_);
  for (const AlgorithmOption& option : facts.algorithms) {
    auto* item = new QStandardItem(option.name +
                                   (option.applicable() ? QString() : QStringLiteral(" (n/a)")));
    item->setData(option.name, Qt::UserRole);
    item->setToolTip(option.applicable() ? option.backend
                                         : option.backend + QStringLiteral(": ") + option.whyNot);
    items->appendRow(item);
  }
  algorithms_->setModel(items);
  algorithms_->setEnabled(facts.runnable());
  // Keep studying the algorithm picked here while other parts of the plan change; a new layer, or
  // a new algorithm for this one, starts from the algorithm that runs it.
  const QString runs = document_->effectiveAlgorithm(row);
  int at = algorithms_->findData(previous);
  if (at < 0 || facts.name != inspectedLayer_ || runs != inspectedRuns_)
    at = algorithms_->findData(runs);
  inspectedLayer_ = facts.name;
  inspectedRuns_ = runs;
  algorithms_->setCurrentIndex(std::max(0, at));
  refreshAlgorithm();
}

void Inspector::refreshAlgorithm() {
  if (row_ < 0 || row_ >= document_->layerCount()) return;
  const LayerFacts& facts = document_->layer(row_);
  const QString name = inspectedAlgorithm();
  const Algorithm* algorithm =
      Registry::instance().find_algorithm(facts.opType.toStdString(), name.toStdString());
  if (!facts.runnable() || !algorithm) {
    algorithmText_->setHtml(QStringLiteral("<p style='color:#666'>%1</p>")
                                .arg(facts.runnable() ? QStringLiteral("No algorithm selected.")
                                                      : QStringLiteral("The engine cannot run this "
                                                                       "layer, so it has no "
                                                                       "algorithms.")));
    useButton_->setEnabled(false);
    return;
  }
  const auto option = std::find_if(facts.algorithms.begin(), facts.algorithms.end(),
                                   [&](const AlgorithmOption& o) { return o.name == name; });
  const bool applicable = option != facts.algorithms.end() && option->applicable();
  const bool chosen = document_->effectiveAlgorithm(row_) == name;
  useButton_->setEnabled(applicable && document_->requestedAlgorithm(row_) != name);

  QString html =
      QStringLiteral("<h3 style='margin:0'>%1%2</h3><p style='margin-top:2px'>%3</p><table>")
          .arg(esc(name),
               chosen ? QStringLiteral(" <span style='color:#1a5ad8'>(runs this layer)</span>")
                      : QString(),
               esc(algorithm->summary));
  html += field(QStringLiteral("backend"), QString::fromUtf8(backend_name(algorithm->backend)));
  html += field(QStringLiteral("device"),
                esc(QString::fromStdString(backend_device(algorithm->backend))));
  if (!algorithm->origin.empty())
    html += field(QStringLiteral("from plugin"), esc(algorithm->origin));
  if (applicable) {
    const size_t bytes = algorithm->workspace(facts.layer);
    html += field(
        QStringLiteral("workspace here"),
        bytes ? QStringLiteral("<b>%1</b> (%2 bytes)").arg(humanBytes(double(bytes))).arg(bytes)
              : QStringLiteral("none"));
    const size_t kept = algorithm->prepared(facts.layer);
    html += field(QStringLiteral("kept here"),
                  kept ? QStringLiteral("<b>%1</b> (%2 bytes, held by its kernel)")
                             .arg(humanBytes(double(kept)))
                             .arg(kept)
                       : QStringLiteral("none (reads the weights where they lie)"));
  } else {
    html += field(QStringLiteral("applies here"),
                  QStringLiteral("<span style='color:#b00'>no: %1</span>")
                      .arg(esc(option != facts.algorithms.end() ? option->whyNot : QString())));
  }
  html += field(QStringLiteral("tolerance vs reference"),
                QStringLiteral("|Δ| ≤ %1·s + %2·|ref|, s = max(1, max |ref|) over the output")
                    .arg(algorithm->tolerance.atol, 0, 'g', 2)
                    .arg(algorithm->tolerance.rtol, 0, 'g', 2));
  if (name == facts.engineDefault)
    html += field(QStringLiteral("engine"), QStringLiteral("its default for this layer"));
  html += QStringLiteral("</table>");

  // What has been measured on this layer, fastest first, unmeasured (failed, checked only) last.
  std::set<QString> names;
  for (const auto& [algorithmName, timing] : document_->timings(row_)) names.insert(algorithmName);
  for (const auto& [algorithmName, result] : document_->results(row_)) names.insert(algorithmName);
  if (!names.empty()) {
    std::vector<QString> sorted(names.begin(), names.end());
    auto median = [&](const QString& n) {
      auto t = document_->timing(row_, n);
      return t ? t->median : std::numeric_limits<double>::infinity();
    };
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](const QString& a, const QString& b) { return median(a) < median(b); });
    // Four narrow columns fit the inspector's width; what does not (minimum, workspace, why it is
    // out) goes in a grey line under the algorithm.
    html += QStringLiteral(
        "<h4>Measured on this layer</h4><table cellspacing='0' cellpadding='1' width='100%'>"
        "<tr><th align='left'>algorithm</th><th align='right'>median</th>"
        "<th align='right'>GFLOP/s</th><th align='right'>max error</th></tr>");
    for (const QString& algorithmName : sorted) {
      const auto timing = document_->timing(row_, algorithmName);
      const AlgorithmResult* result = document_->result(row_, algorithmName);
      QString error;
      QStringList notes;
      if (algorithmName == document_->effectiveAlgorithm(row_)) notes << QStringLiteral("plan");
      if (timing && timing->samples > 1)
        notes << QStringLiteral("min %1 · IQR %2 · ±%3% over %4 runs%5")
                     .arg(humanSeconds(timing->min), humanSeconds(timing->iqr))
                     .arg(100 * timing->ciRelative, 0, 'f', 1)
                     .arg(timing->samples)
                     .arg(timing->unstable()
                              ? QStringLiteral(" <span style='color:#c86e00'>unstable</span>")
                              : QString());
      if (result) {
        if (result->error && result->error->elements > 0)
          error = humanError(result->error->max_abs_error);
        else if (result->error)
          error = QStringLiteral("0");
        if (result->workspaceBytes && *result->workspaceBytes)
          notes << QStringLiteral("workspace %1").arg(humanBytes(double(*result->workspaceBytes)));
        if (!result->failure.isEmpty())
          notes << QStringLiteral("<span style='color:#b00'>failed: %1</span>")
                       .arg(esc(result->failure));
        else if (result->error && !result->error->passed())
          notes << QStringLiteral("<span style='color:#b00'>%1 of %2 out of tolerance</span>")
                       .arg(result->error->mismatches)
                       .arg(result->error->elements);
        if (result->pruned) notes << QStringLiteral("pruned: timed twice only, far slower");
        if (result->fromCache) notes << QStringLiteral("tuning cache");
      }
      const bool self = algorithmName == name;
      const bool bad = result && result->failed();
      html += QStringLiteral(
                  "<tr%1><td>%2</td><td align='right'>%3</td><td align='right'>%4</td>"
                  "<td align='right'%5>%6</td></tr>")
                  .arg(self ? QStringLiteral(" style='font-weight:bold'") : QString(),
                       esc(algorithmName), timing ? humanSeconds(timing->median) : QString(),
                       timing && facts.flops > 0 && timing->median > 0
                           ? QString::number(facts.flops / timing->median / 1e9, 'f', 1)
                           : QString(),
                       bad ? QStringLiteral(" style='color:#b00'") : QString(), error);
      if (!notes.isEmpty())
        html += QStringLiteral(
                    "<tr><td colspan='4' style='color:#777; font-size:small; "
                    "padding-left:10px'>%1</td></tr>")
                    .arg(notes.join(QStringLiteral(" · ")));
    }
    html += QStringLiteral("</table>");
  } else {
    html += QStringLiteral(
        "<p style='color:#666'>Not measured yet: Run ▸ Time algorithms (F8) times every "
        "applicable algorithm of the selected layers and compares each with reference; Run ▸ Run "
        "end to end (F5) times the plan's algorithms in the whole model.</p>");
  }
  // The teaching text last: the measurements are what changes while one works.
  html += QStringLiteral("<h4>How it works</h4>") + teachingHtml(algorithm->teaching);
  algorithmText_->setHtml(html);
}

}  // namespace algoscope::gui
