// The binary family's registry: Add, Sub, Mul, Div, Pow, Equal and Where with their algorithms.
// This is the one place where the family's algorithm names are spelled.
#include <string>
#include <utility>

#include "cuda/backend.h"
#include "cuda/variants.h"
#include "ops/binary/binary.h"
#include "ops/registrations.h"

namespace algoscope::ops {
namespace {

// Every op of the family has the same reference algorithm shape; only the op-specific sentences
// and the kernel differ.
Algorithm reference(std::string teaching,
                    std::function<std::unique_ptr<Kernel>(const Layer&)> prepare,
                    Tolerance tolerance = {}) {
  Algorithm a;
  a.name = "reference";
  a.backend = Backend::Cpu;
  a.summary = "plain loops over a precomputed broadcast plan";
  a.teaching = std::move(teaching);
  a.tolerance = tolerance;
  a.default_priority = 0;
  a.prepare = std::move(prepare);
  return a;
}

const char* kBroadcastText =
    "The input shapes are broadcast with numpy rules once, when the kernel is prepared: adjacent "
    "dimensions that every operand treats alike are merged and each operand gets a stride per "
    "merged dimension (0 where it is repeated), so equal shapes and scalars become one flat loop. "
    "Extra memory: none beyond the output.";

// The vectorized float32 kernel (binary/direct.cpp) of Add, Sub, Mul, Div and Pow.
Algorithm direct(binary::BinaryOp op) {
  const bool pow = op == binary::BinaryOp::Pow;
  Algorithm a;
  a.name = "direct";
  a.backend = Backend::Cpu;
  a.summary = pow ? "x*x / x*x*x for a constant exponent 2 / 3, SIMD and multi-threaded"
                  : "SIMD loops over the broadcast plan's runs, multi-threaded for large outputs";
  a.teaching =
      std::string(kBroadcastText) +
      " Each run then has every operand either contiguous or one repeated value, so the kernel "
      "is one of four branch-free loops, compiled for AVX-512, AVX2+FMA and SSE2 and chosen for "
      "the running CPU at load time. Outputs of 64K elements or more are cut into tasks of at "
      "most 16K elements (long runs split, short runs kept whole) that the OpenMP team shares; "
      "each task recomputes its operands' offsets from its run index, so no per-element index "
      "arithmetic remains. It wins over the reference on large tensors (threads) and on "
      "patterns whose runs are long: equal shapes, scalars, a row or a channel bias "
      "[1, C, 1, 1]. A Relu or Clip the loader fused into an Add is applied to each piece "
      "while it is in cache. With both operands of the output's shape the kernel works in any "
      "layout, so between oneDNN convolutions (a ResNet's residual Add) it adds their blocked "
      "nChw16c tensors directly and no reorder to plain NCHW runs. Covers float32 only." +
      (pow ? std::string(
                 " Pow: only a constant scalar exponent 1, 2 or 3, computed as x, x*x and x*x*x "
                 "instead of powf (the x ** 2 of exported LayerNorm); x*x is correctly rounded, "
                 "x*x*x rounds twice (within 1 ulp of powf).")
           : std::string(" Numerics: the same single float operation per element as the "
                         "reference, so the results are bit-identical."));
  a.tolerance = pow ? Tolerance{1e-6, 1e-6} : Tolerance{0.0, 0.0};
  a.default_priority = 10;
  a.applies_activation = true;
  a.not_applicable = [op](const Layer& layer) { return binary::direct_not_applicable(op, layer); };
  a.prepare = [op](const Layer& layer) { return binary::prepare_direct(op, layer); };
  return a;
}

}  // namespace

void register_binary(Registry& registry) {
  using binary::BinaryOp;
  struct Arithmetic {
    const char* op_type;
    BinaryOp op;
    const char* summary;
    const char* numerics;
  };
  const Arithmetic arithmetic[] = {
      {"Add", BinaryOp::Add, "elementwise sum with broadcasting",
       "One rounding per element in float32; integers wrap."},
      {"Sub", BinaryOp::Sub, "elementwise difference with broadcasting",
       "One rounding per element in float32; integers wrap."},
      {"Mul", BinaryOp::Mul, "elementwise product with broadcasting",
       "One rounding per element in float32; integers wrap."},
      {"Div", BinaryOp::Div, "elementwise quotient with broadcasting",
       "Correctly rounded float32 division; integer division truncates toward zero and gives 0 "
       "for a zero divisor."},
      {"Pow", BinaryOp::Pow, "elementwise power with broadcasting; result has the base's type",
       "float32 ** float32 uses powf; any integer operand is computed in double and converted "
       "to the base's type."},
  };
  for (const Arithmetic& a : arithmetic) {
    OpDefinition def;
    def.op_type = a.op_type;
    def.summary = a.summary;
    BinaryOp op = a.op;
    def.infer = [op](const Layer& layer) { return binary::infer_arithmetic(op, layer); };
    def.flops = binary::elementwise_flops;
    def.algorithms.push_back(
        reference(std::string(kBroadcastText) + " " + a.numerics,
                  [op](const Layer& layer) { return binary::prepare_reference(op, layer); }));
    def.algorithms.push_back(direct(op));
    registry.add_op(std::move(def));
  }

  {
    OpDefinition def;
    def.op_type = "Equal";
    def.summary = "elementwise equality with broadcasting; bool output";
    def.infer = binary::infer_equal;
    def.flops = binary::elementwise_flops;
    def.algorithms.push_back(reference(
        std::string(kBroadcastText) + " Exact comparison (NaN equals nothing, -0 equals +0).",
        [](const Layer& layer) { return binary::prepare_reference(BinaryOp::Equal, layer); },
        Tolerance{0.0, 0.0}));
    registry.add_op(std::move(def));
  }

  {
    OpDefinition def;
    def.op_type = "Where";
    def.summary = "elementwise select: condition ? X : Y with three-way broadcasting";
    def.infer = binary::infer_where;
    def.algorithms.push_back(reference(
        std::string(kBroadcastText) +
            " Selection copies the chosen element's bits, so the result is exact for every type.",
        binary::prepare_where_reference, Tolerance{0.0, 0.0}));
    registry.add_op(std::move(def));
  }

  // Our CUDA kernel (engine/cuda/ops/binary/elementwise.cpp): one grid-stride pass on the device.
  {
    const std::pair<const char*, int> ops[] = {
        {"Add", cuda::kAdd}, {"Sub", cuda::kSub}, {"Mul", cuda::kMul}, {"Div", cuda::kDiv}};
    for (const auto& [op_type, variant] : ops) {
      Algorithm a = cuda::algorithm(cuda::kCudaElementwise, variant);
      a.name = "cuda";
      a.summary = "one device thread per output element over the merged broadcast plan";
      a.teaching =
          std::string(kBroadcastText) +
          " On the CUDA device the plan's merged dimensions and per-operand strides go to one "
          "kernel that gives each output element a thread (a grid-stride loop of 256-thread "
          "blocks): equal shapes and scalar operands merge to one dimension and index with a "
          "multiply, other patterns (a channel bias [1, C, 1, 1]) unravel the index over the few "
          "merged dimensions. A Relu or Clip the loader fused into an Add (a ResNet's residual "
          "join) is applied in the same pass. Inputs and output live in device memory; the "
          "session inserts transfers where a neighbour runs on the host. It wins whenever its "
          "neighbours run on the device: the pass is memory-bound, and the alternative is a round "
          "trip to the host. Covers float32 only. Numerics: the same single IEEE operation per "
          "element as the host (division correctly rounded), so the results are bit-identical.";
      a.tolerance = Tolerance{0.0, 0.0};
      registry.add_algorithm(op_type, std::move(a));
    }
  }
}

}  // namespace algoscope::ops
