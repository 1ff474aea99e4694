"""The trained comparison's report: DIR/report.md, DIR/results.json and
matplotlib figures, each with a title, axis labels and (for maps) a colour
bar, so that a picture read alone says what it shows."""
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from checkerboard_training import analysis, models, train  # noqa: E402

# A phase-mean spread above one 8-bit grey level survives into a saved picture: a grid.
GRID_THRESHOLD = 1 / 255


def verdict(init, trained):
    """'removes' / 'keeps' / 'creates' / 'none': is there a grid before and after
    training? Judged on the response to a flat mid-grey input (no content to
    average out, as the C++ report's constant response): its phase-mean
    spread above GRID_THRESHOLD."""
    before = init > GRID_THRESHOLD
    after = trained > GRID_THRESHOLD
    return {(True, False): "removes", (True, True): "keeps", (False, True): "creates"}.get((before, after), "none")


def summary(result):
    """The JSON-ready numbers (no arrays, no models)."""
    floor = result["data"]["target_phase_mean_spread"]
    out = {"config": result["config"], "target_phase_mean_spread": floor, "variants": {}}
    for v, r in result["variants"].items():
        out["variants"][v] = {
            "init": r["init"], "trained": r["trained"], "seconds": r["seconds"],
            "final_loss": r["losses"][-1],
            "verdict": verdict(r["init"]["constant_phase_mean_spread"], r["trained"]["constant_phase_mean_spread"]),
        }
    return out


def _show(ax, img, title):
    ax.imshow(np.clip(img.transpose(1, 2, 0), 0, 1), interpolation="nearest")
    ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])


def figure_outputs(result, path, rows=3):
    """Held-out images: input, target, and each trained variant's output."""
    d = result["data"]
    cols = 2 + len(models.VARIANTS)
    fig, axes = plt.subplots(rows, cols, figsize=(1.7 * cols, 1.8 * rows + 0.6), squeeze=False)
    for i in range(rows):
        _show(axes[i, 0], d["test_lo"][i], "input (x4 smaller)")
        _show(axes[i, 1], d["test_hi"][i], "target")
        for j, v in enumerate(models.VARIANTS):
            out = result["variants"][v]["outputs"][i]
            _show(axes[i, 2 + j], out, "{}\n{:.1f}% clipped".format(models.LABELS[v],
                                                                    100 * analysis.clipped_fraction(out)))
    fig.suptitle("Held-out images after training (outputs clipped to [0, 1] for display)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def figure_grids(result, path):
    """Each variant's phase-mean map (period 4) of output - target, before and
    after training, on one shared colour scale."""
    d, margin = result["data"], result["config"]["margin"]
    maps = {}
    for v in models.VARIANTS:
        r = result["variants"][v]
        for stage, key in (("init", "outputs_init"), ("trained", "outputs")):
            maps[v, stage] = analysis.phase_mean_map(r[key] - d["test_hi"], train.PERIOD, margin)
    lim = max(float(np.abs(m).max()) for m in maps.values()) or 1.0
    fig, axes = plt.subplots(2, len(models.VARIANTS), figsize=(2.6 * len(models.VARIANTS) + 1, 5.4), squeeze=False)
    for j, v in enumerate(models.VARIANTS):
        for i, stage in enumerate(("init", "trained")):
            ax = axes[i, j]
            im = ax.imshow(maps[v, stage], cmap="RdBu_r", vmin=-lim, vmax=lim)
            ax.set_title("{}\n{}".format(models.LABELS[v], "before training" if stage == "init" else "after training"),
                         fontsize=8)
            ax.set_xticks(range(train.PERIOD))
            ax.set_yticks(range(train.PERIOD))
            ax.set_xlabel("x mod 4", fontsize=7)
            ax.set_ylabel("y mod 4", fontsize=7)
    cbar = fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8)
    cbar.set_label("mean of output - target per phase, minus the overall mean", fontsize=7)
    fig.suptitle("The grid alone: phase-class means on held-out images (one shared colour scale)", fontsize=10)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def figure_spreads(summ, path):
    """Bar charts: output phase-mean spread and the last layer's phase-sum spread, before/after."""
    names = [models.LABELS[v] for v in models.VARIANTS]
    x = np.arange(len(names))
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for ax, key, title in ((axes[0], "output_phase_mean_spread", "output phase-mean spread (held-out)"),
                           (axes[1], "up2", "phase-sum spread of the last layer's kernels")):
        for k, stage in enumerate(("init", "trained")):
            vals = [summ["variants"][v][stage]["layers"]["up2"]["phase_sum_spread"] if key == "up2"
                    else summ["variants"][v][stage][key] for v in models.VARIANTS]
            ax.bar(x + (k - 0.5) * 0.38, vals, 0.38, label="before training" if k == 0 else "after training")
        if key != "up2":
            ax.axhline(summ["target_phase_mean_spread"], color="k", lw=0.8, ls="--", label="targets' own spread")
        ax.set_xticks(x)
        ax.set_xticklabels(names, fontsize=7)
        ax.set_ylabel("spread (image units, [0, 1] range)" if key != "up2" else "max - min of phase sums")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def figure_losses(result, path):
    fig, ax = plt.subplots(figsize=(6, 3.4))
    for v in models.VARIANTS:
        ax.plot(result["variants"][v]["losses"], label=models.LABELS[v], lw=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("training MSE (batch)")
    ax.set_title("Training loss", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _g(x):
    return "{:.4g}".format(x)


def markdown(summ, command):
    c = summ["config"]
    lines = [
        "# Checkerboard artifacts on trained weights",
        "",
        "Generated by `{}` (seeded, deterministic). Four x4 upsamplers (a conv 3x3 head, then two x2 "
        "layers of one kind, the last one producing the RGB output) learn to super-resolve procedural "
        "{}x{} images from {}x{} box-averaged inputs: {} steps of Adam (lr {}, batch {}), {} training and "
        "{} held-out images, {} channels, seed {}, {} threads.".format(
            command, c["size"], c["size"], c["size"] // 4, c["size"] // 4, c["steps"], c["lr"], c["batch"],
            c["train_images"], c["test_images"], c["channels"], c["seed"], c["threads"]),
        "",
        "*Phase-sum spread*: per (input, output) channel pair of an upsampling layer, max - min over the 4 "
        "output phases of the kernel taps' sum (0 = a constant input gives a constant output); the worst "
        "pair. *Output phase-mean spread*: on the held-out outputs, max - min of the means of the 4x4 "
        "phase classes (margin {} px), the worst channel; the targets' own value (content that does not "
        "average out) is {}. *Constant-input spread*: the same for a flat mid-grey (0.5) input, the grid "
        "alone. *grid* is judged on it: present when above {:.4f} (one 8-bit grey level, 1/255).".format(
            c["margin"], _g(summ["target_phase_mean_spread"]), GRID_THRESHOLD),
        "",
        "| variant | phase-sum spread up1 (before -> after) | phase-sum spread up2 (before -> after) "
        "| output phase-mean spread (before -> after) | constant-input spread (before -> after) "
        "| held-out MSE after | clipped after | training s | grid |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for v in models.VARIANTS:
        r = summ["variants"][v]
        i, t = r["init"], r["trained"]

        def pair(key, layer=None):
            a = i["layers"][layer][key] if layer else i[key]
            b = t["layers"][layer][key] if layer else t[key]
            return "{} -> {}".format(_g(a), _g(b))

        lines.append("| {} | {} | {} | {} | {} | {} | {:.2f}% | {:.1f} | **{}** |".format(
            models.LABELS[v], pair("phase_sum_spread", "up1"), pair("phase_sum_spread", "up2"),
            pair("output_phase_mean_spread"), pair("constant_phase_mean_spread"), _g(t["mse"]),
            100 * t["clipped_fraction"], r["seconds"], r["verdict"]))
    lines += [
        "",
        "*grid*: removes / keeps / creates / none = whether the outputs show a grid before and after "
        "training. *clipped*: share of output values outside [0, 1], which the pictures clamp.",
        "",
        "![Held-out outputs](outputs.png)",
        "",
        "![Phase-class means of output - target, shared scale](grids.png)",
        "",
        "![Spreads before and after training](spreads.png)",
        "",
        "![Training loss](loss.png)",
        "",
    ]
    return "\n".join(lines)


def write(result, out_dir, command):
    """Writes report.md, results.json and the four figures; returns the summary."""
    os.makedirs(out_dir, exist_ok=True)
    summ = summary(result)
    figure_outputs(result, os.path.join(out_dir, "outputs.png"), rows=min(3, len(result["data"]["test_hi"])))
    figure_grids(result, os.path.join(out_dir, "grids.png"))
    figure_spreads(summ, os.path.join(out_dir, "spreads.png"))
    figure_losses(result, os.path.join(out_dir, "loss.png"))
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(summ, f, indent=1, sort_keys=True)
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write(markdown(summ, command))
    return summ
