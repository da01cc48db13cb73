// The correctness sweep every algorithm of an op must pass against that op's `reference`: for
// Conv, a fixed, deterministic set of layers crossing kernels 1/3/5/7, strides 1/2, dilations 1/2,
// groups 1/2/depthwise, no/symmetric/asymmetric pads, batch 1-3, channels 1, 3, odd and multiples
// of 16, inputs from 1x1 to 16x16 (odd, non-square), with and without bias, plus a 1-D layer. Each
// applicable layer runs with W constant (pre-transformed at prepare time) and with W as a runtime
// input; each output must be within the algorithm's registered tolerance of `reference`, and each
// layer the algorithm declines must come with a reason. ConvTranspose has a sweep of the same kind:
// kernels 1-5, strides 1-3, dilations 1/2, groups 1/2/depthwise, pads, output_padding, auto_pad
// and output_shape, 1-D, 2-D and 3-D layers, with and without bias.
//
// The built-in algorithms' tests call it, and so can a plugin author's (see
// engine/plugins/example): one function, no test framework needed.
#pragma once

#include <string>
#include <vector>

#include "algoscope/registry.h"

namespace algoscope {

struct SweepFailure {
  std::string layer;   // the layer, in words ("N=2 C=3 7x7 OC=16 g=1 k=3x3 ...")
  std::string detail;  // what went wrong
};

struct SweepReport {
  std::string op_type, algorithm;
  int layers = 0;      // layers in the sweep
  int applicable = 0;  // layers the algorithm accepted
  int runs = 0;        // outputs compared with `reference`
  // The largest max|got - reference| / (atol * scale + rtol * |reference|) over all runs (scale:
  // registry.h, Tolerance); <= 1 passes.
  double worst_error_ratio = 0.0;
  std::vector<SweepFailure> failures;

  bool passed() const { return failures.empty() && applicable > 0; }
  // One line of counts, then one line per failure.
  std::string summary() const;
};

// One layer of a sweep: a node and its inputs, built without a model file.
struct SweepLayer {
  Node node;
  std::vector<Tensor> inputs;
  std::vector<bool> constant;  // per input: passed to prepare as a constant
  // The Layer an algorithm sees; it points into this object, which must outlive it.
  Layer layer(const OpDefinition& op) const;
};

// The layers of `op_type`'s sweep with constant weights, for tests that check other facts about
// the same layers (cuDNN's output geometry, say). Throws Error for an op without a sweep.
std::vector<SweepLayer> sweep_layers(const std::string& op_type);

// Runs the sweep of `op_type` (Conv and ConvTranspose have one; other op types throw Error naming
// those that do) on `algorithm`, every `step`-th layer. Throws Error when the op or the algorithm
// is unknown.
SweepReport sweep_algorithm(const std::string& op_type, const std::string& algorithm, int step = 1,
                            const Registry& registry = Registry::instance());

}  // namespace algoscope
