// Every input that once crashed a libFuzzer target (fuzz/regressions/<target>/) replayed through
// the same public calls in the ordinary build, so the gcc suite (and its ASan/UBSan build,
// ALGOSCOPE_SANITIZE) keeps them fixed without clang: each must load, or fail with
// algoscope::Error. The defect-specific tests next to each fix check the messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <typeinfo>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/session.h"
#include "algoscope/tensor_io.h"
#include "algoscope/tuning_cache.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> regressions(const std::string& target) {
  std::vector<fs::path> files;
  const fs::path dir = fs::path(ALGOSCOPE_FUZZ_REGRESSIONS) / target;
  if (fs::is_directory(dir))
    for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  return files;
}

// Runs `call` on every regression input of `target`; anything but algoscope::Error fails.
void replay(const std::string& target, const std::function<void(const fs::path&)>& call) {
  const auto files = regressions(target);
  EXPECT_FALSE(files.empty()) << "no inputs in fuzz/regressions/" << target;
  for (const fs::path& file : files) {
    try {
      call(file);
    } catch (const algoscope::Error&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << file << ": " << typeid(e).name() << " escaped: " << e.what();
    }
  }
}

TEST(FuzzRegressions, Models) {
  replay("fuzz_model", [](const fs::path& file) {
    auto model = std::make_shared<const algoscope::Model>(algoscope::load_model(file.string()));
    algoscope::Session session(model, algoscope::Plan::for_model(*model), {.threads = 1});
  });
}

TEST(FuzzRegressions, Plans) {
  replay("fuzz_plan", [](const fs::path& file) { algoscope::Plan::load(file.string()); });
}

TEST(FuzzRegressions, TensorFiles) {
  replay("fuzz_tensor", [](const fs::path& file) { algoscope::read_tensor_file(file.string()); });
}

TEST(FuzzRegressions, TuningCaches) {
  test_support::TempDir dir;
  replay("fuzz_tuning_cache", [&](const fs::path& file) {
    const std::string path = dir.file("cache.json");
    fs::copy_file(file, path, fs::copy_options::overwrite_existing);
    algoscope::TuningCache cache(path);  // never throws: a bad file is started afresh
  });
}

}  // namespace
