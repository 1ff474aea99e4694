#!/usr/bin/env bash
# Builds (if needed) and runs every test: the GoogleTest suite (unit,
# property, CLI and conformance tests) and the .npy fuzz run, then the
# Python module's tests (pytest, against torch) when the module is built.
#
#   ./scripts/test.sh            # after ./scripts/setup.sh
#
# The conformance data is read from ../shared (beside the clone); configure
# with -DTCONV_SHARED_DIR=... to use another place.
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-Release}
python=${PYTHON:-/usr/bin/python3}

if [[ ! -f "$build_dir/build.ninja" && ! -f "$build_dir/Makefile" ]]; then
  cmake -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DPython3_EXECUTABLE="$python" -S . -B "$build_dir"
fi
cmake --build "$build_dir"
ctest --test-dir "$build_dir" --output-on-failure -j2

# PYTHONPATH names this build's package, so the tests run what was just
# built whatever tconv.pth (scripts/setup.sh) points at.
if grep -q '^TCONV_PYTHON:BOOL=ON' "$build_dir/CMakeCache.txt"; then
  PYTHONPATH="$(cd "$build_dir/python" && pwd)${PYTHONPATH:+:$PYTHONPATH}" "$python" -m pytest -q python/tests
elif [[ "${TCONV_REQUIRE_PYTHON:-0}" == 1 ]]; then
  # CI sets this: a module that silently failed to configure must not pass.
  echo "test.sh: the Python module is not built (TCONV_PYTHON=OFF), but TCONV_REQUIRE_PYTHON=1" >&2
  exit 1
else
  echo "test.sh: the Python module is not built (TCONV_PYTHON=OFF); skipping python/tests" >&2
fi
