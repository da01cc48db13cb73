// LayerTablePage: the layer table with its filters, the two-way selection with the document, and
// the bulk plan edits on the selection.
#include "layer_table_page.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

#include "algorithm_delegate.h"
#include "algoscope/plan.h"
#include "layer_table_model.h"
#include "model_document.h"

namespace algoscope::gui {

LayerTablePage::LayerTablePage(ModelDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
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
  // Exported layer names share long prefixes and differ at their ends: a name too long for its
  // column loses its start (the tooltip has it whole).
  table_->setTextElideMode(Qt::ElideLeft);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
  table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
  table_->setSortingEnabled(true);
  table_->horizontalHeader()->setStretchLastSection(true);
  // Narrow enough that the status column still shows at 1440 px beside the inspector.
  const std::pair<int, int> widths[] = {
      {LayerTableModel::LayerColumn, 180},     {LayerTableModel::OpColumn, 120},
      {LayerTableModel::ShapeColumn, 170},     {LayerTableModel::ParametersColumn, 56},
      {LayerTableModel::FlopsColumn, 64},      {LayerTableModel::AlgorithmColumn, 100},
      {LayerTableModel::LatencyColumn, 70},    {LayerTableModel::SpreadColumn, 70},
      {LayerTableModel::ThroughputColumn, 60}, {LayerTableModel::ErrorColumn, 66}};
  for (auto [column, width] : widths) table_->setColumnWidth(column, width);
  table_->setContextMenuPolicy(Qt::ActionsContextMenu);

  filterEdit_ = new QLineEdit;
  filterEdit_->setObjectName(QStringLiteral("layerFilter"));
  filterEdit_->setPlaceholderText(QStringLiteral("Filter layers by name, op or algorithm"));
  filterEdit_->setClearButtonEnabled(true);
  opFilter_ = new QComboBox;
  opFilter_->addItem(QStringLiteral("All ops"));
  connect(filterEdit_, &QLineEdit::textChanged, filterModel_, &LayerFilterModel::setText);
  connect(opFilter_, &QComboBox::currentIndexChanged, this, [this](int index) {
    filterModel_->setOpType(index <= 0 ? QString() : opFilter_->currentText());
  });
  // "12 of 580 shown" while a filter hides rows, so an empty table never looks like an empty model.
  shownCount_ = new QLabel;
  shownCount_->setObjectName(QStringLiteral("shownCount"));
  auto updateCount = [this] {
    const int shown = filterModel_->rowCount(), total = tableModel_->rowCount();
    shownCount_->setText(shown == total ? QString()
                                        : QStringLiteral("%1 of %2 shown").arg(shown).arg(total));
  };
  connect(filterModel_, &QAbstractItemModel::rowsInserted, this, updateCount);
  connect(filterModel_, &QAbstractItemModel::rowsRemoved, this, updateCount);
  connect(filterModel_, &QAbstractItemModel::modelReset, this, updateCount);
  connect(filterModel_, &QAbstractItemModel::layoutChanged, this, updateCount);
  auto* filterRow = new QHBoxLayout;
  filterRow->addWidget(filterEdit_, 1);
  filterRow->addWidget(shownCount_);
  filterRow->addWidget(opFilter_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 4, 0, 0);
  layout->addLayout(filterRow);
  layout->addWidget(table_, 1);

  // Table selection <-> document selection (guarded: each only follows a real change).
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (current.isValid())
              document_->setCurrentRow(current.data(LayerTableModel::RowRole).toInt());
          });
  connect(document_, &ModelDocument::currentRowChanged, this, &LayerTablePage::followDocumentRow);
  connect(document_, &ModelDocument::modelChanged, this, &LayerTablePage::resetFilters);
  connect(document_, &ModelDocument::modelChanged, this, &LayerTablePage::fitLayerColumn);
}

void LayerTablePage::fitLayerColumn() {
  // Wide enough for the model's longest layer name, up to kMaxLayerColumn (beyond it the status
  // column would leave the window at 1440 px beside the inspector).
  constexpr int kMinLayerColumn = 180, kMaxLayerColumn = 260;
  int widest = 0;
  for (int row = 0; row < document_->layerCount(); ++row)
    widest = std::max(widest, table_->fontMetrics().horizontalAdvance(document_->layer(row).name));
  table_->setColumnWidth(LayerTableModel::LayerColumn,
                         std::clamp(widest + 16, kMinLayerColumn, kMaxLayerColumn));
}

void LayerTablePage::followDocumentRow(int row) {
  if (row < 0) return;
  const QModelIndex current = table_->currentIndex();
  if (current.isValid() && current.data(LayerTableModel::RowRole).toInt() == row) return;
  const QModelIndex target = filterModel_->mapFromSource(tableModel_->index(row, 0));
  if (!target.isValid()) return;  // filtered out
  table_->selectionModel()->setCurrentIndex(
      target, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  table_->scrollTo(target);
}

void LayerTablePage::resetFilters() {
  // Filters belong to the model they were set for: the next one opens with every layer shown.
  filterEdit_->clear();
  const QSignalBlocker blocker(opFilter_);
  opFilter_->clear();
  opFilter_->addItem(QStringLiteral("All ops"));
  opFilter_->addItems(document_->opTypes());
  filterModel_->setOpType({});
}

QList<int> LayerTablePage::selectedRows() const {
  QList<int> rows;
  for (const QModelIndex& index : table_->selectionModel()->selectedRows())
    rows << index.data(LayerTableModel::RowRole).toInt();
  if (rows.isEmpty() && document_->currentRow() >= 0) rows << document_->currentRow();
  std::sort(rows.begin(), rows.end());
  return rows;
}

namespace {

Report inStatusBar(const QString& text, int timeoutMs) {
  return {Report::Where::StatusBar, ReportLevel::Info, text, timeoutMs};
}

Report inMessageBar(const QString& text) {
  return {Report::Where::MessageBar, ReportLevel::Info, text};
}

}  // namespace

std::optional<Report> LayerTablePage::setAlgorithmForSelected(const Chooser& choose) {
  const QList<int> rows = selectedRows();
  if (rows.isEmpty()) return inMessageBar(QStringLiteral("Select layers in the table first."));
  // Every algorithm that fits at least one selected layer.
  QStringList names{QString::fromStdString(Plan::kDefault)};
  for (int row : rows)
    for (const AlgorithmOption& option : document_->layer(row).algorithms)
      if (option.applicable() && !names.contains(option.name)) names << option.name;
  const QString algorithm =
      choose(QStringLiteral("Set algorithm"),
             QStringLiteral("Algorithm for the %1 selected layer(s):").arg(rows.size()), names);
  if (algorithm.isEmpty()) return std::nullopt;
  QStringList skipped;
  const int changed = document_->setRowsAlgorithm(rows, algorithm, &skipped);
  if (skipped.isEmpty())
    return inStatusBar(QStringLiteral("%1 on %2 layer(s)").arg(algorithm).arg(changed), 5000);
  return inMessageBar(
      QStringLiteral("%1 set on %2 layer(s); left alone where it does not apply:<br>%3")
          .arg(algorithm)
          .arg(changed)
          .arg(skipped.join(QStringLiteral("<br>")).toHtmlEscaped()));
}

std::optional<Report> LayerTablePage::setAlgorithmForOpType(const Chooser& choose) {
  if (!document_->hasModel()) return std::nullopt;
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
    op = choose(QStringLiteral("Op type"), QStringLiteral("Op type:"), ops);
    if (op.isEmpty()) return std::nullopt;
  }
  QStringList names{QString::fromStdString(Plan::kDefault)};
  for (int row = 0; row < document_->layerCount(); ++row)
    if (document_->layer(row).opType == op)
      for (const AlgorithmOption& option : document_->layer(row).algorithms)
        if (option.applicable() && !names.contains(option.name)) names << option.name;
  const QString algorithm = choose(
      QStringLiteral("Set algorithm for all %1 layers").arg(op),
      QStringLiteral("Default algorithm for %1 (the plan's per-op default):").arg(op), names);
  if (algorithm.isEmpty()) return std::nullopt;
  int layers = 0;
  for (int row = 0; row < document_->layerCount(); ++row)
    if (document_->layer(row).opType == op) ++layers;
  const int applies = document_->setOpTypeDefault(op, algorithm);
  return inStatusBar(QStringLiteral("%1 default: %2 (runs %3 of %4 layers; the others keep the "
                                    "engine's choice or their own)")
                         .arg(op, algorithm)
                         .arg(applies)
                         .arg(layers),
                     8000);
}

std::optional<Report> LayerTablePage::setAlgorithmForSignature(const Chooser& choose) {
  const int current = document_->currentRow();
  if (current < 0)
    return inMessageBar(
        QStringLiteral("Select a layer first: layers with its signature (op, "
                       "input shapes, attributes) get the same algorithm."));
  const LayerFacts& facts = document_->layer(current);
  const QList<int> rows = document_->rowsWithSignature(facts.signature);
  QStringList names{QString::fromStdString(Plan::kDefault)};
  for (const AlgorithmOption& option : facts.algorithms)
    if (option.applicable()) names << option.name;
  const QString algorithm = choose(
      QStringLiteral("Set algorithm by signature"),
      QStringLiteral("Algorithm for the %1 layer(s) like %2:").arg(rows.size()).arg(facts.name),
      names);
  if (algorithm.isEmpty()) return std::nullopt;
  const int changed = document_->setRowsAlgorithm(rows, algorithm);
  return inStatusBar(QStringLiteral("%1 on %2 layer(s) with the signature of %3")
                         .arg(algorithm)
                         .arg(changed)
                         .arg(facts.name),
                     5000);
}

}  // namespace algoscope::gui
