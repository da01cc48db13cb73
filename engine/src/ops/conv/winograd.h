// Shared machinery of the Winograd convolutions F(2x2,3x3) and F(4x4,3x3) (Lavin & Gray, "Fast
// Algorithms for Convolutional Neural Networks", arXiv 1509.09308). Both tile the output into m x m
// tiles, each computed from an (m+2) x (m+2) input tile as Y = A^T [(G g G^T) . (B^T d B)] A; the
// elementwise product summed over input channels becomes, for each of the (m+2)^2 transform
// positions, one GEMM [tiles x C/g] x [C/g x OC/g]. This header holds what the two variants share
// (tiling, staging, the GEMM phase, threading); winograd_f2.cpp and winograd_f4.cpp supply their
// transform matrices and vectorized tile transforms.
//
// Layouts (per group, per block of tile rows): transformed input V[xi][tile][Cp] and transformed
// output M[xi][tile][OCp], with Cp, OCp the channel counts rounded up to kLanes so that every tile
// transform works on whole vectors of kLanes channels. Filters U[xi][C/g][OCp] (zero columns in the
// padding), made once at prepare time when W is constant.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "algoscope/registry.h"

namespace algoscope::ops::conv::winograd {

// Channels per vector block: one AVX-512 register, two AVX2 registers, four SSE registers.
constexpr int kLanes = 16;

// One variant's transforms, for one instruction set.
struct Transforms {
  const char* title = "";  // "Winograd F(2x2,3x3)", for not-applicable reasons
  int m = 0;               // output tile edge
  int alpha = 0;           // input tile edge, m + 2
  // The alpha x 3 filter transform G (exact values, applied in double at prepare time).
  const double* g = nullptr;
  // For tiles t < tiles of one strip: strip[r][j][kLanes] holds input rows r < alpha and columns
  // j < width = tiles * m + 2 (zeros outside the image); writes B^T d B of tile t, position
  // xi = i * alpha + j, to v[xi * xi_stride + t * tile_stride + lane].
  void (*input)(const float* strip, int width, int tiles, float* v, size_t xi_stride,
                size_t tile_stride) = nullptr;
  // The inverse: reads m[xi * xi_stride + t * tile_stride + lane], writes A^T m A + bias of tile t
  // to strip[i][t * m + j][kLanes] (rows i < m, row length width = tiles * m).
  void (*output)(const float* m, size_t xi_stride, size_t tile_stride, int tiles, const float* bias,
                 float* strip, int width) = nullptr;
};

std::optional<std::string> not_applicable(const Layer& layer, const Transforms& t);
size_t workspace_bytes(const Layer& layer, const Transforms& t);
size_t prepared_bytes(const Layer& layer, const Transforms& t);
std::unique_ptr<Kernel> prepare(const Layer& layer, const Transforms& t);

}  // namespace algoscope::ops::conv::winograd
