// MatMul by its definition: for every output matrix of the broadcast batch, the A and B matrices it
// pairs are located through broadcast strides and multiplied with a triple loop summed in double.
// A fused bias is added to the double sum before its one rounding, and a fused activation applied
// to the rounded output. Single-threaded; the ground truth for the other MatMul algorithms.
#include "ops/common.h"
#include "ops/matmul/matmul.h"

namespace algoscope::ops {

using namespace matmul;

template <>
std::unique_ptr<Kernel> MatMul::prepare_reference(const Layer& layer) {
  const MatMulGeometry g = matmul_geometry(layer);
  const Epilogue epilogue = Epilogue::of(layer);
  return matmul_kernel(
      g, [g, epilogue](const float* a, const float* b, const float* bias, float* y) {
        for (int64_t batch = 0; batch < g.batch_count(); ++batch) {
          const float* am = a + g.a_offset(batch);
          const float* bm = b + g.b_offset(batch);
          float* ym = y + batch * g.m * g.n;
          for (int64_t i = 0; i < g.m; ++i) {
            for (int64_t j = 0; j < g.n; ++j) {
              double acc = bias ? static_cast<double>(bias[j]) : 0.0;
              for (int64_t p = 0; p < g.k; ++p)
                acc += static_cast<double>(am[i * g.k + p]) * static_cast<double>(bm[p * g.n + j]);
              ym[i * g.n + j] = static_cast<float>(acc);
            }
            epilogue.apply(ym + i * g.n, g.n);
          }
        }
      });
}

template <>
AlgorithmText MatMul::reference_text() {
  return {"Triple loop per batch matrix with double accumulation",
          "For every matrix of the broadcast batch it finds the A and B matrices it pairs (a batch "
          "axis of extent 1 repeats), and sums A[i,k] * B[k,j] over k for every output element, "
          "starting from bias[j] when the loader fused an Add of a bias row into the MatMul; a "
          "fused activation (Relu, Clip, SiLU, HardSwish) is applied to each finished row. "
          "Extra memory: none. It never wins on speed; it is the ground truth. Numerics: double "
          "accumulation, one rounding to float per output."};
}

}  // namespace algoscope::ops
