// The pooling family: ONNX MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool and the
// algorithms that compute them. This file is the only place their names are spelled; each algorithm
// lives in <op>_<algorithm>.cpp next to this file.
#include "cuda/backend.h"
#include "cuda/variants.h"
#include "ops/pool/pool.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_pool(Registry& registry) {
  {
    OpDefinition op;
    op.op_type = "MaxPool";
    op.summary = "Maximum over sliding windows, with optional argmax Indices (ONNX MaxPool)";
    op.infer = pool::infer_max_pool;
    op.flops = pool::window_flops;
    Algorithm reference;
    reference.name = "reference";
    reference.summary = "Direct loops over outputs and window taps";
    reference.teaching =
        "For every output it visits each tap of its (dilated) window, skips taps in the padding "
        "and keeps the largest value and where it was (for the Indices output). Extra memory: "
        "none. Cost: one comparison per output and tap; it is memory-bound and the simple loop is "
        "close to what the data movement allows at these sizes. Numerics: exact (a maximum "
        "involves no rounding).";
    reference.prepare = pool::prepare_max_pool_reference;
    registry.add_op(std::move(op));
    registry.add_algorithm("MaxPool", std::move(reference));
    Algorithm direct;
    direct.name = "direct";
    direct.summary = "One SIMD max pass per output row and kernel tap, multi-threaded";
    direct.teaching =
        "For every output row and every kernel tap (kh, kw) that lands in the input, one "
        "vectorized pass takes the maximum of the output row and the input row read at the "
        "horizontal stride. The outputs for which a tap is inside the input form one range, "
        "computed once per tap, so padding costs no test in the inner loop and any pads, "
        "strides, dilations and ceil_mode come out of the ranges. "
        "Compiled for AVX-512, AVX2+FMA and SSE2; the running CPU's copy is chosen at load "
        "time. "
        "Inputs of 64K elements or more share the (image, channel) planes across the OpenMP "
        "team; smaller ones stay on one thread. "
        "Extra memory: none. "
        "It wins over the reference (which visits each tap of each output with index "
        "arithmetic) by doing the same comparisons as contiguous SIMD rows. Covers float32 1-D "
        "and 2-D windows without the Indices output. Numerics: exact.";
    direct.tolerance = Tolerance{0.0, 0.0};
    direct.default_priority = 10;
    direct.not_applicable = pool::max_pool_direct_not_applicable;
    direct.prepare = pool::prepare_max_pool_direct;
    registry.add_algorithm("MaxPool", std::move(direct));
  }
  {
    OpDefinition op;
    op.op_type = "AveragePool";
    op.summary = "Mean over sliding windows, with or without the padding (ONNX AveragePool)";
    op.infer = pool::infer_average_pool;
    op.flops = pool::window_flops;
    Algorithm reference;
    reference.name = "reference";
    reference.summary = "Direct loops over outputs and window taps, summed in double";
    reference.teaching =
        "For every output it sums the inputs under its window and divides by the number of taps "
        "that count: those inside the input, or with count_include_pad those inside the padded "
        "input (taps a ceil_mode window hangs past the padding never count). Extra memory: none. "
        "Cost: one addition per output and tap. Numerics: double sum, one rounding per output.";
    reference.prepare = pool::prepare_average_pool_reference;
    registry.add_op(std::move(op));
    registry.add_algorithm("AveragePool", std::move(reference));
    Algorithm direct;
    direct.name = "direct";
    direct.summary = "One SIMD add pass per output row and kernel tap, separable divisor";
    direct.teaching =
        "For every output row and every kernel tap that lands in the input, one vectorized pass "
        "adds the input row (read at the horizontal stride) into the output row, over the range "
        "of outputs for which the tap is inside, so padding costs no test in the inner loop. "
        "The divisor is separable: counted taps = rows(oh) * cols(ow), both computed when the "
        "kernel is prepared (inside the input, or with count_include_pad inside the padded "
        "input; taps a ceil_mode window hangs past the padding never count). "
        "Compiled for AVX-512, AVX2+FMA and SSE2; the running CPU's copy is chosen at load "
        "time. "
        "Inputs of 64K elements or more share the (image, channel) planes across the OpenMP "
        "team; smaller ones stay on one thread. "
        "Extra "
        "memory: (OH + OW) * 4 bytes held by the kernel. It wins over the reference by "
        "replacing per-tap index arithmetic with SIMD rows. Covers float32 1-D and 2-D windows. "
        "Numerics: float sums of at most kh * kw terms and one division, against the "
        "reference's double sum: a few ulp.";
    direct.tolerance = Tolerance{1e-6, 1e-5};
    direct.default_priority = 10;
    direct.not_applicable = pool::average_pool_direct_not_applicable;
    direct.prepare = pool::prepare_average_pool_direct;
    registry.add_algorithm("AveragePool", std::move(direct));
  }
  {
    OpDefinition op;
    op.op_type = "GlobalAveragePool";
    op.summary = "Mean of every channel over all spatial axes (ONNX GlobalAveragePool)";
    op.infer = pool::infer_global_pool;
    op.flops = pool::global_flops;
    Algorithm reference;
    reference.name = "reference";
    reference.summary = "One double-precision sum per image and channel";
    reference.teaching =
        "Each (image, channel) plane is summed in one pass and divided by its size. Extra memory: "
        "none. Cost: one addition per input element, a single streaming pass, so memory-bound. "
        "Numerics: double sum, one rounding per output.";
    reference.prepare = pool::prepare_global_average_pool_reference;
    registry.add_op(std::move(op));
    registry.add_algorithm("GlobalAveragePool", std::move(reference));
    Algorithm direct;
    direct.name = "direct";
    direct.summary = "SIMD double-precision plane sums, multi-threaded";
    direct.teaching =
        "Each (image, channel) plane is one contiguous row summed by a vectorized reduction in "
        "double (the float inputs widened inside the lanes) and scaled by 1 / plane size. "
        "Compiled for AVX-512, AVX2+FMA and SSE2; the running CPU's copy is chosen at load "
        "time. "
        "Inputs of 64K elements or more share the (image, channel) planes across the OpenMP "
        "team; smaller ones stay on one thread. "
        "Extra memory: none. It wins over the reference, whose double sum is a serial "
        "dependency chain, by keeping a vector of partial sums; e.g. ResNet-50's 2048 planes of "
        "7x7. Numerics: double sum in another order than the reference, one float rounding: "
        "within one ulp.";
    direct.tolerance = Tolerance{1e-7, 1e-6};
    direct.default_priority = 10;
    direct.prepare = pool::prepare_global_average_pool_direct;
    registry.add_algorithm("GlobalAveragePool", std::move(direct));
  }
  {
    OpDefinition op;
    op.op_type = "GlobalMaxPool";
    op.summary = "Maximum of every channel over all spatial axes (ONNX GlobalMaxPool)";
    op.infer = pool::infer_global_pool;
    op.flops = pool::global_flops;
    Algorithm reference;
    reference.name = "reference";
    reference.summary = "One pass per image and channel keeping the maximum";
    reference.teaching =
        "Each (image, channel) plane is scanned once for its largest value. Extra memory: none. "
        "Cost: one comparison per input element in a single streaming pass, so memory-bound. "
        "Numerics: exact.";
    reference.prepare = pool::prepare_global_max_pool_reference;
    registry.add_op(std::move(op));
    registry.add_algorithm("GlobalMaxPool", std::move(reference));
  }

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
      Algorithm a = cuda::algorithm(cuda::kCudaPool, p.variant);
      a.name = "cuda";
      a.summary = std::string(p.how).substr(0, std::string(p.how).find(':'));
      a.summary = a.summary.substr(0, a.summary.find(';'));
      a.teaching =
          std::string("On the CUDA device. ") + p.how +
          " Input and output live in device memory; the session inserts transfers where a "
          "neighbour runs on the host. Extra memory: none. It wins whenever its neighbours run "
          "on the device (a round trip to the host costs more than the pass). Covers float32 "
          "with 1 to 3 spatial axes.";
      a.tolerance = p.tolerance;
      registry.add_algorithm(p.op_type, std::move(a));
    }
  }
}

}  // namespace algoscope::ops
