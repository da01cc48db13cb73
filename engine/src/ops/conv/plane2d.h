// A Conv layer seen as 2-D planes: the window over exactly two spatial axes (a 1-D layer becomes
// a 2-D one with height 1), shared by the algorithms that walk image rows (kn2row, smm,
// implicit_gemm, fft, direct, depthwise) so that each of them resolves strides, dilations and pads
// the same way.
#pragma once

#include <algorithm>
#include <optional>
#include <string>

#include "ops/conv/conv.h"

namespace algoscope::ops::conv {

struct Plane2d {
  int64_t H = 1, W = 1, KH = 1, KW = 1, SH = 1, SW = 1, DH = 1, DW = 1;
  int64_t PT = 0, PL = 0, PB = 0, PR = 0, OH = 1, OW = 1;
  int64_t in_size() const { return H * W; }
  int64_t out_size() const { return OH * OW; }
  int64_t taps() const { return KH * KW; }
  // The interior output columns [a, b): those whose every kernel tap lands inside the input row.
  void interior_columns(int64_t& a, int64_t& b) const {
    const int64_t span = (KW - 1) * DW;
    a = std::min((PL + SW - 1) / SW, OW);
    b = W - 1 + PL - span < 0 ? 0 : (W - 1 + PL - span) / SW + 1;
    b = std::clamp(b, a, OW);
  }
};

inline Plane2d to_plane2d(const Window& w) {
  Plane2d p;
  const bool two = w.rank() == 2;
  const size_t x = two ? 1 : 0;  // the width axis
  if (two) {
    p.H = w.input[0], p.KH = w.kernel[0], p.SH = w.strides[0], p.DH = w.dilations[0];
    p.PT = w.pad_begin[0], p.PB = w.pad_end[0], p.OH = w.output[0];
  }
  p.W = w.input[x], p.KW = w.kernel[x], p.SW = w.strides[x], p.DW = w.dilations[x];
  p.PL = w.pad_begin[x], p.PR = w.pad_end[x], p.OW = w.output[x];
  return p;
}

// Why `algorithm` cannot run a layer of this rank (it handles 1-D and 2-D), or nothing.
inline std::optional<std::string> plane2d_rank_reason(const Layer& layer,
                                                      const std::string& algorithm) {
  try {
    const ConvGeometry g = conv_geometry(layer);
    if (g.window.rank() > 2)
      return algorithm + " is implemented for 1-D and 2-D convolutions, this one has " +
             std::to_string(g.window.rank()) + " spatial axes";
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

}  // namespace algoscope::ops::conv
