"""pixel_shuffle, pixel_unshuffle and interpolate against torch."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import tconv

U = 2.0 ** -24


def numpy_pixel_shuffle(x, r):
    """The definition (include/tconv/pixel_shuffle.h) for any D: channel
    c*r^D + offsets (C order over the axes) goes to sub-position offsets."""
    n, crd = x.shape[:2]
    sp = x.shape[2:]
    d = len(sp)
    c = crd // r ** d
    y = x.reshape((n, c) + (r,) * d + sp)
    # (n, c, r1..rd, s1..sd) -> (n, c, s1, r1, s2, r2, ...)
    order = [0, 1]
    for a in range(d):
        order += [2 + d + a, 2 + a]
    return y.transpose(order).reshape((n, c) + tuple(s * r for s in sp))


@pytest.mark.parametrize("seed", range(12))
def test_pixel_shuffle_2d_matches_torch(seed):
    rng = np.random.default_rng(seed)
    r = int(rng.integers(1, 4))
    x = rng.standard_normal((2, 3 * r * r, int(rng.integers(1, 6)), int(rng.integers(1, 6)))).astype(np.float32)
    y = tconv.pixel_shuffle(x, r)
    assert np.array_equal(y, F.pixel_shuffle(torch.from_numpy(x), r).numpy())
    assert np.array_equal(tconv.pixel_unshuffle(y, r), x)
    assert np.array_equal(tconv.pixel_unshuffle(y, r), F.pixel_unshuffle(torch.from_numpy(y), r).numpy())


@pytest.mark.parametrize("d", [1, 3])
def test_pixel_shuffle_1d_3d(d):
    rng = np.random.default_rng(d)
    r = 2
    x = rng.standard_normal((1, 2 * r ** d) + (3,) * d).astype(np.float32)
    y = tconv.pixel_shuffle(x, r)
    assert np.array_equal(y, numpy_pixel_shuffle(x, r))
    assert np.array_equal(tconv.pixel_unshuffle(y, r), x)


def test_pixel_shuffle_errors():
    x = np.zeros((1, 5, 2, 2), np.float32)
    with pytest.raises(ValueError):
        tconv.pixel_shuffle(x, 2)  # 5 channels are not a multiple of 4
    with pytest.raises(ValueError):
        tconv.pixel_shuffle(np.zeros((1, 4, 2, 2), np.float32), 0)
    with pytest.raises(ValueError, match="x has dtype float64"):
        tconv.pixel_shuffle(x.astype(np.float64), 1)
    with pytest.raises(ValueError):
        tconv.pixel_unshuffle(np.zeros((1, 1, 3, 3), np.float32), 2)  # 3 not a multiple of 2


LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}


def interp_cases():
    rng = np.random.default_rng(5)
    cases = []
    for i in range(36):
        d = 1 + i % 3
        mode = "nearest" if i % 2 == 0 else LINEAR[d]
        shape = (2, 3) + tuple(int(v) for v in rng.integers(1, 7, d))
        if i % 4 < 2:
            kw = dict(size=tuple(int(v) for v in rng.integers(1, 12, d)))
        else:
            scales = [float(v) for v in rng.choice([0.5, 1.5, 2.0, 2.5, 3.0], d)]
            # (a scale that leaves no output is an error, tested below)
            kw = dict(scale_factor=tuple(sc if int(n * sc) >= 1 else 1.5 for sc, n in zip(scales, shape[2:])))
            kw["recompute_scale_factor"] = bool(i % 3 == 0)
        if mode != "nearest":
            kw["align_corners"] = bool(i % 5 < 2)
        cases.append((i, shape, mode, kw))
    return cases


@pytest.mark.parametrize("i,shape,mode,kw", interp_cases())
def test_interpolate_matches_torch(i, shape, mode, kw):
    x = np.random.default_rng(i).standard_normal(shape).astype(np.float32)
    y = tconv.interpolate(x, mode=mode, **kw)
    ref = F.interpolate(torch.from_numpy(x), mode=mode, **kw).numpy()
    assert y.shape == ref.shape
    if mode == "nearest":
        assert np.array_equal(y, ref)  # a copy of chosen inputs: exact
    else:
        # The same indices and weights as torch (resample.h); each output is
        # a convex combination of 2^D inputs, torch rounding each of its D
        # float32 lerps (<= 3 roundings each) and tconv once at the end.
        d = len(shape) - 2
        assert np.abs(y - ref).max() <= (3 * d + 1) * U * np.abs(x).max()


def test_interpolate_errors():
    x = np.zeros((1, 1, 4, 4), np.float32)
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        tconv.interpolate(x)
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        tconv.interpolate(x, size=8, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners can only be set with the linear modes"):
        tconv.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(ValueError):
        tconv.interpolate(x, size=0)
    with pytest.raises(ValueError):
        tconv.interpolate(x, scale_factor=-2.0)
    with pytest.raises(ValueError, match="output length of axis 0 is floor\\(1 \\* 0.500000\\) = 0"):
        tconv.interpolate(np.zeros((1, 1, 1), np.float32), scale_factor=0.5)
    with pytest.raises(ValueError):
        tconv.interpolate(x, size=8, mode="bicubic")
    with pytest.raises(ValueError, match="size has 3 values but the input has 2 spatial axes"):
        tconv.interpolate(x, size=(2, 2, 2))
    with pytest.raises(ValueError, match="rank 3, 4 or 5"):
        tconv.interpolate(np.zeros((4, 4), np.float32), size=2)
    assert tconv.upsample is tconv.interpolate
