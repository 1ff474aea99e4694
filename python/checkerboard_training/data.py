"""Procedural RGB images in [0, 1]: smooth gradients, discs, rectangles,
stripes and value noise, drawn with a seeded numpy generator. Natural-ish
content with edges and texture, and no built-in period-2 or period-4 grid
(the measure we look for in the outputs)."""
import numpy as np


def _value_noise(rng, n, cell):
    g = n // cell + 2
    lattice = rng.random((g, g))
    t = np.arange(n) / cell
    i = t.astype(int)
    f = t - i
    f = f * f * (3 - 2 * f)  # smoothstep
    a = lattice[i][:, i]
    b = lattice[i][:, i + 1]
    c = lattice[i + 1][:, i]
    d = lattice[i + 1][:, i + 1]
    fy, fx = f[:, None], f[None, :]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def image(rng, n):
    """One (3, n, n) float32 image."""
    yy, xx = np.mgrid[0:n, 0:n] / n
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * xx + np.sin(angle) * yy
    c0, c1 = rng.random(3), rng.random(3)
    img = c0[:, None, None] + (c1 - c0)[:, None, None] * (ramp - ramp.min()) / (np.ptp(ramp) + 1e-9)
    for _ in range(rng.integers(2, 5)):
        kind = rng.integers(0, 3)
        colour = rng.random(3)[:, None, None]
        if kind == 0:  # disc
            cy, cx, r = rng.random(), rng.random(), rng.uniform(0.08, 0.3)
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
        elif kind == 1:  # rectangle
            y0, x0 = rng.random(2) * 0.7
            h, w = rng.uniform(0.1, 0.4, 2)
            mask = (yy >= y0) & (yy < y0 + h) & (xx >= x0) & (xx < x0 + w)
        else:  # stripes at a random angle and (non-grid) period
            a, period = rng.uniform(0, np.pi), rng.uniform(0.09, 0.25)
            mask = np.sin(2 * np.pi * (np.cos(a) * xx + np.sin(a) * yy) / period) > 0.3
            mask &= (yy - 0.5) ** 2 + (xx - 0.5) ** 2 < rng.uniform(0.05, 0.2)
        img = np.where(mask[None], colour, img)
    texture = _value_noise(rng, n, int(rng.integers(3, 8))) - 0.5
    img = img + rng.uniform(0.05, 0.2) * texture[None]
    return np.clip(img, 0, 1).astype(np.float32)


def downsample(hi, factor):
    """Box average by `factor` per axis: (..., n, n) -> (..., n/f, n/f)."""
    *lead, h, w = hi.shape
    return hi.reshape(*lead, h // factor, factor, w // factor, factor).mean(axis=(-3, -1))


def dataset(seed, count, n, factor=4):
    """(low, high): (count, 3, n/f, n/f) inputs and (count, 3, n, n) targets."""
    rng = np.random.default_rng(seed)
    hi = np.stack([image(rng, n) for _ in range(count)])
    return downsample(hi, factor).astype(np.float32), hi
