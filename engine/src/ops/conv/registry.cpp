// The Conv family: ONNX Conv (1-D, 2-D, 3-D; groups and depthwise, strides, dilations, pads,
// auto_pad, optional bias) and the algorithms that compute it. This file is the only place their
// names are spelled; each algorithm lives in the file of the same name.
#include "ops/conv/conv.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_conv(Registry& registry) {
  OpDefinition op;
  op.op_type = "Conv";
  op.summary = "N-d convolution with groups, strides, dilations and padding (ONNX Conv)";
  op.infer = conv::infer;
  op.flops = conv::flops;

  Algorithm reference;
  reference.name = "reference";
  reference.summary = "Direct loops over outputs, channels and kernel taps, accumulated in double";
  reference.teaching =
      "For every output element it walks the input channels of its group and every kernel tap, "
      "skipping taps that land in the zero padding, and sums input times weight exactly as the "
      "ONNX definition reads. Extra memory: none. It never wins on speed (single thread, no "
      "blocking, no vectorization); it is the ground truth the other algorithms are checked "
      "against. Numerics: products and sums in double, rounded to float once per output, so its "
      "error is a single rounding.";
  reference.default_priority = 0;
  reference.prepare = conv::prepare_reference;

  Algorithm im2col;
  im2col.name = "im2col";
  im2col.summary = "Patch matrix per image and group, then one OpenBLAS sgemm (Chellapilla 2006)";
  im2col.teaching =
      "Every receptive field is copied into a column of a patch matrix of C/g * KH*KW rows and "
      "OH*OW columns (zeros where the window covers padding); the group's filters, already a "
      "row-major OC/g x C/g*KH*KW matrix, multiply it in one OpenBLAS sgemm per image and group. "
      "Extra memory: 4 * (C/g) * KH*KW * OH*OW bytes (the patch matrix of one image and group; "
      "none for a 1x1 stride-1 unpadded convolution, whose input already is that matrix). It wins "
      "when the GEMM is large (many channels, 3x3 and larger kernels): the copy costs KH*KW times "
      "the input but the sgemm runs near the machine's peak. Depthwise layers become many tiny "
      "GEMMs and lose. Numerics: float accumulation in OpenBLAS's blocked order; the error grows "
      "with sqrt(C/g * KH*KW) and is a few ulps for typical layers.";
  im2col.tolerance = Tolerance{1e-4, 1e-3};
  im2col.default_priority = 10;
  im2col.not_applicable = conv::im2col_not_applicable;
  im2col.workspace_bytes = conv::im2col_workspace_bytes;
  im2col.prepare = conv::prepare_im2col;

  registry.add_op(std::move(op));
  registry.add_algorithm("Conv", std::move(reference));
  registry.add_algorithm("Conv", std::move(im2col));
}

}  // namespace algoscope::ops
