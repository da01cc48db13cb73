// The binary family's registry: Add, Sub, Mul, Div, Pow, Equal and Where with their algorithms.
// This is the one place where the family's algorithm names are spelled.
#include <string>
#include <utility>

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
}

}  // namespace algoscope::ops
