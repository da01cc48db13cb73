// The GEMM driver: run-time choice of the micro-kernel, packing of A and B into the panel layout
// of microkernel.h, the five Goto loops around the micro-kernel, and the split of C between
// OpenMP threads. C is cut into stripes (ranges of NR-column panels, or of MR-row panels when that
// balances better), handed out dynamically; each stripe is an independent serial GEMM with the
// thread's own packing buffers, so threads never wait on each other inside the product. The
// price is that the operand shared by all stripes is packed once per stripe (nothing when B is
// pre-packed and the split is by rows), which bounds the number of stripes.
#include "blocked_gemm/blocked_gemm.h"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "algoscope/error.h"
#include "blocked_gemm/microkernel.h"

namespace algoscope::blocked_gemm {
namespace {

using detail::MicroKernel;

const MicroKernel& kernel_for(cpu::IsaLevel isa) {
  switch (isa) {
    case cpu::IsaLevel::Avx512:
      return detail::avx512_kernel();
    case cpu::IsaLevel::Avx2:
      return detail::avx2_kernel();
    case cpu::IsaLevel::Portable:
      break;
  }
  return detail::portable_kernel();
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// A growable 64-byte aligned scratch buffer, one per thread and role: OpenMP's worker threads
// persist, so after the first call no GEMM allocates.
struct Scratch {
  float* data = nullptr;
  size_t capacity = 0;
  ~Scratch() { std::free(data); }
  float* get(size_t floats) {
    if (floats > capacity) {
      std::free(data);
      const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
      data = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (!data) throw Error("out of memory for GEMM packing buffers");
      capacity = bytes / sizeof(float);
    }
    return data;
  }
};

thread_local Scratch t_a_buffer, t_b_buffer;

// Packs rows [0, mcb) x depth [p0, p0 + kcb) of op(A) into MR-row panels (element (r, p) of panel
// i at out[i * MR * kcb + p * MR + r]); the rows of the last panel past mcb are zero.
void pack_a(bool ta, const float* a, int64_t lda, int64_t mcb, int64_t p0, int64_t kcb, int mr,
            float* out) {
  for (int64_t i0 = 0; i0 < mcb; i0 += mr) {
    const int rows = static_cast<int>(std::min<int64_t>(mr, mcb - i0));
    float* dst = out + i0 * kcb;
    if (!ta) {
      // Row r of the panel is contiguous in A: read it in order, write with stride MR.
      for (int r = 0; r < rows; ++r) {
        const float* src = a + (i0 + r) * lda + p0;
        for (int64_t p = 0; p < kcb; ++p) dst[p * mr + r] = src[p];
      }
    } else {
      for (int64_t p = 0; p < kcb; ++p) {
        const float* src = a + (p0 + p) * lda + i0;
        for (int r = 0; r < rows; ++r) dst[p * mr + r] = src[r];
      }
    }
    if (rows < mr)
      for (int64_t p = 0; p < kcb; ++p)
        for (int r = rows; r < mr; ++r) dst[p * mr + r] = 0.0f;
  }
}

// Packs depth [p0, p0 + kcb) x columns [j0, j0 + ncb) of op(B) into NR-column panels (element
// (p, j) of panel q at out[q * kcb * NR + p * NR + j]); columns of the last panel past ncb are 0.
void pack_b_block(bool tb, const float* b, int64_t ldb, int64_t p0, int64_t kcb, int64_t j0,
                  int64_t ncb, int nr, float* out) {
  for (int64_t q0 = 0; q0 < ncb; q0 += nr) {
    const int cols = static_cast<int>(std::min<int64_t>(nr, ncb - q0));
    float* dst = out + q0 * kcb;
    if (!tb) {
      for (int64_t p = 0; p < kcb; ++p) {
        const float* src = b + (p0 + p) * ldb + j0 + q0;
        float* d = dst + p * nr;
        std::memcpy(d, src, sizeof(float) * cols);
        for (int j = cols; j < nr; ++j) d[j] = 0.0f;
      }
    } else {
      // Column j of op(B) is row j of B: read it in order, write with stride NR.
      for (int j = 0; j < cols; ++j) {
        const float* src = b + (j0 + q0 + j) * ldb + p0;
        for (int64_t p = 0; p < kcb; ++p) dst[p * nr + j] = src[p];
      }
      if (cols < nr)
        for (int64_t p = 0; p < kcb; ++p)
          for (int j = cols; j < nr; ++j) dst[p * nr + j] = 0.0f;
    }
  }
}

// Where the B operand comes from: raw memory (packed per block by the caller's thread) or a
// PackedMatrix made ahead of time.
struct BSource {
  bool trans = false;
  const float* b = nullptr;
  int64_t ldb = 0;
  const float* packed = nullptr;  // non-null: pre-packed, `panels` panels per KC block
  int64_t panels = 0;
  int kc = 0;
  int64_t col_base = 0;  // pre-packed: the column of B that column 0 of this product is
};

// The epilogue on rows x cols of C starting at column `col` (of the C the epilogue's bias is
// indexed by): called on a tile the micro-kernel has just finished, so it is still in L1.
void finish_tile(const Epilogue& ep, float* c, int64_t ldc, int64_t rows, int64_t cols,
                 int64_t col) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = c + r * ldc;
    if (ep.bias) {
      const float* bias = ep.bias + col;
      for (int64_t j = 0; j < cols; ++j) row[j] += bias[j];
    }
    if (ep.activation) ep.activation(ep.context, row, cols);
  }
}

// C[m x n] (already offset to the stripe) = alpha * op(A) * op(B)[:, col0 : col0 + n] + beta * C,
// with A already offset to the stripe's rows, then the epilogue (its bias offset to the stripe's
// columns) on each tile of the last depth block. One thread; col0 is a multiple of NR when
// pre-packed.
void gemm_stripe(const MicroKernel& mk, bool ta, int64_t m, int64_t n, int64_t k, float alpha,
                 const float* a, int64_t lda, const BSource& bs, int64_t col0, float beta, float* c,
                 int64_t ldc, const Epilogue& ep) {
  const int mr = mk.mr, nr = mk.nr;
  const int64_t kc_block = bs.packed ? bs.kc : mk.kc;
  const int64_t mc_block = std::min<int64_t>(mk.mc, ceil_div(m, mr) * mr);
  const int64_t nc_block = mk.nc;
  float* abuf = t_a_buffer.get(static_cast<size_t>(mc_block * kc_block));
  float* bbuf = bs.packed ? nullptr
                          : t_b_buffer.get(static_cast<size_t>(
                                std::min<int64_t>(nc_block, ceil_div(n, nr) * nr) * kc_block));
  for (int64_t jc = 0; jc < n; jc += nc_block) {
    const int64_t ncb = std::min(nc_block, n - jc);
    const int64_t panels = ceil_div(ncb, nr);
    for (int64_t pc = 0; pc < k; pc += kc_block) {
      const int64_t kcb = std::min(kc_block, k - pc);
      const float beta_now = pc == 0 ? beta : 1.0f;  // later depth blocks accumulate onto C
      const bool last_block = pc + kcb >= k && !ep.empty();
      const float* bblock;
      if (bs.packed) {
        bblock = bs.packed + pc * bs.panels * nr + (bs.col_base + col0 + jc) / nr * kcb * nr;
      } else {
        pack_b_block(bs.trans, bs.b, bs.ldb, pc, kcb, col0 + jc, ncb, nr, bbuf);
        bblock = bbuf;
      }
      for (int64_t ic = 0; ic < m; ic += mc_block) {
        const int64_t mcb = std::min(mc_block, m - ic);
        pack_a(ta, ta ? a + ic : a + ic * lda, lda, mcb, pc, kcb, mr, abuf);
        // jr outer, ir inner: one KC x NR panel of B stays in L1 while the MC x KC block of A
        // streams from L2 through it.
        for (int64_t jr = 0; jr < panels; ++jr) {
          const int cols = static_cast<int>(std::min<int64_t>(nr, ncb - jr * nr));
          const float* bp = bblock + jr * kcb * nr;
          for (int64_t ir = 0; ir < mcb; ir += mr) {
            const int rows = static_cast<int>(std::min<int64_t>(mr, mcb - ir));
            float* tile = c + (ic + ir) * ldc + jc + jr * nr;
            mk.fn(kcb, abuf + ir * kcb, bp, tile, ldc, rows, cols, alpha, beta_now);
            if (last_block) finish_tile(ep, tile, ldc, rows, cols, jc + jr * nr);
          }
        }
      }
    }
  }
}

// C = beta * C: the whole result when k == 0 or alpha == 0 (beta == 0 writes zeros, never reads).
// The epilogue follows, as after a product.
void scale_c(int64_t m, int64_t n, float beta, float* c, int64_t ldc, const Epilogue& ep) {
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.0f)
      std::fill(row, row + n, 0.0f);
    else if (beta != 1.0f)
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
  }
  if (!ep.empty()) finish_tile(ep, c, ldc, m, n, 0);
}

void check_args(int64_t m, int64_t n, int64_t k, int64_t lda_min, int64_t lda, int64_t ldc) {
  if (m < 0 || n < 0 || k < 0) throw Error("GEMM dimensions must not be negative");
  if (lda < lda_min) throw Error("GEMM leading dimension of A is smaller than its row length");
  if (ldc < n) throw Error("GEMM leading dimension of C is smaller than its row length");
}

// Splits C into one stripe per thread and runs gemm_stripe on each.
void run(const MicroKernel& mk, bool ta, int64_t m, int64_t n, int64_t k, float alpha,
         const float* a, int64_t lda, const BSource& bs, float beta, float* c, int64_t ldc,
         const Epilogue& ep) {
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.0f) return scale_c(m, n, beta, c, ldc, ep);

  const int64_t row_panels = ceil_div(m, mk.mr), col_panels = ceil_div(n, mk.nr);
  // Inside a parallel region (a caller that hands each thread whole matrices) stay on one thread.
  int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  // Below about a million FLOPs (a few microseconds) waking a second thread costs more than it
  // saves.
  if (2.0 * double(m) * double(n) * double(k) < double(1 << 20)) threads = 1;
  threads = static_cast<int>(std::min<int64_t>(threads, std::max(row_panels, col_panels)));
  if (threads <= 1) return gemm_stripe(mk, ta, m, n, k, alpha, a, lda, bs, 0, beta, c, ldc, ep);

  // Micro-tiles on the busiest thread for each split; ties go to the split that repacks less
  // (A is repacked by every column stripe, B by every row stripe unless it is pre-packed).
  const int64_t by_cols = ceil_div(col_panels, threads) * row_panels;
  const int64_t by_rows = ceil_div(row_panels, threads) * col_panels;
  const bool split_cols = by_cols < by_rows || (by_cols == by_rows && !bs.packed && m <= n);

  // More stripes than threads, handed out dynamically, keep a thread that the OS preempts (a busy
  // shared machine) from holding up the others; each extra stripe repacks the shared operand, so
  // there are only as many as keep that repacking under ~5 % of the work (1 float ~ 16 FLOPs).
  const double flops = 2.0 * double(m) * double(n) * double(k);
  const double shared_floats = split_cols ? double(m) * double(k) : bs.packed ? 0.0 : double(k) * n;
  const int64_t affordable =
      shared_floats > 0 ? int64_t(0.05 * flops / (16.0 * shared_floats)) : 64;
  const int64_t panels = split_cols ? col_panels : row_panels;
  const int64_t stripes =
      std::min<int64_t>(panels, threads * std::clamp<int64_t>(affordable / threads, 1, 4));
  const int64_t unit = split_cols ? mk.nr : mk.mr;
  const int64_t extent = split_cols ? n : m;

#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int64_t s = 0; s < stripes; ++s) {
    const int64_t begin = std::min(extent, panels * s / stripes * unit);
    const int64_t end = std::min(extent, panels * (s + 1) / stripes * unit);
    if (begin >= end) continue;
    if (split_cols) {
      Epilogue stripe_ep = ep;
      if (stripe_ep.bias) stripe_ep.bias += begin;
      gemm_stripe(mk, ta, m, end - begin, k, alpha, a, lda, bs, begin, beta, c + begin, ldc,
                  stripe_ep);
    } else {
      gemm_stripe(mk, ta, end - begin, n, k, alpha, ta ? a + begin : a + begin * lda, lda, bs, 0,
                  beta, c + begin * ldc, ldc, ep);
    }
  }
}

}  // namespace

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
           const Epilogue& epilogue) {
  check_args(m, n, k, trans_a ? m : k, lda, ldc);
  if (ldb < (trans_b ? k : n))
    throw Error("GEMM leading dimension of B is smaller than its row length");
  BSource bs;
  bs.trans = trans_b;
  bs.b = b;
  bs.ldb = ldb;
  run(kernel_for(cpu::active_level()), trans_a, m, n, k, alpha, a, lda, bs, beta, c, ldc, epilogue);
}

void PackedMatrix::Free::operator()(float* p) const { std::free(p); }

size_t packed_b_bytes(int64_t k, int64_t n) {
  const int nr = kernel_for(cpu::active_level()).nr;
  return static_cast<size_t>(k * ceil_div(n, nr) * nr) * sizeof(float);
}

PackedMatrix pack_b(bool trans_b, int64_t k, int64_t n, const float* b, int64_t ldb) {
  if (k < 0 || n < 0) throw Error("GEMM dimensions must not be negative");
  if (ldb < (trans_b ? k : n))
    throw Error("GEMM leading dimension of B is smaller than its row length");
  PackedMatrix out;
  out.isa_ = cpu::active_level();
  const MicroKernel& mk = kernel_for(out.isa_);
  out.k_ = k;
  out.n_ = n;
  out.nr_ = mk.nr;
  out.kc_ = mk.kc;
  out.panels_ = ceil_div(n, mk.nr);
  out.floats_ = packed_b_bytes(k, n) / sizeof(float);
  if (out.floats_ == 0) return out;
  const size_t bytes = (out.floats_ * sizeof(float) + 63) / 64 * 64;
  out.data_.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
  if (!out.data_) throw Error("out of memory for a packed GEMM operand");
  // The same layout gemm_stripe builds per block, for every depth block at once.
  for (int64_t pc = 0; pc < k; pc += mk.kc) {
    const int64_t kcb = std::min<int64_t>(mk.kc, k - pc);
    pack_b_block(trans_b, b, ldb, pc, kcb, 0, n, mk.nr, out.data_.get() + pc * out.panels_ * mk.nr);
  }
  return out;
}

void sgemm_prepacked(bool trans_a, int64_t m, float alpha, const float* a, int64_t lda,
                     const PackedMatrix& b, float beta, float* c, int64_t ldc,
                     const Epilogue& epilogue) {
  sgemm_prepacked_columns(trans_a, m, alpha, a, lda, b, 0, b.n(), beta, c, ldc, epilogue);
}

void sgemm_prepacked_columns(bool trans_a, int64_t m, float alpha, const float* a, int64_t lda,
                             const PackedMatrix& b, int64_t col0, int64_t cols, float beta,
                             float* c, int64_t ldc, const Epilogue& epilogue) {
  if (col0 < 0 || cols < 0 || col0 + cols > b.n_ || (b.nr_ > 0 && col0 % b.nr_ != 0))
    throw Error("GEMM column range is outside the packed matrix or not on a panel boundary");
  check_args(m, cols, b.k_, trans_a ? m : b.k_, lda, ldc - col0);
  BSource bs;
  bs.packed = b.data_.get();
  bs.panels = b.panels_;
  bs.kc = b.kc_;
  bs.col_base = col0;
  const MicroKernel& mk = kernel_for(b.isa_);
  // The epilogue's bias is indexed like C's columns: shift it with C to column col0.
  Epilogue ep = epilogue;
  if (ep.bias) ep.bias += col0;
  if (!bs.packed) {  // k == 0 or n == 0: nothing was packed
    if (m > 0 && cols > 0) scale_c(m, cols, beta, c + col0, ldc, ep);
    return;
  }
  run(mk, trans_a, m, cols, b.k_, alpha, a, lda, bs, beta, c + col0, ldc, ep);
}

}  // namespace algoscope::blocked_gemm
