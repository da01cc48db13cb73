// A template algoscope plugin: adds the convolution algorithm `example_loops` through the ordinary
// Registry API. It is the textbook loop nest (for every image, output channel, output pixel: sum
// over the group's input channels and the kernel window), accumulated in float and threaded over
// (image, output channel) with std::thread, so that it shows every piece a real algorithm has:
// applicability with a reason, a workspace formula, a tolerance, a teaching text, and a prepare()
// that returns a Kernel. It handles 1-D and 2-D convolutions with groups, strides, dilations,
// explicit pads and bias; it declines auto_pad and 3-D layers, and says why.
#include <algoscope/plugin.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using algoscope::Kernel;
using algoscope::KernelIO;
using algoscope::Layer;

// Everything the loops need, read from the layer once at prepare time.
struct Geometry {
  int64_t n = 0, c = 0, h = 1, w = 0, oc = 0, kh = 1, kw = 0, oh = 1, ow = 0, group = 1;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0;
  bool bias = false;
};

Geometry geometry(const Layer& layer) {
  const auto& x = layer.inputs[0].shape;
  const auto& wt = layer.inputs[1].shape;
  const auto& y = layer.outputs[0].shape;
  const bool two_d = x.size() == 4;
  Geometry g;
  g.n = x[0], g.c = x[1], g.oc = wt[0], g.group = layer.n().attr_int("group", 1);
  g.w = x.back(), g.kw = wt.back(), g.ow = y.back();
  if (two_d) g.h = x[2], g.kh = wt[2], g.oh = y[2];
  const auto ones = std::vector<int64_t>(two_d ? 2 : 1, 1);
  const auto strides = layer.n().attr_ints("strides", ones);
  const auto dilations = layer.n().attr_ints("dilations", ones);
  const auto pads = layer.n().attr_ints("pads", std::vector<int64_t>(two_d ? 4 : 2, 0));
  g.sw = strides.back(), g.dw = dilations.back();
  if (two_d)
    g.sh = strides[0], g.dh = dilations[0], g.pt = pads[0], g.pl = pads[1];
  else
    g.pl = pads[0];
  g.bias = layer.has_input(2);
  return g;
}

std::optional<std::string> not_applicable(const Layer& layer) {
  const size_t rank = layer.inputs[0].shape.size();
  if (rank != 3 && rank != 4)
    return "example_loops handles 1-D and 2-D convolutions, this one has " +
           std::to_string(rank - 2) + " spatial axes";
  const std::string auto_pad = layer.n().attr_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET")
    return "example_loops reads explicit pads only, this layer has auto_pad " + auto_pad;
  return std::nullopt;
}

// One output channel of one image.
void channel(const Geometry& g, const float* x, const float* w, const float* b, float* y, int64_t n,
             int64_t o) {
  const int64_t cg = g.c / g.group, grp = o / (g.oc / g.group);
  for (int64_t i = 0; i < g.oh; ++i)
    for (int64_t j = 0; j < g.ow; ++j) {
      float sum = b ? b[o] : 0.0f;
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t p = 0; p < g.kh; ++p) {
          const int64_t r = i * g.sh - g.pt + p * g.dh;
          if (r < 0 || r >= g.h) continue;
          for (int64_t q = 0; q < g.kw; ++q) {
            const int64_t s = j * g.sw - g.pl + q * g.dw;
            if (s < 0 || s >= g.w) continue;
            sum += x[((n * g.c + grp * cg + c) * g.h + r) * g.w + s] *
                   w[((o * cg + c) * g.kh + p) * g.kw + q];
          }
        }
      y[((n * g.oc + o) * g.oh + i) * g.ow + j] = sum;
    }
}

class LoopsKernel final : public Kernel {
 public:
  explicit LoopsKernel(Geometry g) : g_(g) {}
  void run(KernelIO& io) override {
    const float* x = io.inputs[0]->data<float>();
    const float* w = io.inputs[1]->data<float>();
    const float* b = g_.bias ? io.inputs[2]->data<float>() : nullptr;
    float* y = io.outputs[0]->data<float>();
    const int64_t tasks = g_.n * g_.oc;
    const int64_t threads =
        std::clamp<int64_t>(std::thread::hardware_concurrency(), 1, std::max<int64_t>(1, tasks));
    std::vector<std::thread> pool;
    for (int64_t t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (int64_t k = t; k < tasks; k += threads) channel(g_, x, w, b, y, k / g_.oc, k % g_.oc);
      });
    for (std::thread& th : pool) th.join();
  }

 private:
  Geometry g_;
};

void register_example(algoscope::Registry& registry) {
  algoscope::Algorithm a;
  a.name = "example_loops";
  a.summary = "Template plugin: the textbook convolution loop nest in float, threaded";
  a.teaching =
      "A template to copy (engine/plugins/example): for every image and output channel, every "
      "output pixel sums input x weight over its group's input channels and the kernel window, "
      "skipping taps that fall into the padding. Extra memory: none. It never wins on speed (no "
      "blocking, no vectorization beyond what the compiler finds); it exists to show how a "
      "plugin adds an algorithm. Numerics: float accumulation in window order, within 1e-4 "
      "relative of the double reference on the sweep's layers.";
  a.tolerance = algoscope::Tolerance{1e-5, 1e-4};
  a.not_applicable = not_applicable;
  a.prepare = [](const Layer& layer) -> std::unique_ptr<Kernel> {
    return std::make_unique<LoopsKernel>(geometry(layer));
  };
  registry.add_algorithm("Conv", std::move(a));
}

}  // namespace

ALGOSCOPE_PLUGIN(register_example)
