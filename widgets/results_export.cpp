// resultsCsv, resultsJson and savePngAtomically.
#include "results_export.h"

#include <QGraphicsScene>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QSaveFile>
#include <QStringList>
#include <QSvgGenerator>
#include <algorithm>

#include "model_document.h"

namespace algoscope::gui {
namespace {

QString csvField(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
      !text.contains(QLatin1Char('\n')))
    return text;
  QString quoted = text;
  quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
  return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString status(const ModelDocument& document, int row) {
  const LayerFacts& facts = document.layer(row);
  if (!facts.runnable()) return QStringLiteral("cannot run: ") + facts.problem;
  return document.planNote(row);
}

}  // namespace

QString resultsCsv(const ModelDocument& document) {
  QStringList lines;
  lines << QStringLiteral(
      "layer,op,inputs,outputs,parameters,flops,algorithm,chosen,median_s,min_s,samples,gflops,"
      "status");
  for (int row = 0; row < document.layerCount(); ++row) {
    const LayerFacts& facts = document.layer(row);
    const QString chosen = document.effectiveAlgorithm(row);
    auto line = [&](const QString& algorithm, const Timing* timing) {
      QStringList f{csvField(facts.name),
                    csvField(facts.displayOp),
                    csvField(facts.inputShapes),
                    csvField(facts.outputShapes),
                    QString::number(facts.parameters),
                    QString::number(facts.flops, 'g', 12),
                    csvField(algorithm),
                    algorithm == chosen ? QStringLiteral("yes") : QStringLiteral("no")};
      if (timing) {
        f << QString::number(timing->median, 'g', 6) << QString::number(timing->min, 'g', 6)
          << QString::number(timing->samples)
          << (facts.flops > 0 && timing->median > 0
                  ? QString::number(facts.flops / timing->median / 1e9, 'g', 4)
                  : QString());
      } else {
        f << QString() << QString() << QString() << QString();
      }
      f << csvField(status(document, row));
      lines << f.join(QLatin1Char(','));
    };
    const auto& measured = document.timings(row);
    if (!measured.count(chosen)) line(chosen, nullptr);
    for (const auto& [algorithm, timing] : measured) line(algorithm, &timing);
  }
  return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QByteArray resultsJson(const ModelDocument& document) {
  QJsonObject root;
  if (const Model* model = document.model()) {
    root[QStringLiteral("model")] =
        QJsonObject{{QStringLiteral("name"), QString::fromStdString(model->name)},
                    {QStringLiteral("path"), QString::fromStdString(model->path)},
                    {QStringLiteral("fingerprint"), QString::fromStdString(model->fingerprint)}};
  }
  root[QStringLiteral("plan")] =
      QJsonDocument::fromJson(QByteArray::fromStdString(document.plan().to_json())).object();
  QJsonArray plans;
  for (const PlanLatency& latency : document.planLatencies())
    plans.append(QJsonObject{
        {QStringLiteral("label"), latency.label},
        {QStringLiteral("median_s"), latency.timing.median},
        {QStringLiteral("min_s"), latency.timing.min},
        {QStringLiteral("samples"), latency.timing.samples},
        {QStringLiteral("threads"), latency.threads},
        {QStringLiteral("plan"),
         QJsonDocument::fromJson(QByteArray::fromStdString(latency.plan.to_json())).object()}});
  root[QStringLiteral("plans")] = plans;
  QJsonArray layers;
  for (int row = 0; row < document.layerCount(); ++row) {
    const LayerFacts& facts = document.layer(row);
    QJsonObject measurements;
    for (const auto& [algorithm, timing] : document.timings(row))
      measurements[algorithm] = QJsonObject{{QStringLiteral("median_s"), timing.median},
                                            {QStringLiteral("min_s"), timing.min},
                                            {QStringLiteral("samples"), timing.samples}};
    layers.append(QJsonObject{{QStringLiteral("name"), facts.name},
                              {QStringLiteral("op"), facts.displayOp},
                              {QStringLiteral("inputs"), facts.inputShapes},
                              {QStringLiteral("outputs"), facts.outputShapes},
                              {QStringLiteral("parameters"), double(facts.parameters)},
                              {QStringLiteral("flops"), facts.flops},
                              {QStringLiteral("algorithm"), document.effectiveAlgorithm(row)},
                              {QStringLiteral("requested"),
                               facts.runnable() ? document.requestedAlgorithm(row) : QString()},
                              {QStringLiteral("status"), status(document, row)},
                              {QStringLiteral("measurements"), measurements}});
  }
  root[QStringLiteral("layers")] = layers;
  return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool savePngAtomically(const QImage& image, const QString& path) {
  if (image.isNull()) return false;
  QSaveFile file(path);
  return file.open(QIODevice::WriteOnly) && image.save(&file, "PNG") && file.commit();
}

bool saveScenePng(QGraphicsScene* scene, const QString& path) {
  const QRectF source = scene->itemsBoundingRect().adjusted(-20, -20, 20, 20);
  if (source.isEmpty()) return false;
  // Full detail up to a size image viewers open comfortably.
  const double scale = std::min(1.5, 12000.0 / std::max(source.width(), source.height()));
  QImage image((source.size() * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setRenderHint(QPainter::TextAntialiasing);
  scene->render(&painter, QRectF(QPointF(0, 0), image.size()), source);
  painter.end();
  return savePngAtomically(image, path);
}

bool saveSceneSvg(QGraphicsScene* scene, const QString& path, const QString& title) {
  const QRectF source = scene->itemsBoundingRect().adjusted(-20, -20, 20, 20);
  if (source.isEmpty()) return false;
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(source.size().toSize());
  svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
  svg.setTitle(title);
  QPainter painter;
  if (!painter.begin(&svg)) return false;
  scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
  return painter.end();
}

}  // namespace algoscope::gui
