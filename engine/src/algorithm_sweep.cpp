// The sweep behind algorithm_sweep.h: builds each layer's Node and Layer by hand (no model file),
// prepares `reference` and the algorithm under test, runs both on the same deterministic random
// inputs and compares elementwise with the algorithm's tolerance. Exceptions from an algorithm
// become failures of that layer, so one broken case does not hide the others.
#include "algoscope/algorithm_sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <memory>
#include <sstream>

#include "algoscope/error.h"
#include "algoscope/measure.h"
#include "algoscope/registry_guard.h"
#include "measure/layer_measure.h"

namespace algoscope {

namespace {

struct ConvCase {
  int64_t n, c, h, w, oc, group, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  bool bias;
  bool one_d = false;

  std::string describe() const {
    std::ostringstream s;
    if (one_d)
      s << "1-D N=" << n << " C=" << c << " W=" << w << " OC=" << oc << " g=" << group
        << " k=" << kw << " d=" << dw << " pads=" << pl << "," << pr << (bias ? " bias" : "");
    else
      s << "N=" << n << " C=" << c << " " << h << "x" << w << " OC=" << oc << " g=" << group
        << " k=" << kh << "x" << kw << " s=" << sh << "x" << sw << " d=" << dh << "x" << dw
        << " pads=" << pt << "," << pl << "," << pb << "," << pr << (bias ? " bias" : "");
    return s.str();
  }
};

std::vector<ConvCase> conv_cases() {
  std::vector<ConvCase> cases;
  const int64_t channels[] = {1, 3, 5, 16, 32, 7};
  const int64_t sizes[][2] = {{1, 1}, {7, 7}, {9, 5}, {5, 11}, {12, 12}, {16, 3}, {13, 16}};
  int i = 0;
  for (int64_t k : {1, 3, 5, 7})
    for (int64_t s : {1, 2})
      for (int64_t d : {1, 2})
        for (int grouping = 0; grouping < 3; ++grouping)   // 1, 2, depthwise
          for (int padding = 0; padding < 3; ++padding) {  // none, symmetric, asymmetric
            ConvCase c{};
            c.n = 1 + i % 3;
            int64_t ch = channels[i % 6];
            if (grouping == 1) ch = std::max<int64_t>(2, ch + ch % 2);
            c.c = ch;
            c.group = grouping == 0 ? 1 : grouping == 1 ? 2 : ch;
            // Output channels: a different count than the input where groups allow.
            c.oc = grouping == 2 ? ch * (1 + i % 2) : c.group * (1 + (i * 7) % 5);
            if (grouping == 0 && i % 4 == 0) c.oc = 16;
            c.kh = k, c.kw = (i % 5 == 0 && k > 1) ? k - 2 : k;  // some non-square kernels
            c.sh = s, c.sw = (i % 7 == 3) ? 1 : s;
            c.dh = d, c.dw = (i % 6 == 1) ? 1 : d;
            const int64_t half_h = (c.kh - 1) * c.dh / 2, half_w = (c.kw - 1) * c.dw / 2;
            if (padding == 1) c.pt = c.pb = half_h, c.pl = c.pr = half_w;
            if (padding == 2)
              c.pt = half_h + 1, c.pb = 0, c.pl = 0, c.pr = std::max<int64_t>(1, half_w);
            c.h = sizes[i % 7][0], c.w = sizes[i % 7][1];
            // The padded input must hold one dilated kernel.
            c.h = std::max(c.h, (c.kh - 1) * c.dh + 1 - c.pt - c.pb);
            c.w = std::max(c.w, (c.kw - 1) * c.dw + 1 - c.pl - c.pr);
            c.bias = i % 2 == 0;
            cases.push_back(c);
            ++i;
          }
  // One 1-D layer (algorithms that handle it treat it as height 1).
  ConvCase one{};
  one.one_d = true;
  one.n = 2, one.c = 6, one.w = 17, one.oc = 9, one.group = 3, one.kw = 3, one.sw = 1, one.dw = 2;
  one.pl = 2, one.pr = 1, one.bias = true;
  cases.push_back(one);
  // Depthwise 3x3, 5x5 and 7x7 layers at strides 1 and 2 on the image sizes of MobileNet's,
  // EfficientNet's and ConvNeXt's late stages (7, 14, 28) and on rows wider than four AVX-512
  // vectors with a partial last one (70): the depthwise kernel's blocks of rows, chunks of
  // columns and their partial last ones.
  const int64_t dw_sizes[][2] = {{7, 7}, {14, 14}, {28, 28}, {11, 70}, {9, 37}};
  int j = 0;
  for (int64_t k : {3, 5, 7})
    for (int64_t s : {1, 2})
      for (const auto& hw : dw_sizes) {
        ConvCase c{};
        c.n = 1, c.c = 2 + j % 3, c.group = c.c, c.oc = c.c * (1 + j % 2);
        c.h = hw[0], c.w = hw[1], c.kh = c.kw = k, c.sh = c.sw = s, c.dh = c.dw = 1;
        c.pt = c.pl = c.pb = c.pr = k / 2;
        if (j % 4 == 3) c.pt = k / 2 + 1, c.pb = 0, c.pr = 1;  // asymmetric
        c.bias = j % 2 == 1;
        cases.push_back(c);
        ++j;
      }
  return cases;
}

SweepLayer conv_layer(const ConvCase& p, bool constant_weights, uint32_t seed) {
  SweepLayer t;
  t.node.name = "sweep";
  t.node.op_type = "Conv";
  t.node.inputs = {"x", "w"};
  t.node.outputs = {"y"};
  if (p.one_d) {
    t.inputs = {random_tensor({p.n, p.c, p.w}, seed),
                random_tensor({p.oc, p.c / p.group, p.kw}, seed + 1)};
    t.node.attributes["dilations"] = Attribute{std::vector<int64_t>{p.dw}};
    t.node.attributes["pads"] = Attribute{std::vector<int64_t>{p.pl, p.pr}};
  } else {
    t.inputs = {random_tensor({p.n, p.c, p.h, p.w}, seed),
                random_tensor({p.oc, p.c / p.group, p.kh, p.kw}, seed + 1)};
    t.node.attributes["strides"] = Attribute{std::vector<int64_t>{p.sh, p.sw}};
    t.node.attributes["dilations"] = Attribute{std::vector<int64_t>{p.dh, p.dw}};
    t.node.attributes["pads"] = Attribute{std::vector<int64_t>{p.pt, p.pl, p.pb, p.pr}};
  }
  t.node.attributes["group"] = Attribute{p.group};
  t.constant = {false, constant_weights};
  if (p.bias) {
    t.node.inputs.push_back("b");
    t.inputs.push_back(random_tensor({p.oc}, seed + 2));
    t.constant.push_back(constant_weights);
  }
  return t;
}

// A ConvTranspose layer of the sweep: X [N, C, spatial], W [C, M/group, kernel], 1-D, 2-D or 3-D
// (the depth axis, when there is one, takes the height's kernel, stride, dilation and pads).
struct ConvTransposeCase {
  int rank = 2;
  int64_t n, c, d = 1, h = 1, w, m, group, kh = 1, kw, sh = 1, sw, dh = 1, dw, pt = 0, pl, pb = 0,
                pr, oph = 0, opw;
  bool bias;
  std::string auto_pad;               // empty: NOTSET with the pads above
  std::vector<int64_t> output_shape;  // spatial; empty: none

  std::string describe() const {
    std::ostringstream s;
    s << rank << "-D N=" << n << " C=" << c << " ";
    if (rank == 3) s << d << "x";
    if (rank >= 2) s << h << "x";
    s << w << " M=" << m << " g=" << group << " k=" << kh << "x" << kw << " s=" << sh << "x" << sw
      << " d=" << dh << "x" << dw << " pads=" << pt << "," << pl << "," << pb << "," << pr
      << " output_padding=" << oph << "," << opw << (bias ? " bias" : "");
    if (!auto_pad.empty()) s << " auto_pad=" << auto_pad;
    if (!output_shape.empty()) s << " output_shape=" << shape_to_string(output_shape);
    return s.str();
  }
};

// The full (unpadded) output length of one axis.
int64_t transposed_length(int64_t in, int64_t k, int64_t s, int64_t d, int64_t op) {
  return s * (in - 1) + op + (k - 1) * d + 1;
}

std::vector<ConvTransposeCase> conv_transpose_cases() {
  std::vector<ConvTransposeCase> cases;
  const int64_t channels[] = {1, 3, 5, 16, 32, 7};
  const int64_t sizes[][2] = {{1, 1}, {7, 7}, {9, 5}, {5, 11}, {12, 12}, {16, 3}, {13, 16}};
  int i = 0;
  for (int64_t k : {1, 2, 3, 4, 5})
    for (int64_t s : {1, 2, 3})
      for (int64_t d : {1, 2})
        for (int grouping = 0; grouping < 3; ++grouping) {  // 1, 2, depthwise
          ConvTransposeCase c{};
          c.n = 1 + i % 3;
          int64_t ch = channels[i % 6];
          if (grouping == 1) ch = std::max<int64_t>(2, ch + ch % 2);
          c.c = ch;
          c.group = grouping == 0 ? 1 : grouping == 1 ? 2 : ch;
          c.m = grouping == 2 ? ch * (1 + i % 2) : c.group * (1 + (i * 7) % 5);
          if (grouping == 0 && i % 4 == 0) c.m = 16;
          c.kh = k, c.kw = (i % 5 == 0 && k > 2) ? k - 1 : k;  // some non-square kernels
          c.sh = s, c.sw = (i % 7 == 3) ? 1 : s;
          c.dh = d, c.dw = (i % 6 == 1) ? 1 : d;
          c.h = sizes[i % 7][0], c.w = sizes[i % 7][1];
          // Output padding below the stride on some layers.
          if (i % 2 == 1) c.oph = (c.sh - 1) % 3, c.opw = c.sw > 1 ? 1 : 0;
          const int padding = i % 3;  // none, symmetric, asymmetric
          const int64_t half_h = (c.kh - 1) * c.dh / 2, half_w = (c.kw - 1) * c.dw / 2;
          if (padding == 1) c.pt = c.pb = half_h, c.pl = c.pr = half_w;
          if (padding == 2) c.pt = half_h + 1, c.pb = 0, c.pl = 0, c.pr = half_w + 1;
          // Pads may not remove the whole output.
          if (transposed_length(c.h, c.kh, c.sh, c.dh, c.oph) - c.pt - c.pb < 1) c.pt = c.pb = 0;
          if (transposed_length(c.w, c.kw, c.sw, c.dw, c.opw) - c.pl - c.pr < 1) c.pl = c.pr = 0;
          c.bias = i % 2 == 0;
          cases.push_back(c);
          ++i;
        }
  // auto_pad and output_shape resolve the pads themselves (some with odd totals).
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    ConvTransposeCase c{};
    c.n = 2, c.c = 6, c.h = 5, c.w = 7, c.m = 4, c.group = 2, c.kh = 3, c.kw = 4, c.sh = 2,
    c.sw = 3, c.dh = 1, c.dw = 1, c.opw = 1, c.bias = true, c.auto_pad = mode;
    cases.push_back(c);
  }
  for (std::vector<int64_t> shape : {std::vector<int64_t>{10, 8}, std::vector<int64_t>{12, 23}}) {
    ConvTransposeCase c{};
    c.n = 1, c.c = 3, c.h = 4, c.w = 7, c.m = 5, c.group = 1, c.kh = 3, c.kw = 3, c.sh = 3,
    c.sw = 3, c.dh = 1, c.dw = 1, c.bias = false, c.output_shape = shape;
    cases.push_back(c);
  }
  // 1-D layers, and 3-D ones.
  ConvTransposeCase one{};
  one.rank = 1, one.n = 2, one.c = 6, one.w = 17, one.m = 9, one.group = 3, one.kw = 4, one.sw = 2,
  one.dw = 1, one.pl = 2, one.pr = 1, one.opw = 1, one.bias = true;
  cases.push_back(one);
  one.kw = 3, one.sw = 3, one.dw = 2, one.pl = 0, one.pr = 3, one.opw = 2, one.bias = false;
  cases.push_back(one);
  ConvTransposeCase three{};
  three.rank = 3, three.n = 1, three.c = 4, three.d = 3, three.h = 4, three.w = 5, three.m = 6,
  three.group = 2, three.kh = 3, three.kw = 2, three.sh = 2, three.sw = 2, three.dh = 1,
  three.dw = 1, three.pt = 1, three.pb = 0, three.pl = 0, three.pr = 1, three.oph = 1,
  three.opw = 1, three.bias = true;
  cases.push_back(three);
  three.sh = 1, three.sw = 3, three.dh = 2, three.pt = 0, three.oph = 0, three.bias = false;
  cases.push_back(three);
  return cases;
}

SweepLayer conv_transpose_layer(const ConvTransposeCase& p, bool constant_weights, uint32_t seed) {
  SweepLayer t;
  t.node.name = "sweep";
  t.node.op_type = "ConvTranspose";
  t.node.inputs = {"x", "w"};
  t.node.outputs = {"y"};
  // Per-axis values, outermost spatial axis first.
  auto axes = [&](int64_t depth_or_h, int64_t w) {
    std::vector<int64_t> v;
    if (p.rank == 3) v.push_back(depth_or_h);
    if (p.rank >= 2) v.push_back(depth_or_h);
    v.push_back(w);
    return v;
  };
  Shape x{p.n, p.c}, w{p.c, p.m / p.group};
  if (p.rank == 3) x.push_back(p.d), w.push_back(p.kh);
  if (p.rank >= 2) x.push_back(p.h), w.push_back(p.kh);
  x.push_back(p.w), w.push_back(p.kw);
  t.inputs = {random_tensor(x, seed), random_tensor(w, seed + 1)};
  t.node.attributes["strides"] = Attribute{axes(p.sh, p.sw)};
  t.node.attributes["dilations"] = Attribute{axes(p.dh, p.dw)};
  t.node.attributes["output_padding"] = Attribute{axes(p.oph, p.opw)};
  std::vector<int64_t> pads = axes(p.pt, p.pl);
  const std::vector<int64_t> ends = axes(p.pb, p.pr);
  pads.insert(pads.end(), ends.begin(), ends.end());
  t.node.attributes["pads"] = Attribute{pads};
  if (!p.auto_pad.empty()) t.node.attributes["auto_pad"] = Attribute{p.auto_pad};
  if (!p.output_shape.empty()) t.node.attributes["output_shape"] = Attribute{p.output_shape};
  t.node.attributes["group"] = Attribute{p.group};
  t.constant = {false, constant_weights};
  if (p.bias) {
    t.node.inputs.push_back("b");
    t.inputs.push_back(random_tensor({p.m}, seed + 2));
    t.constant.push_back(constant_weights);
  }
  return t;
}

// One layer of an op's sweep: its description and how to build it (weights constant or not).
struct SweepCase {
  std::string description;
  std::function<SweepLayer(bool constant_weights, uint32_t seed)> make;
};

std::vector<SweepCase> sweep_cases(const std::string& op_type) {
  std::vector<SweepCase> cases;
  if (op_type == "Conv") {
    for (const ConvCase& p : conv_cases())
      cases.push_back({p.describe(), [p](bool constant, uint32_t seed) {
                         return conv_layer(p, constant, seed);
                       }});
  } else if (op_type == "ConvTranspose") {
    for (const ConvTransposeCase& p : conv_transpose_cases())
      cases.push_back({p.describe(), [p](bool constant, uint32_t seed) {
                         return conv_transpose_layer(p, constant, seed);
                       }});
  } else {
    throw Error("sweep: no sweep for op type " + op_type + " (there is: Conv, ConvTranspose)");
  }
  return cases;
}

}  // namespace

Layer SweepLayer::layer(const OpDefinition& op) const {
  Layer l;
  l.node = &node;
  l.opset = 11;
  for (size_t i = 0; i < inputs.size(); ++i) {
    l.inputs.push_back(inputs[i].info());
    l.present.push_back(true);
    l.constants.push_back(constant[i] ? &inputs[i] : nullptr);
  }
  l.outputs = op.infer(l);
  return l;
}

std::vector<SweepLayer> sweep_layers(const std::string& op_type) {
  RegistryReadGuard registry_guard(Registry::instance());  // plugins may load meanwhile
  std::vector<SweepLayer> layers;
  uint32_t seed = 1000;
  for (const SweepCase& c : sweep_cases(op_type)) layers.push_back(c.make(true, seed += 3));
  return layers;
}

namespace {

// Prepares and runs one algorithm on the layer, in the algorithm's memory space; returns its
// first output, on the host.
Tensor run(const Algorithm& algorithm, const SweepLayer& t, const Layer& layer) {
  KernelIO given;
  for (const Tensor& in : t.inputs) given.inputs.push_back(&in);
  measure::IsolatedKernel kernel(algorithm, layer, given);
  kernel.run();
  return kernel.outputs().at(0);
}

// max |got - want| / (atol scale + rtol |want|) over the elements (registry.h: Tolerance); NaN
// where either has a NaN.
double error_ratio(const Tensor& got, const Tensor& want, const Tolerance& tol) {
  double worst = 0.0;
  const double atol = tol.atol * tolerance_scale(want);
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double g = got.data<float>()[i], w = want.data<float>()[i];
    const double r = std::fabs(g - w) / (atol + tol.rtol * std::fabs(w));
    if (std::isnan(r)) return r;
    worst = std::max(worst, r);
  }
  return worst;
}

}  // namespace

std::string SweepReport::summary() const {
  std::ostringstream s;
  s << op_type << " " << algorithm << ": " << applicable << " of " << layers
    << " sweep layers applicable, " << runs << " runs compared with reference, worst error "
    << worst_error_ratio << "x the tolerance, " << failures.size() << " failure(s)";
  if (applicable == 0) s << " (the algorithm applies to none of the sweep's layers)";
  for (const SweepFailure& f : failures) s << "\n  " << f.layer << ": " << f.detail;
  return s.str();
}

SweepReport sweep_algorithm(const std::string& op_type, const std::string& algorithm, int step,
                            const Registry& registry) {
  RegistryReadGuard registry_guard(registry);  // plugins may load meanwhile
  const OpDefinition* op = registry.find_op(op_type);
  if (!op) throw Error("sweep: unknown op type '" + op_type + "'");
  const Algorithm* under_test = op->find(algorithm);
  if (!under_test) throw Error("sweep: op " + op_type + " has no algorithm '" + algorithm + "'");
  const Algorithm* reference = op->reference();
  if (!reference) throw Error("sweep: op " + op_type + " has no reference algorithm");
  const std::vector<SweepCase> cases = sweep_cases(op_type);

  SweepReport report;
  report.op_type = op_type;
  report.algorithm = algorithm;
  uint32_t seed = 1000;
  for (size_t ci = 0; ci < cases.size(); ci += size_t(std::max(1, step))) {
    const SweepCase& p = cases[ci];
    ++report.layers;
    seed += 3;
    Tensor expected;
    bool have_expected = false;
    for (bool constant : {false, true}) {
      const SweepLayer t = p.make(constant, seed);
      try {
        const Layer layer = t.layer(*op);
        if (auto why = under_test->why_not(layer)) {
          if (why->empty()) report.failures.push_back({p.description, "declined without a reason"});
          continue;
        }
        if (!constant) ++report.applicable;
        if (!have_expected) expected = run(*reference, t, layer), have_expected = true;
        const Tensor got = run(*under_test, t, layer);
        ++report.runs;
        if (got.shape() != expected.shape()) {
          report.failures.push_back({p.description, "output shape " + shape_to_string(got.shape()) +
                                                        ", reference " +
                                                        shape_to_string(expected.shape())});
          continue;
        }
        const double ratio = error_ratio(got, expected, under_test->tolerance);
        report.worst_error_ratio = std::max(report.worst_error_ratio, ratio);
        if (!(ratio <= 1.0)) {
          std::ostringstream d;
          d << (constant ? "W constant" : "W at run time") << ": error " << ratio
            << "x the tolerance (atol " << under_test->tolerance.atol << ", rtol "
            << under_test->tolerance.rtol << ")";
          report.failures.push_back({p.description, d.str()});
        }
      } catch (const std::exception& e) {
        report.failures.push_back({p.description, std::string("threw: ") + e.what()});
      }
    }
  }
  return report;
}

}  // namespace algoscope
