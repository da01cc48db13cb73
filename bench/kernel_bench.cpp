// Times every registered algorithm of Conv, Gemm and Attention on the shapes the algorithm library
// is judged by (the ai3 paper's C->C 3x3 layers at batch 10, ResNet-50's 1x1 and 3x3 layers,
// MobileNetV2's depthwise 3x3, EfficientNet's 5x5 and ConvNeXt's 7x7 depthwise layers, 1024^3 and
// ResNet-50's FC; batch-1 transformer linear layers as the loader fuses them, MatMul+Add
// (ViT-B/16's QKV, projection and MLP, DeiT-Tiny's, a BERT-like MLP with its Relu); attention over
// 12 heads of depth 64 at 197, 1024 and 4096 tokens), oneDNN's provider algorithms in the same
// binary; and the normalizations (ViT-B/16's LayerNorm rows, an InstanceNorm and a GroupNorm layer)
// with their `reference` beside `direct`, since there is no provider to compare with; and the
// elementwise ops over EfficientNet's 1x32x112x112, whose GB/s the summary sets against the
// machine's copy bandwidth (memcpy of the same tensor, read and written, in the same run); and an
// LSTM layer (seq 50, input 256, hidden 512, batch 1 and 16) with `reference` beside `fused`; data
// movement (Transpose, Concat) with `reference` beside `direct`. ConvTranspose's algorithms run on
// a DCGAN and a U-Net decoder's stride-2 upsampling layers. Each benchmark prepares the kernel once
// (weights transformed outside the timed loop) and times run() only. After the Google Benchmark
// output a summary table gives, per shape, each algorithm's median time, GFLOP/s (the registry's
// nominal FLOPs / time), time / oneDNN's best and the workspace the algorithm asks for on that
// layer.
//
//   kernel_bench --benchmark_repetitions=5 --benchmark_filter=paper   (filters match the labels)
//   kernel_bench --threads=1
//   kernel_bench --isa=avx2   the AVX2 kernels on an AVX-512 machine (cpu_features.h's cap; set
//                             OPENBLAS_CORETYPE=Haswell and DNNL_MAX_CPU_ISA=AVX2 as well so the
//                             libraries run their AVX2 kernels too)
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "algoscope/algoscope.h"
#include "cpu_features.h"

using namespace algoscope;

namespace {

// A node with its inputs, built without a model file (the layer facts algorithms look at).
struct LayerCase {
  std::string label;  // shape group and name, e.g. "paper/256@28"
  Node node;
  std::vector<Tensor> inputs;
  std::vector<bool> constant;
  int64_t opset = 13;
  bool time_reference = false;  // also time `reference` (ops without a provider to compare with)

  Layer layer() const {
    Layer l;
    l.node = &node;
    l.opset = opset;
    for (size_t i = 0; i < inputs.size(); ++i) {
      l.inputs.push_back(inputs[i].info());
      l.present.push_back(true);
      l.constants.push_back(constant[i] ? &inputs[i] : nullptr);
    }
    l.outputs = Registry::instance().find_op(node.op_type)->infer(l);
    return l;
  }
};

// A case of one `op_type` node, named after the label, reading `inputs` into y.
LayerCase node_case(std::string label, const char* op_type, std::vector<std::string> inputs) {
  LayerCase lc;
  lc.label = std::move(label);
  lc.node.name = lc.label;
  lc.node.op_type = op_type;
  lc.node.inputs = std::move(inputs);
  lc.node.outputs = {"y"};
  return lc;
}

LayerCase conv(std::string label, int64_t n, int64_t c, int64_t hw, int64_t oc, int64_t k,
               int64_t stride, int64_t group = 1) {
  LayerCase lc = node_case(std::move(label), "Conv", {"x", "w", "b"});
  lc.node.attributes["group"] = Attribute{group};
  lc.node.attributes["strides"] = Attribute{std::vector<int64_t>{stride, stride}};
  const int64_t p = k / 2;
  lc.node.attributes["pads"] = Attribute{std::vector<int64_t>{p, p, p, p}};
  lc.inputs = {random_tensor({n, c, hw, hw}, 1), random_tensor({oc, c / group, k, k}, 2),
               random_tensor({oc}, 3)};
  lc.constant = {false, true, true};
  return lc;
}

// ConvTranspose X [n, c, hw, hw], W [c, m, k, k], stride s, pads p on every side.
LayerCase conv_transpose(std::string label, int64_t n, int64_t c, int64_t hw, int64_t m, int64_t k,
                         int64_t stride, int64_t p) {
  LayerCase lc = node_case(std::move(label), "ConvTranspose", {"x", "w", "b"});
  lc.node.attributes["strides"] = Attribute{std::vector<int64_t>{stride, stride}};
  lc.node.attributes["pads"] = Attribute{std::vector<int64_t>{p, p, p, p}};
  lc.inputs = {random_tensor({n, c, hw, hw}, 1), random_tensor({c, m, k, k}, 2),
               random_tensor({m}, 3)};
  lc.constant = {false, true, true};
  return lc;
}

LayerCase gemm(std::string label, int64_t m, int64_t n, int64_t k) {
  LayerCase lc = node_case(std::move(label), "Gemm", {"a", "b"});
  lc.inputs = {random_tensor({m, k}, 4), random_tensor({k, n}, 5)};
  lc.constant = {false, true};
  return lc;
}

// A transformer's nn.Linear on [1, M, K] as the loader fuses it: MatMul(x, W [K, N]) with the bias
// as its third input (MatMul+Add), and `relu` fused after it when asked; without `bias`, the plain
// MatMul of the same shape, which shows what the epilogue costs.
LayerCase linear(int64_t m, int64_t k, int64_t n, bool relu = false, bool bias = true) {
  LayerCase lc = node_case("transformer/" + std::to_string(m) + "x" + std::to_string(k) + "x" +
                               std::to_string(n) + (relu ? "+relu" : "") + (bias ? "" : "_nobias"),
                           "MatMul", {"x", "w", "b"});
  if (relu) lc.node.activation = Node::Activation{"Relu", 0.0f, INFINITY};
  lc.node.attributes["algoscope_fused"] = Attribute{int64_t(1)};
  lc.inputs = {random_tensor({1, m, k}, 4), random_tensor({k, n}, 5), random_tensor({n}, 6)};
  lc.constant = {false, true, true};
  if (!bias) {
    lc.node.inputs.pop_back();
    lc.inputs.pop_back();
    lc.constant.pop_back();
  }
  return lc;
}

// Attention as the loader's pass makes it: Q [heads, tokens, 64], K^T [heads, 64, tokens], V.
LayerCase attention(std::string label, int64_t heads, int64_t tokens, int64_t depth) {
  LayerCase lc = node_case(std::move(label), "Attention", {"q", "kt", "v"});
  lc.node.attributes["scale"] = Attribute{1.0f / std::sqrt(float(depth))};
  lc.node.attributes["algoscope_fused"] = Attribute{int64_t(1)};
  lc.inputs = {random_tensor({heads, tokens, depth}, 6), random_tensor({heads, depth, tokens}, 7),
               random_tensor({heads, tokens, depth}, 8)};
  lc.constant = {false, false, false};
  return lc;
}

// LayerNormalization (opset 17) over the last axis, InstanceNormalization or GroupNormalization
// (opset 21, per-channel parameters) with `groups` groups of X [n, c, hw, hw].
LayerCase normalization(std::string label, const std::string& op, Shape x, int64_t groups = 0) {
  LayerCase lc = node_case(std::move(label), op.c_str(), {"x", "scale", "b"});
  const int64_t params = x.back();
  const int64_t channels = x.size() > 1 ? x[1] : params;
  if (groups) lc.node.attributes["num_groups"] = Attribute{groups};
  const int64_t p = op == "LayerNormalization" ? params : channels;
  lc.inputs = {random_tensor(x, 9), random_tensor({p}, 10), random_tensor({p}, 11)};
  lc.constant = {false, true, true};
  lc.opset = op == "LayerNormalization" ? 17 : op == "GroupNormalization" ? 21 : 6;
  lc.time_reference = true;
  return lc;
}

// One elementwise op over x (EfficientNet's 1x32x112x112 in the summary): memory-bound, so the
// summary sets its GB/s beside the machine's copy bandwidth measured in the same run.
constexpr const char* kElementwiseGroup = "elementwise/";
LayerCase elementwise(const char* op, const Shape& x) {
  LayerCase lc = node_case(std::string(kElementwiseGroup) + op, op, {"x"});
  lc.inputs = {random_tensor(x, 12, -4.0f, 4.0f)};
  lc.constant = {false};
  lc.time_reference = true;
  return lc;
}
const Shape kElementwiseShape = {1, 32, 112, 112};

// A forward LSTM (opset 14) over X [seq, batch, input] with all three outputs, weights and bias
// constants at torch's initial scale 1 / sqrt(hidden); `reference` timed beside `fused`.
LayerCase lstm(std::string label, int64_t seq, int64_t batch, int64_t input, int64_t hidden) {
  LayerCase lc = node_case(std::move(label), "LSTM", {"x", "w", "r", "b"});
  lc.node.outputs = {"y", "y_h", "y_c"};
  lc.node.attributes["hidden_size"] = Attribute{hidden};
  const float k = 1.0f / std::sqrt(float(hidden));
  lc.inputs = {
      random_tensor({seq, batch, input}, 14), random_tensor({1, 4 * hidden, input}, 15, -k, k),
      random_tensor({1, 4 * hidden, hidden}, 16, -k, k), random_tensor({1, 8 * hidden}, 17, -k, k)};
  lc.constant = {false, true, true, true};
  lc.opset = 14;
  lc.time_reference = true;
  return lc;
}

// Data movement with `reference` beside `direct`: a ViT head split (Transpose 0,2,1,3 of
// 1x197x12x64: rows stay rows), NCHW -> NHWC of 1x64x56x56 (the tiled transpose) and a batch-1
// channel Concat of three inputs (timed alone it copies; in a session it may be in place).
LayerCase movement_transpose(std::string label, const Shape& x, std::vector<int64_t> perm) {
  LayerCase lc = node_case(std::move(label), "Transpose", {"x"});
  lc.node.attributes["perm"] = Attribute{std::move(perm)};
  lc.inputs = {random_tensor(x, 18)};
  lc.constant = {false};
  lc.time_reference = true;
  return lc;
}
LayerCase movement_concat(std::string label, const std::vector<Shape>& parts, int64_t axis) {
  std::vector<std::string> names;
  for (size_t k = 0; k < parts.size(); ++k) names.push_back("x" + std::to_string(k));
  LayerCase lc = node_case(std::move(label), "Concat", names);
  lc.node.attributes["axis"] = Attribute{axis};
  for (size_t k = 0; k < parts.size(); ++k) {
    lc.inputs.push_back(random_tensor(parts[k], static_cast<uint32_t>(19 + k)));
    lc.constant.push_back(false);
  }
  lc.time_reference = true;
  return lc;
}

std::vector<LayerCase> cases() {
  std::vector<LayerCase> all;
  // The seed paper's C -> C 3x3 pad 1 layers at batch 10.
  for (auto [c, hw] : {std::pair{3, 224}, {64, 112}, {256, 28}, {512, 14}})
    all.push_back(
        conv("paper/" + std::to_string(c) + "@" + std::to_string(hw), 10, c, hw, c, 3, 1));
  // ResNet-50 (batch 1): its 3x3 and 1x1 layers.
  for (auto [c, hw] : {std::pair{64, 56}, {128, 28}, {256, 14}, {512, 7}})
    all.push_back(
        conv("resnet50_3x3/" + std::to_string(c) + "@" + std::to_string(hw), 1, c, hw, c, 3, 1));
  all.push_back(conv("resnet50_1x1/64-256@56", 1, 64, 56, 256, 1, 1));
  all.push_back(conv("resnet50_1x1/256-64@56", 1, 256, 56, 64, 1, 1));
  all.push_back(conv("resnet50_1x1/512-128@28", 1, 512, 28, 128, 1, 1));
  all.push_back(conv("resnet50_1x1/1024-256@14", 1, 1024, 14, 256, 1, 1));
  all.push_back(conv("resnet50_1x1/2048-512@7", 1, 2048, 7, 512, 1, 1));
  all.push_back(conv("resnet50_stem/3-64@224_7x7s2", 1, 3, 224, 64, 7, 2));
  // ConvNeXt-T's depthwise 7x7 pad 3 layers and EfficientNet-B0's depthwise 5x5 pad 2 ones
  // (batch 1).
  for (auto [c, hw] : {std::pair{96, 56}, {192, 28}, {384, 14}, {768, 7}})
    all.push_back(conv("convnext_dw7/" + std::to_string(c) + "@" + std::to_string(hw) + "s1", 1, c,
                       hw, c, 7, 1, c));
  for (auto [c, hw, s] : {std::tuple{240, 28, 1}, {144, 56, 2}, {672, 14, 1}, {1152, 7, 1}})
    all.push_back(conv("efficientnet_dw5/" + std::to_string(c) + "@" + std::to_string(hw) + "s" +
                           std::to_string(s),
                       1, c, hw, c, 5, s, c));
  // MobileNetV2's depthwise 3x3 layers (batch 1).
  for (auto [c, hw, s] : {std::tuple{32, 112, 1},
                          {96, 112, 2},
                          {144, 56, 1},
                          {192, 28, 1},
                          {384, 14, 1},
                          {576, 14, 2},
                          {960, 7, 1}})
    all.push_back(conv(
        "mobilenetv2_dw/" + std::to_string(c) + "@" + std::to_string(hw) + "s" + std::to_string(s),
        1, c, hw, c, 3, s, c));
  // ConvTranspose: a DCGAN generator layer (4x4 stride 2, 256 -> 128 channels, 16x16 -> 32x32), a
  // U-Net decoder's 2x2 stride-2 upsampling, and a stride-1 3x3 one.
  all.push_back(conv_transpose("convtranspose/dcgan_256-128@16_4x4s2", 1, 256, 16, 128, 4, 2, 1));
  all.push_back(conv_transpose("convtranspose/unet_128-64@32_2x2s2", 1, 128, 32, 64, 2, 2, 0));
  all.push_back(conv_transpose("convtranspose/64-64@56_3x3s1", 1, 64, 56, 64, 3, 1, 1));
  all.push_back(gemm("gemm/1024^3", 1024, 1024, 1024));
  all.push_back(gemm("gemm/resnet50_fc_b1", 1, 1000, 2048));
  all.push_back(gemm("gemm/resnet50_fc_b32", 32, 1000, 2048));
  // M x K x N: ViT-B/16 at 197 tokens (QKV, out projection, MLP down and up), DeiT-Tiny's QKV
  // (50 tokens at 192), a BERT-like encoder's MLP (128 tokens, 512 -> 2048, with Relu).
  for (auto [m, k, n] : {std::tuple{197, 768, 2304},
                         {197, 768, 768},
                         {197, 3072, 768},
                         {197, 768, 3072},
                         {50, 192, 768},
                         {64, 256, 256}})
    all.push_back(linear(m, k, n));
  all.push_back(linear(128, 512, 2048, true));
  all.push_back(linear(197, 768, 768, false, false));
  for (int64_t tokens : {197, 1024, 4096})
    all.push_back(attention("attention/12x" + std::to_string(tokens) + "x64", 12, tokens, 64));
  all.push_back(normalization("norm/layernorm_vit_197x768", "LayerNormalization", {1, 197, 768}));
  all.push_back(normalization("norm/layernorm_197x4096", "LayerNormalization", {1, 197, 4096}));
  all.push_back(normalization("norm/instancenorm_64@56", "InstanceNormalization", {1, 64, 56, 56}));
  all.push_back(
      normalization("norm/groupnorm_32g_256@28", "GroupNormalization", {1, 256, 28, 28}, 32));
  for (const char* op : {"Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Erf",
                         "Exp", "Softmax"})
    all.push_back(elementwise(op, kElementwiseShape));
  all.push_back(movement_transpose("movement/transpose_vit_1x197x12x64_0213", {1, 197, 12, 64},
                                   {0, 2, 1, 3}));
  all.push_back(
      movement_transpose("movement/transpose_nchw_nhwc_1x64x56x56", {1, 64, 56, 56}, {0, 2, 3, 1}));
  all.push_back(movement_concat("movement/concat_1x(64,64,128)x28x28",
                                {{1, 64, 28, 28}, {1, 64, 28, 28}, {1, 128, 28, 28}}, 1));
  // A ViT-B MLP's hidden activation, the Gelu node the loader makes of the Erf form.
  LayerCase gelu = node_case("gelu/vit_mlp_197x3072", "Gelu", {"x"});
  gelu.inputs = {random_tensor({1, 197, 3072}, 13, -4.0f, 4.0f)};
  gelu.constant = {false};
  gelu.time_reference = true;
  all.push_back(std::move(gelu));
  all.push_back(lstm("lstm/seq50_b1_in256_h512", 50, 1, 256, 512));
  all.push_back(lstm("lstm/seq50_b16_in256_h512", 50, 16, 256, 512));
  return all;
}

struct Result {
  double seconds = 0;
  double gflops = 0;
  double gbps = 0;  // bytes read and written (non-constant inputs and outputs) per second
  double workspace_mb = 0;
};
std::map<std::string, std::map<std::string, Result>> results;  // label -> algorithm -> median

// Keeps each benchmark's median (or its only run) for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      bool aggregate = r.run_type == Run::RT_Aggregate;
      if (aggregate && r.aggregate_name != "median") continue;
      std::string name = r.run_name.function_name;  // "<label>/<algorithm>"
      auto slash = name.rfind('/');
      Result& res = results[name.substr(0, slash)][name.substr(slash + 1)];
      if (!aggregate && res.seconds != 0) continue;  // repetitions: the median comes later
      res.seconds = r.GetAdjustedRealTime() / 1e3;   // reported in ms
      auto it = r.counters.find("GFLOP/s");
      res.gflops = it != r.counters.end() ? double(it->second) : 0;
      it = r.counters.find("GB/s");
      res.gbps = it != r.counters.end() ? double(it->second) : 0;
      it = r.counters.find("workspace_MB");
      res.workspace_mb = it != r.counters.end() ? double(it->second) : 0;
    }
  }
};

// The copy bandwidth of this run: memcpy of the elementwise tensor (read once, written once).
constexpr const char* kCopyLabel = "elementwise/copy";

void print_summary() {
  std::printf("\n%-34s %-16s %10s %9s %9s %12s %8s %7s\n", "shape", "algorithm", "median ms",
              "GFLOP/s", "/ oneDNN", "workspace MB", "GB/s", "/ copy");
  double copy_gbps = 0;
  if (auto copy = results.find(kCopyLabel); copy != results.end())
    copy_gbps = copy->second.begin()->second.gbps;
  for (auto& [label, algos] : results) {
    double best_onednn = 0;
    for (auto& [name, r] : algos)
      if (name.rfind("onednn", 0) == 0 && (best_onednn == 0 || r.seconds < best_onednn))
        best_onednn = r.seconds;
    std::vector<std::pair<std::string, Result>> sorted(algos.begin(), algos.end());
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.second.seconds < b.second.seconds; });
    for (auto& [name, r] : sorted) {
      char ratio[16] = "-";
      if (best_onednn > 0) std::snprintf(ratio, sizeof ratio, "%.2f", r.seconds / best_onednn);
      char of_copy[16] = "-";
      if (copy_gbps > 0 && label.rfind(kElementwiseGroup, 0) == 0)
        std::snprintf(of_copy, sizeof of_copy, "%.2f", r.gbps / copy_gbps);
      std::printf("%-34s %-16s %10.3f %9.1f %9s %12.3f %8.1f %7s\n", label.c_str(), name.c_str(),
                  r.seconds * 1e3, r.gflops, ratio, r.workspace_mb, r.gbps, of_copy);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      threads = std::max(1, std::atoi(argv[i] + 10));
    } else if (std::strncmp(argv[i], "--isa=", 6) == 0) {
      const std::string wanted = argv[i] + 6;
      bool known = false;
      for (cpu::IsaLevel level :
           {cpu::IsaLevel::Portable, cpu::IsaLevel::Avx2, cpu::IsaLevel::Avx512})
        if (wanted == cpu::level_name(level)) cpu::cap_level(level), known = true;
      if (!known) {
        std::fprintf(stderr, "kernel_bench: --isa takes portable, avx2 or avx512, not '%s'\n",
                     wanted.c_str());
        return 2;
      }
    } else
      args.push_back(argv[i]);
  }
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  omp_set_num_threads(threads);
  std::printf("algoscope %s, %d thread(s), kernels: %s, OpenBLAS kernels: %s\n", version(), threads,
              cpu::level_name(cpu::active_level()), openblas_core().c_str());

  static std::vector<LayerCase> all = cases();
  for (LayerCase& lc : all) {
    const OpDefinition* op = Registry::instance().find_op(lc.node.op_type);
    const Layer layer = lc.layer();
    for (const Algorithm& algorithm : op->algorithms) {
      if ((algorithm.name == kReference && !lc.time_reference) || algorithm.why_not(layer))
        continue;
      const double flops = op->flop_count(layer);
      benchmark::RegisterBenchmark(
          (lc.label + "/" + algorithm.name).c_str(),
          [&lc, &algorithm, flops](benchmark::State& state) {
            const Layer l = lc.layer();
            std::unique_ptr<Kernel> kernel = algorithm.prepare(l);  // outside the timed loop
            // A GPU kernel gets its inputs, outputs and workspace in device memory, and each
            // timed call is waited for, so the time is the kernel's, not its launch's.
            MemorySpace* space = kernel->memory_space();
            std::vector<Tensor> inputs, outputs;
            std::vector<SpaceBuffer> buffers;
            auto place = [&](const TensorInfo& info) {
              buffers.emplace_back(space, info.bytes());
              return Tensor::view(info.dtype, info.shape, buffers.back().data());
            };
            buffers.reserve(lc.inputs.size() + l.outputs.size() + 1);
            for (const Tensor& t : lc.inputs) {
              inputs.push_back(space ? place(t.info()) : t);
              if (space) copy_between(space, inputs.back().raw(), nullptr, t.raw(), t.bytes());
            }
            for (const auto& info : l.outputs)
              outputs.push_back(space ? place(info) : Tensor(info.dtype, info.shape));
            const size_t workspace_bytes = algorithm.workspace(l);
            SpaceBuffer workspace(space, workspace_bytes);
            KernelIO io;
            for (const Tensor& t : inputs) io.inputs.push_back(&t);
            for (Tensor& t : outputs) io.outputs.push_back(&t);
            io.workspace = workspace.data();
            kernel->run(io);  // warm-up: page faults, lazy initialization
            if (space) space->synchronize();
            for (auto _ : state) {
              kernel->run(io);
              if (space) space->synchronize();
            }
            state.counters["GFLOP/s"] =
                benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
            state.counters["workspace_MB"] = double(workspace_bytes) / 1e6;
            double moved = 0;
            for (size_t i = 0; i < lc.inputs.size(); ++i)
              if (!lc.constant[i]) moved += double(lc.inputs[i].bytes());
            for (const Tensor& t : outputs) moved += double(t.bytes());
            state.counters["GB/s"] =
                benchmark::Counter(moved * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
          })
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond)
          ->MinTime(0.2);
    }
  }
  benchmark::RegisterBenchmark(
      (std::string(kCopyLabel) + "/memcpy").c_str(),
      [](benchmark::State& state) {
        const Tensor from = random_tensor(kElementwiseShape, 13);
        Tensor to(from.dtype(), from.shape());
        std::memcpy(to.raw(), from.raw(), from.bytes());  // first touch outside the timed loop
        for (auto _ : state) {
          std::memcpy(to.raw(), from.raw(), from.bytes());
          benchmark::ClobberMemory();
        }
        state.counters["GB/s"] = benchmark::Counter(2.0 * double(from.bytes()) * 1e-9,
                                                    benchmark::Counter::kIsIterationInvariantRate);
      })
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond)
      ->MinTime(0.2);
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_summary();
  benchmark::Shutdown();
  return 0;
}
