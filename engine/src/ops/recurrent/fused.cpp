// LSTM, GRU and RNN with the standard first optimisation of recurrent layers (cuDNN's RNN;
// Appleyard, Kocisky & Blunsom, "Optimizing performance of recurrent neural networks on GPUs",
// 2016): the input projection x_t W^T does not depend on the recurrence, so it is computed for all
// time steps and both directions at once, as one GEMM of X [seq * batch, input] by the W^T of every
// direction [input, directions * gates * hidden]. What is left per step is the recurrent GEMM
// H_{t-1} R^T [batch, gates * hidden] and the gate arithmetic, vectorised over the hidden units.
// W^T and R^T are packed into the GEMM's panel layout once, when the layer is prepared (the
// biases folded into one vector per direction too); when the weights are runtime inputs (ONNX's
// own node tests pass them so) they are packed per call.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "blocked_gemm/blocked_gemm.h"
#include "ops/common.h"
#include "ops/recurrent/recurrent.h"
#include "ops/vector_math.h"

namespace algoscope::ops::recurrent {
namespace {

using namespace vmath;
using Kind = Activation::Kind;

// v[0, n) = f(v) for one activation of the spec's list.
ALGOSCOPE_INLINE void activate_body(Kind kind, float alpha, float beta, float* __restrict v,
                                    int64_t n) {
  switch (kind) {
    case Kind::Sigmoid:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) v[i] = sigmoid_approx(v[i]);
      return;
    case Kind::Tanh:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) v[i] = tanh_approx(v[i]);
      return;
    case Kind::Relu:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) v[i] = v[i] > 0.0f ? v[i] : 0.0f;
      return;
    case Kind::Affine:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) v[i] = alpha * v[i] + beta;
      return;
    case Kind::LeakyRelu:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) v[i] = v[i] >= 0.0f ? v[i] : alpha * v[i];
      return;
    case Kind::ThresholdedRelu:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) v[i] = v[i] > alpha ? v[i] : 0.0f;
      return;
    case Kind::ScaledTanh:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) v[i] = alpha * tanh_approx(beta * v[i]);
      return;
    case Kind::HardSigmoid:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) {
        const float s = alpha * v[i] + beta;
        v[i] = s < 0.0f ? 0.0f : (s > 1.0f ? 1.0f : s);
      }
      return;
    case Kind::Elu:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i)
        v[i] = v[i] >= 0.0f ? v[i] : alpha * (exp_approx(v[i]) - 1.0f);
      return;
    case Kind::Softsign:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) v[i] = v[i] / (1.0f + (v[i] < 0.0f ? -v[i] : v[i]));
      return;
    case Kind::Softplus:
      // log(1 + e^x) has no vector approximation here; the rare non-default cell pays the libm.
      for (int64_t i = 0; i < n; ++i) v[i] = v[i] > 30.0f ? v[i] : std::log1p(std::exp(v[i]));
      return;
  }
}
ALGOSCOPE_SIMD_VARIANTS(activate_simd, activate_body)

void activate(const Activation& a, float* v, int64_t n) {
  activate_simd(a.kind, a.alpha, a.beta, v, n);
}

// v[0, n) += a[0, n) + b[0, n).
ALGOSCOPE_INLINE void add2_body(float* __restrict v, const float* __restrict a,
                                const float* __restrict b, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) v[i] += a[i] + b[i];
}
ALGOSCOPE_SIMD_VARIANTS(add2, add2_body)

// v[0, n) += p[0, n) * c[0, n) (a peephole), then clamped to [-clip, clip] when clip > 0.
ALGOSCOPE_INLINE void peephole_clip_body(float* __restrict v, const float* __restrict p,
                                         const float* __restrict c, float clip, int64_t n) {
  if (p) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) v[i] += p[i] * c[i];
  }
  if (clip > 0.0f) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) v[i] = v[i] < -clip ? -clip : (v[i] > clip ? clip : v[i]);
  }
}
ALGOSCOPE_SIMD_VARIANTS(peephole_clip, peephole_clip_body)

// LSTM: c = f (.) c + i (.) g, with f = 1 - i under input_forget; then t = c (for h(C_t)).
ALGOSCOPE_INLINE void lstm_cell_body(float* __restrict c, const float* __restrict i,
                                     const float* __restrict f, const float* __restrict g,
                                     bool input_forget, float* __restrict t, int64_t n) {
  if (input_forget) {
#pragma omp simd
    for (int64_t k = 0; k < n; ++k) t[k] = c[k] = (1.0f - i[k]) * c[k] + i[k] * g[k];
  } else {
#pragma omp simd
    for (int64_t k = 0; k < n; ++k) t[k] = c[k] = f[k] * c[k] + i[k] * g[k];
  }
}
ALGOSCOPE_SIMD_VARIANTS(lstm_cell, lstm_cell_body)

// h = o (.) t.
ALGOSCOPE_INLINE void multiply_body(float* __restrict h, const float* __restrict o,
                                    const float* __restrict t, int64_t n) {
#pragma omp simd
  for (int64_t k = 0; k < n; ++k) h[k] = o[k] * t[k];
}
ALGOSCOPE_SIMD_VARIANTS(multiply, multiply_body)

// GRU: with linear_before_reset, v = x + r (.) (hr + rb); without, v = x + hr (hr already the
// product of r (.) H). rb may be null. v may be hr (each element reads only its own), so neither is
// __restrict.
ALGOSCOPE_INLINE void gru_candidate_body(float* v, const float* __restrict x,
                                         const float* __restrict r, const float* hr,
                                         const float* __restrict rb, int64_t n) {
  if (r) {
#pragma omp simd
    for (int64_t k = 0; k < n; ++k) v[k] = x[k] + r[k] * (hr[k] + rb[k]);
  } else {
#pragma omp simd
    for (int64_t k = 0; k < n; ++k) v[k] = x[k] + hr[k];
  }
}
ALGOSCOPE_SIMD_VARIANTS(gru_candidate, gru_candidate_body)

// GRU: h = (1 - z) (.) v + z (.) h.
ALGOSCOPE_INLINE void gru_update_body(float* __restrict h, const float* __restrict z,
                                      const float* __restrict v, int64_t n) {
#pragma omp simd
  for (int64_t k = 0; k < n; ++k) h[k] = (1.0f - z[k]) * v[k] + z[k] * h[k];
}
ALGOSCOPE_SIMD_VARIANTS(gru_update, gru_update_body)

// rh = r (.) h.
ALGOSCOPE_INLINE void gru_reset_body(float* __restrict rh, const float* __restrict r,
                                     const float* __restrict h, int64_t n) {
#pragma omp simd
  for (int64_t k = 0; k < n; ++k) rh[k] = r[k] * h[k];
}
ALGOSCOPE_SIMD_VARIANTS(gru_reset, gru_reset_body)

// A step's recurrent product below this many FLOPs (about 2 ms of one core's work) runs on one
// thread: the GEMM would otherwise wake the OpenMP team once per step, and on shared cores a team
// whose partner thread is descheduled waits a scheduler quantum each time. Measured on 2 loaded
// vCPUs (AVX-512), seq 50, input 256, hidden 512, batch 16: 19 ms on one thread, 430 ms with the
// steps on 2 threads, 42 ms with only the input GEMM on 2.
constexpr double kParallelStepFlops = 256e6;

// Holds this thread's OpenMP team size at 1 while it lives, when `serial`.
class SerialRegion {
 public:
  explicit SerialRegion(bool serial) : saved_(serial ? omp_get_max_threads() : 0) {
    if (saved_) omp_set_num_threads(1);
  }
  ~SerialRegion() {
    if (saved_) omp_set_num_threads(saved_);
  }
  SerialRegion(const SerialRegion&) = delete;
  SerialRegion& operator=(const SerialRegion&) = delete;

 private:
  int saved_;
};

const float* input(const KernelIO& io, size_t index) {
  return io.inputs.size() > index && io.inputs[index] ? io.inputs[index]->data<float>() : nullptr;
}

// The weights in the form the kernel reads them.
struct Packed {
  blocked_gemm::PackedMatrix w;                // W^T of all directions: [input, dirs * G * H]
  std::vector<blocked_gemm::PackedMatrix> r;   // per direction R^T [H, G * H]; GRU without
                                               // linear_before_reset: only z and r, [H, 2H]
  std::vector<blocked_gemm::PackedMatrix> rh;  // GRU without linear_before_reset: R_h^T [H, H]
  // Per direction, G * H: the bias added to the input part of each gate, Wb + Rb, except GRU's
  // h gate under linear_before_reset (Wb only; Rb_h goes inside r (.) (...)).
  std::vector<float> bias;
  std::vector<float> recurrent_bias;  // per direction, H: that Rb_h (zeros without B)
  std::vector<float> peepholes;       // P as given, or empty
};

Packed pack(const RecurrentParams& p, const float* w, const float* r, const float* b,
            const float* peep) {
  const int64_t H = p.hidden, G = p.gates, gh = G * H, D = p.directions;
  Packed k;
  // W is [D * G * H, input] row-major: transposed, the B operand of X W^T.
  k.w = blocked_gemm::pack_b(true, p.input, D * gh, w, p.input);
  const bool split = p.cell == Cell::Gru && !p.linear_before_reset;
  for (int64_t d = 0; d < D; ++d) {
    const float* rd = r + d * gh * H;
    k.r.push_back(blocked_gemm::pack_b(true, H, split ? 2 * H : gh, rd, H));
    if (split) k.rh.push_back(blocked_gemm::pack_b(true, H, H, rd + 2 * H * H, H));
  }
  k.bias.assign(static_cast<size_t>(D * gh), 0.0f);
  k.recurrent_bias.assign(static_cast<size_t>(D * H), 0.0f);
  if (b) {
    for (int64_t d = 0; d < D; ++d) {
      const float* wb = b + d * 2 * gh;
      const float* rb = wb + gh;
      for (int64_t i = 0; i < gh; ++i) {
        const bool apart = p.linear_before_reset && i >= 2 * H;
        k.bias[d * gh + i] = wb[i] + (apart ? 0.0f : rb[i]);
        if (apart) k.recurrent_bias[d * H + i - 2 * H] = rb[i];
      }
    }
  }
  if (peep) k.peepholes.assign(peep, peep + D * 3 * H);
  return k;
}

struct Workspace {
  float *xw, *hr, *h, *c, *rh, *hrh, *t;
};

// Floats of the workspace: the input projection of every step and direction, then per step the
// recurrent product, the state h and c, GRU's r (.) H with its product, and one row of scratch
// (GRU's candidate input, LSTM's h(C_t)).
int64_t workspace_floats(const RecurrentParams& p) {
  const int64_t gh = p.gates * p.hidden;
  return p.seq * p.batch * p.directions * gh + p.batch * gh + 4 * p.batch * p.hidden + p.hidden;
}

class FusedKernel final : public Kernel {
 public:
  FusedKernel(RecurrentParams p, std::string node, std::shared_ptr<const Packed> packed)
      : p_(std::move(p)), node_(std::move(node)), packed_(std::move(packed)) {}

  void run(KernelIO& io) override {
    if (packed_) return run_with(io, *packed_);
    const Packed packed =
        pack(p_, input(io, kW), input(io, kR), p_.has_bias ? input(io, kB) : nullptr,
             p_.has_peepholes ? input(io, kP) : nullptr);
    run_with(io, packed);
  }

 private:
  void run_with(KernelIO& io, const Packed& k) const {
    const RecurrentParams& p = p_;
    const int64_t H = p.hidden, G = p.gates, gh = G * H, D = p.directions;
    float* base = static_cast<float*>(io.workspace);
    Workspace ws;
    ws.xw = base;
    ws.hr = ws.xw + p.seq * p.batch * D * gh;
    ws.h = ws.hr + p.batch * gh;
    ws.c = ws.h + p.batch * H;
    ws.rh = ws.c + p.batch * H;
    ws.hrh = ws.rh + p.batch * H;
    ws.t = ws.hrh + p.batch * H;

    // All steps' and directions' input projections in one GEMM: X's rows are (t, b) pairs in
    // memory order whatever the layout.
    blocked_gemm::sgemm_prepacked(false, p.seq * p.batch, 1.0f, input(io, kX), p.input, k.w, 0.0f,
                                  ws.xw, D * gh);
    const std::vector<int64_t> lens =
        sequence_lengths(p, p.has_sequence_lens ? io.inputs[kSequenceLens] : nullptr, node_);
    const int64_t longest = *std::max_element(lens.begin(), lens.end());
    float* y = named_output(p, io, 0);
    float* y_h = named_output(p, io, 1);
    float* y_c = named_output(p, io, 2);
    const bool shorter =
        std::any_of(lens.begin(), lens.end(), [&](int64_t n) { return n < p.seq; });
    if (y && shorter)
      std::fill(y, y + p.seq * D * p.batch * H, 0.0f);  // steps past an entry's length are 0
    const float* h0 = p.has_initial_h ? input(io, kInitialH) : nullptr;
    const float* c0 = p.has_initial_c ? input(io, kInitialC) : nullptr;

    for (int64_t d = 0; d < D; ++d) {
      for (int64_t b = 0; b < p.batch; ++b) {
        const int64_t state = p.state_offset(d, b);
        float* h = ws.h + b * H;
        float* c = ws.c + b * H;
        if (h0)
          std::memcpy(h, h0 + state, static_cast<size_t>(H) * sizeof(float));
        else
          std::fill(h, h + H, 0.0f);
        if (c0)
          std::memcpy(c, c0 + state, static_cast<size_t>(H) * sizeof(float));
        else
          std::fill(c, c + H, 0.0f);
      }
      {
        const SerialRegion serial(2.0 * double(p.batch * gh) * double(H) < kParallelStepFlops);
        for (int64_t s = 0; s < longest; ++s) step(k, d, s, lens, ws, y);
      }
      for (int64_t b = 0; b < p.batch; ++b) {
        const int64_t state = p.state_offset(d, b);
        if (y_h) std::memcpy(y_h + state, ws.h + b * H, static_cast<size_t>(H) * sizeof(float));
        if (y_c) std::memcpy(y_c + state, ws.c + b * H, static_cast<size_t>(H) * sizeof(float));
      }
    }
  }

  // Step s of direction d for every batch entry that has one.
  void step(const Packed& k, int64_t d, int64_t s, const std::vector<int64_t>& lens,
            const Workspace& ws, float* y) const {
    const RecurrentParams& p = p_;
    const int64_t H = p.hidden, G = p.gates, gh = G * H, D = p.directions;
    const float clip = p.clip ? *p.clip : 0.0f;
    const float* bias = k.bias.data() + d * gh;
    const Activation& f = p.activation(d, 0);
    // hr = H_{t-1} R^T for the whole batch (finished entries included: their rows are ignored).
    const bool split = p.cell == Cell::Gru && !p.linear_before_reset;
    blocked_gemm::sgemm_prepacked(false, p.batch, 1.0f, ws.h, H, k.r[static_cast<size_t>(d)], 0.0f,
                                  ws.hr, gh);
    auto time_of = [&](int64_t b) { return p.reversed(d) ? lens[b] - 1 - s : s; };
    auto xw_of = [&](int64_t b) { return ws.xw + p.x_row(time_of(b), b) * D * gh + d * gh; };

    if (p.cell == Cell::Gru && split) {
      // z and r first, then (r (.) H) R_h^T for the batch, then the candidate and the update.
      for (int64_t b = 0; b < p.batch; ++b) {
        float* g = ws.hr + b * gh;
        if (s >= lens[b]) {
          std::fill(ws.rh + b * H, ws.rh + (b + 1) * H, 0.0f);
          continue;
        }
        add2(g, xw_of(b), bias, 2 * H);
        peephole_clip(g, static_cast<const float*>(nullptr), static_cast<const float*>(nullptr),
                      clip, 2 * H);
        activate(f, g, 2 * H);
        gru_reset(ws.rh + b * H, g + H, ws.h + b * H, H);
      }
      blocked_gemm::sgemm_prepacked(false, p.batch, 1.0f, ws.rh, H, k.rh[static_cast<size_t>(d)],
                                    0.0f, ws.hrh, H);
    }
    for (int64_t b = 0; b < p.batch; ++b) {
      if (s >= lens[b]) continue;
      const int64_t t = time_of(b);
      const float* xw = xw_of(b);
      float* g = ws.hr + b * gh;
      float* h = ws.h + b * H;
      if (p.cell == Cell::Lstm) {
        // Gates i, o, f, c; peepholes i, o, f.
        const float* pd = k.peepholes.empty() ? nullptr : k.peepholes.data() + d * 3 * H;
        float* c = ws.c + b * H;
        add2(g, xw, bias, gh);
        float *gi = g, *go = g + H, *gf = g + 2 * H, *gc = g + 3 * H;
        peephole_clip(gi, pd, static_cast<const float*>(c), clip, H);
        activate(f, gi, H);
        if (!p.input_forget) {
          peephole_clip(gf, pd ? pd + 2 * H : nullptr, static_cast<const float*>(c), clip, H);
          activate(f, gf, H);
        }
        peephole_clip(gc, static_cast<const float*>(nullptr), static_cast<const float*>(nullptr),
                      clip, H);
        activate(p.activation(d, 1), gc, H);
        lstm_cell(c, static_cast<const float*>(gi), static_cast<const float*>(gf),
                  static_cast<const float*>(gc), p.input_forget, ws.t, H);
        peephole_clip(go, pd ? pd + H : nullptr, static_cast<const float*>(c), clip, H);
        activate(f, go, H);
        activate(p.activation(d, 2), ws.t, H);
        multiply(h, static_cast<const float*>(go), static_cast<const float*>(ws.t), H);
      } else if (p.cell == Cell::Gru) {
        float* gh_gate = g + 2 * H;
        if (!split) {
          add2(g, xw, bias, 2 * H);
          peephole_clip(g, static_cast<const float*>(nullptr), static_cast<const float*>(nullptr),
                        clip, 2 * H);
          activate(f, g, 2 * H);
          // v = x_h + Wb_h + r (.) (H R_h^T + Rb_h): ws.t holds x_h + Wb_h.
          for (int64_t j = 0; j < H; ++j) ws.t[j] = xw[2 * H + j] + bias[2 * H + j];
          gru_candidate(gh_gate, static_cast<const float*>(ws.t), static_cast<const float*>(g + H),
                        static_cast<const float*>(gh_gate),
                        static_cast<const float*>(k.recurrent_bias.data() + d * H), H);
        } else {
          for (int64_t j = 0; j < H; ++j) ws.t[j] = xw[2 * H + j] + bias[2 * H + j];
          gru_candidate(
              gh_gate, static_cast<const float*>(ws.t), static_cast<const float*>(nullptr),
              static_cast<const float*>(ws.hrh + b * H), static_cast<const float*>(nullptr), H);
        }
        peephole_clip(gh_gate, static_cast<const float*>(nullptr),
                      static_cast<const float*>(nullptr), clip, H);
        activate(p.activation(d, 1), gh_gate, H);
        gru_update(h, static_cast<const float*>(g), static_cast<const float*>(gh_gate), H);
      } else {
        add2(g, xw, bias, H);
        peephole_clip(g, static_cast<const float*>(nullptr), static_cast<const float*>(nullptr),
                      clip, H);
        activate(f, g, H);
        std::memcpy(h, g, static_cast<size_t>(H) * sizeof(float));
      }
      if (y) std::memcpy(y + p.y_offset(t, d, b), h, static_cast<size_t>(H) * sizeof(float));
    }
  }

  RecurrentParams p_;
  std::string node_;
  std::shared_ptr<const Packed> packed_;  // null: the weights are runtime inputs
};

}  // namespace

size_t fused_workspace(const Layer& layer) {
  return static_cast<size_t>(workspace_floats(recurrent_params(layer))) * sizeof(float);
}

std::unique_ptr<Kernel> prepare_fused(const Layer& layer) {
  RecurrentParams p = recurrent_params(layer);
  const Tensor* w = layer.constant(kW);
  const Tensor* r = layer.constant(kR);
  const Tensor* b = p.has_bias ? layer.constant(kB) : nullptr;
  const Tensor* peep = p.has_peepholes ? layer.constant(kP) : nullptr;
  std::shared_ptr<const Packed> packed;
  // Packed once only when every weight is a constant; otherwise per call, from the inputs.
  if (w && r && (b || !p.has_bias) && (peep || !p.has_peepholes))
    packed = std::make_shared<const Packed>(pack(p, w->data<float>(), r->data<float>(),
                                                 b ? b->data<float>() : nullptr,
                                                 peep ? peep->data<float>() : nullptr));
  return std::make_unique<FusedKernel>(std::move(p), layer.n().name, std::move(packed));
}

AlgorithmText fused_text() {
  return {
      "Input projections of all steps as one GEMM, then per step H R^T and vectorised gates "
      "(cuDNN, Appleyard et al. 2016)",
      "x_t W^T does not depend on the recurrence, so it is computed for every time step and "
      "both directions at once: one GEMM of X [seq * batch, input] by the W^T of all "
      "directions [input, directions * gates * hidden], with our cache-blocked GEMM at full "
      "efficiency (a tall matrix instead of seq small ones). Each step is then only the "
      "recurrent GEMM H_{t-1} R^T [batch, gates * hidden] plus the gate arithmetic over the "
      "hidden units: bias, peepholes, clip and the activations as SIMD loops (polynomial "
      "sigmoid and tanh; GRU without linear_before_reset needs a second, smaller GEMM of "
      "(r (.) H) R_h^T). W^T and R^T are packed into the GEMM's panel layout and the biases "
      "Wb + Rb folded into one vector when the layer is prepared (per call when the weights "
      "are runtime inputs). Extra memory: the workspace, (seq * batch * directions * gates * "
      "hidden + batch * gates * hidden + 4 * batch * hidden + hidden) floats, the first term "
      "dominating, plus the packed weights, about (input + hidden) * directions * gates * "
      "hidden floats. It wins everywhere, most with long sequences and large inputs: half or "
      "more of the multiply-adds move into one big GEMM, and the per-step product streams "
      "packed R; with batch 1 the step is a matrix-vector product bound by reading R, so "
      "larger batches amortise it. Numerics: float accumulation in the GEMMs and polynomial "
      "sigmoid / tanh (about 2 ulp); the state is float, so differences from the double "
      "reference grow slowly with sequence length where the recurrence amplifies them."};
}

}  // namespace algoscope::ops::recurrent
