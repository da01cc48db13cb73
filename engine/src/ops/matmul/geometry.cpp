// MatMul shape inference shared by all MatMul algorithms: numpy.matmul semantics (ONNX MatMul,
// opsets 1-17). A 1-D A is a row vector and a 1-D B a column vector, their unit axis removed from
// the output; batch axes (all but the last two) broadcast like numpy. A third input, which only
// the loader's fuse_matmul_bias pass adds, is a bias of N floats added to every output row.
#include <algorithm>
#include <string>

#include "ops/common.h"
#include "ops/matmul/matmul.h"

namespace algoscope::ops::matmul {

namespace {

int64_t offset_in(const Shape& batch, const std::vector<int64_t>& stride, int64_t index) {
  int64_t offset = 0;
  for (size_t i = batch.size(); i-- > 0;) {
    offset += (index % batch[i]) * stride[i];
    index /= batch[i];
  }
  return offset;
}

// The batch of a MatMul as calls of `sgemm`: one call for the whole batch when B is shared and A
// not broadcast, otherwise one per output matrix. A bias is written into every row of Y first and
// the calls accumulate onto it; the activation is a pass over Y at the end.
void run_batched(const MatMulGeometry& g, const Epilogue& epilogue, const float* a, const float* b,
                 const float* bias, float* y, PlainSgemm sgemm) {
  const int64_t batches = g.batch_count();
  if (batches == 0 || g.m == 0 || g.n == 0) return;
  const int64_t rows = batches * g.m;
  if (bias)
    for (int64_t i = 0; i < rows; ++i) std::copy(bias, bias + g.n, y + i * g.n);
  else if (g.k == 0)
    std::fill(y, y + rows * g.n, 0.0f);  // an empty sum (BLAS rejects k = 0)
  const float beta = bias ? 1.0f : 0.0f;
  if (g.k > 0) {
    if (g.b_matrices == 1 && g.a_matrices == batches) {
      // B shared and A not broadcast: A's matrices are stacked rows of one tall matrix.
      sgemm(rows, g.n, g.k, a, b, beta, y);
    } else {
      for (int64_t batch = 0; batch < batches; ++batch)
        sgemm(g.m, g.n, g.k, a + g.a_offset(batch), b + g.b_offset(batch), beta,
              y + batch * g.m * g.n);
    }
  }
  add_bias_and_activation(epilogue, nullptr, rows, g.n, y);
}

}  // namespace

int64_t MatMulGeometry::a_offset(int64_t index) const {
  return offset_in(batch, a_batch_stride, index) * m * k;
}

int64_t MatMulGeometry::b_offset(int64_t index) const {
  return offset_in(batch, b_batch_stride, index) * k * n;
}

MatMulGeometry matmul_geometry(const Layer& layer) {
  require(layer.has_input(0) && layer.has_input(1), "MatMul needs inputs A and B");
  const TensorInfo& a = layer.inputs[0];
  const TensorInfo& b = layer.inputs[1];
  require(a.dtype == DType::Float32 && b.dtype == DType::Float32, "MatMul inputs must be float32");
  require(!a.shape.empty() && !b.shape.empty(), "MatMul inputs must have rank 1 or more, got " +
                                                    shape_to_string(a.shape) + " and " +
                                                    shape_to_string(b.shape));
  MatMulGeometry g;
  const bool a_vector = a.shape.size() == 1;
  const bool b_vector = b.shape.size() == 1;
  const Shape as = a_vector ? Shape{1, a.shape[0]} : a.shape;
  const Shape bs = b_vector ? Shape{b.shape[0], 1} : b.shape;
  g.m = as[as.size() - 2];
  g.k = as[as.size() - 1];
  g.n = bs[bs.size() - 1];
  require(bs[bs.size() - 2] == g.k, "MatMul inner dimensions differ: A is " +
                                        shape_to_string(a.shape) + ", B is " +
                                        shape_to_string(b.shape));
  const Shape a_batch(as.begin(), as.end() - 2);
  const Shape b_batch(bs.begin(), bs.end() - 2);
  const size_t rank = std::max(a_batch.size(), b_batch.size());
  g.batch.assign(rank, 1);
  g.a_batch_stride.assign(rank, 0);
  g.b_batch_stride.assign(rank, 0);
  int64_t a_run = 1, b_run = 1;
  for (size_t i = rank; i-- > 0;) {
    const size_t from_end = rank - 1 - i;
    const int64_t ad = from_end < a_batch.size() ? a_batch[a_batch.size() - 1 - from_end] : 1;
    const int64_t bd = from_end < b_batch.size() ? b_batch[b_batch.size() - 1 - from_end] : 1;
    require(ad == bd || ad == 1 || bd == 1, "MatMul batch axes of A " + shape_to_string(a.shape) +
                                                " and B " + shape_to_string(b.shape) +
                                                " cannot be broadcast");
    g.batch[i] = ad == 1 ? bd : ad;
    g.a_batch_stride[i] = ad == 1 ? 0 : a_run;
    g.b_batch_stride[i] = bd == 1 ? 0 : b_run;
    a_run *= ad;
    b_run *= bd;
  }
  g.a_matrices = a_run;
  g.b_matrices = b_run;
  g.output = g.batch;
  if (!a_vector) g.output.push_back(g.m);
  if (!b_vector) g.output.push_back(g.n);
  if (layer.has_input(2)) {
    // The bias runs along the output's last axis, which is N only when B is a matrix.
    const TensorInfo& bias = layer.inputs[2];
    const std::string expected = "[N] or [1, ..., 1, N] with N = " + std::to_string(g.n) +
                                 " and rank at most " + std::to_string(g.output.size()) +
                                 " (the output is " + shape_to_string(g.output) + ")";
    require(!b_vector,
            "MatMul bias (input 3) needs a matrix B, whose columns it is added to; B "
            "is " +
                shape_to_string(b.shape));
    require(bias.dtype == DType::Float32, "MatMul bias (input 3) must be float32");
    bool row =
        !bias.shape.empty() && bias.shape.size() <= g.output.size() && bias.shape.back() == g.n;
    for (size_t i = 0; row && i + 1 < bias.shape.size(); ++i) row = bias.shape[i] == 1;
    require(row, "MatMul bias (input 3) must have shape " + expected + ", got " +
                     shape_to_string(bias.shape));
    // ONNX's MatMul has two inputs: a file's third one is refused rather than read as a bias.
    require(layer.n().has_attribute(kFusedMarker),
            "MatMul takes two inputs; a third (a bias) comes only from algoscope's "
            "fuse_matmul_bias pass");
    g.has_bias = true;
  }
  return g;
}

void add_bias_and_activation(const Epilogue& epilogue, const float* bias, int64_t rows, int64_t n,
                             float* y) {
  if (!bias && !epilogue.active) return;
    // Rows are independent: large outputs split them between threads (small ones stay on one).
#pragma omp parallel for schedule(static) if (rows * n >= (1 << 16))
  for (int64_t i = 0; i < rows; ++i) {
    float* row = y + i * n;
    if (bias)
      for (int64_t j = 0; j < n; ++j) row[j] += bias[j];
    epilogue.apply(row, n);
  }
}

std::unique_ptr<Kernel> batched_sgemm_kernel(const Layer& layer, PlainSgemm sgemm) {
  const MatMulGeometry g = matmul_geometry(layer);
  const Epilogue epilogue = Epilogue::of(layer);
  return matmul_kernel(
      g, [g, epilogue, sgemm](const float* a, const float* b, const float* bias, float* y) {
        run_batched(g, epilogue, a, b, bias, y, sgemm);
      });
}

}  // namespace algoscope::ops::matmul

namespace algoscope::ops {

using namespace matmul;

template <>
std::vector<TensorInfo> MatMul::infer(const Layer& layer) {
  return {TensorInfo{DType::Float32, matmul_geometry(layer).output}};
}

template <>
double MatMul::flops(const Layer& layer) {
  const MatMulGeometry g = matmul_geometry(layer);
  // The bias adds one FLOP per output element.
  return static_cast<double>(g.batch_count()) * static_cast<double>(g.m) *
         static_cast<double>(g.n) * (2.0 * static_cast<double>(g.k) + (g.has_bias ? 1.0 : 0.0));
}

}  // namespace algoscope::ops
