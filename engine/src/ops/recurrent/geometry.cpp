// ONNX LSTM, GRU and RNN decoded once: the attributes (direction, hidden_size, layout from opset
// 14, clip, input_forget, linear_before_reset, activations with activation_alpha /
// activation_beta), the shapes every input must have, the output shapes, and the activation
// functions by their definitions. Where the spec is loose the choices follow ONNX Runtime, the
// runtime most exported models are checked against: alpha and beta values are consumed in order by
// the activations that take them, one list of activations for a bidirectional node serves both
// directions, and clip bounds the input of every activation.
#include <cmath>
#include <string>
#include <variant>

#include "ops/common.h"
#include "ops/recurrent/recurrent.h"

namespace algoscope::ops::recurrent {
namespace {

// "[2x3x4]". Appended to a string rather than concatenated onto a literal, which GCC 12 flags with
// a false -Wrestrict.
std::string shape_text(const Shape& s) {
  std::string text = "[";
  text += shape_to_string(s);
  text += "]";
  return text;
}

struct Known {
  const char* name;
  Activation::Kind kind;
  int uses;  // 0: no parameter, 1: alpha, 2: alpha and beta
  float alpha, beta;
};
// The spec's list, with the defaults of ONNX's ops of the same name.
constexpr Known kKnown[] = {
    {"Relu", Activation::Kind::Relu, 0, 0, 0},
    {"Tanh", Activation::Kind::Tanh, 0, 0, 0},
    {"Sigmoid", Activation::Kind::Sigmoid, 0, 0, 0},
    {"Affine", Activation::Kind::Affine, 2, 1.0f, 0.0f},
    {"LeakyRelu", Activation::Kind::LeakyRelu, 1, 0.01f, 0},
    {"ThresholdedRelu", Activation::Kind::ThresholdedRelu, 1, 1.0f, 0},
    {"ScaledTanh", Activation::Kind::ScaledTanh, 2, 1.0f, 1.0f},
    {"HardSigmoid", Activation::Kind::HardSigmoid, 2, 0.2f, 0.5f},
    {"Elu", Activation::Kind::Elu, 1, 1.0f, 0},
    {"Softsign", Activation::Kind::Softsign, 0, 0, 0},
    {"Softplus", Activation::Kind::Softplus, 0, 0, 0},
};

std::vector<std::string> activation_names(const Node& node) {
  auto it = node.attributes.find("activations");
  if (it == node.attributes.end()) return {};
  const auto* names = std::get_if<std::vector<std::string>>(&it->second.value);
  require(names != nullptr, "activations must be a list of strings");
  return *names;
}

std::vector<Activation> parse_activations(const Node& node, const RecurrentParams& p) {
  std::vector<std::string> names = activation_names(node);
  const std::string prefix = p.op + ": ";
  if (names.empty()) {
    // The spec's defaults: LSTM Sigmoid Tanh Tanh, GRU Sigmoid Tanh, RNN Tanh.
    if (p.cell == Cell::Lstm) names = {"Sigmoid", "Tanh", "Tanh"};
    if (p.cell == Cell::Gru) names = {"Sigmoid", "Tanh"};
    if (p.cell == Cell::Rnn) names = {"Tanh"};
  }
  const size_t per = static_cast<size_t>(p.per_direction);
  const size_t want = per * static_cast<size_t>(p.directions);
  require(names.size() == per || names.size() == want,
          prefix + "activations lists " + std::to_string(names.size()) + " functions; it needs " +
              std::to_string(per) + (p.directions == 2 ? " or " + std::to_string(want) : "") +
              " (" +
              (p.cell == Cell::Lstm  ? "f, g, h"
               : p.cell == Cell::Gru ? "f, g"
                                     : "f") +
              (p.directions == 2 ? " per direction)" : ")"));
  const std::vector<float> alphas = node.attr_floats("activation_alpha");
  const std::vector<float> betas = node.attr_floats("activation_beta");
  size_t next_alpha = 0, next_beta = 0;
  std::vector<Activation> out;
  for (const std::string& name : names) {
    const Known* known = nullptr;
    for (const Known& k : kKnown)
      if (name == k.name) known = &k;
    require(known != nullptr,
            prefix + "activation '" + name +
                "' is not one of Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, "
                "ScaledTanh, HardSigmoid, Elu, Softsign, Softplus");
    Activation a{known->kind, known->alpha, known->beta};
    if (known->uses >= 1 && next_alpha < alphas.size()) a.alpha = alphas[next_alpha++];
    if (known->uses >= 2 && next_beta < betas.size()) a.beta = betas[next_beta++];
    out.push_back(a);
  }
  // One list for both directions of a bidirectional node.
  if (out.size() < want) out.insert(out.end(), out.begin(), out.end());
  return out;
}

void require_float(const Layer& layer, size_t index, const std::string& prefix, const char* what) {
  require(layer.inputs[index].dtype == DType::Float32,
          prefix + what + " must be float32, not " + dtype_name(layer.inputs[index].dtype));
}

void require_shape(const Layer& layer, size_t index, const Shape& want, const std::string& prefix,
                   const char* what) {
  const Shape& got = layer.inputs[index].shape;
  require(got == want,
          prefix + what + " has shape " + shape_text(got) + "; it needs " + shape_text(want));
}

}  // namespace

double Activation::operator()(double x) const {
  switch (kind) {
    case Kind::Relu:
      return x > 0 ? x : 0.0;
    case Kind::Tanh:
      return std::tanh(x);
    case Kind::Sigmoid:
      return 1.0 / (1.0 + std::exp(-x));
    case Kind::Affine:
      return alpha * x + beta;
    case Kind::LeakyRelu:
      return x >= 0 ? x : alpha * x;
    case Kind::ThresholdedRelu:
      return x > alpha ? x : 0.0;
    case Kind::ScaledTanh:
      return alpha * std::tanh(beta * x);
    case Kind::HardSigmoid:
      return std::fmin(1.0, std::fmax(0.0, alpha * x + beta));
    case Kind::Elu:
      return x >= 0 ? x : alpha * (std::exp(x) - 1.0);
    case Kind::Softsign:
      return x / (1.0 + std::fabs(x));
    case Kind::Softplus:
      return x > 30 ? x : std::log1p(std::exp(x));
  }
  return x;
}

RecurrentParams recurrent_params(const Layer& layer) {
  const Node& node = layer.n();
  RecurrentParams p;
  p.op = node.op_type;
  p.cell = p.op == "LSTM" ? Cell::Lstm : p.op == "GRU" ? Cell::Gru : Cell::Rnn;
  p.gates = p.cell == Cell::Lstm ? 4 : p.cell == Cell::Gru ? 3 : 1;
  p.per_direction = p.cell == Cell::Lstm ? 3 : p.cell == Cell::Gru ? 2 : 1;
  const std::string prefix = p.op + ": ";
  require(layer.opset >= 7, prefix + "opset " + std::to_string(layer.opset) +
                                " is older than 7, the first this engine implements");

  const std::string direction = node.attr_string("direction", "forward");
  if (direction == "forward")
    p.direction = Direction::Forward;
  else if (direction == "reverse")
    p.direction = Direction::Reverse;
  else if (direction == "bidirectional")
    p.direction = Direction::Bidirectional;
  else
    throw Error(prefix + "direction '" + direction +
                "' is not one of forward, reverse, bidirectional");
  p.directions = p.direction == Direction::Bidirectional ? 2 : 1;

  p.layout = node.attr_int("layout", 0);
  require(p.layout == 0 || p.layout == 1,
          prefix + "layout " + std::to_string(p.layout) + " is not 0 or 1");
  require(
      p.layout == 0 || layer.opset >= 14,
      prefix + "layout 1 needs opset 14 (this node is opset " + std::to_string(layer.opset) + ")");
  if (node.has_attribute("clip")) {
    const float clip = node.attr_float("clip", 0.0f);
    require(clip > 0, prefix + "clip must be positive, not " + std::to_string(clip));
    p.clip = clip;
  }
  p.input_forget = p.cell == Cell::Lstm && node.attr_int("input_forget", 0) != 0;
  p.linear_before_reset = p.cell == Cell::Gru && node.attr_int("linear_before_reset", 0) != 0;

  const size_t max_inputs = p.cell == Cell::Lstm ? 8 : 6;
  require(node.inputs.size() <= max_inputs, prefix + "has " + std::to_string(node.inputs.size()) +
                                                " inputs; it takes at most " +
                                                std::to_string(max_inputs));
  const size_t max_outputs = p.cell == Cell::Lstm ? 3 : 2;
  require(!node.outputs.empty() && node.outputs.size() <= max_outputs,
          prefix + "has " + std::to_string(node.outputs.size()) + " outputs; it has 1 to " +
              std::to_string(max_outputs) +
              (p.cell == Cell::Lstm ? " (Y, Y_h, Y_c)" : " (Y, Y_h)"));
  p.outputs = node.outputs.size();
  for (size_t k = 0; k < p.outputs; ++k) p.named[k] = node.has_output(k);

  require(layer.has_input(kX) && layer.has_input(kW) && layer.has_input(kR),
          prefix + "needs inputs X, W and R");
  require_float(layer, kX, prefix, "X");
  require_float(layer, kW, prefix, "W");
  require_float(layer, kR, prefix, "R");
  const Shape& x = layer.inputs[kX].shape;
  require(x.size() == 3, prefix + "X has shape " + shape_text(x) + "; it needs rank 3 (" +
                             (p.layout == 0 ? "seq_length, batch_size, input_size)"
                                            : "batch_size, seq_length, input_size)"));
  p.seq = x[p.layout == 0 ? 0 : 1];
  p.batch = x[p.layout == 0 ? 1 : 0];
  p.input = x[2];
  require(
      p.seq > 0 && p.batch > 0 && p.input > 0,
      prefix + "X has shape " + shape_text(x) + "; sequence, batch and input must be non-empty");
  const Shape& r = layer.inputs[kR].shape;
  require(r.size() == 3, prefix + "R has shape " + shape_text(r) +
                             "; it needs rank 3 (num_directions, gates * hidden_size, "
                             "hidden_size)");
  p.hidden = node.attr_int("hidden_size", r[2]);
  require(p.hidden > 0, prefix + "hidden_size must be positive, not " + std::to_string(p.hidden));
  const int64_t d = p.directions, gh = p.gates * p.hidden;
  require_shape(layer, kW, {d, gh, p.input}, prefix, "W");
  require_shape(layer, kR, {d, gh, p.hidden}, prefix, "R");

  p.has_bias = layer.has_input(kB);
  if (p.has_bias) {
    require_float(layer, kB, prefix, "B");
    require_shape(layer, kB, {d, 2 * gh}, prefix, "B");
  }
  p.has_sequence_lens = layer.has_input(kSequenceLens);
  if (p.has_sequence_lens) {
    const DType t = layer.inputs[kSequenceLens].dtype;
    require(t == DType::Int32 || t == DType::Int64,
            prefix + "sequence_lens must be int32, not " + dtype_name(t));
    require_shape(layer, kSequenceLens, {p.batch}, prefix, "sequence_lens");
  }
  const Shape state = p.layout == 0 ? Shape{d, p.batch, p.hidden} : Shape{p.batch, d, p.hidden};
  p.has_initial_h = layer.has_input(kInitialH);
  if (p.has_initial_h) {
    require_float(layer, kInitialH, prefix, "initial_h");
    require_shape(layer, kInitialH, state, prefix, "initial_h");
  }
  if (p.cell == Cell::Lstm) {
    p.has_initial_c = layer.has_input(kInitialC);
    if (p.has_initial_c) {
      require_float(layer, kInitialC, prefix, "initial_c");
      require_shape(layer, kInitialC, state, prefix, "initial_c");
    }
    p.has_peepholes = layer.has_input(kP);
    if (p.has_peepholes) {
      require_float(layer, kP, prefix, "P");
      require_shape(layer, kP, {d, 3 * p.hidden}, prefix, "P");
    }
  }
  p.activations = parse_activations(node, p);
  return p;
}

std::vector<TensorInfo> infer(const Layer& layer) {
  const RecurrentParams p = recurrent_params(layer);
  const Shape y = p.layout == 0 ? Shape{p.seq, p.directions, p.batch, p.hidden}
                                : Shape{p.batch, p.seq, p.directions, p.hidden};
  const Shape state = p.layout == 0 ? Shape{p.directions, p.batch, p.hidden}
                                    : Shape{p.batch, p.directions, p.hidden};
  std::vector<TensorInfo> out;
  for (size_t k = 0; k < p.outputs; ++k) out.push_back({DType::Float32, k == 0 ? y : state});
  return out;
}

double flops(const Layer& layer) {
  const RecurrentParams p = recurrent_params(layer);
  return 2.0 * static_cast<double>(p.directions * p.seq * p.batch * p.gates * p.hidden) *
         static_cast<double>(p.input + p.hidden);
}

float* named_output(const RecurrentParams& p, const KernelIO& io, size_t k) {
  return k < p.outputs && p.named[k] ? optional_float_output(io, k) : nullptr;
}

std::vector<int64_t> sequence_lengths(const RecurrentParams& p, const Tensor* lens,
                                      const std::string& node) {
  std::vector<int64_t> out(static_cast<size_t>(p.batch), p.seq);
  if (!lens) return out;
  for (int64_t b = 0; b < p.batch; ++b) {
    const int64_t v =
        lens->dtype() == DType::Int32 ? lens->data<int32_t>()[b] : lens->data<int64_t>()[b];
    require(v >= 0 && v <= p.seq, p.op + " node '" + node + "': sequence_lens[" +
                                      std::to_string(b) + "] is " + std::to_string(v) +
                                      ", outside [0, " + std::to_string(p.seq) + "]");
    out[static_cast<size_t>(b)] = v;
  }
  return out;
}

}  // namespace algoscope::ops::recurrent
