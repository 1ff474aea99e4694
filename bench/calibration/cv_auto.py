#!/usr/bin/env python3
"""Fits `auto`'s cost model (src/cost_model.h) on the broad suite at 1 and 2
threads and reports its held-out accuracy by leave-one-network-out
cross-validation.

    build/bench/tconv_calibrate --rounds 3 > bench/calibration/measured_broad.txt
    /usr/bin/python3 bench/calibration/cv_auto.py bench/layers_broad.json bench/calibration/measured_broad.txt \
        [bench/calibration/layers.json bench/calibration/measured_1t.txt] \
        [--other-day bench/calibration/measured_broad_2026-12-05.txt] [--constants C1,..,C13]

measured_broad.txt: tconv_calibrate's rows (round layer threads algo seconds
gflops auto); the median over rounds is used per (layer, threads, algo).
For each network (the layers of one source network form one group, see
network()), the model is fitted on every other network's layers and
judged on this one's: is its pick (phase or gemm_col2im, the faster
prediction) the measured-fastest of all algorithms, and how much slower
than that is it. The report gives the share of fastest picks, the
geometric-mean loss and the worst pick, held out and in-sample, and the
constants of the fit on every layer (pasted into FittedCostModel() in
src/cost_model.cc). With the two optional files it also judges that fit on
the first calibration's 38 layers (1 thread, a Zen 4, never fitted). The features must match src/cost_model.cc;
tests/cost_model_test.cc checks the C++ picks against the same file.
"""
import json
import math
import statistics
import sys

import numpy as np
from scipy.optimize import least_squares

from fit_cost_model import feats

NAMES = ['Rp', 'hp', 'BW', 'Rg', 'hm', 't0', 'qp', 'qg', 'wq', 'hc', 'Rc', 'hn', 'hk']
START = [5e10, 0.2, 2e10, 4e10, 4.5, 2e-6, 0.9, 0.9, 1e6, 0.5, 1e9, 4.5, 4.5]


ABS_WEIGHT = 0.3
# The strides along x the shifts kernel has (src/kernels/list.inc).
SHIFT_STRIDES = (2, 3, 4, 8)


def network(name):
    """The group a layer is held out with: its source network."""
    prefix = name.split('_')[0]
    return {'seed': 'dcgan', 'fcn32': 'fcn', 'fcn16': 'fcn', 'mnist': 'dcgan', 'dw': 'mobile'}.get(prefix, prefix)


def read_measured(path):
    rows = {}
    for line in open(path):
        f = line.split()
        if len(f) < 5 or f[0] == 'round':
            continue
        rows.setdefault((f[1], int(f[2])), {}).setdefault(f[3], []).append(float(f[4]))
    return {k: {a: statistics.median(v) for a, v in d.items()} for k, d in rows.items()}


def extra(l, f):
    """Features beyond fit_cost_model.feats: x = output channels per group x
    taps per phase (k_sp / s_sp), the uses phase's kernels make of each
    input value they load: with few of both they are load-bound. (Chosen
    among three variants on this data, Cout/g alone and Cout/g * k/s of the
    last axis being the others: the cross-validation does not see that
    choice, so its numbers are a little optimistic.)"""
    f = dict(f)
    f['cog'] = l['cout'] // l['groups']
    f['tx'] = math.prod(l['kernel']) / math.prod(l['stride'])
    # The shifts kernel (ShiftsKernel in src/algo/phase_fast/plan.h) loads
    # each input value once for all column phases of a 1-D layer with one
    # output and more than 4 input channels per group.
    cig = l['cin'] // l['groups']
    if (len(l['in']) == 1 and f['cog'] == 1 and cig > 4 and l['dilation'][0] == 1 and
            l['stride'][0] in SHIFT_STRIDES):
        f['tx'] *= l['stride'][0]
    return f


def predict(f, T, P):
    Rp, hp, BW, Rg, hm, t0, qp, qg, wq, hc, Rc, hn, hk = P
    par = lambda q, work: 1 + (T - 1) * q * work / (work + wq)
    sat = lambda x, h: x / (x + h)
    ch = f['cog'] * f['tx'] / (f['cog'] * f['tx'] + hc)
    tp = f['M'] / (Rp * f['e'] * ch * f['red'] / (f['red'] + hp) * par(qp, f['M'])) + f['byt'] / BW + t0
    tg = f['U'] / (Rg * sat(f['gm'], hm) * sat(f['gn'], hn) * sat(f['gk'], hk) * par(qg, f['U'])) + f['col'] / 4 / Rc + f['byt'] / BW + t0
    return tp, tg


def fit(samples, start=START):
    """samples: (features, threads, {algo: seconds}). Least squares on log time."""
    def resid(logp):
        P = np.exp(logp)
        r = []
        for f, T, m in samples:
            tp, tg = predict(f, T, P)
            # The pick depends on the ratio of the two times, and the ratio
            # of two runs taken in the same minute is what machine load
            # disturbs least: it leads; absolute times anchor the scale.
            r.append(math.log(tp / tg) - math.log(m['phase'] / m['gemm_col2im']))
            r.append(ABS_WEIGHT * math.log(tp / m['phase']))
            r.append(ABS_WEIGHT * math.log(tg / m['gemm_col2im']))
        return r
    # soft_l1: a robust loss. On a shared machine a few runs are off by 10x
    # (OpenBLAS's two threads against a full run queue); they must not pull
    # the constants. Bounds keep each constant in a physical range.
    lo = np.log([1e9, 1e-3, 1e9, 1e9, 1e-2, 1e-7, 1e-3, 1e-3, 1e3, 1e-3, 1e6, 1e-2, 1e-2])
    hi = np.log([1e12, 1e3, 1e12, 1e12, 1e4, 1e-3, 1.0, 1.0, 1e10, 1e2, 1e12, 1e4, 1e4])
    sol = least_squares(resid, np.clip(np.log(start), lo, hi), method='trf', bounds=(lo, hi), loss='soft_l1',
                        f_scale=0.3)
    return list(np.exp(sol.x)), math.sqrt(float(np.mean(np.square(sol.fun))))


def judge(samples, P):
    """[(layer, threads, pick, loss)]: loss = pick's time / the fastest measured."""
    out = []
    for name, f, T, m in samples:
        tp, tg = predict(f, T, P)
        pick = 'phase' if tp <= tg else 'gemm_col2im'
        out.append((name, T, pick, m[pick] / min(m.values())))
    return out


def summary(judged, label):
    losses = [j[3] for j in judged]
    share = sum(1 for x in losses if x <= 1.0 + 1e-9) / len(losses)
    gm = math.exp(sum(math.log(x) for x in losses) / len(losses))
    worst = max(judged, key=lambda j: j[3])
    print('%-28s %3d picks: fastest %5.1f %%, geomean loss %5.2f %%, worst %.2fx (%s, %d thread)' %
          (label, len(losses), 100 * share, 100 * (gm - 1), worst[3], worst[0], worst[1]))


def samples_of(layers, path):
    """(name, features, threads, medians) of a tconv_calibrate file."""
    S = []
    for (name, T), m in sorted(read_measured(path).items()):
        # One-pixel inputs are routed by a rule, not the model (src/select.cc),
        # and their gemm_col2im times here predate that route.
        one_pixel = name in layers and all(v == 1 for v in layers[name]['in'])
        if name in layers and 'phase' in m and 'gemm_col2im' in m and not one_pixel:
            S.append((name, extra(layers[name], feats(layers[name])), T, m))
    return S


def take_option(name):
    """Removes `name VALUE` pairs from sys.argv; returns the values."""
    values = []
    while name in sys.argv:
        i = sys.argv.index(name)
        values.append(sys.argv[i + 1])
        del sys.argv[i:i + 2]
    return values


def main():
    # --other-day FILE: another tconv_calibrate run of the same suite (another
    # day, load or CPU), never fitted: the final fit is judged on it.
    # --constants C1,..,C13: also judge these constants (e.g. the fit in use)
    # on the fitted file and on the other days.
    other_days = take_option('--other-day')
    given = [[float(v) for v in c.split(',')] for c in take_option('--constants')]
    layers = {l['name']: l for l in json.load(open(sys.argv[1]))['layers']}
    meas = read_measured(sys.argv[2])
    S = samples_of(layers, sys.argv[2])
    print('samples: %d (layer, threads) from %d layers' % (len(S), len({s[0] for s in S})))
    # What ran as `auto` when measured (the column of tconv_calibrate).
    today = []
    for line in open(sys.argv[2]):
        f = line.split()
        if len(f) >= 7 and f[0] == '0' and f[3] == f[6]:
            m = meas[(f[1], int(f[2]))]
            today.append((f[1], int(f[2]), f[6], m[f[6]] / min(m.values())))
    if today:
        summary(today, 'auto as measured')
    groups = sorted({network(s[0]) for s in S})
    held = []
    for gname in groups:
        train = [(f, T, m) for n, f, T, m in S if network(n) != gname]
        P, _ = fit(train)
        held += judge([s for s in S if network(s[0]) == gname], P)
    summary(held, 'held out (%d networks)' % len(groups))
    P, rms = fit([(f, T, m) for _, f, T, m in S])
    insample = judge(S, P)
    summary(insample, 'in-sample')
    print('rms log error %.3f' % rms)
    print('constants: ' + ', '.join('%s=%.4g' % (n, v) for n, v in zip(NAMES, P)))
    print('C++: {' + ', '.join('%.4g' % v for v in P) + '}')
    if len(sys.argv) > 4:  # the first calibration: other layers, another CPU (Zen 4), never fitted
        from fit_cost_model import read_measured as read_bench
        old = {l['name']: l for l in json.load(open(sys.argv[3]))['layers']}
        om = read_bench(sys.argv[4])
        judged = []
        for name, g in om.items():
            m = {a: 1.0 / g[a] for a in ('phase', 'gemm_col2im')}  # seconds up to the layer's flops
            judged += judge([(name, extra(old[name], feats(old[name])), 1, m)], P)
        summary(judged, 'first calibration (Zen 4)')
    for path in other_days:
        summary(judge(samples_of(layers, path), P), 'other day: %s' % path.split('/')[-1])
    for c in given:
        summary(judge(S, c), 'given constants, this file')
        for path in other_days:
            summary(judge(samples_of(layers, path), c), 'given constants: %s' % path.split('/')[-1])
    print('\nheld-out misses (layer, threads, pick, loss):')
    for j in sorted(held, key=lambda j: -j[3]):
        if j[3] > 1.0 + 1e-9:
            print('  %-18s %d %-12s %.3f' % j)


if __name__ == '__main__':
    main()
