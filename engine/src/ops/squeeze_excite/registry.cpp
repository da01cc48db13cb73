// The SqueezeExcite family: the squeeze-and-excitation block as one node (made by the loader's
// squeeze-excite pass) and the algorithms that compute it, in registry order. This file is the
// only place their names are spelled; each algorithm lives in the file of the same name, with its
// text (<name>_text()).
#include "cuda/variants.h"
#include "ops/registrations.h"
#include "ops/squeeze_excite/squeeze_excite.h"

namespace algoscope::ops {

void register_squeeze_excite(Registry& registry) {
  using namespace squeeze_excite;
  add_op(registry,
         {.op_type = kOpType,
          .summary = "x * gate(W2 act(W1 mean(x) + b1) + b2) per channel: a squeeze-and-"
                     "excitation block (EfficientNet, MobileNetV3) as one node",
          .infer = infer,
          .flops = flops},
         {
             {reference_text(),
              {.name = kReference, .tolerance = {1e-6, 1e-5}, .prepare = prepare_reference}},
             {direct_text(),
              {.name = "direct",
               .tolerance = {1e-6, 1e-5},
               .default_priority = 10,
               .prepare = prepare_direct}},
         });
  add_cuda_algorithm(
      registry, kOpType, cuda::kCudaSqueezeExcite, cuda::kSqueezeExcite, "cuda",
      Tolerance{1e-6, 1e-5},
      {"On the GPU: a block per channel plane for the means, a block per image for the gates, "
       "then the scaling",
       "On the CUDA device, in three launches: one block of 256 threads per (image, channel) "
       "sums the plane, coalesced, reduced with warp shuffles; one block per image computes the "
       "hidden vector in shared memory (a thread per hidden unit), its activation, and the gate "
       "of every channel (a thread per channel); a grid-stride pass writes x times its channel's "
       "gate. Extra memory: 2 N C floats of device memory. The small products run on one block "
       "per image: a few thousand multiply-adds, cheaper there than a cuBLAS call. Numerics: "
       "float sums in a tree per plane and CUDA's accurate expf."});
}

}  // namespace algoscope::ops
