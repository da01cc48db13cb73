// Dense tensors as the engine passes them between kernels: an element type, a static shape and a
// pointer to row-major data. A Tensor either owns its (64-byte aligned) storage or views memory
// owned elsewhere (the session's activation arena), so kernels see one type either way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algoscope/error.h"

namespace algoscope {

using Shape = std::vector<int64_t>;

// The element types the engine computes with. ONNX's other types load for viewing only.
enum class DType { Float32, Int64, Int32, Bool, UInt8 };

size_t dtype_size(DType type);
const char* dtype_name(DType type);
int64_t shape_numel(const Shape& shape);
std::string shape_to_string(const Shape& shape);  // "1x3x224x224", "scalar" for rank 0

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::Float32;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::Int64;
}
template <>
constexpr DType dtype_of<int32_t>() {
  return DType::Int32;
}
template <>
constexpr DType dtype_of<bool>() {
  return DType::Bool;
}
template <>
constexpr DType dtype_of<uint8_t>() {
  return DType::UInt8;
}

// Type and shape of a value without its data: what shape inference produces.
struct TensorInfo {
  DType dtype = DType::Float32;
  Shape shape;
  int64_t numel() const { return shape_numel(shape); }
  size_t bytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype); }
  bool operator==(const TensorInfo&) const = default;
};

class Tensor {
 public:
  Tensor() = default;
  // Owning, zero-filled.
  Tensor(DType dtype, Shape shape);
  // Non-owning view of memory that outlives the tensor.
  static Tensor view(DType dtype, Shape shape, void* data);
  template <class T>
  static Tensor from_vector(Shape shape, const std::vector<T>& values);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  TensorInfo info() const { return {dtype_, shape_}; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t axis) const { return shape_[static_cast<size_t>(axis)]; }
  int64_t numel() const { return shape_numel(shape_); }
  size_t bytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }
  bool empty() const { return data_ == nullptr && numel() != 0; }

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  // Typed access; throws Error when T does not match the element type.
  template <class T>
  T* data();
  template <class T>
  const T* data() const;

  // A deep copy that owns its storage.
  Tensor clone() const;
  // Same data, another shape of the same element count (shares storage).
  Tensor reshaped(Shape shape) const;
  // Values as int64 whatever the integer type (shape tensors, indices, axes).
  std::vector<int64_t> to_int64_vector() const;

 private:
  void check_type(DType requested) const;
  DType dtype_ = DType::Float32;
  Shape shape_;
  std::shared_ptr<std::byte> storage_;
  std::byte* data_ = nullptr;
};

template <class T>
T* Tensor::data() {
  check_type(dtype_of<T>());
  return reinterpret_cast<T*>(data_);
}

template <class T>
const T* Tensor::data() const {
  check_type(dtype_of<T>());
  return reinterpret_cast<const T*>(data_);
}

template <class T>
Tensor Tensor::from_vector(Shape shape, const std::vector<T>& values) {
  Tensor t(dtype_of<T>(), std::move(shape));
  if (static_cast<int64_t>(values.size()) != t.numel())
    throw Error("tensor of shape " + shape_to_string(t.shape()) + " cannot hold " +
                std::to_string(values.size()) + " values");
  T* out = t.data<T>();
  for (size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return t;
}

// A float32 tensor of values uniform in [lo, hi), the same for the same seed (std::mt19937): the
// data of algorithm sweeps, kernel benchmarks and tests.
Tensor random_tensor(Shape shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

}  // namespace algoscope
