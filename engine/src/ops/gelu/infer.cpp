// ONNX semantics of Gelu (gelu.h): a float32 input and the `approximate` attribute.
#include <string>

#include "ops/common.h"
#include "ops/gelu/gelu.h"

namespace algoscope::ops::gelu {

std::vector<TensorInfo> infer(const Layer& layer) {
  require(layer.has_input(0), "Gelu needs an input");
  const TensorInfo& x = layer.inputs[0];
  require(x.dtype == DType::Float32,
          std::string("Gelu computes float32 only, got ") + dtype_name(x.dtype));
  const std::string approximate = layer.n().attr_string("approximate", "none");
  require(approximate == "none" || approximate == "tanh",
          "Gelu: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
  return {x};
}

bool tanh_form(const Layer& layer) {
  infer(layer);
  return layer.n().attr_string("approximate", "none") == "tanh";
}

double flops(const Layer& layer) {
  return static_cast<double>(layer.inputs[0].numel()) * (tanh_form(layer) ? 8.0 : 5.0);
}

}  // namespace algoscope::ops::gelu
