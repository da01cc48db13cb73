// The Conv family: ONNX Conv (1-D, 2-D, 3-D; groups and depthwise, strides, dilations, pads,
// auto_pad, optional bias) and the algorithms that compute it. This file is the only place their
// names are spelled; each algorithm lives in the file of the same name.
#include "cuda/backend.h"
#include "cuda/variants.h"
#include "ops/conv/conv.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_conv(Registry& registry) {
  OpDefinition op;
  op.op_type = "Conv";
  op.summary = "N-d convolution with groups, strides, dilations and padding (ONNX Conv)";
  op.infer = conv::infer;
  op.flops = conv::flops;

  Algorithm reference;
  reference.name = "reference";
  reference.summary = "Direct loops over outputs, channels and kernel taps, accumulated in double";
  reference.teaching =
      "For every output element it walks the input channels of its group and every kernel tap, "
      "skipping taps that land in the zero padding, and sums input times weight exactly as the "
      "ONNX definition reads. Extra memory: none. It never wins on speed (single thread, no "
      "blocking, no vectorization); it is the ground truth the other algorithms are checked "
      "against. Numerics: products and sums in double, rounded to float once per output, so its "
      "error is a single rounding.";
  reference.default_priority = 0;
  reference.prepare = conv::prepare_reference;

  Algorithm im2col;
  im2col.name = "im2col";
  im2col.summary = "Patch matrix per image and group, then one OpenBLAS sgemm (Chellapilla 2006)";
  im2col.teaching =
      "Every receptive field is copied into a column of a patch matrix of C/g * KH*KW rows and "
      "OH*OW columns (zeros where the window covers padding); the group's filters, already a "
      "row-major OC/g x C/g*KH*KW matrix, multiply it in one OpenBLAS sgemm per image and group. "
      "Extra memory: 4 * (C/g) * KH*KW * OH*OW bytes (the patch matrix of one image and group; "
      "none for a 1x1 stride-1 unpadded convolution, whose input already is that matrix). It wins "
      "when the GEMM is large (many channels, 3x3 and larger kernels): the copy costs KH*KW times "
      "the input but the sgemm runs near the machine's peak. Depthwise layers become many tiny "
      "GEMMs and lose. Numerics: float accumulation in OpenBLAS's blocked order; the error grows "
      "with sqrt(C/g * KH*KW) and is a few ulps for typical layers.";
  im2col.tolerance = Tolerance{1e-4, 1e-3};
  im2col.default_priority = 10;
  im2col.not_applicable = conv::im2col_not_applicable;
  im2col.workspace_bytes = conv::im2col_workspace_bytes;
  im2col.prepare = conv::prepare_im2col;

  registry.add_op(std::move(op));
  registry.add_algorithm("Conv", std::move(reference));
  registry.add_algorithm("Conv", std::move(im2col));

  // kn2row, smm, implicit_gemm and fft: four more ways to the same sums (files of the same names).
  Algorithm kn2row;
  kn2row.name = "kn2row";
  kn2row.summary =
      "One 1x1 sgemm per kernel tap and a shifted add into the output (Vasudevan et al. 2017)";
  kn2row.teaching =
      "A KHxKW convolution is the sum of KH*KW 1x1 convolutions, each shifted by its tap's "
      "offset. For every tap, one OpenBLAS sgemm multiplies that tap's [OC/g x C/g] slice of the "
      "filters by the whole input image [C/g x H*W] into a temporary, and a shifted add (which "
      "honours stride, dilation and pads, and skips what falls into the padding) accumulates the "
      "temporary into the output: the accumulating kn2row of Anderson et al. (arXiv 1709.03395). "
      "Extra memory: 4 * (OC/g) * H*W bytes for the temporary, plus 4 * OC * (C/g) * KH*KW bytes "
      "for the per-tap filter slices (made once at prepare time when W is constant, per call "
      "otherwise). Compared with im2col it never builds a matrix KH*KW times the input, so it "
      "wins where memory is tight or the input is large and the channel counts are big enough "
      "for the 1x1 GEMMs to run fast; it loses on few channels (small GEMMs), and a stride s "
      "wastes s*s of the GEMM work because every input pixel is multiplied. Numerics: float "
      "accumulation, the sum over channels inside each GEMM and over taps in the shifted adds; "
      "error comparable to im2col. Tolerance: atol 1e-4, rtol 1e-3.";
  kn2row.tolerance = Tolerance{1e-4, 1e-3};
  kn2row.default_priority = 3;
  kn2row.not_applicable = conv::kn2row_not_applicable;
  kn2row.workspace_bytes = conv::kn2row_workspace_bytes;
  kn2row.prepare = conv::prepare_kn2row;
  registry.add_algorithm("Conv", std::move(kn2row));

  Algorithm smm;
  smm.name = "smm";
  smm.summary =
      "Sum of shifted input planes scaled by single weights, no packing (Ofir & Ben-Artzi 2022)";
  smm.teaching =
      "SMM-Conv writes each output plane as the sum, over input channels c and taps (kh, kw), of "
      "the input plane c shifted by the tap (strided by the stride, spread by the dilation) times "
      "the single scalar W[oc, c, kh, kw]: scalar-matrix multiplications, with the zero padding "
      "never materialized (rows in the padding are skipped, columns masked). Vectorized over "
      "output columns with AVX-512 or AVX2 (chosen at run time; portable loops elsewhere), the "
      "taps of one channel summed in registers for up to 8 (AVX2: 4) output channels at once "
      "so each loaded input vector feeds several FMAs; OpenMP over images and output-channel "
      "blocks. Extra memory: none beyond a table of 4 * ceil(OW/16) * KW * 17 bytes of column "
      "offsets made at prepare time; W is read in place, so a runtime W costs nothing extra. It "
      "wins on small channel counts, depthwise and grouped layers and odd shapes where GEMM-"
      "based methods pay for packing; on wide layers a GEMM's reuse wins. Numerics: float FMAs "
      "in channel-then-tap order; error grows with C/g * KH*KW like a plain dot product. "
      "Tolerance: atol 1e-4, rtol 1e-3.";
  smm.tolerance = Tolerance{1e-4, 1e-3};
  smm.default_priority = 3;
  smm.not_applicable = conv::smm_not_applicable;
  smm.prepare = conv::prepare_smm;
  registry.add_algorithm("Conv", std::move(smm));

  Algorithm implicit_gemm;
  implicit_gemm.name = "implicit_gemm";
  implicit_gemm.summary =
      "GEMM on patch panels gathered through an indirection buffer, no patch matrix (Dukhan 2019)";
  implicit_gemm.teaching =
      "The convolution is im2col's GEMM, filters [OC/g x C/g*KH*KW] times patches "
      "[C/g*KH*KW x OH*OW], but the patch matrix is never built. At prepare time an indirection "
      "buffer records, for every tap and output pixel, the offset of its input inside a channel "
      "plane (-1 for padding, read as zero). At run time each thread gathers 256 x 32 panels of "
      "patches through it into a small buffer (plain loads where 16 pixels read consecutive "
      "inputs, masked gathers elsewhere) and an 8x32 register-blocked micro-kernel (AVX-512 or "
      "AVX2, chosen at run time) multiplies them by the filters, packed into 8-row panels once. "
      "OpenMP runs over output tiles of up to 192 pixels. Extra memory: indirection buffer "
      "4 * KH*KW * 32*ceil(OH*OW/32) bytes (+1/64 for the contiguity flags) and the packed "
      "filters 4 * g * 8*ceil((OC/g)/8) * (C/g)*KH*KW bytes, both made at prepare time (the "
      "filters per call when W is a runtime input, in the workspace), plus workspace panels of "
      "4 * 256 * 32*P bytes per processor, P <= 6 pixel panels per tile. It wins where im2col's "
      "patch matrix is large (big images, 3x3 and larger kernels), since it keeps the GEMM's "
      "speed without the copy, and on many threads. Numerics: float FMAs over C/g*KH*KW in "
      "blocks of 256, like a blocked GEMM. Tolerance: atol 1e-4, rtol 1e-3.";
  implicit_gemm.tolerance = Tolerance{1e-4, 1e-3};
  implicit_gemm.default_priority = 4;
  implicit_gemm.not_applicable = conv::implicit_gemm_not_applicable;
  implicit_gemm.workspace_bytes = conv::implicit_gemm_workspace_bytes;
  implicit_gemm.prepare = conv::prepare_implicit_gemm;
  registry.add_algorithm("Conv", std::move(implicit_gemm));

  Algorithm fft;
  fft.name = "fft";
  fft.summary =
      "Tiled FFT convolution with FFTW3f and one complex GEMM per frequency (fbfft, "
      "Zlateski 2019)";
  fft.teaching =
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
      "of proportional to each output, so outputs near zero have large relative error. "
      "Tolerance: atol 1e-3, rtol 1e-3.";
  fft.tolerance = Tolerance{1e-3, 1e-3};
  fft.default_priority = 1;
  fft.not_applicable = conv::fft_not_applicable;
  fft.workspace_bytes = conv::fft_workspace_bytes;
  fft.prepare = conv::prepare_fft;
  registry.add_algorithm("Conv", std::move(fft));

  // direct, depthwise and pointwise: no patch matrix at all (files of the same names).
  Algorithm direct;
  direct.name = "direct";
  direct.summary =
      "Register-blocked direct loops, vectorized over output channels (Zhang et al. ICML 2018)";
  direct.teaching =
      "The filters are reordered once into blocks of OCB output channels with the block "
      "innermost, [g][OC/g/OCB][C/g][KH][KW][OCB]. A micro-kernel keeps a tile of WB output "
      "pixels of one row times OCB output channels in SIMD registers (AVX-512: 6 x 64, 12 x 32 "
      "or 16 x 16, whichever wastes fewest lanes on OC/g; AVX2: 6 x 16 or 12 x 8; portable: "
      "8 x 8; AVX-512 or AVX2 chosen at run time), and for every input "
      "channel and tap broadcasts one input value per pixel and multiplies it with the tap's "
      "weight vectors: every value loaded feeds several FMAs, and nothing but the output is "
      "written. The zero padding is never materialized: kernel rows outside the input are "
      "skipped per output row, and pixel blocks at the left and right edges clip each tap's "
      "pixel range. Strides and dilations only change which input values are broadcast. Input "
      "channels go in passes whose weights fit in L2 (256 KiB). OpenMP splits (image, group, "
      "output-channel block, row range). 1-D and 2-D layers. Extra "
      "memory: the reordered filters, 4 * g * ceil((OC/g)/OCB)*OCB * (C/g) * KH*KW bytes "
      "(OCB = 64, 32 or 16 on AVX-512; AVX2 16 or 8; portable 8), made once at "
      "prepare time when W is constant and in the workspace on every call when it is a runtime "
      "input. It wins where a GEMM's packing costs are not repaid: strided and dilated layers, "
      "modest channel counts, small batches, and it needs no workspace; on wide 3x3 layers it "
      "runs near the FMA peak like a GEMM. Groups with few output channels each waste lanes of "
      "the OCB block. Numerics: float FMAs over C/g*KH*KW per output in channel-then-tap "
      "order, error like a plain dot product of that length. Tolerance: atol 1e-4, rtol 1e-3.";
  direct.tolerance = Tolerance{1e-4, 1e-3};
  // Engine default where it applies: faster than im2col on every 3x3 and 7x7 layer measured
  // (bench/kernel_bench), without Winograd's larger error.
  direct.default_priority = 12;
  direct.not_applicable = conv::direct_not_applicable;
  direct.workspace_bytes = conv::direct_workspace_bytes;
  direct.prepare = conv::prepare_direct;
  direct.applies_activation = true;  // clamps each finished piece of output
  registry.add_algorithm("Conv", std::move(direct));

  Algorithm depthwise;
  depthwise.name = "depthwise";
  depthwise.summary =
      "Per-channel filter planes slid along SIMD rows, for group == channels (MobileNet)";
  depthwise.teaching =
      "When group equals the input channel count, every output channel oc = c*M + m (channel "
      "multiplier M >= 1) is one KHxKW filter slid over the single input channel c: there is no "
      "sum over channels, so a GEMM has nothing to share and im2col runs C tiny matrix "
      "products. Here each output row is computed in SIMD vectors of consecutive pixels (16 "
      "with AVX-512, 8 with AVX2, chosen at run time), four vectors at a time: for every tap "
      "inside the input, a broadcast weight times the shifted input row (stride 2 de-interleaves "
      "two loads with one permute; other strides run scalar). Columns whose window reaches "
      "into the padding run a clipped scalar loop, rows clip their kernel rows; nothing is "
      "copied. OpenMP over (image, output channel). 1-D and 2-D layers. Extra memory: none "
      "(W is read in place, constant or not). It wins on every depthwise layer; it is memory-"
      "bound (about KH*KW*2 FLOPs per 8 bytes moved), so expect GFLOP/s far below a GEMM's. "
      "Numerics: float FMAs over the KH*KW taps, bias first. Tolerance: atol 1e-5, rtol 1e-4.";
  depthwise.tolerance = Tolerance{1e-5, 1e-4};
  depthwise.default_priority = 20;  // only applies to depthwise layers, where it is the fastest
  depthwise.not_applicable = conv::depthwise_not_applicable;
  depthwise.prepare = conv::prepare_depthwise;
  depthwise.applies_activation = true;  // clamps each finished piece of output
  registry.add_algorithm("Conv", std::move(depthwise));

  Algorithm pointwise;
  pointwise.name = "pointwise";
  pointwise.summary = "1x1 stride-1 convolution as one OpenBLAS sgemm per image, no copies";
  pointwise.teaching =
      "In NCHW an image's input already is the matrix X [C x H*W] and its output Y [OC x H*W], "
      "and W [OC, C, 1, 1] is the row-major [OC x C] matrix, so a 1x1 stride-1 unpadded "
      "convolution with one group is Y = W * X: one OpenBLAS sgemm per image on the tensors' "
      "own buffers. The bias is broadcast into Y first and the sgemm accumulates onto it "
      "(beta = 1), which costs nothing extra because OpenBLAS clears C in a pass of its own "
      "when beta = 0. Extra memory: none. It wins on every layer it applies to (the 1x1 "
      "layers are most of ResNet-50's and MobileNet's FLOPs) as long as OpenBLAS runs its "
      "AVX-512 kernels. Numerics: float accumulation over C in OpenBLAS's blocked order; "
      "error grows with sqrt(C). Tolerance: atol 1e-4, rtol 1e-3.";
  pointwise.tolerance = Tolerance{1e-4, 1e-3};
  pointwise.default_priority = 15;  // 1x1 stride 1: one sgemm, no copies
  pointwise.not_applicable = conv::pointwise_not_applicable;
  pointwise.prepare = conv::prepare_pointwise;
  registry.add_algorithm("Conv", std::move(pointwise));

  // winograd_f2 and winograd_f4: fewer multiplies through tile transforms (winograd_f2.cpp,
  // winograd_f4.cpp; shared tiling in winograd.cpp).
  Algorithm winograd_f2;
  winograd_f2.name = "winograd_f2";
  winograd_f2.summary = "Winograd F(2x2,3x3): 2.25x fewer multiplies on 3x3 stride-1 layers";
  winograd_f2.teaching =
      "Lavin & Gray's minimal filtering F(2x2,3x3) (arXiv 1509.09308). The output is cut into "
      "2x2 tiles, each computed from the 4x4 input tile d under it: V = B^T d B per tile and "
      "input channel (additions only), U = G g G^T per filter (made once at prepare time, in "
      "double, when W is constant; per call otherwise), and the tile is A^T (sum over channels "
      "of U . V) A. The sum over channels at each of the 16 transform positions is one GEMM "
      "[tiles x C/g] x [C/g x OC/g], single-threaded inside each OpenMP thread (our blocked "
      "GEMM on U packed once at prepare time from 128 channels, OpenBLAS below), "
      "so a 2x2 output tile costs 16 multiplies per channel pair instead of 36: 2.25x fewer. "
      "Tiles go in blocks of tile rows (V + M about 1 MB, at least 96 tiles) and channels in "
      "vectors of 16 (AVX-512, AVX2 or portable, chosen at run time); edge tiles read zeros "
      "outside the input and write only outputs that exist, so any pads work, and groups run "
      "one after another. Extra memory: workspace P * 4 * 16 * Tb * (C16 + OC16) bytes, with P "
      "the processors, Tb the tiles of a block (at most N * ceil(OH/2) * ceil(OW/2)) and C16, "
      "OC16 the per-group channel counts rounded up to 16; the filters U take "
      "4 * 16 * g * (C/g) * OC16 bytes (OC rounded up to 32 when packed for AVX-512), held by "
      "the kernel when W is constant and in the "
      "workspace otherwise. It wins on 3x3 stride-1 layers with many channels; F(4x4,3x3) is "
      "usually faster still, except on small images (7x7, 14x14) where its bigger tiles waste "
      "work and its 2.25x larger U must be streamed. It loses on few channels (the transforms "
      "dominate) and on depthwise layers (no channel sum to batch). Numerics: the transforms "
      "hold only 0, +-1 and +-1/2; measured max|err| / max|ref| 3.4e-7 (64 channels, 28x28) and "
      "6.2e-7 (256 channels, 14x14) against im2col's 4.9e-7 and 5.6e-7: about a direct sum's "
      "error, at most twice it. Tolerance: atol 1e-4, rtol 1e-3.";
  winograd_f2.tolerance = Tolerance{1e-4, 1e-3};
  winograd_f2.default_priority = 3;
  winograd_f2.not_applicable = conv::winograd_f2_not_applicable;
  winograd_f2.workspace_bytes = conv::winograd_f2_workspace_bytes;
  winograd_f2.prepare = conv::prepare_winograd_f2;
  winograd_f2.applies_activation = true;  // clamps each finished piece of output
  registry.add_algorithm("Conv", std::move(winograd_f2));

  Algorithm winograd_f4;
  winograd_f4.name = "winograd_f4";
  winograd_f4.summary = "Winograd F(4x4,3x3): 4x fewer multiplies on 3x3 stride-1 layers";
  winograd_f4.teaching =
      "Lavin & Gray's minimal filtering F(4x4,3x3) (arXiv 1509.09308). The output is cut into "
      "4x4 tiles, each computed from the 6x6 input tile d under it: V = B^T d B per tile and "
      "input channel, U = G g G^T per filter (made once at prepare time, in double, when W is "
      "constant; per call otherwise), and the tile is A^T (sum over channels of U . V) A. The "
      "interpolation points are 0, +-1, +-1/2 and infinity (more accurate in float than Lavin's "
      "+-2; Barabasz et al. arXiv 1803.10986). The sum over channels at each of the 36 "
      "transform positions is one GEMM [tiles x C/g] x [C/g x OC/g], single-threaded inside "
      "each OpenMP thread (our blocked GEMM on U packed once at prepare time from 128 channels, "
      "OpenBLAS below), so a 4x4 output tile costs 36 multiplies per "
      "channel pair instead of 144: 4x fewer. Tiles go in blocks of tile rows (V + M about "
      "1 MB, at least 96 tiles) and channels in vectors of 16 (AVX-512, AVX2 or portable, "
      "chosen at run time); edge tiles read zeros outside the input and write only outputs that "
      "exist, so any pads work, and groups run one after another. Extra memory: workspace "
      "P * 4 * 36 * Tb * (C16 + OC16) bytes, with P the processors, Tb the tiles of a block (at "
      "most N * ceil(OH/4) * ceil(OW/4)) and C16, OC16 the per-group channel counts rounded up "
      "to 16; the filters U take 4 * 36 * g * (C/g) * OC16 bytes (4x the weights; OC rounded up "
      "to 32 when packed for AVX-512), held by the "
      "kernel when W is constant and in the workspace otherwise. It wins on 3x3 stride-1 layers "
      "with 64 or more channels on images of 14x14 and up (measured here about 2x im2col on "
      "VGG-like batch-10 layers and on ResNet-50's 56x56 and 28x28 3x3 layers). It loses on 7x7 "
      "images (a 4x4 tile grid over 7x7 computes 64 outputs for 49, and each block streams all "
      "of U), on few channels (the transforms dominate) and on depthwise layers. Numerics: "
      "B^T and A^T hold coefficients up to 5 and the products are summed in the transformed "
      "domain, so rounding grows: measured max|err| / max|ref| 5.4e-6 (64 channels, 28x28) and "
      "1.1e-5 (256 channels, 14x14) against im2col's 4.9e-7 and 5.6e-7, 11x to 20x a direct "
      "sum. Tolerance: atol 1e-3, rtol 1e-2.";
  winograd_f4.tolerance = Tolerance{1e-3, 1e-2};
  winograd_f4.default_priority = 3;
  // The heuristic plan's shape rule: where the measurements above have it winning, 64 or more
  // channels in and out per group on images of 14x14 and up (it applies to 3x3 stride 1 only).
  winograd_f4.heuristic_priority = [](const Layer& layer) {
    const Shape& x = layer.inputs[0].shape;
    const Shape& y = layer.outputs[0].shape;
    const int64_t groups = layer.n().attr_int("group", 1);
    const bool wide = x.size() == 4 && x[1] / groups >= 64 && y[1] / groups >= 64;
    return wide && y[2] * y[3] >= 14 * 14 ? 25 : 3;
  };
  winograd_f4.not_applicable = conv::winograd_f4_not_applicable;
  winograd_f4.workspace_bytes = conv::winograd_f4_workspace_bytes;
  winograd_f4.prepare = conv::prepare_winograd_f4;
  winograd_f4.applies_activation = true;  // clamps each finished piece of output
  registry.add_algorithm("Conv", std::move(winograd_f4));

#ifdef ALGOSCOPE_HAVE_ONEDNN
  // oneDNN as a provider: the same primitive with oneDNN's direct, Winograd or automatic choice.
  struct OnednnVariant {
    const char* name;
    conv::OnednnConv kind;
    const char* summary;
    const char* how;
    Tolerance tolerance;
  };
  const OnednnVariant onednn_variants[] = {
      {"onednn_direct", conv::OnednnConv::Direct,
       "oneDNN 2.6's direct convolution (JIT-generated AVX-512/AVX2 kernels, blocked layouts)",
       "oneDNN JIT-compiles a direct convolution for this CPU over its blocked nChw16c layout "
       "(8c on AVX2), register-blocked over output channels and width.",
       Tolerance{1e-4, 1e-3}},
      {"onednn_winograd", conv::OnednnConv::Winograd,
       "oneDNN 2.6's Winograd F(4x4,3x3) convolution (AVX-512 only)",
       "oneDNN's Winograd F(4x4,3x3): 6x6 input tiles and filters transformed into the Winograd "
       "domain, batched matrix products there, output tiles transformed back.",
       Tolerance{1e-3, 1e-2}},
      {"onednn_auto", conv::OnednnConv::Auto,
       "oneDNN 2.6 choosing between its own direct and Winograd kernels",
       "oneDNN picks its direct or Winograd implementation from the shape (its own heuristic).",
       Tolerance{1e-3, 1e-2}},
  };
  for (const OnednnVariant& v : onednn_variants) {
    Algorithm a;
    a.name = v.name;
    a.summary = v.summary;
    a.teaching =
        std::string(v.how) +
        " The primitive is created once at prepare time with format_tag::any, so oneDNN chooses "
        "its memory layouts; constant weights are reordered into its layout once. Extra memory: "
        "the reordered weights (OC*C/g*KH*KW*4 bytes, padded to 16 channels) and, per run, the "
        "input and output in oneDNN's blocked layout (N*C*H*W*4 and N*OC*OH*OW*4 bytes, padded), "
        "because the engine's tensors are NCHW and are reordered on the way in and out, unless "
        "the neighbour is a oneDNN convolution too: then the value stays blocked and neither "
        "reorder runs, a gain that shows end to end, not in one layer timed alone (tune times "
        "the all-oneDNN plan for that reason). It is the yardstick our own algorithms are "
        "benchmarked against. Numerics: float accumulation in "
        "oneDNN's order (Winograd adds the transform error of F(4,3), about 20x direct's).";
    a.tolerance = v.tolerance;
    a.default_priority = 1;
    a.applies_activation = true;  // as an eltwise post-op
    a.layout_family = "onednn";   // neighbours pass blocked values (onednn.cpp)
    a.not_applicable = [kind = v.kind](const Layer& l) {
      return conv::onednn_not_applicable(kind, l);
    };
    a.prepare = [kind = v.kind](const Layer& l) { return conv::prepare_onednn(kind, l); };
    registry.add_algorithm("Conv", std::move(a));
  }
#endif

  // cuDNN on the GPU (engine/cuda/ops/conv/cudnn.cpp): one algorithm per real cuDNN forward
  // algorithm, each also with TF32 tensor-core math, plus cuDNN's heuristic and measured picks.
  struct CudnnVariant {
    const char* name;
    int variant;
    const char* how;
    Tolerance tolerance;
  };
  const CudnnVariant cudnn_variants[] = {
      {"cudnn_implicit_gemm", cuda::kImplicitGemm,
       "cuDNN's IMPLICIT_GEMM: the convolution as a GEMM whose patch matrix is never stored; "
       "each thread block gathers its tile of input patches on the fly. No workspace.",
       Tolerance{1e-4, 1e-3}},
      {"cudnn_implicit_precomp_gemm", cuda::kImplicitPrecompGemm,
       "cuDNN's IMPLICIT_PRECOMP_GEMM: implicit GEMM with the patch offsets precomputed into a "
       "small workspace; the one algorithm with cuDNN's fused bias + ReLU epilogue.",
       Tolerance{1e-4, 1e-3}},
      {"cudnn_gemm", cuda::kGemm,
       "cuDNN's GEMM: an explicit im2col patch matrix in the workspace, then one matrix product.",
       Tolerance{1e-4, 1e-3}},
      {"cudnn_direct", cuda::kDirect,
       "cuDNN's DIRECT convolution; cuDNN 9 implements it for few layers and says so.",
       Tolerance{1e-4, 1e-3}},
      {"cudnn_fft", cuda::kFft,
       "cuDNN's FFT: input and filters transformed whole, pointwise complex products, inverse "
       "FFT; a large workspace, fast for big filters.",
       Tolerance{1e-3, 1e-2}},
      {"cudnn_fft_tiling", cuda::kFftTiling,
       "cuDNN's FFT_TILING: the FFT method on 32x32 tiles, a smaller workspace than FFT.",
       Tolerance{1e-3, 1e-2}},
      {"cudnn_winograd", cuda::kWinograd,
       "cuDNN's fused WINOGRAD (3x3 stride-1 filters): transforms, products and inverse in one "
       "kernel.",
       Tolerance{1e-3, 1e-2}},
      {"cudnn_winograd_nonfused", cuda::kWinogradNonfused,
       "cuDNN's WINOGRAD_NONFUSED: separate transform, batched-GEMM and inverse kernels with the "
       "transformed tiles in the workspace; larger tiles, more error.",
       Tolerance{1e-3, 1e-2}},
      {"cudnn_heuristic", cuda::kHeuristic,
       "cuDNN's own pick for this layer from its heuristic (cudnnGetConvolutionForwardAlgorithm_"
       "v7), without timing anything; the inspector shows which algorithm it chose.",
       Tolerance{1e-3, 1e-2}},
      {"cudnn_find", cuda::kFind,
       "cuDNN's measured pick: at prepare time cudnnFindConvolutionForwardAlgorithmEx times every "
       "algorithm it can run on this layer and the fastest is kept (the inspector shows which).",
       Tolerance{1e-3, 1e-2}},
  };
  for (const CudnnVariant& v : cudnn_variants) {
    for (bool tf32 : {false, true}) {
      Algorithm a = cuda::algorithm(cuda::kCudnnConv, v.variant | (tf32 ? cuda::kTf32 : 0));
      a.name = std::string(v.name) + (tf32 ? "_tf32" : "");
      a.summary = std::string(v.how).substr(0, std::string(v.how).find(':')) +
                  (tf32 ? " on the GPU, TF32 tensor-core math" : " on the GPU, strict fp32");
      a.teaching =
          std::string(v.how) +
          " Runs on the CUDA device: inputs, weights and outputs live in device memory (weights "
          "copied once when the session is compiled); the session inserts transfers where a "
          "neighbour runs on the host. Whether it applies is cuDNN's answer for this layer. "
          "Groups and dilations map onto cuDNN's descriptors; asymmetric pads are applied "
          "explicitly into a padded copy of the input, because cuDNN's API takes symmetric pads "
          "only. Extra memory: cuDNN's workspace for this algorithm (at most 1 GiB). " +
          (tf32 ? std::string("Numerics: TF32 tensor cores round every product's operands to 10 "
                              "mantissa bits, so errors are about 1000x strict fp32's; a visible "
                              "trade of precision for speed.")
                : std::string("Numerics: strict fp32 (CUDNN_FMA_MATH: no tensor cores, no "
                              "TF32), float accumulation in cuDNN's order."));
      a.tolerance = tf32 ? Tolerance{1e-2, 1e-2} : v.tolerance;
      registry.add_algorithm("Conv", std::move(a));
    }
  }
}

}  // namespace algoscope::ops
