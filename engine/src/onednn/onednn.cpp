// See onednn.h.
#include "onednn/onednn.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "cpu_features.h"

namespace algoscope::onednn {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine = [] {
    // ALGOSCOPE_ISA below the CPU's level holds oneDNN's JIT to it as well (before its first
    // primitive; a user's DNNL_MAX_CPU_ISA is kept).
    if (cpu::default_level() != cpu::detected_level() && !std::getenv("DNNL_MAX_CPU_ISA"))
      dnnl::set_max_cpu_isa(cpu::default_level() == cpu::IsaLevel::Avx2 ? dnnl::cpu_isa::avx2
                                                                        : dnnl::cpu_isa::sse41);
    return dnnl::engine(dnnl::engine::kind::cpu, 0);
  }();
  return engine;
}

dnnl::stream& cpu_stream() {
  // One per thread: a measurement worker and the GUI may run sessions concurrently.
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

dnnl::primitive_attr activation_attr(const std::optional<Node::Activation>& activation) {
  dnnl::primitive_attr attr;
  if (!activation) return attr;
  // swish with alpha 1 is SiLU, oneDNN's hardswish has ONNX's constants, gelu_erf is the exact
  // GELU, and a clamp is relu or clip.
  using Kind = Node::Activation::Kind;
  dnnl::post_ops post;
  if (activation->kind == Kind::Swish)
    post.append_eltwise(1.0f, dnnl::algorithm::eltwise_swish, 1.0f, 0.0f);
  else if (activation->kind == Kind::HardSwish)
    post.append_eltwise(1.0f, dnnl::algorithm::eltwise_hardswish, 0.0f, 0.0f);
  else if (activation->kind == Kind::Gelu)
    post.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_erf, 0.0f, 0.0f);
  else if (activation->lower == 0.0f && std::isinf(activation->upper) && activation->upper > 0)
    post.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  else
    post.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, activation->lower, activation->upper);
  attr.set_post_ops(post);
  return attr;
}

namespace {

void add_number(std::string& key, char tag, int64_t value) {
  key += tag;
  key += std::to_string(value);
}

// The exact key: every field of the descriptor that decides where an element lies.
std::string exact_key(const dnnl_memory_desc_t& d) {
  std::string key = "onednn";
  add_number(key, 't', d.data_type);
  add_number(key, 'f', d.format_kind);
  add_number(key, 'o', d.offset0);
  for (int i = 0; i < d.ndims; ++i) {
    add_number(key, 'd', d.dims[i]);
    add_number(key, 'p', d.padded_dims[i]);
    add_number(key, 'q', d.padded_offsets[i]);
  }
  if (d.format_kind != dnnl_blocked) return key + "opaque";  // never matches plain strides
  const dnnl_blocking_desc_t& b = d.format_desc.blocking;
  for (int i = 0; i < d.ndims; ++i) add_number(key, 's', b.strides[i]);
  for (int i = 0; i < b.inner_nblks; ++i) {
    add_number(key, 'b', b.inner_blks[i]);
    add_number(key, 'i', b.inner_idxs[i]);
  }
  return key;
}

// Dense NHWC (or NWC, NDHWC) without padding: channels innermost, then the spatial axes, then
// the batch.
bool dense_channels_last(const dnnl_memory_desc_t& d) {
  if (d.format_kind != dnnl_blocked || d.ndims < 3 || d.offset0 != 0) return false;
  const dnnl_blocking_desc_t& b = d.format_desc.blocking;
  if (b.inner_nblks != 0 || b.strides[1] != 1) return false;
  int64_t stride = d.dims[1];
  for (int i = d.ndims - 1; i >= 2; --i) {
    if (b.strides[i] != stride) return false;
    stride *= d.dims[i];
  }
  return b.strides[0] == stride;
}

// The channel_concat_key of a batch-1 layout without padding; empty for every other layout.
// Channel-blocked: one block of B channels innermost, and blocks, rows and columns dense in that
// order (nCw16c, nChw16c, nCdhw8c), so channel c lies at (c / B) * spatial * B + ... + c % B and
// channels [c0, c1) with c0 and c1 multiples of B are the plain layout's bytes of those channels.
// Channels last: dense NHWC. The key keeps what must match between the values a Concat joins:
// type, kind and spatial extent.
std::string channel_concat_key(const dnnl_memory_desc_t& d) {
  if (d.format_kind != dnnl_blocked || d.ndims < 3 || d.dims[0] != 1 || d.offset0 != 0) return {};
  for (int i = 0; i < d.ndims; ++i)
    if (d.padded_dims[i] != d.dims[i] || d.padded_offsets[i] != 0) return {};
  std::string key = "onednn-channel-concat";
  add_number(key, 't', d.data_type);
  for (int i = 2; i < d.ndims; ++i) add_number(key, 'd', d.dims[i]);
  if (dense_channels_last(d)) return key + "last";
  const dnnl_blocking_desc_t& b = d.format_desc.blocking;
  if (b.inner_nblks != 1 || b.inner_idxs[0] != 1) return {};
  const int64_t block = b.inner_blks[0];
  int64_t stride = block;
  for (int i = d.ndims - 1; i >= 2; --i) {
    if (b.strides[i] != stride) return {};
    stride *= d.dims[i];
  }
  if (b.strides[1] != stride) return {};
  add_number(key, 'b', block);
  return key;
}

}  // namespace

NativeLayout native_layout(const dnnl::memory::desc& desc) {
  return NativeLayout{exact_key(desc.data), desc.get_size(), channel_concat_key(desc.data),
                      dense_channels_last(desc.data)};
}

dnnl::memory::desc convolution_activation_layout(const dnnl::memory::dims& dims) {
  using dnnl::memory;
  const int64_t channels = dims[1];
  memory::dims weights = {channels, channels}, strides, dilates, pads;
  for (size_t a = 2; a < dims.size(); ++a) {
    weights.push_back(3);
    strides.push_back(1);
    dilates.push_back(0);
    pads.push_back(1);
  }
  const memory::desc any(dims, memory::data_type::f32, memory::format_tag::any);
  const memory::desc weights_any(weights, memory::data_type::f32, memory::format_tag::any);
  const dnnl::convolution_forward::desc op(dnnl::prop_kind::forward_inference,
                                           dnnl::algorithm::convolution_direct, any, weights_any,
                                           any, strides, dilates, pads, pads);
  return dnnl::convolution_forward::primitive_desc(op, cpu_engine()).src_desc();
}

}  // namespace algoscope::onednn
