// A Session is a model compiled under a plan: every node has its algorithm's kernel prepared (with
// its pre-transformed weights), every value is placed in the memory space of the kernel that
// produces it (host, or a device), activations live in one arena per space whose buffers are
// reused by liveness, and run() executes the steps in order on the session's thread count: the
// kernels, and the transfers the session inserted where a value's readers run in another space. A
// per-node timing hook reports each kernel's time; when no hook is set the session does not read
// the clock. A layer observer sees every node's inputs and outputs right after it ran and may stop
// the run there: the measurement services (measure.h) check and time algorithms on exactly those
// values.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "algoscope/graph.h"
#include "algoscope/plan.h"
#include "algoscope/registry.h"

namespace algoscope {
namespace session {
struct Impl;
}

struct SessionOptions {
  int threads = 0;  // 0: all hardware threads
  // Let neighbouring kernels that share a native layout pass values in it (Kernel's layout
  // negotiation); off keeps every intermediate value in the plain layout.
  bool native_layouts = true;
  // A layer whose work (FLOPs plus the bytes it reads and writes) is below this runs on one
  // thread: waking the OpenMP team costs microseconds, and on shared vCPUs up to a scheduler
  // quantum when the partner thread is descheduled, more than a small layer takes (a squeeze-
  // excite block's 1xCx1x1 tensors). 0 never holds a layer back; -1 reads
  // ALGOSCOPE_ONE_THREAD_BELOW, else kOneThreadBelow. Measured end to end at 2 threads
  // (EfficientNet-B0, MobileNetV3-Small): thresholds up to 256 Ki cost nothing, 4 Mi costs 13%.
  int64_t one_thread_below = -1;
  static constexpr int64_t kOneThreadBelow = 256 * 1024;
};

// One compiled node: what runs and what it costs.
struct CompiledLayer {
  const Node* node = nullptr;
  const Algorithm* algorithm = nullptr;
  Layer layer;
  double flops = 0;
  size_t workspace_bytes = 0;
  MemorySpace* space = nullptr;  // where its kernel runs; nullptr: host
  std::string choice;            // Kernel::choice(): what cuDNN or cuBLASLt picked, or how it runs
  int threads = 1;               // the session's threads, or 1 for a layer below one_thread_below
  // The memory plan stores its inputs inside its output (Concat) or its output on its input
  // (Reshape): the kernel moves nothing (choice says "in place").
  bool in_place = false;
};

// A copy of a value between memory spaces that the session inserted: before the first reader in
// another space (per run), or once at compile time for a constant a device kernel reads.
struct ValueTransfer {
  std::string value;
  std::string from, to;  // space names: "host", "cuda:0", ...
  size_t bytes = 0;
  bool per_run = true;
  // "transfer x host->cuda:0": how reports and timings name the step.
  std::string step_name() const { return "transfer " + value + " " + from + "->" + to; }
};

// The session's memory along its execution order, from the memory plan (no run needed): at each
// step the activation blocks live in the arenas (from the step that writes a value to the last
// step that reads it, as the arena planner allocates them) and the running algorithm's
// workspace. The totals are what the session holds for as long as it lives.
struct MemoryStep {
  std::string name;            // the node, or the transfer's step_name()
  int layer = -1;              // index in Session::layers(); -1 for a transfer
  size_t live_bytes = 0;       // activation blocks live during the step, all arenas
  size_t workspace_bytes = 0;  // the running algorithm's (0 for a transfer)
  // The largest live block at this step: the value that owns it (the root value where values
  // share a buffer) and its arena bytes.
  std::string largest_value;
  size_t largest_value_bytes = 0;
  size_t in_use() const { return live_bytes + workspace_bytes; }
};

struct MemoryReport {
  std::vector<MemoryStep> steps;  // in execution order
  size_t peak_step = 0;           // the step with the largest in_use()
  size_t weights_bytes = 0;       // the model's constants (weights, folded values)
  size_t prepared_bytes = 0;      // what the kernels keep (Algorithm::prepared): transformed copies
  size_t device_copy_bytes = 0;   // constants copied once into device spaces
  size_t arena_bytes = 0;         // activation arenas as allocated (liveness reuse)
  size_t activation_bytes = 0;    // what the activations would take without reuse
  size_t workspace_bytes = 0;     // the shared workspaces as allocated (the largest per space)
  size_t input_output_bytes = 0;  // the graph's inputs and outputs (outside the arenas)
  const MemoryStep& peak() const { return steps.at(peak_step); }
  // Everything the compiled session holds: weights, prepared copies, device copies, arenas and
  // workspaces (the inputs and outputs belong to the caller).
  size_t held_bytes() const {
    return weights_bytes + prepared_bytes + device_copy_bytes + arena_bytes + workspace_bytes;
  }
};

class Session {
 public:
  // Compiles; throws Error naming every unsupported op (with its nodes), any node whose algorithm
  // is unknown or not applicable, or a plan that does not fit the model.
  Session(std::shared_ptr<const Model> model, const Plan& plan, SessionOptions options = {},
          const Registry& registry = Registry::instance());
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Inputs in graph input order, with exactly the model's types and shapes (Error otherwise,
  // naming the input). Returns the graph outputs in order, each owning its storage.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);

  // Called after each node (and after the timing hook) with its index in layers() and the tensors
  // its kernel read and wrote; they are valid only during the call (the arena reuses them). Return
  // false to stop: run() then returns no outputs. Every value must be in the plain layout for
  // that: a session compiled with native_layouts that negotiated any throws Error here.
  using LayerObserver = std::function<bool(size_t layer_index, const KernelIO& io)>;
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, const LayerObserver& observer);

  // Called after each node with its index in layers() and its kernel time in seconds: on the
  // device's clock for a kernel in a space that has one (CUDA events), else the host's.
  using TimingHook = std::function<void(size_t layer_index, double seconds)>;
  void set_timing_hook(TimingHook hook);
  // Called after each per-run transfer with its index in transfers() and its time in seconds.
  // With either hook set, device work is waited for before the clock is read, so each step's time
  // is its own.
  using TransferTimingHook = std::function<void(size_t transfer_index, double seconds)>;
  void set_transfer_timing_hook(TransferTimingHook hook);

  const Model& model() const;
  const std::vector<CompiledLayer>& layers() const;
  int threads() const;
  size_t arena_bytes() const;       // activation memory after liveness reuse
  size_t activation_bytes() const;  // what the activations would take without reuse
  size_t workspace_bytes() const;   // the largest layer workspace (shared by all layers)
  const MemoryReport& memory() const;
  // Intermediate values passed between kernels in a native layout (reorders skipped).
  size_t native_layout_values() const;
  bool in_native_layout(const std::string& value) const;  // one of those
  // Per-run transfers in execution order (the indices the transfer hook reports).
  const std::vector<ValueTransfer>& transfers() const;
  // Constants copied once to the device spaces of the kernels that read them.
  const std::vector<ValueTransfer>& compile_transfers() const;

 private:
  std::unique_ptr<session::Impl> impl_;
  std::vector<ValueTransfer> transfer_list_;
};

// Deterministic pseudo-random inputs for a model (floats uniform in [-1, 1), integers 0).
std::vector<Tensor> random_inputs(const Model& model, uint64_t seed = 42);

}  // namespace algoscope
