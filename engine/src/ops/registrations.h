// The registration function of every op family. Registry::instance() calls each once; each lives
// in engine/src/ops/<family>/registry.cpp, the one place where that family's algorithm names are
// spelled.
#pragma once

#include "algoscope/registry.h"

namespace algoscope::ops {

void register_conv(Registry& registry);           // Conv
void register_gemm(Registry& registry);           // Gemm
void register_matmul(Registry& registry);         // MatMul
void register_pool(Registry& registry);           // MaxPool, AveragePool, GlobalAveragePool
void register_normalization(Registry& registry);  // BatchNormalization, LRN
void register_softmax(Registry& registry);        // Softmax
void register_reduce(Registry& registry);         // ReduceMean
void register_unary(Registry& registry);          // Relu, Clip, Sigmoid, Tanh, Erf, Sqrt, Cast
void register_binary(Registry& registry);         // Add, Sub, Mul, Div, Pow, Equal, Where
void register_shape(Registry& registry);          // Flatten, Reshape, Transpose, ... (data movement)

}  // namespace algoscope::ops
