// Split, `direct`: the inverse of Concat's block copy (movement.h), one memcpy per output per
// outer row, rows split across the threads when the tensor is large.
#include "ops/common.h"
#include "ops/shape/movement.h"
#include "ops/shape/shape.h"

namespace algoscope::ops::shape {

std::unique_ptr<Kernel> prepare_split_direct(const Layer& layer) {
  const SplitParams p = split_params(layer);
  const Blocks plan = plan_blocks(layer.inputs[0].shape, static_cast<size_t>(p.axis), p.sizes,
                                  dtype_size(layer.inputs[0].dtype));
  return make_kernel([plan](KernelIO& io) {
    std::vector<std::byte*> parts(plan.block.size(), nullptr);
    for (size_t k = 0; k < parts.size() && k < io.outputs.size(); ++k)
      if (io.outputs[k]) parts[k] = static_cast<std::byte*>(io.outputs[k]->raw());
    run_blocks(plan, static_cast<std::byte*>(const_cast<void*>(io.inputs[0]->raw())), parts, false);
  });
}

AlgorithmText split_direct_text() {
  return {"block copies, rows across threads",
          "The inverse of Concat: viewed as [outer, axis x inner], each output receives one "
          "contiguous block of every outer row, copied with memcpy; with many rows the rows are "
          "split across the threads, with one row (batch-1 channel split) the outputs are. "
          "Extra memory: none. The same copies as the reference; it wins only on multi-threaded "
          "runs of large tensors. Moves bits only, so the result is exact for every type."};
}

}  // namespace algoscope::ops::shape
