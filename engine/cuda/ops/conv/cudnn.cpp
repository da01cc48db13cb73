// Conv through cuDNN's legacy forward API: each variant runs exactly the cuDNN forward algorithm
// it is named for (variants.h; the seed project's "gemm" and "winograd" ran another), or cuDNN's
// heuristic pick (cudnnGetConvolutionForwardAlgorithm_v7) or measured pick
// (cudnnFindConvolutionForwardAlgorithmEx), and says which it chose. Whether a variant applies is
// cuDNN's own answer for this layer (its status from the workspace query), not a guess.
// Groups and dilations map onto the descriptors; 1-D convolutions get a unit height. cuDNN's
// legacy API takes symmetric pads only, so an asymmetric layer is padded explicitly into the
// workspace first (pad.cu). Math is strict fp32 (CUDNN_FMA_MATH) unless the variant allows TF32
// tensor cores. Bias and the fused Relu go through cudnnConvolutionBiasActivationForward where
// cuDNN offers it (IMPLICIT_PRECOMP_GEMM); otherwise one epilogue pass adds the bias and clamps.
#include <algorithm>
#include <array>
#include <cmath>
#include <variant>
#include <vector>

#include "cuda/variants.h"
#include "family.h"
#include "kernels.h"
#include "ops/conv/conv.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

using ops::conv::ConvGeometry;

// No single convolution may claim more workspace than this: cuDNN's FFT algorithms can ask for
// gigabytes on large layers, which a deployment would never give them.
constexpr size_t kWorkspaceLimit = size_t{1} << 30;

const char* algorithm_name(cudnnConvolutionFwdAlgo_t algo) {
  switch (algo) {
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM:
      return "IMPLICIT_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM:
      return "IMPLICIT_PRECOMP_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_GEMM:
      return "GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_DIRECT:
      return "DIRECT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT:
      return "FFT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING:
      return "FFT_TILING";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD:
      return "WINOGRAD";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED:
      return "WINOGRAD_NONFUSED";
    default:
      return "unknown";
  }
}

// The cuDNN view of a Conv layer: descriptors for the input as cuDNN sees it (padded explicitly
// when the pads are asymmetric), the filters, the output and the convolution. Descriptor calls
// need no device, so tests check this geometry on machines without one.
class ConvDescriptors {
 public:
  ConvDescriptors(const Layer& layer, bool tf32) : g_(ops::conv::conv_geometry(layer)) {
    check(cudnnCreateTensorDescriptor(&x_), "cudnnCreateTensorDescriptor");
    check(cudnnCreateTensorDescriptor(&y_), "cudnnCreateTensorDescriptor");
    check(cudnnCreateTensorDescriptor(&bias_), "cudnnCreateTensorDescriptor");
    check(cudnnCreateFilterDescriptor(&w_), "cudnnCreateFilterDescriptor");
    check(cudnnCreateConvolutionDescriptor(&conv_), "cudnnCreateConvolutionDescriptor");
    check(cudnnCreateActivationDescriptor(&act_), "cudnnCreateActivationDescriptor");
    const ops::Window& w = g_.window;
    // cuDNN wants at least two spatial axes: a 1-D layer becomes 1 x L.
    const size_t lift = w.rank() == 1 ? 1 : 0;
    std::vector<int> x_dims{int(g_.batch), int(g_.in_channels)},
        w_dims{int(g_.out_channels), int(g_.in_per_group())};
    std::vector<int> pads, strides, dilations;
    if (lift) {
      x_dims.push_back(1);
      w_dims.push_back(1);
      pads.push_back(0), strides.push_back(1), dilations.push_back(1);
    }
    for (size_t a = 0; a < w.rank(); ++a) {
      padded_.push_back(w.pad_begin[a] != w.pad_end[a]);
      const int64_t extra = padded_.back() ? w.pad_begin[a] + w.pad_end[a] : 0;
      x_dims.push_back(int(w.input[a] + extra));
      w_dims.push_back(int(w.kernel[a]));
      pads.push_back(padded_.back() ? 0 : int(w.pad_begin[a]));
      strides.push_back(int(w.strides[a]));
      dilations.push_back(int(w.dilations[a]));
    }
    explicit_padding_ = std::any_of(padded_.begin(), padded_.end(), [](bool p) { return p; });
    set_tensor(x_, x_dims);
    check(cudnnSetFilterNdDescriptor(w_, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, int(w_dims.size()),
                                     w_dims.data()),
          "cudnnSetFilterNdDescriptor");
    check(cudnnSetConvolutionNdDescriptor(conv_, int(pads.size()), pads.data(), strides.data(),
                                          dilations.data(), CUDNN_CROSS_CORRELATION,
                                          CUDNN_DATA_FLOAT),
          "cudnnSetConvolutionNdDescriptor");
    check(cudnnSetConvolutionGroupCount(conv_, int(g_.groups)), "cudnnSetConvolutionGroupCount");
    check(cudnnSetConvolutionMathType(conv_, tf32 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH),
          "cudnnSetConvolutionMathType");
    std::vector<int> y_dims(x_dims.size());
    check(cudnnGetConvolutionNdForwardOutputDim(conv_, x_, w_, int(y_dims.size()), y_dims.data()),
          "cudnnGetConvolutionNdForwardOutputDim");
    output_dims_.assign(y_dims.begin(), y_dims.end());
    if (lift) output_dims_.erase(output_dims_.begin() + 2);
    set_tensor(y_, y_dims);
    std::vector<int> b_dims(y_dims.size(), 1);
    b_dims[1] = int(g_.out_channels);
    set_tensor(bias_, b_dims);
    const auto& activation = layer.n().activation;
    relu_only_ = !activation || (activation->lower == 0.0f && std::isinf(activation->upper));
    check(cudnnSetActivationDescriptor(
              act_, activation ? CUDNN_ACTIVATION_RELU : CUDNN_ACTIVATION_IDENTITY,
              CUDNN_NOT_PROPAGATE_NAN, 0.0),
          "cudnnSetActivationDescriptor");
  }
  ~ConvDescriptors() {
    cudnnDestroyActivationDescriptor(act_);
    cudnnDestroyConvolutionDescriptor(conv_);
    cudnnDestroyFilterDescriptor(w_);
    cudnnDestroyTensorDescriptor(bias_);
    cudnnDestroyTensorDescriptor(y_);
    cudnnDestroyTensorDescriptor(x_);
  }
  ConvDescriptors(const ConvDescriptors&) = delete;
  ConvDescriptors& operator=(const ConvDescriptors&) = delete;

  const ConvGeometry& geometry() const { return g_; }
  // The output shape cuDNN computes for these descriptors (1-D layers without the unit axis).
  const Shape& output_dims() const { return output_dims_; }
  bool explicit_padding() const { return explicit_padding_; }
  size_t padded_input_bytes() const {
    if (!explicit_padding_) return 0;
    size_t n = 1;
    int dims[8], strides[8], nd = 0;
    cudnnDataType_t type;
    cudnnGetTensorNdDescriptor(x_, 8, &type, &nd, dims, strides);
    for (int i = 0; i < nd; ++i) n *= size_t(dims[i]);
    return (n * sizeof(float) + 255) / 256 * 256;
  }
  // cuDNN's fused bias + activation epilogue exists for IMPLICIT_PRECOMP_GEMM with Relu or none.
  bool fused_epilogue(cudnnConvolutionFwdAlgo_t algo) const {
    return algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM && g_.has_bias && relu_only_;
  }

  // cuDNN's workspace for `algo` here; nullopt with cuDNN's reason when it cannot run it.
  std::variant<size_t, std::string> workspace(cudnnConvolutionFwdAlgo_t algo) const {
    size_t bytes = 0;
    cudnnStatus_t status =
        cudnnGetConvolutionForwardWorkspaceSize(cudnn(), x_, w_, conv_, y_, algo, &bytes);
    if (status != CUDNN_STATUS_SUCCESS) {
      char detail[512] = {};
      cudnnGetLastErrorString(detail, sizeof detail);
      return std::string("cuDNN does not run ") + algorithm_name(algo) + " on this layer (" +
             cudnnGetErrorString(status) + (detail[0] ? std::string(": ") + detail : "") + ")";
    }
    return bytes;
  }

  cudnnTensorDescriptor_t x_ = nullptr, y_ = nullptr, bias_ = nullptr;
  cudnnFilterDescriptor_t w_ = nullptr;
  cudnnConvolutionDescriptor_t conv_ = nullptr;
  cudnnActivationDescriptor_t act_ = nullptr;

 private:
  static void set_tensor(cudnnTensorDescriptor_t d, const std::vector<int>& dims) {
    std::vector<int> strides(dims.size(), 1);
    for (size_t i = dims.size() - 1; i > 0; --i) strides[i - 1] = strides[i] * dims[i];
    check(cudnnSetTensorNdDescriptor(d, CUDNN_DATA_FLOAT, int(dims.size()), dims.data(),
                                     strides.data()),
          "cudnnSetTensorNdDescriptor");
  }
  ConvGeometry g_;
  Shape output_dims_;
  std::vector<bool> padded_;
  bool explicit_padding_ = false;
  bool relu_only_ = true;
};

bool is_tf32(int variant) { return (variant & kTf32) != 0; }
int base_of(int variant) { return variant & ~kTf32; }

std::optional<std::string> type_problem(const Layer& layer) {
  for (size_t i = 0; i < layer.inputs.size(); ++i)
    if (layer.has_input(i) && layer.inputs[i].dtype != DType::Float32)
      return std::string("cuDNN convolutions here take float32 tensors only; input ") +
             std::to_string(i) + " is " + dtype_name(layer.inputs[i].dtype);
  return std::nullopt;
}

// The algorithm a variant runs, with its workspace; an error text when none can run.
struct Choice {
  cudnnConvolutionFwdAlgo_t algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  size_t workspace = 0;
  std::string how;  // "heuristic picked WINOGRAD", for the kernel's choice()
};

std::variant<Choice, std::string> choose_by_rule(const ConvDescriptors& d, int variant) {
  const int base = base_of(variant);
  if (base <= kWinogradNonfused) {
    auto algo = static_cast<cudnnConvolutionFwdAlgo_t>(base);
    auto ws = d.workspace(algo);
    if (auto* why = std::get_if<std::string>(&ws)) return *why;
    if (std::get<size_t>(ws) > kWorkspaceLimit)
      return std::string(algorithm_name(algo)) + " needs " +
             std::to_string(std::get<size_t>(ws) >> 20) + " MiB of workspace here, over the " +
             std::to_string(kWorkspaceLimit >> 20) + " MiB limit";
    return Choice{algo, std::get<size_t>(ws), algorithm_name(algo)};
  }
  if (base == kHeuristic) {
    std::array<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT> perf{};
    int returned = 0;
    check(cudnnGetConvolutionForwardAlgorithm_v7(cudnn(), d.x_, d.w_, d.conv_, d.y_,
                                                 int(perf.size()), &returned, perf.data()),
          "cudnnGetConvolutionForwardAlgorithm_v7");
    for (int i = 0; i < returned; ++i)
      if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].memory <= kWorkspaceLimit)
        return Choice{perf[i].algo, perf[i].memory,
                      std::string("cuDNN's heuristic picked ") + algorithm_name(perf[i].algo)};
    return std::string("cuDNN's heuristic offers no algorithm for this layer");
  }
  return std::string("unknown cuDNN variant ") + std::to_string(variant);
}

class CudnnConvKernel final : public DeviceKernel {
 public:
  CudnnConvKernel(const Layer& layer, int variant) : d_(layer, is_tf32(variant)) {
    if (const auto& a = layer.n().activation) lower_ = a->lower, upper_ = a->upper;
    has_activation_ = layer.n().activation.has_value();
    padded_input_ = SpaceBuffer(&device_space(), d_.padded_input_bytes());
    if (base_of(variant) == kFind) {
      find(layer);
    } else {
      auto choice = choose_by_rule(d_, variant);
      if (auto* why = std::get_if<std::string>(&choice)) throw Error(*why);
      choice_ = std::get<Choice>(choice);
    }
    workspace_ = SpaceBuffer(&device_space(), choice_.workspace);
  }

  std::string choice() const override { return choice_.how; }

  void run(KernelIO& io) override {
    const ConvGeometry& g = d_.geometry();
    const void* x = io.inputs[0]->raw();
    if (d_.explicit_padding()) {
      const ops::Window& w = g.window;
      check(pad_input(io.inputs[0]->data<float>(), g.batch * g.in_channels, int(w.rank()),
                      w.input.data(), w.pad_begin.data(), w.pad_end.data(),
                      static_cast<float*>(padded_input_.data()), stream()),
            "padding the input explicitly");
      x = padded_input_.data();
    }
    float* y = io.outputs[0]->data<float>();
    const void* weights = io.inputs[1]->raw();
    const float* bias = g.has_bias ? io.inputs[2]->data<float>() : nullptr;
    const float one = 1.0f, zero = 0.0f;
    if (d_.fused_epilogue(choice_.algo)) {
      // z is y itself with alpha2 = 0: cuDNN reads it but it contributes nothing.
      check(cudnnConvolutionBiasActivationForward(
                cudnn(), &one, d_.x_, x, d_.w_, weights, d_.conv_, choice_.algo, workspace_.data(),
                workspace_.bytes(), &zero, d_.y_, y, d_.bias_, bias, d_.act_, d_.y_, y),
            "cudnnConvolutionBiasActivationForward");
      return;
    }
    check(cudnnConvolutionForward(cudnn(), &one, d_.x_, x, d_.w_, weights, d_.conv_, choice_.algo,
                                  workspace_.data(), workspace_.bytes(), &zero, d_.y_, y),
          std::string("cudnnConvolutionForward (") + algorithm_name(choice_.algo) + ")");
    if (g.has_bias || has_activation_)
      check(bias_and_clamp(y, bias, g.batch, g.out_channels, g.window.output_size(),
                           has_activation_ ? lower_ : -INFINITY,
                           has_activation_ ? upper_ : INFINITY, stream()),
            "adding the bias and clamping");
  }

 private:
  // cuDNN times every algorithm it can run on this layer, on scratch buffers (the real filters
  // when they are constant), and we keep the fastest within the workspace limit.
  void find(const Layer& layer) {
    const ConvGeometry& g = d_.geometry();
    SpaceBuffer w(&device_space(), layer.inputs[1].bytes());
    if (const Tensor* weights = layer.constant(1))
      device_space().copy_from_host(w.data(), weights->raw(), weights->bytes());
    else
      check(cudaMemsetAsync(w.data(), 0, w.bytes(), stream()), "clearing find's filters");
    SpaceBuffer x(&device_space(), std::max(d_.padded_input_bytes(), layer.inputs[0].bytes()));
    SpaceBuffer y(&device_space(), size_t(shape_numel(g.output_shape())) * sizeof(float));
    SpaceBuffer scratch(&device_space(), kWorkspaceLimit / 4);
    check(cudaMemsetAsync(x.data(), 0, x.bytes(), stream()), "clearing find's input");
    std::array<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT> perf{};
    int returned = 0;
    check(cudnnFindConvolutionForwardAlgorithmEx(
              cudnn(), d_.x_, x.data(), d_.w_, w.data(), d_.conv_, d_.y_, y.data(),
              int(perf.size()), &returned, perf.data(), scratch.data(), scratch.bytes()),
          "cudnnFindConvolutionForwardAlgorithmEx");
    for (int i = 0; i < returned; ++i)
      if (perf[i].status == CUDNN_STATUS_SUCCESS) {
        choice_ = Choice{perf[i].algo, perf[i].memory,
                         std::string("cuDNN's find measured ") + algorithm_name(perf[i].algo) +
                             " fastest (" + std::to_string(perf[i].time) + " ms)"};
        return;
      }
    throw Error("cuDNN's find ran no algorithm on this layer");
  }

  ConvDescriptors d_;
  SpaceBuffer padded_input_, workspace_;
  Choice choice_;
  bool has_activation_ = false;
  float lower_ = 0, upper_ = 0;
};

}  // namespace

Shape cudnn_conv_output_shape(const Layer& layer) {
  return ConvDescriptors(layer, false).output_dims();
}

Family cudnn_conv_family() {
  Family f;
  f.why_not = [](int variant, const Layer& layer) -> std::optional<std::string> {
    if (auto problem = type_problem(layer)) return problem;
    ConvDescriptors d(layer, is_tf32(variant));
    if (base_of(variant) == kFind) return std::nullopt;  // find keeps whatever runs
    auto choice = choose_by_rule(d, variant);
    if (auto* why = std::get_if<std::string>(&choice)) return *why;
    return std::nullopt;
  };
  f.prepare = [](int variant, const Layer& layer) -> std::unique_ptr<Kernel> {
    if (auto problem = type_problem(layer)) throw Error(*problem);
    return std::make_unique<CudnnConvKernel>(layer, variant);
  };
  return f;
}

}  // namespace algoscope::cuda
