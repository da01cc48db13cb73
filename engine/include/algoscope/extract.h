// Single-layer reproducers: one layer of a model cut out as an ONNX model of its own, with the
// layer's weights and the input it received in a run of the whole model, in ONNX's test_data_set
// layout (model.onnx, test_data_set_0/input_K.pb, output_K.pb). The layer can then be benchmarked,
// checked or attached to a bug report alone: `algoscope-cli check DIR/model.onnx --inputs
// DIR/test_data_set_0 --expected DIR/test_data_set_0` compares it with what the model computed.
//
// The extracted model is made of the *original* ONNX nodes the layer stands for (a Conv with the
// BatchNormalization and Relu the loader folded into it, the nodes of an attention pattern), with
// their initializers as the file stores them, so any ONNX tool reads it as the exporter wrote it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/plan.h"
#include "algoscope/tensor.h"

namespace algoscope {

struct ExtractOptions {
  // The plan of the run that records the layer's input and output; empty: every layer `reference`
  // (the ground truth the reproducer is compared with).
  Plan plan;
  std::vector<Tensor> inputs;  // the model's inputs for that run; empty: random_inputs(model)
  int threads = 0;
};

struct ExtractedLayer {
  std::string directory;
  std::string model_path;                 // directory/model.onnx
  std::string data_path;                  // directory/test_data_set_0
  std::vector<std::string> onnx_nodes;    // the original nodes it holds, in graph order
  std::vector<std::string> inputs;        // its runtime inputs, in order (input_K.pb)
  std::vector<std::string> outputs;       // its outputs, in order (output_K.pb)
  std::vector<std::string> initializers;  // the constants it carries
};

// Extracts the layer named `layer` (a node of `model`, as plans name it) from the ONNX file
// `onnx_bytes` the model was loaded from, into `directory` (created; model.onnx and
// test_data_set_0 inside it are replaced, nothing else is written). Throws Error naming what is
// wrong: an unknown layer, bytes that are not the model's file (their fingerprint differs), a plan
// that does not fit, a directory that cannot be written.
ExtractedLayer extract_layer(std::shared_ptr<const Model> model, const std::string& onnx_bytes,
                             const std::string& layer, const std::string& directory,
                             const ExtractOptions& options = {});

// The same, reading the file the model was loaded from (Model::path).
ExtractedLayer extract_layer(std::shared_ptr<const Model> model, const std::string& layer,
                             const std::string& directory, const ExtractOptions& options = {});

}  // namespace algoscope
