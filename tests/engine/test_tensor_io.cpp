// Tests of TensorProto files (tensor_io.h), the input_K.pb / output_K.pb files of ONNX test data
// folders that `--inputs` and `--expected` read: every element type reads back as written, and
// a file whose shape does not match the values it holds fails with an Error naming the file and
// the mismatch, before anything of the claimed size is allocated.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/tensor_io.h"
#include "support/assertions.h"
#include "support/onnx_builder.h"
#include "support/temp_dir.h"

namespace {

using algoscope::DType;
using algoscope::Tensor;
using test_support::Contains;
using test_support::error_of;
using test_support::TempDir;

std::string write_proto(const std::string& path, const onnx::TensorProto& proto) {
  std::ofstream out(path, std::ios::binary);
  out << proto.SerializeAsString();
  return path;
}

TEST(TensorFile, EveryElementTypeReadsBackAsWritten) {
  TempDir dir;
  const std::vector<Tensor> tensors = {
      Tensor::from_vector<float>({2, 2}, {1.5f, -2.0f, 0.0f, 3.25f}),
      Tensor::from_vector<int64_t>({3}, {-1, 0, 1LL << 40}),
      Tensor::from_vector<int32_t>({1, 2}, {7, -7}),
      Tensor::from_vector<bool>({2}, {true, false}),
      Tensor::from_vector<uint8_t>({}, {200}),
      Tensor(DType::Float32, {0, 5}),
  };
  for (size_t i = 0; i < tensors.size(); ++i) {
    const std::string path = dir.file("t" + std::to_string(i) + ".pb");
    algoscope::write_tensor_file(path, tensors[i]);
    const Tensor read = algoscope::read_tensor_file(path);
    EXPECT_EQ(read.dtype(), tensors[i].dtype()) << i;
    ASSERT_EQ(read.shape(), tensors[i].shape()) << i;
    EXPECT_EQ(std::string(static_cast<const char*>(read.raw()), read.bytes()),
              std::string(static_cast<const char*>(tensors[i].raw()), tensors[i].bytes()))
        << i;
  }
}

// Found by fuzz_tensor (fuzz/regressions/fuzz_tensor/huge-shape-without-values.pb, a 13-byte
// file) on a build before the memory limit (resource_limits.h): the reader allocated the shape's
// 8.6e18 bytes before counting the values, so the file failed with "out of memory" (under ASan:
// an allocation-size-too-big report). The limit's work fixed it the same way meanwhile.
TEST(TensorFileBadInput, HugeShapeWithoutValuesIsAMismatchNotAnAllocation) {
  TempDir dir;
  onnx::TensorProto proto;
  proto.set_data_type(onnx_builder::kFloat);
  for (int64_t d : {115, 101, 113, 95, 101, 109, 112, 116, 121}) proto.add_dims(d);
  const std::string path = write_proto(dir.file("input_0.pb"), proto);
  const std::string msg = error_of([&] { algoscope::read_tensor_file(path); });
  EXPECT_TRUE(Contains(msg, path));
  EXPECT_TRUE(Contains(msg, "holds 0 values instead of 2157896034072363200"));
}

// Before the memory limit the element count overflowed int64 (undefined behaviour) and could
// wrap to a small number: a tensor whose shape claimed 2^65 elements came back over 64 bytes.
TEST(TensorFileBadInput, ShapeBeyondAddressableMemoryIsRefused) {
  TempDir dir;
  onnx::TensorProto proto;
  proto.set_name("w");
  proto.set_data_type(onnx_builder::kFloat);
  proto.add_dims(int64_t{1} << 62);
  proto.add_dims(8);
  const std::string path = write_proto(dir.file("input_0.pb"), proto);
  const std::string msg = error_of([&] { algoscope::read_tensor_file(path); });
  EXPECT_TRUE(Contains(msg, "tensor 'w'"));
  EXPECT_TRUE(Contains(msg, "than a 64-bit size can count"));
}

// Model initializers go through the same reader.
TEST(TensorFileBadInput, InitializerShapeBeyondAddressableMemoryIsRefused) {
  onnx_builder::ModelBuilder b("huge_initializer");
  b.input("x", {1});
  b.initializer(onnx_builder::float_tensor("w", {int64_t{1} << 62, 8}, {}));
  b.node("Add", {"x", "w"}, {"y"}, "add");
  b.output("y");
  const std::string msg =
      error_of([&] { algoscope::load_model_from_bytes(b.bytes(), "huge.onnx"); });
  EXPECT_TRUE(Contains(msg, "huge.onnx"));
  EXPECT_TRUE(Contains(msg, "than a 64-bit size can count"));
}

}  // namespace
