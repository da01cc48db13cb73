// Winograd F(2x2,3x3) (Lavin & Gray, arXiv 1509.09308, section 4.1): each 2x2 output tile comes
// from a 4x4 input tile with 16 multiplies per channel pair instead of 36, a 2.25x cut in GEMM
// work. Its transforms hold only 0, +-1 and +-1/2, so it adds little rounding error (about twice
// that of a direct convolution). Tiling, GEMMs and threading live in winograd.cpp.
#include "ops/conv/conv.h"
#include "ops/conv/winograd_simd.h"

namespace algoscope::ops::conv {

namespace {

using winograd::Lanes;

// G (4 x 3), applied to the filters in double at prepare time.
const double kG[12] = {1.0, 0.0, 0.0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0.0, 0.0, 1.0};

struct Variant {
  static constexpr int kM = 2;
  static constexpr int kAlpha = 4;

  // o = B^T d along one axis:
  //   B^T = [1  0 -1  0]
  //         [0  1  1  0]
  //         [0 -1  1  0]
  //         [0  1  0 -1]
  static ALGOSCOPE_WINOGRAD_INLINE void bt(const Lanes* d, Lanes* o) {
    o[0] = d[0] - d[2];
    o[1] = d[1] + d[2];
    o[2] = d[2] - d[1];
    o[3] = d[1] - d[3];
  }

  // o = A^T m along one axis:
  //   A^T = [1 1  1  0]
  //         [0 1 -1 -1]
  static ALGOSCOPE_WINOGRAD_INLINE void at(const Lanes* m, Lanes* o) {
    o[0] = m[0] + m[1] + m[2];
    o[1] = m[1] - m[2] - m[3];
  }
};

winograd::Transforms transforms() {
  return winograd::transforms_for<Variant>("Winograd F(2x2,3x3)", kG);
}

}  // namespace

std::optional<std::string> winograd_f2_not_applicable(const Layer& layer) {
  return winograd::not_applicable(layer, transforms());
}

size_t winograd_f2_workspace_bytes(const Layer& layer) {
  return winograd::workspace_bytes(layer, transforms());
}

std::unique_ptr<Kernel> prepare_winograd_f2(const Layer& layer) {
  return winograd::prepare(layer, transforms());
}

}  // namespace algoscope::ops::conv
