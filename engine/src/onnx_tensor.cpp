// TensorProto <-> Tensor. ONNX stores data either as raw little-endian bytes or in typed repeated
// fields (float_data, int64_data, int32_data for int32/bool), possibly in an external file.
#include "onnx_tensor.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "algoscope/error.h"
#include "algoscope/resource_limits.h"

namespace algoscope {

std::optional<DType> dtype_from_onnx(int32_t onnx_type) {
  switch (onnx_type) {
    case onnx::TensorProto::FLOAT:
      return DType::Float32;
    case onnx::TensorProto::INT64:
      return DType::Int64;
    case onnx::TensorProto::INT32:
      return DType::Int32;
    case onnx::TensorProto::BOOL:
      return DType::Bool;
    case onnx::TensorProto::UINT8:
      return DType::UInt8;
    default:
      return std::nullopt;
  }
}

int32_t dtype_to_onnx(DType type) {
  switch (type) {
    case DType::Float32:
      return onnx::TensorProto::FLOAT;
    case DType::Int64:
      return onnx::TensorProto::INT64;
    case DType::Int32:
      return onnx::TensorProto::INT32;
    case DType::Bool:
      return onnx::TensorProto::BOOL;
    case DType::UInt8:
      return onnx::TensorProto::UINT8;
  }
  return onnx::TensorProto::UNDEFINED;
}

std::string onnx_type_name(int32_t onnx_type) {
  switch (onnx_type) {
    case onnx::TensorProto::FLOAT:
      return "float";
    case onnx::TensorProto::UINT8:
      return "uint8";
    case onnx::TensorProto::INT8:
      return "int8";
    case onnx::TensorProto::UINT16:
      return "uint16";
    case onnx::TensorProto::INT16:
      return "int16";
    case onnx::TensorProto::INT32:
      return "int32";
    case onnx::TensorProto::INT64:
      return "int64";
    case onnx::TensorProto::STRING:
      return "string";
    case onnx::TensorProto::BOOL:
      return "bool";
    case onnx::TensorProto::FLOAT16:
      return "float16";
    case onnx::TensorProto::DOUBLE:
      return "double";
    case onnx::TensorProto::UINT32:
      return "uint32";
    case onnx::TensorProto::UINT64:
      return "uint64";
    case onnx::TensorProto::BFLOAT16:
      return "bfloat16";
    default:
      return "type " + std::to_string(onnx_type);
  }
}

namespace {

// Parses one external-data number ("offset", "length"): decimal digits only, no sign, no overflow.
int64_t parse_external_number(const std::string& text, const std::string& key,
                              const std::string& what) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0)
    throw Error(what + " has external-data " + key + " '" + text +
                "', which is not a non-negative integer");
  return value;
}

// True when `path` is `dir` or lies below it; both must be canonical.
bool lies_within(const std::filesystem::path& path, const std::filesystem::path& dir) {
  auto [dir_end, path_end] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return dir_end == dir.end();
}

// Reads a tensor's external data. Models come from strangers, so the file it names must stay inside
// the model's folder, as ONNX Runtime requires: an absolute location, a '..' component or a symlink
// that resolves outside would otherwise pull any file the user can read into the model's outputs.
// Only regular files are read (a FIFO or a device would hang or never end).
std::string read_external(const onnx::TensorProto& proto, const std::string& origin,
                          const std::string& base_dir, size_t expected_bytes) {
  const std::string what = origin + ": tensor '" + proto.name() + "'";
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& entry : proto.external_data()) {
    if (entry.key() == "location") location = entry.value();
    if (entry.key() == "offset") offset = parse_external_number(entry.value(), "offset", what);
    if (entry.key() == "length") length = parse_external_number(entry.value(), "length", what);
  }
  if (location.empty()) throw Error(what + " keeps its data externally but names no location");
  if (location.find('\0') != std::string::npos)
    throw Error(what + " has an external-data location with a NUL character");
  const std::filesystem::path relative(location);
  if (relative.has_root_path())
    throw Error(what + " keeps its data in '" + location +
                "', an absolute path; external data must lie in the model's folder");
  for (const auto& part : relative)
    if (part == "..")
      throw Error(what + " keeps its data in '" + location +
                  "', which leaves the model's folder ('..'); external data must lie in it");

  std::error_code ec;
  const std::filesystem::path folder =
      std::filesystem::canonical(std::filesystem::path(base_dir.empty() ? "." : base_dir), ec);
  if (ec) throw Error(what + ": the model's folder '" + base_dir + "' cannot be resolved");
  const std::filesystem::path file = std::filesystem::canonical(folder / relative, ec);
  if (ec)
    throw Error(what + " keeps its data in external file '" + (folder / relative).string() +
                "', which cannot be read");
  if (!lies_within(file, folder))
    throw Error(what + " keeps its data in '" + location + "', which resolves to '" +
                file.string() + "', outside the model's folder (a symlink?); refused");
  if (!std::filesystem::is_regular_file(file, ec))
    throw Error(what + " keeps its data in '" + file.string() + "', which is not a regular file");

  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(what + " keeps its data in '" + file.string() + "', which cannot be opened");
  in.seekg(0, std::ios::end);
  const int64_t size = in.tellg();
  if (offset > size || (length >= 0 && length > size - offset))
    throw Error(what + ": external data at offset " + std::to_string(offset) +
                (length >= 0 ? " with length " + std::to_string(length) : std::string()) +
                " lies beyond the end of '" + file.string() + "' (" + std::to_string(size) +
                " bytes)");
  if (length < 0) length = size - offset;
  // The tensor's size is checked against the limit by the caller; a length that differs from it
  // is an error found there too, but only after reading, so a large file is refused here.
  if (static_cast<size_t>(length) != expected_bytes)
    throw Error(what + " needs " + std::to_string(expected_bytes) +
                " bytes but its external data in '" + file.string() + "' has " +
                std::to_string(length));
  std::string bytes(static_cast<size_t>(length), '\0');
  in.seekg(offset);
  in.read(bytes.data(), length);
  if (!in) throw Error(what + ": reading external data from '" + file.string() + "' failed");
  return bytes;
}

}  // namespace

Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& origin,
                         const std::string& base_dir) {
  auto dtype = dtype_from_onnx(proto.data_type());
  if (!dtype)
    throw Error(origin + ": tensor '" + proto.name() + "' has element type " +
                onnx_type_name(proto.data_type()) + ", which the engine does not compute");
  Shape shape(proto.dims().begin(), proto.dims().end());
  for (int64_t d : shape)
    if (d < 0) throw Error(origin + ": tensor '" + proto.name() + "' has a negative dimension");
  // The dims are the file's word: size them without overflow, and refuse what the data cannot
  // fill before allocating (a few bytes of raw_data must not buy a terabyte of zeros).
  const std::string what = origin + ": tensor '" + proto.name() + "'";
  const std::optional<size_t> bytes = checked_tensor_bytes(*dtype, shape);
  if (!bytes)
    throw Error(what + " (" + tensor_type_string(*dtype, shape) +
                ") has more elements or bytes than a 64-bit size can count");
  const size_t n = *bytes / dtype_size(*dtype);
  auto mismatch = [&](size_t got) {
    return Error(origin + ": tensor '" + proto.name() + "' of shape " + shape_to_string(shape) +
                 " holds " + std::to_string(got) + " values instead of " + std::to_string(n));
  };
  std::string external;
  const std::string* raw = nullptr;
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    external = read_external(proto, origin, base_dir, *bytes);
    raw = &external;
  } else if (proto.has_raw_data()) {
    raw = &proto.raw_data();
  }
  if (raw && raw->size() != *bytes) throw mismatch(raw->size() / dtype_size(*dtype));
  if (!raw) {
    size_t given = 0;
    switch (*dtype) {
      case DType::Float32:
        given = static_cast<size_t>(proto.float_data_size());
        break;
      case DType::Int64:
        given = static_cast<size_t>(proto.int64_data_size());
        break;
      case DType::Int32:
      case DType::Bool:
      case DType::UInt8:
        given = static_cast<size_t>(proto.int32_data_size());
        break;
    }
    if (given != n) throw mismatch(given);
  }
  check_allocation(*bytes, what, " (" + tensor_type_string(*dtype, shape) + ")");
  Tensor t(*dtype, shape);
  if (raw) {
    if (n) std::memcpy(t.raw(), raw->data(), raw->size());
    return t;
  }
  switch (*dtype) {
    case DType::Float32:
      std::copy(proto.float_data().begin(), proto.float_data().end(), t.data<float>());
      break;
    case DType::Int64:
      std::copy(proto.int64_data().begin(), proto.int64_data().end(), t.data<int64_t>());
      break;
    case DType::Int32:
      std::copy(proto.int32_data().begin(), proto.int32_data().end(), t.data<int32_t>());
      break;
    case DType::Bool:
    case DType::UInt8: {
      // ONNX keeps both in int32_data, one value per entry.
      auto* out = static_cast<uint8_t*>(t.raw());
      for (size_t i = 0; i < n; ++i)
        out[i] =
            static_cast<uint8_t>(*dtype == DType::Bool ? proto.int32_data(static_cast<int>(i)) != 0
                                                       : proto.int32_data(static_cast<int>(i)));
      break;
    }
  }
  return t;
}

onnx::TensorProto tensor_to_proto(const Tensor& tensor, const std::string& name) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(dtype_to_onnx(tensor.dtype()));
  for (int64_t d : tensor.shape()) proto.add_dims(d);
  proto.set_raw_data(std::string(static_cast<const char*>(tensor.raw()), tensor.bytes()));
  return proto;
}

}  // namespace algoscope
