// The index family's registry: GatherND, ScatterND, TopK, GatherElements, ScatterElements and
// OneHot with their algorithms. This is the one place where the family's algorithm names are
// spelled; each op has its reference, whose text lives next to its kernel (<op>_reference_text() in
// reference.cpp). Copying and comparing cost no FLOPs, so no op here sets a flop count.
#include "ops/index/index.h"
#include "ops/registrations.h"

namespace algoscope::ops {

void register_index(Registry& registry) {
  using namespace index;
  add_exact_reference_ops(
      registry, {
                    {"GatherND", "reads the slices addressed by index tuples", infer_gather_nd,
                     gather_nd_reference_text(), prepare_gather_nd_reference},
                    {"ScatterND", "writes updates into a copy of the data at index tuples",
                     infer_scatter_nd, scatter_nd_reference_text(), prepare_scatter_nd_reference},
                    {"TopK", "the k largest or smallest values along an axis, with their indices",
                     infer_top_k, top_k_reference_text(), prepare_top_k_reference},
                    {"GatherElements", "reads data at per-element indices along an axis",
                     infer_gather_elements, gather_elements_reference_text(),
                     prepare_gather_elements_reference},
                    {"ScatterElements",
                     "writes (or combines) updates into a copy of the data at per-element indices",
                     infer_scatter_elements, scatter_elements_reference_text(),
                     prepare_scatter_elements_reference},
                    {"OneHot", "expands indices into one-hot rows along a new axis", infer_one_hot,
                     one_hot_reference_text(), prepare_one_hot_reference},
                });
}

}  // namespace algoscope::ops
