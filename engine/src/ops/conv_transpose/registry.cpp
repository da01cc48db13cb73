// The ConvTranspose family: ONNX ConvTranspose (1-D, 2-D, 3-D; groups, strides, dilations, pads,
// output_padding, output_shape, auto_pad, optional bias) and the algorithms that compute it, in
// registry order. This file is the only place their names are spelled; each algorithm lives in
// the file of the same name, with its text (<name>_text()).
#include "ops/conv_transpose/conv_transpose.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_conv_transpose(Registry& registry) {
  using namespace conv_transpose;
  constexpr Tolerance kFloatSums{1e-4, 1e-3};
  add_op(registry,
         {.op_type = "ConvTranspose",
          .summary = "Transposed (fractionally strided) convolution, the gradient of Conv with "
                     "respect to its input (ONNX ConvTranspose)",
          .infer = infer,
          .flops = flops},
         {
             {reference_text(), {.name = kReference, .prepare = prepare_reference}},
             // No workspace at all, but memory-bound: 4-70x slower than col2im on the benched
             // layers.
             {direct_text(),
              {.name = "direct",
               .tolerance = kFloatSums,
               .default_priority = 2,
               .not_applicable = direct_not_applicable,
               .prepare = prepare_direct}},
             // The engine's default: fastest on every layer of bench/kernel_bench (DCGAN 4x4 s2,
             // U-Net 2x2 s2, 3x3 s1), at AVX-512 and AVX2, level with subpixel to 30% ahead of it.
             {col2im_text(),
              {.name = "col2im",
               .tolerance = kFloatSums,
               .default_priority = 10,
               .not_applicable = col2im_not_applicable,
               .workspace_bytes = col2im_workspace_bytes,
               .prepare = prepare_col2im}},
             // The same GEMM work as col2im, traded for patch copies instead of a scatter-add pass.
             {subpixel_text(),
              {.name = "subpixel",
               .tolerance = kFloatSums,
               .default_priority = 8,
               .not_applicable = subpixel_not_applicable,
               .workspace_bytes = subpixel_workspace_bytes,
               .prepare = prepare_subpixel}},
             // A teaching baseline: it multiplies the inserted zeros too.
             {zero_insertion_text(),
              {.name = "zero_insertion",
               .tolerance = kFloatSums,
               .default_priority = 1,
               .not_applicable = zero_insertion_not_applicable,
               .workspace_bytes = zero_insertion_workspace_bytes,
               .prepare = prepare_zero_insertion}},
         });
}

}  // namespace algoscope::ops
