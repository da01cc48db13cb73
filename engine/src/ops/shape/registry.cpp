// The shape family's registry: Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat, Split,
// Slice, Gather, Pad, Expand, Constant and ConstantOfShape with their algorithms. This is the one
// place where the family's algorithm names are spelled. Data movement costs no FLOPs, so no op
// here sets a flop count.
#include <string>
#include <utility>

#include "cuda/backend.h"
#include "cuda/variants.h"
#include "ops/registrations.h"
#include "ops/shape/shape.h"

namespace algoscope::ops {
namespace {

using InferFn = std::function<std::vector<TensorInfo>(const Layer&)>;
using PrepareFn = std::function<std::unique_ptr<Kernel>(const Layer&)>;

void add(Registry& registry, std::string op_type, std::string op_summary, InferFn infer,
         std::string summary, std::string teaching, PrepareFn prepare) {
  Algorithm a;
  a.name = "reference";
  a.backend = Backend::Cpu;
  a.summary = std::move(summary);
  a.teaching = std::move(teaching) + " Moves bits only, so the result is exact for every type.";
  a.tolerance = Tolerance{0.0, 0.0};
  a.default_priority = 0;
  a.prepare = std::move(prepare);

  OpDefinition def;
  def.op_type = std::move(op_type);
  def.summary = std::move(op_summary);
  def.infer = std::move(infer);
  def.algorithms.push_back(std::move(a));
  registry.add_op(std::move(def));
}

const char* kCopyText =
    "The row-major bytes do not change, only the shape: one memcpy of the input (none when the "
    "session aliases the buffers). No extra memory.";

}  // namespace

void register_shape(Registry& registry) {
  using namespace shape;
  add(registry, "Flatten", "reshapes to 2-D around an axis", infer_flatten, "copies the bytes",
      kCopyText, prepare_copy_reference);
  add(registry, "Reshape", "gives the data a new shape (0 copies a dimension, -1 infers one)",
      infer_reshape, "copies the bytes", kCopyText, prepare_copy_reference);
  add(registry, "Squeeze", "removes size-1 dimensions", infer_squeeze, "copies the bytes",
      kCopyText, prepare_copy_reference);
  add(registry, "Unsqueeze", "inserts size-1 dimensions", infer_unsqueeze, "copies the bytes",
      kCopyText, prepare_copy_reference);
  add(registry, "Transpose", "permutes the dimensions", infer_transpose,
      "strided gather in output order",
      "Walks the output in row-major order and reads the input through permuted strides computed "
      "once at prepare time; reads are strided, writes contiguous. No extra memory.",
      prepare_transpose_reference);
  add(registry, "Concat", "joins tensors along an axis", infer_concat, "block copies",
      "Views every tensor as [outer, axis x inner]: each input contributes one contiguous block "
      "per outer row, copied with memcpy. No extra memory.",
      prepare_concat_reference);
  add(registry, "Split", "cuts a tensor into parts along an axis", infer_split, "block copies",
      "The inverse of Concat: each output receives one contiguous block of every outer row, "
      "copied with memcpy. No extra memory.",
      prepare_split_reference);
  add(registry, "Slice", "takes a strided window (negative steps reverse)", infer_slice,
      "strided gather in output order",
      "Starts, ends and steps are clamped once at prepare time into an offset and one stride per "
      "dimension (negative for reversed axes); the kernel walks the output in row-major order. "
      "No extra memory.",
      prepare_slice_reference);
  add(registry, "Gather", "picks entries along an axis by index", infer_gather, "row copies",
      "Views the data as [outer, axis, inner] and copies one contiguous inner row per (outer, "
      "index) pair; negative indices count from the end and out-of-range ones are an error. "
      "Extra memory: the indices as int64 (8 bytes each).",
      prepare_gather_reference);
  add(registry, "Pad", "pads with a constant, a reflection or the edge value", infer_pad,
      "index tables per dimension",
      "At prepare time each dimension gets a table mapping output to input index (or to the "
      "constant) for the mode; the kernel walks the output through those tables. Extra memory: "
      "one int64 per output index per dimension.",
      prepare_pad_reference);
  add(registry, "Expand", "broadcasts to a larger shape", infer_expand, "broadcast copy",
      "Copies through the same broadcast plan as the elementwise ops: a stride of 0 along "
      "repeated dimensions, collapsed dimensions computed once at prepare time. No extra memory.",
      prepare_expand_reference);
  add(registry, "Constant", "a tensor stored in the node", infer_constant, "copies the value",
      "The value attribute is converted to a tensor once at prepare time and copied to the "
      "output each run (the loader folds it into a constant). Extra memory: one copy of the "
      "value.",
      prepare_constant_reference);
  add(registry, "ConstantOfShape", "a tensor of a given shape filled with one value",
      infer_constant_of_shape, "fills the output",
      "Writes the one value into every element of the output. No extra memory.",
      prepare_constant_of_shape_reference);

  // Our CUDA data movement (engine/cuda/ops/shape/movement.cpp): the glue between a network's
  // layers stays on the device.
  {
    const char* kDevice =
        " Input and output live in device memory; the session inserts transfers where a "
        "neighbour runs on the host. It wins whenever its neighbours run on the device: the "
        "alternative is a round trip to the host. Moves bits only, so the result is exact for "
        "every type.";
    for (const char* op_type : {"Flatten", "Reshape", "Squeeze", "Unsqueeze"}) {
      Algorithm a = cuda::algorithm(cuda::kCudaCopy, 0);
      a.name = "cuda";
      a.summary = "one device-to-device copy of the bytes";
      a.teaching = std::string(
                       "The bytes of the output are the input's in the same order; only the shape "
                       "changes. On the CUDA device this is one cudaMemcpyAsync from the input to "
                       "the output buffer (the shape input, where there is one, is a constant "
                       "that is never read). Extra memory: none.") +
                   kDevice;
      a.tolerance = Tolerance{0.0, 0.0};
      registry.add_algorithm(op_type, std::move(a));
    }
    Algorithm t = cuda::algorithm(cuda::kCudaTranspose, 0);
    t.name = "cuda";
    t.summary = "one device thread per output element gathers from the permuted input offset";
    t.teaching = std::string(
                     "On the CUDA device, each output element gets a thread that unravels its "
                     "index over the output dimensions and reads the input at the sum of the "
                     "permuted input strides: writes coalesce, reads are strided. Up to 8 "
                     "dimensions. Extra memory: none.") +
                 kDevice;
    t.tolerance = Tolerance{0.0, 0.0};
    registry.add_algorithm("Transpose", std::move(t));
    Algorithm c = cuda::algorithm(cuda::kCudaConcat, 0);
    c.name = "cuda";
    c.summary = "one strided 2-D device copy (cudaMemcpy2DAsync) per input";
    c.teaching = std::string(
                     "The output is viewed as [outer, total * inner] around the axis; each input "
                     "fills a band of columns of width (its extent * inner), which is one "
                     "cudaMemcpy2DAsync from the input to the output with the output's row "
                     "pitch: the copy engine does the strides, no kernel of ours runs. Extra "
                     "memory: none.") +
                 kDevice;
    c.tolerance = Tolerance{0.0, 0.0};
    registry.add_algorithm("Concat", std::move(c));
  }
}

}  // namespace algoscope::ops
