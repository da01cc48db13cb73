// TensorProto files on disk (ONNX test_data_set layout), for `--inputs`, `--outputs`, `--expected`.
#include "algoscope/tensor_io.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "algoscope/error.h"
#include "algoscope/file_io.h"
#include "algoscope/resource_limits.h"
#include "onnx_tensor.h"

namespace algoscope {

Tensor read_tensor_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open tensor file '" + path + "'");
  // The whole file is held in memory while it is parsed.
  std::error_code ec;
  if (const auto size = std::filesystem::file_size(path, ec); !ec)
    check_allocation(static_cast<size_t>(size), "tensor file '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  onnx::TensorProto proto;
  if (buffer.str().empty() || !proto.ParseFromString(buffer.str()))
    throw Error("'" + path + "' is not an ONNX TensorProto file");
  return tensor_from_proto(proto, path, std::filesystem::path(path).parent_path().string());
}

void write_tensor_file(const std::string& path, const Tensor& tensor, const std::string& name) {
  std::string bytes;
  tensor_to_proto(tensor, name).SerializeToString(&bytes);
  write_file_atomically(path, bytes, "tensor file");
}

std::vector<Tensor> read_tensor_dir(const std::string& dir, const std::string& prefix) {
  if (!std::filesystem::is_directory(dir)) throw Error("'" + dir + "' is not a directory");
  std::vector<Tensor> tensors;
  for (int k = 0;; ++k) {
    auto file = std::filesystem::path(dir) / (prefix + "_" + std::to_string(k) + ".pb");
    if (!std::filesystem::exists(file)) break;
    tensors.push_back(read_tensor_file(file.string()));
  }
  return tensors;  // may be empty: a model without inputs reads none
}

void write_tensor_dir(const std::string& dir, const std::string& prefix,
                      const std::vector<Tensor>& tensors) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot create directory '" + dir + "': " + ec.message());
  for (size_t k = 0; k < tensors.size(); ++k)
    write_tensor_file(
        (std::filesystem::path(dir) / (prefix + "_" + std::to_string(k) + ".pb")).string(),
        tensors[k]);
}

}  // namespace algoscope
