// The binary family's registry: Add, Sub, Mul, Div, Pow, Equal and Where with their algorithms, in
// registry order. This is the one place where the family's algorithm names are spelled; each
// algorithm lives in the file of the same name, with its text (<name>_text(op)).
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
  add_op(registry,
         {.op_type = "Equal",
          .summary = "elementwise equality with broadcasting; bool output",
          .infer = infer_equal,
          .flops = elementwise_flops},
         {{reference_text(BinaryOp::Equal),
           {.name = kReference, .tolerance = {0.0, 0.0}, .prepare = [](const Layer& l) {
              return prepare_reference(BinaryOp::Equal, l);
            }}}});
  add_op(registry,
         {.op_type = "Where",
          .summary = "elementwise select: condition ? X : Y with three-way broadcasting",
          .infer = infer_where},
         {{where_reference_text(),
           {.name = kReference, .tolerance = {0.0, 0.0}, .prepare = prepare_where_reference}}});
}

}  // namespace algoscope::ops
