// Reference kernels of the shape family. None of them does arithmetic on the data: each copies
// elements through an unsigned carrier of the element's size (see with_carrier), so every element
// type moves bit-exactly. Index bookkeeping is done once at prepare time from the static shapes;
// the loops walk the output in row-major order with an index counter.
#include <cstring>
#include <string>

#include "ops/binary/broadcast.h"
#include "ops/common.h"
#include "ops/shape/shape.h"

namespace algoscope::ops::shape {
namespace {

std::vector<int64_t> row_major_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  return strides;
}

int64_t product(const Shape& shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t d = begin; d < end; ++d) n *= shape[d];
  return n;
}

// out[i] = src[offset + sum_d index_d(i) * strides[d]] over the output shape `dims` in row-major
// order: Transpose (permuted strides) and Slice (strides scaled by the steps) are both this.
template <class T>
void strided_gather(const T* src, T* out, const Shape& dims, const std::vector<int64_t>& strides,
                    int64_t offset) {
  const int64_t total = shape_numel(dims);
  if (total == 0) return;
  if (dims.empty()) {
    out[0] = src[offset];
    return;
  }
  const size_t rank = dims.size();
  const int64_t inner = dims.back();
  const int64_t inner_stride = strides.back();
  std::vector<int64_t> index(rank, 0);
  int64_t base = offset;
  for (int64_t o = 0; o < total; o += inner) {
    for (int64_t i = 0; i < inner; ++i) out[o + i] = src[base + i * inner_stride];
    for (size_t d = rank - 1; d-- > 0;) {
      base += strides[d];
      if (++index[d] < dims[d]) break;
      base -= strides[d] * dims[d];
      index[d] = 0;
    }
  }
}

// Kernels copying one whole buffer: the byte count comes from the tensors at run time.
void copy_all(const Tensor& from, Tensor& to) {
  if (to.raw() != from.raw() && from.bytes()) std::memcpy(to.raw(), from.raw(), from.bytes());
}

}  // namespace

namespace {
// The session may store input and output in one buffer (Kernel::output_is_input); then there
// is nothing to copy.
class CopyReference final : public Kernel {
 public:
  void run(KernelIO& io) override { copy_all(*io.inputs[0], *io.outputs[0]); }
  bool output_is_input() const override { return true; }
};
}  // namespace

std::unique_ptr<Kernel> prepare_copy_reference(const Layer&) {
  return std::make_unique<CopyReference>();
}

std::unique_ptr<Kernel> prepare_transpose_reference(const Layer& layer) {
  const Shape& in = layer.inputs[0].shape;
  const std::vector<int64_t> perm = transpose_perm(layer);
  const std::vector<int64_t> in_strides = row_major_strides(in);
  Shape out;
  std::vector<int64_t> strides;  // input stride of each output dimension
  for (int64_t p : perm) {
    out.push_back(in[static_cast<size_t>(p)]);
    strides.push_back(in_strides[static_cast<size_t>(p)]);
  }
  return make_kernel([out, strides](KernelIO& io) {
    with_carrier(io.inputs[0]->dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      strided_gather(static_cast<const T*>(io.inputs[0]->raw()),
                     static_cast<T*>(io.outputs[0]->raw()), out, strides, 0);
    });
  });
}

std::unique_ptr<Kernel> prepare_slice_reference(const Layer& layer) {
  const SliceParams p = slice_params(layer);
  const std::vector<int64_t> in_strides = row_major_strides(layer.inputs[0].shape);
  std::vector<int64_t> strides(in_strides.size());
  int64_t offset = 0;
  for (size_t d = 0; d < in_strides.size(); ++d) {
    offset += p.starts[d] * in_strides[d];
    strides[d] = p.steps[d] * in_strides[d];
  }
  return make_kernel([out = p.out, strides, offset](KernelIO& io) {
    with_carrier(io.inputs[0]->dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      strided_gather(static_cast<const T*>(io.inputs[0]->raw()),
                     static_cast<T*>(io.outputs[0]->raw()), out, strides, offset);
    });
  });
}

std::unique_ptr<Kernel> prepare_concat_reference(const Layer& layer) {
  // Viewed as [outer, axis * inner], each input contributes one contiguous block per outer row.
  const size_t axis = static_cast<size_t>(concat_axis(layer));
  const Shape& first = layer.inputs[0].shape;
  const int64_t outer = product(first, 0, axis);
  const int64_t inner = product(first, axis + 1, first.size());
  const size_t esize = dtype_size(layer.inputs[0].dtype);
  std::vector<size_t> block;  // bytes per outer row of each input
  size_t row = 0;
  for (const TensorInfo& in : layer.inputs) {
    block.push_back(static_cast<size_t>(in.shape[axis] * inner) * esize);
    row += block.back();
  }
  return make_kernel([outer, block, row](KernelIO& io) {
    auto* out = static_cast<std::byte*>(io.outputs[0]->raw());
    size_t at = 0;
    for (size_t k = 0; k < block.size(); ++k) {
      const auto* src = static_cast<const std::byte*>(io.inputs[k]->raw());
      if (block[k])
        for (int64_t o = 0; o < outer; ++o)
          std::memcpy(out + static_cast<size_t>(o) * row + at,
                      src + static_cast<size_t>(o) * block[k], block[k]);
      at += block[k];
    }
  });
}

std::unique_ptr<Kernel> prepare_split_reference(const Layer& layer) {
  // The inverse of Concat: each output takes one contiguous block of every outer row.
  const SplitParams p = split_params(layer);
  const Shape& in = layer.inputs[0].shape;
  const size_t axis = static_cast<size_t>(p.axis);
  const int64_t outer = product(in, 0, axis);
  const int64_t inner = product(in, axis + 1, in.size());
  const size_t esize = dtype_size(layer.inputs[0].dtype);
  std::vector<size_t> block;
  size_t row = 0;
  for (int64_t s : p.sizes) {
    block.push_back(static_cast<size_t>(s * inner) * esize);
    row += block.back();
  }
  return make_kernel([outer, block, row](KernelIO& io) {
    const auto* src = static_cast<const std::byte*>(io.inputs[0]->raw());
    size_t at = 0;
    for (size_t k = 0; k < block.size(); ++k) {
      if (k < io.outputs.size() && io.outputs[k] && block[k]) {
        auto* out = static_cast<std::byte*>(io.outputs[k]->raw());
        for (int64_t o = 0; o < outer; ++o)
          std::memcpy(out + static_cast<size_t>(o) * block[k],
                      src + static_cast<size_t>(o) * row + at, block[k]);
      }
      at += block[k];
    }
  });
}

std::unique_ptr<Kernel> prepare_gather_reference(const Layer& layer) {
  // data viewed as [outer, dim, inner]; output as [outer, indices, inner].
  const int64_t axis = gather_axis(layer);
  const Shape& in = layer.inputs[0].shape;
  const int64_t outer = product(in, 0, static_cast<size_t>(axis));
  const int64_t dim = in[static_cast<size_t>(axis)];
  const int64_t inner = product(in, static_cast<size_t>(axis) + 1, in.size());
  const size_t bytes = static_cast<size_t>(inner) * dtype_size(layer.inputs[0].dtype);
  return make_kernel([axis, outer, dim, bytes](KernelIO& io) {
    const std::vector<int64_t> indices = io.inputs[1]->to_int64_vector();
    const int64_t count = static_cast<int64_t>(indices.size());
    std::vector<int64_t> rows;  // validated, non-negative
    rows.reserve(indices.size());
    for (int64_t i : indices) {
      if (i < -dim || i >= dim)
        throw Error("Gather: index " + std::to_string(i) + " is out of range for axis " +
                    std::to_string(axis) + " of length " + std::to_string(dim));
      rows.push_back(i < 0 ? i + dim : i);
    }
    const auto* src = static_cast<const std::byte*>(io.inputs[0]->raw());
    auto* out = static_cast<std::byte*>(io.outputs[0]->raw());
    if (bytes == 0) return;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < count; ++j)
        std::memcpy(out + static_cast<size_t>(o * count + j) * bytes,
                    src + static_cast<size_t>(o * dim + rows[static_cast<size_t>(j)]) * bytes,
                    bytes);
  });
}

std::unique_ptr<Kernel> prepare_pad_reference(const Layer& layer) {
  const PadParams p = pad_params(layer);
  const Shape& in = layer.inputs[0].shape;
  const size_t rank = in.size();
  // For each dimension, the input index each output index reads, or -1 for the constant.
  std::vector<std::vector<int64_t>> source(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t n = in[d];
    for (int64_t o = 0; o < p.out[d]; ++o) {
      int64_t i = o - p.begin[d];
      if (i < 0 || i >= n) {
        if (p.mode == PadMode::Constant) {
          i = -1;
        } else if (p.mode == PadMode::Edge) {
          i = i < 0 ? 0 : n - 1;
        } else if (n == 1) {
          i = 0;
        } else {
          // Reflect about the first and last element (numpy 'reflect'), folding repeatedly when
          // the pad is wider than the axis.
          const int64_t period = 2 * (n - 1);
          i %= period;
          if (i < 0) i += period;
          if (i >= n) i = period - i;
        }
      }
      source[d].push_back(i);
    }
  }
  const std::vector<int64_t> strides = row_major_strides(in);
  return make_kernel([p, source, strides](KernelIO& io) {
    const Tensor& x = *io.inputs[0];
    Tensor& y = *io.outputs[0];
    std::array<std::byte, 8> value = p.value;
    if (p.value_input && io.inputs.size() > 2 && io.inputs[2])
      std::memcpy(value.data(), io.inputs[2]->raw(), dtype_size(x.dtype()));
    with_carrier(x.dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      T fill;
      std::memcpy(&fill, value.data(), sizeof(T));
      const T* src = static_cast<const T*>(x.raw());
      T* out = static_cast<T*>(y.raw());
      const int64_t total = y.numel();
      if (total == 0) return;
      if (p.out.empty()) {
        out[0] = src[0];
        return;
      }
      const size_t rank = p.out.size();
      const int64_t inner = p.out.back();
      const std::vector<int64_t>& last = source.back();
      const int64_t last_stride = strides.back();
      std::vector<int64_t> index(rank, 0);
      for (int64_t o = 0; o < total; o += inner) {
        // Offset of the outer indices, or -1 when one of them falls into constant padding.
        int64_t base = 0;
        for (size_t d = 0; d + 1 < rank && base >= 0; ++d) {
          int64_t i = source[d][static_cast<size_t>(index[d])];
          base = i < 0 ? -1 : base + i * strides[d];
        }
        for (int64_t k = 0; k < inner; ++k) {
          int64_t i = last[static_cast<size_t>(k)];
          out[o + k] = (base < 0 || i < 0) ? fill : src[base + i * last_stride];
        }
        for (size_t d = rank - 1; d-- > 0;) {
          if (++index[d] < p.out[d]) break;
          index[d] = 0;
        }
      }
    });
  });
}

std::unique_ptr<Kernel> prepare_expand_reference(const Layer& layer) {
  const Shape out = infer_expand(layer)[0].shape;
  const BroadcastPlan plan = plan_broadcast({layer.inputs[0].shape}, out);
  return make_kernel([plan](KernelIO& io) {
    with_carrier(io.inputs[0]->dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      const T* src = static_cast<const T*>(io.inputs[0]->raw());
      T* dst = static_cast<T*>(io.outputs[0]->raw());
      const int64_t stride = plan.inner_stride(0);
      for_each_run(plan, [&](int64_t o, int64_t n, const int64_t* off) {
        for (int64_t i = 0; i < n; ++i) dst[o + i] = src[off[0] + i * stride];
      });
    });
  });
}

std::unique_ptr<Kernel> prepare_tile_reference(const Layer& layer) {
  const Shape in = layer.inputs[0].shape;
  const Shape out = infer_tile(layer)[0].shape;
  const std::vector<int64_t> strides = row_major_strides(in);
  return make_kernel([in, out, strides](KernelIO& io) {
    with_carrier(io.inputs[0]->dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      const T* src = static_cast<const T*>(io.inputs[0]->raw());
      T* dst = static_cast<T*>(io.outputs[0]->raw());
      const int64_t total = shape_numel(out);
      if (total == 0) return;
      if (out.empty()) {
        dst[0] = src[0];
        return;
      }
      // Output rows in row-major order: output index i of dimension d reads input index
      // i % in[d], kept as a wrapped counter so that no division happens per element.
      const size_t rank = out.size();
      const int64_t inner = out.back(), in_inner = in.back();
      std::vector<int64_t> index(rank, 0), wrapped(rank, 0);
      int64_t base = 0;
      for (int64_t o = 0; o < total; o += inner) {
        // The input row is repeated out/in times along the last axis.
        for (int64_t k = 0; k < inner; k += in_inner)
          std::memcpy(dst + o + k, src + base, sizeof(T) * static_cast<size_t>(in_inner));
        for (size_t d = rank - 1; d-- > 0;) {
          if (++wrapped[d] == in[d]) {
            base -= strides[d] * (in[d] - 1);
            wrapped[d] = 0;
          } else {
            base += strides[d];
          }
          if (++index[d] < out[d]) break;
          base -= strides[d] * wrapped[d];
          index[d] = wrapped[d] = 0;
        }
      }
    });
  });
}

std::unique_ptr<Kernel> prepare_constant_reference(const Layer& layer) {
  // The value is copied out of the attribute once; each run copies it into the output.
  Tensor value = constant_value(layer);
  return make_kernel([value](KernelIO& io) { copy_all(value, *io.outputs[0]); });
}

std::unique_ptr<Kernel> prepare_constant_of_shape_reference(const Layer& layer) {
  Tensor value = constant_of_shape_value(layer);
  return make_kernel([value](KernelIO& io) {
    Tensor& y = *io.outputs[0];
    with_carrier(y.dtype(), [&](auto carrier) {
      using T = decltype(carrier);
      T v;
      std::memcpy(&v, value.raw(), sizeof(T));
      T* out = static_cast<T*>(y.raw());
      const int64_t n = y.numel();
      for (int64_t i = 0; i < n; ++i) out[i] = v;
    });
  });
}

std::unique_ptr<Kernel> prepare_range_reference(const Layer& layer) {
  infer_range(layer);
  return make_kernel([](KernelIO& io) {
    Tensor& y = *io.outputs[0];
    auto fill = [&](auto tag) {
      using T = decltype(tag);
      const T start = io.inputs[0]->data<T>()[0];
      const T delta = io.inputs[2]->data<T>()[0];
      T* out = y.data<T>();
      // start + i * delta rather than a running sum, so no error accumulates along the output.
      for (int64_t i = 0; i < y.numel(); ++i)
        out[i] = static_cast<T>(start + static_cast<T>(i) * delta);
    };
    switch (y.dtype()) {
      case DType::Float32:
        return fill(float{});
      case DType::Int64:
        return fill(int64_t{});
      case DType::Int32:
        return fill(int32_t{});
      default:
        throw Error(std::string("Range does not support ") + dtype_name(y.dtype()));
    }
  });
}

namespace {
// Every text of this file ends the same way: data movement cannot round.
AlgorithmText moves_bits(const char* summary, const char* teaching) {
  return {summary,
          std::string(teaching) + " Moves bits only, so the result is exact for every type."};
}
}  // namespace

AlgorithmText copy_reference_text() {
  return moves_bits("copies the bytes",
                    "The row-major bytes do not change, only the shape: one memcpy of the input "
                    "(none when the session aliases the buffers). No extra memory.");
}

AlgorithmText transpose_reference_text() {
  return moves_bits("strided gather in output order",
                    "Walks the output in row-major order and reads the input through permuted "
                    "strides computed once at prepare time; reads are strided, writes contiguous. "
                    "No extra memory.");
}

AlgorithmText concat_reference_text() {
  return moves_bits("block copies",
                    "Views every tensor as [outer, axis x inner]: each input contributes one "
                    "contiguous block per outer row, copied with memcpy. No extra memory.");
}

AlgorithmText split_reference_text() {
  return moves_bits("block copies",
                    "The inverse of Concat: each output receives one contiguous block of every "
                    "outer row, copied with memcpy. No extra memory.");
}

AlgorithmText slice_reference_text() {
  return moves_bits("strided gather in output order",
                    "Starts, ends and steps are clamped once at prepare time into an offset and "
                    "one stride per dimension (negative for reversed axes); the kernel walks the "
                    "output in row-major order. No extra memory.");
}

AlgorithmText gather_reference_text() {
  return moves_bits("row copies",
                    "Views the data as [outer, axis, inner] and copies one contiguous inner row "
                    "per (outer, index) pair; negative indices count from the end and "
                    "out-of-range ones are an error. Extra memory: the indices as int64 (8 bytes "
                    "each).");
}

AlgorithmText pad_reference_text() {
  return moves_bits("index tables per dimension",
                    "At prepare time each dimension gets a table mapping output to input index (or "
                    "to the constant) for the mode; the kernel walks the output through those "
                    "tables. Extra memory: one int64 per output index per dimension.");
}

AlgorithmText expand_reference_text() {
  return moves_bits("broadcast copy",
                    "Copies through the same broadcast plan as the elementwise ops: a stride of 0 "
                    "along repeated dimensions, collapsed dimensions computed once at prepare "
                    "time. No extra memory.");
}

AlgorithmText tile_reference_text() {
  return moves_bits("row copies with wrapped indices",
                    "Walks the output row by row; output index i of each outer dimension reads "
                    "input index i mod its length, kept as a wrapped counter, and each output row "
                    "is the input row copied repeats times with memcpy. No extra memory.");
}

AlgorithmText constant_reference_text() {
  return moves_bits("copies the value",
                    "The value attribute is converted to a tensor once at prepare time and copied "
                    "to the output each run (the loader folds it into a constant). Extra memory: "
                    "one copy of the value.");
}

AlgorithmText constant_of_shape_reference_text() {
  return moves_bits("fills the output",
                    "Writes the one value into every element of the output. No extra memory.");
}

AlgorithmText range_reference_text() {
  return {"fills start + i * delta",
          "The length max(ceil((limit - start) / delta), 0) is computed at load time from the "
          "constant inputs (in double for float32, exactly for integers); element i is start + i * "
          "delta in the output's type rather than a running sum, so float32 errors do not "
          "accumulate along the output. No extra memory. Integers are exact; float32 rounds "
          "the product and the sum once each."};
}

}  // namespace algoscope::ops::shape
