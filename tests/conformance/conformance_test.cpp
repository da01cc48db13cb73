// ONNX's own backend node tests (Debian's libonnx-testdata) run through the engine: every test
// whose ops and types the engine supports is loaded, compiled and run once with `reference`
// everywhere and once per other applicable algorithm of each op, and every output is compared
// with ONNX's expected output. Tests the engine cannot run are skipped with the reason; the ones
// this project promises to pass (kRequired) fail instead of skipping.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <set>

#include "algoscope/algoscope.h"

namespace fs = std::filesystem;
using namespace algoscope;

namespace {

fs::path testdata_root() {
  if (const char* env = std::getenv("ALGOSCOPE_ONNX_TESTDATA")) return env;
  return "/usr/share/libonnx-testdata/data/node";
}

std::vector<std::string> test_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(testdata_root(), ec))
    if (fs::exists(entry.path() / "model.onnx")) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Tests that must run and pass (issues 2 and 19, every Resize, ConvTranspose, LSTM, GRU and RNN
// test among them): a skip of one of these is a failure. The _expanded LayerNormalization tests
// spell the op out in primitives (Neg, Reciprocal, Size among them) and are not required.
bool required(const std::string& name) {
  static const std::regex pattern(
      "test_(conv_.*|maxpool_2d_.*|averagepool_2d_.*|globalaveragepool.*|gemm_.*|matmul_.*|relu|"
      "flatten_.*|softmax_.*|concat_.*|batchnorm_(epsilon|example)|transpose_.*|reshape_.*|"
      "layer_normalization_(?!.*_expanded$).*|instancenorm_.*|group_normalization_(?!.*_expanded$)"
      ".*|resize_.*|convtranspose.*|lstm_.*|gru_.*|rnn_.*|simple_rnn_.*|"
      // Issue 19's common elementwise, variadic and arg ops (float32 / int / bool tests only).
      "(neg|abs|reciprocal|log|floor|ceil|round|sign|sin|cos|tan|sinh|cosh|asin|acos|atan|asinh|"
      "acosh|atanh|"
      "softplus|softsign|elu|selu|celu|thresholdedrelu)(_example|_default)?|shrink_(hard|soft)|"
      "isinf(_negative|_positive)?|isnan|prelu_(broadcast|example)|"
      "(min|max)_(example|float32|int32|int64|uint8|one_input|two_inputs)|"
      "(sum|mean)_(example|one_input|two_inputs)|arg(max|min)_.*|hardmax_.*|tril.*|triu.*|"
      "gather_elements_.*|scatter_elements_.*|onehot_.*|depthtospace_.*|spacetodepth.*|size.*|"
      "eyelike_(populate_off_main_diagonal|without_dtype)|"
      // Issue 20's direct Slice and Split (Transpose and Concat are listed above).
      "slice.*|split_.*)");
  return std::regex_match(name, pattern);
}

struct Summary {
  int passed = 0;
  std::map<std::string, std::vector<std::string>> skipped;  // reason -> tests
  ~Summary() {
    size_t skips = 0;
    for (const auto& [reason, tests] : skipped) skips += tests.size();
    std::cout << "\n[conformance] " << passed << " ONNX node tests passed with every applicable "
              << "algorithm, " << skips << " skipped:\n";
    for (const auto& [reason, tests] : skipped) {
      std::cout << "  " << tests.size() << " x " << reason << ":";
      for (size_t i = 0; i < tests.size(); ++i) std::cout << (i % 4 ? " " : "\n      ") << tests[i];
      std::cout << "\n";
    }
  }
} summary;

// Why the engine cannot run this test, or "" when it can.
std::string skip_reason(const Model& model) {
  auto unsupported = unsupported_ops(model);
  if (!unsupported.empty()) {
    std::string ops;
    for (const auto& [op, nodes] : unsupported) ops += (ops.empty() ? "" : ", ") + op;
    return "unsupported op " + ops;
  }
  // Opset 18 moved attributes of several ops (Reduce*, Split, Pad, ...) into inputs; the engine
  // implements 7-17 (older tests run where their semantics are unchanged, as ONNX's are here).
  if (model.opset > 17) return "opset " + std::to_string(model.opset) + " is newer than 17";
  for (const auto& name : model.inputs) {
    const ValueInfo* v = model.find_value(name);
    if (!v || !v->known)
      return "input type " + (v ? v->onnx_type : std::string("?")) + " not computed";
  }
  for (const Node& n : model.nodes)
    if (!n.problem.empty()) {
      // Group by the kind of problem, not the exact text.
      if (n.problem.find("element type") != std::string::npos) return "element type not computed";
      return n.op_type + ": " + n.problem;
    }
  return "";
}

void expect_close(const Tensor& got, const Tensor& want, const std::string& what, Tolerance tol) {
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  ASSERT_EQ(got.shape(), want.shape()) << what << ": shape " << shape_to_string(got.shape())
                                       << " instead of " << shape_to_string(want.shape());
  if (got.dtype() != DType::Float32) {
    ASSERT_EQ(0, std::memcmp(got.raw(), want.raw(), got.bytes())) << what << ": values differ";
    return;
  }
  const float* g = got.data<float>();
  const float* w = want.data<float>();
  int64_t bad = 0, first = -1;
  for (int64_t i = 0; i < got.numel(); ++i) {
    bool both_nan = std::isnan(g[i]) && std::isnan(w[i]);
    bool same_inf = std::isinf(w[i]) && g[i] == w[i];
    if (both_nan || same_inf) continue;
    if (!(std::fabs(double(g[i]) - w[i]) <= tol.atol + tol.rtol * std::fabs(double(w[i])))) {
      if (first < 0) first = i;
      ++bad;
    }
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << got.numel()
                    << " values outside tolerance; first at " << first << ": got "
                    << (first >= 0 ? g[first] : 0) << ", expected " << (first >= 0 ? w[first] : 0);
}

// Plans to try: all-reference, then each non-reference algorithm of each op type on its own.
std::vector<std::pair<std::string, Plan>> plans_for(const Model& model) {
  const Registry& registry = Registry::instance();
  Plan reference = Plan::for_model(model);
  std::set<std::string> op_types;
  for (const Node& n : model.nodes) op_types.insert(n.op_type);
  for (const auto& op : op_types) reference.defaults[op] = "reference";
  std::vector<std::pair<std::string, Plan>> plans = {{"reference", reference}};
  for (const auto& op_type : op_types) {
    for (const Algorithm& a : registry.find_op(op_type)->algorithms) {
      if (a.name == "reference") continue;
      bool applies = false;
      for (const Node& n : model.nodes)
        if (n.op_type == op_type && !a.why_not(make_layer(model, n))) applies = true;
      if (!applies) continue;
      Plan p = reference;
      p.defaults[op_type] = a.name;
      plans.emplace_back(op_type + "=" + a.name, p);
    }
  }
  return plans;
}

class OnnxNodeTest : public ::testing::TestWithParam<std::string> {};

// ONNX's node tests pass shape-defining tensors (a Reshape's target shape, Slice bounds, a
// Dropout's training flag, a Resize's scales, Range's bounds) as graph inputs. The engine finds
// them (Model::value_inputs) and specialises the model for each data set's values, as a user's
// run with --inputs does; every other input stays a runtime input, so the kernels run.
void run_data_set(const std::string& test_name, const std::shared_ptr<const Model>& generic,
                  const fs::path& data_set) {
  std::vector<Tensor> inputs = read_tensor_dir(data_set.string(), "input");
  std::vector<Tensor> expected = read_tensor_dir(data_set.string(), "output");
  std::shared_ptr<const Model> model = generic;
  std::vector<Tensor> runtime_inputs = inputs;
  if (needs_specialization(*generic, inputs)) {
    try {
      model = std::make_shared<const Model>(specialize(*generic, inputs));
    } catch (const Error& e) {
      // Values the engine refuses by name (a Dropout in training mode): a skip with the reason,
      // unless the test is one this project promises.
      if (required(test_name))
        FAIL() << "the data set's values do not specialise the model: " << e.what();
      summary.skipped["refused once specialised for the data set's values"].push_back(test_name);
      GTEST_SKIP() << e.what();
    }
    runtime_inputs = remaining_inputs(*generic, *model, inputs);
  }
  if (std::string why = skip_reason(*model); !why.empty()) {
    if (required(test_name)) FAIL() << "required test cannot run even specialized: " << why;
    summary.skipped[why].push_back(test_name);
    GTEST_SKIP() << why;
  }
  for (const auto& [label, plan] : plans_for(*model)) {
    Session session(model, plan, SessionOptions{2});
    // The loosest tolerance of the algorithms in this plan, but never tighter than ONNX's own
    // backend tests use (rtol 1e-3) with a small atol for float accumulation order.
    Tolerance tol{1e-5, 1e-3};
    for (const CompiledLayer& l : session.layers()) {
      tol.atol = std::max(tol.atol, l.algorithm->tolerance.atol);
      tol.rtol = std::max(tol.rtol, l.algorithm->tolerance.rtol);
    }
    std::vector<Tensor> outputs = session.run(runtime_inputs);
    ASSERT_EQ(outputs.size(), expected.size());
    for (size_t i = 0; i < outputs.size(); ++i)
      expect_close(outputs[i], expected[i],
                   label + ", " + data_set.filename().string() + ", output " + std::to_string(i),
                   tol);
  }
}

TEST_P(OnnxNodeTest, MatchesExpectedOutputs) {
  const std::string name = GetParam();
  const fs::path dir = testdata_root() / name;
  std::shared_ptr<const Model> model;
  try {
    model = std::make_shared<const Model>(load_model((dir / "model.onnx").string()));
  } catch (const Error& e) {
    FAIL() << "a valid ONNX test model failed to load: " << e.what();
  }
  // A model whose shapes wait for input values is judged once specialised (run_data_set).
  if (std::string why = skip_reason(*model); !why.empty() && model->value_inputs.empty()) {
    if (required(name)) FAIL() << "required test cannot run: " << why;
    summary.skipped[why].push_back(name);
    GTEST_SKIP() << why;
  }
  std::vector<fs::path> data_sets;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0)
      data_sets.push_back(entry.path());
  ASSERT_FALSE(data_sets.empty());
  for (const auto& data_set : data_sets) {
    run_data_set(name, model, data_set);
    if (IsSkipped()) return;
  }
  if (!HasFailure()) ++summary.passed;
}

INSTANTIATE_TEST_SUITE_P(Onnx, OnnxNodeTest, ::testing::ValuesIn(test_names()),
                         [](const auto& info) { return info.param; });

TEST(OnnxTestData, IsInstalled) {
  // Without the data the suite above would silently test nothing.
  ASSERT_GT(test_names().size(), 100u) << "libonnx-testdata not found at " << testdata_root();
}

}  // namespace
