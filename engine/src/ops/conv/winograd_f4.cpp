// Winograd F(4x4,3x3) (Lavin & Gray, arXiv 1509.09308, section 4.2): each 4x4 output tile comes
// from a 6x6 input tile with 36 multiplies per channel pair instead of 144, a 4x cut in GEMM work,
// paid for with larger transform coefficients and so a larger rounding error than F(2x2,3x3).
// The interpolation points are 0, +-1, +-1/2 and infinity, which Barabasz et al. (arXiv 1803.10986)
// found more accurate in float than Lavin's 0, +-1, +-2; the rows of B^T are scaled by powers of
// two (exact) so that it has integer entries. Tiling, GEMMs and threading live in winograd.cpp.
#include "ops/conv/conv.h"
#include "ops/conv/winograd_simd.h"

namespace algoscope::ops::conv {

namespace {

using winograd::Lanes;

// G (6 x 3), applied to the filters in double at prepare time.
const double kG[18] = {1.0,      0.0,      0.0,      1.0 / 6,  1.0 / 6,  1.0 / 6,
                       1.0 / 6,  -1.0 / 6, 1.0 / 6,  -4.0 / 3, -2.0 / 3, -1.0 / 3,
                       -4.0 / 3, 2.0 / 3,  -1.0 / 3, 0.0,      0.0,      0.25};

struct Variant {
  static constexpr int kM = 4;
  static constexpr int kAlpha = 6;

  // o = B^T d along one axis:
  //   B^T = [1  0 -5  0  4  0]   o0 = d0 - 5 d2 + 4 d4
  //         [0 -1 -1  4  4  0]   o1 = (4 d4 - d2) + (4 d3 - d1)
  //         [0  1 -1 -4  4  0]   o2 = (4 d4 - d2) - (4 d3 - d1)
  //         [0 -1 -2  1  2  0]   o3 = 2 (d4 - d2) + (d3 - d1)
  //         [0  1 -2 -1  2  0]   o4 = 2 (d4 - d2) - (d3 - d1)
  //         [0  1  0 -5  0  4]   o5 = d1 - 5 d3 + 4 d5
  static ALGOSCOPE_WINOGRAD_INLINE void bt(const Lanes* d, Lanes* o) {
    const Lanes a = 4.0f * d[4] - d[2];
    const Lanes b = 4.0f * d[3] - d[1];
    const Lanes c = 2.0f * (d[4] - d[2]);
    const Lanes e = d[3] - d[1];
    o[0] = d[0] - 5.0f * d[2] + 4.0f * d[4];
    o[1] = a + b;
    o[2] = a - b;
    o[3] = c + e;
    o[4] = c - e;
    o[5] = d[1] - 5.0f * d[3] + 4.0f * d[5];
  }

  // o = A^T m along one axis:
  //   A^T = [1 1  1  1    1    0]
  //         [0 1 -1  1/2 -1/2  0]
  //         [0 1  1  1/4  1/4  0]
  //         [0 1 -1  1/8 -1/8  1]
  static ALGOSCOPE_WINOGRAD_INLINE void at(const Lanes* m, Lanes* o) {
    const Lanes s12 = m[1] + m[2];
    const Lanes d12 = m[1] - m[2];
    const Lanes s34 = m[3] + m[4];
    const Lanes d34 = m[3] - m[4];
    o[0] = m[0] + s12 + s34;
    o[1] = d12 + 0.5f * d34;
    o[2] = s12 + 0.25f * s34;
    o[3] = d12 + 0.125f * d34 + m[5];
  }
};

winograd::Transforms transforms() {
  return winograd::transforms_for<Variant>("Winograd F(4x4,3x3)", kG);
}

}  // namespace

std::optional<std::string> winograd_f4_not_applicable(const Layer& layer) {
  return winograd::not_applicable(layer, transforms());
}

size_t winograd_f4_workspace_bytes(const Layer& layer) {
  return winograd::workspace_bytes(layer, transforms());
}

std::unique_ptr<Kernel> prepare_winograd_f4(const Layer& layer) {
  return winograd::prepare(layer, transforms());
}

}  // namespace algoscope::ops::conv
