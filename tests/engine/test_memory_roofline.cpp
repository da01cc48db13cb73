// The memory timeline of a session (Session::memory) and the roofline's figures: each algorithm's
// prepared memory and traffic against the formulas its teaching text documents, evaluated here by
// hand; the kept bytes against what preparing a kernel really allocates; the machine's roofs and
// their cache.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "algoscope/algoscope.h"
#include "cpu_features.h"
#include "support/onnx_builder.h"
#include "support/temp_dir.h"

namespace {

using namespace algoscope;
using onnx_builder::ModelBuilder;
using onnx_builder::random_floats;

std::shared_ptr<const Model> load(const ModelBuilder& b, LoadOptions options = {}) {
  return std::make_shared<const Model>(
      load_model_from_bytes(b.bytes(), b.proto().graph().name() + ".onnx", options));
}

size_t floats(int64_t n) { return size_t(n) * sizeof(float); }

// x[1,8,32,32] -> pointwise 1x1 to 32 channels (a) -> 3x3 pad 1 to 8 channels (b) -> Sigmoid (y).
// The 3x3 layer runs while a (its input) and b (its output) are both live, the most activation
// memory at any step, and im2col gives it the largest workspace.
ModelBuilder widening_model() {
  ModelBuilder b("widening");
  b.input("x", {1, 8, 32, 32});
  b.initializer("wa", {32, 8, 1, 1}, random_floats(32 * 8, 1));
  b.initializer("wb", {8, 32, 3, 3}, random_floats(8 * 32 * 9, 2));
  b.node("Conv", {"x", "wa"}, {"a"}, "widen");
  b.node("Conv", {"a", "wb"}, {"b"}, "narrow").ints("pads", {1, 1, 1, 1});
  b.node("Sigmoid", {"b"}, {"y"}, "squash");
  b.output("y");
  return b;
}

TEST(MemoryTimeline, PeakIsTheArenaPlusTheWorkspaceLiveAtThatStep) {
  auto model = load(widening_model());
  Plan plan = Plan::for_model(*model);
  plan.layers = {{"widen", "pointwise"}, {"narrow", "im2col"}, {"squash", "reference"}};
  Session session(model, plan, {.threads = 1});
  const MemoryReport& m = session.memory();
  ASSERT_EQ(m.steps.size(), 3u);
  const size_t a = floats(32 * 32 * 32), b = floats(8 * 32 * 32);
  const size_t im2col = floats(int64_t(32) * 9 * 32 * 32);  // 4 * C * KH*KW * OH*OW
  EXPECT_EQ(m.steps[0].name, "widen");
  EXPECT_EQ(m.steps[0].live_bytes, a);  // x is the caller's
  EXPECT_EQ(m.steps[1].live_bytes, a + b);
  EXPECT_EQ(m.steps[1].workspace_bytes, im2col);
  EXPECT_EQ(m.steps[2].live_bytes, b);  // y is a graph output, outside the arena
  EXPECT_EQ(m.peak_step, 1u);
  EXPECT_EQ(m.peak().name, "narrow");
  EXPECT_EQ(m.peak().largest_value, "a");
  EXPECT_EQ(m.peak().largest_value_bytes, a);
  // The definition: the arena planner's size plus the largest workspace live then.
  EXPECT_EQ(session.arena_bytes(), a + b);
  EXPECT_EQ(m.peak().in_use(), session.arena_bytes() + session.layers()[1].workspace_bytes);
  EXPECT_EQ(m.peak().in_use(), a + b + im2col);
  // Totals.
  EXPECT_EQ(m.weights_bytes, floats(32 * 8 + 8 * 32 * 9));
  EXPECT_EQ(m.prepared_bytes, 0u);  // pointwise and im2col read W where it lies
  EXPECT_EQ(m.arena_bytes, a + b);
  EXPECT_EQ(m.activation_bytes, a + b + floats(8 * 32 * 32));
  EXPECT_EQ(m.workspace_bytes, im2col);
  EXPECT_EQ(m.input_output_bytes, floats(8 * 32 * 32) * 2);
  EXPECT_EQ(m.held_bytes(), m.weights_bytes + a + b + im2col);

  // kn2row keeps its per-tap filter slices: 4 * OC * (C/g) * KH*KW bytes, counted as prepared.
  plan.layers["narrow"] = "kn2row";
  Session kn2row(model, plan, {.threads = 1});
  EXPECT_EQ(kn2row.memory().prepared_bytes, floats(8 * 32 * 9));
  EXPECT_EQ(kn2row.memory().steps[1].workspace_bytes, floats(8 * 32 * 32));  // 4 * OC/g * H*W
}

TEST(MemoryTimeline, SharedBuffersCountOnceAndTransfersAreSteps) {
  // Reshape shares its input's buffer: the timeline must not count the bytes twice.
  ModelBuilder b("reshape_chain");
  b.input("x", {1, 4, 8, 8});
  b.initializer("w", {4, 4, 1, 1}, random_floats(16, 3));
  b.int64_initializer("shape", {2}, {1, 256});
  b.node("Conv", {"x", "w"}, {"c"}, "conv");
  b.node("Reshape", {"c", "shape"}, {"r"}, "flatten");
  b.node("Sigmoid", {"r"}, {"y"}, "squash");
  b.output("y");
  auto model = load(b);
  Session session(model, Plan::for_model(*model), {.threads = 1});
  const MemoryReport& m = session.memory();
  ASSERT_EQ(m.steps.size(), 3u);
  for (const MemoryStep& step : m.steps) EXPECT_LE(step.live_bytes, session.arena_bytes());
  EXPECT_EQ(m.steps[1].live_bytes, floats(256));
}

// One Conv layer of the given geometry, from a model (so the Layer is what a session sees).
struct ConvLayer {
  std::shared_ptr<const Model> model;
  Layer layer;
};

ConvLayer conv_layer(int64_t c, int64_t oc, int64_t hw, int64_t k, int64_t pad) {
  ModelBuilder b("conv");
  b.input("x", {1, c, hw, hw});
  b.initializer("w", {oc, c, k, k}, random_floats(size_t(oc * c * k * k), 7));
  b.initializer("bias", {oc}, random_floats(size_t(oc), 8));
  b.node("Conv", {"x", "w", "bias"}, {"y"}, "conv").ints("pads", {pad, pad, pad, pad});
  b.output("y");
  ConvLayer result{load(b), {}};
  result.layer = make_layer(*result.model, result.model->nodes.at(0));
  return result;
}

const Algorithm& conv_algorithm(const std::string& name) {
  const Algorithm* a = Registry::instance().find_algorithm("Conv", name);
  if (!a) throw Error("no Conv algorithm " + name);
  return *a;
}

size_t round_up(size_t n, size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

TEST(Roofline, EachConvAlgorithmsKeptMemoryIsItsDocumentedFormula) {
  // C=32, OC=64, 28x28, 3x3 pad 1: OH=OW=28. The formulas are the teaching texts' "Extra memory".
  const ConvLayer conv = conv_layer(32, 64, 28, 3, 1);
  const Layer& l = conv.layer;
  const int64_t C = 32, OC = 64, H = 28, OHW = 28 * 28, taps = 9;
  const bool avx2 = cpu::active_level() == cpu::IsaLevel::Avx2;
  std::map<std::string, size_t> prepared = {
      {"reference", 0},
      {"im2col", 0},
      // 4 * OC * (C/g) * KH*KW: the per-tap filter slices.
      {"kn2row", floats(OC * C * taps)},
      // 4 * KH*KW * 32*ceil(OH*OW/32) (+1/64) indirection, packed filters
      // 4 * g * 8*ceil((OC/g)/8) * (C/g)*KH*KW.
      {"implicit_gemm", floats(taps * 32 * ((OHW + 31) / 32)) + taps * 32 * ((OHW + 31) / 32) / 16 +
                            floats(8 * ((OC + 7) / 8) * C * taps)},
      // 4 * 16 * g * (C/g) * OC16, plain U (packed for the blocked GEMM only from C >= 128).
      {"winograd_f2", floats(16 * C * round_up(OC, 16))},
      {"winograd_f4", floats(36 * C * round_up(OC, 16))},
      // ceil(OW/L) * KW * (4L + 12), L = 16 lanes (8 on AVX2).
      {"smm", size_t((H + (avx2 ? 7 : 15)) / (avx2 ? 8 : 16)) * 3 * (4 * (avx2 ? 8 : 16) + 12)},
  };
  for (const auto& [name, bytes] : prepared) {
    SCOPED_TRACE(name);
    const Algorithm& a = conv_algorithm(name);
    ASSERT_FALSE(a.why_not(l).has_value());
    EXPECT_EQ(a.prepared(l), bytes);
    // The roofline's traffic: x, bias and y once, W or the kept copy in its place, and the
    // workspace written and read.
    const double io = double(floats(C * H * H) + floats(OC) + floats(OC * OHW));
    // smm keeps a table it reads beside W, which it reads in place.
    const double weights = name == "smm" ? double(floats(OC * C * taps) + bytes)
                           : bytes > 0   ? double(bytes)
                                         : double(floats(OC * C * taps));
    EXPECT_DOUBLE_EQ(a.traffic_bytes(l), io + weights + 2.0 * double(a.workspace(l)));
  }
  // direct: the filters reordered in blocks of OCB output channels, 64-byte aligned; OCB is a
  // multiple of 16 (AVX-512) or 8 (AVX2), so 64 channels need no padding.
  EXPECT_EQ(conv_algorithm("direct").prepared(l), round_up(floats(OC * C * taps), 64));
#ifdef ALGOSCOPE_HAVE_ONEDNN
  // oneDNN: the weights in its layout and the input and output in its blocked layout (32 and 64
  // channels need no padding to 8 or 16).
  EXPECT_EQ(conv_algorithm("onednn_direct").prepared(l),
            floats(OC * C * taps) + floats(C * H * H) + floats(OC * OHW));
#endif
  // Intensity is FLOPs (a multiply and an add per weight and output) over that traffic.
  const double flops = Registry::instance().find_op("Conv")->flop_count(l);
  EXPECT_DOUBLE_EQ(flops, 2.0 * OC * OHW * C * taps);
}

TEST(Roofline, WinogradPacksItsFiltersForWideLayers) {
  // C=128, OC=128: the products are large enough that U is packed for the blocked GEMM, its
  // columns rounded up to the micro-kernel's width (32 on AVX-512, 16 on AVX2).
  const ConvLayer conv = conv_layer(128, 128, 14, 3, 1);
  const size_t nr = cpu::active_level() == cpu::IsaLevel::Avx512 ? 32 : 16;
  if (cpu::active_level() == cpu::IsaLevel::Portable) GTEST_SKIP() << "portable kernels";
  EXPECT_EQ(conv_algorithm("winograd_f2").prepared(conv.layer),
            floats(16 * 128 * round_up(128, nr)));
  EXPECT_EQ(conv_algorithm("winograd_f4").prepared(conv.layer),
            floats(36 * 128 * round_up(128, nr)));
}

TEST(Roofline, TheBlockedGemmKeepsItsPackedWeightsAsDocumented) {
  // A fully connected layer, x[4,100] * W^T with W[10,100]: the pre-packed B is
  // K * ceil(N/NR) * NR * 4 bytes (its teaching text), NR = 32 on AVX-512, 16 otherwise.
  ModelBuilder b("fc");
  b.input("x", {4, 100});
  b.initializer("w", {10, 100}, random_floats(1000, 9));
  b.node("Gemm", {"x", "w"}, {"y"}, "fc").i("transB", 1);
  b.output("y");
  auto model = load(b);
  const Layer layer = make_layer(*model, model->nodes.at(0));
  const size_t nr = cpu::active_level() == cpu::IsaLevel::Avx512 ? 32 : 16;
  const Algorithm* blocked = Registry::instance().find_algorithm("Gemm", "blocked");
  ASSERT_NE(blocked, nullptr);
  EXPECT_EQ(blocked->prepared(layer), floats(100 * int64_t(nr)));
  // It reads the packed copy instead of W.
  EXPECT_DOUBLE_EQ(blocked->traffic_bytes(layer),
                   double(floats(4 * 100) + floats(100 * int64_t(nr)) + floats(4 * 10)));
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

TEST(Roofline, KeptMemoryIsWhatPreparingTheKernelAllocates) {
  if (kSanitized) GTEST_SKIP() << "the sanitizer's allocator is invisible to mallinfo2";
  // Large enough that every kept buffer dwarfs the kernel objects and their small tables.
  const ConvLayer conv = conv_layer(64, 128, 28, 3, 1);
  for (const char* name :
       {"kn2row", "implicit_gemm", "winograd_f2", "winograd_f4", "direct", "fft"}) {
    SCOPED_TRACE(name);
    const Algorithm& a = conv_algorithm(name);
    if (a.why_not(conv.layer)) continue;
    const size_t formula = a.prepared(conv.layer);
    ASSERT_GT(formula, 0u);
    const size_t before = heap_in_use();
    std::unique_ptr<Kernel> kernel = a.make_kernel(conv.layer);
    const size_t held = heap_in_use() - before;
    // The formula is what the kernel keeps; its object, closures and plans add a little.
    EXPECT_GE(held + 4096, formula);
    EXPECT_LE(held, formula + formula / 10 + 64 * 1024);
  }
}

TEST(Roofline, RoofsAreMeasuredOnceAndThenReadFromTheCache) {
  test_support::TempDir dir;
  const std::string cache = dir.file("roofs.json");
  const MachineRoofs first = machine_roofs(1, cache);
  EXPECT_FALSE(first.from_cache);
  EXPECT_GT(first.gemm_gflops, 0.5);  // any CPU of this century does a GFLOP/s on one core
  EXPECT_GE(first.peak_gflops, first.gemm_gflops);  // the FMA chains' rate, or the GEMM's
  EXPECT_GT(first.copy_gbs, 0.1);
  EXPECT_GT(first.triad_gbs, 0.1);
  EXPECT_EQ(first.threads, 1);
  const MachineRoofs second = machine_roofs(1, cache);
  EXPECT_TRUE(second.from_cache);
  EXPECT_DOUBLE_EQ(second.peak_gflops, first.peak_gflops);
  EXPECT_DOUBLE_EQ(second.bandwidth_gbs(), first.bandwidth_gbs());
  // The roofline itself: bandwidth-bound below the ridge, flat above it.
  const double ridge = first.ridge_intensity();
  EXPECT_NEAR(first.attainable_gflops(ridge), first.peak_gflops, 1e-9 * first.peak_gflops);
  EXPECT_DOUBLE_EQ(first.attainable_gflops(ridge / 2), first.bandwidth_gbs() * ridge / 2);
  EXPECT_DOUBLE_EQ(first.attainable_gflops(ridge * 4), first.peak_gflops);
  // A corrupt cache is measured again and rewritten, never an error.
  std::ofstream(cache) << "{ not json";
  const MachineRoofs again = machine_roofs(1, cache);
  EXPECT_FALSE(again.from_cache);
  EXPECT_TRUE(machine_roofs(1, cache).from_cache);
}

}  // namespace
