// The `direct` algorithm of the comparisons (Equal, Less, Greater, LessOrEqual, GreaterOrEqual),
// the logical And, Or and Xor, and Where, for the case that needs no broadcast plan: every operand
// already has the output's shape, so element i of the output reads element i of each operand. The
// loop is one branch-free flat pass compiled for AVX-512, AVX2 and SSE2 (picked at load time, see
// vector_math.h) and cut into 16K-element chunks that the OpenMP team shares for outputs of 64K
// elements or more. Broadcast operands (a mask against a scalar) stay with the reference, whose
// plan handles any pattern.
#include <algorithm>
#include <string>

#include "ops/binary/binary.h"
#include "ops/binary/broadcast.h"
#include "ops/common.h"
#include "ops/vector_math.h"

namespace algoscope::ops::binary {
namespace {

using namespace vmath;

template <class T, class F>
ALGOSCOPE_INLINE void predicate_loop(const T* __restrict a, const T* __restrict b,
                                     bool* __restrict y, int64_t n, F f) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], b[i]);
}

// T is float, int32_t or int64_t: one compare per element.
template <class T>
ALGOSCOPE_INLINE void compare_chunk_body(BinaryOp op, const T* a, const T* b, bool* y, int64_t n) {
  switch (op) {
    case BinaryOp::Equal:
      return predicate_loop(a, b, y, n, [](T u, T v) { return u == v; });
    case BinaryOp::Less:
      return predicate_loop(a, b, y, n, [](T u, T v) { return u < v; });
    case BinaryOp::Greater:
      return predicate_loop(a, b, y, n, [](T u, T v) { return u > v; });
    case BinaryOp::LessOrEqual:
      return predicate_loop(a, b, y, n, [](T u, T v) { return u <= v; });
    case BinaryOp::GreaterOrEqual:
      return predicate_loop(a, b, y, n, [](T u, T v) { return u >= v; });
    default:
      return;
  }
}
ALGOSCOPE_SIMD_VARIANTS(compare_chunk, compare_chunk_body)

// Bools are bytes holding 0 or 1, so the bitwise operations are the logical ones and vectorize as
// byte-wide and/or/xor.
ALGOSCOPE_INLINE void logic_chunk_body(BinaryOp op, const bool* a, const bool* b, bool* y,
                                       int64_t n) {
  switch (op) {
    case BinaryOp::And:
      return predicate_loop(a, b, y, n, [](bool u, bool v) { return u & v; });
    case BinaryOp::Or:
      return predicate_loop(a, b, y, n, [](bool u, bool v) { return u | v; });
    case BinaryOp::Xor:
      return predicate_loop(a, b, y, n, [](bool u, bool v) { return u ^ v; });
    default:
      return;
  }
}
ALGOSCOPE_SIMD_VARIANTS(logic_chunk, logic_chunk_body)

// T is the unsigned carrier of the element's size: selecting copies bits. Written as a bit select
// under an all-ones or all-zeros mask, since the compiler keeps `c ? x : y` as a branch.
template <class T>
ALGOSCOPE_INLINE void where_chunk_body(const bool* __restrict c, const T* __restrict x,
                                       const T* __restrict y, T* __restrict z, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    const T mask = static_cast<T>(T{0} - static_cast<T>(c[i]));
    z[i] = static_cast<T>((x[i] & mask) | (y[i] & static_cast<T>(~mask)));
  }
}
ALGOSCOPE_SIMD_VARIANTS(where_chunk, where_chunk_body)

// Calls chunk(begin, count) over [0, n) in kChunkElements pieces, on the OpenMP team when n is
// large enough to pay for waking it.
template <class Chunk>
void for_each_chunk(int64_t n, Chunk chunk) {
  const int64_t chunks = (n + kChunkElements - 1) / kChunkElements;
#pragma omp parallel for schedule(static) if (n >= kParallelMinElements)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t begin = c * kChunkElements;
    chunk(begin, std::min(kChunkElements, n - begin));
  }
}

}  // namespace

std::optional<std::string> where_direct_not_applicable(const Layer& layer) {
  const std::string& type = layer.n().op_type;
  std::vector<Shape> shapes;
  for (size_t i = 0; i < layer.inputs.size(); ++i) {
    if (!layer.has_input(i)) return type + " misses input " + std::to_string(i);
    shapes.push_back(layer.inputs[i].shape);
  }
  const Shape out = broadcast_shapes(shapes);
  for (size_t i = 0; i < shapes.size(); ++i)
    if (shapes[i] != out)
      return "the direct kernel needs every operand in the output's shape " + shape_to_string(out) +
             "; input " + std::to_string(i) + " is " + shape_to_string(shapes[i]) +
             " and is broadcast, which the reference's plan does";
  return std::nullopt;
}

std::optional<std::string> select_direct_not_applicable(BinaryOp op, const Layer& layer) {
  if (auto why = where_direct_not_applicable(layer)) return why;
  const DType t = layer.inputs[0].dtype;
  if (is_comparison(op) && t != DType::Float32 && t != DType::Int64 && t != DType::Int32)
    return "the direct kernel compares float32, int64 and int32; this " + layer.n().op_type +
           " has " + dtype_name(t) + " operands, which the reference computes";
  return std::nullopt;
}

std::unique_ptr<Kernel> prepare_select_direct(BinaryOp op, const Layer& layer) {
  infer_binary(op, layer);  // validates the node as shape inference does
  return make_kernel([op](KernelIO& io) {
    const Tensor& a = *io.inputs[0];
    const Tensor& b = *io.inputs[1];
    bool* y = io.outputs[0]->data<bool>();
    if (is_logical(op)) {
      const bool* pa = a.data<bool>();
      const bool* pb = b.data<bool>();
      for_each_chunk(a.numel(), [&](int64_t begin, int64_t count) {
        logic_chunk(op, pa + begin, pb + begin, y + begin, count);
      });
      return;
    }
    auto compare = [&](auto tag) {
      using T = decltype(tag);
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      for_each_chunk(a.numel(), [&](int64_t begin, int64_t count) {
        compare_chunk(op, pa + begin, pb + begin, y + begin, count);
      });
    };
    switch (a.dtype()) {
      case DType::Float32:
        return compare(float{});
      case DType::Int64:
        return compare(int64_t{});
      case DType::Int32:
        return compare(int32_t{});
      default:
        throw Error(std::string("the direct kernel does not compare ") + dtype_name(a.dtype()));
    }
  });
}

std::unique_ptr<Kernel> prepare_where_direct(const Layer& layer) {
  infer_where(layer);
  return make_kernel([](KernelIO& io) {
    const bool* c = io.inputs[0]->data<bool>();
    const Tensor& x = *io.inputs[1];
    with_carrier(x.dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      const T* px = static_cast<const T*>(x.raw());
      const T* py = static_cast<const T*>(io.inputs[2]->raw());
      T* pz = static_cast<T*>(io.outputs[0]->raw());
      for_each_chunk(x.numel(), [&](int64_t begin, int64_t count) {
        where_chunk(c + begin, px + begin, py + begin, pz + begin, count);
      });
    });
  });
}

namespace {

const char* const kFlatText =
    "When every operand has the output's shape, element i of the output reads element i of each "
    "operand: no broadcast plan, one flat branch-free loop that the compiler vectorizes, compiled "
    "for AVX-512, AVX2 and SSE2 and picked for the running CPU at load time. Outputs of 64K "
    "elements or more are cut into 16K-element chunks that the OpenMP team shares. Extra memory: "
    "none. It wins over the reference on large tensors (threads, and wide compares that write "
    "16 to 64 results per instruction); with a broadcast operand it does not apply and the "
    "reference's plan runs.";

}  // namespace

AlgorithmText select_direct_text(BinaryOp op) {
  return {"one SIMD pass over same-shape operands, multi-threaded for large outputs",
          std::string(kFlatText) +
              (is_logical(op) ? " Covers bool operands; bools are 0/1 bytes, so the bitwise "
                                "and/or/xor is the logical one. Exact."
                              : " Covers float32, int64 and int32 operands. Exact: the same "
                                "comparison per element as the reference.")};
}

AlgorithmText where_direct_text() {
  return {"one SIMD blend over same-shape operands, multi-threaded for large outputs",
          std::string(kFlatText) +
              " The selection is a blend of the two inputs' bits under the condition, for "
              "every element type. Exact."};
}

}  // namespace algoscope::ops::binary
