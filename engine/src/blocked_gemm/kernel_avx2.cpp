// The AVX2 micro-kernel: a 6 x 16 tile of C in 12 ymm accumulators (two vectors per row), two
// loads of the B panel and 6 broadcasts of A per k step: 12 + 2 + 1 of the 16 registers, the
// classic shape of BLIS's Haswell kernel. Few-row tiles split k over extra accumulator sets to
// keep enough independent FMA chains. Column edges use vmaskmov. Compiled with a target
// attribute; the driver calls it only when the CPU reports AVX2 and FMA.
#include <immintrin.h>

#include "blocked_gemm/microkernel.h"

namespace algoscope::blocked_gemm::detail {
namespace {

#define ALGOSCOPE_AVX2 __attribute__((target("avx2,fma")))

constexpr int kMr = 6;
constexpr int kNr = 16;

template <int R, int KU>
ALGOSCOPE_AVX2 void tile(int64_t kc, const float* __restrict a, const float* __restrict b, float* c,
                         int64_t ldc, int cols, float alpha, float beta) {
  __m256 acc[KU][R][2];
#pragma GCC unroll 64
  for (int u = 0; u < KU; ++u)
#pragma GCC unroll 64
    for (int r = 0; r < R; ++r) acc[u][r][0] = acc[u][r][1] = _mm256_setzero_ps();

  int64_t p = 0;
  for (; p + KU <= kc; p += KU) {
#pragma GCC unroll 64
    for (int u = 0; u < KU; ++u) {
      const float* bp = b + (p + u) * kNr;
      const float* ap = a + (p + u) * kMr;
      const __m256 b0 = _mm256_load_ps(bp);
      const __m256 b1 = _mm256_load_ps(bp + 8);
#pragma GCC unroll 64
      for (int r = 0; r < R; ++r) {
        const __m256 av = _mm256_broadcast_ss(ap + r);
        acc[u][r][0] = _mm256_fmadd_ps(av, b0, acc[u][r][0]);
        acc[u][r][1] = _mm256_fmadd_ps(av, b1, acc[u][r][1]);
      }
    }
  }
  for (; p < kc; ++p) {
    const __m256 b0 = _mm256_load_ps(b + p * kNr);
    const __m256 b1 = _mm256_load_ps(b + p * kNr + 8);
#pragma GCC unroll 64
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + p * kMr + r);
      acc[0][r][0] = _mm256_fmadd_ps(av, b0, acc[0][r][0]);
      acc[0][r][1] = _mm256_fmadd_ps(av, b1, acc[0][r][1]);
    }
  }
#pragma GCC unroll 64
  for (int u = 1; u < KU; ++u)
#pragma GCC unroll 64
    for (int r = 0; r < R; ++r) {
      acc[0][r][0] = _mm256_add_ps(acc[0][r][0], acc[u][r][0]);
      acc[0][r][1] = _mm256_add_ps(acc[0][r][1], acc[u][r][1]);
    }

  const __m256 va = _mm256_set1_ps(alpha);
  const __m256 vb = _mm256_set1_ps(beta);
  if (cols == kNr) {
#pragma GCC unroll 64
    for (int r = 0; r < R; ++r) {
      float* cr = c + r * ldc;
      __m256 v0 = _mm256_mul_ps(va, acc[0][r][0]);
      __m256 v1 = _mm256_mul_ps(va, acc[0][r][1]);
      if (beta != 0.0f) {
        v0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr), v0);
        v1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr + 8), v1);
      }
      _mm256_storeu_ps(cr, v0);
      _mm256_storeu_ps(cr + 8, v1);
    }
    return;
  }
  // Lane i of the masks is set when column i (or 8 + i) exists.
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols), lane);
  const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8), lane);
#pragma GCC unroll 64
  for (int r = 0; r < R; ++r) {
    float* cr = c + r * ldc;
    __m256 v0 = _mm256_mul_ps(va, acc[0][r][0]);
    __m256 v1 = _mm256_mul_ps(va, acc[0][r][1]);
    if (beta != 0.0f) {
      v0 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr, m0), v0);
      v1 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr + 8, m1), v1);
    }
    _mm256_maskstore_ps(cr, m0, v0);
    _mm256_maskstore_ps(cr + 8, m1, v1);
  }
}

ALGOSCOPE_AVX2 void kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                           int rows, int cols, float alpha, float beta) {
  switch (rows) {
    case 6:
      return tile<6, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 5:
      return tile<5, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 4:
      return tile<4, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 3:
      return tile<3, 2>(kc, a, b, c, ldc, cols, alpha, beta);
    case 2:
      return tile<2, 2>(kc, a, b, c, ldc, cols, alpha, beta);
    default:
      return tile<1, 4>(kc, a, b, c, ldc, cols, alpha, beta);
  }
}

}  // namespace

const MicroKernel& avx2_kernel() {
  // KC * NR * 4 = 16 KB of B per micro-panel in L1; MC * KC * 4 = 288 KB of A in L2.
  static const MicroKernel k{kMr, kNr, 256, 6 * 48, 1024, kernel};
  return k;
}

}  // namespace algoscope::blocked_gemm::detail
