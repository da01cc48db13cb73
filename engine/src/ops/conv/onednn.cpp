// Convolution by oneDNN 2.6 as a provider: the primitive is created once at prepare time with
// format_tag::any for source, weights and destination, so oneDNN picks its own blocked layouts
// (nChw16c on AVX-512) and its own kernel for the requested algorithm (direct, Winograd, or
// `auto`, oneDNN's own choice). Constant weights are reordered into oneDNN's layout once at
// prepare time; the activation reorders from and back to the engine's NCHW happen inside run()
// (a layout-propagating graph pass that drops them between oneDNN neighbours is future work).
#include "onednn/onednn.h"

#include <cmath>
#include <mutex>
#include <optional>
#include <unordered_map>

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
  dnnl::convolution_forward::primitive_desc pd;
};

// Throws dnnl::error when oneDNN has no implementation for this layer and algorithm.
Descriptors describe(const ConvGeometry& g, OnednnConv kind,
                     const std::optional<Node::Activation>& activation) {
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
  auto op = g.has_bias ? dnnl::convolution_forward::desc(
                             dnnl::prop_kind::forward_inference, to_dnnl(kind), src_any,
                             weights_any, d.bias, dst_any, strides, dilates, pad_l, pad_r)
                       : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                         to_dnnl(kind), src_any, weights_any,
                                                         dst_any, strides, dilates, pad_l, pad_r);
  // A fused Relu/Clip runs in oneDNN's own epilogue (an eltwise post-op).
  dnnl::primitive_attr attr;
  if (activation) {
    dnnl::post_ops post;
    if (activation->lower == 0.0f && std::isinf(activation->upper))
      post.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    else
      post.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, activation->lower,
                          activation->upper);
    attr.set_post_ops(post);
  }
  d.pd = dnnl::convolution_forward::primitive_desc(op, attr, onednn::cpu_engine());
  return d;
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
    describe(g, kind, layer.n().activation);
  } catch (const Error& e) {
    return std::string(e.what());
  } catch (const dnnl::error&) {
    if (kind == OnednnConv::Winograd)
      return std::string(
          "oneDNN has no Winograd kernel for this layer (it needs a 2-D 3x3 stride-1 convolution "
          "without dilation and an AVX-512 CPU)");
    return std::string("oneDNN has no implementation for this convolution");
  }
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_onednn(OnednnConv kind, const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  dnnl::engine& engine = onednn::cpu_engine();
  // Everything that does not depend on the data is made here: the primitive, its reorders and
  // the oneDNN-layout buffers.
  struct State {
    Descriptors d;
    bool has_bias = false;
    dnnl::convolution_forward conv;
    std::optional<dnnl::reorder> to_src, from_dst, to_weights;
    memory src, dst, weights;  // oneDNN-layout buffers (src/dst only when a reorder is needed)
    bool weights_ready = false;
    std::mutex mutex;  // the oneDNN-layout buffers belong to one run at a time
  };
  auto s = std::make_shared<State>();
  s->d = describe(g, kind, layer.n().activation);
  s->has_bias = g.has_bias;
  const auto& pd = s->d.pd;
  s->conv = dnnl::convolution_forward(pd);
  s->weights = memory(pd.weights_desc(), engine);
  if (pd.src_desc() != s->d.src_plain) {
    s->src = memory(pd.src_desc(), engine);
    s->to_src =
        dnnl::reorder(dnnl::reorder::primitive_desc(engine, s->d.src_plain, engine, pd.src_desc()));
  }
  if (pd.dst_desc() != s->d.dst_plain) {
    s->dst = memory(pd.dst_desc(), engine);
    s->from_dst =
        dnnl::reorder(dnnl::reorder::primitive_desc(engine, pd.dst_desc(), engine, s->d.dst_plain));
  }
  s->to_weights = dnnl::reorder(
      dnnl::reorder::primitive_desc(engine, s->d.weights_plain, engine, pd.weights_desc()));
  auto load_weights = [](State& st, const float* w) {
    memory plain(st.d.weights_plain, onednn::cpu_engine(), const_cast<float*>(w));
    st.to_weights->execute(onednn::cpu_stream(), plain, st.weights);
  };
  if (const Tensor* w = layer.constant(1)) {
    load_weights(*s, w->data<float>());
    onednn::cpu_stream().wait();
    s->weights_ready = true;
  }
  return make_kernel([s, load_weights](KernelIO& io) {
    std::lock_guard lock(s->mutex);
    dnnl::engine& engine = onednn::cpu_engine();
    dnnl::stream& stream = onednn::cpu_stream();
    if (!s->weights_ready) load_weights(*s, io.inputs[1]->data<float>());
    memory src_plain(s->d.src_plain, engine, const_cast<float*>(io.inputs[0]->data<float>()));
    memory dst_plain(s->d.dst_plain, engine, io.outputs[0]->data<float>());
    memory src = s->to_src ? s->src : src_plain;
    memory dst = s->from_dst ? s->dst : dst_plain;
    if (s->to_src) s->to_src->execute(stream, src_plain, src);
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, s->weights}, {DNNL_ARG_DST, dst}};
    if (s->has_bias)
      args[DNNL_ARG_BIAS] =
          memory(s->d.bias, engine, const_cast<float*>(io.inputs[2]->data<float>()));
    s->conv.execute(stream, args);
    if (s->from_dst) s->from_dst->execute(stream, dst, dst_plain);
    stream.wait();
  });
}

}  // namespace algoscope::ops::conv
