// The Softmax family: ONNX Softmax and LogSoftmax (both the pre-13 "flatten at axis" and the 13+
// "single axis" semantics) and the algorithms that compute it. This file is the only place their
// names are spelled; each algorithm lives in the file of the same name.
#include <string>

#include "cuda/backend.h"
#include "cuda/variants.h"
#include "ops/registrations.h"
#include "ops/softmax/softmax.h"

namespace algoscope::ops {

namespace {

// The vectorized float32 kernel (softmax/direct.cpp) of Softmax (log = false) and LogSoftmax.
Algorithm direct(bool log) {
  Algorithm a;
  a.name = "direct";
  a.summary = "SIMD passes per line with a polynomial exp, multi-threaded for large tensors";
  a.teaching =
      std::string(
          "The input is viewed as [outer, length, inner] (length = everything from `axis` on "
          "before opset 13, the single axis from 13). Contiguous lines (inner = 1, e.g. "
          "attention scores softmaxed over the last axis) take three SIMD passes: the maximum, "
          "then exp(x - max) ") +
      (log ? "summed, then x - max - log(sum) written"
           : "written to the output while it is summed, then a multiply by 1 / sum") +
      ". With inner > 1 the same passes run vectorized across the inner lines, keeping their "
      "maxima and sums in a 2 * inner float buffer per thread (allocated per call). exp is a "
      "vectorized Cephes polynomial (about 2 ulp), not libm, and the three copies of the loops "
      "(AVX-512, AVX2+FMA, SSE2) are chosen for the running CPU at load time. Tensors of 64K "
      "elements or more share the outer blocks across the OpenMP team. Extra memory: "
      "2 * inner * 4 bytes per thread. It wins over the reference, whose libm exp in double "
      "does not vectorize, on every shape bigger than a few lines. Numerics: max subtraction "
      "keeps exp from overflowing; the sum is accumulated in float across SIMD lanes (relative "
      "error about length / lanes * 6e-8), so results are within about 1e-6 of the double "
      "reference for lines of a few thousand elements.";
  a.tolerance = Tolerance{1e-6, 1e-5};
  a.default_priority = 10;
  a.not_applicable = softmax::direct_not_applicable;
  a.prepare = [log](const Layer& layer) { return softmax::prepare_direct(layer, log); };
  return a;
}

}  // namespace

void register_softmax(Registry& registry) {
  OpDefinition op;
  op.op_type = "Softmax";
  op.summary = "exp(x) / sum(exp(x)) along an axis (ONNX Softmax)";
  op.infer = softmax::infer;
  op.flops = softmax::flops;
  Algorithm reference;
  reference.name = "reference";
  reference.summary = "Three passes per line: maximum, sum of exponentials, normalize; in double";
  reference.teaching =
      "Along every softmax line it finds the maximum, sums exp(x - max) and writes "
      "exp(x - max) / sum; subtracting the maximum keeps exp from overflowing without changing "
      "the result. Before opset 13 a line is everything from `axis` on (the input flattened to "
      "2-D); from opset 13 it is the single axis. Extra memory: none. Three passes over each line "
      "(exponentials recomputed rather than stored). Numerics: double arithmetic, one rounding per "
      "output; outputs of a line sum to 1 within float rounding.";
  reference.prepare = [](const Layer& layer) { return softmax::prepare_reference(layer, false); };
  registry.add_op(std::move(op));
  registry.add_algorithm("Softmax", std::move(reference));
  registry.add_algorithm("Softmax", direct(false));

  OpDefinition log_op;
  log_op.op_type = "LogSoftmax";
  log_op.summary = "x - log(sum(exp(x))) along an axis (ONNX LogSoftmax)";
  log_op.infer = softmax::infer;
  log_op.flops = softmax::flops;
  Algorithm log_reference;
  log_reference.name = "reference";
  log_reference.summary = "Maximum, sum of exponentials, x - max - log(sum); in double";
  log_reference.teaching =
      "Along every line it finds the maximum m, sums exp(x - m) and writes x - m - log(sum), "
      "which stays finite where log(softmax) would take the log of an underflowed zero. The line "
      "is everything from `axis` on before opset 13 and the single axis from opset 13. Extra "
      "memory: none. Numerics: double arithmetic, one rounding per output.";
  log_reference.prepare = [](const Layer& layer) {
    return softmax::prepare_reference(layer, true);
  };
  registry.add_op(std::move(log_op));
  registry.add_algorithm("LogSoftmax", std::move(log_reference));
  registry.add_algorithm("LogSoftmax", direct(true));

  // Our CUDA kernel (engine/cuda/ops/softmax/softmax_rows.cpp): one block per line.
  for (const bool log : {false, true}) {
    Algorithm a = cuda::algorithm(cuda::kCudaSoftmax, log ? cuda::kLogSoftmax : cuda::kSoftmax);
    a.name = "cuda";
    a.summary = "one device block per line: block-wide maximum, sum of exponentials, normalize";
    a.teaching =
        std::string(
            "On the CUDA device, each line (everything from `axis` on before opset 13, the single "
            "axis from 13) gets one block of 256 threads that strides through it three times: "
            "the maximum, reduced across the block with warp shuffles and one shared slot per "
            "warp; the sum of exp(x - max), reduced the same way; then ") +
        (log ? "x - max - log(sum)" : "exp(x - max) / sum") +
        " written. The exponentials are recomputed rather than stored, so there is no "
        "workspace. Lines along the last axis read coalesced; lines along an inner axis are "
        "strided (correct, slower). Extra memory: none. It wins whenever its neighbours run on "
        "the device (attention scores, a classifier head). Numerics: CUDA's accurate expf / "
        "logf (at most 2 ulp) and float sums in a tree, against the reference's double: within "
        "about 1e-6.";
    a.tolerance = Tolerance{1e-6, 1e-5};
    registry.add_algorithm(log ? "LogSoftmax" : "Softmax", std::move(a));
  }
}

}  // namespace algoscope::ops
