// The statistics every measurement reports: order statistics of timings, and the elementwise
// error of one result against another under a tolerance.
#include <algorithm>
#include <cmath>
#include <utility>

#include "algoscope/error.h"
#include "algoscope/measure.h"
#include "ops/common.h"

namespace algoscope {
namespace {

// Quantile q of sorted samples, interpolating linearly between neighbours.
double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * double(sorted.size() - 1);
  const size_t below = static_cast<size_t>(position);
  if (below + 1 >= sorted.size()) return sorted.back();
  const double fraction = position - double(below);
  return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

// The 1-based ranks of the order statistics that bound a ~95% confidence interval of the median of
// n samples: the number of samples below the median is Binomial(n, 1/2), approximated as normal
// (mean n/2, standard deviation √n/2, 1.96 of them each side).
std::pair<size_t, size_t> median_ci_ranks(size_t n) {
  const double half_width = 0.98 * std::sqrt(double(n));
  const double low = std::floor(double(n) / 2 - half_width);
  const double high = std::ceil(double(n) / 2 + 1 + half_width);
  return {size_t(std::max(1.0, low)), size_t(std::min(double(n), high))};
}

}  // namespace

const char* sampling_stop_name(SamplingStop stop) {
  switch (stop) {
    case SamplingStop::count:
      return "count";
    case SamplingStop::converged:
      return "converged";
    case SamplingStop::budget:
      return "budget";
    case SamplingStop::limit:
      return "limit";
  }
  return "count";
}

TimingStats TimingStats::of(std::vector<double> samples_ms) {
  TimingStats stats;
  if (samples_ms.empty()) return stats;
  std::sort(samples_ms.begin(), samples_ms.end());
  stats.samples = static_cast<int>(samples_ms.size());
  stats.min_ms = samples_ms.front();
  stats.max_ms = samples_ms.back();
  stats.median_ms = quantile(samples_ms, 0.5);
  stats.q1_ms = quantile(samples_ms, 0.25);
  stats.q3_ms = quantile(samples_ms, 0.75);
  const auto [low, high] = median_ci_ranks(samples_ms.size());
  stats.ci_low_ms = samples_ms[low - 1];
  stats.ci_high_ms = samples_ms[high - 1];
  const double fence = 3 * stats.iqr_ms();
  for (double x : samples_ms) stats.outliers += x < stats.q1_ms - fence || x > stats.q3_ms + fence;
  return stats;
}

double largest_magnitude(const Tensor& t) {
  double largest = 0;
  ops::visit_dtype(t.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* r = t.data<T>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i)
      if (const double m = std::fabs(double(r[i])); std::isfinite(m))
        largest = std::max(largest, m);
  });
  return largest;
}

double tolerance_scale(const Tensor& reference) {
  return std::max(1.0, largest_magnitude(reference));
}

void accumulate_error(ErrorStats& into, const Tensor& got, const Tensor& want) {
  if (got.dtype() != want.dtype() || got.shape() != want.shape())
    throw Error(std::string("cannot compare ") + dtype_name(got.dtype()) + " " +
                shape_to_string(got.shape()) + " with " + dtype_name(want.dtype()) + " " +
                shape_to_string(want.shape()));
  ops::visit_dtype(want.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* g = got.data<T>();
    const T* w = want.data<T>();
    const int64_t n = want.numel();
    const double scale = tolerance_scale(want);
    into.scale = std::max(into.scale, scale);
    const double atol = into.tolerance.atol * scale, rtol = into.tolerance.rtol;
    for (int64_t i = 0; i < n; ++i) {
      const double a = double(g[i]), b = double(w[i]);
      const double diff = std::fabs(a - b);
      // NaN compares false everywhere: count it as a mismatch and as an infinite error.
      if (!(diff <= atol + rtol * std::fabs(b))) ++into.mismatches;
      if (std::isnan(diff)) {
        into.max_abs_error = INFINITY;
        continue;
      }
      into.max_abs_error = std::max(into.max_abs_error, diff);
      if (b != 0) into.max_rel_error = std::max(into.max_rel_error, diff / std::fabs(b));
    }
  });
  into.elements += want.numel();
}

ErrorStats compare_tensors(const Tensor& got, const Tensor& want, Tolerance tolerance) {
  ErrorStats stats;
  stats.tolerance = tolerance;
  accumulate_error(stats, got, want);
  return stats;
}

}  // namespace algoscope
