// The oneDNN CPU engine and stream shared by every oneDNN-provided algorithm (one engine per
// process, as oneDNN recommends; streams are cheap but each kernel run uses this one in-order
// stream). Built only when oneDNN is found (ALGOSCOPE_HAVE_ONEDNN).
#pragma once

#include <dnnl.hpp>

namespace algoscope::onednn {

dnnl::engine& cpu_engine();
// A stream on cpu_engine() for the calling thread.
dnnl::stream& cpu_stream();

}  // namespace algoscope::onednn
