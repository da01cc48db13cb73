// The strided copy and block copy behind the shape family's `direct` algorithms (movement.h says
// what each path does). The 8 x 8 register tile is written once with GCC/Clang vector extensions
// and compiled per ISA level by ALGOSCOPE_SIMD_VARIANTS, so the AVX-512, AVX2 and portable builds
// all run (and are tested) on one machine.
#include "ops/shape/movement.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "ops/vector_math.h"

namespace algoscope::ops::shape {
namespace {

// Below this many bytes a copy stays on one thread (waking the team costs more than the copy).
constexpr size_t kParallelMinBytes = 1 << 20;
// Cache block of the 2-D transpose: 64 x 64 elements of 4 bytes = 16 KiB read and written, so
// both sides stay in L1/L2 while the 8 x 8 tiles walk it.
constexpr int64_t kBlock = 64;

int team_for(size_t bytes) {
  return bytes >= kParallelMinBytes ? std::max(1, omp_get_max_threads()) : 1;
}

typedef float v8sf __attribute__((vector_size(32)));

// dst[i * ld + k] = src[k * ls + i] for an 8 x 8 tile of floats: eight row loads, three rounds
// of shuffles (pairs, quads, halves), eight row stores; the compiler maps the shuffles onto
// vunpck/vshufps/vperm2f128 at AVX2 and AVX-512 and onto SSE pairs at the baseline.
ALGOSCOPE_INLINE void tile_8x8_body(const float* src, int64_t ls, float* dst, int64_t ld) {
  v8sf r[8];
  for (int j = 0; j < 8; ++j) __builtin_memcpy(&r[j], src + j * ls, sizeof(v8sf));
  v8sf t[8], u[8];
  for (int j = 0; j < 8; j += 2) {
    t[j] = __builtin_shufflevector(r[j], r[j + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[j + 1] = __builtin_shufflevector(r[j], r[j + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int j = 0; j < 8; j += 4)
    for (int h = 0; h < 2; ++h) {
      u[j + 2 * h] = __builtin_shufflevector(t[j + h], t[j + 2 + h], 0, 1, 8, 9, 4, 5, 12, 13);
      u[j + 2 * h + 1] =
          __builtin_shufflevector(t[j + h], t[j + 2 + h], 2, 3, 10, 11, 6, 7, 14, 15);
    }
  for (int j = 0; j < 4; ++j) {
    const v8sf lo = __builtin_shufflevector(u[j], u[j + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    const v8sf hi = __builtin_shufflevector(u[j], u[j + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    __builtin_memcpy(dst + j * ld, &lo, sizeof(v8sf));
    __builtin_memcpy(dst + (j + 4) * ld, &hi, sizeof(v8sf));
  }
}

// One cache block of the transpose: rows [i0, i1) and columns [k0, k1) of the output.
template <class T>
ALGOSCOPE_INLINE void block_body(const T* src, int64_t ls, T* dst, int64_t ld, int64_t i0,
                                 int64_t i1, int64_t k0, int64_t k1) {
  int64_t i = i0;
  if constexpr (sizeof(T) == 4) {
    for (; i + 8 <= i1; i += 8) {
      int64_t k = k0;
      for (; k + 8 <= k1; k += 8)
        tile_8x8_body(reinterpret_cast<const float*>(src + k * ls + i), ls,
                      reinterpret_cast<float*>(dst + i * ld + k), ld);
      for (; k < k1; ++k)
        for (int64_t ii = i; ii < i + 8; ++ii) dst[ii * ld + k] = src[k * ls + ii];
    }
  }
  for (; i < i1; ++i)
    for (int64_t k = k0; k < k1; ++k) dst[i * ld + k] = src[k * ls + i];
}

// dst[i * ld + k] = src[k * ls + i] for i < rows, k < cols, block by block.
template <class T>
ALGOSCOPE_INLINE void transpose_rows_body(const T* src, int64_t ls, T* dst, int64_t ld, int64_t i0,
                                          int64_t i1, int64_t cols) {
  for (int64_t k0 = 0; k0 < cols; k0 += kBlock)
    block_body(src, ls, dst, ld, i0, i1, k0, std::min(cols, k0 + kBlock));
}
ALGOSCOPE_SIMD_VARIANTS(transpose_rows, transpose_rows_body)

// Input offset of output row `row` (an index over every dimension but `skip` and the last).
int64_t row_offset(const StridedCopy& p, int64_t row, size_t skip) {
  int64_t offset = p.offset;
  for (size_t d = p.dims.size() - 1; d-- > 0;) {
    if (d == skip) continue;
    offset += (row % p.dims[d]) * p.strides[d];
    row /= p.dims[d];
  }
  return offset;
}

// Output offset of the same row: the output is contiguous.
int64_t out_row_offset(const StridedCopy& p, int64_t row, size_t skip) {
  int64_t offset = 0, stride = p.dims.back();
  for (size_t d = p.dims.size() - 1; d-- > 0;) {
    if (d != skip) {
      offset += (row % p.dims[d]) * stride;
      row /= p.dims[d];
    }
    stride *= p.dims[d];
  }
  return offset;
}

template <class T>
void run_typed(const StridedCopy& p, const T* in, T* out) {
  const int64_t inner = p.dims.back();
  const int team = team_for(static_cast<size_t>(p.total) * sizeof(T));
  if (p.path == StridedCopy::Path::Runs || p.path == StridedCopy::Path::Gather) {
    const int64_t rows = p.total / inner;
    const int64_t step = p.strides.back();
    const bool runs = p.path == StridedCopy::Path::Runs;
    // Rows in chunks: each chunk finds its first row's offset once, then counts.
    auto chunk = [&](int64_t t) {
      const int64_t r0 = rows * t / team, r1 = rows * (t + 1) / team;
      if (r0 == r1) return;
      std::vector<int64_t> index(p.dims.size(), 0);
      int64_t rest = r0;
      for (size_t d = p.dims.size() - 1; d-- > 0;) {
        index[d] = rest % p.dims[d];
        rest /= p.dims[d];
      }
      int64_t base = row_offset(p, r0, SIZE_MAX);
      for (int64_t r = r0; r < r1; ++r) {
        T* o = out + r * inner;
        if (runs)
          std::memcpy(o, in + base, sizeof(T) * static_cast<size_t>(inner));
        else
          for (int64_t i = 0; i < inner; ++i) o[i] = in[base + i * step];
        for (size_t d = p.dims.size() - 1; d-- > 0;) {
          base += p.strides[d];
          if (++index[d] < p.dims[d]) break;
          base -= p.strides[d] * p.dims[d];
          index[d] = 0;
        }
      }
    };
    // One thread: no OpenMP region at all (even a serialized one costs microseconds).
    if (team == 1) return chunk(0);
#pragma omp parallel for num_threads(team) schedule(static)
    for (int64_t t = 0; t < team; ++t) chunk(t);
    return;
  }
  // Transpose: for each combination of the other dimensions, an [inner, rows] -> [rows, inner]
  // matrix transpose, cut into row bands of kBlock so that the team has work on a single matrix.
  const size_t a = p.unit_axis;
  const int64_t rows = p.dims[a];
  int64_t ld = 1;  // output stride of dimension a
  for (size_t d = a + 1; d < p.dims.size(); ++d) ld *= p.dims[d];
  const int64_t ls = p.strides.back();
  const int64_t matrices = p.total / (rows * inner);
  const int64_t bands = (rows + kBlock - 1) / kBlock;
  auto item = [&](int64_t w) {
    const int64_t m = w / bands, band = w % bands;
    const T* src = in + row_offset(p, m, a);
    T* dst = out + out_row_offset(p, m, a);
    transpose_rows(src, ls, dst, ld, band * kBlock, std::min(rows, (band + 1) * kBlock), inner);
  };
  if (team == 1) {
    for (int64_t w = 0; w < matrices * bands; ++w) item(w);
    return;
  }
#pragma omp parallel for num_threads(team) schedule(static)
  for (int64_t w = 0; w < matrices * bands; ++w) item(w);
}

}  // namespace

StridedCopy plan_strided_copy(const std::vector<int64_t>& dims, const std::vector<int64_t>& strides,
                              int64_t offset, size_t esize) {
  StridedCopy p;
  p.offset = offset;
  p.esize = esize;
  p.total = 1;
  for (int64_t n : dims) p.total *= n;
  if (p.total == 0) return p;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] == 1) continue;
    // Merge into the previous kept dimension when stepping it equals stepping through this one.
    if (!p.dims.empty() && p.strides.back() == strides[d] * dims[d]) {
      p.dims.back() *= dims[d];
      p.strides.back() = strides[d];
    } else {
      p.dims.push_back(dims[d]);
      p.strides.push_back(strides[d]);
    }
  }
  if (p.dims.empty()) {
    p.dims = {1};
    p.strides = {1};
  }
  p.path = StridedCopy::Path::Gather;
  if (p.strides.back() == 1) {
    p.path = StridedCopy::Path::Runs;
  } else {
    for (size_t d = 0; d + 1 < p.dims.size(); ++d)
      if (p.strides[d] == 1) {
        p.path = StridedCopy::Path::Transpose;
        p.unit_axis = d;
      }
  }
  return p;
}

void run_strided_copy(const StridedCopy& p, const void* in, void* out) {
  if (p.path == StridedCopy::Path::Empty) return;
  switch (p.esize) {
    case 1:
      return run_typed(p, static_cast<const uint8_t*>(in), static_cast<uint8_t*>(out));
    case 2:
      return run_typed(p, static_cast<const uint16_t*>(in), static_cast<uint16_t*>(out));
    case 4:
      return run_typed(p, static_cast<const uint32_t*>(in), static_cast<uint32_t*>(out));
    case 8:
      return run_typed(p, static_cast<const uint64_t*>(in), static_cast<uint64_t*>(out));
  }
  // Other sizes (none today) as bytes: the same plan with byte strides.
  StridedCopy bytes = p;
  bytes.esize = 1;
  bytes.offset *= static_cast<int64_t>(p.esize);
  bytes.total *= static_cast<int64_t>(p.esize);
  bytes.dims.push_back(static_cast<int64_t>(p.esize));
  for (int64_t& s : bytes.strides) s *= static_cast<int64_t>(p.esize);
  bytes.strides.push_back(1);
  bytes.path = StridedCopy::Path::Gather;
  run_typed(bytes, static_cast<const uint8_t*>(in), static_cast<uint8_t*>(out));
}

std::string describe(const StridedCopy& p) {
  switch (p.path) {
    case StridedCopy::Path::Empty:
      return "nothing to copy";
    case StridedCopy::Path::Runs:
      return "runs of " + std::to_string(p.dims.back()) + " elements";
    case StridedCopy::Path::Transpose:
      return std::string(p.esize == 4 ? "8x8-tiled" : "blocked") + " transpose of " +
             std::to_string(p.dims.back()) + " x " + std::to_string(p.dims[p.unit_axis]);
    case StridedCopy::Path::Gather:
      return "strided loops";
  }
  return {};
}

Blocks plan_blocks(const Shape& whole, size_t axis, const std::vector<int64_t>& extents,
                   size_t esize) {
  Blocks b;
  int64_t inner = 1;
  for (size_t d = 0; d < axis; ++d) b.outer *= whole[d];
  for (size_t d = axis + 1; d < whole.size(); ++d) inner *= whole[d];
  for (int64_t e : extents) {
    b.at.push_back(b.row);
    b.block.push_back(static_cast<size_t>(e * inner) * esize);
    b.row += b.block.back();
  }
  return b;
}

void run_blocks(const Blocks& b, std::byte* whole, const std::vector<std::byte*>& parts,
                bool to_whole) {
  std::vector<size_t> moving;
  size_t bytes = 0;
  for (size_t k = 0; k < parts.size(); ++k)
    if (parts[k] && b.block[k] && !(b.outer == 1 && parts[k] == whole + b.at[k])) {
      moving.push_back(k);
      bytes += b.block[k] * static_cast<size_t>(b.outer);
    }
  if (moving.empty()) return;
  const int team = team_for(bytes);
  auto copy = [&](int64_t o, size_t k) {
    std::byte* w = whole + static_cast<size_t>(o) * b.row + b.at[k];
    std::byte* part = parts[k] + static_cast<size_t>(o) * b.block[k];
    if (to_whole)
      std::memcpy(w, part, b.block[k]);
    else
      std::memcpy(part, w, b.block[k]);
  };
  if (team == 1) {
    // No OpenMP region at all: even a serialized one costs microseconds, as much as a small copy.
    for (int64_t o = 0; o < b.outer; ++o)
      for (size_t k : moving) copy(o, k);
    return;
  }
  // One row of every part per iteration when there are many rows; a single row (outer == 1,
  // NCHW channel concat at batch 1) is cut into pieces of whole parts instead.
  if (b.outer >= team) {
#pragma omp parallel for num_threads(team) schedule(static)
    for (int64_t o = 0; o < b.outer; ++o)
      for (size_t k : moving) copy(o, k);
    return;
  }
  for (int64_t o = 0; o < b.outer; ++o) {
#pragma omp parallel for num_threads(team) schedule(dynamic)
    for (size_t m = 0; m < moving.size(); ++m) copy(o, moving[m]);
  }
}

}  // namespace algoscope::ops::shape
