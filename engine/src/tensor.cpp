// Tensor storage and the small shape utilities every module uses.
#include "algoscope/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

#include "algoscope/error.h"
#include "algoscope/resource_limits.h"

namespace algoscope {

size_t dtype_size(DType type) {
  switch (type) {
    case DType::Float32:
      return 4;
    case DType::Int64:
      return 8;
    case DType::Int32:
      return 4;
    case DType::Bool:
      return 1;
    case DType::UInt8:
      return 1;
  }
  return 0;
}

const char* dtype_name(DType type) {
  switch (type) {
    case DType::Float32:
      return "float32";
    case DType::Int64:
      return "int64";
    case DType::Int32:
      return "int32";
    case DType::Bool:
      return "bool";
    case DType::UInt8:
      return "uint8";
  }
  return "?";
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_to_string(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(shape[i]);
  }
  return s;
}

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  for (int64_t d : shape_)
    if (d < 0) throw Error("negative dimension in tensor shape " + shape_to_string(shape_));
  // The last line of defence: callers that know the tensor's name check first, with it.
  check_tensor_allocation(dtype_, shape_, "a tensor");
  // Always allocate at least one cache line so that empty tensors still have a valid pointer.
  size_t bytes = (this->bytes() + 63) / 64 * 64;
  if (bytes == 0) bytes = 64;
  void* p = std::aligned_alloc(64, bytes);
  if (!p) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(p, 0, bytes);
  storage_ =
      std::shared_ptr<std::byte>(static_cast<std::byte*>(p), [](std::byte* q) { std::free(q); });
  data_ = storage_.get();
}

Tensor Tensor::view(DType dtype, Shape shape, void* data) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = static_cast<std::byte*>(data);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t(dtype_, shape_);
  if (bytes()) std::memcpy(t.data_, data_, bytes());
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  if (shape_numel(shape) != numel())
    throw Error("cannot reshape " + shape_to_string(shape_) + " to " + shape_to_string(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

std::vector<int64_t> Tensor::to_int64_vector() const {
  std::vector<int64_t> out(static_cast<size_t>(numel()));
  switch (dtype_) {
    case DType::Int64: {
      const int64_t* p = reinterpret_cast<const int64_t*>(data_);
      out.assign(p, p + numel());
      break;
    }
    case DType::Int32: {
      const int32_t* p = reinterpret_cast<const int32_t*>(data_);
      for (size_t i = 0; i < out.size(); ++i) out[i] = p[i];
      break;
    }
    case DType::Bool: {
      const bool* p = reinterpret_cast<const bool*>(data_);
      for (size_t i = 0; i < out.size(); ++i) out[i] = p[i] ? 1 : 0;
      break;
    }
    case DType::UInt8: {
      const uint8_t* p = reinterpret_cast<const uint8_t*>(data_);
      for (size_t i = 0; i < out.size(); ++i) out[i] = p[i];
      break;
    }
    case DType::Float32: {
      const float* p = reinterpret_cast<const float*>(data_);
      for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int64_t>(p[i]);
      break;
    }
  }
  return out;
}

void Tensor::check_type(DType requested) const {
  if (requested != dtype_)
    throw Error(std::string("tensor holds ") + dtype_name(dtype_) + ", not " +
                dtype_name(requested));
}

Tensor random_tensor(Shape shape, uint32_t seed, float lo, float hi) {
  Tensor t(DType::Float32, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = uniform(rng);
  return t;
}

}  // namespace algoscope
