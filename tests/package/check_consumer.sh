#!/usr/bin/env bash
# Proves the install works for another project: installs the build tree into a scratch prefix,
# configures and builds tests/package/consumer against it with find_package(algoscope), runs it
# on a sample model, and checks the installed algoscope-cli too. Then builds the template plugin
# (engine/plugins/example) out of tree against the same prefix, and runs the engine's Conv sweep
# on the plugin it produced.
# usage: check_consumer.sh BUILD_DIR WORK_DIR MODEL [CXX_FLAGS]
# (CXX_FLAGS: what a sanitizer build of algoscope needs its consumers to be built with too)
set -euo pipefail
build_dir=$1 work=$2 model=$3 flags=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
# Configures and builds the CMake project in $1 into $2 against the installed prefix.
build_against_prefix() {
  cmake -S "$1" -B "$2" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
  cmake --build "$2" >/dev/null
}
rm -rf "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
build_against_prefix "$here/consumer" "$work/build"
out=$("$work/build/consumer" "$model")
echo "$out"
grep -q "tiny_resnet -> 1x10" <<<"$out"
"$work/prefix/bin/algoscope-cli" --version
# The template plugin, out of tree.
build_against_prefix "$here/../../engine/plugins/example" "$work/plugin"
sweep=$("$work/plugin/algoscope_example_plugin_sweep" "$work/plugin/libalgoscope_example_plugin.so")
echo "$sweep"
grep -q "loaded Conv/example_loops" <<<"$sweep"
grep -q " 0 failure(s)" <<<"$sweep"
