// The registration function of every op family. Registry::instance() calls each once; each lives
// in engine/src/ops/<family>/registry.cpp, the one place where that family's algorithm names are
// spelled.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

// The registries list algorithms as designated initializers that leave every field they do not
// name at its default on purpose; GCC 12's -Wextra would flag each one.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace algoscope::ops {

// One line of an op's ordered algorithm list: the text the algorithm's own file exports, and the
// name and technical fields as designated initializers of Algorithm (a CUDA algorithm is one more
// line with .backend = Backend::Cuda).
struct Entry {
  AlgorithmText text;
  Algorithm algorithm;
};

// Registers the op, then its algorithms in list order (the order breaks ties when the engine picks
// its default, so it must not change); each teaching text is the file's text closed by
// tolerance_sentence(tolerance).
void add_op(Registry& registry, OpDefinition op, std::vector<Entry> entries);

// An op whose only algorithm is an exact `reference` (data movement and indexing: nothing is
// computed, so nothing can differ), registered by add_exact_reference_ops.
struct ExactReferenceOp {
  const char* op_type;
  const char* summary;
  std::function<std::vector<TensorInfo>(const Layer&)> infer;
  AlgorithmText text;
  std::function<std::unique_ptr<Kernel>(const Layer&)> prepare;
};
void add_exact_reference_ops(Registry& registry, const std::vector<ExactReferenceOp>& ops);
// The same for algorithms added to an op registered before.
void add_algorithms(Registry& registry, const std::string& op_type, std::vector<Entry> entries);

// Adds a GPU algorithm to op_type: variant `variant` of `family` (cuda/variants.h), whose
// applicability, workspace and kernel are the CUDA module's, under `name` with its tolerance and
// text.
void add_cuda_algorithm(Registry& registry, const std::string& op_type, const std::string& family,
                        int variant, std::string name, Tolerance tolerance, AlgorithmText text);

// The cublas, cublaslt and their _tf32 algorithms of a matrix-product op (defined with Gemm's).
void add_cublas_algorithms(Registry& registry, const std::string& op_type, const char* family,
                           const char* cublas_how, const char* cublaslt_how);

// Conv
void register_conv(Registry& registry);
// ConvTranspose
void register_conv_transpose(Registry& registry);
// Gemm
void register_gemm(Registry& registry);
// MatMul
void register_matmul(Registry& registry);
// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool
void register_pool(Registry& registry);
// BatchNormalization, LRN, LayerNormalization, InstanceNormalization, GroupNormalization
void register_normalization(Registry& registry);
// Softmax, LogSoftmax
void register_softmax(Registry& registry);
// ReduceMean, ReduceSum, ReduceMax, ReduceMin and the other reductions; CumSum
void register_reduce(Registry& registry);
// Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh, Erf, Sqrt, Exp, Cast, Identity,
// Dropout, Shape, Not
void register_unary(Registry& registry);
// Add, Sub, Mul, Div, Pow, Mod, Equal, Less, Greater, LessOrEqual, GreaterOrEqual, And, Or, Xor,
// Where
void register_binary(Registry& registry);
// Resize
void register_resize(Registry& registry);
// Einsum
void register_einsum(Registry& registry);
// LSTM, GRU, RNN
void register_recurrent(Registry& registry);
// Attention (made by the loader's attention pass)
void register_attention(Registry& registry);
// SqueezeExcite (made by the loader's squeeze-excite pass)
void register_squeeze_excite(Registry& registry);
// Gelu (made by the loader's fuse_gelu pass from the Erf form)
void register_gelu(Registry& registry);
// Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat, Split, Slice, Gather, Pad, Expand, Tile,
// Constant, ConstantOfShape, Range (data movement)
void register_shape(Registry& registry);
// GatherND, ScatterND, TopK (addressing by index tuples or by rank)
void register_index(Registry& registry);

}  // namespace algoscope::ops
