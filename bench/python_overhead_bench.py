#!/usr/bin/env python3
"""The cost of calling tconv from Python, against Plan::Run in C++, in one
process on one plan.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead_bench.py [--layers a,b|all] [--rounds 5]
        [--calls 5] [--threads 1]

For each layer of ../shared/bench/layers.json a tconv.torch module with
cache_plan=True makes one plan, and these run on it with the same input (medians of `calls` timed calls per round; the
variants take turns within a round, in a rotating order, so all see the
same machine load):

  C++ Plan::Run      Plan::Run timed in C++ (steady_clock per call, GIL
                     released) by the extension's Plan._time_run
  Plan.run(out=y)    the extension's Plan.run into a preallocated output
  Plan(x)            the same with a new output array (tconv.Plan's
                     __call__ adds one Python call on top)
  torch fwd cached   tconv.torch's module, cache_plan=True, under no_grad
                     (its plan made once; a new output tensor per call)
  torch fwd          tconv.torch's module without the cache: a plan per call
                     (weights packed every call; what training runs)

The table gives the median over rounds of the per-round medians, in ms,
with [min - max] of the round medians for the C++ and cached rows, and
each Python row over C++ (1.00 = no overhead).
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import torch

import tconv
import tconv.torch as tt

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS_JSON = os.path.join(HERE, "..", "..", "shared", "bench", "layers.json")
MODULES = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d, 3: torch.nn.ConvTranspose3d}


def setup(layer, threads):
    rng = np.random.default_rng(0)
    nd = len(layer["in"])
    w = rng.standard_normal([layer["cin"], layer["cout"] // layer["groups"]] + layer["kernel"]).astype(np.float32)
    b = rng.standard_normal(layer["cout"]).astype(np.float32)
    x = rng.standard_normal([layer["n"], layer["cin"]] + layer["in"]).astype(np.float32)
    geo = dict(stride=layer["stride"], padding=layer["pad"], output_padding=layer["output_padding"],
               groups=layer["groups"], dilation=layer["dilation"])
    ref = MODULES[nd](layer["cin"], layer["cout"], layer["kernel"], **geo)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(w))
        ref.bias.copy_(torch.from_numpy(b))
    cached = tt.convert(ref, threads=threads, cache_plan=True)
    ref2 = MODULES[nd](layer["cin"], layer["cout"], layer["kernel"], **geo)
    ref2.load_state_dict(cached.state_dict())
    uncached = tt.convert(ref2, threads=threads)
    xt = torch.from_numpy(x)
    # One plan for every row but the last: the one the cached module made
    # (same packed weights, same workspace pool), run from C++ and Python.
    with torch.no_grad():
        cached(xt)
    plan = cached._plan_cache.value  # the extension's Plan (tconv.Plan wraps it)
    y = np.empty(plan.output_shape, np.float32)

    def timed(fn):
        def run(calls):
            out = []
            for _ in range(calls):
                start = time.perf_counter()
                fn()
                out.append(time.perf_counter() - start)
            return out
        return run

    def torch_fwd(module):
        def fn():
            with torch.no_grad():
                module(xt)
        return fn

    variants = {
        "C++ Plan::Run": lambda calls: plan._time_run(x, y, calls),
        "Plan.run(out=y)": timed(lambda: plan.run(x, out=y)),
        "Plan(x)": timed(lambda: plan.run(x)),
        "torch fwd cached": timed(torch_fwd(cached)),
        "torch fwd": timed(torch_fwd(uncached)),
    }
    # The same numbers from every path (the cached module's bias included).
    want = plan.run(x)
    with torch.no_grad():
        for got in (cached(xt).numpy(), uncached(xt).numpy()):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    return variants


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", default="all", help="comma list of layer names, or 'all'")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(LAYERS_JSON, encoding="utf-8") as f:
        layers = {l["name"]: l for l in json.load(f)["layers"]}
    names = list(layers) if args.layers == "all" else args.layers.split(",")
    print("threads {}, {} rounds x {} calls; median of round medians, ms".format(args.threads, args.rounds,
                                                                                 args.calls))
    print("| layer | C++ Plan::Run [range] | Plan.run(out=y) | Plan(x) | tconv.torch fwd cached [range] "
          "| cached / C++ | tconv.torch fwd (plan per call) | Plan.run(out) - C++ (us) |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        variants = setup(layers[name], args.threads)
        keys = list(variants)
        for k in keys:
            variants[k](2)  # warm-up: allocations, the plan's workspace pool, OpenMP threads
        medians = {k: [] for k in keys}
        for r in range(args.rounds):
            order = keys[r % len(keys):] + keys[:r % len(keys)]
            for k in order:
                medians[k].append(statistics.median(variants[k](args.calls)) * 1e3)
        med = {k: statistics.median(v) for k, v in medians.items()}
        rng = {k: "[{:.3f} - {:.3f}]".format(min(v), max(v)) for k, v in medians.items()}
        c = med["C++ Plan::Run"]
        print("| {} | {:.3f} {} | {:.3f} | {:.3f} | {:.3f} {} | {:.3f} | {:.3f} | {:.1f} |".format(
            name, c, rng["C++ Plan::Run"], med["Plan.run(out=y)"], med["Plan(x)"], med["torch fwd cached"],
            rng["torch fwd cached"], med["torch fwd cached"] / c, med["torch fwd"],
            (med["Plan.run(out=y)"] - c) * 1e3), flush=True)


if __name__ == "__main__":
    main()
