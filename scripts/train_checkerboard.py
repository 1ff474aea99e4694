#!/usr/bin/env python3
"""The article's checkerboard claim on trained weights (docs/CHECKERBOARD.md,
"Trained weights"): trains the four x4 upsamplers of
python/checkerboard_training/ and writes DIR/report.md, DIR/results.json
and four pictures.

    /usr/bin/python3 scripts/train_checkerboard.py --out DIR [--seed S] [--steps N] [--threads T]

Needs Debian's python3-torch, python3-numpy and python3-matplotlib. Seeded
and deterministic: the same arguments give the same numbers.
"""
import argparse
import os
import sys
import time

# Idle OpenMP threads wait passively: spinning ones slowed training several
# times over on a shared 2-core machine. Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

from checkerboard_training import report, train  # noqa: E402


def main(argv=None):
    defaults = train.Config()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="folder for report.md, results.json and the PNGs (created)")
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--steps", type=int, default=defaults.steps)
    p.add_argument("--threads", type=int, default=defaults.threads)
    p.add_argument("--fast", action="store_true", help="the test-suite size: tiny images, a few steps")
    a = p.parse_args(argv)
    if a.steps < 1 or a.threads < 1:
        p.error("--steps and --threads must be at least 1")
    cfg = train.Config(seed=a.seed, steps=a.steps, threads=a.threads)
    if a.fast:
        cfg = cfg.fast()
    start = time.perf_counter()
    result = train.run(cfg)
    command = "python3 scripts/train_checkerboard.py --out DIR" + "".join(
        " --{} {}".format(k, getattr(a, k)) for k in ("seed", "steps", "threads")
        if getattr(a, k) != getattr(defaults, k)) + (" --fast" if a.fast else "")
    summ = report.write(result, a.out, command)
    print("wrote {}/report.md in {:.1f} s".format(a.out, time.perf_counter() - start))
    for v, r in summ["variants"].items():
        print("  {:14s} grid {:8s} output phase-mean spread {:.4g} -> {:.4g}".format(
            v, r["verdict"], r["init"]["output_phase_mean_spread"], r["trained"]["output_phase_mean_spread"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
