// The shape family's registry: Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat, Split,
// Slice, Gather, Pad, Expand, Tile, Constant, ConstantOfShape, Range, DepthToSpace, SpaceToDepth,
// Trilu and EyeLike with their algorithms. This
// is the one place where the family's algorithm names are spelled; each op has only its reference,
// whose text lives next to its kernel (<kernel>_reference_text() in reference.cpp). Data movement
// costs no FLOPs, so no op here sets a flop count.
#include "cuda/variants.h"
#include "ops/registrations.h"
#include "ops/shape/shape.h"

namespace algoscope::ops {

void register_shape(Registry& registry) {
  using namespace shape;
  add_exact_reference_ops(
      registry, {
                    {"Flatten", "reshapes to 2-D around an axis", infer_flatten,
                     copy_reference_text(), prepare_copy_reference},
                    {"Reshape", "gives the data a new shape (0 copies a dimension, -1 infers one)",
                     infer_reshape, copy_reference_text(), prepare_copy_reference},
                    {"Squeeze", "removes size-1 dimensions", infer_squeeze, copy_reference_text(),
                     prepare_copy_reference},
                    {"Unsqueeze", "inserts size-1 dimensions", infer_unsqueeze,
                     copy_reference_text(), prepare_copy_reference},
                    {"Transpose", "permutes the dimensions", infer_transpose,
                     transpose_reference_text(), prepare_transpose_reference},
                    {"Concat", "joins tensors along an axis", infer_concat, concat_reference_text(),
                     prepare_concat_reference},
                    {"Split", "cuts a tensor into parts along an axis", infer_split,
                     split_reference_text(), prepare_split_reference},
                    {"Slice", "takes a strided window (negative steps reverse)", infer_slice,
                     slice_reference_text(), prepare_slice_reference},
                    {"Gather", "picks entries along an axis by index", infer_gather,
                     gather_reference_text(), prepare_gather_reference},
                    {"Pad", "pads with a constant, a reflection or the edge value", infer_pad,
                     pad_reference_text(), prepare_pad_reference},
                    {"Expand", "broadcasts to a larger shape", infer_expand,
                     expand_reference_text(), prepare_expand_reference},
                    {"Tile", "repeats the tensor along each axis", infer_tile,
                     tile_reference_text(), prepare_tile_reference},
                    {"Constant", "a tensor stored in the node", infer_constant,
                     constant_reference_text(), prepare_constant_reference},
                    {"ConstantOfShape", "a tensor of a given shape filled with one value",
                     infer_constant_of_shape, constant_of_shape_reference_text(),
                     prepare_constant_of_shape_reference},
                    {"Range", "the sequence start, start + delta, ... up to limit", infer_range,
                     range_reference_text(), prepare_range_reference},
                    {"DepthToSpace", "moves channel blocks into b x b pixel blocks (DCR or CRD)",
                     infer_depth_to_space, depth_space_reference_text(true),
                     [](const Layer& l) { return prepare_depth_space_reference(l, true); }},
                    {"SpaceToDepth", "moves b x b pixel blocks into channels", infer_space_to_depth,
                     depth_space_reference_text(false),
                     [](const Layer& l) { return prepare_depth_space_reference(l, false); }},
                    {"Trilu", "keeps the upper or lower triangle of each matrix, zeroes the rest",
                     infer_trilu, trilu_reference_text(), prepare_trilu_reference},
                    {"EyeLike", "ones on a diagonal of a 2-D tensor of the input's shape",
                     infer_eye_like, eye_like_reference_text(), prepare_eye_like_reference},
                });

  // The fast host kernels (<op>_direct.cpp): the engine's default, since they never lose to the
  // reference and Concat's lets the memory plan skip its copies.
  const Tolerance exact{0.0, 0.0};
  struct Direct {
    const char* op_type;
    AlgorithmText text;
    std::function<std::unique_ptr<Kernel>(const Layer&)> prepare;
  };
  const Direct directs[] = {
      {"Transpose", transpose_direct_text(), prepare_transpose_direct},
      {"Concat", concat_direct_text(), prepare_concat_direct},
      {"Split", split_direct_text(), prepare_split_direct},
      {"Slice", slice_direct_text(), prepare_slice_direct},
  };
  for (const Direct& d : directs)
    add_algorithms(
        registry, d.op_type,
        {{d.text,
          {.name = "direct", .tolerance = exact, .default_priority = 10, .prepare = d.prepare}}});

  // Our CUDA data movement (engine/cuda/ops/shape/movement.cpp and gather.cpp): the glue between
  // a network's layers (and ViT's class-token pick and weight splits) stays on the device.
  const std::string on_device =
      " Input and output live in device memory; the session inserts transfers where a neighbour "
      "runs on the host. It wins whenever its neighbours run on the device: the alternative is a "
      "round trip to the host. Moves bits only, so the result is exact for every type.";
  const char* copy_teaching =
      "The bytes of the output are the input's in the same order; only the shape changes. On the "
      "CUDA device this is one cudaMemcpyAsync from the input to the output buffer (the shape "
      "input, where there is one, is a constant that is never read). Extra memory: none.";
  const char* copy_summary = "one device-to-device copy of the bytes";
  struct DeviceMove {
    const char* op_type;
    const char* family;  // variants.h
    const char* summary;
    const char* teaching;
  };
  const DeviceMove moves[] = {
      {"Flatten", cuda::kCudaCopy, copy_summary, copy_teaching},
      {"Reshape", cuda::kCudaCopy, copy_summary, copy_teaching},
      {"Squeeze", cuda::kCudaCopy, copy_summary, copy_teaching},
      {"Unsqueeze", cuda::kCudaCopy, copy_summary, copy_teaching},
      {"Transpose", cuda::kCudaTranspose,
       "one device thread per output element gathers from the permuted input offset",
       "On the CUDA device, each output element gets a thread that unravels its index over the "
       "output dimensions and reads the input at the sum of the permuted input strides: writes "
       "coalesce, reads are strided. Up to 8 dimensions. Extra memory: none."},
      {"Concat", cuda::kCudaConcat, "one strided 2-D device copy (cudaMemcpy2DAsync) per input",
       "The output is viewed as [outer, total * inner] around the axis; each input fills a band "
       "of columns of width (its extent * inner), which is one cudaMemcpy2DAsync from the input "
       "to the output with the output's row pitch: the copy engine does the strides, no kernel "
       "of ours runs. Extra memory: none."},
      {"Slice", cuda::kCudaSlice, "one device thread per output element reads the strided window",
       "The slice is a strided window of the input, decoded as the reference decodes it "
       "(constant starts, ends, axes and steps; negative values and clamping). On the CUDA "
       "device the transpose kernel does the copy: output dimension d advances the input by step "
       "* stride (negative for a reversed axis), the input pointer starts at the window's first "
       "element, and each output element gets a thread that unravels its index; size-1 "
       "dimensions are dropped, up to 8 others. Writes coalesce; reads coalesce where the "
       "innermost step is 1. Extra memory: none."},
      {"Gather", cuda::kCudaGather,
       "one device thread per output element copies from its gathered index",
       "The data is viewed as [outer, axis, inner] and the output as [outer, indices, inner]; "
       "each output element gets a thread that reads its index (a negative one counts from the "
       "axis' end) and copies the input element at that position. Constant indices are checked "
       "on the host and uploaded once as int64 when the layer is prepared; computed int64 or "
       "int32 indices are read from device memory each run, and one out of range gives zero bits "
       "instead of an error (the reference raises). Reads and writes coalesce along inner. Extra "
       "memory: 8 bytes per constant index, on the device."},
  };
  for (const DeviceMove& move : moves)
    add_cuda_algorithm(registry, move.op_type, move.family, 0, "cuda", Tolerance{0.0, 0.0},
                       {move.summary, move.teaching + on_device});
}

}  // namespace algoscope::ops
