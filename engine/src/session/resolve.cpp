// The first two steps of compiling a Session: check that the model can run under the plan at all
// (every problem reported at once, so a user fixes them in one go), then resolve each node's
// algorithm and prepare its kernel, which makes any pre-transformed weights once; then hold the
// layers whose work is too small for a thread team to one thread.
#include <algorithm>
#include <cstdlib>
#include <map>

#include "algoscope/error.h"
#include "session/session_impl.h"

namespace algoscope::session {

void check_runnable(const Model& model, const Plan& plan, const Registry& registry) {
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
}

void prepare_kernels(Impl& s, const Plan& plan, const Registry& registry) {
  const Model& model = *s.model;
  for (const Node& node : model.nodes) {
    CompiledLayer compiled;
    compiled.node = &node;
    compiled.layer = make_layer(model, node);
    compiled.algorithm = &resolve_algorithm(plan, compiled.layer, registry);
    compiled.flops = registry.find_op(node.op_type)->flop_count(compiled.layer);
    compiled.workspace_bytes = compiled.algorithm->workspace(compiled.layer);
    s.kernels.push_back(compiled.algorithm->make_kernel(compiled.layer));
    compiled.space = s.kernels.back()->memory_space();
    compiled.choice = s.kernels.back()->choice();
    s.layers.push_back(std::move(compiled));
  }
}

void choose_layer_threads(Impl& s, int64_t one_thread_below) {
  if (one_thread_below < 0) {
    one_thread_below = SessionOptions::kOneThreadBelow;
    if (const char* env = std::getenv("ALGOSCOPE_ONE_THREAD_BELOW")) {
      char* end = nullptr;
      const long long value = std::strtoll(env, &end, 10);
      if (end == env || *end != '\0' || value < 0)
        throw Error(std::string("ALGOSCOPE_ONE_THREAD_BELOW must be a count of FLOPs plus bytes "
                                "(>= 0), not '") +
                    env + "'");
      one_thread_below = value;
    }
  }
  for (CompiledLayer& layer : s.layers) {
    double work = layer.flops;
    for (const TensorInfo& info : layer.layer.inputs) work += double(info.bytes());
    for (const TensorInfo& info : layer.layer.outputs) work += double(info.bytes());
    // Device kernels do not use the host's team; they keep the session's count.
    layer.threads = !layer.space && work < double(one_thread_below) ? 1 : s.threads;
  }
}

}  // namespace algoscope::session
