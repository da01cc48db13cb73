// Vectorized, multi-threaded float32 Add, Sub, Mul, Div and Pow with a constant exponent of 1, 2
// or 3 (the x ** 2 of exported LayerNorm). The broadcast plan of broadcast.h turns every operand
// pattern into runs along the innermost merged dimension where each operand is either contiguous
// or a single repeated value, so the kernel is four plain loops (both moving, A moving, B moving,
// both fixed) compiled for AVX-512, AVX2+FMA and SSE2 and picked at load time. Outputs of 64K
// elements or more are cut into tasks of at most 16K elements (long runs split, short runs whole)
// and shared by the OpenMP team; each task finds its operand offsets from its run index. A fused
// Relu/Clip is applied per piece; with equal operand shapes the kernel also runs in a neighbour's
// native layout (Kernel::works_in_any_layout).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ops/binary/binary.h"
#include "ops/binary/broadcast.h"
#include "ops/common.h"
#include "ops/vector_math.h"

namespace algoscope::ops::binary {
namespace {

using namespace vmath;

// The direct kernel's operation: the four arithmetic ops, plus Pow rewritten as products.
enum class DirectOp { Add, Sub, Mul, Div, Copy, Square, Cube };

template <class F>
ALGOSCOPE_INLINE void loops(const float* __restrict a, int64_t sa, const float* __restrict b,
                            int64_t sb, float* __restrict y, int64_t n, F f) {
  if (sa == 1 && sb == 1) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], b[i]);
  } else if (sa == 1) {
    const float vb = *b;
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], vb);
  } else if (sb == 1) {
    const float va = *a;
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = f(va, b[i]);
  } else {
    const float v = f(*a, *b);
    for (int64_t i = 0; i < n; ++i) y[i] = v;
  }
}

ALGOSCOPE_INLINE void run_chunk_body(DirectOp op, const float* a, int64_t sa, const float* b,
                                     int64_t sb, float* y, int64_t n) {
  switch (op) {
    case DirectOp::Add:
      return loops(a, sa, b, sb, y, n, [](float u, float v) { return u + v; });
    case DirectOp::Sub:
      return loops(a, sa, b, sb, y, n, [](float u, float v) { return u - v; });
    case DirectOp::Mul:
      return loops(a, sa, b, sb, y, n, [](float u, float v) { return u * v; });
    case DirectOp::Div:
      return loops(a, sa, b, sb, y, n, [](float u, float v) { return u / v; });
    case DirectOp::Copy:
      return loops(a, sa, b, sb, y, n, [](float u, float) { return u; });
    case DirectOp::Square:
      return loops(a, sa, b, sb, y, n, [](float u, float) { return u * u; });
    case DirectOp::Cube:
      return loops(a, sa, b, sb, y, n, [](float u, float) { return u * u * u; });
  }
}
ALGOSCOPE_SIMD_VARIANTS(run_chunk, run_chunk_body)

// Pow's exponent when it is a constant scalar float the kernel can rewrite; 0 otherwise.
int constant_exponent(const Layer& layer) {
  const Tensor* e = layer.constant(1);
  if (!e || e->dtype() != DType::Float32 || e->numel() != 1) return 0;
  const float v = e->data<float>()[0];
  return v == 1.0f ? 1 : v == 2.0f ? 2 : v == 3.0f ? 3 : 0;
}

// The fused activation (a Relu after a residual Add) is applied to each piece while it is still
// in cache. With operands of one shape the kernel is layout-agnostic: given a native layout's
// storage size it plans one flat run over all of it, padding included.
class DirectKernel final : public Kernel {
 public:
  DirectKernel(DirectOp op, BroadcastPlan plan, bool same_shapes, Epilogue epilogue)
      : op_(op), plan_(std::move(plan)), same_shapes_(same_shapes), epilogue_(epilogue) {}

  bool works_in_any_layout() const override { return same_shapes_; }
  void use_any_layout(size_t bytes) override {
    const Shape flat{static_cast<int64_t>(bytes / sizeof(float))};
    plan_ = plan_broadcast({flat, flat}, flat);
  }

  void run(KernelIO& io) override {
    const float* a = io.inputs[0]->data<float>();
    const float* b = io.inputs[1]->data<float>();
    float* y = io.outputs[0]->data<float>();
    const BroadcastPlan& plan = plan_;
    if (plan.numel == 0) return;
    const int64_t inner = plan.dims.back();
    const int64_t runs = plan.numel / inner;
    const int64_t sa = plan.inner_stride(0), sb = plan.inner_stride(1);
    if (plan.numel < kParallelMinElements) {
      for_each_run(plan, [&](int64_t o, int64_t n, const int64_t* off) {
        run_chunk(op_, a + off[0], sa, b + off[1], sb, y + o, n);
        epilogue_.apply(y + o, n);
      });
      return;
    }
    // Tasks: each run cut into `pieces` parts of at most kChunkElements; a task recovers its
    // operands' offsets by unravelling its run index over the outer merged dimensions.
    const int64_t pieces = (inner + kChunkElements - 1) / kChunkElements;
    const int64_t piece = (inner + pieces - 1) / pieces;
    const size_t rank = plan.dims.size();
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < runs * pieces; ++t) {
      const int64_t run = t / pieces, begin = (t % pieces) * piece;
      const int64_t n = std::min(piece, inner - begin);
      int64_t oa = 0, ob = 0, rest = run;
      for (size_t d = rank - 1; d-- > 0;) {
        const int64_t i = rest % plan.dims[d];
        rest /= plan.dims[d];
        oa += i * plan.strides[0][d];
        ob += i * plan.strides[1][d];
      }
      float* out = y + run * inner + begin;
      run_chunk(op_, a + oa + begin * sa, sa, b + ob + begin * sb, sb, out, n);
      epilogue_.apply(out, n);
    }
  }

 private:
  DirectOp op_;
  BroadcastPlan plan_;
  bool same_shapes_;
  Epilogue epilogue_;
};

}  // namespace

std::optional<std::string> direct_not_applicable(BinaryOp op, const Layer& layer) {
  const std::string& type = layer.n().op_type;
  for (size_t i = 0; i < 2; ++i)
    if (!layer.has_input(i) || layer.inputs[i].dtype != DType::Float32)
      return "the direct kernel covers float32 only; this " + type + " has a " +
             (layer.has_input(i) ? dtype_name(layer.inputs[i].dtype) : "missing") +
             " operand, which the reference computes";
  if (op == BinaryOp::Pow && constant_exponent(layer) == 0)
    return std::string(
        "the direct kernel computes Pow only for a constant scalar exponent of 1, 2 or 3 (as "
        "plain products); this exponent is a runtime input, a tensor or another value, which "
        "the reference computes with powf");
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_direct(BinaryOp op, const Layer& layer) {
  const std::vector<TensorInfo> out = infer_arithmetic(op, layer);
  DirectOp dop = DirectOp::Add;
  switch (op) {
    case BinaryOp::Add:
      dop = DirectOp::Add;
      break;
    case BinaryOp::Sub:
      dop = DirectOp::Sub;
      break;
    case BinaryOp::Mul:
      dop = DirectOp::Mul;
      break;
    case BinaryOp::Div:
      dop = DirectOp::Div;
      break;
    case BinaryOp::Pow: {
      const int e = constant_exponent(layer);
      dop = e == 1 ? DirectOp::Copy : e == 2 ? DirectOp::Square : DirectOp::Cube;
      break;
    }
    default:
      throw Error("the direct kernel does not compute this op");
  }
  const bool same_shapes =
      layer.inputs[0].shape == out[0].shape && layer.inputs[1].shape == out[0].shape;
  return std::make_unique<DirectKernel>(
      dop, plan_broadcast({layer.inputs[0].shape, layer.inputs[1].shape}, out[0].shape),
      same_shapes, Epilogue::of(layer));
}

AlgorithmText direct_text(BinaryOp op) {
  const bool pow = op == BinaryOp::Pow;
  return {pow ? "x*x / x*x*x for a constant exponent 2 / 3, SIMD and multi-threaded"
              : "SIMD loops over the broadcast plan's runs, multi-threaded for large outputs",
          std::string(kBroadcastText) +
              " Each run then has every operand either contiguous or one repeated value, so the "
              "kernel is one of four branch-free loops, compiled for AVX-512, AVX2+FMA and SSE2 "
              "and chosen for the running CPU at load time. Outputs of 64K elements or more are "
              "cut into tasks of at most 16K elements (long runs split, short runs kept whole) "
              "that the OpenMP team shares; each task recomputes its operands' offsets from its "
              "run index, so no per-element index arithmetic remains. It wins over the reference "
              "on large tensors (threads) and on patterns whose runs are long: equal shapes, "
              "scalars, a row or a channel bias [1, C, 1, 1]. A Relu or Clip the loader fused "
              "into an Add is applied to each piece while it is in cache. With both operands of "
              "the output's shape the kernel works in any layout, so between oneDNN convolutions "
              "(a ResNet's residual Add) it adds their blocked nChw16c tensors directly and no "
              "reorder to plain NCHW runs. Covers float32 only." +
              (pow ? " Pow: only a constant scalar exponent 1, 2 or 3, computed as x, x*x and "
                     "x*x*x instead of powf (the x ** 2 of exported LayerNorm); x*x is correctly "
                     "rounded, x*x*x rounds twice (within 1 ulp of powf)."
                   : " Numerics: the same single float operation per element as the reference, "
                     "so the results are bit-identical.")};
}

}  // namespace algoscope::ops::binary
