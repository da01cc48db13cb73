// ONNX LSTM, GRU and RNN beyond ONNX's own node tests (tests/conformance runs those): `fused`
// against `reference` over a sweep of cells, directions, layouts, sequence lengths, initial
// states, peepholes, clip and activations, with batch 1 and larger and hidden sizes that are not
// multiples of the SIMD width; exact output shapes; the spec's sequence_lens semantics; values of
// one-unit cells worked by hand; and the errors a bad node gets, which name the node.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "algoscope/algoscope.h"
#include "cpu_features.h"
#include "op_test_util.h"
#include "support/onnx_builder.h"

namespace {

using namespace op_test;

Tensor random_floats(Shape shape, float bound, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-bound, bound);
  Tensor t(DType::Float32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

struct Case {
  std::string op = "LSTM";
  std::string direction = "forward";
  int64_t seq = 5, batch = 2, input = 3, hidden = 5;
  int64_t layout = 0;
  bool bias = true, initial_h = false, initial_c = false, peepholes = false;
  std::vector<int32_t> lens;  // empty: no sequence_lens
  std::optional<float> clip;
  bool input_forget = false, linear_before_reset = false;
  std::vector<std::string> activations;
  std::vector<float> alpha, beta;
  bool constant_weights = true;
  size_t outputs = 0;  // 0: all of Y, Y_h (, Y_c)
  int64_t opset = 14;
  float weight_bound = 0.0f;  // 0: 1 / sqrt(hidden), as torch initialises

  int64_t gates() const { return op == "LSTM" ? 4 : op == "GRU" ? 3 : 1; }
  int64_t dirs() const { return direction == "bidirectional" ? 2 : 1; }
  std::string label() const {
    std::string s = op + " " + direction + " seq " + std::to_string(seq) + " batch " +
                    std::to_string(batch) + " in " + std::to_string(input) + " hidden " +
                    std::to_string(hidden) + " layout " + std::to_string(layout);
    if (!lens.empty()) s += " lens";
    if (initial_h) s += " h0";
    if (initial_c) s += " c0";
    if (peepholes) s += " P";
    if (clip) s += " clip";
    if (input_forget) s += " input_forget";
    if (linear_before_reset) s += " lbr";
    for (const auto& a : activations) s += " " + a;
    return s;
  }
};

OpCase make(const Case& c, uint64_t seed = 1) {
  OpCase o(c.op, c.opset);
  const int64_t d = c.dirs(), gh = c.gates() * c.hidden;
  const float k = c.weight_bound > 0 ? c.weight_bound : 1.0f / std::sqrt(float(c.hidden));
  const Shape x = c.layout == 0 ? Shape{c.seq, c.batch, c.input} : Shape{c.batch, c.seq, c.input};
  const Shape state = c.layout == 0 ? Shape{d, c.batch, c.hidden} : Shape{c.batch, d, c.hidden};
  o.input(random_floats(x, 1.0f, seed));
  auto weight = [&](Tensor t) -> OpCase& {
    return c.constant_weights ? o.constant(std::move(t)) : o.input(std::move(t));
  };
  weight(random_floats({d, gh, c.input}, k, seed + 1));
  weight(random_floats({d, gh, c.hidden}, k, seed + 2));
  const bool lstm = c.op == "LSTM";
  const bool later = !c.lens.empty() || c.initial_h || c.initial_c || c.peepholes;
  if (c.bias)
    weight(random_floats({d, 2 * gh}, k, seed + 3));
  else if (later)
    o.absent();
  if (!c.lens.empty())
    o.input(tensor<int32_t>({c.batch}, c.lens));
  else if (c.initial_h || c.initial_c || c.peepholes)
    o.absent();
  if (c.initial_h)
    o.input(random_floats(state, 0.5f, seed + 4));
  else if (c.initial_c || c.peepholes)
    o.absent();
  if (lstm && c.initial_c)
    o.input(random_floats(state, 0.5f, seed + 5));
  else if (lstm && c.peepholes)
    o.absent();
  if (lstm && c.peepholes) weight(random_floats({d, 3 * c.hidden}, k, seed + 6));
  o.attr("hidden_size", c.hidden).attr("direction", c.direction);
  if (c.layout != 0) o.attr("layout", c.layout);
  if (c.clip) o.attr("clip", *c.clip);
  if (c.input_forget) o.attr("input_forget", int64_t{1});
  if (c.linear_before_reset) o.attr("linear_before_reset", int64_t{1});
  if (!c.activations.empty()) o.attr("activations", c.activations);
  if (!c.alpha.empty()) o.attr("activation_alpha", c.alpha);
  if (!c.beta.empty()) o.attr("activation_beta", c.beta);
  o.outputs(c.outputs ? c.outputs : (lstm ? 3 : 2));
  return o;
}

// The exact shapes of Y, Y_h (, Y_c) by layout.
void expect_shapes(const Case& c, const std::vector<Tensor>& out) {
  const int64_t d = c.dirs();
  const Shape y =
      c.layout == 0 ? Shape{c.seq, d, c.batch, c.hidden} : Shape{c.batch, c.seq, d, c.hidden};
  const Shape state = c.layout == 0 ? Shape{d, c.batch, c.hidden} : Shape{c.batch, d, c.hidden};
  const size_t want = c.outputs ? c.outputs : (c.op == "LSTM" ? 3 : 2);
  ASSERT_EQ(out.size(), want) << c.label();
  EXPECT_EQ(out[0].shape(), y) << c.label();
  for (size_t k = 1; k < out.size(); ++k) EXPECT_EQ(out[k].shape(), state) << c.label();
}

// Runs `reference` and `fused` (OpCase::run compares them within fused's tolerance), checks the
// shapes and that no output is left unwritten (outputs start as NaN).
void check(const Case& c, uint64_t seed = 1) {
  SCOPED_TRACE(c.label());
  const OpCase o = make(c, seed);
  const std::vector<Tensor> out = o.run();
  expect_shapes(c, out);
  for (const Tensor& t : out)
    for (float v : values<float>(t)) ASSERT_FALSE(std::isnan(v));
  // fused applies to every case: the comparison above really ran.
  const algoscope::Algorithm* fused = o.op().find("fused");
  ASSERT_NE(fused, nullptr);
  algoscope::Layer l = o.layer();
  l.outputs = o.op().infer(l);
  EXPECT_FALSE(fused->why_not(l));
}

TEST(OpsRecurrent, EveryOpHasReferenceAndFused) {
  for (const char* op : {"LSTM", "GRU", "RNN"}) {
    const auto* def = algoscope::Registry::instance().find_op(op);
    ASSERT_NE(def, nullptr) << op;
    ASSERT_EQ(def->algorithms.size(), 2u) << op;
    EXPECT_EQ(def->algorithms[0].name, "reference");
    EXPECT_EQ(def->algorithms[1].name, "fused");
    EXPECT_NE(def->algorithms[1].teaching.find("seq * batch * directions * gates * hidden"),
              std::string::npos);
  }
}

TEST(OpsRecurrent, FusedMatchesReferenceOverDirectionsLayoutsAndStates) {
  int cases = 0;
  for (const char* op : {"LSTM", "GRU", "RNN"})
    for (const char* direction : {"forward", "reverse", "bidirectional"})
      for (int64_t layout : {0, 1})
        for (int64_t batch : {1, 3})
          for (bool states : {false, true}) {
            Case c;
            c.op = op, c.direction = direction, c.layout = layout, c.batch = batch;
            c.seq = 6, c.input = 7, c.hidden = 13;
            c.initial_h = c.initial_c = states;
            c.bias = states || batch == 1;
            check(c, 10 + cases++);
          }
  EXPECT_EQ(cases, 72);
}

TEST(OpsRecurrent, SequenceLensShorterThanTheSequence) {
  int cases = 0;
  for (const char* op : {"LSTM", "GRU", "RNN"})
    for (const char* direction : {"forward", "reverse", "bidirectional"})
      for (int64_t layout : {0, 1}) {
        Case c;
        c.op = op, c.direction = direction, c.layout = layout;
        c.seq = 7, c.batch = 4, c.input = 5, c.hidden = 9;
        c.lens = {7, 3, 1, 5};
        c.initial_h = true;
        check(c, 100 + cases++);
      }
}

// The spec's semantics, on the reference's output: Y is zero past each entry's length, and Y_h is
// Y at the entry's last step (t = len - 1 forwards, t = 0 backwards).
TEST(OpsRecurrent, SequenceLensZeroTheTailAndYhIsTheLastValidStep) {
  for (const char* op : {"LSTM", "GRU", "RNN"}) {
    Case c;
    c.op = op, c.direction = "bidirectional", c.seq = 6, c.batch = 3, c.hidden = 4;
    c.lens = {6, 2, 4};
    const std::vector<Tensor> out = make(c).run();
    const float* y = out[0].data<float>();
    const float* y_h = out[1].data<float>();
    const int64_t H = c.hidden, B = c.batch;
    for (int64_t d = 0; d < 2; ++d)
      for (int64_t b = 0; b < B; ++b) {
        const int64_t len = c.lens[b];
        for (int64_t t = 0; t < c.seq; ++t)
          for (int64_t j = 0; j < H; ++j) {
            const float v = y[((t * 2 + d) * B + b) * H + j];
            if (t >= len) EXPECT_EQ(v, 0.0f) << op << " d " << d << " b " << b << " t " << t;
          }
        const int64_t last = d == 0 ? len - 1 : 0;
        for (int64_t j = 0; j < H; ++j)
          EXPECT_EQ(y_h[(d * B + b) * H + j], y[((last * 2 + d) * B + b) * H + j])
              << op << " d " << d << " b " << b;
      }
  }
}

TEST(OpsRecurrent, LstmPeepholesInputForgetAndClip) {
  int cases = 0;
  for (const char* direction : {"forward", "reverse", "bidirectional"})
    for (bool peepholes : {false, true})
      for (bool input_forget : {false, true})
        for (bool clip : {false, true}) {
          Case c;
          c.direction = direction, c.peepholes = peepholes, c.input_forget = input_forget;
          c.seq = 5, c.batch = 2, c.input = 4, c.hidden = 11;
          c.initial_h = c.initial_c = true;
          c.weight_bound = 1.5f;  // large pre-activations, so that clip bites
          if (clip) c.clip = 0.8f;
          check(c, 200 + cases++);
        }
}

TEST(OpsRecurrent, GruLinearBeforeResetAndClip) {
  int cases = 0;
  for (const char* direction : {"forward", "reverse", "bidirectional"})
    for (bool lbr : {false, true})
      for (bool clip : {false, true}) {
        Case c;
        c.op = "GRU", c.direction = direction, c.linear_before_reset = lbr;
        c.seq = 5, c.batch = 3, c.input = 6, c.hidden = 17;
        c.initial_h = true;
        c.weight_bound = 1.2f;
        if (clip) c.clip = 0.5f;
        check(c, 300 + cases++);
      }
}

TEST(OpsRecurrent, EveryActivationOfTheSpec) {
  const std::vector<std::string> names = {
      "Relu",       "Tanh",        "Sigmoid", "Affine",   "LeakyRelu", "ThresholdedRelu",
      "ScaledTanh", "HardSigmoid", "Elu",     "Softsign", "Softplus"};
  int cases = 0;
  for (const std::string& name : names) {
    // RNN's f, GRU's g and LSTM's g and h take it (bounded gates keep sigmoid there).
    Case rnn;
    rnn.op = "RNN", rnn.activations = {name}, rnn.hidden = 6, rnn.batch = 2, rnn.seq = 4;
    rnn.alpha = {0.3f}, rnn.beta = {0.2f};
    check(rnn, 400 + cases++);
    Case gru;
    gru.op = "GRU", gru.direction = "bidirectional", gru.activations = {"Sigmoid", name};
    gru.alpha = {0.4f}, gru.beta = {0.1f}, gru.hidden = 7;
    check(gru, 400 + cases++);
    Case lstm;
    lstm.activations = {"HardSigmoid", name, name}, lstm.hidden = 10, lstm.batch = 3;
    lstm.alpha = {0.25f, 0.5f, 0.7f}, lstm.beta = {0.45f, 0.3f, 0.2f};
    check(lstm, 400 + cases++);
  }
  // One list per direction: the second direction's differ from the first's.
  Case both;
  both.direction = "bidirectional";
  both.activations = {"Sigmoid", "Tanh", "Tanh", "HardSigmoid", "Softsign", "ScaledTanh"};
  both.alpha = {0.3f, 0.9f}, both.beta = {0.5f, 1.1f};
  check(both, 499);
  OpCase same = make(both, 499);
  both.activations = {"Sigmoid", "Tanh", "Tanh"};
  EXPECT_NE(values<float>(same.run()[0]), values<float>(make(both, 499).run()[0]));
}

TEST(OpsRecurrent, LargerShapesAndRuntimeWeights) {
  int cases = 0;
  for (const char* op : {"LSTM", "GRU", "RNN"})
    for (bool constant : {true, false}) {
      Case c;
      c.op = op, c.direction = "bidirectional", c.constant_weights = constant;
      c.seq = 20, c.batch = 5, c.input = 37, c.hidden = 45;  // 45: not a multiple of 8 or 16
      c.initial_h = c.initial_c = true;
      c.peepholes = c.op == "LSTM";
      check(c, 500 + cases++);
      c.batch = 1, c.hidden = 64, c.layout = 1;
      check(c, 500 + cases++);
    }
}

// Float state over many steps: the differences from the double reference stay within fused's
// tolerance (measured: below 1e-6 here).
TEST(OpsRecurrent, LongSequences) {
  int cases = 0;
  for (const char* op : {"LSTM", "GRU", "RNN"}) {
    Case c;
    c.op = op, c.direction = "bidirectional", c.seq = 64, c.batch = 4, c.input = 48;
    c.hidden = 96;
    check(c, 600 + cases++);
  }
}

// fused's packed GEMMs and gate loops at every level this CPU runs (cpu::cap_level reaches both).
TEST(OpsRecurrent, FusedMatchesReferenceAtEveryIsaLevel) {
  namespace cpu = algoscope::cpu;
  int levels = 0;
  for (cpu::IsaLevel level :
       {cpu::IsaLevel::Portable, cpu::IsaLevel::Avx2, cpu::IsaLevel::Avx512}) {
    if (!cpu::supports(level)) continue;
    SCOPED_TRACE(cpu::level_name(level));
    cpu::cap_level(level);
    ++levels;
    int cases = 0;
    for (const char* op : {"LSTM", "GRU", "RNN"})
      for (bool variant : {false, true}) {
        Case c;
        c.op = op, c.direction = "bidirectional", c.seq = 9, c.batch = 3, c.input = 19;
        c.hidden = 37, c.initial_h = c.initial_c = true;
        if (variant) c.clip = 0.9f;
        c.peepholes = c.op == std::string("LSTM") && variant;
        c.linear_before_reset = variant;
        if (c.op == std::string("RNN") && variant) c.activations = {"Softsign"};
        check(c, 700 + cases++);
      }
    cpu::cap_level(std::nullopt);
  }
  EXPECT_GE(levels, 1);
}

TEST(OpsRecurrent, FewerOutputsAndOpset7) {
  for (const char* op : {"LSTM", "GRU", "RNN"}) {
    Case c;
    c.op = op, c.outputs = 1, c.opset = 7;
    check(c);
    c.outputs = 2;
    check(c);
  }
}

// One unit, one input, weights worked by hand: what the equations give.
TEST(OpsRecurrent, OneUnitCellsByHand) {
  const std::vector<float> x = {1.0f, -2.0f};
  auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  {  // RNN: h1 = tanh(0.5 * 1 + 0.1), h2 = tanh(0.5 * -2 + 0.25 h1 + 0.1)
    OpCase o("RNN", 14);
    o.input(floats({2, 1, 1}, x)).constant(floats({1, 1, 1}, {0.5f}));
    o.constant(floats({1, 1, 1}, {0.25f})).constant(floats({1, 2}, {0.06f, 0.04f}));
    o.attr("hidden_size", int64_t{1}).outputs(2);
    const std::vector<Tensor> out = o.run();
    const double h1 = std::tanh(0.6), h2 = std::tanh(-1.0 + 0.25 * h1 + 0.1);
    EXPECT_NEAR(out[0].data<float>()[0], h1, 1e-6);
    EXPECT_NEAR(out[0].data<float>()[1], h2, 1e-6);
    EXPECT_NEAR(out[1].data<float>()[0], h2, 1e-6);
  }
  {  // GRU (z, r, h rows), zero biases: z = s(0.2x + 0.1h), r = s(-0.3x + 0.4h),
     // n = tanh(0.6x + 0.5 (r h)), h' = (1 - z) n + z h
    OpCase o("GRU", 14);
    o.input(floats({2, 1, 1}, x)).constant(floats({1, 3, 1}, {0.2f, -0.3f, 0.6f}));
    o.constant(floats({1, 3, 1}, {0.1f, 0.4f, 0.5f}));
    o.attr("hidden_size", int64_t{1}).outputs(2);
    double h = 0;
    std::vector<double> want;
    for (float xt : x) {
      const double z = sigmoid(0.2 * xt + 0.1 * h), r = sigmoid(-0.3 * xt + 0.4 * h);
      const double n = std::tanh(0.6 * xt + 0.5 * (r * h));
      h = (1 - z) * n + z * h;
      want.push_back(h);
    }
    const std::vector<Tensor> out = o.run();
    EXPECT_NEAR(out[0].data<float>()[0], want[0], 1e-6);
    EXPECT_NEAR(out[0].data<float>()[1], want[1], 1e-6);
  }
  {  // LSTM (i, o, f, c rows), peepholes (i, o, f)
    OpCase o("LSTM", 14);
    o.input(floats({2, 1, 1}, x)).constant(floats({1, 4, 1}, {0.3f, -0.2f, 0.5f, 0.7f}));
    o.constant(floats({1, 4, 1}, {0.1f, 0.2f, -0.1f, 0.3f}));
    o.absent().absent().absent().absent().constant(floats({1, 3}, {0.05f, -0.04f, 0.02f}));
    o.attr("hidden_size", int64_t{1}).outputs(3);
    double h = 0, c = 0;
    for (float xt : x) {
      const double i = sigmoid(0.3 * xt + 0.1 * h + 0.05 * c);
      const double f = sigmoid(0.5 * xt - 0.1 * h + 0.02 * c);
      const double g = std::tanh(0.7 * xt + 0.3 * h);
      c = f * c + i * g;
      const double ot = sigmoid(-0.2 * xt + 0.2 * h - 0.04 * c);
      h = ot * std::tanh(c);
    }
    const std::vector<Tensor> out = o.run();
    EXPECT_NEAR(out[1].data<float>()[0], h, 1e-6);
    EXPECT_NEAR(out[2].data<float>()[0], c, 1e-6);
  }
}

TEST(OpsRecurrent, FlopsCountBothProducts) {
  Case c;
  c.direction = "bidirectional", c.seq = 10, c.batch = 2, c.input = 8, c.hidden = 16;
  EXPECT_EQ(make(c).flops(), 2.0 * 2 * 10 * 2 * 4 * 16 * (8 + 16));
}

TEST(OpsRecurrent, BadNodesSayWhatIsWrong) {
  auto infer_error = [](const Case& c, const std::string& message,
                        const std::function<void(OpCase&)>& edit = {}) {
    OpCase o = make(c);
    if (edit) edit(o);
    EXPECT_TRUE(throws_with([&] { o.infer(); }, message)) << message;
  };
  Case c;
  infer_error(c, "LSTM: direction 'sideways' is not one of forward, reverse, bidirectional",
              [](OpCase& o) { o.attr("direction", std::string("sideways")); });
  infer_error(c, "LSTM: W has shape [1x20x3]; it needs [1x24x3]",
              [](OpCase& o) { o.attr("hidden_size", int64_t{6}); });
  Case old = c;
  old.opset = 13, old.layout = 1;
  infer_error(old, "LSTM: layout 1 needs opset 14 (this node is opset 13)");
  Case activation = c;
  activation.activations = {"Sigmoid", "Swish", "Tanh"};
  infer_error(activation, "LSTM: activation 'Swish' is not one of");
  Case count = c;
  count.op = "GRU", count.direction = "bidirectional", count.activations = {"Sigmoid"};
  infer_error(count, "GRU: activations lists 1 functions; it needs 2 or 4");
  Case clip = c;
  clip.clip = -1.0f;
  infer_error(clip, "LSTM: clip must be positive");
  Case outputs = c;
  outputs.op = "RNN", outputs.outputs = 3;
  infer_error(outputs, "RNN: has 3 outputs; it has 1 to 2 (Y, Y_h)");
  Case opset = c;
  opset.opset = 6;
  infer_error(opset, "LSTM: opset 6 is older than 7");
  // initial_h for another batch size.
  OpCase state("RNN", 14);
  state.input(random_floats({2, 1, 3}, 1, 1)).constant(random_floats({1, 4, 3}, 1, 2));
  state.constant(random_floats({1, 4, 4}, 1, 3)).absent().absent();
  state.input(random_floats({1, 2, 4}, 1, 4)).attr("hidden_size", int64_t{4});
  EXPECT_TRUE(
      throws_with([&] { state.infer(); }, "RNN: initial_h has shape [1x2x4]; it needs [1x1x4]"));
  // A 2-D X.
  OpCase flat("RNN", 14);
  flat.input(random_floats({5, 3}, 1, 1)).constant(random_floats({1, 4, 3}, 1, 2));
  flat.constant(random_floats({1, 4, 4}, 1, 3)).attr("hidden_size", int64_t{4});
  EXPECT_TRUE(throws_with([&] { flat.infer(); }, "RNN: X has shape [5x3]; it needs rank 3"));
  // sequence_lens as floats.
  OpCase lens("GRU", 14);
  lens.input(random_floats({2, 1, 3}, 1, 1)).constant(random_floats({1, 12, 3}, 1, 2));
  lens.constant(random_floats({1, 12, 4}, 1, 3)).absent().input(floats({1}, {2.0f}));
  EXPECT_TRUE(throws_with([&] { lens.infer(); }, "GRU: sequence_lens must be int32, not float32"));
}

// sequence_lens arrive at run time: a length outside [0, seq] is an Error naming the node, from
// every algorithm.
TEST(OpsRecurrent, SequenceLengthOutOfRangeNamesTheNode) {
  Case c;
  c.lens = {5, 9};
  const OpCase o = make(c);
  for (const algoscope::Algorithm& a : o.op().algorithms)
    EXPECT_TRUE(throws_with([&] { o.run_with(a); },
                            "LSTM node 'node_under_test': sequence_lens[1] is 9, outside [0, 5]"))
        << a.name;
}

// An unused output ("" in the node) has no shape in the model, so its storage is not Y's size:
// neither algorithm may write it, and Y_h is the same as when Y is used.
TEST(OpsRecurrent, UnusedYInAModelIsNotWritten) {
  for (const char* algorithm : {"reference", "fused"}) {
    std::vector<algoscope::Tensor> y_h;
    for (bool with_y : {true, false}) {
      onnx_builder::ModelBuilder b("gru", 14);
      b.input("x", {6, 2, 3});
      b.initializer("w", {2, 12, 3}, onnx_builder::random_floats(72, 1));
      b.initializer("r", {2, 12, 4}, onnx_builder::random_floats(96, 2));
      b.node("GRU", {"x", "w", "r"}, {with_y ? "y" : "", "y_h"}, "gru")
          .i("hidden_size", 4)
          .s("direction", "bidirectional");
      if (with_y) b.output("y");
      b.output("y_h");
      auto model = std::make_shared<const algoscope::Model>(
          algoscope::load_model_from_bytes(b.bytes(), "gru.onnx"));
      algoscope::Plan plan = algoscope::Plan::for_model(*model);
      plan.defaults["GRU"] = algorithm;
      algoscope::Session session(model, plan, {.threads = 1});
      y_h.push_back(session.run({random_floats({6, 2, 3}, 1.0f, 3)}).back());
    }
    EXPECT_EQ(values<float>(y_h[0]), values<float>(y_h[1])) << algorithm;
  }
}

TEST(OpsRecurrent, BadNodeInAModelNamesTheNode) {
  onnx_builder::ModelBuilder b("bad_lstm", 14);
  b.input("x", {4, 1, 3});
  b.initializer("w", {1, 8, 3}, onnx_builder::random_floats(24, 1));
  b.initializer("r", {1, 8, 3}, onnx_builder::random_floats(24, 2));
  b.node("LSTM", {"x", "w", "r"}, {"y"}, "encoder/lstm").i("hidden_size", 2);
  b.output("y");
  auto model = std::make_shared<const algoscope::Model>(
      algoscope::load_model_from_bytes(b.bytes(), "bad_lstm.onnx"));
  EXPECT_TRUE(throws_with(
      [&] { algoscope::Session(model, algoscope::Plan::for_model(*model), {.threads = 1}); },
      "node 'encoder/lstm' (LSTM): LSTM: R has shape [1x8x3]; it needs [1x8x2]"));
}

}  // namespace
