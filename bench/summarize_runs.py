#!/usr/bin/env python3
"""Medians over repeated `tconv bench` runs (bench/suite.h's table).

    bench/summarize_runs.py run1.txt run2.txt ... [--algo auto]

Per (layer, threads): the median tconv time of the chosen algorithm row, the
median best-peer time (each run's best configuration; the configuration that
won most often is named), the median of the per-run ratios with their range,
and the median roof%. Then, per thread count, the geometric mean of the
median ratios, the minimum and the layers below 1.0x. Prints a Markdown
table.
"""
import argparse
import collections
import math
import statistics


def parse(path, algo):
    """{(layer, thr): (tconv_ms, roof, peer_ms, peer_cfg)} of one run."""
    rows = collections.defaultdict(dict)
    peers = collections.defaultdict(dict)
    for line in open(path):
        f = line.split()
        if len(f) < 8 or line.startswith('#') or f[0] == 'layer' or 'declined' in line or 'WRONG' in line:
            continue
        layer, name, thr, ms, roof = f[0], f[1], int(f[2]), float(f[4]), f[5]
        if f[6] == 'peer':
            peers[(layer, thr)][name] = ms
        elif name == algo:
            rows[(layer, thr)] = (ms, float(roof.rstrip('%')))
    out = {}
    for key, (ms, roof) in rows.items():
        if peers[key]:
            cfg = min(peers[key], key=peers[key].get)
            out[key] = (ms, roof, peers[key][cfg], cfg)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('runs', nargs='+')
    ap.add_argument('--algo', default='auto')
    a = ap.parse_args()
    runs = [parse(p, a.algo) for p in a.runs]
    keys = []
    for r in runs:
        keys += [k for k in r if k not in keys]
    for thr in sorted({k[1] for k in keys}):
        print(f'\n{thr} thread(s), {len(runs)} runs, tconv `{a.algo}`:\n')
        print('| layer | tconv ms | best peer ms | best peer (wins) | ratio median [range] | roof% |')
        print('|---|---:|---:|---|---:|---:|')
        ratios = []
        for key in [k for k in keys if k[1] == thr]:
            got = [r[key] for r in runs if key in r]
            rs = [p / t for t, _, p, _ in got]
            cfgs = collections.Counter(c for *_, c in got)
            cfg, wins = cfgs.most_common(1)[0]
            med = statistics.median(rs)
            ratios.append((med, key[0]))
            print(f'| {key[0]} | {statistics.median(g[0] for g in got):.3f} | '
                  f'{statistics.median(g[2] for g in got):.3f} | {cfg} ({wins}/{len(got)}) | '
                  f'{med:.2f} [{min(rs):.2f}-{max(rs):.2f}] | {statistics.median(g[1] for g in got):.0f}% |')
        gm = math.exp(sum(math.log(r) for r, _ in ratios) / len(ratios))
        low = min(ratios)
        below = ', '.join(f'{n} {r:.2f}x' for r, n in ratios if r < 1.0)
        print(f'\nGeometric mean of the median ratios {gm:.2f}x, minimum {low[0]:.2f}x ({low[1]}), '
              f'below 1.0x: {sum(r < 1.0 for r, _ in ratios)} of {len(ratios)}' + (f' ({below})' if below else ''))


if __name__ == '__main__':
    main()
