#!/usr/bin/env python3
"""tconv.torch against torch's own modules on layers of the suite.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_torch_bench.py [--layers a,b] [--runs 7] [--threads N]

For each layer (../shared/bench/layers.json; by default a few small ones)
times forward and forward+backward (input, weight and bias gradients) of
torch.nn.ConvTranspose*d and of tconv.torch's module with the same weights,
alternating the two every run so both see the same machine load, and prints
the median milliseconds of each with its [min-max] over the runs, and
torch/tconv of the medians (above 1: tconv faster). The order rotates
from run to run.
Forward is also timed with cache_plan=True (the plan, with its packed
weights, made once: inference), in the last column.
Both use the same thread count (torch.set_num_threads). On a shared
machine the numbers are indicative only.
"""
import argparse
import copy
import json
import os
import statistics
import time

import torch

import tconv.torch as tt

DEFAULT_LAYERS = "dcgan_g3,dcgan_g4,seed_k3s2,dw_k4s2,wavegan_up"
HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS_JSON = os.path.join(HERE, "..", "..", "shared", "bench", "layers.json")
MODULES = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d, 3: torch.nn.ConvTranspose3d}


def make(layer):
    nd = len(layer["in"])
    ref = MODULES[nd](layer["cin"], layer["cout"], layer["kernel"], stride=layer["stride"], padding=layer["pad"],
                      output_padding=layer["output_padding"], groups=layer["groups"], dilation=layer["dilation"])
    mine = tt.convert(MODULES[nd](layer["cin"], layer["cout"], layer["kernel"], stride=layer["stride"],
                                  padding=layer["pad"], output_padding=layer["output_padding"],
                                  groups=layer["groups"], dilation=layer["dilation"]))
    mine.load_state_dict(ref.state_dict())
    cached = tt.convert(copy.deepcopy(mine), cache_plan=True)
    x = torch.randn([layer["n"], layer["cin"]] + layer["in"])
    return ref, mine, cached, x


def once(module, x, backward):
    start = time.perf_counter()
    if backward:
        xi = x.detach().requires_grad_(True)
        module.zero_grad(set_to_none=True)
        module(xi).sum().backward()
    else:
        with torch.no_grad():
            module(x)
    return (time.perf_counter() - start) * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", default=DEFAULT_LAYERS, help="comma list of layer names, or 'all'")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--threads", type=int, default=None, help="default: torch.get_num_threads()")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with open(LAYERS_JSON, encoding="utf-8") as f:
        layers = {l["name"]: l for l in json.load(f)["layers"]}
    names = list(layers) if args.layers == "all" else args.layers.split(",")
    print("threads {}, {} runs, median ms".format(torch.get_num_threads(), args.runs))
    print("| layer | pass | torch [range] | tconv.torch [range] | torch/tconv | tconv.torch cache_plan |")
    print("|---|---|---|---|---|---|")
    for name in names:
        ref, mine, cached, x = make(layers[name])
        for backward in (False, True):
            mods = (ref, mine) if backward else (ref, mine, cached)
            for m in mods:
                once(m, x, backward)  # warm-up (allocations, OpenBLAS threads, the cached plan)
            times = [[] for _ in mods]
            for r in range(args.runs):
                # Rotating order: neither module always runs first (after the other's cache traffic).
                for i in range(len(mods)):
                    j = (i + r) % len(mods)
                    times[j].append(once(mods[j], x, backward))
            med = [statistics.median(t) for t in times]
            span = ["[{:.2f}-{:.2f}]".format(min(t), max(t)) for t in times]
            print("| {} | {} | {:.2f} {} | {:.2f} {} | {:.2f} | {} |".format(
                name, "fwd+bwd" if backward else "fwd", med[0], span[0], med[1], span[1], med[0] / med[1],
                "{:.2f}".format(med[2]) if not backward else ""), flush=True)


if __name__ == "__main__":
    main()
