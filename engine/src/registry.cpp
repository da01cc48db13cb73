// The registry's bookkeeping: op definitions, algorithm lookup, the engine's default choice, the
// Layer view of a model node that algorithms are asked about, and the kernel of an algorithm for a
// layer as sessions and measurements run it (with the node's fused activation).
#include "algoscope/registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "algoscope/error.h"
#include "algoscope/registry_guard.h"
#include "cuda/backend.h"
#include "ops/common.h"
#include "ops/registrations.h"

namespace algoscope {
namespace {

// A fused activation for algorithms that do not apply it themselves: the clamp or gated
// activation runs on the output right after the kernel, split between the threads.
class ClampAfter final : public Kernel {
 public:
  ClampAfter(std::unique_ptr<Kernel> inner, ops::Epilogue epilogue)
      : inner_(std::move(inner)), epilogue_(epilogue) {}
  void run(KernelIO& io) override {
    inner_->run(io);
    float* y = io.outputs[0]->data<float>();
    const int64_t n = io.outputs[0]->numel();
    constexpr int64_t kPiece = 16384;  // floats per task: 64 KB stays in L2
#pragma omp parallel for schedule(static) if (n > 4 * kPiece)
    for (int64_t i = 0; i < n; i += kPiece) epilogue_.apply(y + i, std::min(kPiece, n - i));
  }

 private:
  std::unique_ptr<Kernel> inner_;
  ops::Epilogue epilogue_;
};

// The Add that adds a Conv's residual on a device: output = convolution + residual, with the
// Conv's activation, as a node and layer of their own (the layer points into the node). Shapes
// come from the residual, which has the output's (conv_geometry checks it), so that this also
// works on a layer whose outputs are not inferred yet.
struct ResidualAdd {
  std::unique_ptr<Node> node = std::make_unique<Node>();
  Layer layer;
  ResidualAdd(const Layer& conv) {
    node->name = conv.n().name + "/residual";
    node->op_type = "Add";
    node->inputs = {"output", "residual"};
    node->outputs = {"output"};
    node->activation = conv.n().activation;
    layer.node = node.get();
    layer.opset = conv.opset;
    const TensorInfo& sum = conv.inputs.at(ops::kResidualInput);
    layer.inputs = {sum, sum};
    layer.present = {true, true};
    layer.constants = {nullptr, nullptr};
    layer.outputs = {sum};
  }
  // The Add algorithms of `backend` that apply to it.
  std::vector<const Algorithm*> algorithms(Backend backend) const {
    std::vector<const Algorithm*> found;
    if (const OpDefinition* add = Registry::instance().find_op("Add"))
      for (const Algorithm& a : add->algorithms)
        if (a.backend == backend && !a.why_not(layer)) found.push_back(&a);
    return found;
  }
};

size_t aligned(size_t bytes) { return (bytes + 63) / 64 * 64; }

// A Conv with a residual (fuse_residual_add) for algorithms that do not add it themselves: the
// inner kernel computes the plain convolution, prepared from the node without the residual and
// the activation. On the host this one then adds the residual and applies the activation while
// each piece is in cache; on a device an Add algorithm of the same backend does both, reading the
// convolution's output from the workspace (Algorithm::workspace counts it).
class ResidualAfter final : public Kernel {
 public:
  ResidualAfter(const Algorithm& algorithm, const Layer& layer)
      : plain_node_(std::make_unique<Node>(layer.n())),
        epilogue_(ops::Epilogue::of(layer)),
        conv_workspace_(aligned(algorithm.workspace_bytes ? algorithm.workspace_bytes(layer) : 0)),
        output_(layer.inputs.at(ops::kResidualInput)) {
    plain_node_->inputs.resize(ops::kResidualInput);
    plain_node_->activation.reset();
    Layer plain = layer;
    plain.node = plain_node_.get();
    plain.inputs.resize(ops::kResidualInput);
    plain.present.resize(ops::kResidualInput);
    plain.constants.resize(ops::kResidualInput);
    inner_ = algorithm.prepare(plain);
    if (inner_->memory_space()) {
      // The first Add of the backend whose kernel works in the convolution's memory space.
      add_.emplace(layer);
      for (const Algorithm* add : add_->algorithms(algorithm.backend)) {
        std::unique_ptr<Kernel> kernel = add->make_kernel(add_->layer);
        if (kernel->memory_space() != inner_->memory_space()) continue;
        add_kernel_ = std::move(kernel);
        break;
      }
      if (!add_kernel_)
        throw Error(std::string("no Add algorithm of the ") + backend_name(algorithm.backend) +
                    " backend adds the residual where the convolution leaves it");
    }
  }
  MemorySpace* memory_space() const override { return inner_->memory_space(); }
  std::string choice() const override { return inner_->choice(); }

  void run(KernelIO& io) override {
    KernelIO plain = io;
    plain.inputs.resize(ops::kResidualInput);
    if (add_kernel_) {
      Tensor sum = Tensor::view(output_.dtype, output_.shape,
                                static_cast<char*>(io.workspace) + conv_workspace_);
      plain.outputs = {&sum};
      inner_->run(plain);
      KernelIO add{{&sum, io.inputs[ops::kResidualInput]}, {io.outputs[0]}, nullptr};
      add_kernel_->run(add);
      return;
    }
    inner_->run(plain);
    float* y = io.outputs[0]->data<float>();
    const float* r = io.inputs[ops::kResidualInput]->data<float>();
    const int64_t n = io.outputs[0]->numel();
    constexpr int64_t kPiece = 16384;  // floats per task: 64 KB stays in L2
#pragma omp parallel for schedule(static) if (n > 4 * kPiece)
    for (int64_t i = 0; i < n; i += kPiece) {
      const int64_t count = std::min(kPiece, n - i);
#pragma omp simd
      for (int64_t j = i; j < i + count; ++j) y[j] += r[j];
      if (epilogue_.active) epilogue_.apply(y + i, count);
    }
  }

 private:
  std::unique_ptr<Node> plain_node_;  // outlives inner_, which may keep pointers into it
  std::unique_ptr<Kernel> inner_;
  ops::Epilogue epilogue_;
  size_t conv_workspace_;
  TensorInfo output_;
  std::optional<ResidualAdd> add_;  // on a device
  std::unique_ptr<Kernel> add_kernel_;
};

}  // namespace

const char* backend_name(Backend backend) {
  switch (backend) {
    case Backend::Cpu:
      return "cpu";
    case Backend::Cuda:
      return "cuda";
    case Backend::Plugin:
      return "plugin";
  }
  return "?";
}

std::string backend_device(Backend backend) {
  if (backend != Backend::Cuda) return "host CPU";
  const cuda::Availability& gpu = cuda::availability();
  return gpu.module ? gpu.module->device_description() : gpu.reason;
}

namespace {
// 1e-4 as "1e-4", 1.5e-7 as "1.5e-7": the way the teaching texts write tolerances.
std::string short_number(double value) {
  if (value == 0) return "0";
  char text[32];
  std::snprintf(text, sizeof text, "%.6e", value);  // "1.500000e-07"
  std::string mantissa(text, std::strchr(text, 'e'));
  mantissa.erase(mantissa.find_last_not_of('0') + 1);
  if (mantissa.back() == '.') mantissa.pop_back();
  return mantissa + "e" + std::to_string(std::atoi(std::strchr(text, 'e') + 1));
}
}  // namespace

std::string tolerance_sentence(const Tolerance& tolerance) {
  if (tolerance.atol == 0 && tolerance.rtol == 0) return "Tolerance: exact (atol 0, rtol 0).";
  return "Tolerance: atol " + short_number(tolerance.atol) + ", rtol " +
         short_number(tolerance.rtol) + ".";
}

std::optional<std::string> Algorithm::why_not(const Layer& layer) const {
  if (auto reason = not_applicable ? not_applicable(layer) : std::nullopt) return reason;
  // Off the host, ResidualAfter adds a Conv's residual with an Add algorithm of this backend.
  if (ops::has_residual(layer) && !applies_residual && backend != Backend::Cpu &&
      ResidualAdd(layer).algorithms(backend).empty())
    return std::string(
               "this Conv carries a residual Add (fused at load), and no Add algorithm of "
               "the ") +
           backend_name(backend) + " backend applies to it";
  return std::nullopt;
}

size_t Algorithm::prepared(const Layer& layer) const {
  return prepared_bytes ? prepared_bytes(layer) : 0;
}

double layer_io_bytes(const Layer& layer) {
  double bytes = 0;
  for (size_t i = 0; i < layer.inputs.size(); ++i)
    if (layer.has_input(i)) bytes += double(layer.inputs[i].bytes());
  for (const TensorInfo& output : layer.outputs) bytes += double(output.bytes());
  return bytes;
}

double Algorithm::traffic_bytes(const Layer& layer) const {
  if (traffic) return traffic(layer);
  const size_t held = prepared(layer);
  double bytes = layer_io_bytes(layer) + 2.0 * double(workspace(layer)) + double(held);
  // The kept copy is read in place of the constant weights it was made from.
  if (held > 0 && layer.constants.size() > 1 && layer.constants[1])
    bytes -= double(layer.inputs[1].bytes());
  return bytes;
}

size_t Algorithm::workspace(const Layer& layer) const {
  const size_t own = workspace_bytes ? workspace_bytes(layer) : 0;
  // Off the host, ResidualAfter keeps the convolution's output in the workspace, after its own.
  if (ops::has_residual(layer) && !applies_residual && backend != Backend::Cpu)
    return aligned(own) + layer.inputs.at(ops::kResidualInput).bytes();
  return own;
}

int Algorithm::heuristic_rank(const Layer& layer) const {
  return heuristic_priority ? heuristic_priority(layer) : default_priority;
}

std::unique_ptr<Kernel> Algorithm::make_kernel(const Layer& layer) const {
  const Node& node = layer.n();
  try {
    if (ops::has_residual(layer) && !applies_residual)
      return std::make_unique<ResidualAfter>(*this, layer);
    std::unique_ptr<Kernel> kernel = prepare(layer);
    if (node.activation && !applies_activation)
      kernel = std::make_unique<ClampAfter>(std::move(kernel), ops::Epilogue::of(layer));
    return kernel;
  } catch (const Error& e) {
    throw Error("node '" + node.name + "' (" + node.op_type + ", " + name + "): " + e.what());
  }
}

const Algorithm* OpDefinition::find(const std::string& name) const {
  for (const Algorithm& a : algorithms)
    if (a.name == name) return &a;
  return nullptr;
}

Registry& Registry::instance() {
  static Registry* registry = [] {
    auto* r = new Registry;  // never destroyed: plugins and sessions may outlive static teardown
    ops::register_conv(*r);
    ops::register_conv_transpose(*r);
    ops::register_gemm(*r);
    ops::register_matmul(*r);
    ops::register_pool(*r);
    ops::register_normalization(*r);
    ops::register_softmax(*r);
    ops::register_reduce(*r);
    ops::register_unary(*r);
    ops::register_binary(*r);
    ops::register_shape(*r);
    ops::register_index(*r);
    ops::register_resize(*r);
    ops::register_einsum(*r);
    ops::register_recurrent(*r);
    ops::register_attention(*r);
    ops::register_squeeze_excite(*r);
    ops::register_gelu(*r);
    return r;
  }();
  return *registry;
}

namespace {

// Each registry's reader/writer lock, kept beside it so that Registry's layout (the plugin ABI)
// stays as it was. Entries are never removed: registries are few (the instance, tests' own).
std::shared_mutex& algorithms_mutex(const Registry* registry) {
  static std::mutex table_mutex;
  static auto* table = new std::map<const Registry*, std::unique_ptr<std::shared_mutex>>;
  std::lock_guard lock(table_mutex);
  auto& entry = (*table)[registry];
  if (!entry) entry = std::make_unique<std::shared_mutex>();
  return *entry;
}

// The registries this thread holds a read guard on (with repeats for nesting), and the one it
// holds the write guard on: what makes the guards reentrant without recursive locking.
thread_local std::vector<const Registry*> t_reading;
thread_local const Registry* t_writing = nullptr;

bool reading(const Registry* registry) {
  return std::find(t_reading.begin(), t_reading.end(), registry) != t_reading.end();
}

}  // namespace

RegistryReadGuard::RegistryReadGuard(const Registry& registry) : registry_(registry) {
  if (t_writing != &registry && !reading(&registry)) algorithms_mutex(&registry).lock_shared();
  t_reading.push_back(&registry);
}

RegistryReadGuard::~RegistryReadGuard() {
  t_reading.erase(std::find(t_reading.rbegin(), t_reading.rend(), &registry_).base() - 1);
  if (t_writing != &registry_ && !reading(&registry_)) algorithms_mutex(&registry_).unlock_shared();
}

RegistryWriteGuard::RegistryWriteGuard(const Registry& registry) : registry_(registry) {
  if (t_writing == &registry) return;  // nested: the outer guard holds the lock
  if (reading(&registry))
    throw Error("cannot add to the algorithm registry on a thread that is reading it");
  if (t_writing) throw Error("cannot add to two algorithm registries at once on one thread");
  algorithms_mutex(&registry).lock();
  t_writing = &registry;
  locked_ = true;
}

RegistryWriteGuard::~RegistryWriteGuard() {
  if (!locked_) return;
  t_writing = nullptr;
  algorithms_mutex(&registry_).unlock();
}

std::vector<const Algorithm*> algorithms_of(const Registry& registry, const std::string& op_type) {
  RegistryReadGuard guard(registry);
  std::vector<const Algorithm*> out;
  if (const OpDefinition* op = registry.find_op(op_type))
    for (const Algorithm& a : op->algorithms) out.push_back(&a);
  return out;
}

void Registry::add_op(OpDefinition op) {
  RegistryWriteGuard write(*this);
  std::lock_guard lock(mutex_);
  if (ops_.count(op.op_type)) throw Error("op type '" + op.op_type + "' is already registered");
  std::string key = op.op_type;
  ops_.emplace(std::move(key), std::make_unique<OpDefinition>(std::move(op)));
}

void Registry::add_algorithm(const std::string& op_type, Algorithm algorithm) {
  RegistryWriteGuard write(*this);
  std::lock_guard lock(mutex_);
  auto it = ops_.find(op_type);
  if (it == ops_.end())
    throw Error("cannot add algorithm '" + algorithm.name + "': op type '" + op_type +
                "' is not registered");
  if (algorithm.name.empty() || algorithm.name == kDefault)
    throw Error("cannot add an algorithm named '" + algorithm.name + "' to " + op_type);
  if (it->second->find(algorithm.name))
    throw Error("op " + op_type + " already has an algorithm named '" + algorithm.name + "'");
  if (!algorithm.prepare)
    throw Error("algorithm '" + algorithm.name + "' of " + op_type + " has no prepare function");
  if (!plugin_origin_.empty()) {
    algorithm.backend = Backend::Plugin;
    algorithm.origin = plugin_origin_;
  }
  it->second->algorithms.push_back(std::move(algorithm));
}

Registry::PluginScope::PluginScope(Registry& registry, std::string origin) : registry_(registry) {
  std::lock_guard lock(registry_.mutex_);
  registry_.plugin_origin_ = std::move(origin);
}

Registry::PluginScope::~PluginScope() {
  std::lock_guard lock(registry_.mutex_);
  registry_.plugin_origin_.clear();
}

const OpDefinition* Registry::find_op(const std::string& op_type) const {
  std::lock_guard lock(mutex_);
  auto it = ops_.find(op_type);
  return it == ops_.end() ? nullptr : it->second.get();
}

const Algorithm* Registry::find_algorithm(const std::string& op_type,
                                          const std::string& name) const {
  RegistryReadGuard guard(*this);
  const OpDefinition* op = find_op(op_type);
  return op ? op->find(name) : nullptr;
}

std::vector<std::string> Registry::op_types() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, op] : ops_) out.push_back(name);
  return out;
}

const Algorithm& Registry::default_algorithm(const Layer& layer) const {
  RegistryReadGuard guard(*this);
  const OpDefinition* op = find_op(layer.n().op_type);
  if (!op)
    throw Error("node '" + layer.n().name + "': op type " + layer.n().op_type +
                " is not supported");
  const Algorithm* best = nullptr;
  std::string reasons;
  for (const Algorithm& a : op->algorithms) {
    if (auto why = a.why_not(layer)) {
      reasons += "\n  " + a.name + ": " + *why;
      continue;
    }
    if (!best || a.default_priority > best->default_priority) best = &a;
  }
  if (!best)
    throw Error("node '" + layer.n().name + "' (" + layer.n().op_type +
                "): no algorithm can compute it:" + reasons);
  return *best;
}

Layer make_layer(const Model& model, const Node& node) {
  Layer layer;
  layer.node = &node;
  layer.opset = model.opset;
  for (const std::string& input : node.inputs) {
    const ValueInfo* v = input.empty() ? nullptr : model.find_value(input);
    layer.present.push_back(!input.empty());
    layer.inputs.push_back(v ? v->info : TensorInfo{});
    layer.constants.push_back(input.empty() ? nullptr : model.find_constant(input));
  }
  for (const std::string& output : node.outputs) {
    const ValueInfo* v = output.empty() ? nullptr : model.find_value(output);
    layer.outputs.push_back(v ? v->info : TensorInfo{});
  }
  return layer;
}

}  // namespace algoscope
