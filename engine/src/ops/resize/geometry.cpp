// ONNX Resize across opsets 10 to 19, decoded once: which inputs hold roi, scales and sizes,
// which attributes each opset has, the output shape (from constant scales or sizes; shapes are
// static here), and the spec's coordinate formulas and interpolation weights per axis. Where the
// spec is silent or ambiguous the choices follow ONNX 1.12's reference implementation
// (onnx/backend/test/case/node/resize.py), which produced the conformance data: the output length
// the coordinate formulas use is in * scale, fractional when the scale does not give a whole
// length, and linear and cubic read the input padded with its edge values.
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "ops/common.h"
#include "ops/resize/resize.h"

namespace algoscope::ops::resize {
namespace {

// No real output axis is this long; a longer one comes from a nonsensical scale and would
// overflow the conversions below.
constexpr double kMaxOutputLength = 1e12;

std::string axis_text(size_t axis) { return "axis " + std::to_string(axis); }

// A number as a person writes it: 0.5, 2, 1e+20.
std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

Mode parse_mode(const std::string& mode, int64_t opset) {
  if (mode == "nearest") return Mode::Nearest;
  if (mode == "linear") return Mode::Linear;
  if (mode == "cubic" && opset >= 11) return Mode::Cubic;
  throw Error("Resize: mode '" + mode + "' is not one of nearest, linear" +
              (opset >= 11 ? ", cubic" : " (cubic needs opset 11)"));
}

Coordinates parse_coordinates(const std::string& name, int64_t opset) {
  if (name == "half_pixel") return Coordinates::HalfPixel;
  if (name == "pytorch_half_pixel") return Coordinates::PytorchHalfPixel;
  if (name == "align_corners") return Coordinates::AlignCorners;
  if (name == "asymmetric") return Coordinates::Asymmetric;
  if (name == "tf_crop_and_resize") return Coordinates::TfCropAndResize;
  if (name == "tf_half_pixel_for_nn") {
    if (opset <= 12) return Coordinates::TfHalfPixelForNn;
    throw Error(
        "Resize: coordinate_transformation_mode tf_half_pixel_for_nn was removed in "
        "opset 13 (this node is opset " +
        std::to_string(opset) + ")");
  }
  if (name == "half_pixel_symmetric") {
    if (opset >= 19) return Coordinates::HalfPixelSymmetric;
    throw Error(
        "Resize: coordinate_transformation_mode half_pixel_symmetric needs opset 19 "
        "(this node is opset " +
        std::to_string(opset) + ")");
  }
  throw Error("Resize: coordinate_transformation_mode '" + name +
              "' is not one of half_pixel, pytorch_half_pixel, align_corners, asymmetric, "
              "tf_crop_and_resize" +
              (opset <= 12 ? ", tf_half_pixel_for_nn" : "") +
              (opset >= 19 ? ", half_pixel_symmetric" : ""));
}

Rounding parse_rounding(const std::string& name) {
  if (name == "round_prefer_floor") return Rounding::RoundPreferFloor;
  if (name == "round_prefer_ceil") return Rounding::RoundPreferCeil;
  if (name == "floor") return Rounding::Floor;
  if (name == "ceil") return Rounding::Ceil;
  throw Error("Resize: nearest_mode '" + name +
              "' is not one of round_prefer_floor, round_prefer_ceil, floor, ceil");
}

// An optional input given with values: ONNX 11 and 12 make roi and scales required but let them
// be empty tensors, which means "not given"; 13 makes them optional.
bool given(const Layer& layer, size_t index) {
  return index > 0 && layer.has_input(index) && layer.inputs[index].numel() > 0;
}

const Tensor& constant_input(const Layer& layer, size_t index, const char* what, DType dtype) {
  const Tensor* t = layer.constant(index);
  require(t != nullptr,
          std::string("Resize: ") + what + " input must be a constant (static shapes only)");
  require(t->dtype() == dtype, std::string("Resize: ") + what + " must be " + dtype_name(dtype) +
                                   ", not " + dtype_name(t->dtype()));
  return *t;
}

std::vector<double> constant_floats(const Layer& layer, size_t index, const char* what) {
  const Tensor& t = constant_input(layer, index, what, DType::Float32);
  return std::vector<double>(t.data<float>(), t.data<float>() + t.numel());
}

// The axes the scales, sizes and roi values refer to: the `axes` attribute from opset 18,
// otherwise every axis in order.
std::vector<size_t> resized_axes(const Layer& layer, size_t rank) {
  std::vector<size_t> axes;
  if (layer.opset < 18 || !layer.n().has_attribute("axes")) {
    for (size_t d = 0; d < rank; ++d) axes.push_back(d);
    return axes;
  }
  for (int64_t a : layer.n().attr_ints("axes")) {
    const size_t d = static_cast<size_t>(normalize_axis(a, static_cast<int64_t>(rank)));
    for (size_t seen : axes)
      require(seen != d, "Resize: axis " + std::to_string(a) + " appears twice in axes");
    axes.push_back(d);
  }
  return axes;
}

void require_count(size_t count, size_t expected, const char* what) {
  require(count == expected, std::string("Resize: ") + what + " has " + std::to_string(count) +
                                 " values; it needs " + std::to_string(expected) +
                                 " (one per resized axis" +
                                 (std::string(what) == "roi" ? ", start then end)" : ")"));
}

int64_t checked_length(double length, size_t axis) {
  require(length <= kMaxOutputLength,
          "Resize: the output length of " + axis_text(axis) + " would be " + number_text(length));
  return static_cast<int64_t>(std::floor(length));
}

}  // namespace

int max_taps(Mode mode) { return mode == Mode::Nearest ? 1 : mode == Mode::Linear ? 2 : 4; }

ResizeParams resize_params(const Layer& layer) {
  require(layer.has_input(0), "Resize needs input X");
  const TensorInfo& x = layer.inputs[0];
  const Node& node = layer.n();
  const int64_t opset = layer.opset;
  ResizeParams p;
  p.mode = parse_mode(node.attr_string("mode", "nearest"), opset);
  require(p.mode == Mode::Nearest || x.dtype == DType::Float32,
          "Resize: linear and cubic modes interpolate float32 only, X is " +
              std::string(dtype_name(x.dtype)));
  // Opset 10 has only `mode`; its coordinates are asymmetric and nearest takes the floor (as
  // Upsample and PyTorch's nearest do).
  if (opset < 11) {
    p.coordinates = Coordinates::Asymmetric;
    p.rounding = Rounding::Floor;
  } else {
    p.coordinates =
        parse_coordinates(node.attr_string("coordinate_transformation_mode", "half_pixel"), opset);
    p.rounding = parse_rounding(node.attr_string("nearest_mode", "round_prefer_floor"));
    p.cubic_a = node.attr_float("cubic_coeff_a", -0.75f);
    p.exclude_outside = node.attr_int("exclude_outside", 0) != 0;
    p.extrapolation = node.attr_float("extrapolation_value", 0.0f);
  }
  std::string aspect = "stretch";
  if (opset >= 18) {
    require(node.attr_int("antialias", 0) == 0,
            "Resize: antialias=1 (a widened kernel when downsampling) is not implemented");
    aspect = node.attr_string("keep_aspect_ratio_policy", "stretch");
    require(aspect == "stretch" || aspect == "not_larger" || aspect == "not_smaller",
            "Resize: keep_aspect_ratio_policy '" + aspect +
                "' is not one of stretch, not_larger, not_smaller");
  }

  const size_t rank = x.shape.size();
  const std::vector<size_t> axes = resized_axes(layer, rank);
  const size_t roi_index = 1, scales_index = opset < 11 ? 1 : 2, sizes_index = 3;
  const bool has_scales = given(layer, scales_index);
  const bool has_sizes = opset >= 11 && given(layer, sizes_index);
  require(!(has_scales && has_sizes), "Resize: give scales or sizes, not both");
  require(has_scales || has_sizes,
          opset < 11 ? "Resize needs scales" : "Resize needs scales or sizes (both are empty)");

  p.axes.resize(rank);
  for (size_t d = 0; d < rank; ++d) {  // axes outside `axes` stay as they are
    AxisMap& a = p.axes[d];
    a.in = a.out = x.shape[d];
    a.length_resized = static_cast<double>(a.in);
  }
  if (p.coordinates == Coordinates::TfCropAndResize && given(layer, roi_index)) {
    const std::vector<double> roi = constant_floats(layer, roi_index, "roi");
    require_count(roi.size(), 2 * axes.size(), "roi");
    for (double v : roi)
      require(std::isfinite(v), "Resize: roi must be finite, not " + number_text(v));
    for (size_t i = 0; i < axes.size(); ++i) {
      p.axes[axes[i]].roi_start = roi[i];
      p.axes[axes[i]].roi_end = roi[axes.size() + i];
    }
  }

  if (has_scales) {
    const std::vector<double> scales = constant_floats(layer, scales_index, "scales");
    require_count(scales.size(), axes.size(), "scales");
    for (size_t i = 0; i < axes.size(); ++i) {
      AxisMap& a = p.axes[axes[i]];
      require(std::isfinite(scales[i]) && scales[i] > 0, "Resize: scales must be positive, " +
                                                             axis_text(axes[i]) + " has " +
                                                             number_text(scales[i]));
      a.scale = scales[i];
      // Spec: floor(in * scale), of the region of interest under tf_crop_and_resize.
      const double crop =
          p.coordinates == Coordinates::TfCropAndResize ? a.roi_end - a.roi_start : 1.0;
      a.length_resized = static_cast<double>(a.in) * crop * a.scale;
      require(a.length_resized >= 0,
              "Resize: roi of " + axis_text(axes[i]) + " ends before it starts");
      a.out = checked_length(a.length_resized, axes[i]);
    }
  } else {
    const Tensor& t = constant_input(layer, sizes_index, "sizes", DType::Int64);
    const std::vector<int64_t> sizes = t.to_int64_vector();
    require_count(sizes.size(), axes.size(), "sizes");
    for (size_t i = 0; i < axes.size(); ++i) {
      require(sizes[i] >= 0, "Resize: sizes must not be negative, " + axis_text(axes[i]) + " has " +
                                 std::to_string(sizes[i]));
      require(p.axes[axes[i]].in > 0 || sizes[i] == 0,
              "Resize: cannot resize the empty " + axis_text(axes[i]));
    }
    // keep_aspect_ratio_policy (opset 18): one scale for all the axes, the largest that fits
    // inside sizes (not_larger) or the smallest that covers it (not_smaller); lengths rounded
    // half up.
    double common = aspect == "not_larger" ? std::numeric_limits<double>::infinity() : 0.0;
    for (size_t i = 0; i < axes.size(); ++i) {
      const double ratio = static_cast<double>(sizes[i]) / static_cast<double>(p.axes[axes[i]].in);
      common = aspect == "not_larger" ? std::min(common, ratio) : std::max(common, ratio);
    }
    for (size_t i = 0; i < axes.size(); ++i) {
      AxisMap& a = p.axes[axes[i]];
      if (a.in == 0) continue;  // stays 0
      if (aspect == "stretch") {
        a.out = sizes[i];
        a.scale = static_cast<double>(sizes[i]) / static_cast<double>(a.in);
        a.length_resized = static_cast<double>(sizes[i]);
      } else {
        require(common > 0, "Resize: keep_aspect_ratio_policy needs positive sizes");
        a.scale = common;
        a.length_resized = static_cast<double>(a.in) * common;
        a.out = checked_length(a.length_resized + 0.5, axes[i]);
      }
      require(a.out == 0 || a.scale > 0,
              "Resize: " + axis_text(axes[i]) + " resizes to a positive length with scale 0");
    }
  }
  for (const AxisMap& a : p.axes) p.out.push_back(a.out);
  return p;
}

namespace {

// x_original of the spec (ONNX Resize, "coordinate_transformation_mode"), in double with the
// reference's order of operations so that rounding ties fall the same way.
double source_coordinate(const ResizeParams& p, const AxisMap& a, int64_t x_resized) {
  const double x = static_cast<double>(x_resized);
  const double in = static_cast<double>(a.in);
  const double length = a.length_resized;
  switch (p.coordinates) {
    case Coordinates::HalfPixel:
      return (x + 0.5) / a.scale - 0.5;
    case Coordinates::HalfPixelSymmetric: {
      const double adjustment = static_cast<double>(a.out) / length;
      const double offset = in / 2 * (1 - adjustment);
      return offset + (x + 0.5) / a.scale - 0.5;
    }
    case Coordinates::PytorchHalfPixel:
      return length == 1 ? 0.0 : (x + 0.5) / a.scale - 0.5;
    case Coordinates::AlignCorners:
      return length == 1 ? 0.0 : x * (in - 1) / (length - 1);
    case Coordinates::Asymmetric:
      return x / a.scale;
    case Coordinates::TfHalfPixelForNn:
      return (x + 0.5) / a.scale;
    case Coordinates::TfCropAndResize: {
      const double span = a.roi_end - a.roi_start;
      const double start = a.roi_start * (in - 1);
      return (length == 1 ? span * (in - 1) / 2 : x * span * (in - 1) / (length - 1)) + start;
    }
  }
  return x;
}

// Keys' cubic convolution kernel with parameter A at distance s in [0, 2), as ONNX's reference
// writes it (cubic_coeffs).
double cubic_weight(double s, double a) {
  if (s <= 1) return ((a + 2) * s - (a + 3)) * s * s + 1;
  return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
}

}  // namespace

Taps axis_taps(const ResizeParams& p, const AxisMap& a, int64_t x_resized) {
  Taps t;
  const double x = source_coordinate(p, a, x_resized);
  const int64_t last = a.in - 1;
  if (p.coordinates == Coordinates::TfCropAndResize && (x < 0 || x > static_cast<double>(last))) {
    t.outside = true;  // TensorFlow's CropAndResize writes extrapolation_value there
    return t;
  }
  const double base = std::floor(x);
  const double ratio = x - base;
  const int64_t i0 = static_cast<int64_t>(base);
  int64_t index[4];
  double weight[4];
  int n = 0;
  switch (p.mode) {
    case Mode::Nearest: {
      bool up = false;
      switch (p.rounding) {
        case Rounding::RoundPreferFloor:
          up = ratio > 0.5;
          break;
        case Rounding::RoundPreferCeil:
          up = ratio >= 0.5;
          break;
        case Rounding::Floor:
          break;
        case Rounding::Ceil:
          up = ratio > 0;
          break;
      }
      index[0] = i0 + (up ? 1 : 0);
      weight[0] = 1.0;
      n = 1;
      break;
    }
    case Mode::Linear:
      index[0] = i0, weight[0] = 1 - ratio;
      index[1] = i0 + 1, weight[1] = ratio;
      n = 2;
      break;
    case Mode::Cubic:
      for (int k = 0; k < 4; ++k) {
        index[k] = i0 - 1 + k;
        weight[k] = cubic_weight(std::fabs(ratio + 1 - k), p.cubic_a);
      }
      n = 4;
      break;
  }
  if (p.exclude_outside && p.mode != Mode::Nearest) {
    // Taps past the input get weight 0 and the rest are renormalized to sum to 1.
    double sum = 0;
    for (int k = 0; k < n; ++k) {
      if (index[k] < 0 || index[k] > last) weight[k] = 0;
      sum += weight[k];
    }
    for (int k = 0; k < n; ++k) weight[k] /= sum;
  }
  for (int k = 0; k < n; ++k) {
    if (weight[k] == 0) continue;
    t.index[t.count] = std::min(std::max<int64_t>(index[k], 0), last);  // edge padding
    t.weight[t.count] = weight[k];
    ++t.count;
  }
  return t;
}

bool is_identity(const ResizeParams& p, const AxisMap& a) {
  if (a.in != a.out) return false;
  // At scale 1 these transformations map every x to exactly x (whole numbers below 2^52 survive
  // the arithmetic), so every index has the taps of index 0, shifted.
  const bool exact = p.coordinates != Coordinates::TfHalfPixelForNn &&
                     p.coordinates != Coordinates::TfCropAndResize && a.scale == 1.0;
  if (exact || a.out == 0) {
    const Taps t = axis_taps(p, a, 0);
    return a.out == 0 || (t.count == 1 && t.weight[0] == 1.0);
  }
  // Otherwise index by index, up to a length no real axis has (an absurd declared shape must not
  // stall loading); past it the axis counts as resized, which is always safe.
  if (a.out > (int64_t{1} << 24)) return false;
  for (int64_t x = 0; x < a.out; ++x) {
    const Taps t = axis_taps(p, a, x);
    if (t.outside || t.count != 1 || t.index[0] != x || t.weight[0] != 1.0) return false;
  }
  return true;
}

std::vector<TensorInfo> infer(const Layer& layer) {
  const ResizeParams p = resize_params(layer);
  return {TensorInfo{layer.inputs[0].dtype, p.out}};
}

double flops(const Layer& layer) {
  const ResizeParams p = resize_params(layer);
  if (p.mode == Mode::Nearest) return 0.0;
  double resized = 0;
  for (const AxisMap& a : p.axes) resized += is_identity(p, a) ? 0 : 1;
  return 2.0 * max_taps(p.mode) * resized * static_cast<double>(shape_numel(p.out));
}

}  // namespace algoscope::ops::resize
