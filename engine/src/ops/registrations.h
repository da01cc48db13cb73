// The registration function of every op family. Registry::instance() calls each once; each lives
// in engine/src/ops/<family>/registry.cpp, the one place where that family's algorithm names are
// spelled.
#pragma once

#include "algoscope/registry.h"

namespace algoscope::ops {

// Conv
void register_conv(Registry& registry);
// Gemm
void register_gemm(Registry& registry);
// MatMul
void register_matmul(Registry& registry);
// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool
void register_pool(Registry& registry);
// BatchNormalization, LRN
void register_normalization(Registry& registry);
// Softmax, LogSoftmax
void register_softmax(Registry& registry);
// ReduceMean, ReduceSum, ReduceMax, ReduceMin and the other reductions
void register_reduce(Registry& registry);
// Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh, Erf, Sqrt, Exp, Cast, Identity,
// Dropout, Shape
void register_unary(Registry& registry);
// Add, Sub, Mul, Div, Pow, Equal, Where
void register_binary(Registry& registry);
// Attention (made by the loader's attention pass)
void register_attention(Registry& registry);
// Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat, Split, Slice, Gather, Pad, Expand,
// Constant, ConstantOfShape (data movement)
void register_shape(Registry& registry);

}  // namespace algoscope::ops
