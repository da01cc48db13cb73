// Loading ONNX files into a Model: parse with libonnx/protobuf, keep node names, then run the graph
// passes (engine/src/passes/pipeline.cpp lists them in order): drop Identity/Dropout, infer every
// value's static shape with the registry's own rules (ONNX shape inference as a fallback) while
// folding constant and shape sub-graphs, fold BatchNormalization into a preceding Conv, fuse
// decomposed LayerNormalization and GELU, fold a bias Add into the MatMul before it, fuse a
// following Relu/Clip/SiLU/HardSwish/Gelu into a Conv, Gemm, MatMul or Add, fuse attention
// subgraphs and squeeze-and-excitation blocks, and drop dead code. A model with ops the registry
// lacks still loads (for viewing); compiling it fails later.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "algoscope/graph.h"

namespace algoscope {

struct LoadOptions {
  // Graph passes; tests turn them off to compare against the unmodified graph.
  bool fold_constants = true;
  bool remove_identity = true;
  // Pad nodes whose pads are all zero (torch writes one before each of DenseNet's AveragePools).
  bool remove_empty_pad = true;
  bool fold_batchnorm = true;
  // MatMul followed by Add of a constant bias row ([N] or [1, ..., 1, N]: torch's nn.Linear on 3-D
  // input) becomes one MatMul with the bias as its third input, added in the GEMM's epilogue.
  bool fuse_matmul_bias = true;
  // Conv, Gemm or Add followed by Relu or Clip becomes one node with the clamp in its epilogue
  // (Node::activation).
  bool fuse_activations = true;
  // Scaled dot-product attention subgraphs (MatMul, scale, optional mask, Softmax, MatMul)
  // become one Attention node.
  bool fuse_attention = true;
  // Squeeze-and-excitation blocks (GlobalAveragePool, Conv, Conv, Sigmoid or HardSigmoid, Mul)
  // become one SqueezeExcite node.
  bool fuse_squeeze_excite = true;
  // Add(Conv(...), r) of one shape, with the Add's activation, becomes one Conv with r as a fourth
  // input added before the activation (ResNet blocks; Algorithm::applies_residual).
  bool fuse_residual_add = true;
  // The decomposed LayerNormalization torch writes below opset 17 (ReduceMean, Sub, Pow,
  // ReduceMean, Add, Sqrt, Div, Mul, Add) becomes one LayerNormalization node.
  bool fuse_layer_norm = true;
  // The exact GELU torch writes below opset 20 (Div, Erf, Add, Mul, Mul) becomes one Gelu node.
  bool fuse_gelu = true;
  // Value for symbolic or unknown input dimensions (e.g. a dynamic batch axis).
  int64_t symbolic_dim_value = 1;
  // Graph inputs to specialize the model for: each becomes a constant with the given value, so
  // shapes that depend on it (a Reshape's target shape, Slice bounds) are static. The remaining
  // inputs keep their order.
  std::map<std::string, Tensor> constant_inputs;
  // Shapes for runtime inputs that declare named or unknown dimensions (a dynamic batch or
  // sequence axis): each must have the declared rank and agree with every fixed dimension.
  std::map<std::string, Shape> input_shapes;
};

// What a model was loaded from, so that it can be loaded again for other input values or sizes.
struct ModelSource {
  std::shared_ptr<const std::string> bytes;
  std::string origin;  // the path or name the bytes came from (messages name it)
  LoadOptions options;
};

// Throws Error with a message naming the file and what is wrong with it.
Model load_model(const std::string& path, const LoadOptions& options = {});
Model load_model_from_bytes(const std::string& bytes, const std::string& origin,
                            const LoadOptions& options = {});

// Op types of the model that the registry cannot run, each with the nodes that use it. Empty when
// the whole model can run.
std::vector<std::pair<std::string, std::vector<std::string>>> unsupported_ops(const Model& model);

// "sha256:<hex>" of a byte string.
std::string sha256_fingerprint(const std::string& bytes);

}  // namespace algoscope
