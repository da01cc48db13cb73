// See onednn.h.
#include "onednn/onednn.h"

namespace algoscope::onednn {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  // One per thread: a measurement worker and the GUI may run sessions concurrently.
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

}  // namespace algoscope::onednn
