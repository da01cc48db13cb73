// The Resize family's internal interface (ONNX Resize, opsets 10 to 19): geometry.cpp decodes a
// node's attributes and its roi / scales / sizes inputs across opsets into ResizeParams, which
// shape inference, the FLOP count and both kernels share, and maps one output coordinate of one
// axis to the source elements it blends (axis_taps, the spec's formulas in one place). Only
// registry.cpp turns the entry points below into named Algorithms.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::resize {

enum class Mode { Nearest, Linear, Cubic };
// ONNX's coordinate_transformation_mode: how an output coordinate maps back into the input.
enum class Coordinates {
  HalfPixel,
  HalfPixelSymmetric,  // opset 19
  PytorchHalfPixel,
  AlignCorners,
  Asymmetric,
  TfHalfPixelForNn,  // opsets 11 and 12
  TfCropAndResize,
};
// ONNX's nearest_mode: how mode nearest rounds a fractional source coordinate.
enum class Rounding { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

// One axis of X and its output.
struct AxisMap {
  int64_t in = 1, out = 1;
  // The scale the coordinate formulas divide by: the scales input's value, or sizes / in.
  double scale = 1.0;
  // The output length the formulas use (align_corners' length_resized - 1, ...): in * scale,
  // which ONNX's reference leaves fractional when the scale does not give a whole length.
  double length_resized = 1.0;
  // tf_crop_and_resize's region of interest, as fractions of the axis.
  double roi_start = 0.0, roi_end = 1.0;
};

struct ResizeParams {
  Mode mode = Mode::Nearest;
  Coordinates coordinates = Coordinates::HalfPixel;
  Rounding rounding = Rounding::RoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  float extrapolation = 0.0f;
  std::vector<AxisMap> axes;  // one per dimension of X
  Shape out;
};

// Decodes and validates the node; throws Error("Resize: ...") saying what is wrong or what this
// engine does not implement (antialias). The caller adds the node's name.
ResizeParams resize_params(const Layer& layer);

// The source elements one output coordinate of one axis blends: up to 4 indices into the axis
// (clamped to it: ONNX pads the input with its edge values) and their weights (zero weights
// dropped, so nearest and whole-number positions are one tap of weight 1). `outside` is set when
// tf_crop_and_resize maps the coordinate outside the input: the output is extrapolation_value.
struct Taps {
  int count = 0;
  int64_t index[4] = {0, 0, 0, 0};
  double weight[4] = {0, 0, 0, 0};
  bool outside = false;
};
Taps axis_taps(const ResizeParams& p, const AxisMap& axis, int64_t x_resized);
// Whether the axis is copied unchanged: every output index takes its own input index, weight 1.
bool is_identity(const ResizeParams& p, const AxisMap& axis);
// The most taps an axis can have in this mode: 1 (nearest), 2 (linear), 4 (cubic).
int max_taps(Mode mode);

std::vector<TensorInfo> infer(const Layer& layer);
// A multiply and an add per tap per resized axis per output element, as a separable kernel
// computes it; nearest only moves data (0).
double flops(const Layer& layer);

// reference.cpp: every output element from its own taps on every axis, summed in double.
std::unique_ptr<Kernel> prepare_reference(const Layer& layer);
AlgorithmText reference_text();

// direct.cpp: float32 NCHW resizing H and W only; per-axis tables made at prepare time, rows
// blended then columns gathered, OpenMP over planes.
std::optional<std::string> direct_not_applicable(const Layer& layer);
std::unique_ptr<Kernel> prepare_direct(const Layer& layer);
AlgorithmText direct_text();

}  // namespace algoscope::ops::resize
