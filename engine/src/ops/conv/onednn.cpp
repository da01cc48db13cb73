// Convolution by oneDNN 2.6 as a provider: the primitive is created once at prepare time with
// format_tag::any for source, weights and destination, so oneDNN picks its own blocked layouts
// (nChw16c on AVX-512) and its own kernel for the requested algorithm (direct, Winograd, or
// `auto`, oneDNN's own choice). Constant weights are reordered into oneDNN's layout once at
// prepare time. The activations are reordered from and back to the engine's NCHW inside run(),
// except where the session's layout negotiation finds a oneDNN neighbour that wants the same
// blocked layout: that value then stays blocked between the two and neither reorder runs.
#include "onednn/onednn.h"

#include <array>
#include <cmath>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "cpu_features.h"
#include "ops/common.h"
#include "ops/conv/conv.h"

namespace algoscope::ops::conv {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

dnnl::algorithm to_dnnl(OnednnConv kind) {
  switch (kind) {
    case OnednnConv::Direct:
      return dnnl::algorithm::convolution_direct;
    case OnednnConv::Winograd:
      return dnnl::algorithm::convolution_winograd;
    case OnednnConv::Auto:
      return dnnl::algorithm::convolution_auto;
  }
  return dnnl::algorithm::convolution_auto;
}

tag plain_tag(size_t spatial_rank, bool grouped_weights) {
  if (grouped_weights)
    return spatial_rank == 1 ? tag::goiw : spatial_rank == 2 ? tag::goihw : tag::goidhw;
  return spatial_rank == 1 ? tag::ncw : spatial_rank == 2 ? tag::nchw : tag::ncdhw;
}

struct Descriptors {
  memory::desc src_plain, weights_plain, dst_plain, bias;
  memory::desc residual;  // the residual's layout in the binary post-op; zero without one
  dnnl::convolution_forward::primitive_desc pd;
};

// Throws dnnl::error when oneDNN has no implementation for this layer and algorithm. A residual
// is read in the destination's own layout (oneDNN's 1x1 kernels then skip a pass over the output).
Descriptors describe(const ConvGeometry& g, OnednnConv kind,
                     const std::optional<Node::Activation>& activation, bool residual) {
  const Window& w = g.window;
  memory::dims src = {g.batch, g.in_channels}, dst = {g.batch, g.out_channels}, weights;
  if (g.groups > 1)
    weights = {g.groups, g.out_per_group(), g.in_per_group()};
  else
    weights = {g.out_channels, g.in_channels};
  memory::dims strides, dilates, pad_l, pad_r;
  for (size_t a = 0; a < w.rank(); ++a) {
    src.push_back(w.input[a]);
    dst.push_back(w.output[a]);
    weights.push_back(w.kernel[a]);
    strides.push_back(w.strides[a]);
    dilates.push_back(w.dilations[a] - 1);  // oneDNN counts the gaps, ONNX the step
    pad_l.push_back(w.pad_begin[a]);
    // ONNX's end padding may be larger than what the last window uses; oneDNN wants exactly
    // what makes its output size formula give ours.
    int64_t span = (w.kernel[a] - 1) * w.dilations[a] + 1;
    pad_r.push_back((w.output[a] - 1) * w.strides[a] + span - w.input[a] - w.pad_begin[a]);
  }
  Descriptors d;
  d.src_plain = memory::desc(src, dt::f32, plain_tag(w.rank(), false));
  d.dst_plain = memory::desc(dst, dt::f32, plain_tag(w.rank(), false));
  d.weights_plain = memory::desc(weights, dt::f32, plain_tag(w.rank(), g.groups > 1));
  d.bias = memory::desc({g.out_channels}, dt::f32, tag::x);
  memory::desc src_any(src, dt::f32, tag::any), dst_any(dst, dt::f32, tag::any),
      weights_any(weights, dt::f32, tag::any);
  auto op_over = [&](const memory::desc& x, const memory::desc& y) {
    return g.has_bias
               ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, to_dnnl(kind),
                                                 x, weights_any, d.bias, y, strides, dilates, pad_l,
                                                 pad_r)
               : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, to_dnnl(kind),
                                                 x, weights_any, y, strides, dilates, pad_l, pad_r);
  };
  // A fused activation runs in oneDNN's own epilogue (an eltwise post-op).
  d.pd = dnnl::convolution_forward::primitive_desc(
      op_over(src_any, dst_any), onednn::activation_attr(activation), onednn::cpu_engine());
  if (residual) {
    // The residual is added by a binary post-op before the activation's eltwise one, in the
    // destination's layout, which must be decided before (oneDNN finds no kernel for a binary
    // operand in an undecided layout): first the layouts oneDNN picked without it, else its
    // channel-blocked ones, which its older JIT kernels take with binary post-ops where its
    // channels-last brgemm kernels do not.
    // get_post_ops() refers into its attribute, which must outlive it.
    const dnnl::primitive_attr activation_only = onednn::activation_attr(activation);
    const dnnl::post_ops act = activation_only.get_post_ops();
    auto residual_attr = [&](const memory::desc& layout) {
      dnnl::post_ops post;
      post.append_binary(dnnl::algorithm::binary_add, layout);
      for (int i = 0; i < act.len(); ++i) {
        float scale, alpha, beta;
        dnnl::algorithm algorithm;
        act.get_params_eltwise(i, scale, algorithm, alpha, beta);
        post.append_eltwise(scale, algorithm, alpha, beta);
      }
      dnnl::primitive_attr attr;
      attr.set_post_ops(post);
      return attr;
    };
    const std::array<tag, 3> blocked16 = {tag::nCw16c, tag::nChw16c, tag::nCdhw16c};
    const std::array<tag, 3> blocked8 = {tag::nCw8c, tag::nChw8c, tag::nCdhw8c};
    const std::vector<std::pair<memory::desc, memory::desc>> layouts = {
        {d.pd.src_desc(), d.pd.dst_desc()},
        {src_any, memory::desc(dst, dt::f32, blocked16[w.rank() - 1])},
        {src_any, memory::desc(dst, dt::f32, blocked8[w.rank() - 1])}};
    for (size_t k = 0; k < layouts.size(); ++k) {
      try {
        d.pd = dnnl::convolution_forward::primitive_desc(
            op_over(layouts[k].first, layouts[k].second), residual_attr(layouts[k].second),
            onednn::cpu_engine());
        d.residual = layouts[k].second;
        break;
      } catch (const dnnl::error&) {
        if (k + 1 == layouts.size()) throw;
      }
    }
  }
  return d;
}

// Whether the primitive adds the layer's residual itself (see the registry: not the Winograd one,
// which runs on the convolution without it).
bool adds_residual(OnednnConv kind, const Layer& layer) {
  return has_residual(layer) && kind != OnednnConv::Winograd;
}

}  // namespace

std::optional<std::string> onednn_not_applicable(OnednnConv kind, const Layer& layer) {
  try {
    const ConvGeometry g = conv_geometry(layer);
    if (g.window.rank() < 1 || g.window.rank() > 3)
      return "oneDNN convolutions cover 1-D, 2-D and 3-D, this one has " +
             std::to_string(g.window.rank()) + " spatial axes";
    for (size_t a = 0; a < g.window.rank(); ++a)
      if (g.window.pad_begin[a] >= (g.window.kernel[a] - 1) * g.window.dilations[a] + 1)
        return std::string("oneDNN needs each padding smaller than the dilated kernel");
    describe(g, kind, layer.n().activation, adds_residual(kind, layer));
  } catch (const Error& e) {
    return std::string(e.what());
  } catch (const dnnl::error&) {
    if (kind == OnednnConv::Winograd) {
      // Name the condition that fails: oneDNN only says it has no implementation.
      const ConvGeometry g = conv_geometry(layer);
      const Window& w = g.window;
      if (w.rank() != 2) return std::string("oneDNN's Winograd kernel is 2-D only");
      if (w.kernel[0] != 3 || w.kernel[1] != 3)
        return "oneDNN's Winograd kernel is 3x3 only; this kernel is " +
               std::to_string(w.kernel[0]) + "x" + std::to_string(w.kernel[1]);
      if (w.strides[0] != 1 || w.strides[1] != 1)
        return std::string("oneDNN's Winograd kernel needs stride 1");
      if (w.dilations[0] != 1 || w.dilations[1] != 1)
        return std::string("oneDNN's Winograd kernel takes no dilation");
      if (cpu::default_level() < cpu::IsaLevel::Avx512)
        return std::string("oneDNN's Winograd kernel needs AVX-512; kernels run at ") +
               cpu::level_name(cpu::default_level()) + " here";
      return std::string(
          "oneDNN has no Winograd kernel for this layer (its shape, groups or channel counts)");
    }
    return std::string("oneDNN has no implementation for this convolution");
  }
  return std::nullopt;
}

size_t onednn_prepared_bytes(OnednnConv kind, const Layer& layer) {
  const Descriptors d =
      describe(conv_geometry(layer), kind, layer.n().activation, adds_residual(kind, layer));
  // What OnednnConvKernel allocates: the weights in oneDNN's layout always (a runtime W is
  // reordered into them per run), the source and destination where oneDNN's layout differs from
  // NCHW, and the residual's copy in the destination's layout.
  size_t bytes = d.pd.weights_desc().get_size();
  if (d.pd.src_desc() != d.src_plain) bytes += d.pd.src_desc().get_size();
  if (d.pd.dst_desc() != d.dst_plain) {
    bytes += d.pd.dst_desc().get_size();
    if (adds_residual(kind, layer)) bytes += d.residual.get_size();
  }
  return bytes;
}

namespace {

// Everything that does not depend on the data is made at prepare time: the primitive, its
// reorders and the oneDNN-layout buffers.
class OnednnConvKernel final : public Kernel {
 public:
  OnednnConvKernel(const ConvGeometry& g, OnednnConv kind, const Layer& layer)
      : d_(describe(g, kind, layer.n().activation, adds_residual(kind, layer))),
        has_bias_(g.has_bias),
        has_residual_(adds_residual(kind, layer)) {
    dnnl::engine& engine = onednn::cpu_engine();
    const auto& pd = d_.pd;
    conv_ = dnnl::convolution_forward(pd);
    weights_ = memory(pd.weights_desc(), engine);
    if (pd.src_desc() != d_.src_plain) {
      src_ = memory(pd.src_desc(), engine);
      to_src_ =
          dnnl::reorder(dnnl::reorder::primitive_desc(engine, d_.src_plain, engine, pd.src_desc()));
    }
    if (pd.dst_desc() != d_.dst_plain) {
      dst_ = memory(pd.dst_desc(), engine);
      from_dst_ =
          dnnl::reorder(dnnl::reorder::primitive_desc(engine, pd.dst_desc(), engine, d_.dst_plain));
      if (has_residual_) {
        residual_ = memory(d_.residual, engine);
        to_residual_ =
            dnnl::reorder(dnnl::reorder::primitive_desc(engine, d_.dst_plain, engine, d_.residual));
      }
    }
    to_weights_ = dnnl::reorder(
        dnnl::reorder::primitive_desc(engine, d_.weights_plain, engine, pd.weights_desc()));
    if (const Tensor* w = layer.constant(1)) {
      load_weights(w->data<float>());
      onednn::cpu_stream().wait();
      weights_ready_ = true;
    }
  }

  // Only the blocked layouts are worth negotiating: a plain one needs no reorder anyway.
  std::optional<NativeLayout> native_output_layout(size_t output) const override {
    if (output != 0 || !from_dst_) return std::nullopt;
    return onednn::native_layout(d_.pd.dst_desc());
  }
  std::optional<NativeLayout> native_input_layout(size_t input) const override {
    if (input == 0 && to_src_) return onednn::native_layout(d_.pd.src_desc());
    if (input == kResidualInput && to_residual_) return onednn::native_layout(d_.residual);
    return std::nullopt;
  }
  void use_native_output(size_t output) override { native_dst_ = native_dst_ || output == 0; }
  void use_native_input(size_t input) override {
    native_src_ = native_src_ || input == 0;
    native_residual_ = native_residual_ || input == kResidualInput;
  }

  void run(KernelIO& io) override {
    std::lock_guard lock(mutex_);  // the oneDNN-layout buffers belong to one run at a time
    dnnl::engine& engine = onednn::cpu_engine();
    dnnl::stream& stream = onednn::cpu_stream();
    if (!weights_ready_) load_weights(io.inputs[1]->data<float>());
    void* x = const_cast<float*>(io.inputs[0]->data<float>());
    void* y = io.outputs[0]->data<float>();
    // Negotiated values already are in the primitive's layout: wrap them as such.
    memory src = native_src_ ? memory(d_.pd.src_desc(), engine, x)
                 : to_src_   ? src_
                             : memory(d_.src_plain, engine, x);
    memory dst = native_dst_ ? memory(d_.pd.dst_desc(), engine, y)
                 : from_dst_ ? dst_
                             : memory(d_.dst_plain, engine, y);
    if (to_src_ && !native_src_) {
      memory plain(d_.src_plain, engine, x);
      to_src_->execute(stream, plain, src);
    }
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst}};
    if (has_bias_)
      args[DNNL_ARG_BIAS] =
          memory(d_.bias, engine, const_cast<float*>(io.inputs[2]->data<float>()));
    if (has_residual_) {
      void* r = const_cast<float*>(io.inputs[kResidualInput]->data<float>());
      // Plain where the output is plain or the residual arrives in its layout already.
      memory residual =
          to_residual_ && !native_residual_ ? residual_ : memory(d_.residual, engine, r);
      if (to_residual_ && !native_residual_) {
        memory plain(d_.dst_plain, engine, r);
        to_residual_->execute(stream, plain, residual);
      }
      args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] = residual;
    }
    conv_.execute(stream, args);
    if (from_dst_ && !native_dst_) {
      memory plain(d_.dst_plain, engine, y);
      from_dst_->execute(stream, dst, plain);
    }
    stream.wait();
  }

 private:
  void load_weights(const float* w) {
    memory plain(d_.weights_plain, onednn::cpu_engine(), const_cast<float*>(w));
    to_weights_->execute(onednn::cpu_stream(), plain, weights_);
  }

  Descriptors d_;
  bool has_bias_ = false, has_residual_ = false;
  dnnl::convolution_forward conv_;
  std::optional<dnnl::reorder> to_src_, from_dst_, to_weights_, to_residual_;
  // oneDNN-layout buffers (src, dst and residual only when a reorder is needed)
  memory src_, dst_, weights_, residual_;
  bool weights_ready_ = false;
  // Set by the session's layout negotiation.
  bool native_src_ = false, native_dst_ = false, native_residual_ = false;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Kernel> prepare_onednn(OnednnConv kind, const Layer& layer) {
  return std::make_unique<OnednnConvKernel>(conv_geometry(layer), kind, layer);
}

AlgorithmText onednn_text(OnednnConv kind) {
  const char* summary = "oneDNN 2.6 choosing between its own direct and Winograd kernels";
  const char* how =
      "oneDNN picks its direct or Winograd implementation from the shape (its own heuristic).";
  if (kind == OnednnConv::Direct) {
    summary =
        "oneDNN 2.6's direct convolution (JIT-generated AVX-512/AVX2 kernels, blocked layouts)";
    how =
        "oneDNN JIT-compiles a direct convolution for this CPU over its blocked nChw16c layout "
        "(8c on AVX2), register-blocked over output channels and width.";
  } else if (kind == OnednnConv::Winograd) {
    summary = "oneDNN 2.6's Winograd F(4x4,3x3) convolution (AVX-512 only)";
    how =
        "oneDNN's Winograd F(4x4,3x3): 6x6 input tiles and filters transformed into the Winograd "
        "domain, batched matrix products there, output tiles transformed back.";
  }
  return {summary,
          std::string(how) +
              " The primitive is created once at prepare time with format_tag::any, so oneDNN "
              "chooses its memory layouts; constant weights are reordered into its layout once. "
              "Extra memory, all held by the kernel: the reordered weights (OC*C/g*KH*KW*4 bytes, "
              "padded to 16 channels) and buffers for the input and output in oneDNN's blocked "
              "layout (N*C*H*W*4 and N*OC*OH*OW*4 bytes, padded), because the engine's tensors are "
              "NCHW and are "
              "reordered on the way in and out, unless the neighbour is a oneDNN convolution "
              "too: then the value stays blocked and neither reorder runs, a gain that shows end "
              "to end, not in one layer timed alone (tune times the all-oneDNN plan for that "
              "reason). It is the yardstick our own algorithms are benchmarked against. "
              "Numerics: float accumulation in oneDNN's order (Winograd adds the transform error "
              "of F(4,3), about 20x direct's)."};
}

}  // namespace algoscope::ops::conv
