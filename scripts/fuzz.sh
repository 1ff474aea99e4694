#!/usr/bin/env bash
# Runs tconv's fuzzers, each for SECONDS, from its checked-in corpus:
#   cli   tests/fuzz/cli_fuzz.cc   the command line (parsing, validation, explain)
#   diff  tests/fuzz/diff_fuzz.cc  every algorithm, layout, thread count and ISA vs ref,
#                                  non-finite values included
#   npy   tests/fuzz/npy_fuzz.cc   the .npy parser (tests/fuzz/run_npy_fuzz.sh)
#   onnx  tests/fuzz/onnx_fuzz.cc  the ONNX loader and tconv inspect's analysis
#                                  (corpus: tests/fuzz/make_onnx_corpus.py)
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     # default: 600 s each, all three
#   scripts/fuzz.sh 3600 diff                 # a longer run is one command
#
# cli, diff and onnx come from the clang ASan + UBSan + libFuzzer build (BUILD_DIR,
# default build-asan; configured as scripts/test_asan.sh does if missing).
# Inputs that add coverage go to BUILD_DIR/fuzz/TARGET/, never into the
# checked-in corpus; FUZZ_MERGE=1 merges them into tests/fuzz/corpus/TARGET/
# afterwards (minimised with -merge=1), to be reviewed and committed. A
# finding (crash, sanitizer report, contract break, a result unlike ref, an
# input slower than 10 s) stops the run with a non-zero status and leaves the
# reproducer (crash-*, timeout-*) in BUILD_DIR/fuzz/.
# FUZZ_SEED picks libFuzzer's seed (default 0: a new one each run, for
# exploring); scripts/test_asan.sh, which CI runs, fixes it, so that a fresh
# CI run mutates the same way each time (how far it gets in SECONDS depends
# on the machine) instead of drawing new inputs on every submission.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(cli diff onnx npy)
build_dir=$(realpath -m "${BUILD_DIR:-build-asan}")
root=$(pwd)

needs_build=0
for t in "${targets[@]}"; do [[ $t == cli || $t == diff || $t == onnx ]] && needs_build=1; done
if [[ $needs_build == 1 && ! -x "$build_dir/tests/fuzz/tconv_diff_fuzz" ]]; then
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    cmake -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DTCONV_PYTHON=OFF \
      -DTCONV_ASAN=ON -DTCONV_FUZZ=ON -S . -B "$build_dir"
  fi
  cmake --build "$build_dir" --target tconv_cli_fuzz tconv_diff_fuzz
fi
if [[ " ${targets[*]} " == *" onnx "* && ! -x "$build_dir/tests/fuzz/tconv_onnx_fuzz" ]]; then
  cmake --build "$build_dir" --target tconv_onnx_fuzz
fi

export OMP_WAIT_POLICY=passive ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
for t in "${targets[@]}"; do
  case "$t" in
    cli | diff | onnx)
      work="$build_dir/fuzz/$t"
      mkdir -p "$work/new"
      echo "fuzz.sh: $t for ${seconds}s from tests/fuzz/corpus/$t ($(ls tests/fuzz/corpus/$t | wc -l) inputs)"
      (cd "$work" && "$build_dir/tests/fuzz/tconv_${t}_fuzz" -max_total_time="$seconds" -seed="${FUZZ_SEED:-0}" -timeout=10 \
        -rss_limit_mb=4096 -max_len=512 -print_final_stats=1 new "$root/tests/fuzz/corpus/$t")
      if [[ "${FUZZ_MERGE:-0}" == 1 ]]; then
        "$build_dir/tests/fuzz/tconv_${t}_fuzz" -merge=1 "tests/fuzz/corpus/$t" "$work/new"
      fi
      echo "fuzz.sh: $t: OK, no findings"
      ;;
    npy)
      bash tests/fuzz/run_npy_fuzz.sh . "$build_dir/fuzz/npy" "$seconds"
      ;;
    *)
      echo "fuzz.sh: unknown target '$t' (cli, diff, onnx, npy)" >&2
      exit 2
      ;;
  esac
done
