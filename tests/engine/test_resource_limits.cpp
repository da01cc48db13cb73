// Resource limits (resource_limits.h): a model, plan or input file whose sizes would make the
// engine allocate more than the memory limit is refused before allocating, with an Error naming
// the tensor and the size; shape products that overflow are errors, not wraparounds; and huge or
// deeply nested graphs load without exhausting the stack.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "algoscope/algoscope.h"
#include "algoscope/resource_limits.h"
#include "onnx_tensor.h"
#include "support/onnx_builder.h"
#include "support/temp_dir.h"

namespace {

using namespace algoscope;
namespace ob = onnx_builder;

::testing::AssertionResult throws_with(const std::function<void()>& f,
                                       const std::vector<std::string>& fragments) {
  try {
    f();
  } catch (const Error& e) {
    for (const std::string& text : fragments)
      if (std::string(e.what()).find(text) == std::string::npos)
        return ::testing::AssertionFailure() << "message lacks '" << text << "': " << e.what();
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no Error thrown";
}

// Every test starts and ends with the default limit, whatever it set.
class ResourceLimits : public ::testing::Test {
 protected:
  void SetUp() override { reset_memory_limit(); }
  void TearDown() override { reset_memory_limit(); }
};

std::shared_ptr<const Model> load(const ob::ModelBuilder& b, const std::string& origin) {
  return std::make_shared<const Model>(load_model_from_bytes(b.bytes(), origin));
}

onnx::TensorProto raw_float_tensor(const std::string& name, const std::vector<int64_t>& dims,
                                   size_t values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(ob::kFloat);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(std::string(values * sizeof(float), '\0'));
  return t;
}

TEST_F(ResourceLimits, ParsesSizesWithSuffixes) {
  EXPECT_EQ(parse_byte_size("123", "x"), 123u);
  EXPECT_EQ(parse_byte_size("512K", "x"), 512u << 10);
  EXPECT_EQ(parse_byte_size("512M", "x"), 512u << 20);
  EXPECT_EQ(parse_byte_size("4G", "x"), size_t{4} << 30);
  EXPECT_EQ(parse_byte_size("1.5G", "x"), size_t{3} << 29);
  EXPECT_EQ(parse_byte_size("2GiB", "x"), size_t{2} << 30);
  EXPECT_EQ(parse_byte_size("64 mb", "x"), size_t{64} << 20);
  EXPECT_EQ(parse_byte_size("1T", "x"), size_t{1} << 40);
  for (const char* bad : {"", "lots", "12X", "0", "-5", "1..5G", "G", "4GG"})
    EXPECT_TRUE(throws_with([&] { parse_byte_size(bad, "ALGOSCOPE_MEMORY_LIMIT"); },
                            {"ALGOSCOPE_MEMORY_LIMIT: '" + std::string(bad) + "'"}))
        << bad;
  EXPECT_EQ(format_bytes(512), "512 bytes");
  EXPECT_EQ(format_bytes(size_t{64} << 30), "64.0 GiB");
}

TEST_F(ResourceLimits, DefaultIsHalfThePhysicalMemoryAndTheSetterOverridesIt) {
  EXPECT_GT(default_memory_limit(), 0u);
  if (!std::getenv("ALGOSCOPE_MEMORY_LIMIT")) EXPECT_EQ(memory_limit(), default_memory_limit());
  set_memory_limit(12345);
  EXPECT_EQ(memory_limit(), 12345u);
  EXPECT_THROW(set_memory_limit(0), Error);
  reset_memory_limit();
  EXPECT_NE(memory_limit(), 12345u);
}

// The environment is read once per process, so these run in a fresh one (gtest re-executes the
// test program for a "threadsafe" death test).
TEST_F(ResourceLimits, EnvironmentVariableSetsTheLimitAndABadValueIsAClearError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("ALGOSCOPE_MEMORY_LIMIT", "3M", 1);
        std::exit(memory_limit() == (size_t{3} << 20) ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(
      {
        setenv("ALGOSCOPE_MEMORY_LIMIT", "plenty", 1);
        try {
          memory_limit();
        } catch (const Error& e) {
          std::fprintf(stderr, "%s\n", e.what());
          std::exit(3);
        }
        std::exit(0);
      },
      ::testing::ExitedWithCode(3), "ALGOSCOPE_MEMORY_LIMIT: 'plenty' is not a memory size");
}

TEST_F(ResourceLimits, ShapeProductsThatOverflowAreNotCounted) {
  EXPECT_EQ(checked_tensor_bytes(DType::Float32, {4096, 4096}), size_t{64} << 20);
  EXPECT_FALSE(checked_tensor_bytes(DType::Float32, {int64_t{1} << 31, int64_t{1} << 31, 4}));
  // The element count fits in int64, the byte count not in size_t.
  EXPECT_FALSE(checked_tensor_bytes(DType::Int64, {int64_t{1} << 61}));
  EXPECT_FALSE(checked_tensor_bytes(DType::Float32, {-1, 4}));
  EXPECT_EQ(checked_tensor_bytes(DType::Float32, {int64_t{1} << 40, 0}), 0u);
  // The Tensor constructor itself refuses rather than allocating a wrapped-around size.
  EXPECT_TRUE(throws_with([] { Tensor(DType::Int64, {int64_t{1} << 61}); },
                          {"int64[2305843009213693952]", "64-bit"}));
  set_memory_limit(1000);
  EXPECT_TRUE(throws_with(
      [] {
        Tensor(DType::Float32, {16, 16});
      },
      {"would need 1.0 KiB (float32[16,16])", "memory limit of 1000 bytes"}));
}

// A few bytes of file must not buy terabytes: the dims are checked against the data (and the
// limit) before the tensor is allocated.
TEST_F(ResourceLimits, InitializerDeclaringHugeDimsWithTinyDataIsRefused) {
  ob::ModelBuilder b("huge_initializer");
  b.input("x", {1});
  b.initializer(raw_float_tensor("w", {int64_t{1} << 20, int64_t{1} << 20}, 1));
  b.node("Add", {"x", "w"}, {"y"}, "add");
  b.output("y");
  EXPECT_TRUE(throws_with([&] { load(b, "huge.onnx"); },
                          {"huge.onnx", "tensor 'w'", "1048576x1048576", "instead of"}));

  // Typed fields too, and dims whose product overflows.
  ob::ModelBuilder typed("typed");
  typed.input("x", {1});
  typed.initializer("w", {int64_t{1} << 31, int64_t{1} << 31, 4}, {1.0f});
  typed.node("Add", {"x", "w"}, {"y"}, "add");
  typed.output("y");
  EXPECT_TRUE(
      throws_with([&] { load(typed, "typed.onnx"); }, {"typed.onnx", "tensor 'w'", "64-bit"}));
}

TEST_F(ResourceLimits, InitializerLargerThanTheLimitIsRefusedNamingIt) {
  ob::ModelBuilder b("weights");
  b.input("x", {16, 16});
  b.initializer("w", {16, 16}, std::vector<float>(256, 1.0f));
  b.node("Add", {"x", "w"}, {"y"}, "add");
  b.output("y");
  EXPECT_NO_THROW(load(b, "weights.onnx"));
  set_memory_limit(1000);
  EXPECT_TRUE(throws_with(
      [&] { load(b, "weights.onnx"); },
      {"weights.onnx: tensor 'w' would need 1.0 KiB (float32[16,16])",
       "more than the memory limit of 1000 bytes", "set ALGOSCOPE_MEMORY_LIMIT to change it"}));
}

// ConstantOfShape and Expand take their output shape from constant values: the model loads (the
// output is too large to fold, so nothing is allocated) and compiling it is refused.
TEST_F(ResourceLimits, ShapeInferredFromConstantsBeyondTheLimitIsRefusedAtCompile) {
  const int64_t big = int64_t{1} << 20;
  ob::ModelBuilder cos("constant_of_shape");
  cos.int64_initializer("shape", {2}, {big, big});
  cos.node("ConstantOfShape", {"shape"}, {"y"}, "fill");
  cos.output("y");
  auto model = load(cos, "cos.onnx");
  EXPECT_EQ(model->find_value("y")->info.shape, (Shape{big, big}));
  EXPECT_TRUE(throws_with(
      [&] { Session(model, Plan::for_model(*model), {.threads = 1}); },
      {"value 'y' would need 4.0 TiB (float32[1048576,1048576])", "more than the memory limit"}));

  ob::ModelBuilder expand("expand");
  expand.input("x", {1, 1});
  expand.int64_initializer("shape", {3}, {big, big, 16});
  expand.node("Expand", {"x", "shape"}, {"y"}, "expand");
  expand.output("y");
  model = load(expand, "expand.onnx");
  EXPECT_TRUE(throws_with([&] { Session(model, Plan::for_model(*model), {.threads = 1}); },
                          {"value 'y' would need 64.0 TiB (float32[1048576,1048576,16])"}));

  // A shape whose element count overflows leaves the node with a problem, reported at compile.
  ob::ModelBuilder overflow("overflow");
  overflow.input("x", {1});
  overflow.int64_initializer("shape", {3}, {int64_t{1} << 31, int64_t{1} << 31, 4});
  overflow.node("Expand", {"x", "shape"}, {"y"}, "expand");
  overflow.output("y");
  model = load(overflow, "overflow.onnx");
  EXPECT_NE(model->find_node("expand")->problem.find("64-bit"), std::string::npos)
      << model->find_node("expand")->problem;
  EXPECT_TRUE(throws_with([&] { Session(model, Plan::for_model(*model), {.threads = 1}); },
                          {"expand", "64-bit"}));
}

TEST_F(ResourceLimits, InputFileDeclaringHugeShapeIsRefusedBeforeAllocating) {
  test_support::TempDir dir;
  const std::string path = (std::filesystem::path(dir.path()) / "input_0.pb").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << raw_float_tensor("x", {int64_t{1} << 20, int64_t{1} << 20}, 1).SerializeAsString();
  }
  EXPECT_TRUE(throws_with([&] { read_tensor_file(path); }, {path, "tensor 'x'", "instead of"}));
  {
    std::ofstream out(path, std::ios::binary);
    out << raw_float_tensor("x", {64, 64}, 64 * 64).SerializeAsString();
  }
  EXPECT_EQ(read_tensor_file(path).shape(), (Shape{64, 64}));
  set_memory_limit(10000);
  EXPECT_TRUE(throws_with([&] { read_tensor_file(path); },
                          {"would need 16.0 KiB", "memory limit of 9.8 KiB"}));
}

// Every value fits the limit alone, their total does not: the session is refused at compile,
// naming the largest value.
TEST_F(ResourceLimits, LowLimitRefusesASmallModelNamingTheLargestValue) {
  ob::ModelBuilder b("small", 13);
  b.input("x", {1, 100});
  b.node("Relu", {"x"}, {"a"}, "relu");
  b.node("Concat", {"a", "x"}, {"big"}, "concat").i("axis", 1);
  b.node("ReduceMean", {"big"}, {"y"}, "mean").ints("axes", {1});
  b.output("y");
  auto model = load(b, "small.onnx");
  const Plan plan = Plan::for_model(*model);
  const size_t arena = Session(model, plan, {.threads = 1}).arena_bytes();
  ASSERT_GT(arena, 800u);  // 'big' is float32[1,200]
  set_memory_limit(arena - 1);
  EXPECT_TRUE(
      throws_with([&] { Session(model, plan, {.threads = 1}); },
                  {"model 'small': compiling this plan would need", "more than the memory limit of",
                   "the largest value is 'big', "
                   "float32[1,200] of 800 bytes"}));
  // Random inputs for a shape the limit refuses name the input.
  set_memory_limit(300);
  EXPECT_TRUE(throws_with([&] { random_inputs(*model, 1); },
                          {"model 'small': input 'x' would need 400 bytes (float32[1,100])"}));
  // A value larger than the limit by itself is named before anything is prepared.
  set_memory_limit(500);
  EXPECT_TRUE(throws_with([&] { Session(model, plan, {.threads = 1}); },
                          {"value 'big' would need 800 bytes (float32[1,200])"}));
  reset_memory_limit();
  EXPECT_NO_THROW(Session(model, plan, {.threads = 1}));
}

// A long chain loads and compiles: no pass recurses along it (the stack) or rescans the graph per
// node (time; measured by hand, see the report of issue 16: load and compile grow linearly).
TEST_F(ResourceLimits, LongChainOfNodesLoadsCompilesAndRuns) {
  constexpr int kLength = 20000;
  ob::ModelBuilder b("chain", 13);
  b.input("x", {1, 8});
  std::string previous = "x";
  for (int i = 0; i < kLength; ++i) {
    const std::string out = i + 1 == kLength ? "y" : "v" + std::to_string(i);
    b.node(i % 2 ? "Relu" : "LeakyRelu", {previous}, {out}, "n" + std::to_string(i));
    previous = out;
  }
  b.output("y");
  auto model = load(b, "chain.onnx");
  EXPECT_EQ(model->nodes.size(), static_cast<size_t>(kLength));
  Session session(model, Plan::for_model(*model), {.threads = 1});
  const auto inputs = random_inputs(*model, 1);
  const Tensor y = session.run(inputs)[0];
  // LeakyRelu then Relu, 10000 times: relu(x) after the first pair, unchanged by later pairs.
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_EQ(y.data<float>()[i], std::max(0.0f, inputs[0].data<float>()[i]));
}

// Identity removal redirects the readers of a chain of copies in one sweep; the last copy is the
// graph output, so its producer takes the output's name.
TEST_F(ResourceLimits, LongChainWithCopiesLosesEveryCopy) {
  constexpr int kLength = 20000;
  ob::ModelBuilder b("copies", 13);
  b.input("x", {1, 8});
  std::string previous = "x";
  for (int i = 0; i < kLength; ++i) {
    const std::string out = i + 1 == kLength ? "y" : "v" + std::to_string(i);
    b.node(i % 2 ? "Identity" : "Relu", {previous}, {out}, "n" + std::to_string(i));
    previous = out;
  }
  b.output("y");
  auto model = load(b, "copies.onnx");
  ASSERT_EQ(model->nodes.size(), static_cast<size_t>(kLength / 2));
  for (size_t i = 1; i < model->nodes.size(); ++i)
    ASSERT_EQ(model->nodes[i].inputs[0], model->nodes[i - 1].outputs[0]) << i;
  EXPECT_EQ(model->nodes.front().inputs[0], "x");
  EXPECT_EQ(model->nodes.back().outputs[0], "y");
  Session session(model, Plan::for_model(*model), {.threads = 1});
  const auto inputs = random_inputs(*model, 2);
  const Tensor y = session.run(inputs)[0];
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_EQ(y.data<float>()[i], std::max(0.0f, inputs[0].data<float>()[i]));
}

// ONNX wants nodes in topological order but the loader sorts files that are not. A long chain
// listed backwards used to be sorted by recursion, one stack frame per node: 100,000 nodes
// overflowed the stack.
TEST_F(ResourceLimits, LongChainListedBackwardsIsSortedWithoutRecursion) {
  constexpr int kLength = 100000;
  ob::ModelBuilder b("backwards", 13);
  b.input("x", {1, 8});
  for (int i = kLength - 1; i >= 0; --i) {
    const std::string in = i == 0 ? "x" : "v" + std::to_string(i - 1);
    const std::string out = i + 1 == kLength ? "y" : "v" + std::to_string(i);
    b.node("Relu", {in}, {out}, "n" + std::to_string(i));
  }
  b.output("y");
  auto model = load(b, "backwards.onnx");
  ASSERT_EQ(model->nodes.size(), static_cast<size_t>(kLength));
  EXPECT_EQ(model->nodes.front().name, "n0");
  EXPECT_EQ(model->nodes.back().name, "n" + std::to_string(kLength - 1));
  // A cycle is still found.
  ob::ModelBuilder cycle("cycle", 13);
  cycle.input("x", {1});
  cycle.node("Add", {"x", "b"}, {"a"}, "first");
  cycle.node("Relu", {"a"}, {"b"}, "second");
  cycle.output("b");
  EXPECT_TRUE(throws_with([&] { load(cycle, "cycle.onnx"); }, {"cycle.onnx", "has a cycle"}));
}

// Subgraphs (If, Loop) are not computed: nested ones load view-only, and nesting deeper than
// protobuf's recursion limit is a clean parse error, not a stack overflow.
TEST_F(ResourceLimits, DeeplyNestedSubgraphsAreACleanError) {
  auto nested = [](int depth) {
    ob::ModelBuilder b("nested", 13);
    b.input("c", {1}, ob::kBool);
    onnx::GraphProto inner;
    inner.set_name("leaf");
    for (int level = 0; level < depth; ++level) {
      onnx::GraphProto outer;
      outer.set_name("level" + std::to_string(level));
      auto* node = outer.add_node();
      node->set_op_type("If");
      node->add_input("c");
      node->add_output("o" + std::to_string(level));
      // The deeper levels in one branch (both would double the file per level).
      auto* then_branch = node->add_attribute();
      then_branch->set_name("then_branch");
      then_branch->set_type(onnx::AttributeProto::GRAPH);
      *then_branch->mutable_g() = std::move(inner);
      auto* else_branch = node->add_attribute();
      else_branch->set_name("else_branch");
      else_branch->set_type(onnx::AttributeProto::GRAPH);
      else_branch->mutable_g()->set_name("empty");
      inner = std::move(outer);
    }
    // The outermost level becomes the main graph's only node.
    *b.proto().mutable_graph()->add_node() = inner.node(0);
    b.proto().mutable_graph()->mutable_node(0)->set_output(0, "y");
    b.output("y");
    return b;
  };
  auto shallow = load(nested(3), "shallow.onnx");
  EXPECT_EQ(unsupported_ops(*shallow).size(), 1u);  // If: view-only
  EXPECT_TRUE(throws_with([&] { load(nested(2000), "deep.onnx"); }, {"deep.onnx"}));
}

}  // namespace
