// FFT convolution with FFTW3 in single precision, tiled (overlap-save), the scheme of Vasilache et
// al. (fbfft, arXiv 1412.7580) and Zlateski, Jia, Li, Jain & Seung (ICS'19, arXiv 1809.07851):
// the zero-padded input is cut into overlapping Th x Tw tiles, each tile of each input channel and
// each filter (dilation applied by spreading its taps, zeros in between) goes through a real-to-
// complex 2-D FFT, and the spectra are multiplied and summed over input channels. That sum is,
// for every frequency bin, a complex matrix product [OC/g x C/g] x [C/g x tiles], computed as four
// real OpenBLAS sgemms on split real/imaginary planes. An inverse FFT per output channel and tile
// gives the circular correlation whose first (Th-KH+1) x (Tw-KW+1) values are the valid outputs.
// Stride > 1 is computed as the stride-1 convolution subsampled (correct, but it pays s*s times
// the work). Filter spectra are made once at prepare time when W is constant. Plans are made at
// prepare time too, under a mutex because FFTW's planner is not thread-safe.
#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

#include "blas/sgemm.h"
#include "ops/common.h"
#include "ops/conv/conv.h"
#include "ops/conv/plane2d.h"

namespace algoscope::ops::conv {

namespace {

// FFTW's planner (plan creation and destruction) is the one part of FFTW that must not run on two
// threads at once; executing a plan may.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

constexpr double kMemoryLimit = 2.0 * 1024 * 1024 * 1024;  // transformed data, bytes

// The tiling chosen for a layer.
struct FftGeometry {
  Plane2d p;
  int64_t keh = 1, kew = 1;  // dilated kernel extent
  int64_t th = 1, tw = 1;    // FFT size per tile
  int64_t oth = 1, otw = 1;  // stride-1 outputs per tile
  int64_t tiles_h = 1, tiles_w = 1;
  int64_t bins = 1;  // th * (tw / 2 + 1)
  int64_t cols = 1;  // batch * tiles: the GEMM's N
  double bytes = 0;  // transformed weights + input and output spectra
  int64_t tiles() const { return tiles_h * tiles_w; }
};

// Sizes FFTW transforms fastest: products of 2, 3, 5 and 7.
bool smooth(int64_t n) {
  for (int64_t f : {2, 3, 5, 7})
    while (n % f == 0) n /= f;
  return n == 1;
}
int64_t smooth_at_least(int64_t n) {
  while (!smooth(n)) ++n;
  return n;
}

// Picks the tile size with the lowest modelled cost: the pointwise products cost 8 flops per bin,
// tile and channel pair at sgemm speed; the FFTs ~2.5 N log2 N flops per tile and channel at a
// fraction of it (FFTW on tiles this small reaches roughly 1/20 of the sgemm's rate here).
FftGeometry choose(const ConvGeometry& g, bool constant_w) {
  const Plane2d p = to_plane2d(g.window);
  FftGeometry best;
  double best_cost = -1;
  const int64_t keh = (p.KH - 1) * p.DH + 1, kew = (p.KW - 1) * p.DW + 1;
  const int64_t fh = (p.OH - 1) * p.SH + 1, fw = (p.OW - 1) * p.SW + 1;  // stride-1 outputs
  const int64_t cover_h = smooth_at_least(fh + keh - 1), cover_w = smooth_at_least(fw + kew - 1);
  for (int64_t t : {8, 12, 16, 24, 32, 48, 64, 96, 128}) {
    FftGeometry f;
    f.p = p;
    f.keh = keh, f.kew = kew;
    f.th = std::min(cover_h, std::max(t, smooth_at_least(keh)));
    f.tw = std::min(cover_w, std::max(t, smooth_at_least(kew)));
    f.oth = f.th - keh + 1, f.otw = f.tw - kew + 1;
    f.tiles_h = (fh + f.oth - 1) / f.oth, f.tiles_w = (fw + f.otw - 1) / f.otw;
    f.bins = f.th * (f.tw / 2 + 1);
    f.cols = g.batch * f.tiles();
    const double bins = double(f.bins), cols = double(f.cols);
    f.bytes =
        8.0 * bins *
        (cols * double(g.in_channels + g.out_channels) + double(g.out_channels * g.in_per_group()));
    const double n = double(f.th * f.tw);
    const double cost = 8.0 * bins * cols * double(g.out_per_group() * g.in_channels) +
                        20.0 * 2.5 * n * std::log2(std::max(2.0, n)) * cols *
                            double(g.in_channels + g.out_channels) +
                        (constant_w ? 0.0
                                    : 20.0 * 2.5 * n * std::log2(std::max(2.0, n)) *
                                          double(g.out_channels * g.in_per_group()));
    if (f.bytes > kMemoryLimit) continue;
    if (best_cost < 0 || cost < best_cost) best = f, best_cost = cost;
  }
  if (best_cost < 0) best.bytes = kMemoryLimit + 1;  // nothing fits
  return best;
}

size_t spectra_floats(const ConvGeometry& g, const FftGeometry& f) {
  return static_cast<size_t>(2 * f.bins * f.cols * (g.in_channels + g.out_channels));
}
size_t weight_floats(const ConvGeometry& g, const FftGeometry& f) {
  return static_cast<size_t>(2 * f.bins * g.out_channels * g.in_per_group());
}

class FftKernel final : public Kernel {
 public:
  FftKernel(const ConvGeometry& g, const FftGeometry& f, const Tensor* constant_w) : g_(g), f_(f) {
    const int64_t cmplx = f.bins;
    float* real = fftwf_alloc_real(f.th * f.tw);
    fftwf_complex* spec = fftwf_alloc_complex(cmplx);
    {
      std::lock_guard<std::mutex> lock(planner_mutex());
      // FFTW_MEASURE: the plan is made once per layer, and timing a few candidates (milliseconds
      // for tiles this small) buys the fastest codelets for the thousands of transforms per run.
      forward_ = fftwf_plan_dft_r2c_2d(int(f.th), int(f.tw), real, spec, FFTW_MEASURE);
      inverse_ = fftwf_plan_dft_c2r_2d(int(f.th), int(f.tw), spec, real, FFTW_MEASURE);
    }
    fftwf_free(real);
    fftwf_free(spec);
    if (!forward_ || !inverse_)
      throw Error("FFTW could not plan a " + std::to_string(f.th) + "x" + std::to_string(f.tw) +
                  " transform");
    if (constant_w) {
      weights_.resize(weight_floats(g, f));
      transform_weights(constant_w->data<float>(), weights_.data());
    }
  }
  ~FftKernel() override {
    std::lock_guard<std::mutex> lock(planner_mutex());
    fftwf_destroy_plan(forward_);
    fftwf_destroy_plan(inverse_);
  }

  void run(KernelIO& io) override {
    const float* x = io.inputs[0]->data<float>();
    const float* b = optional_float_input(io, 2, g_.has_bias);
    float* y = io.outputs[0]->data<float>();
    const int64_t C = g_.in_channels, OC = g_.out_channels, cols = f_.cols, bins = f_.bins;
    float* xr = static_cast<float*>(io.workspace);
    float* xi = xr + bins * C * cols;
    float* yr = xi + bins * C * cols;
    float* yi = yr + bins * OC * cols;
    const float* wr = weights_.data();
    if (weights_.empty()) {
      float* dst = yi + bins * OC * cols;
      transform_weights(io.inputs[1]->data<float>(), dst);
      wr = dst;
    }
    const float* wi = wr + bins * OC * g_.in_per_group();
    forward_input(x, xr, xi);
    multiply(wr, wi, xr, xi, yr, yi);
    inverse_output(yr, yi, b, y);
  }

 private:
  // Spectra of the filters, conjugated (the FFT computes a convolution; Conv is a correlation)
  // and scaled by 1/(Th*Tw) (FFTW's inverse is unnormalized). Layout [re|im][group][bin][oc][c].
  void transform_weights(const float* w, float* out) const {
    const Plane2d& p = f_.p;
    const int64_t cg = g_.in_per_group(), ocg = g_.out_per_group(), bins = f_.bins;
    const float scale = 1.0f / float(f_.th * f_.tw);
    float* re = out;
    float* im = out + bins * g_.out_channels * cg;
    // OC * C/g transforms (65536 for a 256->256 layer): on one thread, preparing the layer alone
    // would take seconds.
    for_each_transform(g_.out_channels * cg, [&](int64_t job, float* real, fftwf_complex* spec) {
      const int64_t oc = job / cg, c = job % cg;
      std::fill(real, real + f_.th * f_.tw, 0.0f);
      const float* wk = w + (oc * cg + c) * p.taps();
      for (int64_t kh = 0; kh < p.KH; ++kh)
        for (int64_t kw = 0; kw < p.KW; ++kw)
          real[kh * p.DH * f_.tw + kw * p.DW] = wk[kh * p.KW + kw];
      fftwf_execute_dft_r2c(forward_, real, spec);
      const int64_t grp = oc / ocg, o = oc % ocg;
      for (int64_t k = 0; k < bins; ++k) {
        const int64_t at = ((grp * bins + k) * ocg + o) * cg + c;
        re[at] = spec[k][0] * scale;
        im[at] = -spec[k][1] * scale;
      }
    });
  }

  // Runs transform(job, real, spec) for jobs [0, count) shared by the OpenMP team, each thread
  // with its own FFT buffers: a tile of Th x Tw reals and its spectrum of `bins` values.
  template <class Transform>
  void for_each_transform(int64_t count, Transform transform) const {
#pragma omp parallel
    {
      float* real = fftwf_alloc_real(f_.th * f_.tw);
      fftwf_complex* spec = fftwf_alloc_complex(f_.bins);
#pragma omp for schedule(static)
      for (int64_t job = 0; job < count; ++job) transform(job, real, spec);
      fftwf_free(real);
      fftwf_free(spec);
    }
  }

  // Spectra of every input tile: [bin][channel][image * tiles + tile], real and imaginary apart.
  void forward_input(const float* x, float* xr, float* xi) const {
    const Plane2d& p = f_.p;
    const int64_t C = g_.in_channels, cols = f_.cols, bins = f_.bins, tiles = f_.tiles();
    for_each_transform(g_.batch * C * tiles, [&](int64_t job, float* real, fftwf_complex* spec) {
      const int64_t n = job / (C * tiles), c = (job / tiles) % C, t = job % tiles;
      const int64_t r0 = (t / f_.tiles_w) * f_.oth - p.PT;  // input row of the tile's top
      const int64_t c0 = (t % f_.tiles_w) * f_.otw - p.PL;
      const float* plane = x + (n * C + c) * p.in_size();
      for (int64_t i = 0; i < f_.th; ++i) {
        float* dst = real + i * f_.tw;
        const int64_t ih = r0 + i;
        if (ih < 0 || ih >= p.H) {
          std::fill(dst, dst + f_.tw, 0.0f);
          continue;
        }
        const float* src = plane + ih * p.W;
        for (int64_t j = 0; j < f_.tw; ++j) {
          const int64_t iw = c0 + j;
          dst[j] = iw >= 0 && iw < p.W ? src[iw] : 0.0f;
        }
      }
      fftwf_execute_dft_r2c(forward_, real, spec);
      const int64_t col = n * tiles + t;
      for (int64_t k = 0; k < bins; ++k) {
        xr[(k * C + c) * cols + col] = spec[k][0];
        xi[(k * C + c) * cols + col] = spec[k][1];
      }
    });
  }

  // Per group and bin: Y = conj(Wf) X as (Wr + i Wi)(Xr + i Xi) with four real sgemms.
  void multiply(const float* wr, const float* wi, const float* xr, const float* xi, float* yr,
                float* yi) const {
    const int64_t C = g_.in_channels, OC = g_.out_channels, cols = f_.cols;
    const int64_t cg = g_.in_per_group(), ocg = g_.out_per_group();
    for (int64_t k = 0; k < f_.bins; ++k)
      for (int64_t grp = 0; grp < g_.groups; ++grp) {
        const int64_t wat = (grp * f_.bins + k) * ocg * cg;
        const int64_t xat = (k * C + grp * cg) * cols, yat = (k * OC + grp * ocg) * cols;
        blas::sgemm(false, false, ocg, cols, cg, 1.0f, wr + wat, cg, xr + xat, cols, 0.0f, yr + yat,
                    cols);
        blas::sgemm(false, false, ocg, cols, cg, -1.0f, wi + wat, cg, xi + xat, cols, 1.0f,
                    yr + yat, cols);
        blas::sgemm(false, false, ocg, cols, cg, 1.0f, wr + wat, cg, xi + xat, cols, 0.0f, yi + yat,
                    cols);
        blas::sgemm(false, false, ocg, cols, cg, 1.0f, wi + wat, cg, xr + xat, cols, 1.0f, yi + yat,
                    cols);
      }
  }

  // Inverse FFT per output channel and tile; keeps the valid stride-1 outputs that the stride
  // selects and adds the bias.
  void inverse_output(const float* yr, const float* yi, const float* b, float* y) const {
    const Plane2d& p = f_.p;
    const int64_t OC = g_.out_channels, cols = f_.cols, bins = f_.bins, tiles = f_.tiles();
    for_each_transform(g_.batch * OC * tiles, [&](int64_t job, float* real, fftwf_complex* spec) {
      const int64_t n = job / (OC * tiles), oc = (job / tiles) % OC, t = job % tiles;
      const int64_t col = n * tiles + t;
      for (int64_t k = 0; k < bins; ++k) {
        spec[k][0] = yr[(k * OC + oc) * cols + col];
        spec[k][1] = yi[(k * OC + oc) * cols + col];
      }
      fftwf_execute_dft_c2r(inverse_, spec, real);
      const float bias = b ? b[oc] : 0.0f;
      float* out = y + (n * OC + oc) * p.out_size();
      // Stride-1 output (u, v) of this tile is output (u / SH, v / SW) when both divide.
      const int64_t u0 = (t / f_.tiles_w) * f_.oth, v0 = (t % f_.tiles_w) * f_.otw;
      for (int64_t i = 0; i < f_.oth; ++i) {
        const int64_t u = u0 + i;
        if (u % p.SH != 0 || u / p.SH >= p.OH) continue;
        float* orow = out + (u / p.SH) * p.OW;
        const float* src = real + i * f_.tw;
        int64_t j = (p.SW - v0 % p.SW) % p.SW;
        for (; j < f_.otw; j += p.SW) {
          const int64_t ow = (v0 + j) / p.SW;
          if (ow >= p.OW) break;
          orow[ow] = src[j] + bias;
        }
      }
    });
  }

  ConvGeometry g_;
  FftGeometry f_;
  fftwf_plan forward_ = nullptr, inverse_ = nullptr;
  std::vector<float> weights_;
};

}  // namespace

std::optional<std::string> fft_not_applicable(const Layer& layer) {
  if (!blas::openblas_available()) return blas::openblas_core_name();
  if (auto why = plane2d_rank_reason(layer, "fft")) return why;
  const ConvGeometry g = conv_geometry(layer);
  const FftGeometry f = choose(g, layer.constant(1) != nullptr);
  if (f.bytes > kMemoryLimit)
    return "the spectra of this layer's tiles and filters would need more than 2 GiB";
  if (f.cols > INT32_MAX / 2)
    return std::string("the per-frequency GEMMs exceed OpenBLAS's 32-bit integers");
  return std::nullopt;
}

size_t fft_workspace_bytes(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  const FftGeometry f = choose(g, layer.constant(1) != nullptr);
  size_t floats = spectra_floats(g, f);
  if (!layer.constant(1)) floats += weight_floats(g, f);
  return floats * sizeof(float);
}

size_t fft_prepared_bytes(const Layer& layer) {
  if (!layer.constant(1)) return 0;
  const ConvGeometry g = conv_geometry(layer);
  return weight_floats(g, choose(g, true)) * sizeof(float);
}

std::unique_ptr<Kernel> prepare_fft(const Layer& layer) {
  const ConvGeometry g = conv_geometry(layer);
  return std::make_unique<FftKernel>(g, choose(g, layer.constant(1) != nullptr), layer.constant(1));
}

AlgorithmText fft_text() {
  return {
      "Tiled FFT convolution with FFTW3f and one complex GEMM per frequency (fbfft, "
      "Zlateski 2019)",
      "The padded input is cut into overlapping T x T tiles (overlap-save; T from 8 to 128, the "
      "one with the lowest modelled cost). Every tile of every input channel and every filter "
      "(dilation applied by spreading its taps with zeros) goes through a real-to-complex 2-D "
      "FFTW transform; per frequency bin the spectra meet in a complex matrix product "
      "[OC/g x C/g] x [C/g x N*tiles] (four real OpenBLAS sgemms on split real/imaginary "
      "planes), and an inverse FFT per output channel and tile gives (T-KH+1) x (T-KW+1) valid "
      "outputs. FFTW plans (FFTW_MEASURE, made once at prepare time under a lock) and the "
      "filter spectra (when W is constant) are prepared once. Stride s is computed as the "
      "stride-1 result subsampled, paying s*s the work. Extra memory, B = T*(T/2+1) bins: "
      "filter spectra 8 * B * OC * C/g bytes (about 8*T*T/(KH*KW) times the weights: the price "
      "of FFT convolution), workspace 8 * B * N*tiles * (C + OC) bytes for the spectra. It wins "
      "on large kernels (5x5, 7x7 and up) with many channels, where a bin's multiply-add "
      "replaces KH*KW of direct's; on 3x3 the saving rarely pays for the transforms, and with "
      "few channels (RGB stems) the transforms dominate. Numerics: the error is absolute, about "
      "1e-7 * log2(T) times the norm of a tile's products, spread evenly over outputs instead "
      "of proportional to each output, so outputs near zero have large relative error."};
}

}  // namespace algoscope::ops::conv
