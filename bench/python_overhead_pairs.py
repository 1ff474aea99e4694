#!/usr/bin/env python3
"""Paired attribution of tconv.torch's per-call overhead on one layer: every
timed call right after one C++ Plan::Run (Plan._time_run) on the same plan,
so each call starts as a module call in a model does, after a kernel has
filled the caches; the median (and quartiles) of the differences.

    TCONV_SHARED_DIR=/work/shared PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead_pairs.py \\
        dcgan_g5 [--pairs 1500]

Rows: run_at (the extension's Plan._run_at, a new numpy output), the same
wrapped by torch.from_numpy, the C++ entry called directly
(tconv._tconv_torch.FastEntry), the module call taking its fast path (the
C++ entry from __call__ where built), and the module with the C++ entry off
(nn.Module.__call__, forward, the Python fast path).
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch

import python_overhead_bench as bench


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("layer")
    ap.add_argument("--pairs", type=int, default=1500)
    ap.add_argument("--layers-json", default=bench.LAYERS_JSON)
    args = ap.parse_args()
    torch.set_num_threads(1)
    with open(args.layers_json, encoding="utf-8") as f:
        layer = {l["name"]: l for l in json.load(f)["layers"]}[args.layer]
    x = np.random.default_rng(1).standard_normal([layer["n"], layer["cin"]] + layer["in"]).astype(np.float32)
    xt = torch.from_numpy(x)
    module, _ = bench.modules(layer, 1)
    clock = time.perf_counter
    with torch.no_grad():
        module(xt)
        cache = module._plan_cache
        plan, native = cache.value, cache.native
        y = np.empty(plan.output_shape, np.float32)

        def timed(fn, use_native=True):
            def call():
                cache.use_native = use_native
                start = clock()
                fn()
                return clock() - start
            return call
        variants = {"run_at": timed(lambda: plan._run_at(xt.data_ptr())),
                    "run_at + from_numpy": timed(lambda: torch.from_numpy(plan._run_at(xt.data_ptr()))),
                    "module, fast path": timed(lambda: module(xt)),
                    "module, C++ entry off": timed(lambda: module(xt), False)}
        if native is not None:
            variants["C++ entry directly"] = timed(lambda: native(module, xt))
        keys = list(variants)
        diffs = {k: [] for k in keys}
        for i in range(args.pairs):
            s = i % len(keys)
            for k in keys[s:] + keys[:s]:
                cpp = plan._time_run(x, y, 1)[0]
                diffs[k].append(variants[k]() - cpp)
    print("{}: {} pairs; us over Plan::Run, median [q25 - q75]".format(args.layer, args.pairs))
    for k in keys:
        v = sorted(d * 1e6 for d in diffs[k])
        print("  {:24s} {:+7.1f} [{:+.1f} - {:+.1f}]".format(k, statistics.median(v), v[len(v) // 4],
                                                          v[3 * len(v) // 4]))


if __name__ == "__main__":
    main()
