// See onednn.h.
#include "onednn/onednn.h"

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

}  // namespace algoscope::onednn
