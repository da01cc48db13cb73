// Shared op helpers (see common.h).
#include "ops/common.h"

namespace algoscope::ops {

int64_t normalize_axis(int64_t axis, int64_t rank) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    throw Error("axis " + std::to_string(axis) + " is out of range for rank " +
                std::to_string(rank));
  return a;
}

}  // namespace algoscope::ops
