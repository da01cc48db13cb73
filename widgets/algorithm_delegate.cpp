// AlgorithmDelegate: the combo box editor of the algorithm column.
#include "algorithm_delegate.h"

#include <QComboBox>
#include <QStandardItemModel>

#include "layer_table_model.h"

namespace algoscope::gui {

QWidget* AlgorithmDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem&,
                                         const QModelIndex& index) const {
  const QVariantList options = index.data(LayerTableModel::AlgorithmOptionsRole).toList();
  if (options.isEmpty()) return nullptr;
  auto* combo = new QComboBox(parent);
  auto* items = new QStandardItemModel(combo);
  for (const QVariant& entry : options) {
    const QVariantMap option = entry.toMap();
    auto* item = new QStandardItem(option.value(QStringLiteral("label")).toString());
    item->setData(option.value(QStringLiteral("name")), Qt::UserRole);
    const QString whyNot = option.value(QStringLiteral("whyNot")).toString();
    if (!whyNot.isEmpty()) {
      // Shown but not selectable, so a student sees what exists and why it does not fit.
      item->setEnabled(false);
      item->setToolTip(QStringLiteral("Not applicable: ") + whyNot);
    }
    items->appendRow(item);
  }
  combo->setModel(items);
  // Commit as soon as a choice is made, not when focus leaves the cell.
  connect(combo, &QComboBox::activated, this, [this, combo] {
    auto* self = const_cast<AlgorithmDelegate*>(this);
    emit self->commitData(combo);
    emit self->closeEditor(combo);
  });
  return combo;
}

void AlgorithmDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
  auto* combo = qobject_cast<QComboBox*>(editor);
  if (!combo) return;
  const int at = combo->findData(index.data(Qt::EditRole), Qt::UserRole);
  combo->setCurrentIndex(at >= 0 ? at : 0);
}

void AlgorithmDelegate::setModelData(QWidget* editor, QAbstractItemModel* model,
                                     const QModelIndex& index) const {
  auto* combo = qobject_cast<QComboBox*>(editor);
  if (!combo || combo->currentIndex() < 0) return;
  model->setData(index, combo->currentData(Qt::UserRole), Qt::EditRole);
}

}  // namespace algoscope::gui
