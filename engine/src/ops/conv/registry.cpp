// The Conv family: ONNX Conv (1-D, 2-D, 3-D; groups and depthwise, strides, dilations, pads,
// auto_pad, optional bias) and the algorithms that compute it, in registry order. This file is the
// only place their names are spelled; each algorithm lives in the file of the same name, with its
// text (<name>_text()).
#include "cuda/variants.h"
#include "ops/conv/conv.h"
#include "ops/registrations.h"

namespace algoscope::ops {
namespace {

// Where the measurements of winograd_f4.cpp have F(4x4,3x3) winning (it applies to 3x3 stride 1
// only): 64 or more channels in and out per group on images of 14x14 and up.
int winograd_f4_heuristic(const Layer& layer) {
  const Shape& x = layer.inputs[0].shape;
  const Shape& y = layer.outputs[0].shape;
  const int64_t groups = layer.n().attr_int("group", 1);
  const bool wide = x.size() == 4 && x[1] / groups >= 64 && y[1] / groups >= 64;
  return wide && y[2] * y[3] >= 14 * 14 ? 25 : 3;
}

#ifdef ALGOSCOPE_HAVE_ONEDNN
// oneDNN as a provider: the same primitive with oneDNN's direct, Winograd or automatic choice.
// Neighbours of the layout family hand each other blocked values (onednn.cpp); the eltwise post-op
// applies the fused activation, a binary post-op the residual (not in its Winograd kernel, which
// takes none: the session adds it after).
Algorithm onednn(std::string name, conv::OnednnConv kind, Tolerance tolerance) {
  return {.name = std::move(name),
          .tolerance = tolerance,
          .default_priority = 1,
          .applies_activation = true,
          .applies_residual = kind != conv::OnednnConv::Winograd,
          .layout_family = "onednn",
          .not_applicable = [kind](const Layer& l) { return conv::onednn_not_applicable(kind, l); },
          .prepared_bytes = [kind](const Layer& l) { return conv::onednn_prepared_bytes(kind, l); },
          .prepare = [kind](const Layer& l) { return conv::prepare_onednn(kind, l); }};
}
#endif

}  // namespace

void register_conv(Registry& registry) {
  using namespace conv;
  constexpr Tolerance kGemmLike{1e-4, 1e-3};
  add_op(
      registry,
      {.op_type = "Conv",
       .summary = "N-d convolution with groups, strides, dilations and padding (ONNX Conv)",
       .infer = infer,
       .flops = flops},
      {
          {reference_text(), {.name = kReference, .prepare = prepare_reference}},
          {im2col_text(),
           {.name = "im2col",
            .tolerance = kGemmLike,
            .default_priority = 10,
            .not_applicable = im2col_not_applicable,
            .workspace_bytes = im2col_workspace_bytes,
            .prepare = prepare_im2col}},
          {kn2row_text(),
           {.name = "kn2row",
            .tolerance = kGemmLike,
            .default_priority = 3,
            .not_applicable = kn2row_not_applicable,
            .workspace_bytes = kn2row_workspace_bytes,
            .prepared_bytes = kn2row_prepared_bytes,
            .prepare = prepare_kn2row}},
          {smm_text(),
           {.name = "smm",
            .tolerance = kGemmLike,
            .default_priority = 3,
            .not_applicable = smm_not_applicable,
            .prepared_bytes = smm_prepared_bytes,
            // W is read where it lies; the kept column table is read beside it.
            .traffic =
                [](const Layer& l) { return layer_io_bytes(l) + double(smm_prepared_bytes(l)); },
            .prepare = prepare_smm}},
          {implicit_gemm_text(),
           {.name = "implicit_gemm",
            .tolerance = kGemmLike,
            .default_priority = 4,
            .not_applicable = implicit_gemm_not_applicable,
            .workspace_bytes = implicit_gemm_workspace_bytes,
            .prepared_bytes = implicit_gemm_prepared_bytes,
            .prepare = prepare_implicit_gemm}},
          {fft_text(),
           {.name = "fft",
            .tolerance = {1e-3, 1e-3},
            .default_priority = 1,
            .not_applicable = fft_not_applicable,
            .workspace_bytes = fft_workspace_bytes,
            .prepared_bytes = fft_prepared_bytes,
            .prepare = prepare_fft}},
          // The engine's default where it applies: faster than im2col on every 3x3 and 7x7 layer
          // measured (bench/kernel_bench), without Winograd's larger error. It, depthwise and the
          // Winograd kernels clamp each finished piece of output themselves.
          {direct_text(),
           {.name = "direct",
            .tolerance = kGemmLike,
            .default_priority = 12,
            .applies_activation = true,
            .not_applicable = direct_not_applicable,
            .workspace_bytes = direct_workspace_bytes,
            .prepared_bytes = direct_prepared_bytes,
            .prepare = prepare_direct}},
          // Applies to depthwise layers only, where it is the fastest.
          {depthwise_text(),
           {.name = "depthwise",
            .tolerance = {1e-5, 1e-4},
            .default_priority = 20,
            .applies_activation = true,
            .not_applicable = depthwise_not_applicable,
            .workspace_bytes = depthwise_workspace_bytes,
            .prepare = prepare_depthwise}},
          // 1x1 stride 1: one sgemm, no copies.
          {pointwise_text(),
           {.name = "pointwise",
            .tolerance = kGemmLike,
            .default_priority = 15,
            .not_applicable = pointwise_not_applicable,
            .prepare = prepare_pointwise}},
          {winograd_f2_text(),
           {.name = "winograd_f2",
            .tolerance = kGemmLike,
            .default_priority = 3,
            .applies_activation = true,
            .not_applicable = winograd_f2_not_applicable,
            .workspace_bytes = winograd_f2_workspace_bytes,
            .prepared_bytes = winograd_f2_prepared_bytes,
            .prepare = prepare_winograd_f2}},
          {winograd_f4_text(),
           {.name = "winograd_f4",
            .tolerance = {1e-3, 1e-2},
            .default_priority = 3,
            .heuristic_priority = winograd_f4_heuristic,
            .applies_activation = true,
            .not_applicable = winograd_f4_not_applicable,
            .workspace_bytes = winograd_f4_workspace_bytes,
            .prepared_bytes = winograd_f4_prepared_bytes,
            .prepare = prepare_winograd_f4}},
#ifdef ALGOSCOPE_HAVE_ONEDNN
          {onednn_text(OnednnConv::Direct), onednn("onednn_direct", OnednnConv::Direct, kGemmLike)},
          {onednn_text(OnednnConv::Winograd),
           onednn("onednn_winograd", OnednnConv::Winograd, {1e-3, 1e-2})},
          {onednn_text(OnednnConv::Auto), onednn("onednn_auto", OnednnConv::Auto, {1e-3, 1e-2})},
#endif
      });

  // cuDNN on the GPU (engine/cuda/ops/conv/cudnn.cpp): one algorithm per real cuDNN forward
  // algorithm, each also with TF32 tensor-core math, plus cuDNN's heuristic and measured picks.
  struct CudnnVariant {
    const char* name;
    int variant;
    const char* how;
    Tolerance tolerance;
  };
  const CudnnVariant cudnn_variants[] = {
      {"cudnn_implicit_gemm", cuda::kImplicitGemm,
       "cuDNN's IMPLICIT_GEMM: the convolution as a GEMM whose patch matrix is never stored; "
       "each thread block gathers its tile of input patches on the fly. No workspace.",
       Tolerance{1e-4, 1e-3}},
      {"cudnn_implicit_precomp_gemm", cuda::kImplicitPrecompGemm,
       "cuDNN's IMPLICIT_PRECOMP_GEMM: implicit GEMM with the patch offsets precomputed into a "
       "small workspace; the one algorithm with cuDNN's fused bias + ReLU epilogue.",
       Tolerance{1e-4, 1e-3}},
      {"cudnn_gemm", cuda::kGemm,
       "cuDNN's GEMM: an explicit im2col patch matrix in the workspace, then one matrix product.",
       Tolerance{1e-4, 1e-3}},
      {"cudnn_direct", cuda::kDirect,
       "cuDNN's DIRECT: a direct convolution, which cuDNN 9 implements for few layers (it says "
       "which in its status, shown as the reason where it does not apply).",
       Tolerance{1e-4, 1e-3}},
      {"cudnn_fft", cuda::kFft,
       "cuDNN's FFT: input and filters transformed whole, pointwise complex products, inverse "
       "FFT; a large workspace, fast for big filters.",
       Tolerance{1e-3, 1e-2}},
      {"cudnn_fft_tiling", cuda::kFftTiling,
       "cuDNN's FFT_TILING: the FFT method on 32x32 tiles, a smaller workspace than FFT.",
       Tolerance{1e-3, 1e-2}},
      {"cudnn_winograd", cuda::kWinograd,
       "cuDNN's fused WINOGRAD (3x3 stride-1 filters): transforms, products and inverse in one "
       "kernel.",
       Tolerance{1e-3, 1e-2}},
      {"cudnn_winograd_nonfused", cuda::kWinogradNonfused,
       "cuDNN's WINOGRAD_NONFUSED: separate transform, batched-GEMM and inverse kernels with the "
       "transformed tiles in the workspace; larger tiles, more error.",
       Tolerance{1e-3, 1e-2}},
      {"cudnn_heuristic", cuda::kHeuristic,
       "cuDNN's heuristic pick: the algorithm cudnnGetConvolutionForwardAlgorithm_v7 ranks first "
       "for this layer, without timing anything; bench --layers and its JSON show which one it "
       "chose.",
       Tolerance{1e-3, 1e-2}},
      {"cudnn_find", cuda::kFind,
       "cuDNN's measured pick: at prepare time cudnnFindConvolutionForwardAlgorithmEx times every "
       "algorithm it can run on this layer and the fastest is kept (bench --layers shows which).",
       Tolerance{1e-3, 1e-2}},
  };
  for (const CudnnVariant& v : cudnn_variants) {
    for (bool tf32 : {false, true}) {
      const std::string summary =
          std::string(v.how).substr(0, std::string(v.how).find(':')) +
          (tf32 ? " on the GPU, TF32 tensor-core math" : " on the GPU, strict fp32");
      const std::string teaching =
          std::string(v.how) +
          " Runs on the CUDA device: inputs, weights and outputs live in device memory (weights "
          "copied once when the session is compiled); the session inserts transfers where a "
          "neighbour runs on the host. Whether it applies is cuDNN's answer for this layer. "
          "Groups and dilations map onto cuDNN's descriptors; asymmetric pads are applied "
          "explicitly into a padded copy of the input, because cuDNN's API takes symmetric pads "
          "only. Extra memory: cuDNN's workspace for this algorithm (at most 1 GiB). " +
          (tf32 ? std::string("Numerics: TF32 tensor cores round every product's operands to 10 "
                              "mantissa bits, so errors are about 1000x strict fp32's; a visible "
                              "trade of precision for speed.")
                : std::string("Numerics: strict fp32 (CUDNN_FMA_MATH: no tensor cores, no "
                              "TF32), float accumulation in cuDNN's order."));
      add_cuda_algorithm(registry, "Conv", cuda::kCudnnConv, v.variant | (tf32 ? cuda::kTf32 : 0),
                         std::string(v.name) + (tf32 ? "_tf32" : ""),
                         tf32 ? Tolerance{1e-2, 1e-2} : v.tolerance, {summary, teaching});
    }
  }
}

}  // namespace algoscope::ops
