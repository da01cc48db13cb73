// Pooling by oneDNN 2.6 as a provider, for MaxPool, AveragePool, GlobalAveragePool and
// GlobalMaxPool: what lets a network's pooling layers join the oneDNN layout family. oneDNN's
// convolutions hand each other values in their own layout (NHWC where its brgemm kernels run,
// nChw8c/16c elsewhere); a pooling layer between them that only reads and writes the plain layout
// forces a reorder on each side (SqueezeNet's and GoogLeNet's MaxPools, Inception's branch
// pools). So two primitives are made at prepare time: one over the plain layout, run when neither
// neighbour negotiates, and one over the layout oneDNN's convolutions choose for this shape, run
// when the session's layout negotiation finds such a neighbour; the value then stays in it on
// that side.
#include "onednn/onednn.h"

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "cpu_features.h"
#include "ops/pool/pool.h"

namespace algoscope::ops::pool {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

tag plain_tag(size_t spatial_rank) {
  return spatial_rank == 1 ? tag::ncw : spatial_rank == 2 ? tag::nchw : tag::ncdhw;
}

// The layer as oneDNN's pooling: the window, with oneDNN's end padding (what makes its output
// size formula give ours, ceil_mode's overhang included), and the algorithm.
struct PoolingShape {
  memory::dims src, dst, strides, kernel, dilation, pad_l, pad_r;
  dnnl::algorithm algorithm = dnnl::algorithm::pooling_max;
};

PoolingShape pooling_shape(const Layer& layer) {
  const std::string& op = layer.n().op_type;
  const bool global = op == "GlobalAveragePool" || op == "GlobalMaxPool";
  PoolingShape p;
  const Shape& x = layer.inputs[0].shape;
  p.src = memory::dims(x.begin(), x.end());
  p.dst = {x[0], x[1]};
  if (global) {
    for (size_t a = 2; a < x.size(); ++a) {
      p.dst.push_back(1);
      p.kernel.push_back(x[a]);
      p.strides.push_back(1);
      p.dilation.push_back(0);
      p.pad_l.push_back(0);
      p.pad_r.push_back(0);
    }
    p.algorithm = op == "GlobalMaxPool" ? dnnl::algorithm::pooling_max
                                        : dnnl::algorithm::pooling_avg_exclude_padding;
    return p;
  }
  const Window w = pool_geometry(layer).window;
  for (size_t a = 0; a < w.rank(); ++a) {
    p.dst.push_back(w.output[a]);
    p.kernel.push_back(w.kernel[a]);
    p.strides.push_back(w.strides[a]);
    p.dilation.push_back(w.dilations[a] - 1);  // oneDNN counts the gaps, ONNX the step
    p.pad_l.push_back(w.pad_begin[a]);
    const int64_t span = (w.kernel[a] - 1) * w.dilations[a] + 1;
    p.pad_r.push_back((w.output[a] - 1) * w.strides[a] + span - w.input[a] - w.pad_begin[a]);
  }
  if (op == "MaxPool") return p;
  const bool include_pad = layer.n().attr_int("count_include_pad", 0) != 0;
  if (include_pad) {
    // oneDNN divides by the whole kernel, counting ceil_mode's overhang as padding; ONNX (and
    // PyTorch) count only the explicit padding.
    for (size_t a = 0; a < w.rank(); ++a)
      if (p.pad_r[a] > w.pad_end[a])
        throw Error(
            "oneDNN would count ceil_mode's overhang past the padding in the average; with "
            "count_include_pad, ONNX counts only the explicit padding");
  }
  p.algorithm = include_pad ? dnnl::algorithm::pooling_avg_include_padding
                            : dnnl::algorithm::pooling_avg_exclude_padding;
  return p;
}

dnnl::pooling_v2_forward::primitive_desc describe(const PoolingShape& p, const memory::desc& src,
                                                  tag dst_tag) {
  const dnnl::pooling_v2_forward::desc op(dnnl::prop_kind::forward_inference, p.algorithm, src,
                                          memory::desc(p.dst, dt::f32, dst_tag), p.strides,
                                          p.kernel, p.dilation, p.pad_l, p.pad_r);
  return dnnl::pooling_v2_forward::primitive_desc(op, onednn::cpu_engine());
}

class OnednnPoolKernel final : public Kernel {
 public:
  explicit OnednnPoolKernel(const Layer& layer) : shape_(pooling_shape(layer)) {
    dnnl::engine& engine = onednn::cpu_engine();
    const size_t rank = shape_.src.size() - 2;
    src_plain_ = memory::desc(shape_.src, dt::f32, plain_tag(rank));
    dst_plain_ = memory::desc(shape_.dst, dt::f32, plain_tag(rank));
    plain_pd_ = describe(shape_, src_plain_, plain_tag(rank));
    plain_ = dnnl::pooling_v2_forward(plain_pd_);
    // The layout oneDNN's convolutions would hand it; the output follows it (tag::any).
    const memory::desc layout = onednn::convolution_activation_layout(shape_.src);
    if (layout != src_plain_) {
      native_pd_ = describe(shape_, layout, tag::any);
      native_ = dnnl::pooling_v2_forward(native_pd_);
      src_native_ = memory(native_pd_.src_desc(), engine);
      dst_native_ = memory(native_pd_.dst_desc(), engine);
      to_src_ = dnnl::reorder(
          dnnl::reorder::primitive_desc(engine, src_plain_, engine, native_pd_.src_desc()));
      from_dst_ = dnnl::reorder(
          dnnl::reorder::primitive_desc(engine, native_pd_.dst_desc(), engine, dst_plain_));
    }
  }

  std::optional<NativeLayout> native_output_layout(size_t output) const override {
    if (output != 0 || !native_) return std::nullopt;
    return onednn::native_layout(native_pd_.dst_desc());
  }
  std::optional<NativeLayout> native_input_layout(size_t input) const override {
    if (input != 0 || !native_) return std::nullopt;
    return onednn::native_layout(native_pd_.src_desc());
  }
  void use_native_output(size_t output) override { native_dst_ = native_dst_ || output == 0; }
  void use_native_input(size_t input) override { native_src_ = native_src_ || input == 0; }

  void run(KernelIO& io) override {
    dnnl::engine& engine = onednn::cpu_engine();
    dnnl::stream& stream = onednn::cpu_stream();
    void* x = const_cast<float*>(io.inputs[0]->data<float>());
    void* y = io.outputs[0]->data<float>();
    if (!native_src_ && !native_dst_) {
      plain_.execute(stream, {{DNNL_ARG_SRC, memory(src_plain_, engine, x)},
                              {DNNL_ARG_DST, memory(dst_plain_, engine, y)}});
      stream.wait();
      return;
    }
    std::lock_guard lock(mutex_);  // the oneDNN-layout buffers belong to one run at a time
    memory src = native_src_ ? memory(native_pd_.src_desc(), engine, x) : src_native_;
    memory dst = native_dst_ ? memory(native_pd_.dst_desc(), engine, y) : dst_native_;
    if (!native_src_) {
      memory plain(src_plain_, engine, x);
      to_src_->execute(stream, plain, src);
    }
    native_->execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    if (!native_dst_) {
      memory plain(dst_plain_, engine, y);
      from_dst_->execute(stream, dst, plain);
    }
    stream.wait();
  }

 private:
  PoolingShape shape_;
  memory::desc src_plain_, dst_plain_;
  dnnl::pooling_v2_forward::primitive_desc plain_pd_, native_pd_;
  dnnl::pooling_v2_forward plain_;
  std::optional<dnnl::pooling_v2_forward> native_;  // over oneDNN's layout, where not plain
  std::optional<dnnl::reorder> to_src_, from_dst_;
  memory src_native_, dst_native_;
  bool native_src_ = false, native_dst_ = false;  // set by the session's layout negotiation
  std::mutex mutex_;
};

}  // namespace

std::optional<std::string> onednn_not_applicable(const Layer& layer) {
  if (layer.inputs[0].dtype != DType::Float32)
    return std::string("oneDNN's pooling is used for float32 only; this layer is ") +
           dtype_name(layer.inputs[0].dtype);
  if (layer.n().outputs.size() > 1 && !layer.n().outputs[1].empty())
    return std::string("oneDNN's pooling does not produce ONNX's Indices output");
  const size_t rank = layer.inputs[0].shape.size();
  if (rank < 3 || rank > 5)
    return "oneDNN's pooling covers 1 to 3 spatial axes; this input has " +
           std::to_string(rank > 2 ? rank - 2 : 0);
  try {
    const PoolingShape p = pooling_shape(layer);
    describe(p, memory::desc(p.src, dt::f32, plain_tag(rank - 2)), plain_tag(rank - 2));
  } catch (const Error& e) {
    return std::string(e.what());
  } catch (const dnnl::error& e) {
    return std::string("oneDNN has no pooling for this window (") + e.what() + ")";
  }
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_onednn(const Layer& layer) {
  return std::make_unique<OnednnPoolKernel>(layer);
}

AlgorithmText onednn_text() {
  return {"oneDNN 2.6's pooling, over the plain layout or its convolutions' own",
          "oneDNN's JIT-compiled pooling (max, or average with or without the padding in the "
          "count; a global pool is a window the size of the input). Two primitives are made at "
          "prepare time: one over the engine's plain NCHW, used when the neighbours are not "
          "oneDNN's, and one over the layout oneDNN's convolutions choose for this shape (NHWC "
          "where its brgemm kernels run, nChw16c or nChw8c elsewhere), used where the session's "
          "layout negotiation finds a oneDNN convolution (or another oneDNN pooling) next to it: "
          "the value then stays in that layout between them and neither side reorders it, a gain "
          "that shows end to end, not in the layer timed alone (tune times the all-oneDNN plan "
          "for that reason). Extra memory: when only one side is in oneDNN's layout, the other "
          "side's value in that layout (its size, channels padded to a block where it has "
          "blocks). Numerics: max is exact; averages sum in float in oneDNN's order against the "
          "reference's double."};
}

}  // namespace algoscope::ops::pool
