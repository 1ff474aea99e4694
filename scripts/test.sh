#!/usr/bin/env bash
# Builds (if needed) and runs every test: the GoogleTest suite (unit,
# property, CLI and conformance tests) and the .npy fuzz run.
#
#   ./scripts/test.sh            # after ./scripts/setup.sh
#
# The conformance data is read from ../shared (beside the clone); configure
# with -DTCONV_SHARED_DIR=... to use another place.
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-Release}

if [[ ! -f "$build_dir/build.ninja" && ! -f "$build_dir/Makefile" ]]; then
  cmake -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -S . -B "$build_dir"
fi
cmake --build "$build_dir"
ctest --test-dir "$build_dir" --output-on-failure -j2
