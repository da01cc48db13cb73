// LSTM, GRU and RNN by their definitions in the ONNX spec, one direction and one batch entry at a
// time: every gate element of every step is the dot product of its row of W with x_t plus that of
// its row of R with H_{t-1}, plus the biases (and LSTM's peephole), clipped, through its
// activation, then the cell's update equation. Everything in double; state kept in double between
// steps. Entry b runs its first sequence_lens[b] steps (from the last of them backwards in the
// reverse direction); Y is zero past them and Y_h / Y_c hold the state after its last step.
// Single-threaded, nothing precomputed.
#include <algorithm>
#include <vector>

#include "ops/common.h"
#include "ops/recurrent/recurrent.h"

namespace algoscope::ops::recurrent {
namespace {

const float* input(const KernelIO& io, size_t index) {
  return io.inputs.size() > index && io.inputs[index] ? io.inputs[index]->data<float>() : nullptr;
}

struct Reference {
  RecurrentParams p;
  std::string node;

  double clipped(double v) const {
    if (!p.clip) return v;
    return std::min<double>(std::max<double>(v, -*p.clip), *p.clip);
  }

  // W's row `row` . x + Wb[row]: the input part of one gate element.
  double input_part(const float* w, const float* wb, int64_t row, const float* x) const {
    double sum = wb ? wb[row] : 0.0;
    for (int64_t i = 0; i < p.input; ++i) sum += double(w[row * p.input + i]) * x[i];
    return sum;
  }
  // R's row `row` . h + Rb[row]: the recurrent part of one gate element.
  double recurrent_part(const float* r, const float* rb, int64_t row,
                        const std::vector<double>& h) const {
    double sum = rb ? rb[row] : 0.0;
    for (int64_t k = 0; k < p.hidden; ++k) sum += double(r[row * p.hidden + k]) * h[k];
    return sum;
  }

  void run(KernelIO& io) const {
    const float* x = input(io, kX);
    const float* w_all = input(io, kW);
    const float* r_all = input(io, kR);
    const float* b_all = p.has_bias ? input(io, kB) : nullptr;
    const float* h0 = p.has_initial_h ? input(io, kInitialH) : nullptr;
    const float* c0 = p.has_initial_c ? input(io, kInitialC) : nullptr;
    const float* peep = p.has_peepholes ? input(io, kP) : nullptr;
    const std::vector<int64_t> lens =
        sequence_lengths(p, p.has_sequence_lens ? io.inputs[kSequenceLens] : nullptr, node);
    float* y = named_output(p, io, 0);
    float* y_h = named_output(p, io, 1);
    float* y_c = named_output(p, io, 2);
    const int64_t H = p.hidden, G = p.gates;
    if (y) std::fill(y, y + p.seq * p.directions * p.batch * H, 0.0f);

    std::vector<double> h(H), c(H), next_h(H), next_c(H), gate(G * H), rh(H);
    for (int64_t d = 0; d < p.directions; ++d) {
      const float* w = w_all + d * G * H * p.input;
      const float* r = r_all + d * G * H * H;
      const float* wb = b_all ? b_all + d * 2 * G * H : nullptr;
      const float* rb = b_all ? wb + G * H : nullptr;
      const float* pd = peep ? peep + d * 3 * H : nullptr;
      const Activation& f = p.activation(d, 0);
      for (int64_t b = 0; b < p.batch; ++b) {
        const int64_t state = p.state_offset(d, b);
        for (int64_t j = 0; j < H; ++j) {
          h[j] = h0 ? h0[state + j] : 0.0;
          c[j] = c0 ? c0[state + j] : 0.0;
        }
        const int64_t steps = lens[b];
        for (int64_t s = 0; s < steps; ++s) {
          const int64_t t = p.reversed(d) ? steps - 1 - s : s;
          const float* xt = x + p.x_row(t, b) * p.input;
          if (p.cell == Cell::Lstm) {
            // Gate rows of W, R and B: i, o, f, c; peepholes P: i, o, f.
            const Activation& g = p.activation(d, 1);
            const Activation& hf = p.activation(d, 2);
            for (int64_t j = 0; j < H; ++j) {
              auto pre = [&](int64_t gate_index) {
                const int64_t row = gate_index * H + j;
                return input_part(w, wb, row, xt) + recurrent_part(r, rb, row, h);
              };
              const double i = f(clipped(pre(0) + (pd ? pd[j] * c[j] : 0.0)));
              const double fg =
                  p.input_forget ? 1.0 - i : f(clipped(pre(2) + (pd ? pd[2 * H + j] * c[j] : 0.0)));
              const double cand = g(clipped(pre(3)));
              next_c[j] = fg * c[j] + i * cand;
              const double o = f(clipped(pre(1) + (pd ? pd[H + j] * next_c[j] : 0.0)));
              next_h[j] = o * hf(next_c[j]);
            }
            c = next_c;
          } else if (p.cell == Cell::Gru) {
            // Gate rows: z, r, h.
            const Activation& g = p.activation(d, 1);
            std::vector<double> z(H), reset(H);
            for (int64_t j = 0; j < H; ++j) {
              z[j] = f(clipped(input_part(w, wb, j, xt) + recurrent_part(r, rb, j, h)));
              reset[j] = f(clipped(input_part(w, wb, H + j, xt) + recurrent_part(r, rb, H + j, h)));
              rh[j] = reset[j] * h[j];
            }
            for (int64_t j = 0; j < H; ++j) {
              const int64_t row = 2 * H + j;
              // linear_before_reset: r (.) (H R_h^T + Rb_h); otherwise (r (.) H) R_h^T + Rb_h.
              const double recurrent = p.linear_before_reset
                                           ? reset[j] * recurrent_part(r, rb, row, h)
                                           : recurrent_part(r, rb, row, rh);
              const double candidate = g(clipped(input_part(w, wb, row, xt) + recurrent));
              next_h[j] = (1.0 - z[j]) * candidate + z[j] * h[j];
            }
          } else {
            for (int64_t j = 0; j < H; ++j)
              next_h[j] = f(clipped(input_part(w, wb, j, xt) + recurrent_part(r, rb, j, h)));
          }
          h = next_h;
          if (y)
            for (int64_t j = 0; j < H; ++j) y[p.y_offset(t, d, b) + j] = static_cast<float>(h[j]);
        }
        for (int64_t j = 0; j < H; ++j) {
          if (y_h) y_h[state + j] = static_cast<float>(h[j]);
          if (y_c) y_c[state + j] = static_cast<float>(c[j]);
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Kernel> prepare_reference(const Layer& layer) {
  Reference ref{recurrent_params(layer), layer.n().name};
  return make_kernel([ref = std::move(ref)](KernelIO& io) { ref.run(io); });
}

AlgorithmText reference_text() {
  return {"Every gate of every step from the spec's equations, in double",
          "For each direction, batch entry and step, each gate element is computed from its "
          "definition: the dot product of its row of W with x_t plus the dot product of its row "
          "of R with H_{t-1}, plus Wb and Rb (and for LSTM the peephole P times the cell state), "
          "clipped to [-clip, clip] when clip is set, through its activation. LSTM: "
          "C_t = f (.) C_{t-1} + i (.) g(c), H_t = o (.) h(C_t) (input_forget: f = 1 - i); GRU: "
          "H_t = (1 - z) (.) h + z (.) H_{t-1}, the reset gate applied before or after the "
          "recurrent product (linear_before_reset); RNN: H_t = f(x W^T + H R^T + b). A batch "
          "entry runs its sequence_lens steps (from the last backwards in the reverse "
          "direction); Y is zero past them and Y_h / Y_c are the state after its last step. "
          "Cost: the same multiply-adds as any method, one scalar at a time, weights re-read "
          "from memory for every batch entry and step. Extra memory: a few vectors of the "
          "hidden size. Numerics: double arithmetic and state, one rounding per output."};
}

}  // namespace algoscope::ops::recurrent
