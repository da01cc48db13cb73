// The oneDNN CPU engine and stream shared by every oneDNN-provided algorithm (one engine per
// process, as oneDNN recommends; streams are cheap but each kernel run uses this one in-order
// stream). Built only when oneDNN is found (ALGOSCOPE_HAVE_ONEDNN).
#pragma once

#include <dnnl.hpp>
#include <optional>

#include "algoscope/graph.h"

namespace algoscope::onednn {

dnnl::engine& cpu_engine();
// A stream on cpu_engine() for the calling thread.
dnnl::stream& cpu_stream();

// A node's fused activation as oneDNN's eltwise post-op, so that oneDNN applies it in its own
// epilogue (Conv and MatMul primitives); no post-op without one.
dnnl::primitive_attr activation_attr(const std::optional<Node::Activation>& activation);

}  // namespace algoscope::onednn
