// Reading and writing tensors as ONNX TensorProto files (.pb), the layout of ONNX's own
// test_data_set_N folders: input_K.pb and output_K.pb in graph order.
#pragma once

#include <string>
#include <vector>

#include "algoscope/tensor.h"

namespace algoscope {

Tensor read_tensor_file(const std::string& path);
void write_tensor_file(const std::string& path, const Tensor& tensor, const std::string& name = "");
// Reads DIR/<prefix>_0.pb, DIR/<prefix>_1.pb, ... until one is missing; Error if DIR is not a
// directory. Callers check the count against the model.
std::vector<Tensor> read_tensor_dir(const std::string& dir, const std::string& prefix);
void write_tensor_dir(const std::string& dir, const std::string& prefix,
                      const std::vector<Tensor>& tensors);

}  // namespace algoscope
