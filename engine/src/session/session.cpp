// Compiling a model under a plan, in named steps (session_impl.h lists them and their files), and
// running the result: the steps in order, kernels and transfers, with per-step timing hooks that
// cost nothing when unset.
#include "algoscope/session.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>

#include "algoscope/error.h"
#include "algoscope/registry_guard.h"
#include "algoscope/resource_limits.h"
#include "blas/sgemm.h"
#include "session/session_impl.h"

namespace algoscope {

using session::Slot;
using session::Step;

Session::Session(std::shared_ptr<const Model> model_ptr, const Plan& plan, SessionOptions options,
                 const Registry& registry)
    : impl_(std::make_unique<session::Impl>()) {
  if (!model_ptr) throw Error("cannot compile: no model");
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  session::Impl& s = *impl_;
  s.model = std::move(model_ptr);
  s.threads = options.threads > 0 ? options.threads : omp_get_num_procs();
  session::check_runnable(*s.model, plan, registry);
  session::check_value_sizes(*s.model);
  // Preparing transforms weights (FFT, Winograd) with OpenMP: on the session's threads too, not
  // on every core whatever the options said (run() sets the same).
  omp_set_num_threads(s.threads);
  session::prepare_kernels(s, plan, registry);
  session::choose_layer_threads(s, options.one_thread_below);
  if (options.native_layouts) session::negotiate_native_layouts(s);
  session::place_values(s);
  session::share_buffers(s);
  session::plan_memory(s);
  for (const auto& t : s.transfers) transfer_list_.push_back(t.info);
}

Session::~Session() = default;

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs) { return run(inputs, {}); }

namespace {

// Host copies of a device kernel's tensors, for an observer: it reads values, never device
// pointers.
struct HostView {
  std::vector<Tensor> tensors;
  KernelIO io;
  HostView(MemorySpace* space, const KernelIO& device) {
    tensors.reserve(device.inputs.size() + device.outputs.size());
    auto copy = [&](const Tensor* t) -> Tensor* {
      if (!t) return nullptr;
      Tensor& host = tensors.emplace_back(t->dtype(), t->shape());
      copy_between(nullptr, host.raw(), space, t->raw(), t->bytes());
      return &host;
    };
    for (const Tensor* t : device.inputs) io.inputs.push_back(copy(t));
    for (Tensor* t : device.outputs) io.outputs.push_back(copy(t));
  }
};

}  // namespace

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs, const LayerObserver& observer) {
  session::Impl& s = *impl_;
  const Model& model = *s.model;
  if (observer && !s.native_bytes.empty())
    throw Error("model '" + model.name + "': this session passes " +
                std::to_string(s.native_bytes.size()) +
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
    s.slots[s.graph_input_slots[i]] =
        Tensor::view(inputs[i].dtype(), inputs[i].shape(), const_cast<void*>(inputs[i].raw()));
  }
  for (size_t slot : s.fresh_output_slots)
    s.slots[slot] = Tensor(s.slot_info[slot].info.dtype, s.slot_info[slot].info.shape);

  int team = s.threads;  // the OpenMP and OpenBLAS thread count set now
  auto set_team = [&](int threads) {
    if (threads == team) return;
    team = threads;
    omp_set_num_threads(team);
    blas::openblas_set_threads(team);
  };
  omp_set_num_threads(team);
  blas::openblas_set_threads(team);
  // Spaces with work queued: waited for before a clock is read and before run() returns.
  std::set<MemorySpace*> busy;
  auto wait = [&] {
    for (MemorySpace* space : busy) space->synchronize();
    busy.clear();
  };
  const bool timed = s.hook || s.transfer_hook;
  // Device kernels are timed on their device's clock where the space has one; the timers are this
  // thread's, made once per space and run.
  std::map<MemorySpace*, std::unique_ptr<DeviceTimer>> timers;
  auto timer_of = [&](MemorySpace* space) -> DeviceTimer* {
    if (!s.hook || !space) return nullptr;
    auto [it, added] = timers.try_emplace(space);
    if (added) it->second = space->make_timer();
    return it->second.get();
  };
  bool stopped = false;
  for (size_t t = 0; t < s.steps.size() && !stopped; ++t) {
    const Step& step = s.steps[t];
    if (timed) wait();
    const auto start =
        timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    DeviceTimer* device_timer = nullptr;
    if (step.kind == Step::Kind::Kernel) {
      MemorySpace* space = s.layers[step.index].space;
      device_timer = timer_of(space);
      if (device_timer) device_timer->start();
      set_team(s.layers[step.index].threads);
      s.kernels[step.index]->run(s.io[step.index]);
      if (space) busy.insert(space);
    } else {
      const session::Transfer& transfer = s.transfers[step.index];
      MemorySpace* to = s.slot_info[transfer.to_slot].space;
      MemorySpace* from = s.slot_info[transfer.from_slot].space;
      copy_between(to, s.slots[transfer.to_slot].raw(), from, s.slots[transfer.from_slot].raw(),
                   transfer.info.bytes);
      if (to) busy.insert(to);
    }
    if (timed) {
      const double device_seconds = device_timer ? device_timer->stop_ms() * 1e-3 : -1.0;
      wait();
      const double seconds =
          device_timer
              ? device_seconds
              : std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (step.kind == Step::Kind::Kernel && s.hook) s.hook(step.index, seconds);
      if (step.kind == Step::Kind::Transfer && s.transfer_hook)
        s.transfer_hook(step.index, seconds);
    }
    if (observer && step.kind == Step::Kind::Kernel) {
      const size_t i = step.index;
      if (MemorySpace* space = s.layers[i].space) {
        HostView host(space, s.io[i]);
        stopped = !observer(i, host.io);
      } else {
        stopped = !observer(i, s.io[i]);
      }
    }
  }
  wait();
  set_team(s.threads);
  std::vector<Tensor> outputs;
  if (!stopped) {
    for (size_t slot : s.graph_output_slots) {
      // Outputs that are constants or inputs are copied so the caller owns every result.
      const bool fresh = s.slot_info[slot].kind == Slot::Kind::GraphOutput;
      outputs.push_back(fresh ? s.slots[slot] : s.slots[slot].clone());
    }
  }
  // Drop our references so the next run allocates fresh outputs and holds no caller memory.
  for (const auto* list : {&s.fresh_output_slots, &s.graph_input_slots})
    for (size_t slot : *list)
      s.slots[slot] =
          Tensor::view(s.slot_info[slot].info.dtype, s.slot_info[slot].info.shape, nullptr);
  return outputs;
}

void Session::set_timing_hook(TimingHook hook) { impl_->hook = std::move(hook); }
void Session::set_transfer_timing_hook(TransferTimingHook hook) {
  impl_->transfer_hook = std::move(hook);
}
const Model& Session::model() const { return *impl_->model; }
const std::vector<CompiledLayer>& Session::layers() const { return impl_->layers; }
int Session::threads() const { return impl_->threads; }
size_t Session::arena_bytes() const { return impl_->arena_bytes; }
size_t Session::activation_bytes() const { return impl_->activation_bytes; }
size_t Session::native_layout_values() const { return impl_->native_bytes.size(); }
bool Session::in_native_layout(const std::string& value) const {
  return impl_->native_bytes.count(value) > 0;
}
size_t Session::workspace_bytes() const { return impl_->workspace_bytes; }
const MemoryReport& Session::memory() const { return impl_->memory; }
const std::vector<ValueTransfer>& Session::transfers() const { return transfer_list_; }
const std::vector<ValueTransfer>& Session::compile_transfers() const {
  return impl_->compile_transfers;
}

std::vector<Tensor> random_inputs(const Model& model, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<Tensor> inputs;
  for (const auto& name : model.inputs) {
    const ValueInfo* v = model.find_value(name);
    if (!v || !v->known) throw Error("input '" + name + "' has no static shape");
    // The shape is the file's word: name the input if it is too large.
    check_tensor_allocation(v->info.dtype, v->info.shape,
                            "model '" + model.name + "': input '" + name + "'");
    Tensor t(v->info.dtype, v->info.shape);
    if (t.dtype() == DType::Float32)
      for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = uniform(rng);
    inputs.push_back(std::move(t));
  }
  return inputs;
}

}  // namespace algoscope
