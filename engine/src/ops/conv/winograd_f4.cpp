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

size_t winograd_f4_prepared_bytes(const Layer& layer) {
  return winograd::prepared_bytes(layer, transforms());
}

std::unique_ptr<Kernel> prepare_winograd_f4(const Layer& layer) {
  return winograd::prepare(layer, transforms());
}

AlgorithmText winograd_f4_text() {
  return {
      "Winograd F(4x4,3x3): 4x fewer multiplies on 3x3 stride-1 layers",
      "Lavin & Gray's minimal filtering F(4x4,3x3) (arXiv 1509.09308). The output is cut into "
      "4x4 tiles, each computed from the 6x6 input tile d under it: V = B^T d B per tile and "
      "input channel, U = G g G^T per filter (made once at prepare time, in double, when W is "
      "constant; per call otherwise), and the tile is A^T (sum over channels of U . V) A. The "
      "interpolation points are 0, +-1, +-1/2 and infinity (more accurate in float than Lavin's "
      "+-2; Barabasz et al. arXiv 1803.10986). The sum over channels at each of the 36 "
      "transform positions is one GEMM [tiles x C/g] x [C/g x OC/g], single-threaded inside "
      "each OpenMP thread (our blocked GEMM on U packed once at prepare time from 128 channels, "
      "OpenBLAS below), so a 4x4 output tile costs 36 multiplies per "
      "channel pair instead of 144: 4x fewer. Tiles go in blocks of tile rows (V + M about "
      "1 MB, at least 96 tiles) and channels in vectors of 16 (AVX-512, AVX2 or portable, "
      "chosen at run time); edge tiles read zeros outside the input and write only outputs that "
      "exist, so any pads work, and groups run one after another. Extra memory: workspace "
      "P * 4 * 36 * Tb * (C16 + OC16) bytes, with P the processors, Tb the tiles of a block (at "
      "most N * ceil(OH/4) * ceil(OW/4)) and C16, OC16 the per-group channel counts rounded up "
      "to 16; the filters U take 4 * 36 * g * (C/g) * OC16 bytes (4x the weights; OC rounded up "
      "to 32 when packed for AVX-512), held by the "
      "kernel when W is constant and in the workspace otherwise. It wins on 3x3 stride-1 layers "
      "with 64 or more channels on images of 14x14 and up (measured here about 2x im2col on "
      "VGG-like batch-10 layers and on ResNet-50's 56x56 and 28x28 3x3 layers). It loses on 7x7 "
      "images (a 4x4 tile grid over 7x7 computes 64 outputs for 49, and each block streams all "
      "of U), on few channels (the transforms dominate) and on depthwise layers. Numerics: "
      "B^T and A^T hold coefficients up to 5 and the products are summed in the transformed "
      "domain, so rounding grows: measured max|err| / max|ref| 5.4e-6 (64 channels, 28x28) and "
      "1.1e-5 (256 channels, 14x14) against im2col's 4.9e-7 and 5.6e-7, 11x to 20x a direct "
      "sum."};
}

}  // namespace algoscope::ops::conv
