// numpy-style multidirectional broadcasting, shared by the elementwise ops (Add ... Where) and by
// Expand. Shapes are static, so a BroadcastPlan is computed once when a kernel is prepared: the
// output dimensions are collapsed (adjacent dimensions merge when every operand broadcasts them the
// same way) and each operand gets one stride per collapsed dimension, 0 where it is broadcast.
// Equal shapes and scalar operands therefore collapse to a single dimension: the fast path is a
// flat loop with unit or zero strides, with no per-element index arithmetic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "algoscope/tensor.h"

namespace algoscope::ops {

// The broadcast of several shapes under numpy rules (align right; each dimension equal or 1).
// Throws Error naming the shapes when they are incompatible.
Shape broadcast_shapes(const std::vector<Shape>& shapes);

struct BroadcastPlan {
  int64_t numel = 0;                          // output elements
  std::vector<int64_t> dims;                  // collapsed output dimensions, at least one
  std::vector<std::vector<int64_t>> strides;  // [operand][dim] in elements, 0 where broadcast

  // Stride of operand k along the innermost (run) dimension: 1, or 0 when it is broadcast there.
  int64_t inner_stride(size_t k) const { return strides[k].back(); }
};

// Plans reading `operands` (each broadcastable to `out`) while writing `out` in row-major order.
BroadcastPlan plan_broadcast(const std::vector<Shape>& operands, const Shape& out);

// Walks the output in runs along the innermost collapsed dimension: calls
// run(out_offset, count, offsets) where element i of the run reads operand k at
// offsets[k] + i * plan.inner_stride(k). The outer dimensions advance with an index counter, so no
// division happens per element.
template <class Fn>
void for_each_run(const BroadcastPlan& plan, Fn&& run) {
  if (plan.numel == 0) return;
  const size_t rank = plan.dims.size();
  const size_t count = plan.strides.size();
  const int64_t inner = plan.dims.back();
  std::vector<int64_t> index(rank, 0);
  std::vector<int64_t> offsets(count, 0);
  for (int64_t out = 0; out < plan.numel; out += inner) {
    run(out, inner, offsets.data());
    for (size_t d = rank - 1; d-- > 0;) {
      for (size_t k = 0; k < count; ++k) offsets[k] += plan.strides[k][d];
      if (++index[d] < plan.dims[d]) break;
      for (size_t k = 0; k < count; ++k) offsets[k] -= plan.strides[k][d] * plan.dims[d];
      index[d] = 0;
    }
  }
}

// Data movement does not care what the bytes mean: it copies elements through an unsigned integer
// of the same size (bool: 1 byte, float32/int32: 4, int64: 8). Calls f(carrier{}) with that type.
template <class F>
void with_carrier(DType dtype, F&& f) {
  switch (dtype_size(dtype)) {
    case 1:
      f(uint8_t{});
      return;
    case 4:
      f(uint32_t{});
      return;
    case 8:
      f(uint64_t{});
      return;
  }
  throw Error(std::string("no element carrier for ") + dtype_name(dtype));
}

}  // namespace algoscope::ops
