// The CUDA kernels declared in kernels.h. Grid-stride loops over the output elements: these are
// memory-bound passes, where one thread per element with coalesced accesses is what counts.
#include "kernels.h"

namespace algoscope::cuda {
namespace {

constexpr int kThreads = 256;

int blocks_for(int64_t n) {
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<int>(blocks < 65535 ? (blocks > 0 ? blocks : 1) : 65535);
}

struct PadShape {
  int64_t in[3], out[3], begin[3];
  int rank;
};

__global__ void pad_kernel(const float* x, float* y, int64_t planes, PadShape s) {
  int64_t out_plane = 1, in_plane = 1;
  for (int a = 0; a < s.rank; ++a) out_plane *= s.out[a], in_plane *= s.in[a];
  const int64_t total = planes * out_plane;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t plane = i / out_plane;
    int64_t rest = i % out_plane, source = 0;
    bool inside = true;
    for (int a = 0; a < s.rank; ++a) {
      int64_t stride = 1;
      for (int b = a + 1; b < s.rank; ++b) stride *= s.out[b];
      const int64_t coordinate = rest / stride - s.begin[a];
      rest %= stride;
      if (coordinate < 0 || coordinate >= s.in[a]) inside = false;
      source = source * s.in[a] + coordinate;
    }
    y[i] = inside ? x[plane * in_plane + source] : 0.0f;
  }
}

__global__ void bias_clamp_kernel(float* y, const float* bias, int64_t total, int64_t channels,
                                  int64_t inner, float lower, float upper) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(gridDim.x) * blockDim.x) {
    const float v = y[i] + (bias ? bias[(i / inner) % channels] : 0.0f);
    y[i] = fminf(fmaxf(v, lower), upper);
  }
}

__global__ void broadcast_kernel(float* y, const float* c, int64_t rows, int64_t columns,
                                 int64_t row_stride, int64_t column_stride, float beta) {
  const int64_t total = rows * columns;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = beta * c[(i / columns) * row_stride + (i % columns) * column_stride];
}

}  // namespace

cudaError_t pad_input(const float* x, int64_t planes, int rank, const int64_t* extent,
                      const int64_t* begin, const int64_t* end, float* padded,
                      cudaStream_t stream) {
  if (rank < 1 || rank > 3) return cudaErrorInvalidValue;
  PadShape s{};
  s.rank = rank;
  int64_t out_plane = 1;
  for (int a = 0; a < rank; ++a) {
    s.in[a] = extent[a];
    s.begin[a] = begin[a];
    s.out[a] = extent[a] + begin[a] + end[a];
    out_plane *= s.out[a];
  }
  pad_kernel<<<blocks_for(planes * out_plane), kThreads, 0, stream>>>(x, padded, planes, s);
  return cudaGetLastError();
}

cudaError_t bias_and_clamp(float* y, const float* bias, int64_t batch, int64_t channels,
                           int64_t inner, float lower, float upper, cudaStream_t stream) {
  const int64_t total = batch * channels * inner;
  bias_clamp_kernel<<<blocks_for(total), kThreads, 0, stream>>>(y, bias, total, channels, inner,
                                                                lower, upper);
  return cudaGetLastError();
}

cudaError_t broadcast_matrix(float* y, const float* c, int64_t rows, int64_t columns,
                             int64_t row_stride, int64_t column_stride, float beta,
                             cudaStream_t stream) {
  broadcast_kernel<<<blocks_for(rows * columns), kThreads, 0, stream>>>(
      y, c, rows, columns, row_stride, column_stride, beta);
  return cudaGetLastError();
}

}  // namespace algoscope::cuda
