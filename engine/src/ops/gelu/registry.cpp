// The Gelu op and its algorithms, in registry order. This file is the only place their names are
// spelled; each algorithm lives in the file of the same name, with its text (<name>_text()).
#include "cuda/variants.h"
#include "ops/gelu/gelu.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_gelu(Registry& registry) {
  using namespace gelu;
  add_op(registry,
         {.op_type = kOpType,
          .summary = "x * Phi(x): 0.5 x (1 + erf(x / sqrt 2)), or its tanh approximation (ONNX "
                     "Gelu, opset 20; made by the loader from PyTorch's Erf form)",
          .infer = infer,
          .flops = flops},
         {{reference_text(), {.name = kReference, .prepare = prepare_reference}},
          {direct_text(),
           {.name = "direct",
            .tolerance = {1e-6, 1e-5},
            .default_priority = 10,
            .prepare = prepare_direct}}});
  add_cuda_algorithm(
      registry, kOpType, cuda::kCudaActivation, cuda::kGelu, "cuda", Tolerance{1e-6, 1e-5},
      {"On the GPU: one device thread per element in a grid-stride loop",
       "On the CUDA device, in the cuda_activation family's kernel: each element gets a thread "
       "that computes 0.5 x (1 + erf(x / sqrt 2)), or the tanh form when the node asks for it, "
       "with CUDA's accurate erff / tanhf (at most 2 ulp). Extra memory: none. Wins whenever its "
       "neighbours run on the device; the pass is memory-bound. Numerics: within a few ulp of "
       "the double reference."});
}

}  // namespace algoscope::ops
