#!/usr/bin/env bash
# Cross-builds tconv for arm64 (Debian's crossbuild-essential-arm64 and the
# :arm64 packages of its dependencies, cmake/aarch64-linux-gnu.cmake) and runs
# the kernel tests under qemu-user: the kernel sweeps of the phase SIMD path
# and of every kernel of the kernel list at every ISA the arm64 build has
# (Highway's NEON target), the channels-last depthwise kernels (f32, int8), dispatch, and
# the plan. qemu is 10-50x slower than native, so this is the kernel subset,
# not the whole suite.
#
#   bash scripts/test_arm64.sh      # after scripts/setup.sh (packages)
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${ARM64_BUILD_DIR:-build-arm64}

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
    -DTCONV_BUILD_BENCH=OFF -S . -B "$build_dir"
fi
cmake --build "$build_dir" --target tconv_tests
export QEMU_LD_PREFIX=/
source scripts/gtest_shards.sh
run_sharded qemu-aarch64 "$build_dir/tconv_tests" \
  --gtest_filter='*PhaseFastIsa*:*GemmOnePixelIsa*:*KernelList*:*DepthwiseNhwcIsa*:*DepthwiseNchw*:*Int8ChannelsLastIsa.Depthwise*:Dispatch.*:PhaseFast.*:PhaseFastTuning.*:Plan.*:TapMath.*:Parallel.*'
