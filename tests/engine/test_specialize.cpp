// Models whose shapes come from their inputs (specialize.h): a Reshape whose target shape is a
// graph input, directly and through a computation, and a dynamic batch axis (dim_param). Each
// loads view-only or at its default size, names the inputs that decide it, and runs once given
// values; outputs are checked against values computed here, and bad values name the input, the
// value and the node.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/session.h"
#include "algoscope/specialize.h"
#include "support/assertions.h"
#include "support/onnx_builder.h"

namespace {

using algoscope::DType;
using algoscope::Model;
using algoscope::Plan;
using algoscope::Shape;
using algoscope::SpecializingSession;
using algoscope::Tensor;
using test_support::Contains;
using test_support::error_of;

Tensor int64s(const std::vector<int64_t>& values) {
  Tensor t(DType::Int64, {static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) t.data<int64_t>()[i] = values[i];
  return t;
}

Tensor counting(const Shape& shape) {
  Tensor t(DType::Float32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = float(i % 7) - 3.0f;
  return t;
}

// x[2,6] -> Reshape(x, shape) -> Relu -> y: the target shape is a runtime input.
std::shared_ptr<const Model> reshape_by_input() {
  onnx_builder::ModelBuilder b("reshape_by_input");
  b.input("x", {2, 6});
  b.input("shape", {2}, onnx_builder::kInt64);
  b.node("Reshape", {"x", "shape"}, {"r"}, "reshape");
  b.node("Relu", {"r"}, {"y"}, "relu");
  b.output("y");
  return std::make_shared<const Model>(algoscope::load_model_from_bytes(b.bytes(), "rbi.onnx"));
}

// Relu of x, in x's order, with the given shape.
void expect_relu_of_counting(const Tensor& y, const Shape& shape) {
  ASSERT_EQ(y.shape(), shape);
  for (int64_t i = 0; i < y.numel(); ++i)
    ASSERT_EQ(y.data<float>()[i], std::max(0.0f, float(i % 7) - 3.0f)) << "element " << i;
}

TEST(Specialize, ValueInputLoadsViewOnlyAndNamesTheInput) {
  auto model = reshape_by_input();
  EXPECT_EQ(model->value_inputs, (std::vector<std::string>{"shape"}));
  ASSERT_NE(model->find_node("reshape"), nullptr);
  EXPECT_TRUE(Contains(model->find_node("reshape")->problem, "value of input 'shape'"));
  bool noted = false;
  for (const auto& note : model->load_notes) noted |= note.find("'shape'") != std::string::npos;
  EXPECT_TRUE(noted);
  // Compiling the generic model says which input decides its shapes.
  EXPECT_TRUE(Contains(error_of([&] { algoscope::Session s(model, Plan::for_model(*model)); }),
                       "value of input 'shape'"));
}

TEST(Specialize, GivenValuesFixTheShapeAndRun) {
  auto generic = reshape_by_input();
  const std::vector<Tensor> inputs = {counting({2, 6}), int64s({3, 4})};
  ASSERT_TRUE(algoscope::needs_specialization(*generic, inputs));
  auto model = std::make_shared<const Model>(algoscope::specialize(*generic, inputs));
  EXPECT_EQ(model->inputs, (std::vector<std::string>{"x"}));
  EXPECT_TRUE(model->value_inputs.empty());
  EXPECT_EQ(model->find_value("y")->info.shape, (Shape{3, 4}));
  EXPECT_TRUE(Contains(model->load_notes.back(), "'shape' = [3, 4]"));
  EXPECT_EQ(model->fingerprint, generic->fingerprint);  // plans made for one fit the other
  auto remaining = algoscope::remaining_inputs(*generic, *model, inputs);
  ASSERT_EQ(remaining.size(), 1u);
  algoscope::Session session(model, Plan::for_model(*model));
  expect_relu_of_counting(session.run(remaining).at(0), {3, 4});
}

TEST(Specialize, SessionCompilesAgainOnlyWhenTheValuesChange) {
  auto generic = reshape_by_input();
  SpecializingSession session(generic, Plan::for_model(*generic));
  EXPECT_EQ(session.compilations(), 0u);
  expect_relu_of_counting(session.run({counting({2, 6}), int64s({3, 4})}).at(0), {3, 4});
  expect_relu_of_counting(session.run({counting({2, 6}), int64s({3, 4})}).at(0), {3, 4});
  EXPECT_EQ(session.compilations(), 1u);
  expect_relu_of_counting(session.run({counting({2, 6}), int64s({-1, 2})}).at(0), {6, 2});
  EXPECT_EQ(session.compilations(), 2u);
  // A value that makes no valid shape names the input, its value and the node; the session
  // compiled before still serves the values it was compiled for.
  std::string error = error_of([&] { session.run({counting({2, 6}), int64s({5, 5})}); });
  EXPECT_TRUE(Contains(error, "'shape' = [5, 5]"));
  EXPECT_TRUE(Contains(error, "'reshape'"));
  expect_relu_of_counting(session.run({counting({2, 6}), int64s({-1, 2})}).at(0), {6, 2});
  EXPECT_EQ(session.compilations(), 2u);
  // A value of the wrong element type is refused by name too.
  Tensor floats(DType::Float32, {2});
  EXPECT_TRUE(Contains(error_of([&] { session.run({counting({2, 6}), floats}); }), "'shape'"));
}

TEST(Specialize, ValueTracedThroughAComputation) {
  // Reshape(x, Concat([-1], Cast(n))) with n a float input: n decides the shape.
  onnx_builder::ModelBuilder b("computed_shape");
  b.input("x", {2, 6});
  b.input("n", {1});
  b.int64_initializer("minus_one", {1}, {-1});
  b.node("Cast", {"n"}, {"n64"}, "cast").i("to", onnx_builder::kInt64);
  b.node("Concat", {"minus_one", "n64"}, {"shape"}, "concat").i("axis", 0);
  b.node("Reshape", {"x", "shape"}, {"y"}, "reshape");
  b.output("y");
  auto generic =
      std::make_shared<const Model>(algoscope::load_model_from_bytes(b.bytes(), "cs.onnx"));
  EXPECT_EQ(generic->value_inputs, (std::vector<std::string>{"n"}));
  Tensor n(DType::Float32, {1});
  n.data<float>()[0] = 3;
  SpecializingSession session(generic, Plan::for_model(*generic));
  Tensor y = session.run({counting({2, 6}), n}).at(0);
  ASSERT_EQ(y.shape(), (Shape{4, 3}));
  for (int64_t i = 0; i < y.numel(); ++i) EXPECT_EQ(y.data<float>()[i], float(i % 7) - 3.0f);
  // The specialised model folded the shape computation away: only the Reshape is left.
  ASSERT_EQ(session.session()->model().nodes.size(), 1u);
  EXPECT_EQ(session.session()->model().nodes[0].op_type, "Reshape");
}

// x[N,3] -> MatMul(w[3,2]) -> y[N,2], N a named (dynamic) batch axis.
std::shared_ptr<const Model> dynamic_batch() {
  onnx_builder::ModelBuilder b("dynamic_batch");
  b.input("x", {"N", 3});
  b.initializer("w", {3, 2}, {1, 2, 3, 4, 5, 6});
  b.node("MatMul", {"x", "w"}, {"y"}, "matmul");
  b.output("y");
  return std::make_shared<const Model>(algoscope::load_model_from_bytes(b.bytes(), "db.onnx"));
}

TEST(Specialize, NamedBatchAxisTakesTheInputsSize) {
  auto generic = dynamic_batch();
  EXPECT_TRUE(generic->value_inputs.empty());
  ASSERT_EQ(generic->symbolic_axes.count("x"), 1u);
  EXPECT_EQ(generic->symbolic_axes.at("x"), (std::vector<size_t>{0}));
  EXPECT_EQ(generic->find_value("x")->info.shape, (Shape{1, 3}));
  EXPECT_FALSE(algoscope::needs_specialization(*generic, {counting({1, 3})}));
  EXPECT_TRUE(algoscope::needs_specialization(*generic, {counting({4, 3})}));

  SpecializingSession session(generic, Plan::for_model(*generic));
  EXPECT_EQ(session.compilations(), 1u);  // the generic model runs as it is
  ASSERT_EQ(session.run({counting({1, 3})}).at(0).shape(), (Shape{1, 2}));
  EXPECT_EQ(session.compilations(), 1u);
  const Tensor x = counting({4, 3});
  Tensor y = session.run({x}).at(0);
  EXPECT_EQ(session.compilations(), 2u);
  ASSERT_EQ(y.shape(), (Shape{4, 2}));
  const float w[3][2] = {{1, 2}, {3, 4}, {5, 6}};
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 2; ++c) {
      float want = 0;
      for (int k = 0; k < 3; ++k) want += x.data<float>()[r * 3 + k] * w[k][c];
      EXPECT_EQ(y.data<float>()[r * 2 + c], want) << r << "," << c;
    }
  // The fixed axis is the model's: the message names the input and the axis.
  std::string error = error_of([&] { session.run({counting({4, 5})}); });
  EXPECT_TRUE(Contains(error, "input 'x'"));
  EXPECT_TRUE(Contains(error, "axis 1 is fixed at 3"));
  std::string rank = error_of([&] { algoscope::specialize(*generic, {counting({4, 3, 1})}); });
  EXPECT_TRUE(Contains(rank, "rank 2"));
}

TEST(Specialize, BadCallsSayWhatIsWrong) {
  auto generic = reshape_by_input();
  EXPECT_TRUE(Contains(error_of([&] {
                         algoscope::specialize(*generic, {counting({2, 6})});
                       }),
                       "takes 2 input(s), got 1"));
  onnx_builder::ModelBuilder b("static");
  b.input("x", {2});
  b.node("Relu", {"x"}, {"y"}, "relu");
  b.output("y");
  Model fixed = algoscope::load_model_from_bytes(b.bytes(), "static.onnx");
  EXPECT_FALSE(fixed.source);  // nothing to specialise: the bytes are not kept
  EXPECT_TRUE(Contains(error_of([&] { algoscope::specialize(fixed, {counting({2})}); }),
                       "needs no specialising"));
}

}  // namespace
