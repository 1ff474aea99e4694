#!/usr/bin/env python3
"""Before/after benchmark of two tconv builds on the layer suite, in one command.

    python3 bench/compare_builds.py --old OLD/tconv --new build/tconv [--runs 5]

Runs `tconv bench --algo phase` with each binary in turn, alternating old and
new, `--runs` times, so both see the same load on a shared machine. Prints a
Markdown table per thread count: the median GFLOP/s of each build with its
range, and new/old (ratio of the medians). oneDNN runs in the same processes;
its medians per build are printed too, as a control for drift in the machine
(they should agree between the two columns).

Standard library only; any python3 works. Timings on a busy machine are
indicative only: re-run on a quiet one for numbers to keep (bench/RESULTS.md).

    --save DIR   also writes each run's raw `tconv bench` output to DIR
    --from DIR   no runs: tabulates DIR's run_<n>_<old|new>.txt files (saved
                 here, or written elsewhere by the same bench command)
"""
import glob
import os
import argparse
import math
import statistics
import subprocess
import sys


def run_suite(binary, threads, reps, min_batch, layers):
    """The raw output of one suite run."""
    cmd = [binary, "bench", "--algo", "phase", "--threads", threads, "--reps", str(reps), "--min-batch", str(min_batch)]
    if layers:
        cmd += ["--layers", layers]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def parse_suite(out):
    """{(layer, threads): (tconv GFLOP/s, peer GFLOP/s, impl)} of one run's output.

    Two table formats: the older one (GFLOP/s, oneDNN-blocked GFLOP/s, ratio,
    oneDNN-plain, impl) and bench/suite.h's (GFLOP/s, ms, roof%, vs_peer,
    best_peer, impl), whose peer figure is the best peer's GFLOP/s
    (tconv GFLOP/s / vs_peer).
    """
    rows = {}
    new_format = "vs_peer" in out
    for line in out.splitlines():
        f = line.split()
        if len(f) < 8 or f[0] == "layer" or line.startswith("#") or f[1] != "phase" or f[3] == "-":
            continue
        if new_format:
            ratio = float(f[6].rstrip("x")) if f[6] != "peer" else 0.0
            peer = float(f[3]) / ratio if ratio > 0 else 0.0
            rows[(f[0], int(f[2]))] = (float(f[3]), peer, " ".join(f[8:]))
        else:
            rows[(f[0], int(f[2]))] = (float(f[3]), float(f[4]), " ".join(f[7:]))
    return rows


def describe(values):
    med = statistics.median(values)
    return med, "%.1f [%.1f-%.1f]" % (med, min(values), max(values))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", help="the tconv binary before the change")
    ap.add_argument("--new", help="the tconv binary after the change")
    ap.add_argument("--save", default="", help="write each run's raw output to this folder")
    ap.add_argument("--from", dest="from_dir", default="", help="tabulate saved runs instead of running")
    ap.add_argument("--runs", type=int, default=5, help="suite runs per build (alternated)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=3, help="timed batches per row (the fastest counts)")
    ap.add_argument("--min-batch", type=float, default=0.05, help="seconds per timed batch")
    ap.add_argument("--layers", default="", help="layers.json (default: the suite's)")
    args = ap.parse_args()

    results = {"old": [], "new": []}
    if args.from_dir:
        for name in ("old", "new"):
            for path in sorted(glob.glob(os.path.join(args.from_dir, "run_*_%s.txt" % name))):
                results[name].append(parse_suite(open(path).read()))
        args.runs = len(results["old"])
    else:
        if not args.old or not args.new:
            ap.error("--old and --new are required unless --from is given")
        for r in range(args.runs):
            for name in ("old", "new") if r % 2 == 0 else ("new", "old"):
                out = run_suite(getattr(args, name), args.threads, args.reps, args.min_batch, args.layers)
                if args.save:
                    os.makedirs(args.save, exist_ok=True)
                    with open(os.path.join(args.save, "run_%d_%s.txt" % (r + 1, name)), "w") as f:
                        f.write(out)
                results[name].append(parse_suite(out))
                print("run %d/%d: %s done" % (r + 1, args.runs, name), file=sys.stderr)

    keys = sorted(set(results["old"][0]) & set(results["new"][0]), key=lambda k: (k[1], k[0]))
    for threads in sorted({k[1] for k in keys}):
        print("\n%d thread%s, %d runs each, alternated; GFLOP/s median [range]\n" % (threads, "s" if threads > 1 else "", args.runs))
        print("| layer | old | new | new/old | oneDNN in old runs | oneDNN in new runs | new kernel |")
        print("|---|---:|---:|---:|---:|---:|---|")
        ratios = []
        for key in [k for k in keys if k[1] == threads]:
            cells = {}
            for name in ("old", "new"):
                cells[name] = describe([run[key][0] for run in results[name] if key in run])
                cells[name + "_dnnl"] = describe([run[key][1] for run in results[name] if key in run])
            impl = results["new"][-1][key][2]
            ratios.append(cells["new"][0] / cells["old"][0])
            print("| %s | %s | %s | %.2f | %s | %s | %s |" % (key[0], cells["old"][1], cells["new"][1],
                  ratios[-1], cells["old_dnnl"][1], cells["new_dnnl"][1], impl))
        print("\ngeometric mean of new/old: %.3f" % math.exp(sum(math.log(r) for r in ratios) / len(ratios)))


if __name__ == "__main__":
    main()
