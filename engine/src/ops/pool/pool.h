// The pooling family's internal interface: the validated geometry of MaxPool / AveragePool /
// GlobalAveragePool / GlobalMaxPool layers and one entry point per algorithm file. Only
// registry.cpp turns these into named Algorithms.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"
#include "ops/common.h"
#include "ops/window.h"

namespace algoscope::ops::pool {

// X [N, C, spatial...] pooled by a window; the output is [N, C, window.output...].
struct PoolGeometry {
  int64_t batch = 0;
  int64_t channels = 0;
  Window window;
  Shape output_shape() const;
};

// MaxPool / AveragePool: kernel_shape (required), strides, pads, auto_pad, ceil_mode, dilations.
PoolGeometry pool_geometry(const Layer& layer);

std::vector<TensorInfo> infer_max_pool(const Layer& layer);      // Y, and Indices (int64) if asked
std::vector<TensorInfo> infer_average_pool(const Layer& layer);  // Y
std::vector<TensorInfo> infer_global_pool(const Layer& layer);   // [N, C, 1, ...]
double window_flops(const Layer& layer);  // one operation per output element and kernel tap
double global_flops(const Layer& layer);  // one addition per input element

// A global pool's input as (image, channel) planes: `count` contiguous rows of `size` elements.
struct GlobalPlanes {
  int64_t count = 0, size = 0;
};
GlobalPlanes global_planes(const Layer& layer);

// The single-threaded kernel of a global pool: y[p] = plane_value(plane p, plane size), plane by
// plane.
template <class PlaneValue>
std::unique_ptr<Kernel> per_plane_kernel(const Layer& layer, PlaneValue plane_value) {
  const GlobalPlanes planes = global_planes(layer);
  return float_kernel([planes, plane_value](const float* x, float* y) {
    for (int64_t p = 0; p < planes.count; ++p) y[p] = plane_value(x + p * planes.size, planes.size);
  });
}

// The outer loops of the reference MaxPool and AveragePool: calls visit(plane, out, o) for every
// output of every (image, channel) plane, out being the output's flat index within its plane and o
// its multi-index in the window's output.
template <class Visit>
void for_each_output(const PoolGeometry& g, Visit visit) {
  const Window& win = g.window;
  std::vector<int64_t> o(win.rank());
  for (int64_t plane = 0; plane < g.batch * g.channels; ++plane) {
    for (int64_t out = 0; out < win.output_size(); ++out) {
      unravel(out, win.output, o);
      visit(plane, out, o);
    }
  }
}

// The 1-D or 2-D window of a pooling layer as plain numbers (1-D as a 2-D window of height 1),
// for the `direct` kernels. ok is false for 3-D and higher windows.
struct Plane2D {
  bool ok = false;
  int64_t h = 1, w = 1, kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0, oh = 1, ow = 1;
};
inline Plane2D plane_2d(const Window& win) {
  Plane2D p;
  const size_t r = win.rank();
  if (r < 1 || r > 2) return p;
  p.ok = true;
  const size_t x = r - 1;  // the last (width) axis
  p.w = win.input[x], p.kw = win.kernel[x], p.sw = win.strides[x], p.dw = win.dilations[x];
  p.pad_left = win.pad_begin[x], p.pad_right = win.pad_end[x], p.ow = win.output[x];
  if (r == 2) {
    p.h = win.input[0], p.kh = win.kernel[0], p.sh = win.strides[0], p.dh = win.dilations[0];
    p.pad_top = win.pad_begin[0], p.pad_bottom = win.pad_end[0], p.oh = win.output[0];
  }
  return p;
}

// Why plane_2d cannot take the window (the direct kernels' not_applicable): its rank.
inline std::optional<std::string> plane_2d_reason(const Window& win) {
  if (plane_2d(win).ok) return std::nullopt;
  return "the direct kernel covers 1-D and 2-D windows; this one is " + std::to_string(win.rank()) +
         "-D";
}

// max_pool_direct.cpp / average_pool_direct.cpp: 1-D and 2-D float32 windows vectorized along
// output rows, OpenMP over (image, channel) planes of large inputs.
std::optional<std::string> max_pool_direct_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_max_pool_direct(const Layer& layer);
AlgorithmText max_pool_direct_text();
std::optional<std::string> average_pool_direct_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_average_pool_direct(const Layer& layer);
AlgorithmText average_pool_direct_text();
// global_average_pool_direct.cpp: SIMD plane sums in double, OpenMP over planes.
std::unique_ptr<Kernel> prepare_global_average_pool_direct(const Layer& layer);
AlgorithmText global_average_pool_direct_text();

// onednn.cpp: oneDNN's pooling over the plain or its blocked layout, for all four ops (in the
// oneDNN layout family, so blocked values pass between it and oneDNN's convolutions).
std::optional<std::string> onednn_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_onednn(const Layer& layer);
AlgorithmText onednn_text();

// max_pool_reference.cpp: the window's maximum; Indices in ONNX's flattened convention.
std::unique_ptr<Kernel> prepare_max_pool_reference(const Layer& layer);
AlgorithmText max_pool_reference_text();
// average_pool_reference.cpp: the window's mean, with or without the padding in the count.
std::unique_ptr<Kernel> prepare_average_pool_reference(const Layer& layer);
AlgorithmText average_pool_reference_text();
// global_average_pool_reference.cpp: the mean of each channel.
std::unique_ptr<Kernel> prepare_global_average_pool_reference(const Layer& layer);
AlgorithmText global_average_pool_reference_text();
// global_max_pool_reference.cpp: the maximum of each channel.
std::unique_ptr<Kernel> prepare_global_max_pool_reference(const Layer& layer);
AlgorithmText global_max_pool_reference_text();

}  // namespace algoscope::ops::pool
