// Edits the layer table's algorithm cell with a combo box of the registry's algorithms for that
// layer: "default" (the engine's choice) first, then every algorithm of the op type in registry
// order; the ones that cannot compute this layer are disabled with the reason as their tooltip.
// It reads the options from the model's AlgorithmOptionsRole, so it knows nothing of the engine.
#pragma once

#include <QStyledItemDelegate>

namespace algoscope::gui {

class AlgorithmDelegate : public QStyledItemDelegate {
  Q_OBJECT
 public:
  using QStyledItemDelegate::QStyledItemDelegate;

  QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                        const QModelIndex& index) const override;
  void setEditorData(QWidget* editor, const QModelIndex& index) const override;
  void setModelData(QWidget* editor, QAbstractItemModel* model,
                    const QModelIndex& index) const override;
};

}  // namespace algoscope::gui
