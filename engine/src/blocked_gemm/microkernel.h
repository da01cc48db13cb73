// The contract between the GEMM driver (blocked_gemm.cpp) and the per-ISA micro-kernel files:
// register tile sizes, cache block sizes, and the function that computes one tile of C.
#pragma once

#include <cstdint>

namespace algoscope::blocked_gemm::detail {

// C[rows x cols] = alpha * Ap * Bp + beta * C (beta == 0: C is not read), where Ap is one packed
// MR x kc panel of A (element (r, p) at a[p * MR + r]) and Bp one packed kc x NR panel of B
// (element (p, j) at b[p * NR + j], zero-padded to NR columns, 64-byte aligned). rows <= MR,
// cols <= NR: edge tiles are computed with fewer rows and masked columns.
using MicroKernelFn = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                               int rows, int cols, float alpha, float beta);

struct MicroKernel {
  int mr, nr;  // register tile of C
  int kc;      // depth of a packed block: a KC x NR panel of B stays in L1
  int mc;      // rows of A packed at once (MC x KC floats stay in L2)
  int nc;      // columns of B packed at once per thread (KC x NC floats stay in L2/L3)
  MicroKernelFn fn;
};

const MicroKernel& avx512_kernel();
const MicroKernel& avx2_kernel();
const MicroKernel& portable_kernel();

}  // namespace algoscope::blocked_gemm::detail
