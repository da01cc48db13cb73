// libFuzzer target: bytes as an ONNX model file. Parses and imports them, runs the graph passes
// (shape inference, constant folding, fusions), then compiles a Session under the default plan
// and, when the model is small, runs it once on random inputs. Everything a stranger's model file
// reaches before and during a first `algoscope-cli run` is covered; only algoscope::Error may
// come out.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/session.h"
#include "fuzz_support.h"

namespace {

using namespace algoscope;

// Bounds that keep one input to milliseconds: the fuzzer looks for wrong handling of strange
// graphs, not for how long a large model takes. A model over them is loaded but not compiled.
constexpr size_t kMaxModelBytes = 16u << 20;  // every value and constant together
constexpr size_t kMaxRunBytes = 16u << 20;    // arena and workspace of the compiled session
// The reference kernels under ASan, UBSan and coverage take about a microsecond per operation:
// a 15 MFLOP AveragePool ran 16 s and tripped the 10 s hang timeout (fuzz/regressions/fuzz_model/
// slow-average-pool-reference.onnx), which was this bound's fault, not a hang.
constexpr double kMaxRunFlops = 2e6;

bool small_enough(const Model& model) {
  size_t total = 0;
  auto add = [&](size_t bytes) {
    total = bytes > kMaxModelBytes ? kMaxModelBytes + 1 : total + bytes;
    return total <= kMaxModelBytes;
  };
  for (const auto& [name, value] : model.values)
    if (value.known && !add(fuzz::bytes_or_max(value.info.dtype, value.info.shape))) return false;
  for (const auto& [name, tensor] : model.constants)
    if (!add(fuzz::bytes_or_max(tensor.dtype(), tensor.shape()))) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  algoscope::fuzz::limit_engine_memory();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  // The origin's folder is the scratch folder, so external data resolves (and fails) there.
  const std::string origin = (fuzz::scratch_dir() / "model.onnx").string();
  fuzz::expect_clean_errors("load_model_from_bytes", [&] {
    auto model = std::make_shared<const Model>(load_model_from_bytes(bytes, origin));
    (void)unsupported_ops(*model);
    if (!small_enough(*model)) return;
    SessionOptions options;
    options.threads = 1;
    Session session(model, Plan::for_model(*model), options);
    double flops = 0;
    for (const CompiledLayer& layer : session.layers()) flops += layer.flops;
    if (session.arena_bytes() + session.workspace_bytes() > kMaxRunBytes || flops > kMaxRunFlops)
      return;
    std::vector<Tensor> outputs = session.run(random_inputs(*model));
    fuzz::check(outputs.size() == model->outputs.size(), "run returns one tensor per graph output");
  });
  return 0;
}
