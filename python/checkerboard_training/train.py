"""The seeded, deterministic training of the four variants.

Determinism: one fixed thread count (torch.set_num_threads), torch's
deterministic-algorithms mode, torch.manual_seed before each model is built
(so the four share the head's initial weights), and batches drawn from a
torch.Generator with its own seed. Two runs with the same Config give equal
numbers and weights, bit for bit (python/tests/test_checkerboard_training.py).
"""
import dataclasses
import time

import numpy as np
import torch

from checkerboard_training import analysis, data, models

PERIOD = 4  # two x2 stages: a grid repeats every 4 output pixels at most


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 1
    steps: int = 600
    size: int = 64          # high-resolution side; the input is size/4
    train_images: int = 1024
    test_images: int = 32
    channels: int = 16
    batch: int = 16
    lr: float = 3e-3
    threads: int = 2
    margin: int = 12        # border cut before the phase means: zero padding reaches 10 px in (sub-pixel)

    def fast(self):
        """The pytest version: tiny images, a few steps (seconds)."""
        return dataclasses.replace(self, steps=6, size=32, train_images=32, test_images=4, channels=4, batch=4)


def _measure(variant, model, test_lo, test_hi, margin):
    with torch.no_grad():
        out = model(torch.from_numpy(test_lo)).numpy()
        const = model(torch.full((1, 3) + test_lo.shape[2:], 0.5)).numpy()
    layers = {}
    for name in ("up1", "up2"):
        s, scale = analysis.spread(analysis.layer_phase_sums(variant, getattr(model, name)))
        layers[name] = {"phase_sum_spread": s, "largest_phase_sum": scale}
    return out, {
        "layers": layers,
        "output_phase_mean_spread": analysis.phase_mean_spread(out, PERIOD, margin),
        "residual_phase_mean_spread": analysis.phase_mean_spread(out - test_hi, PERIOD, margin),
        "constant_phase_mean_spread": analysis.phase_mean_spread(const, PERIOD, margin),
        "mse": float(np.mean((out - test_hi) ** 2)),
        "clipped_fraction": analysis.clipped_fraction(out),
    }


def train_variant(variant, cfg, train_lo, train_hi, test_lo, test_hi):
    torch.manual_seed(cfg.seed)
    model = models.Upsampler(variant, cfg.channels)
    out_init, init = _measure(variant, model, test_lo, test_hi, cfg.margin)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    x_all, y_all = torch.from_numpy(train_lo), torch.from_numpy(train_hi)
    losses = []
    start = time.perf_counter()
    for _ in range(cfg.steps):
        idx = torch.randint(0, x_all.shape[0], (cfg.batch,), generator=gen)
        loss = torch.mean((model(x_all[idx]) - y_all[idx]) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    seconds = time.perf_counter() - start
    out, trained = _measure(variant, model, test_lo, test_hi, cfg.margin)
    return {"init": init, "trained": trained, "losses": losses, "seconds": seconds,
            "outputs_init": out_init, "outputs": out, "model": model}


def run(cfg):
    """Trains every variant; returns {"config", "data", "variants": {name: result}}."""
    torch.set_num_threads(cfg.threads)
    torch.use_deterministic_algorithms(True)
    train_lo, train_hi = data.dataset(cfg.seed, cfg.train_images, cfg.size)
    test_lo, test_hi = data.dataset(cfg.seed + 1000, cfg.test_images, cfg.size)  # held out: another stream
    result = {"config": dataclasses.asdict(cfg), "variants": {},
              "data": {"test_lo": test_lo, "test_hi": test_hi,
                       "target_phase_mean_spread": analysis.phase_mean_spread(test_hi, PERIOD, cfg.margin)}}
    for v in models.VARIANTS:
        result["variants"][v] = train_variant(v, cfg, train_lo, train_hi, test_lo, test_hi)
    return result
