#!/usr/bin/env bash
# Builds the .npy parser fuzz target with clang (libFuzzer + ASan + UBSan),
# seeds a corpus with valid and invalid .npy files and fuzzes for a while.
#
#   tests/fuzz/run_npy_fuzz.sh SOURCE_DIR WORK_DIR [SECONDS]
#
# Fails (no silent skip) when clang++ or its fuzzer runtime is missing:
# scripts/setup.sh installs clang and libclang-rt-14-dev.
set -euo pipefail

src=${1:?usage: run_npy_fuzz.sh SOURCE_DIR WORK_DIR [SECONDS]}
work=${2:?usage: run_npy_fuzz.sh SOURCE_DIR WORK_DIR [SECONDS]}
seconds=${3:-20}

cxx=${CLANGXX:-}
if [[ -z "$cxx" ]]; then
  for c in clang++ clang++-16 clang++-15 clang++-14; do
    if command -v "$c" >/dev/null 2>&1; then cxx=$c; break; fi
  done
fi
if [[ -z "$cxx" ]]; then
  echo "npy_fuzz: FAIL: clang++ not found (run scripts/setup.sh, which installs clang libclang-rt-14-dev)" >&2
  exit 1
fi

mkdir -p "$work"
bin="$work/npy_fuzz"
echo "npy_fuzz: building with $cxx"
"$cxx" -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$src/include" -I"$src" \
  "$src/tests/fuzz/npy_fuzz.cc" "$src/src/io/npy.cc" "$src/src/io/npy_int.cc" "$src/src/io/atomic_write.cc" "$src/src/limits.cc" \
  "$src/src/tensor.cc" -o "$bin"

corpus="$work/corpus"
rm -rf "$corpus"
mkdir -p "$corpus"
# Seeds: every .npy in the shared conformance data (if present), plus
# hand-made valid and invalid ones.
shared="${TCONV_SHARED_DIR:-$src/../shared}"
if [[ -d "$shared/conformance" ]]; then
  n=0
  while IFS= read -r -d '' f; do
    cp "$f" "$corpus/shared_$n.npy"
    n=$((n + 1))
  done < <(find "$shared/conformance" -name '*.npy' -print0 | head -z -n 40)
fi
seed() {  # seed NAME MAJOR DICT DATA_BYTES
  python_free_header "$@" > "$corpus/$1"
}
python_free_header() {
  local name=$1 major=$2 dict=$3 nbytes=$4
  local pre=10
  [[ $major != 1 ]] && pre=12
  local len=$(( ${#dict} + 1 ))
  local total=$(( pre + len ))
  local pad=$(( (64 - total % 64) % 64 ))
  local hl=$(( len + pad ))
  printf '\x93NUMPY'
  printf "\\x$(printf %02x "$major")\\x00"
  printf "\\x$(printf %02x $((hl & 255)))\\x$(printf %02x $((hl >> 8)))"
  [[ $major != 1 ]] && printf '\x00\x00'
  printf '%s' "$dict"
  printf '%*s' "$pad" ''
  printf '\n'
  head -c "$nbytes" /dev/zero
}
seed v1_f4 1 "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" 24
seed v2_f8 2 "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }" 24
seed v3_be 3 "{'descr': '>f4', 'fortran_order': False, 'shape': (), }" 4
seed fortran 1 "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }" 16
seed int32 1 "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }" 4
seed int32_be 1 "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }" 8
seed int8 1 "{'descr': '|i1', 'fortran_order': False, 'shape': (3, 1), }" 3
seed uint8 1 "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }" 4
seed neg 1 "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }" 0
seed big 1 "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }" 0
seed short 1 "{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }" 5
printf 'not a numpy file' > "$corpus/bad_magic"

echo "npy_fuzz: fuzzing for ${seconds}s with $(ls "$corpus" | wc -l) seeds"
cd "$work"
"$bin" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -print_final_stats=1 "$corpus"
echo "npy_fuzz: OK"
