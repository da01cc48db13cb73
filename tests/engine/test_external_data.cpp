// Tests of tensors stored as ONNX external data. Models come from strangers: a location that is
// absolute, contains '..', or resolves through a symlink to outside the model's folder must be
// refused with an error naming the tensor, as must offsets and lengths beyond the file and files
// that are not regular files; data inside the folder must still load with the right values.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/session.h"
#include "support/assertions.h"
#include "support/onnx_builder.h"
#include "support/temp_dir.h"

namespace {

using test_support::Contains;

using algoscope::Error;
using onnx_builder::ModelBuilder;
using test_support::TempDir;

const std::vector<float> kWeights{1.5f, -2.0f, 3.25f, 4.0f};

void write_floats(const std::string& path, const std::vector<float>& values,
                  const std::string& prefix = "") {
  std::ofstream out(path, std::ios::binary);
  out << prefix;
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(float)));
}

// The initializer 'w' of shape [4], its bytes in `location` (external data).
onnx::TensorProto external_tensor(const std::string& location, const std::string& offset = "",
                                  const std::string& length = "") {
  onnx::TensorProto t;
  t.set_name("w");
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(4);
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const std::string& key, const std::string& value) {
    auto* entry = t.add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  add("location", location);
  if (!offset.empty()) add("offset", offset);
  if (!length.empty()) add("length", length);
  return t;
}

// y = x + w, with w stored externally.
std::string write_model(const TempDir& dir, const onnx::TensorProto& weights) {
  ModelBuilder b("external");
  b.input("x", {4});
  b.initializer(weights);
  b.node("Add", {"x", "w"}, {"y"}, "add");
  b.output("y");
  return b.write(dir.file("model.onnx"));
}

std::string load_error(const std::string& path) {
  try {
    algoscope::load_model(path);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "loading " << path << " did not fail";
  return "";
}

std::vector<float> weights_of(const std::string& model_path) {
  algoscope::Model m = algoscope::load_model(model_path);
  const algoscope::Tensor& w = m.constants.at("w");
  return std::vector<float>(w.data<float>(), w.data<float>() + w.numel());
}

TEST(ExternalData, FileInTheModelsFolderLoadsWithItsValues) {
  TempDir dir;
  write_floats(dir.file("w.bin"), kWeights);
  EXPECT_EQ(weights_of(write_model(dir, external_tensor("w.bin"))), kWeights);
}

TEST(ExternalData, SubfolderAndOffsetAndLengthAreHonoured) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("weights"));
  write_floats(dir.file("weights/all.bin"), kWeights, "HEADER!!");
  EXPECT_EQ(weights_of(write_model(dir, external_tensor("weights/all.bin", "8", "16"))), kWeights);
  // "./" inside the folder is harmless.
  EXPECT_EQ(weights_of(write_model(dir, external_tensor("./weights/all.bin", "8"))), kWeights);
}

TEST(ExternalData, ParentDirectoryComponentIsRefused) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("model"));
  write_floats(dir.file("secret.bin"), kWeights);
  ModelBuilder b("external");
  b.input("x", {4}).initializer(external_tensor("../secret.bin"));
  b.node("Add", {"x", "w"}, {"y"}, "add");
  b.output("y");
  std::string error = load_error(b.write(dir.file("model/model.onnx")));
  EXPECT_TRUE(Contains(error, "tensor 'w'"));
  EXPECT_TRUE(Contains(error, "leaves the model's folder"));
  // Even a '..' that comes back inside is refused, as ONNX Runtime does.
  write_floats(dir.file("model/w.bin"), kWeights);
  b.proto().mutable_graph()->mutable_initializer(0)->mutable_external_data(0)->set_value(
      "sub/../w.bin");
  EXPECT_TRUE(Contains(load_error(b.write(dir.file("model/model.onnx"))), "'..'"));
}

TEST(ExternalData, DeepTraversalToASystemFileIsRefused) {
  TempDir dir;
  std::string error =
      load_error(write_model(dir, external_tensor("../../../../../../../../etc/passwd")));
  EXPECT_TRUE(Contains(error, "tensor 'w'"));
  EXPECT_TRUE(Contains(error, "leaves the model's folder"));
}

TEST(ExternalData, AbsolutePathIsRefused) {
  TempDir dir;
  write_floats(dir.file("w.bin"), kWeights);
  std::string error = load_error(write_model(dir, external_tensor(dir.file("w.bin"))));
  EXPECT_TRUE(Contains(error, "tensor 'w'"));
  EXPECT_TRUE(Contains(error, "absolute path"));
}

TEST(ExternalData, SymlinkResolvingOutsideIsRefused) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("model"));
  write_floats(dir.file("outside.bin"), kWeights);
  std::filesystem::create_symlink(dir.file("outside.bin"), dir.file("model/w.bin"));
  ModelBuilder b("external");
  b.input("x", {4}).initializer(external_tensor("w.bin"));
  b.node("Add", {"x", "w"}, {"y"}, "add");
  b.output("y");
  std::string error = load_error(b.write(dir.file("model/model.onnx")));
  EXPECT_TRUE(Contains(error, "tensor 'w'"));
  EXPECT_TRUE(Contains(error, "outside the model's folder"));
  // A symlink that stays inside the folder is fine.
  std::filesystem::remove(dir.file("model/w.bin"));
  write_floats(dir.file("model/real.bin"), kWeights);
  std::filesystem::create_symlink("real.bin", dir.file("model/w.bin"));
  EXPECT_EQ(weights_of(dir.file("model/model.onnx")), kWeights);
}

TEST(ExternalData, OffsetOrLengthBeyondTheFileIsRefused) {
  TempDir dir;
  write_floats(dir.file("w.bin"), kWeights);  // 16 bytes
  for (auto [offset, length] :
       std::vector<std::pair<std::string, std::string>>{{"17", ""},
                                                        {"4", "16"},
                                                        {"0", "17"},
                                                        {"9223372036854775807", "16"},
                                                        {"16", "9223372036854775807"}}) {
    SCOPED_TRACE(offset + "/" + length);
    std::string error = load_error(write_model(dir, external_tensor("w.bin", offset, length)));
    EXPECT_TRUE(Contains(error, "tensor 'w'"));
    EXPECT_TRUE(Contains(error, "beyond the end"));
  }
}

TEST(ExternalData, MalformedNumbersAreRefused) {
  TempDir dir;
  write_floats(dir.file("w.bin"), kWeights);
  for (auto [offset, length] : std::vector<std::pair<std::string, std::string>>{
           {"-4", ""}, {"abc", ""}, {"0", "-1"}, {"4x", ""}, {"99999999999999999999999", ""}}) {
    SCOPED_TRACE(offset + "/" + length);
    std::string error = load_error(write_model(dir, external_tensor("w.bin", offset, length)));
    EXPECT_TRUE(Contains(error, "tensor 'w'"));
    EXPECT_TRUE(Contains(error, "not a non-negative integer"));
  }
}

TEST(ExternalData, MissingEmptyOrNonRegularLocationsAreRefused) {
  TempDir dir;
  EXPECT_TRUE(
      Contains(load_error(write_model(dir, external_tensor("absent.bin"))), "cannot be read"));
  EXPECT_TRUE(Contains(load_error(write_model(dir, external_tensor(""))), "names no location"));
  std::filesystem::create_directories(dir.file("folder"));
  EXPECT_TRUE(
      Contains(load_error(write_model(dir, external_tensor("folder"))), "not a regular file"));
  // A FIFO would block the reader forever; it must be refused without opening it.
  ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0600), 0);
  EXPECT_TRUE(
      Contains(load_error(write_model(dir, external_tensor("fifo"))), "not a regular file"));
}

TEST(ExternalData, ConstantNodeTensorsObeyTheSameRules) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("model"));
  write_floats(dir.file("secret.bin"), kWeights);
  ModelBuilder b("external_constant");
  b.input("x", {4});
  auto* node = b.proto().mutable_graph()->add_node();
  node->set_op_type("Constant");
  node->set_name("constant");
  node->add_output("w");
  auto* attribute = node->add_attribute();
  attribute->set_name("value");
  attribute->set_type(onnx::AttributeProto::TENSOR);
  *attribute->mutable_t() = external_tensor("../secret.bin");
  b.node("Add", {"x", "w"}, {"y"}, "add");
  b.output("y");
  EXPECT_TRUE(
      Contains(load_error(b.write(dir.file("model/model.onnx"))), "leaves the model's folder"));
}

}  // namespace
