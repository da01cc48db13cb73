// The index family: ops that address elements by computed indices or by rank rather than by
// position: GatherND (read slices at index tuples), ScatterND (write updates at index tuples into
// a copy of the data, e.g. Swin's shifted-window mask), TopK (the k largest or smallest along an
// axis, with their indices), GatherElements and ScatterElements (per-element indices along an
// axis). infer.cpp decodes the nodes into the parameter structs below, shared
// by shape inference and the kernels; reference.cpp holds the plain-loop kernels; registry.cpp
// names the algorithms.
#pragma once

#include <memory>
#include <vector>

#include "algoscope/registry.h"
#include "ops/algorithm_text.h"

namespace algoscope::ops::index {

// GatherND and ScatterND view the data as [batch, data.shape[b:b+k], slice] and the indices as
// [batch, tuples, k]: each k-tuple addresses one slice of `slice` elements within its batch.
struct NdGeometry {
  int64_t batch = 1;   // product of the first batch_dims dimensions (GatherND only; else 1)
  int64_t tuples = 0;  // index tuples per batch
  int64_t k = 0;       // indices.shape[-1]
  int64_t slice = 1;   // elements per addressed slice: product of data.shape[b+k:]
  Shape indexed;       // data.shape[b:b+k], the dimensions the tuples index
};
NdGeometry gather_nd_geometry(const Layer& layer);
NdGeometry scatter_nd_geometry(const Layer& layer);

enum class ScatterReduction { None, Add, Mul, Max, Min };
ScatterReduction scatter_nd_reduction(const Layer& layer);

struct TopKParams {
  int64_t axis = 0;
  int64_t k = 0;
  bool largest = true;
};
TopKParams top_k_params(const Layer& layer);

std::vector<TensorInfo> infer_gather_nd(const Layer& layer);
std::vector<TensorInfo> infer_scatter_nd(const Layer& layer);
std::vector<TensorInfo> infer_top_k(const Layer& layer);

std::unique_ptr<Kernel> prepare_gather_nd_reference(const Layer& layer);
AlgorithmText gather_nd_reference_text();
std::unique_ptr<Kernel> prepare_scatter_nd_reference(const Layer& layer);
AlgorithmText scatter_nd_reference_text();
std::unique_ptr<Kernel> prepare_top_k_reference(const Layer& layer);
AlgorithmText top_k_reference_text();

// elements_reference.cpp: GatherElements (output: the indices' shape) and ScatterElements
// (reduction none/add/mul/max/min; output: the data's shape), indices int64 or int32 of the data's
// rank, checked at run time.
std::vector<TensorInfo> infer_gather_elements(const Layer& layer);
std::vector<TensorInfo> infer_scatter_elements(const Layer& layer);
std::unique_ptr<Kernel> prepare_gather_elements_reference(const Layer& layer);
std::unique_ptr<Kernel> prepare_scatter_elements_reference(const Layer& layer);
AlgorithmText gather_elements_reference_text();
AlgorithmText scatter_elements_reference_text();

// one_hot_reference.cpp: OneHot (indices, constant scalar depth, values [off, on]; axis).
std::vector<TensorInfo> infer_one_hot(const Layer& layer);
std::unique_ptr<Kernel> prepare_one_hot_reference(const Layer& layer);
AlgorithmText one_hot_reference_text();

}  // namespace algoscope::ops::index
