#!/usr/bin/env python3
"""The cost of calling tconv from Python, against Plan::Run in C++, in one
process on one plan.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead_bench.py [--layers a,b|all] [--rounds 7]
        [--calls 9] [--threads 1] [--variants cpp,fast,...]

For each layer of ../shared/bench/layers.json a tconv.torch module with
cache_plan=True makes one plan, and these run on it with the same input:

  cpp       Plan::Run timed in C++ (steady_clock around the call, GIL
            released) by the extension's Plan._time_run, into a reused y
  out       the extension's Plan.run into a preallocated output
  new       the same with a new output array
  fast      tconv.torch's module, cache_plan=True: its inference fast path
            (the plan run on the tensor's memory, output from the plan's
            pool of freed outputs; a new tensor per call): the module's
            __call__ makes one C++ call (tconv._tconv_torch.FastEntry)
            where the build has that extension, else as pyfast
  pyfast    the same with the C++ entry off (_plan_cache.use_native =
            False): nn.Module.__call__, forward, and the fast path's checks
            in Python (the fast path before the C++ entry)
  general   the same module with its fast path off (_plan_cache.use_fast =
            False): the general path every call, as before the fast path
            (checks, cache key, torch's _output_padding, a new output)
  uncached  tconv.torch's module without the cache: a plan per call
            (weights packed every call; what training runs)

Everything runs under torch.no_grad() (entered once, outside the timing).
A round makes `calls` calls of every variant, interleaved call by call in a
rotating order, so neighbouring calls of different variants see the same
machine load and each call follows another variant's (as a layer in a model
follows other layers). Per round: each variant's median call; its ratio to
cpp's median of the same round. The table gives, over rounds, the median of
the round medians (ms) with [min - max], and the median ratio to cpp with
[min - max] of the round ratios.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import torch

import tconv.torch as tt

HERE = os.path.dirname(os.path.abspath(__file__))
# ../shared beside the repository (/work/main); a worktree elsewhere passes
# --layers-json (or sets TCONV_SHARED_DIR, as the build's -DTCONV_SHARED_DIR).
LAYERS_JSON = os.path.join(os.environ.get("TCONV_SHARED_DIR", os.path.join(HERE, "..", "..", "shared")), "bench",
                           "layers.json")
MODULES = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d, 3: torch.nn.ConvTranspose3d}
ALL_VARIANTS = ("cpp", "out", "new", "fast", "pyfast", "general", "uncached")


def modules(layer, threads):
    """(cached, uncached) tconv.torch modules with the same weights."""
    rng = np.random.default_rng(0)
    nd = len(layer["in"])
    w = rng.standard_normal([layer["cin"], layer["cout"] // layer["groups"]] + layer["kernel"]).astype(np.float32)
    b = rng.standard_normal(layer["cout"]).astype(np.float32)
    geo = dict(stride=layer["stride"], padding=layer["pad"], output_padding=layer["output_padding"],
               groups=layer["groups"], dilation=layer["dilation"])
    ref = MODULES[nd](layer["cin"], layer["cout"], layer["kernel"], **geo)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(w))
        ref.bias.copy_(torch.from_numpy(b))
    cached = tt.convert(ref, threads=threads, cache_plan=True)
    ref2 = MODULES[nd](layer["cin"], layer["cout"], layer["kernel"], **geo)
    ref2.load_state_dict(cached.state_dict())
    return cached, tt.convert(ref2, threads=threads)


def setup(layer, threads, names):
    """{variant: call()} where call() runs once and returns its seconds."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal([layer["n"], layer["cin"]] + layer["in"]).astype(np.float32)
    xt = torch.from_numpy(x)
    cached, uncached = modules(layer, threads)
    cached(xt)  # makes the plan (and the fast path's entry)
    cache = cached._plan_cache
    plan = cache.value  # the extension's Plan: every row but uncached runs this one
    assert cache.fast is not None and cache.fast[1] is plan, "the fast path did not engage"
    assert (cache.native is not None) == (tt._tconv_torch is not None), "the C++ entry did not engage"
    y = np.empty(plan.output_shape, np.float32)
    clock = time.perf_counter

    def timed(fn, before=None):
        def call():
            if before is not None:
                before()
            start = clock()
            fn()
            return clock() - start
        return call

    def use_fast(on, native=True):
        def switch():
            cache.use_fast, cache.use_native = on, native
        return switch

    variants = {
        "cpp": lambda: plan._time_run(x, y, 1)[0],
        "out": timed(lambda: plan.run(x, out=y)),
        "new": timed(lambda: plan.run(x)),
        "fast": timed(lambda: cached(xt), use_fast(True)),
        "pyfast": timed(lambda: cached(xt), use_fast(True, False)),
        "general": timed(lambda: cached(xt), use_fast(False)),
        "uncached": timed(lambda: uncached(xt)),
    }
    # The same numbers from every path (the cached module's bias included).
    want = plan.run(x)
    for got in (cached(xt).numpy(), uncached(xt).numpy()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    for switch in (use_fast(True, False), use_fast(False)):
        switch()
        np.testing.assert_allclose(cached(xt).numpy(), want, rtol=1e-5, atol=1e-4)
    use_fast(True)()
    return {k: variants[k] for k in names}


def measure(variants, rounds, calls):
    """{variant: [round medians, s]}, {variant: [round ratios to cpp]}."""
    keys = list(variants)
    for k in keys:
        for _ in range(2):  # warm-up: allocations, the output pool, the plan's workspace
            variants[k]()
    medians = {k: [] for k in keys}
    ratios = {k: [] for k in keys}
    for r in range(rounds):
        times = {k: [] for k in keys}
        for c in range(calls):
            s = (r * calls + c) % len(keys)
            for k in keys[s:] + keys[:s]:
                times[k].append(variants[k]())
        for k in keys:
            medians[k].append(statistics.median(times[k]))
            if "cpp" in times:
                ratios[k].append(medians[k][-1] / medians["cpp"][-1])
    return medians, ratios


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", default="all", help="comma list of layer names, or 'all'")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=9)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--layers-json", default=LAYERS_JSON, help="the suite's layers (default: %(default)s)")
    ap.add_argument("--variants", default=",".join(ALL_VARIANTS), help="comma list of " + ", ".join(ALL_VARIANTS))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    names = args.variants.split(",")
    with open(args.layers_json, encoding="utf-8") as f:
        layers = {l["name"]: l for l in json.load(f)["layers"]}
    todo = list(layers) if args.layers == "all" else args.layers.split(",")
    print("threads {}, {} rounds x {} calls, interleaved; ms: median of round medians [min - max]; "
          "x cpp: median of round ratios [min - max]".format(args.threads, args.rounds, args.calls))
    print("| layer | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    with torch.no_grad():
        for name in todo:
            medians, ratios = measure(setup(layers[name], args.threads, names), args.rounds, args.calls)
            cells = []
            for k in names:
                m = [v * 1e3 for v in medians[k]]
                cell = "{:.3f} [{:.3f} - {:.3f}]".format(statistics.median(m), min(m), max(m))
                if k != "cpp" and ratios[k]:
                    cell += " x{:.3f} [{:.2f} - {:.2f}]".format(statistics.median(ratios[k]), min(ratios[k]),
                                                               max(ratios[k]))
                cells.append(cell)
            print("| {} | {} |".format(name, " | ".join(cells)), flush=True)


if __name__ == "__main__":
    main()
