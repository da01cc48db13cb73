// The pooling family: ONNX MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool and the
// algorithms that compute them. This file is the only place their names are spelled; each algorithm
// lives in <op>_<algorithm>.cpp next to this file.
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
}

}  // namespace algoscope::ops
