// The shape family: ops that move or describe data without arithmetic (Flatten, Reshape,
// Transpose, Squeeze, Unsqueeze, Concat, Split, Slice, Gather, Pad, Expand, Tile, Constant,
// ConstantOfShape, Range, DepthToSpace, SpaceToDepth, Trilu, EyeLike). infer.cpp decodes each op's
// attributes and inputs across opsets into the parameter structs below (shared by shape inference
// and the kernels, so both read a node the same way); reference.cpp holds the plain-loop kernels;
// registry.cpp names the algorithms.
//
// Shape-defining inputs (Reshape's shape, Slice's starts/ends/axes/steps, Squeeze/Unsqueeze axes,
// Split's split, Pad's pads, Expand's shape, Tile's repeats, ConstantOfShape's shape, Range's
// start, limit and delta) must be constants: shapes are static in this engine.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::shape {

std::vector<TensorInfo> infer_flatten(const Layer& layer);
std::vector<TensorInfo> infer_reshape(const Layer& layer);
std::vector<TensorInfo> infer_transpose(const Layer& layer);
std::vector<TensorInfo> infer_squeeze(const Layer& layer);
std::vector<TensorInfo> infer_unsqueeze(const Layer& layer);
std::vector<TensorInfo> infer_concat(const Layer& layer);
std::vector<TensorInfo> infer_split(const Layer& layer);
std::vector<TensorInfo> infer_slice(const Layer& layer);
std::vector<TensorInfo> infer_gather(const Layer& layer);
std::vector<TensorInfo> infer_pad(const Layer& layer);
std::vector<TensorInfo> infer_expand(const Layer& layer);
std::vector<TensorInfo> infer_tile(const Layer& layer);
std::vector<TensorInfo> infer_constant(const Layer& layer);
std::vector<TensorInfo> infer_constant_of_shape(const Layer& layer);
std::vector<TensorInfo> infer_range(const Layer& layer);

// Transpose: output dimension d is input dimension perm[d] (default: reversed).
std::vector<int64_t> transpose_perm(const Layer& layer);
// Concat and Gather: the axis, normalized into [0, rank).
int64_t concat_axis(const Layer& layer);
int64_t gather_axis(const Layer& layer);

struct SplitParams {
  int64_t axis = 0;
  std::vector<int64_t> sizes;  // one per output, summing to the axis' length
};
SplitParams split_params(const Layer& layer);

// Slice as a strided window over every dimension (untouched dimensions: start 0, step 1).
struct SliceParams {
  std::vector<int64_t> starts;
  std::vector<int64_t> steps;
  Shape out;
};
SliceParams slice_params(const Layer& layer);

enum class PadMode { Constant, Reflect, Edge };
struct PadParams {
  PadMode mode = PadMode::Constant;
  std::vector<int64_t> begin;  // per dimension; negative values crop
  std::vector<int64_t> end;
  // Constant mode: the fill element in the data's type (bytes), unless it comes from a runtime
  // constant_value input (then value_input is true and the kernel reads it each run).
  std::array<std::byte, 8> value{};
  bool value_input = false;
  Shape out;
};
PadParams pad_params(const Layer& layer);

// Constant's value from whichever value* attribute it has; ConstantOfShape's one-element value
// (float32 0 by default).
Tensor constant_value(const Layer& layer);
Tensor constant_of_shape_value(const Layer& layer);

// Flatten, Reshape, Squeeze, Unsqueeze: the same bytes under a new shape.
std::unique_ptr<Kernel> prepare_copy_reference(const Layer& layer);
AlgorithmText copy_reference_text();
std::unique_ptr<Kernel> prepare_transpose_reference(const Layer& layer);
AlgorithmText transpose_reference_text();
std::unique_ptr<Kernel> prepare_concat_reference(const Layer& layer);
AlgorithmText concat_reference_text();
std::unique_ptr<Kernel> prepare_split_reference(const Layer& layer);
AlgorithmText split_reference_text();
std::unique_ptr<Kernel> prepare_slice_reference(const Layer& layer);
AlgorithmText slice_reference_text();
std::unique_ptr<Kernel> prepare_gather_reference(const Layer& layer);
AlgorithmText gather_reference_text();
std::unique_ptr<Kernel> prepare_pad_reference(const Layer& layer);
AlgorithmText pad_reference_text();
std::unique_ptr<Kernel> prepare_expand_reference(const Layer& layer);
AlgorithmText expand_reference_text();
std::unique_ptr<Kernel> prepare_tile_reference(const Layer& layer);
AlgorithmText tile_reference_text();
std::unique_ptr<Kernel> prepare_constant_reference(const Layer& layer);
AlgorithmText constant_reference_text();
std::unique_ptr<Kernel> prepare_constant_of_shape_reference(const Layer& layer);
AlgorithmText constant_of_shape_reference_text();
std::unique_ptr<Kernel> prepare_range_reference(const Layer& layer);
AlgorithmText range_reference_text();

// The `direct` algorithms, one file each (transpose_direct.cpp, ...; movement.h holds what they
// share).
std::unique_ptr<Kernel> prepare_transpose_direct(const Layer& layer);
AlgorithmText transpose_direct_text();
std::unique_ptr<Kernel> prepare_concat_direct(const Layer& layer);
AlgorithmText concat_direct_text();
std::unique_ptr<Kernel> prepare_split_direct(const Layer& layer);
AlgorithmText split_direct_text();
std::unique_ptr<Kernel> prepare_slice_direct(const Layer& layer);
AlgorithmText slice_direct_text();

// layout_reference.cpp: DepthToSpace (to_space; DCR or CRD mode) and SpaceToDepth, NCHW.
std::vector<TensorInfo> infer_depth_to_space(const Layer& layer);
std::vector<TensorInfo> infer_space_to_depth(const Layer& layer);
std::unique_ptr<Kernel> prepare_depth_space_reference(const Layer& layer, bool to_space);
AlgorithmText depth_space_reference_text(bool to_space);

// triangle_reference.cpp: Trilu (upper attribute, optional k input) and EyeLike (k, dtype).
std::vector<TensorInfo> infer_trilu(const Layer& layer);
std::vector<TensorInfo> infer_eye_like(const Layer& layer);
std::unique_ptr<Kernel> prepare_trilu_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_eye_like_reference(const Layer& layer);
AlgorithmText trilu_reference_text();
AlgorithmText eye_like_reference_text();

}  // namespace algoscope::ops::shape
