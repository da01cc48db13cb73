// Gemm shape inference and FLOP count shared by all Gemm algorithms (ONNX Gemm, opsets 7-17:
// alpha, beta, transA, transB, C optional from opset 11 and unidirectionally broadcast).
#include <string>

#include "ops/common.h"
#include "ops/gemm/gemm.h"

namespace algoscope::ops::gemm {

GemmGeometry gemm_geometry(const Layer& layer) {
  const Node& node = layer.n();
  require(layer.has_input(0) && layer.has_input(1), "Gemm needs inputs A and B");
  const TensorInfo& a = layer.inputs[0];
  const TensorInfo& b = layer.inputs[1];
  require(a.dtype == DType::Float32 && b.dtype == DType::Float32, "Gemm inputs must be float32");
  require(a.shape.size() == 2, "Gemm input A must be 2-D, got " + shape_to_string(a.shape));
  require(b.shape.size() == 2, "Gemm input B must be 2-D, got " + shape_to_string(b.shape));
  GemmGeometry g;
  g.trans_a = node.attr_int("transA", 0) != 0;
  g.trans_b = node.attr_int("transB", 0) != 0;
  g.alpha = node.attr_float("alpha", 1.0f);
  g.beta = node.attr_float("beta", 1.0f);
  g.m = g.trans_a ? a.shape[1] : a.shape[0];
  g.k = g.trans_a ? a.shape[0] : a.shape[1];
  const int64_t kb = g.trans_b ? b.shape[1] : b.shape[0];
  g.n = g.trans_b ? b.shape[0] : b.shape[1];
  require(g.k == kb, "Gemm inner dimensions differ: op(A) is " + std::to_string(g.m) + "x" +
                         std::to_string(g.k) + ", op(B) is " + std::to_string(kb) + "x" +
                         std::to_string(g.n));
  if (layer.has_input(2)) {
    const TensorInfo& c = layer.inputs[2];
    require(c.dtype == DType::Float32, "Gemm input C must be float32");
    const std::string bad = "Gemm input C " + shape_to_string(c.shape) +
                            " cannot be broadcast to " + std::to_string(g.m) + "x" +
                            std::to_string(g.n);
    g.has_c = true;
    if (c.shape.size() == 0) {
      // A scalar: both strides 0.
    } else if (c.shape.size() == 1) {
      require(c.shape[0] == g.n || c.shape[0] == 1, bad);
      g.c_col_stride = c.shape[0] == 1 ? 0 : 1;
    } else if (c.shape.size() == 2) {
      require(c.shape[0] == g.m || c.shape[0] == 1, bad);
      require(c.shape[1] == g.n || c.shape[1] == 1, bad);
      g.c_col_stride = c.shape[1] == 1 ? 0 : 1;
      g.c_row_stride = c.shape[0] == 1 ? 0 : c.shape[1];
    } else {
      throw Error(bad);
    }
  }
  return g;
}

float write_beta_c(const GemmGeometry& g, const float* c, float* y) {
  if (!c || g.beta == 0.0f) return 0.0f;
  // One thread: an OpenMP region right before a BLAS call would spin against its threads.
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t j = 0; j < g.n; ++j)
      y[i * g.n + j] = g.beta * c[i * g.c_row_stride + j * g.c_col_stride];
  return 1.0f;
}

}  // namespace algoscope::ops::gemm

namespace algoscope::ops {

using namespace gemm;

template <>
std::vector<TensorInfo> Gemm::infer(const Layer& layer) {
  const GemmGeometry g = gemm_geometry(layer);
  return {TensorInfo{DType::Float32, Shape{g.m, g.n}}};
}

template <>
double Gemm::flops(const Layer& layer) {
  const GemmGeometry g = gemm_geometry(layer);
  return 2.0 * static_cast<double>(g.m) * static_cast<double>(g.n) * static_cast<double>(g.k);
}

}  // namespace algoscope::ops
