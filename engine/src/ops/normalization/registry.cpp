// The normalization family: ONNX BatchNormalization (inference mode) and LRN and the algorithms
// that compute them. This file is the only place their names are spelled; each algorithm lives in
// <op>_<algorithm>.cpp next to this file.
#include "ops/normalization/normalization.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_normalization(Registry& registry) {
  {
    OpDefinition op;
    op.op_type = "BatchNormalization";
    op.summary = "Per-channel affine normalization with running statistics (inference mode)";
    op.infer = normalization::infer_batch_norm;
    op.flops = normalization::batch_norm_flops;
    Algorithm reference;
    reference.name = "reference";
    reference.summary = "(x - mean) / sqrt(var + epsilon) * scale + B per element, in double";
    reference.teaching =
        "Each element is normalized with its channel's running mean and variance and then scaled "
        "and shifted, literally as the ONNX formula reads. Extra memory: none. One streaming pass "
        "over the tensor, so memory-bound; the loader usually folds this op into the preceding "
        "Conv's weights, where it costs nothing at run time. Numerics: double arithmetic, one "
        "rounding per output.";
    reference.prepare = normalization::prepare_batch_norm_reference;
    registry.add_op(std::move(op));
    registry.add_algorithm("BatchNormalization", std::move(reference));
  }
  {
    OpDefinition op;
    op.op_type = "LRN";
    op.summary = "Local response normalization across neighbouring channels (ONNX LRN)";
    op.infer = normalization::infer_lrn;
    op.flops = normalization::lrn_flops;
    Algorithm reference;
    reference.name = "reference";
    reference.summary = "Channel-window sum of squares per element, then x / (bias + a/n*s)^beta";
    reference.teaching =
        "For every element it sums the squares of the same position in the size neighbouring "
        "channels (clipped at the edges) and divides the element by (bias + alpha/size * sum) to "
        "the power beta. Extra memory: none. Cost: size multiply-adds and one pow per element; a "
        "running window sum would save the size factor but change the rounding. Numerics: double "
        "arithmetic, one rounding per output.";
    reference.prepare = normalization::prepare_lrn_reference;
    registry.add_op(std::move(op));
    registry.add_algorithm("LRN", std::move(reference));
  }
}

}  // namespace algoscope::ops
