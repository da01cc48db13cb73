// The explorer's results as files: CSV (one line per layer and measured algorithm, for a
// spreadsheet) and JSON (the model, the plan, every layer's facts and measurements, and the plans'
// end-to-end latencies, for scripts), and pictures (a graph scene as PNG or SVG) saved so that an
// interrupted save never destroys an earlier one.
#pragma once

#include <QByteArray>
#include <QImage>
#include <QString>

class QGraphicsScene;

namespace algoscope::gui {

class ModelDocument;

QString resultsCsv(const ModelDocument& document);

// Writes `image` as a PNG through a temporary file renamed into place (QSaveFile), so a crash or
// kill mid-write leaves any earlier file at `path` intact. False when it cannot be written.
bool savePngAtomically(const QImage& image, const QString& path);
// Everything in `scene`, whatever the view shows: a PNG in full detail up to 12000 pixels a side,
// or an SVG titled `title`. False when there is nothing to draw or it cannot be written.
bool saveScenePng(QGraphicsScene* scene, const QString& path);
bool saveSceneSvg(QGraphicsScene* scene, const QString& path, const QString& title);
QByteArray resultsJson(const ModelDocument& document);

}  // namespace algoscope::gui
