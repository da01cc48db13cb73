#!/usr/bin/env bash
# Installs everything algoscope needs on Debian 12 (bookworm), from Debian's own packages: the
# build tools, the engine's libraries, Qt 6 for the explorer, the test data (ONNX's conformance tests) and PyTorch for the
# end-to-end tests. Safe to run again. Needs root (uses sudo when not root).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang-format
  # engine
  libonnx-dev libprotobuf-dev protobuf-compiler libopenblas-dev libdnnl-dev nlohmann-json3-dev
  libfftw3-dev
  # OpenBLAS built on OpenMP, next to the default pthreads build: the engine loads it so that
  # OpenBLAS, oneDNN and our kernels share libgomp's threads (engine/src/blas/openblas.cpp)
  libopenblas0-openmp
  # the Qt explorer (ALGOSCOPE_GUI): Qt Charts needs the OpenGL module's CMake files; the
  # offscreen platform (headless tests, --screenshot) draws text with the DejaVu fonts
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev fonts-dejavu-core
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libonnx-testdata valgrind
  # libFuzzer targets (fuzz/): clang with its sanitizer and fuzzer runtimes, and clang's OpenMP
  # runtime (libomp): the engine needs OpenMP, Debian's clang ships none, and gcc's omp.h does not
  # compile under clang
  clang libclang-rt-14-dev libomp-dev
  # the PyTorch peer (imports only under /usr/bin/python3)
  python3 python3-numpy python3-onnx python3-torch python3-torchvision
  # the Python module (python/) and its tests
  pybind11-dev python3-dev python3-pytest
)

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
