// Assertions and comparisons shared by the engine tests: a substring check whose failure shows
// both strings, the message of the algoscope::Error a call throws, and the relative difference of
// two float tensors (the error measure the algorithms' tolerances and teaching texts quote).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "algoscope/error.h"
#include "algoscope/tensor.h"

namespace test_support {

// Substring check whose failure shows both strings.
inline ::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

// The message of the algoscope::Error that `f` throws; a test failure (and "") when it throws
// none.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const algoscope::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected algoscope::Error";
  return "";
}

// Expects `f` to throw algoscope::Error whose message contains `part`.
template <class F>
::testing::AssertionResult throws_with(F f, const std::string& part) {
  try {
    f();
  } catch (const algoscope::Error& e) {
    if (std::string(e.what()).find(part) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message '" << e.what() << "' lacks '" << part << "'";
  }
  return ::testing::AssertionFailure() << "no Error thrown";
}

// Largest |a - b| relative to the largest |b| (so an all-small output does not pass by luck);
// infinite, with a test failure, when the shapes differ or the tensors are not float.
inline double relative_difference(const algoscope::Tensor& a, const algoscope::Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  if (a.shape() != b.shape() || a.dtype() != algoscope::DType::Float32 ||
      b.dtype() != algoscope::DType::Float32)
    return std::numeric_limits<double>::infinity();
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    diff = std::max(diff, std::fabs(double(a.data<float>()[i]) - b.data<float>()[i]));
    scale = std::max(scale, std::fabs(double(b.data<float>()[i])));
  }
  return diff / std::max(scale, 1e-30);
}

}  // namespace test_support
