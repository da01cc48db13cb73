// The CPU features the engine dispatches on, in one place: the instruction-set levels that have
// hand-written kernels (direct, depthwise, SMM, implicit-GEMM and Winograd convolutions, the
// blocked GEMM, the vectorised elementwise, softmax, reduce, pooling and attention loops), their
// detection at run time (never the build machine's flags), a cap that runs a lower level's kernels
// on a better CPU, the SHA extensions of the fingerprint, and the feature text of the tuning
// cache's machine key.
//
// Overrides:
//   ALGOSCOPE_ISA     avx2 or portable (or avx512): the level when nothing else capped it, for
//                     the whole process, e.g. `ALGOSCOPE_ISA=avx2 algoscope-cli bench ...` shows
//                     an AVX2 machine's figures on an AVX-512 one; OpenBLAS and oneDNN are held to
//                     it too. A value that names no level or one this CPU lacks is ignored.
//   cap_level(level)  tests run the AVX2 and portable kernels on an AVX-512 machine this way;
//                     cap_level(std::nullopt) restores the default (detection or ALGOSCOPE_ISA).
//   OPENBLAS_CORETYPE the engine sets it to SkylakeX on AVX-512 CPUs unless the user set it
//                     (blas/openblas.cpp says why); a user's value is kept.
// The vectorised loops of ops/vector_math.h (ALGOSCOPE_SIMD_VARIANTS) read the level at each
// call, so the cap reaches them too.
#pragma once

#include <optional>
#include <string>

namespace algoscope::cpu {

// The levels with their own kernels, in increasing order of speed. Avx2 means AVX2 + FMA; Avx512
// means AVX-512 F, BW, VL and DQ + FMA (what every AVX-512 kernel of the engine uses).
enum class IsaLevel { Portable, Avx2, Avx512 };
const char* level_name(IsaLevel level);  // "portable", "avx2", "avx512"

bool supports(IsaLevel level);
// The best level this CPU supports.
IsaLevel detected_level();
// detected_level(), or ALGOSCOPE_ISA's level when it names one this CPU supports.
IsaLevel default_level();
// The level kernels use when they are prepared (and vectorised loops when they run):
// default_level() unless capped.
IsaLevel active_level();
// Caps the level; nullopt removes the cap. Throws Error when the CPU lacks `level`. Kernels
// prepared before keep the level they were prepared with.
void cap_level(std::optional<IsaLevel> level);

// SHA-NI with the SSSE3/SSE4.1 it needs (the fingerprint's fast path).
bool has_sha_extensions();

// The CPU's model and the features that change which kernels run, e.g.
// "AMD EPYC 7B13 (family 25, model 1); avx2 fma", plus the level cap while one is set: results
// measured under different texts must not be mixed (the tuning cache keys on it).
std::string machine_text();

}  // namespace algoscope::cpu
