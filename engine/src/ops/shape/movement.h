// Shared pieces of the shape family's `direct` algorithms (transpose_direct.cpp, slice_direct.cpp,
// concat_direct.cpp, split_direct.cpp): a strided copy planned once at prepare time, whose
// dimensions are collapsed first so that the kernel moves the largest contiguous runs there are,
// and a block copy for Concat and Split. Every element moves as raw bytes, so all types are exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "algoscope/tensor.h"

namespace algoscope::ops::shape {

// out (contiguous, row-major over `dims`) = in[offset + sum_d index_d * strides[d]], in elements.
// plan_strided_copy drops size-1 dimensions and merges neighbours that are contiguous in the
// input too; the kernel then takes the cheapest of three paths:
//   runs       the innermost input stride is 1: one memcpy per row of the last dimension;
//   transpose  another dimension has input stride 1: a 2-D transpose between it and the last
//              dimension, in 64 x 64 cache blocks of 8 x 8 register tiles (4-byte elements);
//   gather     neither (steps other than 1): element loops with strides.
struct StridedCopy {
  enum class Path { Empty, Runs, Transpose, Gather } path = Path::Empty;
  std::vector<int64_t> dims;     // collapsed; empty for a single element
  std::vector<int64_t> strides;  // input stride of each collapsed dimension, in elements
  int64_t offset = 0;            // input element of output element 0
  int64_t total = 0;             // output elements
  size_t esize = 0;              // bytes per element
  size_t unit_axis = 0;          // Transpose: the dimension whose input stride is 1
};
StridedCopy plan_strided_copy(const std::vector<int64_t>& dims, const std::vector<int64_t>& strides,
                              int64_t offset, size_t esize);
void run_strided_copy(const StridedCopy& plan, const void* in, void* out);
// The plan's path in words, for Kernel::choice ("runs of 64 elements", "8x8-tiled transpose").
std::string describe(const StridedCopy& plan);

// Concat and Split viewed as [outer, row]: part k is bytes [at_k, at_k + block_k) of every row of
// the whole tensor. Splits the rows across the OpenMP team when there are enough bytes.
struct Blocks {
  int64_t outer = 1;
  size_t row = 0;                 // bytes per row of the whole tensor
  std::vector<size_t> block, at;  // per part
};
Blocks plan_blocks(const Shape& whole, size_t axis, const std::vector<int64_t>& extents,
                   size_t esize);
// to_whole: parts -> whole (Concat), else whole -> parts (Split). A part whose pointer already is
// its place in the whole (the memory plan put it there) is skipped.
void run_blocks(const Blocks& plan, std::byte* whole, const std::vector<std::byte*>& parts,
                bool to_whole);

}  // namespace algoscope::ops::shape
