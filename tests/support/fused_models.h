// Small ONNX models whose graph passes merge nodes, shared by the engine, CLI and explorer tests of
// the layer description: a Conv with a BatchNormalization folded in and a Relu in its epilogue, an
// Add with a Relu, and a scaled dot-product attention block that becomes one Attention node.
#pragma once

#include <cmath>
#include <string>

#include "support/onnx_builder.h"

namespace fused_models {

// x[1,3,8,8] -> Conv "conv" (4 filters, 3x3, pad 1) -> BatchNormalization "bn" -> Relu "act" -> y.
inline onnx_builder::ModelBuilder conv_bn_relu() {
  using onnx_builder::random_floats;
  onnx_builder::ModelBuilder b("conv_bn_relu");
  b.input("x", {1, 3, 8, 8});
  b.initializer("w", {4, 3, 3, 3}, random_floats(108, 1));
  b.node("Conv", {"x", "w"}, {"c"}, "conv").ints("pads", {1, 1, 1, 1});
  b.initializer("gamma", {4}, random_floats(4, 3, 0.5f, 2.0f));
  b.initializer("beta", {4}, random_floats(4, 4));
  b.initializer("mean", {4}, random_floats(4, 5));
  b.initializer("var", {4}, random_floats(4, 6, 0.1f, 3.0f));
  b.node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"n"}, "bn");
  b.node("Relu", {"n"}, {"y"}, "act");
  b.output("y");
  return b;
}

// x, z [1,8,5,5] -> Add "add" -> Relu "act" -> y.
inline onnx_builder::ModelBuilder add_relu() {
  onnx_builder::ModelBuilder b("add_relu", 13);
  b.input("x", {1, 8, 5, 5});
  b.input("z", {1, 8, 5, 5});
  b.node("Add", {"x", "z"}, {"s"}, "add");
  b.node("Relu", {"s"}, {"y"}, "act");
  b.output("y");
  return b;
}

// q[1,2,10,8], k[1,2,12,8], v[1,2,12,5]: softmax(q kᵀ / √8) v as PyTorch exports it (Transpose,
// MatMul "qk", Mul "scale_scores", Softmax "softmax", MatMul "pv"); y is [1,2,10,5].
inline onnx_builder::ModelBuilder attention() {
  onnx_builder::ModelBuilder b("attention", 13);
  b.input("q", {1, 2, 10, 8});
  b.input("k", {1, 2, 12, 8});
  b.input("v", {1, 2, 12, 5});
  b.node("Transpose", {"k"}, {"kt"}, "transpose_k").ints("perm", {0, 1, 3, 2});
  b.initializer("scale", {}, {1.0f / std::sqrt(8.0f)});
  b.node("MatMul", {"q", "kt"}, {"raw"}, "qk");
  b.node("Mul", {"raw", "scale"}, {"scores"}, "scale_scores");
  b.node("Softmax", {"scores"}, {"probs"}, "softmax").i("axis", -1);
  b.node("MatMul", {"probs", "v"}, {"y"}, "pv");
  b.output("y");
  return b;
}

}  // namespace fused_models
