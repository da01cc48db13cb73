// SqueezeExcite shape inference and FLOPs: checks that the two 1x1 convolutions' weights chain
// C -> H -> C over x's channels, and reads the activations the pass recorded.
#include <string>

#include "ops/squeeze_excite/squeeze_excite.h"

namespace algoscope::ops::squeeze_excite {
namespace {

// [rows, cols, 1, ..., 1] of the given rank.
void require_pointwise_weight(const TensorInfo& w, size_t rank, int64_t rows, int64_t cols,
                              const char* name) {
  bool ok = w.dtype == DType::Float32 && w.shape.size() == rank && w.shape[0] == rows &&
            w.shape[1] == cols;
  for (size_t i = 2; ok && i < rank; ++i) ok = w.shape[i] == 1;
  require(ok, std::string("SqueezeExcite: ") + name + " must be float32 [" + std::to_string(rows) +
                  ", " + std::to_string(cols) + ", 1...] (rank " + std::to_string(rank) +
                  "), got " + shape_to_string(w.shape));
}

void require_bias(const Layer& layer, size_t index, int64_t length, const char* name) {
  if (!layer.has_input(index)) return;
  const TensorInfo& b = layer.inputs[index];
  require(b.dtype == DType::Float32 && b.shape == Shape{length},
          std::string("SqueezeExcite: ") + name + " must be float32 [" + std::to_string(length) +
              "], got " + shape_to_string(b.shape));
}

}  // namespace

Geometry geometry(const Layer& layer) {
  const Node& n = layer.n();
  require(n.has_attribute(kFusedMarker),
          "this SqueezeExcite node was not made by algoscope's squeeze-excite pass");
  require(layer.has_input(0) && layer.has_input(1) && layer.has_input(3),
          "SqueezeExcite needs inputs x, W1 and W2");
  const TensorInfo& x = layer.inputs[0];
  require(x.dtype == DType::Float32 && x.shape.size() >= 3,
          "SqueezeExcite: x must be float32 [N, C, spatial...], got " + shape_to_string(x.shape));
  Geometry g;
  g.batch = x.shape[0];
  g.channels = x.shape[1];
  for (size_t i = 2; i < x.shape.size(); ++i) g.plane *= x.shape[i];
  const TensorInfo& w1 = layer.inputs[1];
  require(w1.shape.size() >= 2, "SqueezeExcite: W1 must be [H, C, 1...]");
  g.hidden = w1.shape[0];
  require_pointwise_weight(w1, x.shape.size(), g.hidden, g.channels, "W1");
  require_pointwise_weight(layer.inputs[3], x.shape.size(), g.channels, g.hidden, "W2");
  require_bias(layer, 2, g.hidden, "b1");
  require_bias(layer, 4, g.channels, "b2");
  g.has_b1 = layer.has_input(2);
  g.has_b2 = layer.has_input(4);

  const std::string hidden = n.attr_string("hidden_activation", "none");
  using Kind = Node::Activation::Kind;
  g.hidden_activation.active = hidden != "none";
  if (hidden == "clamp") {
    g.hidden_activation.kind = Kind::Clamp;
    g.hidden_activation.lower = n.attr_float("hidden_lower", 0.0f);
    g.hidden_activation.upper = n.attr_float("hidden_upper", 0.0f);
  } else if (hidden == "swish") {
    g.hidden_activation.kind = Kind::Swish;
  } else if (hidden == "hard_swish") {
    g.hidden_activation.kind = Kind::HardSwish;
  } else {
    require(hidden == "none", "SqueezeExcite: unknown hidden_activation '" + hidden + "'");
  }
  const std::string gate = n.attr_string("gate", "Sigmoid");
  require(gate == "Sigmoid" || gate == "HardSigmoid",
          "SqueezeExcite: the gate must be Sigmoid or HardSigmoid, not '" + gate + "'");
  g.hard_gate = gate == "HardSigmoid";
  g.gate_alpha = n.attr_float("gate_alpha", 0.2f);
  g.gate_beta = n.attr_float("gate_beta", 0.5f);
  return g;
}

void set_hidden_activation(Node& se, const std::optional<Node::Activation>& activation) {
  using Kind = Node::Activation::Kind;
  std::string kind = "none";
  if (activation) {
    kind = activation->kind == Kind::Swish       ? "swish"
           : activation->kind == Kind::HardSwish ? "hard_swish"
                                                 : "clamp";
    if (activation->is_clamp()) {
      se.attributes["hidden_lower"] = Attribute{activation->lower};
      se.attributes["hidden_upper"] = Attribute{activation->upper};
    }
  }
  se.attributes["hidden_activation"] = Attribute{kind};
}

std::vector<TensorInfo> infer(const Layer& layer) {
  geometry(layer);
  return {layer.inputs[0]};
}

double flops(const Layer& layer) {
  const Geometry g = geometry(layer);
  return 2.0 * double(g.batch) * double(g.channels) * double(g.plane) +
         4.0 * double(g.batch) * double(g.hidden) * double(g.channels);
}

}  // namespace algoscope::ops::squeeze_excite
