// The algorithm registry: for every op type, its shape inference, its FLOP count and the ordered
// list of algorithms that can compute it. An algorithm says whether it applies to a concrete layer
// (and why not), what extra memory it needs, how exact it is, and prepares a kernel that owns any
// pre-transformed weights. Each op's registry.cpp is the only place its algorithm names are
// spelled; plugins add algorithms through the same API.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/memory_space.h"
#include "algoscope/tensor.h"

namespace algoscope {

// The two algorithm names the engine itself relies on, spelled here once: every op's ground truth
// (plain loops, obviously right, never fast), and a plan's request for the engine's own choice
// (Registry::default_algorithm), which no algorithm may be named.
inline const std::string kReference = "reference";
inline const std::string kDefault = "default";

// One node with the static facts an algorithm may depend on.
struct Layer {
  const Node* node = nullptr;
  int64_t opset = 0;
  // One entry per node input; absent optional inputs have present[i] == false.
  std::vector<TensorInfo> inputs;
  std::vector<bool> present;
  // Non-null where the input is a constant (weights, folded shapes): algorithms may pre-transform
  // it.
  std::vector<const Tensor*> constants;
  // Filled after shape inference; empty while inferring.
  std::vector<TensorInfo> outputs;

  const Node& n() const { return *node; }
  bool has_input(size_t i) const { return i < present.size() && present[i]; }
  // Inputs asked for as constants that were not: where shape inference then fails, the loader
  // traces them back to the graph inputs whose values decide the shapes (Model::value_inputs).
  mutable std::vector<size_t> missing_constants;
  const Tensor* constant(size_t i) const {
    const Tensor* value = i < constants.size() ? constants[i] : nullptr;
    if (!value && has_input(i)) missing_constants.push_back(i);
    return value;
  }
};

// Builds the Layer of a node of a loaded model (inputs, constants and outputs from the model).
Layer make_layer(const Model& model, const Node& node);

// Every present input (constants included) and every output of the layer, in bytes: what a
// kernel that reads and writes each once moves.
double layer_io_bytes(const Layer& layer);

// What a kernel sees at run time. inputs[i] is nullptr for an omitted optional input. Outputs are
// allocated by the caller with the inferred types and shapes. The workspace holds at least the
// algorithm's workspace_bytes for this layer, 64-byte aligned.
struct KernelIO {
  std::vector<const Tensor*> inputs;
  std::vector<Tensor*> outputs;
  void* workspace = nullptr;
};

// A layout a kernel can produce or consume natively instead of the engine's plain row-major one
// (oneDNN's blocked nChw16c, say): `key` names it exactly, `bytes` is the storage it needs.
// `channels_last`: the layout is dense NHWC (channels innermost). `channel_concat_key`, for the
// batch-1 layouts a channel Concat (Kernel::concatenates_channels) can join without converting:
// the key without the channel count, so that values of different channel counts in one such
// layout share it. Two kinds: channels outermost in blocks that divide the channel count (nChw16c
// of 64 channels, not of 24), where a range of channels starting and ending on a block boundary
// occupies the same bytes as in the plain layout (the Concat's inputs can be written in place);
// and channels last, where each input is a run of its channels per pixel (the Concat copies
// them).
struct NativeLayout {
  std::string key;
  size_t bytes = 0;
  std::string channel_concat_key;
  bool channels_last = false;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void run(KernelIO& io) = 0;

  // The memory space this kernel runs in (memory_space.h): every tensor in its KernelIO, inputs,
  // constants, outputs and workspace alike, lies in it. nullptr, the default, is host memory. A
  // device kernel may return before its work has finished; the space's synchronize() waits.
  virtual MemorySpace* memory_space() const { return nullptr; }
  // For a kernel that picks among others when it is prepared (cuDNN's heuristic and find), what
  // it picked, in words; empty for the rest.
  virtual std::string choice() const { return {}; }

  // Layout negotiation between neighbours, all optional. When the producer of a value and every
  // kernel that reads it offer the same native layout, the session calls use_native_output /
  // use_native_input on them before the first run: from then on that value is stored in the
  // native layout and the reorders to and from the plain layout are skipped. Values that are
  // graph outputs, or that any other kernel reads, stay plain.
  virtual std::optional<NativeLayout> native_output_layout(size_t /*output*/) const {
    return std::nullopt;
  }
  virtual std::optional<NativeLayout> native_input_layout(size_t /*input*/) const {
    return std::nullopt;
  }
  virtual void use_native_output(size_t /*output*/) {}
  virtual void use_native_input(size_t /*input*/) {}

  // True for an elementwise kernel whose inputs and outputs all have one shape and that computes
  // each output element from the input elements at the same offset: it is right in whatever
  // layout its operands share, so negotiation may carry a native layout through it (a ResNet's
  // residual Add between two oneDNN convolutions keeps their nChw16c). Before the first run the
  // session then calls use_any_layout with that layout's storage size, which may exceed the
  // plain size where the layout pads (the kernel must then cover the padding too).
  virtual bool works_in_any_layout() const { return false; }
  virtual void use_any_layout(size_t /*bytes*/) {}
  // True for a batch-1 Concat along the channel axis that moves each input as one block of
  // bytes to its place in the output: it is right on values in any layout with a
  // NativeLayout::channel_concat_key that is not channels_last, as long as its inputs and output
  // all share that key, so negotiation may carry such a layout through it (GoogLeNet's branches
  // into their Concat). For a channels_last one the session calls concatenate_channels_last
  // first: the kernel then copies each input's channels pixel by pixel.
  virtual bool concatenates_channels() const { return false; }
  virtual void concatenate_channels_last() {}
  // True for a kernel whose input 0 and output 0 have one shape and that can read and write them
  // in the dense channels-last layout (NHWC; NativeLayout::channels_last) as well as the plain
  // one, its other inputs staying plain (SqueezeExcite: per-channel means and scaling).
  // Negotiation may carry such a layout through it, calling use_channels_last before the first
  // run.
  virtual bool works_channels_last() const { return false; }
  virtual void use_channels_last() {}

  // Buffer sharing, both optional; the session decides at compile time and the kernel must be
  // right either way (it compares pointers at run time). output_is_input: output 0 is input 0's
  // bytes unchanged (Reshape and its kin), so both may be one buffer. inputs_in_output: the byte
  // offset of each input's block inside output 0 when every input is one contiguous block of it
  // (Concat along an axis with only length-1 axes before it), so each producer may write
  // straight into its block; empty when that does not hold.
  virtual bool output_is_input() const { return false; }
  virtual std::vector<size_t> inputs_in_output() const { return {}; }
};

enum class Backend { Cpu, Cuda, Plugin };
const char* backend_name(Backend backend);
// The device a backend's algorithms run on, in words: "host CPU", or for cuda the GPU with its
// driver and library versions, or why there is none (asking loads the CUDA module when a driver
// reports a device).
std::string backend_device(Backend backend);

// The CUDA devices the NVIDIA driver reports, by index ("NVIDIA H100 80GB HBM3"), asked without
// loading the GPU backend; empty, with `none_reason`, where there are none.
struct GpuDevices {
  std::vector<std::string> names;
  std::string none_reason;
  int selected = 0;      // the device GPU algorithms run (or will run) on
  bool started = false;  // the backend is loaded: `selected` is fixed for this process
};
GpuDevices gpu_devices();
// Picks the device the GPU algorithms run on, instead of ALGOSCOPE_CUDA_DEVICE (default 0).
// Call it before the first GPU algorithm is asked about; throws Error for an index the driver
// does not report, without any device, or once the backend runs on another device.
void select_gpu_device(int index);

// An algorithm's result matches `reference` when, elementwise,
// |ours - reference| <= atol * scale + rtol * |reference|, where scale = max(1, max |reference|)
// over the whole tensor. The absolute part grows with the tensor's magnitude because a float sum
// of K products errs by up to about K * eps * sum |w x|, whatever the (possibly cancelled) value
// of one element: a fixed atol passes a layer whose outputs are near 1 and fails the same
// arithmetic once activations have grown to 100 (ResNet-50's layer4 on random weights).
struct Tolerance {
  double atol = 1e-5;
  double rtol = 1e-4;
};

// The sentence that closes every built-in algorithm's teaching text, generated from its tolerance
// so that the two cannot disagree: "Tolerance: atol 1e-4, rtol 1e-3." ("exact" when both are 0).
std::string tolerance_sentence(const Tolerance& tolerance);

struct Algorithm {
  std::string name;
  Backend backend = Backend::Cpu;
  std::string summary;   // one line
  std::string teaching;  // how it works, extra memory (formula), when it wins, numerical behaviour
  Tolerance tolerance;
  // Higher wins when the engine picks the `default` algorithm; ties go to registry order.
  int default_priority = 0;
  // A shape rule for the heuristic choice (select.h: heuristic_plan): this algorithm's priority for
  // a concrete layer, e.g. higher for Winograd on wide 3x3 layers with large images. Empty: the
  // default_priority.
  std::function<int(const Layer&)> heuristic_priority;
  // True when the kernel applies the node's fused activation (Node::activation) in its own
  // epilogue; otherwise the session clamps the output right after the kernel.
  bool applies_activation = false;
  // True when the kernel adds a Conv's residual (the fourth input fuse_residual_add gives it)
  // before its activation; otherwise the session prepares it for the plain convolution and adds
  // the residual, then the activation, after it (CPU algorithms only).
  bool applies_residual = false;
  // Algorithms with the same non-empty family may hand values to each other in a native layout
  // (Kernel::native_output_layout), skipping reorders. Timing a layer in isolation cannot see that
  // gain, so tune also times, end to end, the plan that uses the family wherever it is usable.
  std::string layout_family;
  // Empty optional when the algorithm can compute this layer, otherwise the reason in words.
  std::function<std::optional<std::string>(const Layer&)> not_applicable;
  std::function<size_t(const Layer&)> workspace_bytes;  // empty: needs none
  // What the prepared kernel keeps for as long as it lives: transformed or reordered weights,
  // tables, buffers in a library's own layout. The formula is the one the teaching text's "Extra
  // memory" gives; empty: it keeps nothing (it reads the constants where they lie).
  std::function<size_t(const Layer&)> prepared_bytes;
  // The roofline's bytes moved per call where the default rule of traffic_bytes() does not hold
  // (an algorithm whose kept bytes are a table it reads beside the weights, not a copy of them).
  std::function<double(const Layer&)> traffic;
  std::function<std::unique_ptr<Kernel>(const Layer&)> prepare;
  // Empty for built-in algorithms; the plugin file for those a plugin added (set by the registry).
  std::string origin;

  // Convenience wrappers that treat empty functions as "always" / zero / default_priority.
  std::optional<std::string> why_not(const Layer& layer) const;
  size_t workspace(const Layer& layer) const;
  size_t prepared(const Layer& layer) const;
  // The bytes one run must move between memory and the cores at the least, the denominator of
  // the roofline's arithmetic intensity: `traffic` where given, else every runtime input read and
  // every output written once, the workspace written and read once, and the constants read once,
  // the kernel's prepared copy (prepared()) in place of the weights (input 1) where it keeps one.
  double traffic_bytes(const Layer& layer) const;
  int heuristic_rank(const Layer& layer) const;
  // The kernel exactly as a Session runs it: prepare(), plus the node's fused activation and a
  // Conv's residual when the algorithm does not apply them itself. Errors name the node, its op and
  // this algorithm.
  std::unique_ptr<Kernel> make_kernel(const Layer& layer) const;
};

struct OpDefinition {
  std::string op_type;
  std::string summary;
  // Output types and shapes from the inputs' (layer.outputs is empty). Throws Error for an invalid
  // node (the message names what is wrong; the caller adds the node name).
  std::function<std::vector<TensorInfo>(const Layer&)> infer;
  std::function<double(const Layer&)> flops;  // empty: 0 (data movement only)
  std::deque<Algorithm> algorithms;           // deque: pointers stay valid when plugins add more

  // algoscope::kReference, under the name older code uses.
  static inline const std::string& kReference = algoscope::kReference;

  const Algorithm* find(const std::string& name) const;
  const Algorithm* reference() const { return find(kReference); }
  double flop_count(const Layer& layer) const { return flops ? flops(layer) : 0.0; }
};

class Registry {
 public:
  // The process-wide registry with every built-in op registered.
  static Registry& instance();
  // An empty registry (tests, tools).
  Registry() = default;

  void add_op(OpDefinition op);  // throws Error when the op type exists
  // Adds an algorithm to an existing op; throws Error for an unknown op or a duplicate name.
  void add_algorithm(const std::string& op_type, Algorithm algorithm);

  const OpDefinition* find_op(const std::string& op_type) const;
  const Algorithm* find_algorithm(const std::string& op_type, const std::string& name) const;
  std::vector<std::string> op_types() const;  // sorted
  // The engine's own choice for a layer: the applicable algorithm with the highest priority.
  const Algorithm& default_algorithm(const Layer& layer) const;

  // While one exists, algorithms added are marked Backend::Plugin with `origin` (load_plugin).
  class PluginScope {
   public:
    PluginScope(Registry& registry, std::string origin);
    ~PluginScope();
    PluginScope(const PluginScope&) = delete;
    PluginScope& operator=(const PluginScope&) = delete;

   private:
    Registry& registry_;
  };

 private:
  std::string plugin_origin_;  // non-empty inside a PluginScope
  std::map<std::string, std::unique_ptr<OpDefinition>> ops_;
  mutable std::mutex mutex_;
};

}  // namespace algoscope
