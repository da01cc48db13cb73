// See onednn.h.
#include "onednn/onednn.h"

#include <cmath>
#include <cstdlib>

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

}  // namespace algoscope::onednn
