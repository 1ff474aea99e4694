#!/usr/bin/env bash
# ThreadSanitizer run of the concurrent-Run test (issue #14): many threads
# calling Plan::Run on one plan at once, every algorithm and both layouts.
# Only the library and tconv_tsan_tests are built (build-tsan, clang, -O1),
# with Highway's static target only (HWY_COMPILE_ONLY_STATIC) and the
# Highway kernels not instrumented: the point is the plan's shared state,
# not the ISA kernels, which the ASan sweep covers.
#
# The library's thread pool (src/base/parallel.h) is its own code, so TSan
# checks Runs on two threads too (TwoThreadsPerRun) and the pool's own tests
# (Parallel.*, but the fork test: TSan does not start threads in a forked
# child); OpenBLAS is not built with TSan: OPENBLAS_NUM_THREADS=1.
#
#   ./scripts/test_tsan.sh        # after ./scripts/setup.sh (packages)
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${TSAN_BUILD_DIR:-build-tsan}

if [[ ! -f "$build_dir/build.ninja" ]]; then
  launcher=()
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # -O1: the test is small, and the build is most of this step's time.
  cmake -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O1 -DCMAKE_CXX_COMPILER=clang++ -DTCONV_PYTHON=OFF "${launcher[@]}" \
    -DTCONV_TSAN=ON -DTCONV_BUILD_BENCH=OFF -S . -B "$build_dir"
fi
cmake --build "$build_dir" --target tconv_tsan_tests
export OPENBLAS_NUM_THREADS=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
"$build_dir/tconv_tsan_tests" --gtest_filter='ConcurrentRun.*:Parallel.*-Parallel.AForkedChildStartsItsOwnThreads'
