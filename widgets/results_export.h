// The explorer's results as files: CSV (one line per layer and measured algorithm, for a
// spreadsheet) and JSON (the model, the plan, every layer's facts and measurements, and the plans'
// end-to-end latencies, for scripts).
#pragma once

#include <QByteArray>
#include <QString>

namespace algoscope::gui {

class ModelDocument;

QString resultsCsv(const ModelDocument& document);
QByteArray resultsJson(const ModelDocument& document);

}  // namespace algoscope::gui
