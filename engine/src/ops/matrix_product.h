// What the two matrix-product ops, Gemm and MatMul, share: the same CPU algorithm files
// (reference, openblas, blocked and, with oneDNN, onednn), declared here once as the members of
// MatrixProduct<Op>. Each op defines them in its own files (ops/gemm/<name>.cpp,
// ops/matmul/<name>.cpp) as explicit specializations, and add_matrix_product_op names and ranks
// them the same way for both ops, so the list of these algorithms is written once.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/registry.h"
#include "blas/sgemm.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops {

// The ops, as tags for MatrixProduct.
struct GemmOp;
struct MatMulOp;

template <class Op>
struct MatrixProduct {
  // geometry.cpp: shape inference and 2 * batch * M * N * K (Gemm's alpha/beta scaling ignored).
  static std::vector<TensorInfo> infer(const Layer& layer);
  static double flops(const Layer& layer);

  // reference.cpp: triple loops in double, the ground truth.
  static std::unique_ptr<Kernel> prepare_reference(const Layer& layer);
  static AlgorithmText reference_text();

  // openblas.cpp: OpenBLAS sgemm calls.
  static std::optional<std::string> openblas_not_applicable(const Layer& layer);
  static std::unique_ptr<Kernel> prepare_openblas(const Layer& layer);
  static AlgorithmText openblas_text();

  // blocked.cpp: our own cache-blocked GEMM (blocked_gemm/blocked_gemm.h), constant B packed at
  // prepare; it computes every valid layer.
  static std::unique_ptr<Kernel> prepare_blocked(const Layer& layer);
  static size_t blocked_prepared_bytes(const Layer& layer);  // the pre-packed constant B
  static AlgorithmText blocked_text();

#ifdef ALGOSCOPE_HAVE_ONEDNN
  // onednn.cpp: oneDNN's dnnl_sgemm (row-major, JIT-generated kernels for this CPU).
  static std::unique_ptr<Kernel> prepare_onednn(const Layer& layer);
  static AlgorithmText onednn_text();
#endif
};

// Whether the op's CPU algorithms apply the node's fused activation (Node::activation) themselves:
// MatMul's do (with its fused bias, in the blocked GEMM's epilogue); Gemm's leave it to the
// session's pass after the kernel.
template <class Op>
inline constexpr bool kAppliesActivation = false;
template <>
inline constexpr bool kAppliesActivation<MatMulOp> = true;

// Registers the op (MatrixProduct<Op>::infer and flops) with its CPU algorithms in registry order
// (defined in ops/gemm/registry.cpp, for both ops).
template <class Op>
void add_matrix_product_op(Registry& registry, const std::string& op_type,
                           const std::string& summary);

// The message of the Error `check` throws, or nullopt when it returns: a not_applicable from a
// validation (a geometry, shape inference) that throws.
template <class Check>
std::optional<std::string> error_reason(Check check) {
  try {
    check();
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

// Why OpenBLAS cannot compute the layer: not loaded, the layer invalid (`geometry` throws), or a
// dimension of the product, {M, N, K} = dimensions(geometry), beyond its 32-bit integers.
template <class Geometry, class Dimensions>
std::optional<std::string> openblas_reason(Geometry (*geometry)(const Layer&), const Layer& layer,
                                           Dimensions dimensions) {
  if (!blas::openblas_available()) return blas::openblas_core_name();
  if (auto why = error_reason([&] { geometry(layer); })) return why;
  const auto [m, n, k] = dimensions(geometry(layer));
  return blas::dimensions_reason(m, n, k);
}

}  // namespace algoscope::ops
