// The Softmax family's internal interface (Softmax, LogSoftmax, Hardmax): how a layer splits its
// input into [outer, axis, inner] (the semantics changed at opset 13) and one entry point per
// algorithm file. Only registry.cpp turns these into named Algorithms.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::softmax {

// The input viewed as [outer, length, inner]; the softmax runs along `length`.
struct SoftmaxGeometry {
  int64_t outer = 1, length = 1, inner = 1;
};

// Opset < 13: the input is flattened to 2-D at `axis` (default 1) and every row is normalized, so
// length = product of the axes from `axis` on and inner = 1. Opset >= 13: one axis (default -1).
SoftmaxGeometry softmax_geometry(const Layer& layer);

std::vector<TensorInfo> infer(const Layer& layer);
double flops(const Layer& layer);  // 4 per element: subtract the max, exp, sum, divide

// reference.cpp: max-subtracted exponentials summed in double; `log` computes LogSoftmax.
std::unique_ptr<Kernel> prepare_reference(const Layer& layer, bool log);
AlgorithmText reference_text(bool log);

// direct.cpp: SIMD passes with a polynomial exp, OpenMP over the outer blocks of large tensors.
std::optional<std::string> direct_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_direct(const Layer& layer, bool log);
AlgorithmText direct_text(bool log);

// hardmax_reference.cpp: Hardmax, 1 at each line's first maximum (Softmax's geometry and infer).
std::unique_ptr<Kernel> prepare_hardmax_reference(const Layer& layer);
AlgorithmText hardmax_reference_text();

}  // namespace algoscope::ops::softmax
