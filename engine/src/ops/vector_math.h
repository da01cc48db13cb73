// Shared pieces of the vectorized `direct` kernels of the elementwise, softmax, reduce and pooling
// families: the run-time ISA dispatch, the OpenMP size threshold and branch-free float
// approximations of exp, tanh and erf written so that the compiler vectorizes a loop calling them.
//
// Dispatch: a loop's body is written once, as an always-inline function, and
// ALGOSCOPE_SIMD_VARIANTS(name, body) compiles it three times (target x86-64-v4 = AVX-512,
// x86-64-v3 = AVX2+FMA, and the baseline) and defines `name`, which calls the one for
// cpu::active_level() at each call: the level this CPU supports, or the lower one a test or a
// benchmark capped it to (cpu::cap_level, kernel_bench --isa=avx2), so every level runs and is
// measured on one machine. (GCC's target_clones would pick by the CPU alone, in an ifunc
// resolver that no cap reaches.) Kernels keep OpenMP regions *outside* the body (an outlined
// region would be compiled for the baseline) and call `name` from inside the region.
//
// The approximations follow Cephes (S. Moshier, "Methods and Programs for Mathematical
// Functions", 1989): expf's range reduction x = n ln2 + r with a degree-6 polynomial, tanhf's odd
// polynomial below 0.625, and for erf two polynomial fits made for this file. Measured maximum
// errors against the C library are stated at each function and checked in
// tests/engine/test_direct_unary.cpp.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

#include "cpu_features.h"

#define ALGOSCOPE_INLINE inline __attribute__((always_inline))

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ALGOSCOPE_SIMD_VARIANTS(name, body)                                    \
  template <class... Args>                                                     \
  __attribute__((target("arch=x86-64-v4"))) auto name##_avx512(Args... args) { \
    return body(args...);                                                      \
  }                                                                            \
  template <class... Args>                                                     \
  __attribute__((target("arch=x86-64-v3"))) auto name##_avx2(Args... args) {   \
    return body(args...);                                                      \
  }                                                                            \
  template <class... Args>                                                     \
  auto name(Args... args) {                                                    \
    switch (::algoscope::cpu::active_level()) {                                \
      case ::algoscope::cpu::IsaLevel::Avx512:                                 \
        return name##_avx512(args...);                                         \
      case ::algoscope::cpu::IsaLevel::Avx2:                                   \
        return name##_avx2(args...);                                           \
      default:                                                                 \
        return body(args...);                                                  \
    }                                                                          \
  }
#else
#define ALGOSCOPE_SIMD_VARIANTS(name, body) \
  template <class... Args>                  \
  auto name(Args... args) {                 \
    return body(args...);                   \
  }
#endif

namespace algoscope::ops::vmath {

// Below this many elements a kernel stays on one thread: waking the OpenMP team costs a few
// microseconds, more than the whole job of a small tensor.
constexpr int64_t kParallelMinElements = 64 * 1024;
// Elements per parallel task of a flat elementwise loop (64 KiB of floats: stays in L2).
constexpr int64_t kChunkElements = 16 * 1024;

// e^x for float. Max error 0.98 ulp measured on [-87.3, 88.7]; below
// -87.33 it returns 0 (the C library returns subnormals there, differences < 1.2e-38), above
// 88.72 +inf, NaN in gives NaN out.
ALGOSCOPE_INLINE float exp_approx(float x) {
  float c = x < -87.3f ? -87.3f : x;
  c = c > 88.5f ? 88.5f : c;
  // n = round(c / ln2) by the 1.5 * 2^23 trick (exact for |n| < 2^22, no rounding-mode calls).
  const float n = (c * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = c - n * 0.693359375f;  // ln2 split in two so that n * ln2 stays exact
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t e = static_cast<int32_t>(n) + 127;
  float y = p * std::bit_cast<float>(e << 23);
  y = x > 88.72283f ? std::numeric_limits<float>::infinity() : y;
  y = x < -87.33654f ? 0.0f : y;
  return x != x ? x : y;
}

// 1 / (1 + e^-x). Max error 2.5 ulp measured; exactly 0 for x < -87.3, 1 for x > 17.
ALGOSCOPE_INLINE float sigmoid_approx(float x) { return 1.0f / (1.0f + exp_approx(-x)); }

// tanh for float: Cephes' odd polynomial for |x| < 0.625, 1 - 2 / (e^{2|x|} + 1) above (no
// cancellation there because the result is > 0.55). Max error 1.3 ulp measured.
ALGOSCOPE_INLINE float tanh_approx(float x) {
  const float a = x < 0.0f ? -x : x;
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = x + x * z * p;
  float big = 1.0f - 2.0f / (exp_approx(2.0f * a) + 1.0f);
  big = x < 0.0f ? -big : big;
  return a < 0.625f ? small : big;
}

// erf for float in two pieces fitted here (weighted least squares on Chebyshev nodes, relative
// error of the fits < 2e-9, so float rounding dominates). Below |x| = 1: x P(x^2), P of degree 6,
// which keeps full relative precision for tiny x. Above: 1 - e^{-x^2} Q(t), t = 1 / (1 + |x| / 2),
// Q of degree 7 fitted to erfc(x) e^{x^2} on [1, 4]; |x| is clamped at 4, where erf is 1 in float.
// Measured over [-9, 9]: 1.5e-7 absolute, 1.8e-7 relative (2.5 ulp). Abramowitz & Stegun 7.1.26,
// used before, was off by 3.5e-7 absolute, too much for GELU's 0.5 x (1 + erf(x / sqrt 2)).
ALGOSCOPE_INLINE float erf_approx(float x) {
  const float a = x < 0.0f ? -x : x;
  const float z = x * x;
  float s = 7.898210209e-05f;
  s = s * z - 8.024354129e-04f;
  s = s * z + 5.190053578e-03f;
  s = s * z - 2.685480854e-02f;
  s = s * z + 1.128361243e-01f;
  s = s * z - 3.761262884e-01f;
  s = s * z + 1.128379167e+00f;
  const float small = x * s;
  const float c = a > 4.0f ? 4.0f : a;
  const float t = 1.0f / (1.0f + 0.5f * c);
  float q = 1.192806299e-01f;
  q = q * t - 4.710499253e-01f;
  q = q * t + 5.631671098e-01f;
  q = q * t - 1.036179716e-01f;
  q = q * t + 3.478437423e-01f;
  q = q * t + 2.596666814e-01f;
  q = q * t + 2.849170168e-01f;
  q = q * t - 1.545440476e-04f;
  float big = 1.0f - q * exp_approx(-c * c);
  big = x < 0.0f ? -big : big;
  return a < 1.0f ? small : big;
}

}  // namespace algoscope::ops::vmath
