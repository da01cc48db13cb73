#!/usr/bin/env bash
# Installs the dependencies, builds algoscope (engine, CLI, Qt explorer, tests) and runs the whole
# test suite with ctest. This is the README's test command and what CI (.ci/run) runs. The
# explorer's QTest suites run on Qt's offscreen platform, so no display is needed.
# Environment: BUILD_DIR (default build), JOBS (default: all cores), ALGOSCOPE_SANITIZE=ON for an
# ASan/UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
build_dir="${BUILD_DIR:-build}"
jobs="${JOBS:-$(nproc)}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DALGOSCOPE_GUI=ON \
      -DALGOSCOPE_SANITIZE="${ALGOSCOPE_SANITIZE:-OFF}"
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
