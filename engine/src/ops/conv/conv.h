// The Conv family's internal interface: the geometry of a Conv layer (shared by every algorithm and
// by shape inference) and one prepare / applicability entry point per algorithm file. Only
// registry.cpp turns these into named Algorithms.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "algoscope/registry.h"
#include "cpu_features.h"
#include "ops/algorithm_text.h"
#include "ops/common.h"
#include "ops/window.h"

namespace algoscope::ops::conv {

// A validated Conv layer: X [N, C, spatial...], W [OC, C/groups, kernel...], optional B [OC].
struct ConvGeometry {
  int64_t batch = 0;
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t groups = 1;
  bool has_bias = false;
  Window window;

  int64_t in_per_group() const { return in_channels / groups; }
  int64_t out_per_group() const { return out_channels / groups; }
  Shape output_shape() const;
};

// Validates the layer (ranks, channel counts, groups, bias, kernel_shape vs W, pads...) and
// resolves its geometry; throws Error with what is wrong.
ConvGeometry conv_geometry(const Layer& layer);

// A Conv kernel: run(x, w, b, y) on each call's tensors, b null when the layer has no bias. Weights
// and bias are read at run time: they may be graph inputs, not constants.
template <class Run>
std::unique_ptr<Kernel> conv_kernel(const ConvGeometry& g, Run run) {
  return make_kernel([has_bias = g.has_bias, run = std::move(run)](KernelIO& io) {
    run(io.inputs[0]->data<float>(), io.inputs[1]->data<float>(),
        optional_float_input(io, 2, has_bias), io.outputs[0]->data<float>());
  });
}

std::vector<TensorInfo> infer(const Layer& layer);
// 2 * N * OC * out_spatial * (C / groups) * kernel_spatial multiply-adds; bias adds are ignored.
double flops(const Layer& layer);

// reference.cpp: direct loops over every output and tap, accumulated in double.
std::unique_ptr<Kernel> prepare_reference(const Layer& layer);
AlgorithmText reference_text();

// im2col.cpp: patch matrix per image and group, multiplied by the filters with OpenBLAS sgemm.
std::optional<std::string> im2col_not_applicable(const Layer& layer);
size_t im2col_workspace_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_im2col(const Layer& layer);
AlgorithmText im2col_text();

// direct.cpp: register-blocked direct convolution (Zhang et al. 2018), 1-D and 2-D.
std::optional<std::string> direct_not_applicable(const Layer& layer);
size_t direct_workspace_bytes(const Layer& layer);
size_t direct_prepared_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_direct(const Layer& layer);
AlgorithmText direct_text();

// depthwise.cpp: group == input channels, one filter plane per output channel, vectorized rows.
std::optional<std::string> depthwise_not_applicable(const Layer& layer);
size_t depthwise_workspace_bytes(const Layer& layer);  // stride 2: phase planes
std::unique_ptr<Kernel> prepare_depthwise(const Layer& layer);
AlgorithmText depthwise_text();

// pointwise.cpp: 1x1, stride 1, unpadded, one group: one sgemm per image on the NCHW buffers.
std::optional<std::string> pointwise_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_pointwise(const Layer& layer);
AlgorithmText pointwise_text();

// kn2row.cpp: accumulating kn2row, one 1x1 sgemm per kernel tap and a shifted add; 1-D and 2-D.
std::optional<std::string> kn2row_not_applicable(const Layer& layer);
size_t kn2row_workspace_bytes(const Layer& layer);
size_t kn2row_prepared_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_kn2row(const Layer& layer);
AlgorithmText kn2row_text();

// smm.cpp: SMM-Conv, sums of shifted input planes scaled by single weights; 1-D and 2-D.
std::optional<std::string> smm_not_applicable(const Layer& layer);
size_t smm_prepared_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_smm(const Layer& layer);
AlgorithmText smm_text();

// implicit_gemm.cpp: GEMM over panels gathered through an indirection buffer; 1-D and 2-D.
std::optional<std::string> implicit_gemm_not_applicable(const Layer& layer);
size_t implicit_gemm_workspace_bytes(const Layer& layer);
size_t implicit_gemm_prepared_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_implicit_gemm(const Layer& layer);
AlgorithmText implicit_gemm_text();

// fft.cpp: tiled FFT convolution with FFTW3f and per-frequency sgemms; 1-D and 2-D.
std::optional<std::string> fft_not_applicable(const Layer& layer);
size_t fft_workspace_bytes(const Layer& layer);
size_t fft_prepared_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_fft(const Layer& layer);
AlgorithmText fft_text();

// winograd_f2.cpp, winograd_f4.cpp (shared code in winograd.h/.cpp): Winograd F(2x2,3x3) and
// F(4x4,3x3), 2-D 3x3 stride-1 dilation-1 only; filter transforms made at prepare time.
std::optional<std::string> winograd_f2_not_applicable(const Layer& layer);
size_t winograd_f2_workspace_bytes(const Layer& layer);
size_t winograd_f2_prepared_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_winograd_f2(const Layer& layer);
AlgorithmText winograd_f2_text();
std::optional<std::string> winograd_f4_not_applicable(const Layer& layer);
size_t winograd_f4_workspace_bytes(const Layer& layer);
size_t winograd_f4_prepared_bytes(const Layer& layer);
std::unique_ptr<Kernel> prepare_winograd_f4(const Layer& layer);
AlgorithmText winograd_f4_text();

#ifdef ALGOSCOPE_HAVE_ONEDNN
// onednn.cpp: oneDNN's own convolution primitives (format_tag::any), one per oneDNN algorithm.
enum class OnednnConv { Direct, Winograd, Auto };
std::optional<std::string> onednn_not_applicable(OnednnConv kind, const Layer& layer);
size_t onednn_prepared_bytes(OnednnConv kind, const Layer& layer);
std::unique_ptr<Kernel> prepare_onednn(OnednnConv kind, const Layer& layer);
AlgorithmText onednn_text(OnednnConv kind);
#endif

}  // namespace algoscope::ops::conv
