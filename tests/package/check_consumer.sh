#!/usr/bin/env bash
# Proves the install works for another project: installs the build tree into a scratch prefix,
# configures and builds tests/package/consumer against it with find_package(algoscope), runs it
# on a sample model, and checks the installed algoscope-cli too.
# usage: check_consumer.sh BUILD_DIR WORK_DIR MODEL [CXX_FLAGS]
# (CXX_FLAGS: what a sanitizer build of algoscope needs its consumers to be built with too)
set -euo pipefail
build_dir=$1 work=$2 model=$3 flags=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$here/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$work/build" >/dev/null
out=$("$work/build/consumer" "$model")
echo "$out"
grep -q "tiny_resnet -> 1x10" <<<"$out"
"$work/prefix/bin/algoscope-cli" --version
