// Conversion between ONNX TensorProto and engine Tensors, shared by the loader (initializers,
// Constant attributes) and tensor_io (test_data_set .pb files). Internal: protobuf stays out of
// the public headers.
#pragma once

#include <optional>
#include <string>

#include "algoscope/tensor.h"
#include "onnx/onnx_pb.h"

namespace algoscope {

// The engine type for an ONNX element type, or nullopt for types the engine does not compute.
std::optional<DType> dtype_from_onnx(int32_t onnx_type);
int32_t dtype_to_onnx(DType type);
std::string onnx_type_name(int32_t onnx_type);

// Throws Error (naming the tensor and `origin`) for unsupported types, external data that cannot
// be read, or a size that does not match the shape. `base_dir` resolves external data files.
Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& origin,
                         const std::string& base_dir = "");
onnx::TensorProto tensor_to_proto(const Tensor& tensor, const std::string& name);

}  // namespace algoscope
