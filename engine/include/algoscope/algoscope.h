// Everything a user of the headless engine needs: load a model, make or load a plan, compile a
// session and run it. See DESIGN.md for the contracts.
#pragma once

#include <string>

#include "algoscope/algorithm_sweep.h"
#include "algoscope/error.h"
#include "algoscope/graph.h"
#include "algoscope/loader.h"
#include "algoscope/plan.h"
#include "algoscope/plugin.h"
#include "algoscope/registry.h"
#include "algoscope/session.h"
#include "algoscope/tensor.h"
#include "algoscope/tensor_io.h"

namespace algoscope {

// The engine's version, "MAJOR.MINOR.PATCH".
const char* version();
// The kernel set OpenBLAS chose on this CPU ("SkylakeX", "Haswell", ...) or why it did not load.
std::string openblas_core();

}  // namespace algoscope
