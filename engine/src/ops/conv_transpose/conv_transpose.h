// The ConvTranspose family's internal interface: the geometry of a ConvTranspose layer (shared by
// every algorithm and by shape inference) and one prepare / applicability entry point per
// algorithm file. Only registry.cpp turns these into named Algorithms.
//
// The scatter definition every algorithm computes (Dumoulin & Visin, arXiv 1603.07285, ch. 4):
// input pixel i of channel c adds W[c, m, k] * X[c, i] to output pixel o = i * stride + k *
// dilation - pad_begin of channel m (when 0 <= o < output), for every tap k, plus the bias.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"
#include "ops/common.h"

namespace algoscope::ops::conv_transpose {

// A validated ConvTranspose layer: X [N, C, spatial...], W [C, M/groups, kernel...], optional
// B [M], Y [N, M, output...].
struct Geometry {
  int64_t batch = 0;
  int64_t in_channels = 0;   // C
  int64_t out_channels = 0;  // M = W.shape[1] * groups
  int64_t groups = 1;
  bool has_bias = false;
  std::vector<int64_t> input, kernel, strides, dilations, pad_begin, pad_end, output_padding,
      output;

  size_t rank() const { return input.size(); }
  int64_t in_per_group() const { return in_channels / groups; }
  int64_t out_per_group() const { return out_channels / groups; }
  int64_t input_size() const { return shape_numel(input); }
  int64_t kernel_size() const { return shape_numel(kernel); }
  int64_t output_size() const { return shape_numel(output); }
  Shape output_shape() const;
};

// Validates the layer (ranks, channel counts, groups, bias, kernel_shape vs W, strides,
// dilations, pads, output_padding, output_shape, auto_pad) and resolves its geometry by the ONNX
// formulas; throws Error saying what is wrong.
Geometry geometry(const Layer& layer);

// The geometry over exactly three spatial axes (leading axes of extent 1 added), for the
// algorithms that handle 1-D, 2-D and 3-D layers with one loop nest.
struct Geometry3 {
  int64_t in[3], kernel[3], stride[3], dilation[3], pad[3], out[3];
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
};
Geometry3 to_3d(const Geometry& g);
// Why a 3-axis algorithm cannot take the layer (more than 3 spatial axes, or invalid), or nullopt.
std::optional<std::string> rank_reason(const Layer& layer, const char* algorithm);

// A ConvTranspose kernel: run(x, w, b, y, workspace) on each call's tensors, b null when the
// layer has no bias. Weights and bias are read at run time: they may be graph inputs.
template <class Run>
std::unique_ptr<Kernel> conv_transpose_kernel(const Geometry& g, Run run) {
  return make_kernel([has_bias = g.has_bias, run = std::move(run)](KernelIO& io) {
    run(io.inputs[0]->data<float>(), io.inputs[1]->data<float>(),
        optional_float_input(io, 2, has_bias), io.outputs[0]->data<float>(),
        static_cast<float*>(io.workspace));
  });
}

// Fills each output channel plane of one image with its bias (or zero): the scatter algorithms
// accumulate onto it.
void fill_bias(const Geometry& g, const float* b, float* y_image);

std::vector<TensorInfo> infer(const Layer& layer);
// 2 * N * C * in_spatial * (M / groups) * kernel_spatial: every input pixel times every tap of
// every output channel of its group, the multiply-adds of the scatter definition (taps that land
// outside the output are counted too, as for Conv's padding); bias adds are ignored.
double flops(const Layer& layer);

// reference.cpp: the scatter definition in plain N-d loops, accumulated in double.
std::unique_ptr<Kernel> prepare_reference(const Layer& layer);
AlgorithmText reference_text();

// direct.cpp: scatter-accumulate straight into the output, four output channels per pass.
std::optional<std::string> direct_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_direct(const Layer& layer);
AlgorithmText direct_text();

// col2im.cpp: per image and group, cols = W^T X by our blocked GEMM, then col2im scatter-add.
std::optional<std::string> col2im_not_applicable(const Layer& layer);
size_t col2im_workspace_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_col2im(const Layer& layer);
AlgorithmText col2im_text();

// subpixel.cpp: one small stride-1 convolution per output phase (patches + blocked GEMM),
// interleaved into the output.
std::optional<std::string> subpixel_not_applicable(const Layer& layer);
size_t subpixel_workspace_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_subpixel(const Layer& layer);
AlgorithmText subpixel_text();

// zero_insertion.cpp: the textbook baseline, zeros inserted and padded, then an ordinary
// convolution with the flipped kernel (im2col + blocked GEMM).
std::optional<std::string> zero_insertion_not_applicable(const Layer& layer);
size_t zero_insertion_workspace_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_zero_insertion(const Layer& layer);
AlgorithmText zero_insertion_text();

}  // namespace algoscope::ops::conv_transpose
