// Compiling a model under a plan and running it. Compilation resolves each node's algorithm,
// prepares its kernel once, and plans activation memory: every intermediate value gets an offset
// in one arena, chosen by best fit among the blocks freed by values whose last reader has run, so
// the arena is far smaller than the sum of all activations. Graph outputs get fresh storage per
// run because the caller keeps them.
#include "algoscope/session.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include "algoscope/error.h"
#include "algoscope/loader.h"
#include "blas/sgemm.h"
#include "ops/common.h"

namespace algoscope {
namespace {

constexpr size_t kAlignment = 64;
size_t align_up(size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

// Best-fit offsets for values with lifetimes [first, last] in node order.
class ArenaPlanner {
 public:
  size_t allocate(size_t bytes) {
    bytes = align_up(std::max<size_t>(bytes, 1));
    auto best = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it)
      if (it->second >= bytes && (best == free_.end() || it->second < best->second)) best = it;
    if (best == free_.end()) {
      // Grow: reuse a free block at the very end if there is one.
      if (!free_.empty() && free_.back().first + free_.back().second == size_) {
        size_t offset = free_.back().first;
        free_.pop_back();
        size_ = offset + bytes;
        return offset;
      }
      size_t offset = size_;
      size_ += bytes;
      return offset;
    }
    size_t offset = best->first;
    if (best->second == bytes) {
      free_.erase(best);
    } else {
      best->first += bytes;
      best->second -= bytes;
    }
    return offset;
  }
  void release(size_t offset, size_t bytes) {
    bytes = align_up(std::max<size_t>(bytes, 1));
    auto it = std::lower_bound(free_.begin(), free_.end(), std::make_pair(offset, size_t{0}));
    it = free_.insert(it, {offset, bytes});
    // Merge with neighbours so large values can reuse several freed small ones.
    if (it + 1 != free_.end() && it->first + it->second == (it + 1)->first) {
      it->second += (it + 1)->second;
      free_.erase(it + 1);
    }
    if (it != free_.begin() && (it - 1)->first + (it - 1)->second == it->first) {
      (it - 1)->second += it->second;
      free_.erase(it);
    }
  }
  size_t size() const { return size_; }

 private:
  std::vector<std::pair<size_t, size_t>> free_;  // (offset, bytes), sorted by offset
  size_t size_ = 0;
};

struct AlignedBuffer {
  std::byte* data = nullptr;
  explicit AlignedBuffer(size_t bytes) {
    if (bytes == 0) return;
    data = static_cast<std::byte*>(std::aligned_alloc(kAlignment, align_up(bytes)));
    if (!data) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes");
  }
  ~AlignedBuffer() { std::free(data); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
};

}  // namespace

struct Session::Impl {
  std::shared_ptr<const Model> model;
  int threads = 1;
  std::vector<CompiledLayer> layers;
  std::vector<std::unique_ptr<Kernel>> kernels;
  std::vector<KernelIO> io;
  // One Tensor per value; KernelIO points at these, so run() only swaps what they view.
  std::vector<Tensor> slots;
  std::unordered_map<std::string, size_t> slot_of;
  std::vector<size_t> input_slots;                          // graph inputs, in order
  std::vector<std::pair<size_t, TensorInfo>> output_slots;  // graph outputs produced by nodes
  std::vector<int> output_source;                           // per graph output: slot index
  size_t arena_bytes = 0, activation_bytes = 0, workspace_bytes = 0;
  size_t native_values = 0;  // values passed in a native layout
  std::unique_ptr<AlignedBuffer> arena, workspace;
  TimingHook hook;
};

Session::Session(std::shared_ptr<const Model> model_ptr, const Plan& plan, SessionOptions options,
                 const Registry& registry)
    : impl_(std::make_unique<Impl>()) {
  if (!model_ptr) throw Error("cannot compile: no model");
  Impl& s = *impl_;
  s.model = std::move(model_ptr);
  const Model& model = *s.model;
  s.threads = options.threads > 0 ? options.threads : omp_get_num_procs();

  // Everything that cannot run, reported at once.
  std::string problems;
  // Unsupported by *this* registry (unsupported_ops() asks the global one; a session may be
  // compiled against another, e.g. one holding test or plugin ops).
  std::map<std::string, std::vector<std::string>> unsupported;
  for (const Node& n : model.nodes)
    if (!n.domain.empty() || !registry.find_op(n.op_type))
      unsupported[n.domain.empty() ? n.op_type : n.domain + "::" + n.op_type].push_back(n.name);
  for (const auto& [op, nodes] : unsupported) {
    problems += "\n  unsupported op " + op + " (" + std::to_string(nodes.size()) + " node" +
                (nodes.size() == 1 ? "" : "s") + "): ";
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (i == 5) {
        problems += ", ... " + std::to_string(nodes.size() - 5) + " more";
        break;
      }
      problems += (i ? ", " : "") + nodes[i];
    }
  }
  for (const Node& n : model.nodes)
    if (!n.problem.empty() && registry.find_op(n.op_type))
      problems += "\n  node '" + n.name + "' (" + n.op_type + "): " + n.problem;
  for (const auto& name : model.inputs) {
    const ValueInfo* v = model.find_value(name);
    if (!v || !v->known)
      problems += "\n  input '" + name + "' has no static tensor type the engine computes" +
                  (v && !v->onnx_type.empty() ? " (" + v->onnx_type + ")" : "");
  }
  if (!problems.empty()) throw Error("model '" + model.name + "' cannot run:" + problems);
  validate_plan(plan, model, registry);

  // Slots: graph inputs, constants, then every node output.
  auto slot = [&](const std::string& name) -> size_t {
    auto [it, inserted] = s.slot_of.emplace(name, s.slots.size());
    if (inserted) s.slots.emplace_back();
    return it->second;
  };
  for (const auto& name : model.inputs) s.input_slots.push_back(slot(name));
  for (const auto& [name, tensor] : model.constants)
    s.slots[slot(name)] = tensor;  // shares storage

  std::unordered_map<std::string, size_t> last_use;
  for (size_t i = 0; i < model.nodes.size(); ++i)
    for (const auto& in : model.nodes[i].inputs)
      if (!in.empty()) last_use[in] = i;
  std::unordered_map<std::string, bool> is_output;
  for (const auto& o : model.outputs) is_output[o] = true;

  auto value_name = [](const Node& node, size_t k) {
    // Unused optional outputs still need storage: kernels may write them.
    return node.outputs[k].empty() ? node.name + "/unused_output_" + std::to_string(k)
                                   : node.outputs[k];
  };
  for (size_t i = 0; i < model.nodes.size(); ++i) {
    const Node& node = model.nodes[i];
    CompiledLayer compiled;
    compiled.node = &node;
    compiled.layer = make_layer(model, node);
    compiled.algorithm = &resolve_algorithm(plan, compiled.layer, registry);
    compiled.flops = registry.find_op(node.op_type)->flop_count(compiled.layer);
    compiled.workspace_bytes = compiled.algorithm->workspace(compiled.layer);
    s.kernels.push_back(compiled.algorithm->make_kernel(compiled.layer));
    s.workspace_bytes = std::max(s.workspace_bytes, compiled.workspace_bytes);
    s.layers.push_back(std::move(compiled));
  }

  // Layout negotiation. Layout-agnostic kernels (Kernel::works_in_any_layout) join the values they
  // read and write into one group that must share a layout. A group is stored in a native layout
  // when every other kernel that produces or reads one of its values offers that same layout and
  // no value of it is a graph input, constant or output; those kernels then skip their reorders.
  // A lone value between two oneDNN convolutions is the simplest group; a ResNet's residual Adds
  // chain a whole stage's block outputs into one.
  std::unordered_map<std::string, size_t> native_bytes;
  if (options.native_layouts) {
    std::unordered_map<std::string, std::vector<std::pair<size_t, size_t>>> readers;
    std::unordered_map<std::string, std::pair<size_t, size_t>> producer;
    std::vector<bool> agnostic(model.nodes.size());
    std::unordered_map<std::string, size_t> id;
    std::vector<size_t> parent;
    std::vector<std::string> names;
    auto id_of = [&](const std::string& name) {
      auto [it, inserted] = id.emplace(name, names.size());
      if (inserted) {
        parent.push_back(names.size());
        names.push_back(name);
      }
      return it->second;
    };
    auto root = [&](size_t v) {
      while (parent[v] != v) v = parent[v] = parent[parent[v]];
      return v;
    };
    for (size_t i = 0; i < model.nodes.size(); ++i) {
      const Node& node = model.nodes[i];
      agnostic[i] = s.kernels[i]->works_in_any_layout();
      std::optional<size_t> first;
      auto link = [&](const std::string& name) {
        if (name.empty()) return;
        const size_t v = id_of(name);
        if (!agnostic[i]) return;
        if (first)
          parent[root(v)] = root(*first);
        else
          first = v;
      };
      for (size_t k = 0; k < node.inputs.size(); ++k) {
        if (!node.inputs[k].empty()) readers[node.inputs[k]].emplace_back(i, k);
        link(node.inputs[k]);
      }
      for (size_t k = 0; k < node.outputs.size(); ++k) {
        if (!node.outputs[k].empty()) producer[node.outputs[k]] = {i, k};
        link(node.outputs[k]);
      }
    }
    std::unordered_map<size_t, std::vector<size_t>> groups;
    for (size_t v = 0; v < names.size(); ++v) groups[root(v)].push_back(v);
    for (const auto& [group_root, members] : groups) {
      std::optional<std::string> key;
      size_t bytes = 0;
      bool agreed = true;
      auto agree = [&](const std::optional<NativeLayout>& layout) {
        if (!layout || (key && *key != layout->key)) {
          agreed = false;
          return;
        }
        key = layout->key;
        bytes = std::max(bytes, layout->bytes);
      };
      for (size_t v : members) {
        const std::string& name = names[v];
        auto made = producer.find(name);
        if (made == producer.end() || is_output.count(name) || readers[name].empty()) {
          // Graph inputs and constants are plain, outputs must be readable, and a value nothing
          // reads gains nothing from a native layout.
          agreed = false;
          break;
        }
        if (!agnostic[made->second.first])
          agree(s.kernels[made->second.first]->native_output_layout(made->second.second));
        for (const auto& [j, input] : readers[name])
          if (!agnostic[j]) agree(s.kernels[j]->native_input_layout(input));
        if (!agreed) break;
      }
      if (!agreed || !key) continue;
      std::set<size_t> agnostic_nodes;
      for (size_t v : members) {
        const std::string& name = names[v];
        const auto [i, k] = producer[name];
        if (agnostic[i])
          agnostic_nodes.insert(i);
        else
          s.kernels[i]->use_native_output(k);
        for (const auto& [j, input] : readers[name]) {
          if (agnostic[j])
            agnostic_nodes.insert(j);
          else
            s.kernels[j]->use_native_input(input);
        }
        native_bytes[name] = bytes;
      }
      for (size_t i : agnostic_nodes) s.kernels[i]->use_any_layout(bytes);
    }
  }
  s.native_values = native_bytes.size();

  // Arena planning in node order: outputs take a block, inputs read for the last time (and
  // outputs nobody reads) give theirs back after the node.
  ArenaPlanner planner;
  std::unordered_map<std::string, size_t> offset_of;   // live arena values
  std::unordered_map<std::string, size_t> bytes_of;    // their block sizes
  std::vector<std::pair<size_t, size_t>> arena_slots;  // (slot, offset)
  for (size_t i = 0; i < model.nodes.size(); ++i) {
    const Node& node = model.nodes[i];
    const CompiledLayer& compiled = s.layers[i];
    for (size_t k = 0; k < node.outputs.size(); ++k) {
      std::string name = value_name(node, k);
      size_t idx = slot(name);
      const TensorInfo& info = compiled.layer.outputs[k];
      s.activation_bytes += info.bytes();
      s.slots[idx] = Tensor::view(info.dtype, info.shape, nullptr);
      if (is_output.count(name)) {
        s.output_slots.emplace_back(idx, info);
      } else {
        auto native = native_bytes.find(name);
        bytes_of[name] = std::max(info.bytes(), native == native_bytes.end() ? 0 : native->second);
        offset_of[name] = planner.allocate(bytes_of[name]);
        arena_slots.emplace_back(idx, offset_of[name]);
      }
    }
    auto release = [&](const std::string& name) {
      auto it = offset_of.find(name);
      if (it == offset_of.end()) return;  // not in the arena, or already released (Mul(x, x))
      planner.release(it->second, bytes_of[name]);
      offset_of.erase(it);
    };
    for (size_t k = 0; k < node.outputs.size(); ++k)
      if (!last_use.count(value_name(node, k))) release(value_name(node, k));
    for (const auto& in : node.inputs)
      if (!in.empty() && last_use[in] == i) release(in);
  }
  s.arena_bytes = planner.size();
  s.arena = std::make_unique<AlignedBuffer>(s.arena_bytes);
  s.workspace = std::make_unique<AlignedBuffer>(s.workspace_bytes);
  for (const auto& [idx, offset] : arena_slots) {
    Tensor& t = s.slots[idx];
    t = Tensor::view(t.dtype(), t.shape(), s.arena->data + offset);
  }
  for (size_t i = 0; i < model.nodes.size(); ++i) {
    const Node& node = model.nodes[i];
    KernelIO io;
    for (const auto& in : node.inputs)
      io.inputs.push_back(in.empty() ? nullptr : &s.slots[s.slot_of.at(in)]);
    for (size_t k = 0; k < node.outputs.size(); ++k)
      io.outputs.push_back(&s.slots[s.slot_of.at(value_name(node, k))]);
    io.workspace = s.workspace->data;
    s.io.push_back(std::move(io));
  }
  for (const auto& name : model.outputs) {
    auto it = s.slot_of.find(name);
    if (it == s.slot_of.end())
      throw Error("model '" + model.name + "': graph output '" + name + "' is never computed");
    s.output_source.push_back(static_cast<int>(it->second));
  }
}

Session::~Session() = default;

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs) { return run(inputs, {}); }

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs, const LayerObserver& observer) {
  Impl& s = *impl_;
  const Model& model = *s.model;
  if (observer && s.native_values)
    throw Error("model '" + model.name + "': this session passes " +
                std::to_string(s.native_values) +
                " value(s) between kernels in their native layouts, which an observer cannot "
                "read; compile it with SessionOptions::native_layouts = false to observe it");
  if (inputs.size() != model.inputs.size())
    throw Error("model '" + model.name + "' takes " + std::to_string(model.inputs.size()) +
                " input(s), got " + std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ValueInfo& v = *model.find_value(model.inputs[i]);
    if (inputs[i].dtype() != v.info.dtype || inputs[i].shape() != v.info.shape)
      throw Error("input '" + v.name + "' must be " + dtype_name(v.info.dtype) + " of shape " +
                  shape_to_string(v.info.shape) + ", got " + dtype_name(inputs[i].dtype()) +
                  " of shape " + shape_to_string(inputs[i].shape()));
    // Kernels only read inputs; the view avoids a copy of the caller's data.
    s.slots[s.input_slots[i]] =
        Tensor::view(inputs[i].dtype(), inputs[i].shape(), const_cast<void*>(inputs[i].raw()));
  }
  for (const auto& [idx, info] : s.output_slots) s.slots[idx] = Tensor(info.dtype, info.shape);

  omp_set_num_threads(s.threads);
  blas::openblas_set_threads(s.threads);
  bool stopped = false;
  for (size_t i = 0; i < s.kernels.size() && !stopped; ++i) {
    if (s.hook) {
      auto start = std::chrono::steady_clock::now();
      s.kernels[i]->run(s.io[i]);
      auto stop = std::chrono::steady_clock::now();
      s.hook(i, std::chrono::duration<double>(stop - start).count());
    } else {
      s.kernels[i]->run(s.io[i]);
    }
    if (observer && !observer(i, s.io[i])) stopped = true;
  }
  std::vector<Tensor> outputs;
  if (!stopped) {
    for (int idx : s.output_source) {
      const Tensor& t = s.slots[static_cast<size_t>(idx)];
      bool produced = std::any_of(s.output_slots.begin(), s.output_slots.end(), [&](const auto& o) {
        return o.first == static_cast<size_t>(idx);
      });
      // Outputs that are constants or inputs are copied so the caller owns every result.
      outputs.push_back(produced ? t : t.clone());
    }
  }
  // Drop our references so the next run allocates fresh outputs and holds no caller memory.
  for (const auto& [idx, info] : s.output_slots)
    s.slots[idx] = Tensor::view(info.dtype, info.shape, nullptr);
  for (size_t idx : s.input_slots)
    s.slots[idx] = Tensor::view(s.slots[idx].dtype(), s.slots[idx].shape(), nullptr);
  return outputs;
}

void Session::set_timing_hook(TimingHook hook) { impl_->hook = std::move(hook); }
const Model& Session::model() const { return *impl_->model; }
const std::vector<CompiledLayer>& Session::layers() const { return impl_->layers; }
int Session::threads() const { return impl_->threads; }
size_t Session::arena_bytes() const { return impl_->arena_bytes; }
size_t Session::activation_bytes() const { return impl_->activation_bytes; }
size_t Session::native_layout_values() const { return impl_->native_values; }
size_t Session::workspace_bytes() const { return impl_->workspace_bytes; }

std::vector<Tensor> random_inputs(const Model& model, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<Tensor> inputs;
  for (const auto& name : model.inputs) {
    const ValueInfo* v = model.find_value(name);
    if (!v || !v->known) throw Error("input '" + name + "' has no static shape");
    Tensor t(v->info.dtype, v->info.shape);
    if (t.dtype() == DType::Float32)
      for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = uniform(rng);
    inputs.push_back(std::move(t));
  }
  return inputs;
}

}  // namespace algoscope
