// JSON of the measurement results, shared by to_json() (measure.h), the measurements a tuned plan
// carries and the tuning cache file, so one measurement has one shape wherever it is written.
#pragma once

#include <nlohmann/json.hpp>

#include "algoscope/measure.h"

namespace algoscope::measure {

using json = nlohmann::ordered_json;

json to_json_value(const TimingStats& stats);
json to_json_value(const ErrorStats& stats);
json to_json_value(const AlgorithmTiming& timing);
json to_json_value(const MemoryReport& memory);
// The whole-model figures of an end-to-end result, without its layers.
json summary_json(const EndToEndResult& result);

// The inverse of to_json_value(AlgorithmTiming), for the tuning cache; throws nlohmann's
// exceptions on malformed input, and Error for an integer field that is not an integer in range.
TimingStats timing_stats_from_json(const json& j);
AlgorithmTiming algorithm_timing_from_json(const json& j);

}  // namespace algoscope::measure
