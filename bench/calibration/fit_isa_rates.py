#!/usr/bin/env python3
"""Per-ISA phase rate of tconv's cost model (src/cost_model.cc).

    python3 bench/calibration/fit_isa_rates.py layers.json measured_1t.txt measured_isa_1t.txt

measured_isa_1t.txt holds `tconv bench` phase rows at 1 thread with the ISA
in front (measure_isa_rates.sh writes it, the ISAs' runs interleaved). For
each ISA this fits the one constant that depends on the SIMD width, the
phase rate Rp, by least squares on log time with the other five constants
held at the AVX-512 fit (FittedCostModel in src/cost_model.cc), from the
median GFLOP/s of each layer. The rate used for an ISA is the AVX-512 Rp
times the ratio of the two rates fitted here: the ratio comes from runs
taken in the same minutes, so machine load cancels out of it.
"""
import math
import statistics
import sys

from fit_cost_model import feats, tp
import json

# FittedCostModel(): Rp, hp, BW, Rg, hg, t0.
BASE = [4.96e10, 0.171, 1.88e10, 3.68e10, 4.53, 2.3e-6]


def fit_rp(F, gflops):
    def loss(log_rp):
        P = [math.exp(log_rp)] + BASE[1:]
        return sum(math.log(tp(F[n], P) / (F[n]['flops'] / (g * 1e9))) ** 2 for n, g in gflops.items())
    lo, hi = math.log(1e8), math.log(1e12)
    for _ in range(200):  # golden-section search on log Rp
        a, b = lo + (hi - lo) * 0.382, lo + (hi - lo) * 0.618
        if loss(a) < loss(b):
            hi = b
        else:
            lo = a
    best = (lo + hi) / 2
    return math.exp(best), math.sqrt(loss(best) / len(gflops))


def main():
    layers = json.load(open(sys.argv[1]))['layers']
    rows = {}
    for line in open(sys.argv[3]):
        f = line.split()
        if len(f) < 5 or f[2] != 'phase':
            continue
        rows.setdefault(f[0], {}).setdefault(f[1], []).append(float(f[4]))
    F = {l['name']: feats(l) for l in layers}
    fitted = {}
    for isa, per_layer in rows.items():
        med = {n: statistics.median(v) for n, v in per_layer.items() if n in F}
        fitted[isa] = fit_rp(F, med)
    ref = fitted['avx512'][0]
    print('%-8s %12s %10s %14s %8s' % ('isa', 'Rp fitted', 'vs avx512', 'Rp for model', 'rms log'))
    for isa, (rp, rms) in sorted(fitted.items(), key=lambda kv: -kv[1][0]):
        print('%-8s %12.3g %10.3f %14.3g %8.2f' % (isa, rp, rp / ref, BASE[0] * rp / ref, rms))


if __name__ == '__main__':
    main()
