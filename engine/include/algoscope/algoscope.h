// Everything a user of the headless engine needs: load a model, make or load a plan (by hand, by
// rules, by heuristic or by tuning), compile a session and run it, and check and time plans. See
// DESIGN.md for the contracts.
#pragma once

#include <string>

#include "algoscope/algorithm_sweep.h"
#include "algoscope/describe.h"
#include "algoscope/error.h"
#include "algoscope/extract.h"
#include "algoscope/file_io.h"
#include "algoscope/graph.h"
#include "algoscope/loader.h"
#include "algoscope/measure.h"
#include "algoscope/plan.h"
#include "algoscope/plugin.h"
#include "algoscope/registry.h"
#include "algoscope/roofline.h"
#include "algoscope/select.h"
#include "algoscope/session.h"
#include "algoscope/specialize.h"
#include "algoscope/tensor.h"
#include "algoscope/tensor_io.h"
#include "algoscope/tuning_cache.h"

namespace algoscope {

// The engine's version, "MAJOR.MINOR.PATCH".
const char* version();
// The instruction-set level the engine's kernels run at ("avx512", "avx2", "portable"), with
// " (capped; the CPU has avx512)" when ALGOSCOPE_ISA holds it below the CPU's.
std::string kernel_level();
// The kernel set OpenBLAS chose on this CPU ("SkylakeX", "Haswell", ...) or why it did not load.
std::string openblas_core();
// How the loaded OpenBLAS runs its threads and which file it is: "OpenMP (/usr/lib/...)" when
// Debian's libopenblas0-openmp is installed (it shares libgomp's threads with the engine's own
// kernels and oneDNN), "pthreads (libopenblas.so.0)" otherwise; $ALGOSCOPE_OPENBLAS overrides.
std::string openblas_threading();

}  // namespace algoscope
