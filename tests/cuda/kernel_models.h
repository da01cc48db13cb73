// Small ONNX models that exercise every op our own CUDA kernels cover (engine/cuda/ops/), shared
// by the engine tests (every such algorithm is listed and, without a device, says why it does not
// apply) and the device tests (each matches `reference`).
#pragma once

#include <string>

#include "support/onnx_builder.h"

namespace cuda_kernel_models {

// One chain through every activation, Clip, the four arithmetic ops with broadcasting, the four
// pools, Concat, Transpose, Unsqueeze, Squeeze, Reshape, Flatten, Softmax and LogSoftmax. Input x
// [2, 4, 7, 7]; outputs "sm" and "lsm" [2, 8].
inline std::string every_op_chain() {
  onnx_builder::ModelBuilder b("cuda_chain", 13);
  b.input("x", {2, 4, 7, 7});
  b.node("Relu", {"x"}, {"a"}, "relu");
  b.node("Sigmoid", {"x"}, {"b"}, "sigmoid");
  b.node("Tanh", {"a"}, {"c"}, "tanh");
  b.node("Erf", {"c"}, {"d"}, "erf");
  b.node("Sqrt", {"b"}, {"e"}, "sqrt");  // b > 0
  b.node("Exp", {"d"}, {"f"}, "exp");
  b.node("HardSigmoid", {"x"}, {"g"}, "hard_sigmoid").f("alpha", 0.3f).f("beta", 0.4f);
  b.node("HardSwish", {"f"}, {"h"}, "hard_swish");
  b.node("LeakyRelu", {"x"}, {"i"}, "leaky_relu").f("alpha", 0.2f);
  b.initializer("lo", {}, {-0.1f});
  b.initializer("hi", {}, {0.5f});
  b.node("Clip", {"i", "lo", "hi"}, {"j"}, "clip");
  b.node("Add", {"j", "e"}, {"k0"}, "add");
  b.node("Add", {"k0", "g"}, {"k1"}, "add2");
  b.node("Add", {"k1", "h"}, {"k"}, "add3");
  b.initializer("scalar", {}, {0.25f});
  b.node("Sub", {"k", "scalar"}, {"l"}, "sub");
  b.initializer("channel", {1, 4, 1, 1}, onnx_builder::random_floats(4, 3));
  b.node("Mul", {"l", "channel"}, {"m"}, "mul");
  b.initializer("row", {7}, onnx_builder::random_floats(7, 4, 1.0f, 2.0f));
  b.node("Div", {"m", "row"}, {"n"}, "div");
  // ceil_mode and pads: 7 -> 4 windows of 2 with stride 2, the last one hanging over the end.
  b.node("MaxPool", {"n"}, {"p"}, "max_pool")
      .ints("kernel_shape", {2, 2})
      .ints("strides", {2, 2})
      .i("ceil_mode", 1);
  b.node("AveragePool", {"n"}, {"q"}, "average_pool")
      .ints("kernel_shape", {3, 3})
      .ints("strides", {2, 2})
      .ints("pads", {1, 1, 1, 1})
      .i("count_include_pad", 1);
  b.node("Concat", {"p", "q"}, {"r"}, "concat").i("axis", 1);  // [2, 8, 4, 4]
  b.node("Transpose", {"r"}, {"s"}, "transpose").ints("perm", {0, 2, 3, 1});
  b.int64_initializer("axes", {1}, {1});
  b.node("Unsqueeze", {"s", "axes"}, {"t"}, "unsqueeze");
  b.node("Squeeze", {"t", "axes"}, {"u"}, "squeeze");
  b.int64_initializer("shape", {4}, {2, 8, 4, 4});
  b.node("Reshape", {"u", "shape"}, {"v"}, "reshape");
  b.node("GlobalAveragePool", {"v"}, {"w0"}, "global_average_pool");
  b.node("GlobalMaxPool", {"v"}, {"w1"}, "global_max_pool");
  b.node("Mul", {"w0", "w1"}, {"w"}, "mul2");
  b.node("Flatten", {"w"}, {"fl"}, "flatten");
  b.node("Softmax", {"fl"}, {"sm"}, "softmax").i("axis", -1);
  b.node("LogSoftmax", {"fl"}, {"lsm"}, "log_softmax").i("axis", 1);
  b.output("sm");
  b.output("lsm");
  return b.bytes();
}

// The ops of every_op_chain, each with one algorithm named "cuda".
inline const char* const kCudaOps[] = {"Relu",
                                       "Sigmoid",
                                       "Tanh",
                                       "Erf",
                                       "Sqrt",
                                       "Exp",
                                       "HardSigmoid",
                                       "HardSwish",
                                       "LeakyRelu",
                                       "Clip",
                                       "Add",
                                       "Sub",
                                       "Mul",
                                       "Div",
                                       "MaxPool",
                                       "AveragePool",
                                       "GlobalAveragePool",
                                       "GlobalMaxPool",
                                       "Concat",
                                       "Transpose",
                                       "Unsqueeze",
                                       "Squeeze",
                                       "Reshape",
                                       "Flatten",
                                       "Softmax",
                                       "LogSoftmax"};

// The ops ViT-B/16 adds (issue 18), one layer per case: reductions over the last axis, over two
// non-adjacent axes without keepdims and over everything; Pow by a constant 2 and by a broadcast
// exponent; Gather with constant indices (negative ones too), and a scalar index; Slice with
// negative starts, steps and axis order; input x [2, 5, 6].
inline std::string vit_op_layers() {
  onnx_builder::ModelBuilder b("vit_ops", 13);
  b.input("x", {2, 5, 6});
  b.node("ReduceMean", {"x"}, {"mean_last"}, "mean_last").ints("axes", {-1}).i("keepdims", 1);
  b.node("ReduceMean", {"x"}, {"mean_outer"}, "mean_outer").ints("axes", {0, 2}).i("keepdims", 0);
  b.node("ReduceMean", {"x"}, {"mean_all"}, "mean_all").i("keepdims", 0);
  b.node("ReduceMax", {"x"}, {"max_middle"}, "max_middle").ints("axes", {-2}).i("keepdims", 0);
  b.initializer("two", {}, {2.0f});
  b.node("Pow", {"x", "two"}, {"square"}, "square");  // the constant-2 fast path
  b.initializer("exponents", {5, 1}, {0.5f, 1.0f, 1.5f, 3.0f, -2.0f});
  b.node("Sigmoid", {"x"}, {"magnitude"}, "positive");
  b.node("Pow", {"magnitude", "exponents"}, {"power"}, "power");  // a broadcast exponent
  b.int64_initializer("picks", {2, 2}, {0, -1, 3, -5});
  b.node("Gather", {"x", "picks"}, {"picked"}, "gather_constant").i("axis", 1);  // [2, 2, 2, 6]
  b.int64_initializer("first", {}, {0});
  b.node("Gather", {"x", "first"}, {"token"}, "gather_token").i("axis", -2);  // [2, 6]
  b.int64_initializer("starts", {3}, {1, -1, 0});
  b.int64_initializer("ends", {3}, {5, -100, 6});
  b.int64_initializer("axes", {3}, {1, 2, 0});
  b.int64_initializer("steps", {3}, {2, -2, 1});
  b.node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"sliced"}, "slice");  // [2, 2, 3]
  b.int64_initializer("start1", {1}, {1});
  b.int64_initializer("end1", {1}, {2});
  b.int64_initializer("axis1", {1}, {0});
  b.node("Slice", {"x", "start1", "end1", "axis1"}, {"half"}, "slice_batch");  // [1, 5, 6]
  b.output("picked");
  b.output("token");
  b.output("sliced");
  b.output("half");
  b.output("square");
  b.output("power");
  b.output("mean_last");
  b.output("mean_outer");
  b.output("mean_all");
  b.output("max_middle");
  return b.bytes();
}

// The ops of vit_op_layers, each with one algorithm named "cuda".
inline const char* const kVitOps[] = {"ReduceMean", "ReduceMax", "Pow", "Gather", "Slice"};

}  // namespace cuda_kernel_models
