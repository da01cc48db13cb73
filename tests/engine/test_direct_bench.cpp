// A short timing of the `direct` algorithms against `reference` on ResNet-50 / ViT-B shapes.
// Disabled by default; run with
//   OMP_NUM_THREADS=2 build/tests/engine_tests --gtest_also_run_disabled_tests \
//       --gtest_filter='DirectBench.*'
// It prints the median of 7 timed runs per algorithm and thread count.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>

#include "nn_op_harness.h"

namespace {

using namespace nn_test;

double median_ms(const OpCase& c, const std::string& name) {
  const algoscope::Algorithm* algo = c.op().find(name);
  algoscope::Layer l = c.layer();
  l.outputs = c.op().infer(l);
  auto kernel = algo->prepare(l);
  // The harness owns the inputs; rebuild the KernelIO from a run's layer.
  std::vector<Tensor> outs;
  for (const TensorInfo& info : l.outputs) outs.emplace_back(info.dtype, info.shape);
  algoscope::KernelIO io;
  for (size_t i = 0; i < l.inputs.size(); ++i) io.inputs.push_back(c.input_tensor(i));
  for (Tensor& t : outs) io.outputs.push_back(&t);
  std::vector<float> ws((algo->workspace(l) + 3) / 4 + 1);
  io.workspace = ws.data();
  kernel->run(io);
  int reps = 1;
  for (;;) {  // enough repetitions for ~20 ms
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) kernel->run(io);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (ms > 20.0 || reps > 1 << 20) break;
    reps *= 4;
  }
  std::vector<double> times;
  for (int k = 0; k < 7; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) kernel->run(io);
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
        reps);
  }
  std::sort(times.begin(), times.end());
  return times[3];
}

void bench(const char* label, const OpCase& c) {
  const double ref = median_ms(c, "reference");
  omp_set_num_threads(1);
  const double d1 = median_ms(c, "direct");
  omp_set_num_threads(2);
  const double d2 = median_ms(c, "direct");
  std::printf(
      "%-44s reference %9.3f ms | direct 1 thread %8.3f ms (%5.1fx) | 2 threads %8.3f ms "
      "(%5.1fx)\n",
      label, ref, d1, ref / d1, d2, ref / d2);
}

TEST(DirectBench, DISABLED_Speed) {
  {
    OpCase c("MaxPool", 12);
    c.input(random_tensor({1, 64, 112, 112}, 1));
    c.ints("kernel_shape", {3, 3}).ints("strides", {2, 2}).ints("pads", {1, 1, 1, 1});
    bench("MaxPool 1x64x112x112 3x3 s2 p1", c);
  }
  {
    OpCase c("AveragePool", 19);
    c.input(random_tensor({1, 64, 56, 56}, 1));
    c.ints("kernel_shape", {3, 3}).ints("strides", {1, 1}).ints("pads", {1, 1, 1, 1});
    bench("AveragePool 1x64x56x56 3x3 s1 p1", c);
  }
  {
    OpCase c("GlobalAveragePool", 13);
    c.input(random_tensor({1, 2048, 7, 7}, 1));
    bench("GlobalAveragePool 1x2048x7x7", c);
  }
  {
    OpCase c("Add", 14);
    c.input(random_tensor({1, 256, 56, 56}, 1)).input(random_tensor({1, 256, 56, 56}, 2));
    bench("Add 1x256x56x56 + same", c);
  }
  {
    OpCase c("Relu", 14);
    c.input(random_tensor({1, 256, 56, 56}, 1));
    bench("Relu 1x256x56x56", c);
  }
  {
    OpCase c("Softmax", 13);
    c.input(random_tensor({1, 12, 197, 197}, 1, -5.0f, 5.0f));
    bench("Softmax 1x12x197x197 axis -1", c);
  }
  {
    OpCase c("ReduceMean", 13);
    c.input(random_tensor({1, 197, 768}, 1)).ints("axes", {-1});
    bench("ReduceMean 1x197x768 axis -1", c);
  }
  {
    OpCase c("Sub", 14);
    c.input(random_tensor({1, 197, 768}, 1)).input(random_tensor({1, 197, 1}, 2));
    bench("Sub 1x197x768 - 1x197x1", c);
  }
  {
    OpCase c("Pow", 15);
    c.input(random_tensor({1, 197, 768}, 1))
        .input(Tensor::from_vector(Shape{}, std::vector<float>{2.0f}), true);
    bench("Pow 1x197x768 ^ 2", c);
  }
  {
    OpCase c("Sqrt", 13);
    c.input(random_tensor({1, 197, 1}, 1, 0.1f, 2.0f));
    bench("Sqrt 1x197x1", c);
  }
  {
    OpCase c("Div", 14);
    c.input(random_tensor({1, 197, 768}, 1)).input(random_tensor({1, 197, 1}, 2, 0.5f, 2.0f));
    bench("Div 1x197x768 / 1x197x1", c);
  }
  {
    OpCase c("Add", 14);
    c.input(random_tensor({1, 197, 768}, 1)).input(random_tensor({768}, 2));
    bench("Add 1x197x768 + 768 (bias)", c);
  }
  {
    OpCase c("Erf", 13);
    c.input(random_tensor({1, 197, 3072}, 1, -3.0f, 3.0f));
    bench("Erf 1x197x3072 (GELU)", c);
  }
  {
    OpCase c("Sigmoid", 13);
    c.input(random_tensor({1, 256, 56, 56}, 1, -5.0f, 5.0f));
    bench("Sigmoid 1x256x56x56", c);
  }
  for (const char* mode : {"nearest", "linear", "cubic"}) {
    OpCase c("Resize", 13);
    c.input(random_tensor({1, 256, 64, 64}, 1))
        .absent()
        .input(Tensor::from_vector<float>({4}, {1, 1, 2, 2}), true)
        .str("mode", mode);
    bench((std::string("Resize 1x256x64x64 x2 ") + mode).c_str(), c);
  }
}

}  // namespace
