#!/usr/bin/env bash
# The sanitizer run (CI's third step): one clang build with AddressSanitizer
# + UndefinedBehaviorSanitizer and libFuzzer coverage (build-asan), then
#  1. the kernel sweeps, so a kernel that reads or writes outside its
#     buffers fails: every algorithm, every ISA path of the SIMD fast path,
#     the conv GEMM forms, the plan (both layouts, the channels-last
#     depthwise kernel at every ISA), the kernel list, the bf16 plans (both
#     ways: the dot kernels and widening to f32) and the .npy parser;
#     with the kernels' TCONV_DCHECK contracts on (DCHECKs are on in this build);
#  2. the hostile-input suite, the fault tests and the concurrent-Run test
#     against this build's CLI and library (issue #14: ASan and UBSan clean);
#  3. the three fuzzers (cli, diff, onnx) for a fixed short time from their checked-in corpora
#     (scripts/fuzz.sh; FUZZ_SECONDS, default 25 each, and FUZZ_SEED, default 1: a fresh
#     run mutates the same way each time; FUZZ_SEED=0 draws a new seed).
#
#   ./scripts/test_asan.sh        # after ./scripts/setup.sh (packages)
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${ASAN_BUILD_DIR:-build-asan}

# (An older build-asan configured with gcc, without the fuzz targets, is redone.)
if [[ -f "$build_dir/CMakeCache.txt" ]] && ! grep -q '^TCONV_FUZZ:BOOL=ON' "$build_dir/CMakeCache.txt"; then
  rm -rf "$build_dir"
fi
if [[ ! -f "$build_dir/build.ninja" ]]; then
  launcher=()
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Line tables only (all that ASan's and UBSan's reports use): less to
  # compile and link than full debug info; CI must stay well under 30 min.
  cmake -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG" \
    -DCMAKE_CXX_COMPILER=clang++ -DTCONV_PYTHON=OFF "${launcher[@]}" \
    -DTCONV_ASAN=ON -DTCONV_FUZZ=ON -S . -B "$build_dir"
fi
# (The bench harness is linked into tconv so that `tconv bench`'s argument
# handling runs under the sanitizers too; tconv_bench itself is not built.)
cmake --build "$build_dir" --target tconv tconv_tests tconv_cli_fuzz tconv_diff_fuzz tconv_onnx_fuzz
export OMP_WAIT_POLICY=passive
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
# fontconfig's process-lifetime cache (cairo text in the reports) is not a leak.
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1
# Left out here: Hostile.FileSizeLimit..., which runs the CLI under
# RLIMIT_FSIZE=100 bytes; clang's libomp sizes a shared-memory file at start-up
# and dies on that limit before tconv runs ("OMP: Error #179 ... File too
# large"). The test runs in the gcc build (scripts/test.sh), whose libgomp
# does not.
source scripts/gtest_shards.sh
run_sharded "$build_dir/tconv_tests" \
  --gtest_filter='AlgorithmsSweep.*:AlgorithmsCost.*:*GemmOnePixel*:TapMath.*:PhaseFast*:*PhaseFastIsa*:*KernelList*:Plan.*:Layout.*:*DepthwiseNhwcIsa*:*DepthwiseNchw*:ConvGemm.*:Im2Col.*:Npy.*:AtomicWrite.*:Resample.*:PixelShuffle.*:Checkerboard.*:Png.*:Hostile.*:Signals/KillMidWrite.*:Faults.*:ConcurrentRun.*:Parallel.*:Limits.*:CheckedInt.*:Geometry.*:Cli.*:Inspect.*:InspectCli.*:InspectFuzz.*:*Bf16*:BFloat16Plan.*:*Int8*:LanesTapSets.*:LanesPaddedCopies.*:*PhaseAll*:PixelBlocksInL2.*:Requantize.*:QuantParams.*:NpyInt.*:PlanesToWords.*:WordsToPlanes.*:*LayoutIsa*-Hostile.FileSizeLimitIsAWriteErrorAndLeavesNoTemporary'
BUILD_DIR="$build_dir" FUZZ_SEED="${FUZZ_SEED:-1}" bash scripts/fuzz.sh "${FUZZ_SECONDS:-25}" cli diff onnx
