#!/usr/bin/env bash
# Installs the dependencies, checks the C++ formatting, builds algoscope (engine, CLI, Qt explorer,
# tests) and runs the whole test suite with ctest. This is the README's test command and what CI
# (.ci/run) runs. The explorer's QTest suites run on Qt's offscreen platform, so no display is
# needed.
# Environment: BUILD_DIR (default build), FUZZ_BUILD_DIR (default build-fuzz), JOBS (default: all
# cores), ALGOSCOPE_SANITIZE=ON for an ASan/UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
# Formatting first, so a style slip fails in seconds rather than after the build: every tracked C++
# file must be as clang-format (the repo's .clang-format) writes it. Outside a git checkout there
# is no list of tracked files, so the check is skipped.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z '*.cpp' '*.h' '*.hpp' '*.cu' '*.cuh' | xargs -0 -r clang-format --dry-run --Werror
fi
build_dir="${BUILD_DIR:-build}"
jobs="${JOBS:-$(nproc)}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DALGOSCOPE_GUI=ON \
      -DALGOSCOPE_SANITIZE="${ALGOSCOPE_SANITIZE:-OFF}"
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
# The fuzz smoke: the engine again, built with clang, ASan, UBSan and libFuzzer in its own folder,
# its readers of outside input fuzzed for 15 s each after replaying every input that ever crashed
# them (scripts/fuzz.sh).
BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}" JOBS="$jobs" ./scripts/fuzz.sh
