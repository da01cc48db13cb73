// PlanCompareModel and PlanCompareDialog.
#include "plan_compare.h"

#include <QBrush>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include "algoscope/error.h"
#include "model_document.h"

namespace algoscope::gui {

PlanCompareModel::PlanCompareModel(ModelDocument* document, QObject* parent)
    : QAbstractTableModel(parent), document_(document) {
  connect(document_, &ModelDocument::modelChanged, this, [this] {
    beginResetModel();
    rows_.clear();
    endResetModel();
  });
  connect(document_, &ModelDocument::measurementsChanged, this, [this] {
    if (!rows_.empty())
      emit dataChanged(index(0, LatencyAColumn), index(rowCount() - 1, RatioColumn));
  });
}

void PlanCompareModel::setPlans(const NamedPlan& a, const NamedPlan& b) {
  beginResetModel();
  a_ = a;
  b_ = b;
  resolve();
  endResetModel();
}

void PlanCompareModel::resolve() {
  rows_.clear();
  auto algorithmOf = [](const Plan& plan, const LayerFacts& facts) {
    try {
      return QString::fromStdString(resolve_algorithm(plan, facts.layer).name);
    } catch (const Error& e) {
      return QStringLiteral("error: ") + QString::fromUtf8(e.what());
    }
  };
  for (int row = 0; row < document_->layerCount(); ++row) {
    const LayerFacts& facts = document_->layer(row);
    if (!facts.runnable()) continue;
    rows_.push_back({row, algorithmOf(a_.plan, facts), algorithmOf(b_.plan, facts)});
  }
}

int PlanCompareModel::differenceCount() const {
  return int(std::count_if(rows_.begin(), rows_.end(), [](const Row& r) { return r.a != r.b; }));
}

int PlanCompareModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(rows_.size());
}
int PlanCompareModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant PlanCompareModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case LayerColumn:
      return QStringLiteral("Layer");
    case OpColumn:
      return QStringLiteral("Op");
    case AlgorithmAColumn:
      return QStringLiteral("A: ") + a_.label;
    case AlgorithmBColumn:
      return QStringLiteral("B: ") + b_.label;
    case LatencyAColumn:
      return QStringLiteral("Latency A");
    case LatencyBColumn:
      return QStringLiteral("Latency B");
    case RatioColumn:
      return QStringLiteral("B / A");
  }
  return {};
}

QVariant PlanCompareModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const Row& r = rows_[size_t(index.row())];
  const LayerFacts& facts = document_->layer(r.documentRow);
  const bool differs = r.a != r.b;
  const auto ta = document_->timing(r.documentRow, r.a);
  const auto tb = document_->timing(r.documentRow, r.b);
  const double ratio = ta && tb && ta->median > 0 ? tb->median / ta->median : -1;
  switch (role) {
    case DiffersRole:
      return differs;
    case Qt::DisplayRole:
    case SortRole:
      switch (index.column()) {
        case LayerColumn:
          return facts.name;
        case OpColumn:
          return facts.displayOp;
        case AlgorithmAColumn:
          return r.a;
        case AlgorithmBColumn:
          return r.b;
        case LatencyAColumn:
          if (role == SortRole) return ta ? ta->median : -1.0;
          return ta ? humanSeconds(ta->median) : QString();
        case LatencyBColumn:
          if (role == SortRole) return tb ? tb->median : -1.0;
          return tb ? humanSeconds(tb->median) : QString();
        case RatioColumn:
          if (role == SortRole) return ratio;
          return ratio > 0 ? QStringLiteral("%1×").arg(ratio, 0, 'f', 2) : QString();
      }
      return {};
    case Qt::BackgroundRole:
      if (!differs) return {};
      if (index.column() == RatioColumn && ratio > 0)
        return QBrush(ratio < 1 ? QColor(200, 240, 200) : QColor(250, 210, 200));
      return QBrush(QColor(255, 243, 205));
    case Qt::FontRole:
      if (differs && (index.column() == AlgorithmAColumn || index.column() == AlgorithmBColumn)) {
        QFont font;
        font.setBold(true);
        return font;
      }
      return {};
    case Qt::ToolTipRole:
      if (index.column() == RatioColumn)
        return QStringLiteral("B's latency over A's for this layer (green: B faster)");
      if (index.column() == AlgorithmAColumn) return r.a;
      if (index.column() == AlgorithmBColumn) return r.b;
      return {};
  }
  return {};
}

PlanCompareDialog::PlanCompareDialog(ModelDocument* document, QWidget* parent)
    : QDialog(parent), document_(document) {
  setWindowTitle(QStringLiteral("Compare plans"));
  resize(900, 600);
  model_ = new PlanCompareModel(document_, this);
  auto* proxy = new QSortFilterProxyModel(this);
  proxy->setSourceModel(model_);
  proxy->setSortRole(PlanCompareModel::SortRole);
  proxy->setFilterRole(PlanCompareModel::DiffersRole);
  proxy->setFilterKeyColumn(0);

  auto makeSource = [] {
    auto* combo = new QComboBox;
    combo->addItem(QStringLiteral("current plan"));
    combo->addItem(QStringLiteral("engine default"));
    combo->addItem(QString::fromStdString(kReference));  // the all-reference plan
    combo->addItem(QStringLiteral("Plan file…"));
    return combo;
  };
  sourceA_ = makeSource();
  sourceB_ = makeSource();
  sourceB_->setCurrentIndex(1);
  onlyDifferences_ = new QCheckBox(QStringLiteral("Only layers that differ"));
  table_ = new QTableView;
  table_->setModel(proxy);
  table_->setSortingEnabled(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  table_->setColumnWidth(PlanCompareModel::LayerColumn, 260);
  summary_ = new QLabel;
  summary_->setWordWrap(true);
  auto* timeBoth = new QPushButton(QStringLiteral("Time both plans"));
  timeBoth->setToolTip(
      QStringLiteral("Run both plans end to end with the per-layer timing hook "
                     "(Run settings apply)"));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  buttons->addButton(timeBoth, QDialogButtonBox::ActionRole);

  auto* pick = new QHBoxLayout;
  pick->addWidget(new QLabel(QStringLiteral("A:")));
  pick->addWidget(sourceA_, 1);
  pick->addWidget(new QLabel(QStringLiteral("B:")));
  pick->addWidget(sourceB_, 1);
  pick->addWidget(onlyDifferences_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(pick);
  layout->addWidget(table_, 1);
  layout->addWidget(summary_);
  layout->addWidget(buttons);

  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
  connect(sourceA_, &QComboBox::activated, this, &PlanCompareDialog::refresh);
  connect(sourceB_, &QComboBox::activated, this, &PlanCompareDialog::refresh);
  connect(onlyDifferences_, &QCheckBox::toggled, this, [proxy](bool on) {
    proxy->setFilterFixedString(on ? QStringLiteral("true") : QString());
  });
  connect(timeBoth, &QPushButton::clicked, this, [this] {
    bool okA = true, okB = true;
    NamedPlan a = planFor(sourceA_, &okA), b = planFor(sourceB_, &okB);
    if (okA && okB) emit timePlansRequested({a, b});
  });
  connect(document_, &ModelDocument::measurementsChanged, this, &PlanCompareDialog::refreshSummary);
  connect(document_, &ModelDocument::planChanged, this, &PlanCompareDialog::refresh);
  refresh();
}

NamedPlan PlanCompareDialog::planFor(QComboBox* source, bool* ok) {
  *ok = true;
  const QString label = source->currentText();
  if (source->currentIndex() == 0) return {label, document_->plan()};
  if (source->currentIndex() == 1) return {label, document_->engineDefaultPlan()};
  if (source->currentIndex() == 2) return {label, document_->referencePlan()};
  for (const auto& [fileLabel, plan] : files_)
    if (fileLabel == label) return {label, plan};
  // "Plan file…": load one, validated against the model; errors show and change nothing.
  const QString path = QFileDialog::getOpenFileName(
      this, QStringLiteral("Plan to compare"), {}, QStringLiteral("Plans (*.json);;All files (*)"));
  if (!path.isEmpty()) {
    try {
      Plan plan = Plan::load(path.toStdString());
      validate_plan(plan, *document_->model());
      const QString fileLabel = QFileInfo(path).fileName();
      files_.push_back({fileLabel, plan});
      sourceA_->insertItem(sourceA_->count() - 1, fileLabel);
      sourceB_->insertItem(sourceB_->count() - 1, fileLabel);
      source->setCurrentIndex(source->findText(fileLabel));
      return {fileLabel, plan};
    } catch (const Error& e) {
      summary_->setText(QStringLiteral("<span style='color:#b00'>%1</span>")
                            .arg(QString::fromUtf8(e.what()).toHtmlEscaped()));
    }
  }
  *ok = false;
  source->setCurrentIndex(0);
  return {source->currentText(), document_->plan()};
}

void PlanCompareDialog::refresh() {
  if (!document_->hasModel()) return;
  bool okA = true, okB = true;
  NamedPlan a = planFor(sourceA_, &okA);
  NamedPlan b = planFor(sourceB_, &okB);
  model_->setPlans(a, b);
  table_->resizeColumnToContents(PlanCompareModel::AlgorithmAColumn);
  table_->resizeColumnToContents(PlanCompareModel::AlgorithmBColumn);
  if (okA && okB) refreshSummary();
}

void PlanCompareDialog::refreshSummary() {
  QString text = QStringLiteral("%1 of %2 layers differ.")
                     .arg(model_->differenceCount())
                     .arg(model_->rowCount());
  for (const PlanLatency& latency : document_->planLatencies())
    if (latency.label == sourceA_->currentText() || latency.label == sourceB_->currentText())
      text += QStringLiteral(" %1: %2 end to end.")
                  .arg(latency.label, humanSeconds(latency.timing.median));
  summary_->setText(text);
}

}  // namespace algoscope::gui
