// The pooling family: ONNX MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool and the
// algorithms that compute them, in registry order. This file is the only place their names are
// spelled; each algorithm lives in <op>_<algorithm>.cpp next to this file, with its text
// (<op>_<algorithm>_text()), except oneDNN's, one file (onednn.cpp) for all four ops.
#include "cuda/variants.h"
#include "ops/pool/pool.h"
#include "ops/registrations.h"

namespace algoscope::ops {
namespace {

// oneDNN's pooling, appended to each pooling op: a member of the oneDNN layout family.
void add_onednn(Registry& registry, const std::string& op_type, Tolerance tolerance) {
#ifdef ALGOSCOPE_HAVE_ONEDNN
  add_algorithms(registry, op_type,
                 {{pool::onednn_text(),
                   {.name = "onednn",
                    .tolerance = tolerance,
                    .default_priority = 1,
                    .layout_family = "onednn",
                    .not_applicable = pool::onednn_not_applicable,
                    .prepare = pool::prepare_onednn}}});
#else
  (void)registry, (void)op_type, (void)tolerance;
#endif
}

}  // namespace

void register_pool(Registry& registry) {
  using namespace pool;
  add_op(
      registry,
      {.op_type = "MaxPool",
       .summary = "Maximum over sliding windows, with optional argmax Indices (ONNX MaxPool)",
       .infer = infer_max_pool,
       .flops = window_flops},
      {
          {max_pool_reference_text(), {.name = kReference, .prepare = prepare_max_pool_reference}},
          {max_pool_direct_text(),
           {.name = "direct",
            .tolerance = {0.0, 0.0},
            .default_priority = 10,
            .not_applicable = max_pool_direct_not_applicable,
            .prepare = prepare_max_pool_direct}},
      });
  add_op(registry,
         {.op_type = "AveragePool",
          .summary = "Mean over sliding windows, with or without the padding (ONNX AveragePool)",
          .infer = infer_average_pool,
          .flops = window_flops},
         {
             {average_pool_reference_text(),
              {.name = kReference, .prepare = prepare_average_pool_reference}},
             {average_pool_direct_text(),
              {.name = "direct",
               .tolerance = {1e-6, 1e-5},
               .default_priority = 10,
               .not_applicable = average_pool_direct_not_applicable,
               .prepare = prepare_average_pool_direct}},
         });
  add_op(registry,
         {.op_type = "GlobalAveragePool",
          .summary = "Mean of every channel over all spatial axes (ONNX GlobalAveragePool)",
          .infer = infer_global_pool,
          .flops = global_flops},
         {
             {global_average_pool_reference_text(),
              {.name = kReference, .prepare = prepare_global_average_pool_reference}},
             {global_average_pool_direct_text(),
              {.name = "direct",
               .tolerance = {1e-7, 1e-6},
               .default_priority = 10,
               .prepare = prepare_global_average_pool_direct}},
         });
  add_op(registry,
         {.op_type = "GlobalMaxPool",
          .summary = "Maximum of every channel over all spatial axes (ONNX GlobalMaxPool)",
          .infer = infer_global_pool,
          .flops = global_flops},
         {{global_max_pool_reference_text(),
           {.name = kReference, .prepare = prepare_global_max_pool_reference}}});

  add_onednn(registry, "MaxPool", Tolerance{0.0, 0.0});
  add_onednn(registry, "AveragePool", Tolerance{1e-6, 1e-5});
  add_onednn(registry, "GlobalAveragePool", Tolerance{1e-6, 1e-5});
  add_onednn(registry, "GlobalMaxPool", Tolerance{0.0, 0.0});

  // Our CUDA kernels (engine/cuda/ops/pool/pooling.cpp).
  {
    struct CudaPool {
      const char* op_type;
      int variant;
      const char* how;
      Tolerance tolerance;
    };
    const CudaPool pools[] = {
        {"MaxPool", cuda::kMaxPool,
         "One device thread per output element walks its (dilated) window, skipping taps in the "
         "padding; the window (pads, auto_pad, strides, dilations, ceil_mode) is the engine's "
         "own, resolved once. The first tap inside the input wins ties, as the reference. The "
         "optional Indices output is not computed: such a layer is refused. Numerics: exact.",
         Tolerance{0.0, 0.0}},
        {"AveragePool", cuda::kAveragePool,
         "One device thread per output element sums its (dilated) window in float and divides by "
         "the taps that count: those inside the input, or with count_include_pad those inside "
         "the padded input (ceil_mode's overhang never counts, as in PyTorch). Numerics: a float "
         "sum of at most kernel-size terms where the reference sums in double: a few ulp.",
         Tolerance{1e-6, 1e-5}},
        {"GlobalAveragePool", cuda::kGlobalAveragePool,
         "One device block per (image, channel) plane: 256 threads stride through the plane "
         "summing in float, then a tree in shared memory adds their partial sums, and the sum is "
         "divided by the plane size. Numerics: float pairwise-style sums (error about "
         "log2(256) + size / 256 roundings) against the reference's double: within 1e-5 "
         "relative.",
         Tolerance{1e-6, 1e-5}},
        {"GlobalMaxPool", cuda::kGlobalMaxPool,
         "One device block per (image, channel) plane: 256 threads stride through the plane "
         "keeping their maximum, then a tree in shared memory combines them. Numerics: exact.",
         Tolerance{0.0, 0.0}},
    };
    for (const CudaPool& p : pools) {
      std::string summary = std::string(p.how).substr(0, std::string(p.how).find(':'));
      summary = summary.substr(0, summary.find(';'));
      const std::string teaching =
          std::string("On the CUDA device. ") + p.how +
          " Input and output live in device memory; the session inserts transfers where a "
          "neighbour runs on the host. Extra memory: none. It wins whenever its neighbours run "
          "on the device (a round trip to the host costs more than the pass). Covers float32 "
          "with 1 to 3 spatial axes.";
      add_cuda_algorithm(registry, p.op_type, cuda::kCudaPool, p.variant, "cuda", p.tolerance,
                         {std::move(summary), teaching});
    }
  }
}

}  // namespace algoscope::ops
