// The recurrent family's internal interface (ONNX LSTM, GRU and RNN, opsets 7 to 17): geometry.cpp
// decodes a node's attributes and input shapes into RecurrentParams (cell, directions, layout,
// activations with their alpha and beta, clip, input_forget, linear_before_reset, which optional
// inputs are given), which shape inference, the FLOP count and both kernels share, and evaluates
// the activation functions the spec lists. Only registry.cpp turns the entry points below into
// named Algorithms.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::recurrent {

enum class Cell { Rnn, Gru, Lstm };
enum class Direction { Forward, Reverse, Bidirectional };

// One activation function of the spec's list with its alpha and beta (defaults as in ONNX's ops of
// the same name).
struct Activation {
  enum class Kind {
    Relu,
    Tanh,
    Sigmoid,
    Affine,
    LeakyRelu,
    ThresholdedRelu,
    ScaledTanh,
    HardSigmoid,
    Elu,
    Softsign,
    Softplus
  };
  Kind kind = Kind::Tanh;
  float alpha = 0.0f, beta = 0.0f;

  // The function in double, straight from its definition (the reference's).
  double operator()(double x) const;
};

// Input slots of all three ops: X, W, R, B, sequence_lens, initial_h, then LSTM's initial_c and P.
enum Input : size_t { kX = 0, kW, kR, kB, kSequenceLens, kInitialH, kInitialC, kP };

struct RecurrentParams {
  Cell cell = Cell::Lstm;
  std::string op;  // "LSTM", "GRU", "RNN": for messages
  Direction direction = Direction::Forward;
  int64_t directions = 1;  // 2 when bidirectional
  int64_t gates = 4;       // 4 LSTM (i o f c), 3 GRU (z r h), 1 RNN
  int64_t seq = 0, batch = 0, input = 0, hidden = 0;
  int64_t layout = 0;                // 0: X [seq, batch, input]; 1: X [batch, seq, input]
  std::optional<float> clip;         // bounds every activation's input to [-clip, clip]
  bool input_forget = false;         // LSTM: f = 1 - i
  bool linear_before_reset = false;  // GRU: r applied after the recurrent product
  // Per direction its functions in the spec's order (LSTM f g h, GRU f g, RNN f):
  // activations[d * per_direction + k].
  std::vector<Activation> activations;
  int64_t per_direction = 3;
  bool has_bias = false, has_sequence_lens = false, has_initial_h = false, has_initial_c = false,
       has_peepholes = false;
  size_t outputs = 1;  // how many of Y, Y_h (, Y_c) the node lists
  // Which of them the node names: a "" output is unused and its storage may be smaller than the
  // output (the session sizes it from the model, which has no shape for it), so nothing is written
  // there.
  bool named[3] = {false, false, false};

  const Activation& activation(int64_t direction, int64_t k) const {
    return activations[static_cast<size_t>(direction * per_direction + k)];
  }
  // Whether direction d runs backwards in time (the second one of bidirectional does).
  bool reversed(int64_t d) const {
    return direction == Direction::Reverse || (direction == Direction::Bidirectional && d == 1);
  }
  // Offsets in floats of Y's row (t, d, b) and of Y_h's / initial_h's row (d, b), by layout.
  int64_t y_offset(int64_t t, int64_t d, int64_t b) const {
    return (layout == 0 ? (t * directions + d) * batch + b : (b * seq + t) * directions + d) *
           hidden;
  }
  int64_t state_offset(int64_t d, int64_t b) const {
    return (layout == 0 ? d * batch + b : b * directions + d) * hidden;
  }
  // X's row of time t and batch entry b.
  int64_t x_row(int64_t t, int64_t b) const { return layout == 0 ? t * batch + b : b * seq + t; }
};

// Output k of the kernel's IO as floats when the node names it, else nullptr.
float* named_output(const RecurrentParams& p, const KernelIO& io, size_t k);

// Decodes and validates the node; throws Error("LSTM: ...") saying what is wrong. The caller adds
// the node's name.
RecurrentParams recurrent_params(const Layer& layer);

std::vector<TensorInfo> infer(const Layer& layer);
// 2 * directions * seq * batch * gates * hidden * (input + hidden): the input and recurrent
// products (the gate arithmetic, a few operations per gate element, is left out).
double flops(const Layer& layer);

// sequence_lens as int64 per batch entry (all seq when absent), each checked to lie in [0, seq];
// throws Error naming the node otherwise (the values arrive at run time).
std::vector<int64_t> sequence_lengths(const RecurrentParams& p, const Tensor* lens,
                                      const std::string& node);

// reference.cpp: every gate of every step from the spec's equations, in double, one batch entry
// at a time.
std::unique_ptr<Kernel> prepare_reference(const Layer& layer);
AlgorithmText reference_text();

// fused.cpp: the input projection of all steps and both directions as one GEMM, then per step the
// recurrent GEMM and vectorised gate arithmetic; weights packed once when they are constants.
std::unique_ptr<Kernel> prepare_fused(const Layer& layer);
size_t fused_workspace(const Layer& layer);
AlgorithmText fused_text();

}  // namespace algoscope::ops::recurrent
