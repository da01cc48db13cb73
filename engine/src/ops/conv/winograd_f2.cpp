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

size_t winograd_f2_prepared_bytes(const Layer& layer) {
  return winograd::prepared_bytes(layer, transforms());
}

std::unique_ptr<Kernel> prepare_winograd_f2(const Layer& layer) {
  return winograd::prepare(layer, transforms());
}

AlgorithmText winograd_f2_text() {
  return {
      "Winograd F(2x2,3x3): 2.25x fewer multiplies on 3x3 stride-1 layers",
      "Lavin & Gray's minimal filtering F(2x2,3x3) (arXiv 1509.09308). The output is cut into "
      "2x2 tiles, each computed from the 4x4 input tile d under it: V = B^T d B per tile and "
      "input channel (additions only), U = G g G^T per filter (made once at prepare time, in "
      "double, when W is constant; per call otherwise), and the tile is A^T (sum over channels "
      "of U . V) A. The sum over channels at each of the 16 transform positions is one GEMM "
      "[tiles x C/g] x [C/g x OC/g], single-threaded inside each OpenMP thread (our blocked "
      "GEMM on U packed once at prepare time from 128 channels, OpenBLAS below), "
      "so a 2x2 output tile costs 16 multiplies per channel pair instead of 36: 2.25x fewer. "
      "Tiles go in blocks of tile rows (V + M about 1 MB, at least 96 tiles) and channels in "
      "vectors of 16 (AVX-512, AVX2 or portable, chosen at run time); edge tiles read zeros "
      "outside the input and write only outputs that exist, so any pads work, and groups run "
      "one after another. Extra memory: workspace P * 4 * 16 * Tb * (C16 + OC16) bytes, with P "
      "the processors, Tb the tiles of a block (at most N * ceil(OH/2) * ceil(OW/2)) and C16, "
      "OC16 the per-group channel counts rounded up to 16; the filters U take "
      "4 * 16 * g * (C/g) * OC16 bytes (OC rounded up to 32 when packed for AVX-512), held by "
      "the kernel when W is constant and in the "
      "workspace otherwise. It wins on 3x3 stride-1 layers with many channels; F(4x4,3x3) is "
      "usually faster still, except on small images (7x7, 14x14) where its bigger tiles waste "
      "work and its 2.25x larger U must be streamed. It loses on few channels (the transforms "
      "dominate) and on depthwise layers (no channel sum to batch). Numerics: the transforms "
      "hold only 0, +-1 and +-1/2; measured max|err| / max|ref| 3.4e-7 (64 channels, 28x28) and "
      "6.2e-7 (256 channels, 14x14) against im2col's 4.9e-7 and 5.6e-7: about a direct sum's "
      "error, at most twice it."};
}

}  // namespace algoscope::ops::conv
