// Attention shape inference and FLOPs: checks that Q [*, Sq, D], Kt [*, D, Skv], V [*, Skv, Dv]
// agree, that the optional mask broadcasts to the scores [*, Sq, Skv], and precomputes the mask's
// strides so that kernels index it without knowing its rank.
#include <string>

#include "ops/attention/attention.h"
#include "ops/common.h"

namespace algoscope::ops::attention {

AttentionGeometry attention_geometry(const Layer& layer) {
  require(layer.n().has_attribute(kFusedMarker),
          "this Attention node was not made by algoscope's attention pass (ONNX's own Attention "
          "op, opset 23, is not supported)");
  require(layer.has_input(0) && layer.has_input(1) && layer.has_input(2),
          "Attention needs inputs Q, K^T and V");
  const TensorInfo &q = layer.inputs[0], &kt = layer.inputs[1], &v = layer.inputs[2];
  for (const TensorInfo* t : {&q, &kt, &v})
    require(t->dtype == DType::Float32, "Attention inputs must be float32");
  const size_t rank = q.shape.size();
  require(rank >= 2 && kt.shape.size() == rank && v.shape.size() == rank,
          "Attention needs Q, K^T and V of the same rank, 2 or more; got " +
              shape_to_string(q.shape) + ", " + shape_to_string(kt.shape) + ", " +
              shape_to_string(v.shape));
  AttentionGeometry g;
  for (size_t i = 0; i + 2 < rank; ++i) {
    require(kt.shape[i] == q.shape[i] && v.shape[i] == q.shape[i],
            "Attention needs the same leading (batch, head) dimensions on Q, K^T and V");
    g.heads *= q.shape[i];
  }
  g.sq = q.shape[rank - 2];
  g.d = q.shape[rank - 1];
  g.skv = kt.shape[rank - 1];
  g.dv = v.shape[rank - 1];
  require(kt.shape[rank - 2] == g.d, "Attention: K^T " + shape_to_string(kt.shape) +
                                         " does not match Q's depth " + std::to_string(g.d));
  require(v.shape[rank - 2] == g.skv, "Attention: V " + shape_to_string(v.shape) +
                                          " does not have K's " + std::to_string(g.skv) + " rows");
  g.scale = layer.n().attr_float("scale", 1.0f);

  g.mask_head_offset.assign(size_t(g.heads), 0);
  if (layer.has_input(3)) {
    const TensorInfo& m = layer.inputs[3];
    require(m.dtype == DType::Float32, "Attention mask must be float32 (additive)");
    require(m.shape.size() <= rank, "Attention mask has more axes than the scores");
    // Scores shape, and the mask's strides right-aligned against it (0 where it broadcasts).
    std::vector<int64_t> scores(q.shape.begin(), q.shape.end() - 1);
    scores.push_back(g.skv);
    std::vector<int64_t> stride(rank, 0);
    int64_t step = 1;
    for (size_t k = 0; k < m.shape.size(); ++k) {
      const size_t mi = m.shape.size() - 1 - k, si = rank - 1 - k;
      require(m.shape[mi] == scores[si] || m.shape[mi] == 1,
              "Attention mask " + shape_to_string(m.shape) + " does not broadcast to the scores " +
                  shape_to_string(scores));
      if (m.shape[mi] != 1) stride[si] = step;
      step *= m.shape[mi];
    }
    g.has_mask = true;
    g.mask_row_stride = stride[rank - 2];
    g.mask_col_stride = stride[rank - 1];
    for (int64_t h = 0; h < g.heads; ++h) {
      int64_t rest = h, offset = 0;
      for (size_t i = rank - 2; i-- > 0;) {
        offset += (rest % scores[i]) * stride[i];
        rest /= scores[i];
      }
      g.mask_head_offset[size_t(h)] = offset;
    }
  }
  return g;
}

std::vector<TensorInfo> infer(const Layer& layer) {
  const AttentionGeometry g = attention_geometry(layer);
  TensorInfo out = layer.inputs[0];
  out.shape.back() = g.dv;
  return {out};
}

double flops(const Layer& layer) {
  const AttentionGeometry g = attention_geometry(layer);
  const double scores = double(g.heads) * double(g.sq) * double(g.skv);
  return scores * (2.0 * double(g.d + g.dv) + 5.0);
}

}  // namespace algoscope::ops::attention
