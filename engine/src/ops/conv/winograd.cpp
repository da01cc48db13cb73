// The part of Winograd convolution (Lavin & Gray, arXiv 1509.09308) that F(2x2,3x3) and F(4x4,3x3)
// share: the filter transform G g G^T (in double, once at prepare time for constant W), the tiling
// of the output into m x m tiles grouped in blocks of tile rows, the staging of input strips into a
// channel-innermost layout (so the tile transforms run on vectors of kLanes channels whatever the
// image width), the (m+2)^2 GEMMs per block, and the scatter of output tiles back to NCHW with
// partial edge tiles clipped.
//
// The GEMMs run single-threaded inside the OpenMP threads. With constant W and at least
// kPackedMinDepth input channels each position's U is packed into our blocked GEMM's panel layout
// once at prepare time, so a run packs only V (OpenBLAS re-packs all of U per block: 15 % of the
// time on 256@28). Shallower GEMMs (64 channels) go to OpenBLAS, whose small-matrix kernels
// measured 20 % faster there; its thread count is set to 1 for the run so that no OpenBLAS pool
// competes with OpenMP workers spinning between regions (several times slower on two cores).
//
// Threads: one OpenMP region per run, with no barrier inside it. With enough blocks each thread
// runs whole blocks in its own slot of the workspace; with few (batch 1, small images) each thread
// transforms the block's input itself and takes a slice of the output channels. Blocks keep V and
// M in cache instead of streaming a transformed copy of the whole layer through memory.
#include "ops/conv/winograd.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "blas/sgemm.h"
#include "blocked_gemm/blocked_gemm.h"
#include "ops/common.h"
#include "ops/conv/conv.h"

namespace algoscope::ops::conv::winograd {

namespace {

// Tiles per staged strip: bounds the per-thread stack buffers whatever the image width.
constexpr int kChunk = 16;
// Target size of one block's V + M: about a core's L2, so that the GEMMs read V from cache right
// after the input transform wrote it (1 MB beat 0.5 and 4 MB on ResNet and VGG-like layers).
constexpr size_t kBlockBytes = size_t(1) << 20;
// Each block re-reads all of U, so its GEMMs need this many tiles (rows) to be compute-bound.
constexpr int64_t kMinBlockTiles = 96;
// Below this many multiply-adds per tile (C/g * OCp) a plain loop beats a GEMM call.
constexpr int64_t kSmallGemm = 1024;
// From this many input channels per group, pre-packed U on our GEMM beats OpenBLAS (measured on
// the paper's and ResNet-50's 3x3 layers).
constexpr int64_t kPackedMinDepth = 128;

int64_t round_up(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

struct Plan {
  ConvGeometry g;
  int m = 0, alpha = 0;
  int64_t H = 0, W = 0, OH = 0, OW = 0, pt = 0, pl = 0;
  int64_t th = 0, tw = 0, chunks = 0;  // tile rows / columns per image, strips per tile row
  int64_t cg = 0, ocg = 0, cp = 0, ocp = 0;
  int64_t rows = 0;         // tile rows over the batch, N * th
  int64_t block_rows = 0;   // tile rows per block
  int64_t block_tiles = 0;  // block_rows * tw
  int64_t blocks = 0;       // blocks per group
  int64_t slots = 0;        // V + M areas in the workspace, one per concurrent block
  size_t v_floats = 0, m_floats = 0, u_floats = 0;
  Epilogue epilogue;  // the fused activation

  int64_t positions() const { return int64_t(alpha) * alpha; }
  size_t slot_floats() const { return v_floats + m_floats; }
};

Plan make_plan(const Layer& layer, const Transforms& t) {
  Plan p;
  p.g = conv_geometry(layer);
  p.epilogue = Epilogue::of(layer);
  const Window& w = p.g.window;
  p.m = t.m;
  p.alpha = t.alpha;
  p.H = w.input[0];
  p.W = w.input[1];
  p.OH = w.output[0];
  p.OW = w.output[1];
  p.pt = w.pad_begin[0];
  p.pl = w.pad_begin[1];
  p.th = (p.OH + p.m - 1) / p.m;
  p.tw = (p.OW + p.m - 1) / p.m;
  p.chunks = (p.tw + kChunk - 1) / kChunk;
  p.cg = p.g.in_per_group();
  p.ocg = p.g.out_per_group();
  p.cp = round_up(p.cg, kLanes);
  p.ocp = round_up(p.ocg, kLanes);
  p.rows = p.g.batch * p.th;
  const size_t bytes_per_row = sizeof(float) * p.positions() * p.tw * (p.cp + p.ocp);
  const int64_t by_bytes = int64_t(kBlockBytes / bytes_per_row);
  const int64_t by_tiles = (kMinBlockTiles + p.tw - 1) / p.tw;
  p.block_rows = std::clamp<int64_t>(std::max(by_bytes, by_tiles), 1, p.rows);
  p.block_tiles = p.block_rows * p.tw;
  p.blocks = (p.rows + p.block_rows - 1) / p.block_rows;
  // One slot per processor, fixed here because the workspace size is (not the thread count of a
  // later run: runs with more threads than slots use only as many).
  p.slots = std::max(1, omp_get_num_procs());
  p.v_floats = size_t(p.positions() * p.block_tiles * p.cp);
  p.m_floats = size_t(p.positions() * p.block_tiles * p.ocp);
  p.u_floats = size_t(p.g.groups * p.positions() * p.cg * p.ocp);
  return p;
}

// U[grp][xi][c][OCp] = (G g G^T)[xi] for every filter; zero in the padding columns.
void transform_filter(const Plan& p, const double* G, const float* w, int64_t grp, int64_t oc,
                      float* u) {
  const int a = p.alpha;
  for (int64_t c = 0; c < p.cg; ++c) {
    const float* k = w + ((grp * p.ocg + oc) * p.cg + c) * 9;
    double gk[6][3];  // G g
    for (int i = 0; i < a; ++i)
      for (int j = 0; j < 3; ++j)
        gk[i][j] = G[i * 3] * k[j] + G[i * 3 + 1] * k[3 + j] + G[i * 3 + 2] * k[6 + j];
    for (int i = 0; i < a; ++i)
      for (int j = 0; j < a; ++j) {
        const double v = gk[i][0] * G[j * 3] + gk[i][1] * G[j * 3 + 1] + gk[i][2] * G[j * 3 + 2];
        u[((grp * a * a + i * a + j) * p.cg + c) * p.ocp + oc] = static_cast<float>(v);
      }
  }
}

void zero_filter_padding(const Plan& p, float* u) {
  for (int64_t r = 0; r < p.g.groups * p.positions() * p.cg; ++r)
    std::fill(u + r * p.ocp + p.ocg, u + (r + 1) * p.ocp, 0.0f);
}

// Copies the input rows and columns of tiles [tx0, tx0 + nt) of tile row ty, channels
// [cb * kLanes, +kLanes) of group grp, into strip[r][j][lane], zeros outside the image.
void stage_input(const Plan& p, const float* x, int64_t n, int64_t grp, int64_t ty, int64_t tx0,
                 int nt, int64_t cb, float* strip) {
  const int width = nt * p.m + 2;
  const int64_t x0 = tx0 * p.m - p.pl;
  const int64_t j_lo = std::min<int64_t>(width, std::max<int64_t>(0, -x0));
  const int64_t j_hi = std::max<int64_t>(j_lo, std::min<int64_t>(width, p.W - x0));
  for (int r = 0; r < p.alpha; ++r) {
    const int64_t yy = ty * p.m - p.pt + r;
    float* srow = strip + size_t(r) * width * kLanes;
    for (int l = 0; l < kLanes; ++l) {
      const int64_t c = cb * kLanes + l;
      if (c >= p.cg || yy < 0 || yy >= p.H) {
        for (int j = 0; j < width; ++j) srow[j * kLanes + l] = 0.0f;
        continue;
      }
      const float* src = x + ((n * p.g.in_channels + grp * p.cg + c) * p.H + yy) * p.W + x0;
      for (int64_t j = 0; j < j_lo; ++j) srow[j * kLanes + l] = 0.0f;
      for (int64_t j = j_lo; j < j_hi; ++j) srow[j * kLanes + l] = src[j];
      for (int64_t j = j_hi; j < width; ++j) srow[j * kLanes + l] = 0.0f;
    }
  }
}

// Writes the output strip[i][j][lane] of tiles [tx0, tx0 + nt) of tile row ty back to NCHW,
// clipping the partial tiles at the bottom and right edges, with the fused activation applied.
void store_output(const Plan& p, const float* strip, int64_t n, int64_t grp, int64_t ty,
                  int64_t tx0, int nt, int64_t ob, float* y) {
  const int width = nt * p.m;
  const int64_t cols = std::min<int64_t>(width, p.OW - tx0 * p.m);
  const int64_t rows = std::min<int64_t>(p.m, p.OH - ty * p.m);
  for (int l = 0; l < kLanes; ++l) {
    const int64_t oc = ob * kLanes + l;
    if (oc >= p.ocg) break;
    for (int64_t i = 0; i < rows; ++i) {
      float* dst =
          y + ((n * p.g.out_channels + grp * p.ocg + oc) * p.OH + ty * p.m + i) * p.OW + tx0 * p.m;
      const float* src = strip + size_t(i) * width * kLanes + l;
      for (int64_t j = 0; j < cols; ++j) dst[j] = src[j * kLanes];
      p.epilogue.apply(dst, cols);
    }
  }
}

// M[:, o0:o1] = V[tiles x C/g] (row stride Cp) * U[C/g x OCp][:, o0:o1] (row strides OCp), with
// U either pre-packed (packed != nullptr) or plain.
void multiply(const Plan& p, int64_t tiles, const float* v,
              const blocked_gemm::PackedMatrix* packed, const float* u, float* m, int64_t o0,
              int64_t o1) {
  if (o1 <= o0) return;
  if (p.cg * p.ocp < kSmallGemm) {
    for (int64_t t = 0; t < tiles; ++t) {
      float* row = m + t * p.ocp;
      std::fill(row + o0, row + o1, 0.0f);
      for (int64_t c = 0; c < p.cg; ++c) {
        const float vc = v[t * p.cp + c];
        const float* urow = u + c * p.ocp;
        for (int64_t o = o0; o < o1; ++o) row[o] += vc * urow[o];
      }
    }
    return;
  }
  if (packed)
    blocked_gemm::sgemm_prepacked_columns(false, tiles, 1.0f, v, p.cp, *packed, o0, o1 - o0, 0.0f,
                                          m, p.ocp);
  else if (blas::openblas_available())
    blas::sgemm(false, false, tiles, o1 - o0, p.cg, 1.0f, v, p.cp, u + o0, p.ocp, 0.0f, m + o0,
                p.ocp);
  else
    blocked_gemm::sgemm(false, false, tiles, o1 - o0, p.cg, 1.0f, v, p.cp, u + o0, p.ocp, 0.0f,
                        m + o0, p.ocp);
}

// One block of tile rows [row0, row0 + nrows) of group grp, as the three phases' work items.
struct Block {
  const Plan& p;
  const Transforms& tr;
  const float* x;
  const float* u;                            // this group's U (plain), or nullptr when packed
  const blocked_gemm::PackedMatrix* packed;  // this group's U per position, or nullptr when plain
  const float* b;                            // bias or nullptr
  float* y;
  float* v;
  float* m;
  int64_t grp, row0, nrows;

  int64_t tiles() const { return nrows * p.tw; }
  int64_t strips() const { return nrows * p.chunks; }
  size_t v_xi() const { return size_t(p.block_tiles * p.cp); }
  size_t m_xi() const { return size_t(p.block_tiles * p.ocp); }

  // Input transform of strip s (a tile row's chunk of up to kChunk tiles), channel block cb.
  void input(int64_t s, int64_t cb, float* strip) const {
    const int64_t row = row0 + s / p.chunks;
    const int64_t tx0 = s % p.chunks * kChunk;
    const int nt = static_cast<int>(std::min<int64_t>(kChunk, p.tw - tx0));
    stage_input(p, x, row / p.th, grp, row % p.th, tx0, nt, cb, strip);
    const int64_t t0 = (s / p.chunks) * p.tw + tx0;
    tr.input(strip, nt * p.m + 2, nt, v + t0 * p.cp + cb * kLanes, v_xi(), size_t(p.cp));
  }
  // The (m+2)^2 GEMMs, restricted to output channels [o0, o1).
  void gemms(int64_t o0, int64_t o1) const {
    for (int64_t xi = 0; xi < p.positions(); ++xi)
      multiply(p, tiles(), v + xi * v_xi(), packed ? packed + xi : nullptr,
               u ? u + xi * p.cg * p.ocp : nullptr, m + xi * m_xi(), o0, o1);
  }
  // Output transform of strip s, output channel block ob, and its scatter to NCHW.
  void output(int64_t s, int64_t ob, float* strip) const {
    const int64_t row = row0 + s / p.chunks;
    const int64_t tx0 = s % p.chunks * kChunk;
    const int nt = static_cast<int>(std::min<int64_t>(kChunk, p.tw - tx0));
    alignas(64) float bias[kLanes];
    for (int l = 0; l < kLanes; ++l) {
      const int64_t oc = ob * kLanes + l;
      bias[l] = b && oc < p.ocg ? b[grp * p.ocg + oc] : 0.0f;
    }
    const int64_t t0 = (s / p.chunks) * p.tw + tx0;
    tr.output(m + t0 * p.ocp + ob * kLanes, m_xi(), size_t(p.ocp), nt, bias, strip, nt * p.m);
    store_output(p, strip, row / p.th, grp, row % p.th, tx0, nt, ob, y);
  }
};

// Per-thread staging buffer: one strip of input rows (the larger of the two uses).
constexpr size_t kStripFloats = size_t(6) * (kChunk * 4 + 2) * kLanes;

// The transformed filters of a constant W, made at prepare time: per group and position, packed
// for the GEMM, or plain U when the GEMMs are small enough for multiply()'s loop.
struct Filters {
  std::vector<float> u;
  std::vector<blocked_gemm::PackedMatrix> packed;  // [group * positions + xi]
  bool empty() const { return u.empty() && packed.empty(); }
};

// Whether transform_filters packs U for the blocked GEMM (large enough products) or keeps it plain.
bool packs_filters(const Plan& p) { return p.cg * p.ocp >= kSmallGemm && p.cg >= kPackedMinDepth; }

Filters transform_filters(const Plan& p, const Transforms& t, const float* w) {
  Filters f;
  f.u.resize(p.u_floats);
  for (int64_t oc = 0; oc < p.g.out_channels; ++oc)
    transform_filter(p, t.g, w, oc / p.ocg, oc % p.ocg, f.u.data());
  zero_filter_padding(p, f.u.data());
  if (packs_filters(p)) {
    f.packed.reserve(size_t(p.g.groups * p.positions()));
    for (int64_t gx = 0; gx < p.g.groups * p.positions(); ++gx)
      f.packed.push_back(
          blocked_gemm::pack_b(false, p.cg, p.ocp, f.u.data() + gx * p.cg * p.ocp, p.ocp));
    f.u = {};
  }
  return f;
}

void run(const Plan& p, const Transforms& tr, const Filters& prepared, KernelIO& io) {
  const float* x = io.inputs[0]->data<float>();
  const float* w = io.inputs[1]->data<float>();
  const float* b = optional_float_input(io, 2, p.g.has_bias);
  float* y = io.outputs[0]->data<float>();
  float* ws = static_cast<float*>(io.workspace);
  float* runtime_u = ws + p.slots * p.slot_floats();
  const float* u = prepared.empty() ? runtime_u : prepared.u.empty() ? nullptr : prepared.u.data();
  const blocked_gemm::PackedMatrix* packed =
      prepared.packed.empty() ? nullptr : prepared.packed.data();
  const int64_t cblocks = p.cp / kLanes;
  const int64_t oblocks = p.ocp / kLanes;
  const int64_t group_u = p.positions() * p.cg * p.ocp;
  const int threads = omp_get_max_threads();

  // OpenBLAS runs inside the OpenMP threads, one call each; its own pool stays idle meanwhile.
  blas::openblas_set_threads(1);
  if (prepared.empty()) {
#pragma omp parallel for schedule(static)
    for (int64_t f = 0; f < p.g.out_channels; ++f)
      transform_filter(p, tr.g, w, f / p.ocg, f % p.ocg, runtime_u);
    zero_filter_padding(p, runtime_u);
  }
  auto block = [&](float* v, int64_t job) {
    const int64_t grp = job / p.blocks;
    const int64_t row0 = job % p.blocks * p.block_rows;
    return Block{p,
                 tr,
                 x,
                 u ? u + grp * group_u : nullptr,
                 packed ? packed + grp * p.positions() : nullptr,
                 b,
                 y,
                 v,
                 v + p.v_floats,
                 grp,
                 row0,
                 std::min(p.block_rows, p.rows - row0)};
  };
  const int64_t jobs = p.g.groups * p.blocks;
  const int64_t t = threads;
  if (p.slots > 1 && t > 1 && (jobs >= 2 * t || (jobs >= t && jobs % t == 0))) {
    // Enough blocks to share evenly: each thread runs whole blocks in its own slot of V and M,
    // with no barrier but the region's end (a barrier costs a time slice whenever another process
    // holds the core).
#pragma omp parallel num_threads(int(std::min <int64_t>(threads, p.slots)))
    {
      alignas(64) float strip[kStripFloats];
      float* v = ws + omp_get_thread_num() * p.slot_floats();
#pragma omp for schedule(dynamic, 1)
      for (int64_t job = 0; job < jobs; ++job) {
        const Block blk = block(v, job);
        for (int64_t s = 0; s < blk.strips(); ++s)
          for (int64_t cb = 0; cb < cblocks; ++cb) blk.input(s, cb, strip);
        blk.gemms(0, p.ocp);
        for (int64_t s = 0; s < blk.strips(); ++s)
          for (int64_t ob = 0; ob < oblocks; ++ob) blk.output(s, ob, strip);
      }
    }
  } else {
    // Few blocks (small images, batch 1): every thread transforms the whole block's input into
    // its own slot, then takes a slice of the output channels for the GEMMs and the output
    // transform. The input transform is repeated per thread (it costs about 1 / (OC/g) of the
    // GEMMs), which buys a run without any barrier. Slices start on the packed panels' edges.
    const int64_t unit = packed ? packed->panel_width() / kLanes : 1;
    const int64_t units = (oblocks + unit - 1) / unit;
#pragma omp parallel num_threads(int(std::min <int64_t>(threads, p.slots)))
    {
      alignas(64) float strip[kStripFloats];
      const int nt = omp_get_num_threads();
      const int slice = omp_get_thread_num();
      float* v = ws + slice * p.slot_floats();
      const int64_t ob0 = std::min(oblocks, units * slice / nt * unit);
      const int64_t ob1 = std::min(oblocks, units * (slice + 1) / nt * unit);
      for (int64_t job = 0; job < jobs && ob1 > ob0; ++job) {
        const Block blk = block(v, job);
        for (int64_t s = 0; s < blk.strips(); ++s)
          for (int64_t cb = 0; cb < cblocks; ++cb) blk.input(s, cb, strip);
        blk.gemms(ob0 * kLanes, ob1 * kLanes);
        for (int64_t s = 0; s < blk.strips(); ++s)
          for (int64_t ob = ob0; ob < ob1; ++ob) blk.output(s, ob, strip);
      }
    }
  }
  blas::openblas_set_threads(threads);
}

}  // namespace

std::optional<std::string> not_applicable(const Layer& layer, const Transforms& t) {
  try {
    const ConvGeometry g = conv_geometry(layer);
    const Window& w = g.window;
    const std::string name = t.title;
    if (w.rank() != 2)
      return name + " is for 2-D convolutions, this one has " + std::to_string(w.rank()) +
             " spatial axes";
    if (w.kernel[0] != 3 || w.kernel[1] != 3)
      return name + " needs a 3x3 kernel, this layer's is " + std::to_string(w.kernel[0]) + "x" +
             std::to_string(w.kernel[1]);
    if (w.strides[0] != 1 || w.strides[1] != 1)
      return name + " needs stride 1, this layer's strides are " + std::to_string(w.strides[0]) +
             "x" + std::to_string(w.strides[1]);
    if (w.dilations[0] != 1 || w.dilations[1] != 1)
      return name + " needs dilation 1, this layer's dilations are " +
             std::to_string(w.dilations[0]) + "x" + std::to_string(w.dilations[1]);
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

size_t workspace_bytes(const Layer& layer, const Transforms& t) {
  const Plan p = make_plan(layer, t);
  const bool constant_w = layer.constant(1) != nullptr;
  return sizeof(float) * (p.slots * p.slot_floats() + (constant_w ? 0 : p.u_floats));
}

size_t prepared_bytes(const Layer& layer, const Transforms& t) {
  if (!layer.constant(1)) return 0;
  const Plan p = make_plan(layer, t);
  if (packs_filters(p))
    return size_t(p.g.groups * p.positions()) * blocked_gemm::packed_b_bytes(p.cg, p.ocp);
  return p.u_floats * sizeof(float);
}

std::unique_ptr<Kernel> prepare(const Layer& layer, const Transforms& t) {
  const Plan p = make_plan(layer, t);
  Filters f;
  if (const Tensor* w = layer.constant(1)) f = transform_filters(p, t, w->data<float>());
  return make_kernel([p, t, f = std::move(f)](KernelIO& io) { run(p, t, f, io); });
}

}  // namespace algoscope::ops::conv::winograd
