#!/usr/bin/env bash
# Measures phase at 1 thread on the calibration layers at every ISA this
# CPU runs, the runs of the ISAs interleaved (round by round) so that all see
# the same machine load, and fits the phase rate Rp of the cost model per
# ISA (fit_isa_rates.py): src/cost_model.cc keeps the fitted AVX-512
# constants and scales Rp by the ratio measured here.
#
#   bash bench/calibration/measure_isa_rates.sh [build/tconv] [rounds]
#
# Writes bench/calibration/measured_isa_1t.txt (the tconv bench rows with an
# isa column in front) and prints the fit.
set -euo pipefail
cd "$(dirname "$0")/../.."
tconv=${1:-build/tconv}
rounds=${2:-2}
out=bench/calibration/measured_isa_1t.txt
isas=(avx512 avx2 sse4 ssse3 scalar)
: > "$out.tmp"
for ((r = 0; r < rounds; ++r)); do
  for isa in "${isas[@]}"; do
    TCONV_ISA=$isa OPENBLAS_NUM_THREADS=1 "$tconv" bench --layers bench/calibration/layers.json --algo phase \
      --threads 1 --reps 3 --min-batch 0.03 | awk -v isa="$isa" '$2 == "phase" { print isa, $0 }' >> "$out.tmp"
    echo "round $((r + 1))/$rounds: $isa done" >&2
  done
done
mv "$out.tmp" "$out"
"$(command -v /usr/bin/python3 || command -v python3)" bench/calibration/fit_isa_rates.py \
  bench/calibration/layers.json bench/calibration/measured_1t.txt "$out"
