// The OpenBLAS core-type fix: on CPUs with AVX-512, Debian's OpenBLAS would pick its Haswell (AVX2)
// kernels; the engine must make it load its SkylakeX ones unless the user chose otherwise.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "algoscope/algoscope.h"
#include "blas/sgemm.h"
#include "cpu_features.h"

TEST(OpenBlas, PicksAvx512KernelsOnAvx512Cpus) {
  if (std::getenv("OPENBLAS_CORETYPE") &&
      std::string(std::getenv("OPENBLAS_CORETYPE")) != "SkylakeX")
    GTEST_SKIP() << "OPENBLAS_CORETYPE set by the user";
  if (!algoscope::cpu::supports(algoscope::cpu::IsaLevel::Avx512))
    GTEST_SKIP() << "CPU without AVX-512";
  EXPECT_EQ(algoscope::openblas_core(), "SkylakeX");
}

// With Debian's libopenblas0-openmp installed (install-deps.sh does), the engine loads that build,
// so OpenBLAS runs on libgomp's threads like our kernels and oneDNN, not on a pool of its own.
TEST(OpenBlas, LoadsTheOpenMPBuildWhenInstalled) {
  if (std::getenv("ALGOSCOPE_OPENBLAS")) GTEST_SKIP() << "ALGOSCOPE_OPENBLAS chosen by the user";
  const char* openmp_build = "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0";
  if (!std::filesystem::exists(openmp_build)) GTEST_SKIP() << "no " << openmp_build;
  EXPECT_EQ(algoscope::openblas_threading(), std::string("OpenMP (") + openmp_build + ")");
}

TEST(OpenBlas, SgemmComputesRowMajorProducts) {
  ASSERT_TRUE(algoscope::blas::openblas_available()) << algoscope::openblas_core();
  // [2x3] * [3x2], then the transposed-A form of the same product.
  const float a[] = {1, 2, 3, 4, 5, 6}, b[] = {7, 8, 9, 10, 11, 12}, at[] = {1, 4, 2, 5, 3, 6};
  float c[4] = {1, 1, 1, 1};
  algoscope::blas::sgemm(false, false, 2, 2, 3, 1.0f, a, 3, b, 2, 0.0f, c, 2);
  EXPECT_EQ(std::vector<float>(c, c + 4), (std::vector<float>{58, 64, 139, 154}));
  algoscope::blas::sgemm(true, false, 2, 2, 3, 2.0f, at, 2, b, 2, 1.0f, c, 2);
  EXPECT_EQ(std::vector<float>(c, c + 4), (std::vector<float>{174, 192, 417, 462}));
}
