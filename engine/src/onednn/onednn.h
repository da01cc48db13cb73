// The oneDNN CPU engine and stream shared by every oneDNN-provided algorithm (one engine per
// process, as oneDNN recommends; streams are cheap but each kernel run uses this one in-order
// stream). Built only when oneDNN is found (ALGOSCOPE_HAVE_ONEDNN).
#pragma once

#include <dnnl.hpp>
#include <optional>

#include "algoscope/graph.h"
#include "algoscope/registry.h"

namespace algoscope::onednn {

dnnl::engine& cpu_engine();
// A stream on cpu_engine() for the calling thread.
dnnl::stream& cpu_stream();

// A node's fused activation as oneDNN's eltwise post-op, so that oneDNN applies it in its own
// epilogue (Conv and MatMul primitives); no post-op without one.
dnnl::primitive_attr activation_attr(const std::optional<Node::Activation>& activation);

// A oneDNN memory layout as a NativeLayout for the session's negotiation: an exact, comparable key
// (dims, padding, type and blocking), its size, and for batch-1 channel-blocked layouts (nChw16c
// of a channel count the block divides) and NHWC the channel_concat_key that lets a Concat join
// them.
NativeLayout native_layout(const dnnl::memory::desc& desc);

// The layout oneDNN's convolutions choose for activations of these dims (the source layout of a
// 3x3 convolution keeping the channel count, with format_tag::any): NHWC where its brgemm
// kernels run (AVX-512 in oneDNN 2.6), nChw8c/16c elsewhere. Pooling uses it to meet them.
dnnl::memory::desc convolution_activation_layout(const dnnl::memory::dims& dims);

}  // namespace algoscope::onednn
