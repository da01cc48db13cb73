// What every chart page of the explorer shares (charts.cpp, analysis_charts.cpp): a QChartView set
// up alike, clearing a chart before it is rebuilt, a page's layout (controls in a row above the
// chart, rebuilt when the document changes) and saving the view as a PNG.
#pragma once

#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QSpinBox>
#include <QVBoxLayout>

#include "model_document.h"

namespace algoscope::gui {

QChartView* makeView(QChart* chart);
void clearChart(QChart* chart);
bool saveView(const QChartView* view, const QString& path);

// A chart page: its controls in a row above the chart, and the chart rebuilt whenever the
// document's model, plan or measurements change or one of the controls does.
template <class Chart>
void layOutChartPage(Chart* page, void (Chart::*rebuild)(), ModelDocument* document,
                     QChartView* view, const QList<QWidget*>& controls) {
  auto* row = new QHBoxLayout;
  for (QWidget* control : controls) {
    row->addWidget(control);
    if (auto* box = qobject_cast<QCheckBox*>(control))
      QObject::connect(box, &QCheckBox::toggled, page, rebuild);
    else if (auto* spin = qobject_cast<QSpinBox*>(control))
      QObject::connect(spin, &QSpinBox::valueChanged, page, rebuild);
    else if (auto* combo = qobject_cast<QComboBox*>(control))
      QObject::connect(combo, &QComboBox::currentIndexChanged, page, rebuild);
  }
  row->addStretch(1);
  auto* layout = new QVBoxLayout(page);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(row);
  layout->addWidget(view, 1);
  QObject::connect(document, &ModelDocument::modelChanged, page, rebuild);
  QObject::connect(document, &ModelDocument::planChanged, page, rebuild);
  QObject::connect(document, &ModelDocument::measurementsChanged, page, rebuild);
}

}  // namespace algoscope::gui
