// Gemm and MatMul through cuBLAS and cuBLASLt. Our tensors are row-major and cuBLAS is
// column-major, so Y = A B is computed as Y^T = B^T A^T: the same bytes, operands swapped, no
// copies. Strict variants use CUBLAS_COMPUTE_32F_PEDANTIC (true fp32 products and sums, no
// tensor cores, whatever the library's default); TF32 variants allow tensor cores with 10-bit
// mantissa products (CUBLAS_COMPUTE_32F_FAST_TF32). cuBLAS variants call cublasGemmEx (strided
// batched for a uniform MatMul batch); cuBLASLt variants take the first candidate of cuBLASLt's
// heuristic and, for a Gemm whose C is a bias row, add it in the matmul's epilogue instead of a
// separate pass, like a fused Relu (CUBLASLT_EPILOGUE_RELU / RELU_BIAS). Other fused clamps
// (ReLU6), and any under plain cuBLAS, are one clamp kernel after the product. A MatMul's fused
// bias (MatMul+Add, passes/fuse_matmul_bias.cpp) is the same bias epilogue when its batch is one
// tall product under cuBLASLt, and otherwise written into Y before the product accumulates onto
// it.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cuda/variants.h"
#include "device_ops.h"
#include "family.h"
#include "kernels.h"
#include "ops/gemm/gemm.h"
#include "ops/matmul/matmul.h"
#include "runtime.h"

namespace algoscope::cuda {
namespace {

constexpr size_t kLtWorkspace = size_t{32} << 20;

bool is_tf32(int variant) { return (variant & kTf32) != 0; }
bool is_lt(int variant) {
  return (variant & ~kTf32) == kCublasLt || (variant & ~kTf32) == kCublasLtFind;
}
bool is_find(int variant) { return (variant & ~kTf32) == kCublasLtFind; }
// How many heuristic candidates cublaslt_find times.
constexpr int kFindCandidates = 8;

std::optional<std::string> float_only(const Layer& layer) {
  for (size_t i = 0; i < layer.inputs.size(); ++i)
    if (layer.has_input(i) && layer.inputs[i].dtype != DType::Float32)
      return std::string("cuBLAS algorithms here take float32 tensors only; input ") +
             std::to_string(i) + " is " + dtype_name(layer.inputs[i].dtype);
  return std::nullopt;
}

// One row-major product Y[m x n] (+)= op(A)[m x k] op(B)[k x n], repeated `batch` times with the
// given element strides, through cublasGemmEx or cublasGemmStridedBatchedEx.
struct RowMajorGemm {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  int64_t batch = 1, stride_a = 0, stride_b = 0, stride_y = 0;
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F_PEDANTIC;

  void run(const float* a, const float* b, float* y, float alpha, float beta) const {
    const int64_t lda = trans_a ? m : k, ldb = trans_b ? k : n;
    const cublasOperation_t op_b = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t op_a = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    if (batch == 1) {
      check(cublasGemmEx(cublas(), op_b, op_a, int(n), int(m), int(k), &alpha, b, CUDA_R_32F,
                         int(ldb), a, CUDA_R_32F, int(lda), &beta, y, CUDA_R_32F, int(n), compute,
                         CUBLAS_GEMM_DEFAULT),
            "cublasGemmEx");
      return;
    }
    check(cublasGemmStridedBatchedEx(cublas(), op_b, op_a, int(n), int(m), int(k), &alpha, b,
                                     CUDA_R_32F, int(ldb), stride_b, a, CUDA_R_32F, int(lda),
                                     stride_a, &beta, y, CUDA_R_32F, int(n), stride_y, int(batch),
                                     compute, CUBLAS_GEMM_DEFAULT),
          "cublasGemmStridedBatchedEx");
  }
};

// A cuBLASLt matmul planned once: descriptors, layouts, and the heuristic's first algorithm or,
// with `find`, the fastest of its candidates.
class LtPlan {
 public:
  LtPlan(const RowMajorGemm& g, bool bias_epilogue, bool relu_epilogue, bool find)
      : g_(g), bias_epilogue_(bias_epilogue) {
    const cublasComputeType_t compute = g.compute;
    check(cublasLtMatmulDescCreate(&desc_, compute, CUDA_R_32F), "cublasLtMatmulDescCreate");
    const cublasOperation_t op_b = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t op_a = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    // Column-major view: D^T[n x m] = op(B)^T op(A)^T, so cuBLASLt's "A" is our B.
    set(CUBLASLT_MATMUL_DESC_TRANSA, op_b);
    set(CUBLASLT_MATMUL_DESC_TRANSB, op_a);
    if (bias_epilogue || relu_epilogue)
      set(CUBLASLT_MATMUL_DESC_EPILOGUE,
          bias_epilogue ? (relu_epilogue ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS)
                        : CUBLASLT_EPILOGUE_RELU);
    const int64_t lda = g.trans_a ? g.m : g.k, ldb = g.trans_b ? g.k : g.n;
    layout(&b_, g.trans_b ? g.k : g.n, g.trans_b ? g.n : g.k, ldb, g.stride_b);
    layout(&a_, g.trans_a ? g.m : g.k, g.trans_a ? g.k : g.m, lda, g.stride_a);
    layout(&y_, g.n, g.m, g.n, g.stride_y);
    cublasLtMatmulPreference_t preference = nullptr;
    check(cublasLtMatmulPreferenceCreate(&preference), "cublasLtMatmulPreferenceCreate");
    size_t workspace = kLtWorkspace;
    cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                         &workspace, sizeof workspace);
    int found = 0;
    cublasLtMatmulHeuristicResult_t candidates[kFindCandidates] = {};
    cublasStatus_t status =
        cublasLtMatmulAlgoGetHeuristic(cublaslt(), desc_, b_, a_, y_, y_, preference,
                                       find ? kFindCandidates : 1, candidates, &found);
    cublasLtMatmulPreferenceDestroy(preference);
    check(status, "cublasLtMatmulAlgoGetHeuristic");
    if (found == 0) throw Error("cuBLASLt's heuristic offers no algorithm for this product");
    heuristic_ = candidates[0];
    choice_ = "cuBLASLt's heuristic's first candidate";
    if (find) pick_fastest(candidates, found);
    workspace_ = SpaceBuffer(&device_space(), heuristic_.workspaceSize);
  }
  ~LtPlan() {
    cublasLtMatrixLayoutDestroy(y_);
    cublasLtMatrixLayoutDestroy(a_);
    cublasLtMatrixLayoutDestroy(b_);
    cublasLtMatmulDescDestroy(desc_);
  }
  LtPlan(const LtPlan&) = delete;
  LtPlan& operator=(const LtPlan&) = delete;

  const std::string& choice() const { return choice_; }

  void run(const float* a, const float* b, float* y, float alpha, float beta, const float* bias) {
    if (bias)
      check(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias,
                                           sizeof bias),
            "setting cuBLASLt's bias");
    check(cublasLtMatmul(cublaslt(), desc_, &alpha, b, b_, a, a_, &beta, y, y_, y, y_,
                         &heuristic_.algo, workspace_.data(), workspace_.bytes(), stream()),
          "cublasLtMatmul");
  }

 private:
  template <class T>
  void set(cublasLtMatmulDescAttributes_t attribute, T value) {
    check(cublasLtMatmulDescSetAttribute(desc_, attribute, &value, sizeof value),
          "cublasLtMatmulDescSetAttribute");
  }
  void layout(cublasLtMatrixLayout_t* l, int64_t rows, int64_t columns, int64_t ld,
              int64_t stride) {
    check(cublasLtMatrixLayoutCreate(l, CUDA_R_32F, uint64_t(rows), uint64_t(columns), ld),
          "cublasLtMatrixLayoutCreate");
    if (g_.batch > 1) {
      const int32_t count = int32_t(g_.batch);
      cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count,
                                       sizeof count);
      cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                                       sizeof stride);
    }
  }
  // Times each candidate on zero-filled scratch operands of the product's shapes (a bias row of
  // zeros where the epilogue reads one): a warm-up, then the best of three runs on CUDA events.
  void pick_fastest(const cublasLtMatmulHeuristicResult_t* candidates, int found) {
    auto elements = [&](int64_t rows, int64_t columns, int64_t stride) {
      return size_t(g_.batch > 1 ? stride * (g_.batch - 1) + rows * columns : rows * columns);
    };
    auto zeros = [](size_t count) {
      SpaceBuffer buffer(&device_space(), count * sizeof(float));
      check(cudaMemsetAsync(buffer.data(), 0, buffer.bytes(), stream()), "clearing scratch");
      return buffer;
    };
    SpaceBuffer a = zeros(elements(g_.m, g_.k, g_.stride_a));
    SpaceBuffer b = zeros(elements(g_.k, g_.n, g_.stride_b));
    SpaceBuffer y = zeros(elements(g_.m, g_.n, g_.stride_y));
    SpaceBuffer bias = zeros(size_t(g_.n));
    std::unique_ptr<DeviceTimer> timer = device_space().make_timer();
    double best_ms = -1;
    int best = -1;
    for (int i = 0; i < found; ++i) {
      if (candidates[i].state != CUBLAS_STATUS_SUCCESS) continue;
      heuristic_ = candidates[i];
      workspace_ = SpaceBuffer(&device_space(), heuristic_.workspaceSize);
      const float* bias_row = bias_epilogue_ ? static_cast<const float*>(bias.data()) : nullptr;
      double fastest = -1;
      for (int run_index = 0; run_index < 4; ++run_index) {
        timer->start();
        run(static_cast<const float*>(a.data()), static_cast<const float*>(b.data()),
            static_cast<float*>(y.data()), 1.0f, 0.0f, bias_row);
        const double ms = timer->stop_ms();
        if (run_index > 0 && (fastest < 0 || ms < fastest)) fastest = ms;
      }
      if (best < 0 || fastest < best_ms) best = i, best_ms = fastest;
    }
    if (best < 0) throw Error("none of cuBLASLt's candidates ran on this product");
    heuristic_ = candidates[best];
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.4f", best_ms);
    choice_ = "cuBLASLt's heuristic candidate " + std::to_string(best + 1) + " of " +
              std::to_string(found) + " measured fastest (" + ms + " ms)";
  }

  RowMajorGemm g_;
  bool bias_epilogue_ = false;
  std::string choice_;
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t a_ = nullptr, b_ = nullptr, y_ = nullptr;
  cublasLtMatmulHeuristicResult_t heuristic_{};
  SpaceBuffer workspace_;
};

// ONNX Gemm: Y = alpha op(A) op(B) + beta C. C (broadcast) is written into Y first and the
// product accumulates onto it, except where cuBLASLt adds a bias row in its epilogue.
class GemmKernel final : public DeviceKernel {
 public:
  GemmKernel(const Layer& layer, int variant)
      : g_(ops::gemm::gemm_geometry(layer)), clamp_(fused_clamp(layer)) {
    product_.m = g_.m, product_.n = g_.n, product_.k = g_.k;
    product_.trans_a = g_.trans_a, product_.trans_b = g_.trans_b;
    product_.compute =
        is_tf32(variant) ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F_PEDANTIC;
    // A bias row: C of shape [N] (or [1, N]), beta 1.
    bias_row_ = g_.has_c && g_.beta == 1.0f && g_.c_row_stride == 0 && g_.c_col_stride == 1;
    // A fused Relu (Node::activation) is cuBLASLt's RELU epilogue: max(0, x), NaN included.
    relu_epilogue_ = is_lt(variant) && clamp_.active && clamp_.lower == 0.0f &&
                     std::isinf(clamp_.upper) && clamp_.upper > 0;
    if (is_lt(variant))
      lt_ = std::make_unique<LtPlan>(product_, bias_row_, relu_epilogue_, is_find(variant));
  }
  std::string choice() const override { return lt_ ? lt_->choice() : std::string(); }
  void run(KernelIO& io) override {
    const float* a = io.inputs[0]->data<float>();
    const float* b = io.inputs[1]->data<float>();
    const float* c = g_.has_c ? io.inputs[2]->data<float>() : nullptr;
    float* y = io.outputs[0]->data<float>();
    if (lt_ && bias_row_) {
      lt_->run(a, b, y, g_.alpha, 0.0f, c);
    } else {
      float beta = 0.0f;
      if (c && g_.beta != 0.0f) {
        check(
            broadcast_matrix(y, c, g_.m, g_.n, g_.c_row_stride, g_.c_col_stride, g_.beta, stream()),
            "writing beta * C");
        beta = 1.0f;
      }
      if (lt_)
        lt_->run(a, b, y, g_.alpha, beta, nullptr);
      else
        product_.run(a, b, y, g_.alpha, beta);
    }
    if (clamp_.active && !relu_epilogue_)
      check(bias_and_clamp(y, nullptr, 1, 1, g_.m * g_.n, clamp_.lower, clamp_.upper, stream()),
            "clamping the product (fused activation)");
  }

 private:
  ops::gemm::GemmGeometry g_;
  Clamp clamp_;
  RowMajorGemm product_;
  bool bias_row_ = false, relu_epilogue_ = false;
  std::unique_ptr<LtPlan> lt_;
};

// numpy MatMul: one strided batched call when every output matrix pairs the A and B matrices at
// uniform strides (B shared, or both full batches), else one call per output matrix. A fused bias
// row and clamp as for Gemm: in cuBLASLt's epilogue where it can, else around the product.
class MatMulKernel final : public DeviceKernel {
 public:
  MatMulKernel(const Layer& layer, int variant)
      : g_(ops::matmul::matmul_geometry(layer)), clamp_(fused_clamp(layer)) {
    product_.m = g_.m, product_.n = g_.n, product_.k = g_.k;
    product_.compute =
        is_tf32(variant) ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F_PEDANTIC;
    const int64_t batch = g_.batch_count();
    if (g_.b_matrices == 1 && g_.a_matrices == batch) {
      // B shared: the batch folds into the rows of one product.
      product_.m = g_.m * batch;
    } else if (g_.a_matrices == batch && g_.b_matrices == batch) {
      product_.batch = batch;
      product_.stride_a = g_.m * g_.k, product_.stride_b = g_.k * g_.n;
      product_.stride_y = g_.m * g_.n;
    } else {
      per_matrix_ = true;
    }
    if (is_lt(variant)) {
      // cuBLASLt takes one uniformly strided batch; running the matrices one by one through plain
      // cuBLAS instead would be another algorithm under this one's name.
      if (per_matrix_)
        throw Error(
            "cuBLASLt needs a uniformly strided batch; this MatMul pairs its A and B matrices "
            "unevenly (cublas runs it one matrix at a time)");
      // cuBLASLt's bias epilogue on the one product of a shared B (a batched bias stride is not
      // relied on); a Relu is its RELU epilogue either way.
      bias_epilogue_ = g_.has_bias && product_.batch == 1;
      relu_epilogue_ =
          clamp_.active && clamp_.lower == 0.0f && std::isinf(clamp_.upper) && clamp_.upper > 0;
      lt_ = std::make_unique<LtPlan>(product_, bias_epilogue_, relu_epilogue_, is_find(variant));
    }
  }
  std::string choice() const override {
    return lt_ ? lt_->choice() : per_matrix_ ? "one cuBLAS call per output matrix" : "";
  }
  void run(KernelIO& io) override {
    const float* a = io.inputs[0]->data<float>();
    const float* b = io.inputs[1]->data<float>();
    const float* bias = g_.has_bias ? io.inputs[2]->data<float>() : nullptr;
    float* y = io.outputs[0]->data<float>();
    const int64_t rows = g_.batch_count() * g_.m;
    float beta = 0.0f;
    if (bias && !bias_epilogue_) {
      // The bias row in every row of Y; the product accumulates onto it.
      check(broadcast_matrix(y, bias, rows, g_.n, 0, 1, 1.0f, stream()), "writing the bias");
      beta = 1.0f;
    }
    if (per_matrix_) {
      for (int64_t i = 0; i < g_.batch_count(); ++i)
        product_.run(a + g_.a_offset(i), b + g_.b_offset(i), y + i * g_.m * g_.n, 1.0f, beta);
    } else if (lt_) {
      lt_->run(a, b, y, 1.0f, beta, bias_epilogue_ ? bias : nullptr);
    } else {
      product_.run(a, b, y, 1.0f, beta);
    }
    if (clamp_.active && !relu_epilogue_)
      check(bias_and_clamp(y, nullptr, 1, 1, rows * g_.n, clamp_.lower, clamp_.upper, stream()),
            "clamping the product (fused activation)");
  }

 private:
  ops::matmul::MatMulGeometry g_;
  Clamp clamp_;
  RowMajorGemm product_;
  bool per_matrix_ = false, bias_epilogue_ = false, relu_epilogue_ = false;
  std::unique_ptr<LtPlan> lt_;
};

template <class KernelType, class Geometry>
Family blas_family(Geometry (*geometry)(const Layer&)) {
  Family f;
  f.why_not = [geometry](int variant, const Layer& layer) -> std::optional<std::string> {
    if (auto problem = float_only(layer)) return problem;
    // Both kernels apply a fused clamp (the gated activations are declined before this, in
    // availability.cpp).
    geometry(layer);  // throws (caught by the module) with what is wrong
    if (is_lt(variant)) KernelType probe(layer, variant);  // the heuristic must offer one
    return std::nullopt;
  };
  f.prepare = [](int variant, const Layer& layer) -> std::unique_ptr<Kernel> {
    if (auto problem = float_only(layer)) throw Error(*problem);
    return std::make_unique<KernelType>(layer, variant);
  };
  return f;
}

}  // namespace

Family cublas_gemm_family() { return blas_family<GemmKernel>(&ops::gemm::gemm_geometry); }

Family cublas_matmul_family() { return blas_family<MatMulKernel>(&ops::matmul::matmul_geometry); }

}  // namespace algoscope::cuda
