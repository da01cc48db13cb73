// Einsum of two float operands as a batched GEMM, the way numpy's tensordot and PyTorch's einsum
// reduce it: labels in both operands and the output are the batch, those only in A (B) and the
// output are GEMM's M (N), those in both operands but not the output are K; a label in one
// operand only and not in the output is summed while that operand is packed. Each operand is
// packed once per call into [batch, M, K] and [batch, K, N] (through per-label offset tables, so
// any axis order, diagonals and broadcast axes pack alike), the project's blocked GEMM multiplies
// each batch matrix, and the [batch, M, N] result is scattered into the output's axis order.
#include <algorithm>

#include "blocked_gemm/blocked_gemm.h"
#include "ops/common.h"
#include "ops/einsum/einsum.h"

namespace algoscope::ops::einsum {
namespace {

// The labels of each GEMM role, and per operand (and the output) each group's offset table: the
// element offset of every row-major position over the group's labels.
struct ContractionPlan {
  std::vector<int> batch, m, n, k, a_only, b_only;
  int64_t batches = 1, rows = 1, columns = 1, depth = 1;
  std::vector<int64_t> a_batch, a_rows, a_depth, a_summed;
  std::vector<int64_t> b_batch, b_depth, b_columns, b_summed;
  std::vector<int64_t> y_batch, y_rows, y_columns;
};

int64_t extent_of(const EinsumGeometry& g, const std::vector<int>& group) {
  int64_t count = 1;
  for (int label : group) count *= g.extent[size_t(label)];
  return count;
}

std::vector<int64_t> offset_table(const EinsumGeometry& g, const std::vector<int>& group,
                                  const std::vector<int64_t>& stride) {
  std::vector<int64_t> table(size_t(extent_of(g, group)), 0);
  for (size_t position = 0; position < table.size(); ++position) {
    int64_t rest = int64_t(position), offset = 0;
    for (size_t j = group.size(); j-- > 0;) {
      const int64_t extent = g.extent[size_t(group[j])];
      offset += (rest % extent) * stride[size_t(group[j])];
      rest /= extent;
    }
    table[position] = offset;
  }
  return table;
}

ContractionPlan plan_contraction(const EinsumGeometry& g) {
  ContractionPlan p;
  for (int label = 0; label < int(g.labels()); ++label) {
    const bool in_a = g.has[0][size_t(label)], in_b = g.has[1][size_t(label)];
    const bool out = g.in_output(label);
    if (in_a && in_b)
      (out ? p.batch : p.k).push_back(label);
    else if (in_a)
      (out ? p.m : p.a_only).push_back(label);
    else
      (out ? p.n : p.b_only).push_back(label);
  }
  // The output's own strides, per label.
  std::vector<int64_t> y_stride(g.labels(), 0);
  int64_t step = 1;
  for (size_t j = g.output.size(); j-- > 0;) {
    y_stride[size_t(g.output[j])] = step;
    step *= g.extent[size_t(g.output[j])];
  }
  p.batches = extent_of(g, p.batch);
  p.rows = extent_of(g, p.m);
  p.columns = extent_of(g, p.n);
  p.depth = extent_of(g, p.k);
  p.a_batch = offset_table(g, p.batch, g.stride[0]);
  p.a_rows = offset_table(g, p.m, g.stride[0]);
  p.a_depth = offset_table(g, p.k, g.stride[0]);
  p.a_summed = offset_table(g, p.a_only, g.stride[0]);
  p.b_batch = offset_table(g, p.batch, g.stride[1]);
  p.b_depth = offset_table(g, p.k, g.stride[1]);
  p.b_columns = offset_table(g, p.n, g.stride[1]);
  p.b_summed = offset_table(g, p.b_only, g.stride[1]);
  p.y_batch = offset_table(g, p.batch, y_stride);
  p.y_rows = offset_table(g, p.m, y_stride);
  p.y_columns = offset_table(g, p.n, y_stride);
  return p;
}

// Floats of the packed A, packed B and the GEMM result.
int64_t workspace_floats(const ContractionPlan& p) {
  return p.batches * (p.rows * p.depth + p.depth * p.columns + p.rows * p.columns);
}

}  // namespace

std::optional<std::string> contraction_not_applicable(const Layer& layer) {
  const EinsumGeometry g = einsum_geometry(layer);
  if (g.stride.size() != 2)
    return g.stride.size() == 1
               ? "one operand: a transpose, diagonal or sum with nothing to multiply"
               : "more than two operands: a chain of contractions (reference computes it)";
  if (g.dtype != DType::Float32) return "float operands only (the GEMM is single precision)";
  return std::nullopt;
}

size_t contraction_workspace(const Layer& layer) {
  return size_t(workspace_floats(plan_contraction(einsum_geometry(layer)))) * sizeof(float);
}

std::unique_ptr<Kernel> prepare_contraction(const Layer& layer) {
  const EinsumGeometry g = einsum_geometry(layer);
  return make_kernel([p = plan_contraction(g)](KernelIO& io) {
    const float* a = io.inputs[0]->data<float>();
    const float* b = io.inputs[1]->data<float>();
    float* y = io.outputs[0]->data<float>();
    float* packed_a = static_cast<float*>(io.workspace);
    float* packed_b = packed_a + p.batches * p.rows * p.depth;
    float* product = packed_b + p.batches * p.depth * p.columns;
    auto sum_of = [](const float* x, int64_t base, const std::vector<int64_t>& summed) {
      float total = 0;
      for (int64_t offset : summed) total += x[base + offset];
      return total;
    };
    for (int64_t t = 0; t < p.batches; ++t) {
      float* at = packed_a + t * p.rows * p.depth;
      for (int64_t i = 0; i < p.rows; ++i)
        for (int64_t l = 0; l < p.depth; ++l)
          at[i * p.depth + l] = sum_of(a, p.a_batch[t] + p.a_rows[i] + p.a_depth[l], p.a_summed);
      float* bt = packed_b + t * p.depth * p.columns;
      for (int64_t l = 0; l < p.depth; ++l)
        for (int64_t j = 0; j < p.columns; ++j)
          bt[l * p.columns + j] =
              sum_of(b, p.b_batch[t] + p.b_depth[l] + p.b_columns[j], p.b_summed);
      float* ct = product + t * p.rows * p.columns;
      if (p.depth == 0)
        std::fill(ct, ct + p.rows * p.columns, 0.0f);
      else
        blocked_gemm::sgemm(false, false, p.rows, p.columns, p.depth, 1.0f, at, p.depth, bt,
                            p.columns, 0.0f, ct, p.columns);
      for (int64_t i = 0; i < p.rows; ++i)
        for (int64_t j = 0; j < p.columns; ++j)
          y[p.y_batch[t] + p.y_rows[i] + p.y_columns[j]] = ct[i * p.columns + j];
    }
  });
}

AlgorithmText contraction_text() {
  return {"Two operands as a batched GEMM: pack, multiply, scatter",
          "The labels are sorted into GEMM's roles: in both operands and the output, the batch; "
          "in one operand and the output, M (A) or N (B); in both operands only, the contracted "
          "K. Each operand is packed into [batch, M, K] and [batch, K, N] row-major matrices "
          "(labels of one operand that are summed alone are summed while packing), the "
          "project's blocked GEMM multiplies each batch matrix, and the result is scattered into "
          "the output's axis order. This is how numpy's tensordot and PyTorch reduce an einsum, "
          "and what makes attention's 'bhqd,bhkd->bhqk' a GEMM. Extra memory: 4 * batch * (M*K + "
          "K*N + M*N) bytes. It wins whenever K and M*N are more than a handful; for tiny matrices "
          "in a large batch the packing and per-batch calls dominate. Numerics: float "
          "accumulation in the GEMM's blocked order, error growing like sqrt(K) ulps."};
}

}  // namespace algoscope::ops::einsum
