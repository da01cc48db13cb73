#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang with ASan and UBSan, in their own build folder) and
# fuzzes each for a bounded time: first every input that ever crashed one of them
# (fuzz/regressions/<target>/) is replayed, then the target runs on its corpus. Any crash,
# sanitizer report, escaped non-algoscope exception, leak, hang (-timeout) or memory blow-up
# (-rss_limit_mb; a single allocation over it counts too) fails the script; the input that did it
# is saved under BUILD_DIR/fuzz-artifacts/<target>/. scripts/test.sh runs the smoke (the default
# 15 s per target); a long run is `scripts/fuzz.sh --seconds 3600`.
#
# Corpora: seeds are made fresh each run (BUILD_DIR/fuzz-seeds/) from the bundled models, ONNX's
# node test data (libonnx-testdata) and what fuzz_seeds writes with the engine's own writers
# (plans, a tuning cache, tensors). What the fuzzer finds goes into BUILD_DIR/fuzz-corpus/, which
# is kept, so repeated runs continue where the last one stopped.
#
# Usage: scripts/fuzz.sh [--seconds N] [--only TARGET]...
# Environment: BUILD_DIR (default build-fuzz), JOBS (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=15
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --only) only+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
targets=(fuzz_model fuzz_plan fuzz_tensor fuzz_tuning_cache)
if [ ${#only[@]} -gt 0 ]; then targets=("${only[@]}"); fi

build_dir="${BUILD_DIR:-build-fuzz}"
jobs="${JOBS:-$(nproc)}"
# Only what the targets need: no CUDA module (nvcc does not take the sanitizers), no explorer, no
# benchmarks, no test suite.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DALGOSCOPE_FUZZ=ON \
      -DALGOSCOPE_CUDA=OFF -DALGOSCOPE_GUI=OFF -DALGOSCOPE_BENCH=OFF -DALGOSCOPE_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j "$jobs" --target fuzz_all
bin="$build_dir/fuzz"

# Seeds.
seeds="$build_dir/fuzz-seeds"
rm -rf "$seeds"
mkdir -p "$seeds/fuzz_model" "$seeds/fuzz_tensor"
"$bin/fuzz_seeds" "$seeds/engine" resources/models/*.onnx
mv "$seeds/engine/plan" "$seeds/fuzz_plan"
mv "$seeds/engine/tuning_cache" "$seeds/fuzz_tuning_cache"
cp "$seeds/engine/tensor/"* "$seeds/fuzz_tensor/"
cp resources/models/*.onnx "$seeds/fuzz_model/"
node_tests=/usr/share/libonnx-testdata/data/node
if [ -d "$node_tests" ]; then
  for test in "$node_tests"/*/; do
    name="$(basename "$test")"
    cp "$test/model.onnx" "$seeds/fuzz_model/$name.onnx"
    for input in "$test"/test_data_set_0/input_*.pb; do
      [ -f "$input" ] && cp "$input" "$seeds/fuzz_tensor/$name-$(basename "$input")"
    done
  done
else
  echo "fuzz.sh: $node_tests missing (libonnx-testdata): fewer seeds" >&2
fi

# libFuzzer's own limits catch hangs, leaks and memory blow-ups; UBSan and ASan stop at the first
# report. LeakSanitizer's scan can misread the TLS of a library loaded with dlopen (OpenBLAS) and
# crash after the run (google/sanitizers#1322); tests/CMakeLists.txt says the same.
export ASAN_OPTIONS="${ASAN_OPTIONS:-intercept_tls_get_addr=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
limits=(-rss_limit_mb=2048 -timeout=10 -detect_leaks=1)

failed=()
summary=()
for target in "${targets[@]}"; do
  regressions="fuzz/regressions/$target"
  artifacts="$build_dir/fuzz-artifacts/$target/"
  corpus="$build_dir/fuzz-corpus/$target"
  log="$build_dir/fuzz-logs/$target.log"
  mkdir -p "$artifacts" "$corpus" "$(dirname "$log")"
  extra=()
  case "$target" in
    fuzz_plan) extra+=(-dict="$seeds/engine/plan.dict") ;;
    fuzz_model) extra+=(-dict="$seeds/engine/model.dict") ;;
  esac

  # Every input that ever crashed this target, run once each.
  if compgen -G "$regressions/*" >/dev/null; then
    if ! "$bin/$target" "${limits[@]}" -artifact_prefix="$artifacts" "$regressions"/* \
        >"$log.regressions" 2>&1; then
      tail -n 40 "$log.regressions"
      echo "fuzz.sh: $target fails on a regression input ($regressions/); log: $log.regressions"
      failed+=("$target (regression)")
      continue
    fi
  fi

  echo "fuzz.sh: $target for ${seconds} s"
  status=0
  "$bin/$target" "${limits[@]}" "${extra[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$artifacts" "$corpus" "$seeds/$target" >"$log" 2>&1 || status=$?
  executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  result=ok
  if [ "$status" != 0 ]; then
    tail -n 60 "$log"
    result="FAILED (exit $status; input saved in $artifacts; log $log)"
    failed+=("$target")
  fi
  summary+=("$(printf '%-18s %10s executions  %6s corpus files  %s' "$target" \
                 "${executions:-?}" "$(find "$corpus" -type f | wc -l)" "$result")")
done

echo "fuzz.sh: ${seconds} s per target"
for line in "${summary[@]}"; do echo "  $line"; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]}"
  echo "Reproduce: $bin/<target> <input>; once fixed, add the input to fuzz/regressions/<target>/."
  exit 1
fi
