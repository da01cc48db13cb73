// The binary family's registry: Add, Sub, Mul, Div, Pow, Mod, Equal, Less, Greater, LessOrEqual,
// GreaterOrEqual, And, Or, Xor, Where, Min, Max, Sum, Mean and PRelu with their algorithms, in
// registry order. This is the one place where the family's algorithm names are spelled; each
// algorithm lives in the file of the same name, with its text (<name>_text(op)).
#include "cuda/variants.h"
#include "ops/binary/binary.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_binary(Registry& registry) {
  using namespace binary;
  struct Arithmetic {
    const char* op_type;
    BinaryOp op;
    const char* summary;
  };
  const Arithmetic arithmetic[] = {
      {"Add", BinaryOp::Add, "elementwise sum with broadcasting"},
      {"Sub", BinaryOp::Sub, "elementwise difference with broadcasting"},
      {"Mul", BinaryOp::Mul, "elementwise product with broadcasting"},
      {"Div", BinaryOp::Div, "elementwise quotient with broadcasting"},
      {"Pow", BinaryOp::Pow, "elementwise power with broadcasting; result has the base's type"},
  };
  for (const Arithmetic& a : arithmetic) {
    const BinaryOp op = a.op;
    add_op(registry,
           {.op_type = a.op_type,
            .summary = a.summary,
            .infer = [op](const Layer& l) { return infer_arithmetic(op, l); },
            .flops = elementwise_flops},
           {
               {reference_text(op),
                {.name = kReference,
                 .prepare = [op](const Layer& l) { return prepare_reference(op, l); }}},
               // Pow's x*x and x*x*x round differently from powf; the others are bit-identical.
               {direct_text(op),
                {.name = "direct",
                 .tolerance = op == BinaryOp::Pow ? Tolerance{1e-6, 1e-6} : Tolerance{0.0, 0.0},
                 .default_priority = 10,
                 .applies_activation = true,
                 .not_applicable = [op](const Layer& l) { return direct_not_applicable(op, l); },
                 .prepare = [op](const Layer& l) { return prepare_direct(op, l); }}},
           });
  }
  // Mod is integer arithmetic first (Swin's window masks); only its reference computes it.
  add_op(registry,
         {.op_type = "Mod",
          .summary = "elementwise remainder with broadcasting (fmod=1: the dividend's sign)",
          .infer = [](const Layer& l) { return infer_binary(BinaryOp::Mod, l); },
          .flops = elementwise_flops},
         {{reference_text(BinaryOp::Mod),
           {.name = kReference, .tolerance = {0.0, 0.0}, .prepare = [](const Layer& l) {
              return prepare_reference(BinaryOp::Mod, l);
            }}}});

  const Arithmetic predicates[] = {
      {"Equal", BinaryOp::Equal, "elementwise equality with broadcasting; bool output"},
      {"Less", BinaryOp::Less, "elementwise A < B with broadcasting; bool output"},
      {"Greater", BinaryOp::Greater, "elementwise A > B with broadcasting; bool output"},
      {"LessOrEqual", BinaryOp::LessOrEqual, "elementwise A <= B with broadcasting; bool output"},
      {"GreaterOrEqual", BinaryOp::GreaterOrEqual,
       "elementwise A >= B with broadcasting; bool output"},
      {"And", BinaryOp::And, "elementwise logical and of bool tensors with broadcasting"},
      {"Or", BinaryOp::Or, "elementwise logical or of bool tensors with broadcasting"},
      {"Xor", BinaryOp::Xor, "elementwise logical xor of bool tensors with broadcasting"},
  };
  for (const Arithmetic& p : predicates) {
    const BinaryOp op = p.op;
    add_op(registry,
           {.op_type = p.op_type,
            .summary = p.summary,
            .infer = [op](const Layer& l) { return infer_binary(op, l); },
            .flops = elementwise_flops},
           {
               {reference_text(op),
                {.name = kReference,
                 .tolerance = {0.0, 0.0},
                 .prepare = [op](const Layer& l) { return prepare_reference(op, l); }}},
               {select_direct_text(op),
                {.name = "direct",
                 .tolerance = {0.0, 0.0},
                 .default_priority = 10,
                 .not_applicable =
                     [op](const Layer& l) { return select_direct_not_applicable(op, l); },
                 .prepare = [op](const Layer& l) { return prepare_select_direct(op, l); }}},
           });
  }
  add_op(registry,
         {.op_type = "Where",
          .summary = "elementwise select: condition ? X : Y with three-way broadcasting",
          .infer = infer_where},
         {{where_reference_text(),
           {.name = kReference, .tolerance = {0.0, 0.0}, .prepare = prepare_where_reference}},
          {where_direct_text(),
           {.name = "direct",
            .tolerance = {0.0, 0.0},
            .default_priority = 10,
            .not_applicable = where_direct_not_applicable,
            .prepare = prepare_where_direct}}});

  struct Nary {
    const char* op_type;
    NaryOp op;
    const char* summary;
  };
  const Nary nary[] = {
      {"Min", NaryOp::Min, "elementwise minimum of 1..N inputs with broadcasting"},
      {"Max", NaryOp::Max, "elementwise maximum of 1..N inputs with broadcasting"},
      {"Sum", NaryOp::Sum, "elementwise sum of 1..N inputs with broadcasting"},
      {"Mean", NaryOp::Mean, "elementwise mean of 1..N inputs with broadcasting"},
      {"PRelu", NaryOp::PRelu, "x if x >= 0 else slope * x, the slope broadcast to x"},
  };
  for (const Nary& v : nary) {
    const NaryOp op = v.op;
    add_op(
        registry,
        {.op_type = v.op_type,
         .summary = v.summary,
         .infer = [op](const Layer& l) { return infer_nary(op, l); },
         .flops = [op](const Layer& l) { return nary_flops(op, l); }},
        {{nary_reference_text(op),
          {.name = kReference,
           // Min and Max only compare; the sums round once per addition in input order.
           .tolerance = op == NaryOp::Min || op == NaryOp::Max ? Tolerance{0.0, 0.0} : Tolerance{},
           .prepare = [op](const Layer& l) { return prepare_nary_reference(op, l); }}}});
  }

  // Our CUDA kernel (engine/cuda/ops/binary/elementwise.cpp): one grid-stride pass on the device.
  {
    const std::pair<const char*, int> ops[] = {
        {"Add", cuda::kAdd}, {"Sub", cuda::kSub}, {"Mul", cuda::kMul}, {"Div", cuda::kDiv}};
    for (const auto& [op_type, variant] : ops)
      add_cuda_algorithm(
          registry, op_type, cuda::kCudaElementwise, variant, "cuda", Tolerance{0.0, 0.0},
          {"one device thread per output element over the merged broadcast plan",
           std::string(kBroadcastText) +
               " On the CUDA device the plan's merged dimensions and per-operand strides go to one "
               "kernel that gives each output element a thread (a grid-stride loop of 256-thread "
               "blocks): equal shapes and scalar operands merge to one dimension and index with a "
               "multiply, other patterns (a channel bias [1, C, 1, 1]) unravel the index over the "
               "few "
               "merged dimensions. A Relu or Clip the loader fused into an Add (a ResNet's "
               "residual "
               "join) is applied in the same pass. Inputs and output live in device memory; the "
               "session inserts transfers where a neighbour runs on the host. It wins whenever its "
               "neighbours run on the device: the pass is memory-bound, and the alternative is a "
               "round "
               "trip to the host. Covers float32 only. Numerics: the same single IEEE operation "
               "per "
               "element as the host (division correctly rounded), so the results are "
               "bit-identical."});
  }

  // Pow on the same kernel (engine/cuda/ops/binary/elementwise.cpp), with a fast path.
  add_cuda_algorithm(
      registry, "Pow", cuda::kCudaElementwise, cuda::kPow, "cuda", Tolerance{1e-6, 2e-6},
      {"one device thread per output element; a constant exponent 2 is one multiply",
       std::string(kBroadcastText) +
           " On the CUDA device the plan's merged dimensions and per-operand strides go to one "
           "kernel that gives each output element a thread (a grid-stride loop of 256-thread "
           "blocks), as for Add. When the exponent is a constant with one element equal to 2 (the "
           "variance of a LayerNorm as torch exports it) the kernel squares the base with one "
           "multiply; any other exponent, constant or computed, broadcast or not, goes through "
           "CUDA's powf. Inputs and output live in device memory. Extra memory: none. It wins "
           "whenever its neighbours run on the device: the pass is memory-bound, and the "
           "alternative is a round trip to the host. Covers float32 base and exponent only. "
           "Numerics: x * x is correctly rounded (the reference's powf gives the same for 2); "
           "CUDA's powf is within a few ulp of the host's libm, not bit-identical."});
}

}  // namespace algoscope::ops
