// libFuzzer target: bytes as the tuning cache file. TuningCache's constructor must take any file
// without throwing (a malformed cache starts afresh, problem() says why). When it read entries,
// one more is stored and saved, which re-reads, merges and rewrites the file; the result must
// read back whole, with nothing reported.
#include <cstddef>
#include <cstdint>
#include <string>
#include <typeinfo>

#include "algoscope/tuning_cache.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  algoscope::fuzz::limit_engine_memory();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace algoscope;
  const std::string path = fuzz::write_scratch_file("tuning-cache.json", data, size);
  try {
    TuningCache cache(path);
    (void)cache.find("Conv in:float32[1x1x4x4] out:float32[1x1x4x4] attrs:");
    if (!cache.problem().empty()) return 0;
    AlgorithmTiming timing;
    timing.algorithm = "reference";
    timing.time.median_ms = timing.time.min_ms = timing.time.max_ms = 1.0;
    timing.time.q1_ms = timing.time.q3_ms = 1.0;
    timing.time.samples = 1;
    cache.store("fuzz key", {timing});
    cache.save();
    TuningCache reread(path);
    fuzz::check(reread.problem().empty(), "a saved tuning cache reads back without a problem");
    fuzz::check(reread.size() == cache.size(), "a saved tuning cache keeps every entry");
    fuzz::check(reread.find("fuzz key").has_value(), "the stored entry is in the saved cache");
  } catch (const Error&) {
    // save() may fail cleanly (a full disk); the constructor never throws.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "TuningCache: %s escaped: %s\n", typeid(e).name(), e.what());
    std::abort();
  }
  return 0;
}
