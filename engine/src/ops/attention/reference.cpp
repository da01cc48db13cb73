// Attention by its definition, the ground truth for the other algorithms: for every head and
// query row, the scores scale * q . k_j + mask in double, their softmax (maximum subtracted), and
// the weighted sum of the value rows, also in double. Single-threaded; memory: one row of scores.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/attention/attention.h"
#include "ops/common.h"

namespace algoscope::ops::attention {

std::unique_ptr<Kernel> prepare_reference(const Layer& layer) {
  const AttentionGeometry g = attention_geometry(layer);
  return make_kernel([g](KernelIO& io) {
    const AttentionIO a(g, io);
    const float *q = a.q, *kt = a.kt, *v = a.v, *mask = a.mask;
    float* y = a.y;
    std::vector<double> scores(size_t(g.skv)), out(size_t(g.dv));
    for (int64_t h = 0; h < g.heads; ++h) {
      const float* kh = kt + h * g.d * g.skv;
      const float* vh = v + h * g.skv * g.dv;
      for (int64_t i = 0; i < g.sq; ++i) {
        const float* qi = q + (h * g.sq + i) * g.d;
        double max = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < g.skv; ++j) {
          double dot = 0.0;
          for (int64_t k = 0; k < g.d; ++k) dot += double(qi[k]) * kh[k * g.skv + j];
          double s = double(g.scale) * dot;
          if (mask) s += g.mask_row(mask, h, i)[j * g.mask_col_stride];
          scores[size_t(j)] = s;
          max = std::max(max, s);
        }
        double sum = 0.0;
        for (double& s : scores) sum += (s = std::exp(s - max));
        std::fill(out.begin(), out.end(), 0.0);
        for (int64_t j = 0; j < g.skv; ++j)
          for (int64_t c = 0; c < g.dv; ++c) out[size_t(c)] += scores[size_t(j)] * vh[j * g.dv + c];
        float* yi = y + (h * g.sq + i) * g.dv;
        for (int64_t c = 0; c < g.dv; ++c) yi[c] = static_cast<float>(out[size_t(c)] / sum);
      }
    }
  });
}

AlgorithmText reference_text() {
  return {"Per query row: scores, softmax and weighted sum of V, all in double",
          "For every head and query row it computes the Skv scores scale * q . k_j (+ mask) in "
          "double, subtracts their maximum, exponentiates, and sums the value rows weighted by the "
          "exponentials, dividing by their sum at the end. Extra memory: one row of Skv doubles. "
          "Single-threaded plain loops: the ground truth, never fast."};
}

}  // namespace algoscope::ops::attention
