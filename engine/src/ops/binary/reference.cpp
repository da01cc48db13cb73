// Reference kernels of the binary family: one plain loop per run of the broadcast plan (see
// broadcast.h). The innermost run has unit or zero strides, so the common cases (equal shapes, a
// scalar operand, a bias along the last axis) are flat loops the compiler vectorizes. Results are
// exactly what one C++ operation per element gives; integer division truncates toward zero.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "ops/binary/binary.h"
#include "ops/binary/broadcast.h"
#include "ops/common.h"

namespace algoscope::ops::binary {
namespace {

// y[i] = f(a[i], b[i]) over the broadcast plan, specialized on which operand moves in a run.
template <class TA, class TB, class TY, class F>
void apply(const BroadcastPlan& plan, const TA* a, const TB* b, TY* y, F f) {
  const int64_t sa = plan.inner_stride(0);
  const int64_t sb = plan.inner_stride(1);
  for_each_run(plan, [&](int64_t out, int64_t n, const int64_t* off) {
    const TA* pa = a + off[0];
    const TB* pb = b + off[1];
    TY* py = y + out;
    if (sa == 1 && sb == 1) {
      for (int64_t i = 0; i < n; ++i) py[i] = f(pa[i], pb[i]);
    } else if (sa == 1) {
      const TB vb = *pb;
      for (int64_t i = 0; i < n; ++i) py[i] = f(pa[i], vb);
    } else if (sb == 1) {
      const TA va = *pa;
      for (int64_t i = 0; i < n; ++i) py[i] = f(va, pb[i]);
    } else {
      const TY v = f(*pa, *pb);
      for (int64_t i = 0; i < n; ++i) py[i] = v;
    }
  });
}

// Calls f(T{}) with the C++ type of a numeric element type; arithmetic on bool is not ONNX's.
template <class F>
void with_numeric(DType dtype, F&& f) {
  visit_dtype(dtype, [&](auto tag) {
    if constexpr (std::is_same_v<decltype(tag), bool>)
      throw Error("unsupported element type bool");
    else
      f(tag);
  });
}

template <class T>
T divide(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    // Integer division by zero would kill the process; ONNX leaves it undefined, we give 0.
    if (b == 0) return 0;
    if (a == std::numeric_limits<T>::min() && b == -1)
      return a;  // overflow: wrap like two's complement
  }
  return a / b;
}

// Mod's two remainders. Integer division by zero gives 0, as for Div; INT_MIN % -1 overflows in
// C++, its remainder is 0.
template <class T>
T remainder(T a, T b, bool fmod) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::fmod(a, b);  // fmod=1 only (infer rejects fmod=0 for floats)
  } else {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return 0;
      const T r = static_cast<T>(a % b);  // truncating: the dividend's sign
      // Python's %: the divisor's sign.
      return !fmod && r != 0 && ((r < 0) != (b < 0)) ? static_cast<T>(r + b) : r;
    } else {
      return static_cast<T>(a % b);
    }
  }
}

// Pow returns the base's type. Floats use powf directly; any integer operand goes through double,
// which is exact for the integer results that fit in 53 bits.
template <class TA, class TB>
TA power(TA a, TB b) {
  if constexpr (std::is_same_v<TA, float> && std::is_same_v<TB, float>) {
    return std::pow(a, b);
  } else {
    double r = std::pow(static_cast<double>(a), static_cast<double>(b));
    if constexpr (std::is_integral_v<TA>) {
      if (!std::isfinite(r)) return 0;
      return static_cast<TA>(r);
    } else {
      return static_cast<TA>(r);
    }
  }
}

void run_arithmetic(BinaryOp op, bool fmod, const BroadcastPlan& plan, const Tensor& a,
                    const Tensor& b, Tensor& y) {
  if (op == BinaryOp::Pow) {
    with_numeric(a.dtype(), [&](auto ta) {
      using TA = decltype(ta);
      with_numeric(b.dtype(), [&](auto tb) {
        using TB = decltype(tb);
        apply(plan, a.data<TA>(), b.data<TB>(), y.data<TA>(),
              [](TA x, TB e) { return power(x, e); });
      });
    });
    return;
  }
  with_numeric(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* py = y.data<T>();
    switch (op) {
      case BinaryOp::Add:
        apply(plan, pa, pb, py, [](T x, T z) -> T { return x + z; });
        break;
      case BinaryOp::Sub:
        apply(plan, pa, pb, py, [](T x, T z) -> T { return x - z; });
        break;
      case BinaryOp::Mul:
        apply(plan, pa, pb, py, [](T x, T z) -> T { return x * z; });
        break;
      case BinaryOp::Div:
        apply(plan, pa, pb, py, [](T x, T z) { return divide(x, z); });
        break;
      case BinaryOp::Mod:
        apply(plan, pa, pb, py, [fmod](T x, T z) { return remainder(x, z, fmod); });
        break;
      default:
        break;
    }
  });
}

void run_comparison(BinaryOp op, const BroadcastPlan& plan, const Tensor& a, const Tensor& b,
                    Tensor& y) {
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    bool* py = y.data<bool>();
    switch (op) {
      case BinaryOp::Equal:
        return apply(plan, pa, pb, py, [](T x, T z) { return x == z; });
      case BinaryOp::Less:
        return apply(plan, pa, pb, py, [](T x, T z) { return x < z; });
      case BinaryOp::Greater:
        return apply(plan, pa, pb, py, [](T x, T z) { return x > z; });
      case BinaryOp::LessOrEqual:
        return apply(plan, pa, pb, py, [](T x, T z) { return x <= z; });
      case BinaryOp::GreaterOrEqual:
        return apply(plan, pa, pb, py, [](T x, T z) { return x >= z; });
      default:
        return;
    }
  });
}

void run_logical(BinaryOp op, const BroadcastPlan& plan, const Tensor& a, const Tensor& b,
                 Tensor& y) {
  const bool* pa = a.data<bool>();
  const bool* pb = b.data<bool>();
  bool* py = y.data<bool>();
  switch (op) {
    case BinaryOp::And:
      return apply(plan, pa, pb, py, [](bool x, bool z) { return x && z; });
    case BinaryOp::Or:
      return apply(plan, pa, pb, py, [](bool x, bool z) { return x || z; });
    case BinaryOp::Xor:
      return apply(plan, pa, pb, py, [](bool x, bool z) { return x != z; });
    default:
      return;
  }
}

}  // namespace

std::unique_ptr<Kernel> prepare_reference(BinaryOp op, const Layer& layer) {
  std::vector<TensorInfo> out = infer_binary(op, layer);
  const bool fmod = op == BinaryOp::Mod && mod_is_fmod(layer);
  BroadcastPlan plan = plan_broadcast({layer.inputs[0].shape, layer.inputs[1].shape}, out[0].shape);
  return make_kernel([op, fmod, plan = std::move(plan)](KernelIO& io) {
    const Tensor& a = *io.inputs[0];
    const Tensor& b = *io.inputs[1];
    Tensor& y = *io.outputs[0];
    if (is_comparison(op))
      run_comparison(op, plan, a, b, y);
    else if (is_logical(op))
      run_logical(op, plan, a, b, y);
    else
      run_arithmetic(op, fmod, plan, a, b, y);
  });
}

std::unique_ptr<Kernel> prepare_where_reference(const Layer& layer) {
  std::vector<TensorInfo> out = infer_where(layer);
  BroadcastPlan plan = plan_broadcast(
      {layer.inputs[0].shape, layer.inputs[1].shape, layer.inputs[2].shape}, out[0].shape);
  return make_kernel([plan = std::move(plan)](KernelIO& io) {
    const Tensor& c = *io.inputs[0];
    const Tensor& x = *io.inputs[1];
    const Tensor& yv = *io.inputs[2];
    Tensor& z = *io.outputs[0];
    // Selecting copies bits, so any element type goes through an unsigned carrier of its size.
    with_carrier(x.dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      const bool* pc = c.data<bool>();
      const T* px = static_cast<const T*>(x.raw());
      const T* py = static_cast<const T*>(yv.raw());
      T* pz = static_cast<T*>(z.raw());
      const int64_t sc = plan.inner_stride(0), sx = plan.inner_stride(1), sy = plan.inner_stride(2);
      for_each_run(plan, [&](int64_t out, int64_t n, const int64_t* off) {
        for (int64_t i = 0; i < n; ++i)
          pz[out + i] = pc[off[0] + i * sc] ? px[off[1] + i * sx] : py[off[2] + i * sy];
      });
    });
  });
}

std::unique_ptr<Kernel> prepare_nary_reference(NaryOp op, const Layer& layer) {
  std::vector<TensorInfo> out = infer_nary(op, layer);
  std::vector<Shape> shapes;
  for (const TensorInfo& in : layer.inputs) shapes.push_back(in.shape);
  BroadcastPlan plan = plan_broadcast(shapes, out[0].shape);
  return make_kernel([op, plan = std::move(plan)](KernelIO& io) {
    Tensor& y = *io.outputs[0];
    const size_t count = io.inputs.size();
    with_numeric(y.dtype(), [&](auto tag) {
      using T = decltype(tag);
      std::vector<const T*> in(count);
      std::vector<int64_t> stride(count);
      for (size_t k = 0; k < count; ++k) {
        in[k] = io.inputs[k]->data<T>();
        stride[k] = plan.inner_stride(k);
      }
      T* py = y.data<T>();
      for_each_run(plan, [&](int64_t o, int64_t n, const int64_t* off) {
        for (int64_t i = 0; i < n; ++i) {
          T acc = in[0][off[0] + i * stride[0]];
          if (op == NaryOp::PRelu) {
            if constexpr (std::is_signed_v<T>) {  // infer rejects uint8 for PRelu
              const T slope = in[1][off[1] + i * stride[1]];
              py[o + i] = acc < T{0} ? static_cast<T>(slope * acc) : acc;
            }
            continue;
          }
          for (size_t k = 1; k < count; ++k) {
            const T v = in[k][off[k] + i * stride[k]];
            // Min and Max propagate NaN (numpy's minimum / maximum): v != v only for NaN.
            if (op == NaryOp::Min)
              acc = (v < acc || v != v) ? v : acc;
            else if (op == NaryOp::Max)
              acc = (v > acc || v != v) ? v : acc;
            else
              acc = static_cast<T>(acc + v);
          }
          if (op == NaryOp::Mean) acc = static_cast<T>(acc / static_cast<T>(count));
          py[o + i] = acc;
        }
      });
    });
  });
}

AlgorithmText nary_reference_text(NaryOp op) {
  const char* what = "";
  switch (op) {
    case NaryOp::Min:
    case NaryOp::Max:
      what =
          " Each output element folds its inputs left to right with one comparison per extra "
          "input. Exact; a NaN in any input gives NaN, as numpy's minimum / maximum.";
      break;
    case NaryOp::Sum:
    case NaryOp::Mean:
      what =
          " Each output element adds its inputs left to right in float32 (Mean then divides by "
          "their count): one rounding per addition, so the order is the inputs' order.";
      break;
    case NaryOp::PRelu:
      what =
          " The slope is planned as a second operand broadcast to X (a per-channel slope [C, 1, "
          "1] gets stride 0 inside each channel); each element is x, or slope * x when x < 0: one "
          "rounding.";
      break;
  }
  return {"plain loops over a precomputed broadcast plan", std::string(kBroadcastText) + what};
}

const char* const kBroadcastText =
    "The input shapes are broadcast with numpy rules once, when the kernel is prepared: adjacent "
    "dimensions that every operand treats alike are merged and each operand gets a stride per "
    "merged dimension (0 where it is repeated), so equal shapes and scalars become one flat loop. "
    "Extra memory: none beyond the output.";

AlgorithmText reference_text(BinaryOp op) {
  const char* numerics = "One rounding per element in float32; integers wrap.";
  if (op == BinaryOp::Div)
    numerics =
        "Correctly rounded float32 division; integer division truncates toward zero and gives 0 "
        "for a zero divisor.";
  else if (op == BinaryOp::Pow)
    numerics =
        "float32 ** float32 uses powf; any integer operand is computed in double and converted "
        "to the base's type.";
  else if (op == BinaryOp::Mod)
    numerics =
        "fmod=1 is C's fmod (exact; the dividend's sign); fmod=0, for integers only, is the "
        "remainder with the divisor's sign (Python's %). An integer divisor of 0 gives 0.";
  else if (is_comparison(op))
    numerics = "Exact comparison (any comparison with NaN is false; -0 equals +0).";
  else if (is_logical(op))
    numerics = "Exact: bool in, bool out.";
  return {"plain loops over a precomputed broadcast plan",
          std::string(kBroadcastText) + " " + numerics};
}

AlgorithmText where_reference_text() {
  return {"plain loops over a precomputed broadcast plan",
          std::string(kBroadcastText) +
              " Selection copies the chosen element's bits, so the result is exact for every "
              "type."};
}

}  // namespace algoscope::ops::binary
