// The broadcasting rules and the collapsing of dimensions behind BroadcastPlan (see broadcast.h).
#include "ops/binary/broadcast.h"

#include <algorithm>
#include <string>

#include "algoscope/error.h"

namespace algoscope::ops {

Shape broadcast_shapes(const std::vector<Shape>& shapes) {
  size_t rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (size_t d = 0; d < rank; ++d) {
    for (const Shape& s : shapes) {
      // Right-align: dimension d of the output is dimension d - (rank - size) of s, if any.
      if (d + s.size() < rank) continue;
      int64_t dim = s[d + s.size() - rank];
      if (dim == 1) continue;
      if (out[d] == 1) {
        out[d] = dim;
      } else if (out[d] != dim) {
        std::string list;
        for (size_t i = 0; i < shapes.size(); ++i)
          list += (i ? (i + 1 == shapes.size() ? " and " : ", ") : "") + shape_to_string(shapes[i]);
        throw Error("shapes " + list + " cannot be broadcast (numpy rules: each dimension must " +
                    "be equal or 1)");
      }
    }
  }
  return out;
}

BroadcastPlan plan_broadcast(const std::vector<Shape>& operands, const Shape& out) {
  const size_t rank = out.size();
  const size_t count = operands.size();
  BroadcastPlan plan;
  plan.numel = shape_numel(out);

  // Per output dimension (size-1 dimensions dropped: they never move an index), whether each
  // operand is broadcast along it.
  std::vector<int64_t> dims;
  std::vector<std::vector<bool>> broadcast;  // [dim][operand]
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;
    std::vector<bool> flags(count);
    for (size_t k = 0; k < count; ++k) {
      const Shape& s = operands[k];
      int64_t dim = d + s.size() < rank ? 1 : s[d + s.size() - rank];
      if (dim != 1 && dim != out[d])
        throw Error("cannot broadcast " + shape_to_string(s) + " to " + shape_to_string(out));
      flags[k] = dim != out[d];
    }
    // Merge with the previous dimension when every operand treats both alike: then the pair is
    // one contiguous (or one entirely broadcast) block for every operand.
    if (!dims.empty() && broadcast.back() == flags) {
      dims.back() *= out[d];
    } else {
      dims.push_back(out[d]);
      broadcast.push_back(flags);
    }
  }
  if (dims.empty()) {  // every dimension is 1: a single element
    dims.push_back(1);
    broadcast.push_back(std::vector<bool>(count, true));
  }

  plan.dims = dims;
  plan.strides.assign(count, std::vector<int64_t>(dims.size(), 0));
  for (size_t k = 0; k < count; ++k) {
    int64_t stride = 1;
    for (size_t d = dims.size(); d-- > 0;) {
      if (broadcast[d][k]) continue;
      plan.strides[k][d] = stride;
      stride *= dims[d];
    }
  }
  return plan;
}

}  // namespace algoscope::ops
