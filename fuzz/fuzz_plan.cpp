// libFuzzer target: bytes as a plan JSON file, the way `--plan` and the explorer's Open Plan read
// one. Parses it, and when it parses, checks that it survives a save and reload unchanged,
// validates it against the bundled LeNet and compiles a Session with it, so that every algorithm
// name a plan can pick is prepared on real layers. Only algoscope::Error may come out.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/session.h"
#include "fuzz_support.h"

namespace {

const std::shared_ptr<const algoscope::Model>& bundled_model() {
  static const auto model =
      std::make_shared<const algoscope::Model>(algoscope::load_model(ALGOSCOPE_FUZZ_PLAN_MODEL));
  return model;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  algoscope::fuzz::limit_engine_memory();
  bundled_model();  // loaded once, outside the measured executions
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace algoscope;
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_clean_errors("Plan::from_json", [&] {
    const Plan plan = Plan::from_json(text, "fuzz plan");
    // What save() writes must load again as the same plan.
    const Plan reread = Plan::from_json(plan.to_json(), "fuzz plan (saved)");
    fuzz::check(reread == plan, "a plan reads back equal after to_json");
    validate_plan(plan, *bundled_model());
    SessionOptions options;
    options.threads = 1;
    Session session(bundled_model(), plan, options);
  });
  return 0;
}
