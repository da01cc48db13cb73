// The portable micro-kernel: a 4 x 16 tile of C in a local array, plain C++ that the compiler
// vectorizes with whatever the build's baseline ISA offers (SSE2 on any x86-64). It is the
// fallback for CPUs without AVX2 and the yardstick the SIMD kernels are tested against.
#include "blocked_gemm/microkernel.h"

namespace algoscope::blocked_gemm::detail {
namespace {

constexpr int kMr = 4;
constexpr int kNr = 16;

void kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int rows, int cols,
            float alpha, float beta) {
  float acc[kMr][kNr] = {};
  for (int64_t p = 0; p < kc; ++p) {
    const float* bp = b + p * kNr;
    const float* ap = a + p * kMr;
    for (int r = 0; r < kMr; ++r)
      for (int j = 0; j < kNr; ++j) acc[r][j] += ap[r] * bp[j];
  }
  for (int r = 0; r < rows; ++r) {
    float* cr = c + r * ldc;
    if (beta == 0.0f)
      for (int j = 0; j < cols; ++j) cr[j] = alpha * acc[r][j];
    else
      for (int j = 0; j < cols; ++j) cr[j] = alpha * acc[r][j] + beta * cr[j];
  }
}

}  // namespace

const MicroKernel& portable_kernel() {
  static const MicroKernel k{kMr, kNr, 256, 4 * 32, 1024, kernel};
  return k;
}

}  // namespace algoscope::blocked_gemm::detail
