"""Seeded random transposed-convolution geometries valid for torch."""
import numpy as np


def random_geometry(seed):
    """A dict of shapes and torch arguments; the same seed gives the same
    geometry on every run (numpy's PCG64 stream is stable)."""
    rng = np.random.default_rng(seed)
    while True:
        nd = int(rng.integers(1, 4))
        kmax, imax = {1: (5, 9), 2: (4, 7), 3: (3, 4)}[nd]
        groups = int(rng.choice([1, 1, 2, 3]))
        cin, cout = groups * int(rng.integers(1, 4)), groups * int(rng.integers(1, 4))
        k = [int(v) for v in rng.integers(1, kmax + 1, nd)]
        s = [int(v) for v in rng.integers(1, 4, nd)]
        d = [int(v) for v in rng.integers(1, 3, nd)]
        i = [int(v) for v in rng.integers(1, imax + 1, nd)]
        p = [int(rng.integers(0, d[a] * (k[a] - 1) + 1)) for a in range(nd)]
        # torch's rule: output_padding < max(stride, dilation).
        op = [int(rng.integers(0, max(s[a], d[a]))) for a in range(nd)]
        out = [(i[a] - 1) * s[a] - 2 * p[a] + d[a] * (k[a] - 1) + 1 + op[a] for a in range(nd)]
        if min(out) >= 1:
            break
    g = dict(nd=nd, groups=groups, stride=s, dilation=d, padding=p, output_padding=op,
             x_shape=(int(rng.integers(1, 3)), cin) + tuple(i),
             w_shape=(cin, cout // groups) + tuple(k), bias=bool(rng.integers(0, 2)),
             # torch's output_size (module form) instead of output_padding
             # when output_padding < stride, which that form can express.
             use_output_size=bool(rng.integers(0, 4) == 0) and all(op[a] < s[a] for a in range(nd)),
             out_spatial=out)
    g["x"] = rng.standard_normal(g["x_shape"]).astype(np.float32)
    g["w"] = rng.standard_normal(g["w_shape"]).astype(np.float32)
    g["b"] = rng.standard_normal(cout).astype(np.float32) if g["bias"] else None
    return g


def torch_kwargs(g):
    return dict(stride=g["stride"], padding=g["padding"], output_padding=g["output_padding"],
                groups=g["groups"], dilation=g["dilation"])
