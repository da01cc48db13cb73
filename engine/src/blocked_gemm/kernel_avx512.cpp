// The AVX-512 micro-kernel: a 14 x 32 tile of C in 28 zmm accumulators (two vectors per row),
// updated per k step by two aligned loads of the B panel and 14 broadcasts of A folded into the
// FMAs, which leaves 2 of the 32 registers for B. 28 independent FMA chains cover the FMA latency
// (4 cycles) times the two FMA pipes many times over. Tiles with few rows (the m = 1 of a fully
// connected layer) would be latency bound with so few chains, so they split k over up to four
// accumulator sets that are summed at the end. Compiled with a target attribute, not -mavx512f:
// the driver calls it only when the CPU reports AVX-512.
#include <immintrin.h>

#include "blocked_gemm/microkernel.h"

namespace algoscope::blocked_gemm::detail {
namespace {

#define ALGOSCOPE_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))

constexpr int kMr = 14;
constexpr int kNr = 32;

// R rows of the tile, KU independent accumulator sets over k (summed at the end).
template <int R, int KU>
ALGOSCOPE_AVX512 void tile(int64_t kc, const float* __restrict a, const float* __restrict b,
                           float* c, int64_t ldc, int cols, float alpha, float beta) {
  __m512 acc[KU][R][2];
#pragma GCC unroll 64
  for (int u = 0; u < KU; ++u)
#pragma GCC unroll 64
    for (int r = 0; r < R; ++r) acc[u][r][0] = acc[u][r][1] = _mm512_setzero_ps();

      // The C tile is read (beta != 0) and written only after the k loop: start fetching it now.
#pragma GCC unroll 64
  for (int r = 0; r < R; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + 16), _MM_HINT_T0);
  }
  int64_t p = 0;
  for (; p + KU <= kc; p += KU) {
#pragma GCC unroll 64
    for (int u = 0; u < KU; ++u) {
      const float* bp = b + (p + u) * kNr;
      const float* ap = a + (p + u) * kMr;
      const __m512 b0 = _mm512_load_ps(bp);
      const __m512 b1 = _mm512_load_ps(bp + 16);
#pragma GCC unroll 64
      for (int r = 0; r < R; ++r) {
        const __m512 av = _mm512_set1_ps(ap[r]);
        acc[u][r][0] = _mm512_fmadd_ps(av, b0, acc[u][r][0]);
        acc[u][r][1] = _mm512_fmadd_ps(av, b1, acc[u][r][1]);
      }
    }
  }
  for (; p < kc; ++p) {
    const float* bp = b + p * kNr;
    const __m512 b0 = _mm512_load_ps(bp);
    const __m512 b1 = _mm512_load_ps(bp + 16);
#pragma GCC unroll 64
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[p * kMr + r]);
      acc[0][r][0] = _mm512_fmadd_ps(av, b0, acc[0][r][0]);
      acc[0][r][1] = _mm512_fmadd_ps(av, b1, acc[0][r][1]);
    }
  }
#pragma GCC unroll 64
  for (int u = 1; u < KU; ++u)
#pragma GCC unroll 64
    for (int r = 0; r < R; ++r) {
      acc[0][r][0] = _mm512_add_ps(acc[0][r][0], acc[u][r][0]);
      acc[0][r][1] = _mm512_add_ps(acc[0][r][1], acc[u][r][1]);
    }

  // Masked stores write only the tile's real columns; a full mask costs nothing extra.
  const __mmask16 m0 = cols >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << cols) - 1);
  const __mmask16 m1 = cols >= 32  ? __mmask16(0xFFFF)
                       : cols > 16 ? __mmask16((1u << (cols - 16)) - 1)
                                   : __mmask16(0);
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 64
    for (int r = 0; r < R; ++r) {
      _mm512_mask_storeu_ps(c + r * ldc, m0, _mm512_mul_ps(va, acc[0][r][0]));
      _mm512_mask_storeu_ps(c + r * ldc + 16, m1, _mm512_mul_ps(va, acc[0][r][1]));
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 64
    for (int r = 0; r < R; ++r) {
      float* cr = c + r * ldc;
      const __m512 c0 = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m0, cr));
      const __m512 c1 = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16));
      _mm512_mask_storeu_ps(cr, m0, _mm512_fmadd_ps(va, acc[0][r][0], c0));
      _mm512_mask_storeu_ps(cr + 16, m1, _mm512_fmadd_ps(va, acc[0][r][1], c1));
    }
  }
}

ALGOSCOPE_AVX512 void kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                             int rows, int cols, float alpha, float beta) {
  switch (rows) {
    case 14:
      return tile<14, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 13:
      return tile<13, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 12:
      return tile<12, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 11:
      return tile<11, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 10:
      return tile<10, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 9:
      return tile<9, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 8:
      return tile<8, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 7:
      return tile<7, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 6:
      return tile<6, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 5:
      return tile<5, 1>(kc, a, b, c, ldc, cols, alpha, beta);
    case 4:
      return tile<4, 2>(kc, a, b, c, ldc, cols, alpha, beta);
    case 3:
      return tile<3, 2>(kc, a, b, c, ldc, cols, alpha, beta);
    case 2:
      return tile<2, 4>(kc, a, b, c, ldc, cols, alpha, beta);
    default:
      return tile<1, 4>(kc, a, b, c, ldc, cols, alpha, beta);
  }
}

}  // namespace

const MicroKernel& avx512_kernel() {
  // KC * NR * 4 = 32 KB of B per micro-panel; MC * KC * 4 = 336 KB of A in the 1 MB L2.
  static const MicroKernel k{kMr, kNr, 256, 14 * 24, 1024, kernel};
  return k;
}

}  // namespace algoscope::blocked_gemm::detail
