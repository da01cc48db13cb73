// Vectorized, multi-threaded LayerNormalization, InstanceNormalization and GroupNormalization on
// the [rows, length] view of RowNormGeometry. A row (a ViT token's 768 features, an image plane,
// a group of channels) is read three times while it sits in cache: a SIMD sum for the mean, a
// SIMD sum of squared deviations from it for the variance (two passes rather than one of sum and
// sum of squares, which cancels catastrophically when the mean is large against the spread), then
// the output. Where every element has its own scale (LayerNormalization) the output loop is
// (x - mean) * inv_std * scale[i] + B[i]; where a run of elements shares one (a channel's plane)
// it is (x - mean) * a + B[p] with a = inv_std * scale[p] hoisted out of the run.
//
// The loops are written once (ALGOSCOPE_INLINE) and compiled three times inside functions that
// carry AVX-512, AVX2+FMA or no target attribute; the level is chosen with cpu::active_level()
// when the kernel is prepared, so the CPU-feature cap (tests, kernel_bench --isa) reaches it.
// OpenMP splits the rows into one contiguous block per thread once the tensor has 64K elements.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu_features.h"
#include "ops/common.h"
#include "ops/normalization/normalization.h"
#include "ops/vector_math.h"

namespace algoscope::ops::normalization {
namespace {

#define ROW_NORM_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#define ROW_NORM_AVX2 __attribute__((target("avx2,fma")))

struct RowJob {
  RowNormGeometry g;
  const float* x;
  const float* scale;  // param_shape's numel floats
  const float* bias;   // likewise, or nullptr for a LayerNormalization without B
  float* y;
  float* mean_out;     // one per row, or nullptr
  float* inv_std_out;  // one per row, or nullptr
};

// Float partial sums over blocks, accumulated in double: the rounding error stays that of one
// block however long the row (GroupNormalization's rows are whole groups of feature maps).
constexpr int64_t kBlock = 1024;
// Within a block, kLanes independent partial sums (4 AVX-512 or 8 AVX2 registers): one running
// vector sum would wait out the add latency on every step.
constexpr int64_t kLanes = 64;

// Sum over the row of term(x[i]), where term is x itself or its squared deviation.
template <class Term>
ALGOSCOPE_INLINE double row_sum(const float* __restrict x, int64_t n, Term term) {
  double sum = 0.0;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    float lanes[kLanes] = {};
    int64_t i = start;
    for (; i + kLanes <= end; i += kLanes) {
#pragma omp simd
      for (int64_t j = 0; j < kLanes; ++j) lanes[j] += term(x[i + j]);
    }
    float part = 0.0f;
    for (; i < end; ++i) part += term(x[i]);
#pragma omp simd reduction(+ : part)
    for (int64_t j = 0; j < kLanes; ++j) part += lanes[j];
    sum += part;
  }
  return sum;
}

ALGOSCOPE_INLINE double sum_of(const float* __restrict x, int64_t n) {
  return row_sum(x, n, [](float v) { return v; });
}

ALGOSCOPE_INLINE double squared_deviations(const float* __restrict x, int64_t n, float mean) {
  return row_sum(x, n, [mean](float v) {
    const float d = v - mean;
    return d * d;
  });
}

ALGOSCOPE_INLINE void normalize_rows(const RowJob& job, int64_t begin, int64_t end) {
  const RowNormGeometry& g = job.g;
  const int64_t n = g.length;
  const int64_t params_per_row = n / std::max<int64_t>(1, g.param_run);
  for (int64_t r = begin; r < end; ++r) {
    const float* __restrict x = job.x + r * n;
    float* __restrict y = job.y + r * n;
    const float mean = n ? static_cast<float>(sum_of(x, n) / static_cast<double>(n)) : 0.0f;
    const double variance = n ? squared_deviations(x, n, mean) / static_cast<double>(n) : 0.0;
    const float inv_std = static_cast<float>(1.0 / std::sqrt(variance + g.epsilon));
    const int64_t first = (r % g.param_cycle) * params_per_row;
    const float* __restrict scale = job.scale + first;
    const float* __restrict bias = job.bias ? job.bias + first : nullptr;
    if (g.param_run == 1 && bias) {
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * inv_std * scale[i] + bias[i];
    } else if (g.param_run == 1) {
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * inv_std * scale[i];
    } else {
      for (int64_t p = 0; p < params_per_row; ++p) {
        const float a = inv_std * scale[p];
        const float b = bias ? bias[p] : 0.0f;
        const int64_t start = p * g.param_run, stop = start + g.param_run;
#pragma omp simd
        for (int64_t i = start; i < stop; ++i) y[i] = (x[i] - mean) * a + b;
      }
    }
    if (job.mean_out) job.mean_out[r] = mean;
    if (job.inv_std_out) job.inv_std_out[r] = inv_std;
  }
}

using RowsFunction = void (*)(const RowJob&, int64_t, int64_t);

ROW_NORM_AVX512 void rows_avx512(const RowJob& job, int64_t begin, int64_t end) {
  normalize_rows(job, begin, end);
}
ROW_NORM_AVX2 void rows_avx2(const RowJob& job, int64_t begin, int64_t end) {
  normalize_rows(job, begin, end);
}
void rows_portable(const RowJob& job, int64_t begin, int64_t end) {
  normalize_rows(job, begin, end);
}

RowsFunction rows_for(cpu::IsaLevel level) {
  switch (level) {
    case cpu::IsaLevel::Avx512:
      return rows_avx512;
    case cpu::IsaLevel::Avx2:
      return rows_avx2;
    case cpu::IsaLevel::Portable:
      break;
  }
  return rows_portable;
}

}  // namespace

std::unique_ptr<Kernel> prepare_row_norm_direct(const Layer& layer) {
  const RowNormGeometry g = row_norm_geometry(layer);
  const RowsFunction rows = rows_for(cpu::active_level());
  return make_kernel([g, rows](KernelIO& io) {
    std::vector<float> scale_storage, bias_storage;
    RowJob job{
        g,
        io.inputs[0]->data<float>(),
        expanded_parameter(*io.inputs[1], g.param_shape, scale_storage),
        g.has_bias ? expanded_parameter(*io.inputs[2], g.param_shape, bias_storage) : nullptr,
        io.outputs[0]->data<float>(),
        g.statistics_outputs ? optional_float_output(io, 1) : nullptr,
        g.statistics_outputs ? optional_float_output(io, 2) : nullptr};
    const bool parallel = g.rows > 1 && g.rows * g.length >= vmath::kParallelMinElements;
    if (!parallel) {
      rows(job, 0, g.rows);
      return;
    }
#pragma omp parallel
    {
      const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
      rows(job, g.rows * t / threads, g.rows * (t + 1) / threads);
    }
  });
}

AlgorithmText row_norm_direct_text(const std::string& op_type) {
  const bool layer = op_type == "LayerNormalization";
  return {
      "Two SIMD passes per row for mean and variance (two-pass), one for the output; "
      "multi-threaded",
      std::string(layer ? "Each row (everything from `axis` on, e.g. one token's 768 features "
                          "in a ViT)"
                  : op_type == "InstanceNormalization"
                      ? "Each (image, channel) plane"
                      : "Each (image, group) row of C / num_groups channel planes") +
          " is read three times while it is in cache: a SIMD sum for the mean, a SIMD sum of "
          "squared deviations from that mean for the variance (two passes, so a mean that is "
          "large against the spread does not cancel the way sum(x^2) - n mean^2 would), then "
          "the output, " +
          (layer ? "(x - mean) * inv_std * scale[i] + B[i] with a scale per element"
           : op_type == "InstanceNormalization"
               ? "(x - mean) * a + B with a = inv_std * scale hoisted out of the plane"
               : "(x - mean) * a + B with a = inv_std * scale hoisted out of each channel's "
                 "plane (of the whole row at opset 18, whose parameters are per group)") +
          ". Each block of 1024 elements is summed in 64 float lanes (independent vector "
          "accumulators, so the adds do not wait on each other), and the blocks in double. The "
          "loops are compiled for AVX-512, AVX2+FMA and baseline x86-64, picked for the running "
          "CPU (or the level cap) when the kernel is prepared; tensors of 64K elements or more "
          "split their rows into one block per OpenMP thread. Extra memory: none (a broadcast "
          "Scale or B is expanded to one row's worth per call). It wins over the reference, "
          "whose double loops do not vectorize, on every shape bigger than a few rows. "
          "Numerics: float arithmetic; the error is a few float roundings of the normalized "
          "value plus about |mean| / sigma * 6e-8 from rounding the mean to float, so inputs "
          "whose mean is much larger than their spread lose digits (as in every float "
          "implementation)."};
}

}  // namespace algoscope::ops::normalization
