// DepthToSpace and SpaceToDepth: the pixel-shuffle rearrangements of an NCHW tensor between its
// channels and blocks of blocksize x blocksize pixels (super-resolution networks' upsampling
// layer). Shape inference and the one algorithm, the reference, live here: one gather loop over
// the output that computes each element's source index, moving bits only.
#include <string>

#include "ops/binary/broadcast.h"
#include "ops/common.h"
#include "ops/shape/shape.h"

namespace algoscope::ops::shape {
namespace {

struct Layout {
  int64_t n, c, h, w;  // the input's dimensions
  int64_t b;           // blocksize
  bool crd;            // DepthToSpace's CRD mode (column-row-depth); DCR otherwise
};

Layout layout_params(const Layer& layer, bool to_space) {
  const std::string& name = layer.n().op_type;
  require(layer.has_input(0), name + " needs an input");
  const Shape& s = layer.inputs[0].shape;
  require(s.size() == 4, name + " needs a 4-D NCHW input, got shape " + shape_to_string(s));
  require(layer.n().has_attribute("blocksize"), name + " needs a blocksize attribute");
  const int64_t b = layer.n().attr_int("blocksize", 0);
  require(b > 0, name + ": blocksize must be positive, got " + std::to_string(b));
  Layout l{s[0], s[1], s[2], s[3], b, false};
  if (to_space) {
    require(l.c % (b * b) == 0, name + ": the channel count " + std::to_string(l.c) +
                                    " is not a multiple of blocksize^2 = " + std::to_string(b * b));
    const std::string mode = layer.n().attr_string("mode", "DCR");
    require(mode == "DCR" || mode == "CRD", name + ": mode must be DCR or CRD, got '" + mode + "'");
    l.crd = mode == "CRD";
  } else {
    require(l.h % b == 0 && l.w % b == 0,
            name + ": the spatial size " + std::to_string(l.h) + "x" + std::to_string(l.w) +
                " is not a multiple of blocksize " + std::to_string(b));
  }
  return l;
}

}  // namespace

std::vector<TensorInfo> infer_depth_to_space(const Layer& layer) {
  const Layout l = layout_params(layer, true);
  return {TensorInfo{layer.inputs[0].dtype, Shape{l.n, l.c / (l.b * l.b), l.h * l.b, l.w * l.b}}};
}

std::vector<TensorInfo> infer_space_to_depth(const Layer& layer) {
  const Layout l = layout_params(layer, false);
  return {TensorInfo{layer.inputs[0].dtype, Shape{l.n, l.c * l.b * l.b, l.h / l.b, l.w / l.b}}};
}

std::unique_ptr<Kernel> prepare_depth_space_reference(const Layer& layer, bool to_space) {
  const Layout l = layout_params(layer, to_space);
  return make_kernel([l, to_space](KernelIO& io) {
    with_carrier(io.inputs[0]->dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      const T* x = static_cast<const T*>(io.inputs[0]->raw());
      T* y = static_cast<T*>(io.outputs[0]->raw());
      const int64_t b = l.b;
      if (to_space) {
        // out[n, c, h*b + i, w*b + j] = x[n, src_c, h, w]; DCR: src_c = (i*b + j) * C' + c,
        // CRD: src_c = c * b*b + i*b + j.
        const int64_t oc = l.c / (b * b), oh = l.h * b, ow = l.w * b;
        for (int64_t n = 0; n < l.n; ++n)
          for (int64_t c = 0; c < oc; ++c)
            for (int64_t y0 = 0; y0 < oh; ++y0)
              for (int64_t x0 = 0; x0 < ow; ++x0) {
                const int64_t i = y0 % b, j = x0 % b;
                const int64_t src_c = l.crd ? c * b * b + i * b + j : (i * b + j) * oc + c;
                *y++ = x[((n * l.c + src_c) * l.h + y0 / b) * l.w + x0 / b];
              }
      } else {
        // out[n, (i*b + j) * C + c, h, w] = x[n, c, h*b + i, w*b + j].
        const int64_t oh = l.h / b, ow = l.w / b;
        for (int64_t n = 0; n < l.n; ++n)
          for (int64_t oc = 0; oc < l.c * b * b; ++oc) {
            const int64_t block = oc / l.c, c = oc % l.c, i = block / b, j = block % b;
            for (int64_t h = 0; h < oh; ++h)
              for (int64_t w = 0; w < ow; ++w)
                *y++ = x[((n * l.c + c) * l.h + h * b + i) * l.w + w * b + j];
          }
      }
    });
  });
}

AlgorithmText depth_space_reference_text(bool to_space) {
  return {"gather loop computing each output element's source",
          std::string(to_space
                          ? "Walks the output [N, C / b^2, H b, W b] in order and reads each "
                            "element from channel (i b + j) C' + c (DCR) or c b^2 + i b + j (CRD), "
                            "where (i, j) is its position inside its b x b block. "
                          : "Walks the output [N, C b^2, H / b, W / b] in order and reads each "
                            "element from pixel (h b + i, w b + j) of channel c, where output "
                            "channel (i b + j) C + c names the block position. ") +
              "Reads are strided, writes sequential; no extra memory. Moves bits only: exact."};
}

}  // namespace algoscope::ops::shape
