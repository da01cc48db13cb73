// Vector helpers for the Winograd tile transforms: a block of kLanes channels as one GCC vector
// value. The transforms are written once over this type and compiled three times, inside functions
// carrying target("avx512f...") / target("avx2,fma") attributes and once for baseline x86-64; the
// helpers are always_inline so they take on each caller's instruction set. Only
// winograd_f2.cpp and winograd_f4.cpp include this.
#pragma once

#include <cstring>

#include "ops/conv/winograd.h"

// Vectors of 64 bytes inside always_inline helpers never cross an ABI boundary.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace algoscope::ops::conv::winograd {

typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float))));

#define ALGOSCOPE_WINOGRAD_INLINE inline __attribute__((always_inline))

ALGOSCOPE_WINOGRAD_INLINE Lanes load_lanes(const float* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

ALGOSCOPE_WINOGRAD_INLINE void store_lanes(float* p, const Lanes& v) {
  std::memcpy(p, &v, sizeof v);
}

ALGOSCOPE_WINOGRAD_INLINE Lanes splat(float s) { return Lanes{} + s; }

}  // namespace algoscope::ops::conv::winograd
