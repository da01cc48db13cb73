// Trilu and EyeLike: matrices selected by diagonal. Trilu keeps the upper (j - i >= k) or lower
// (j - i <= k) triangle of each of the input's last-two-dimension matrices and zeroes the rest;
// EyeLike writes ones on diagonal k of a 2-D tensor of its input's shape. Shape inference and the
// one algorithm of each, the reference, live here.
#include <string>
#include <type_traits>

#include "onnx_tensor.h"
#include "ops/common.h"
#include "ops/shape/shape.h"

namespace algoscope::ops::shape {
namespace {

// Trilu's k: the optional scalar input 1, 0 when absent.
int64_t trilu_k(const Tensor* k) {
  if (!k) return 0;
  require(k->numel() == 1 && (k->dtype() == DType::Int64 || k->dtype() == DType::Int32),
          std::string("Trilu: k must be one int64, got ") + dtype_name(k->dtype()) + " " +
              shape_to_string(k->shape()));
  return k->to_int64_vector()[0];
}

DType eye_like_type(const Layer& layer) {
  if (!layer.n().has_attribute("dtype")) return layer.inputs[0].dtype;
  const int64_t code = layer.n().attr_int("dtype", 1);
  if (auto type = code == int32_t(code) ? dtype_from_onnx(int32_t(code)) : std::nullopt)
    return *type;
  throw Error("EyeLike: dtype " + std::to_string(code) +
              " is not supported (float32, uint8, int32, int64 and bool are)");
}

}  // namespace

std::vector<TensorInfo> infer_trilu(const Layer& layer) {
  require(layer.has_input(0), "Trilu needs an input");
  const TensorInfo& x = layer.inputs[0];
  require(x.shape.size() >= 2,
          "Trilu needs an input of rank 2 or more, got shape " + shape_to_string(x.shape));
  if (layer.has_input(1)) {
    if (const Tensor* k = layer.constant(1)) trilu_k(k);
  }
  return {x};
}

std::vector<TensorInfo> infer_eye_like(const Layer& layer) {
  require(layer.has_input(0), "EyeLike needs an input");
  const TensorInfo& x = layer.inputs[0];
  require(x.shape.size() == 2, "EyeLike needs a 2-D input, got shape " + shape_to_string(x.shape));
  return {TensorInfo{eye_like_type(layer), x.shape}};
}

std::unique_ptr<Kernel> prepare_trilu_reference(const Layer& layer) {
  infer_trilu(layer);
  const bool upper = layer.n().attr_int("upper", 1) != 0;
  const Shape shape = layer.inputs[0].shape;
  return make_kernel([upper, shape](KernelIO& io) {
    const int64_t k = trilu_k(io.inputs.size() > 1 ? io.inputs[1] : nullptr);
    const int64_t rows = shape[shape.size() - 2], cols = shape.back();
    const int64_t matrices = rows * cols == 0 ? 0 : shape_numel(shape) / (rows * cols);
    const size_t size = dtype_size(io.inputs[0]->dtype());
    const auto* x = static_cast<const unsigned char*>(io.inputs[0]->raw());
    auto* y = static_cast<unsigned char*>(io.outputs[0]->raw());
    for (int64_t m = 0; m < matrices; ++m)
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) {
          const bool keep = upper ? j - i >= k : j - i <= k;
          const size_t at = static_cast<size_t>((m * rows + i) * cols + j) * size;
          // Zero is all-zero bytes in every engine type.
          for (size_t byte = 0; byte < size; ++byte) y[at + byte] = keep ? x[at + byte] : 0;
        }
  });
}

std::unique_ptr<Kernel> prepare_eye_like_reference(const Layer& layer) {
  infer_eye_like(layer);
  const int64_t k = layer.n().attr_int("k", 0);
  return make_kernel([k](KernelIO& io) {
    Tensor& y = *io.outputs[0];
    const int64_t rows = y.shape()[0], cols = y.shape()[1];
    visit_dtype(y.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* p = y.data<T>();
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) p[i * cols + j] = static_cast<T>(j - i == k ? 1 : 0);
    });
  });
}

AlgorithmText trilu_reference_text() {
  return {"copies the kept triangle, zeroes the rest",
          "For each matrix of the last two dimensions, element (i, j) is copied when j - i >= k "
          "(upper) or j - i <= k (lower), else set to zero; k comes from the optional scalar "
          "input, read each run. One pass, no extra memory; moves bits only: exact."};
}

AlgorithmText eye_like_reference_text() {
  return {"writes the diagonal",
          "Fills the output with zeros and ones where j - i == k; the input's data is never read, "
          "only its shape (and its type unless dtype says otherwise). No extra memory; exact."};
}

}  // namespace algoscope::ops::shape
