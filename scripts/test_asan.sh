#!/usr/bin/env bash
# Runs the kernel sweeps again under AddressSanitizer + UndefinedBehaviorSanitizer,
# so a kernel that reads or writes outside its buffers fails (issue: no kernel
# touches memory it does not own). Every algorithm, every ISA path of the SIMD
# fast path, the conv GEMM forms, the plan (both layouts, the channels-last
# depthwise kernel at every ISA) and the .npy parser.
#
#   ./scripts/test_asan.sh        # after ./scripts/setup.sh (packages)
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${ASAN_BUILD_DIR:-build-asan}

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTCONV_ASAN=ON -DTCONV_BUILD_BENCH=OFF -S . -B "$build_dir"
fi
cmake --build "$build_dir" --target tconv tconv_tests
export OMP_WAIT_POLICY=passive
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
"$build_dir/tconv_tests" \
  --gtest_filter='AlgorithmsSweep.*:AlgorithmsCost.*:TapMath.*:PhaseFast*:*PhaseFastIsa*:Plan.*:Layout.*:*DepthwiseNhwcIsa*:ConvGemm.*:Im2Col.*:Npy.*:Resample.*:PixelShuffle.*:Checkerboard.*:Png.*'
