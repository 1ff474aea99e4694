"""conv_transpose and conv against torch on seeded random geometries."""
import numpy as np
import pytest
import torch

import tconv
from geometries import random_geometry, torch_kwargs
from reference import (TORCH_CONV, assert_close, crop_or_extend, gamma, t64, torch_transpose,
                       transpose_bound)

SEEDS = range(240)
MODULES = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d, 3: torch.nn.ConvTranspose3d}


def torch_with_output_size(g):
    """torch's own output_size rule, through the module (the functional form
    has no output_size)."""
    m = MODULES[g["nd"]](g["w_shape"][0], g["w_shape"][1] * g["groups"], g["w_shape"][2:], stride=g["stride"],
                         padding=g["padding"], dilation=g["dilation"], groups=g["groups"],
                         bias=g["b"] is not None, dtype=torch.float64)
    with torch.no_grad():
        m.weight.copy_(t64(g["w"]))
        if g["b"] is not None:
            m.bias.copy_(t64(g["b"]))
        return m(t64(g["x"]), output_size=g["out_spatial"]).numpy()


@pytest.mark.parametrize("seed", SEEDS)
def test_conv_transpose_matches_torch(seed):
    g = random_geometry(seed)
    kw = torch_kwargs(g)
    ref = torch_transpose(g["x"], g["w"], g["b"], **kw)
    bound = transpose_bound(g["x"], g["w"], g["b"], **kw)
    if g["use_output_size"]:
        ref = torch_with_output_size(g)
        args = {k: v for k, v in kw.items() if k != "output_padding"}
        y = tconv.conv_transpose(g["x"], g["w"], g["b"], output_size=g["out_spatial"], **args)
    else:
        # Every third case on two threads: the task split must not change
        # the result beyond the bound.
        y = tconv.conv_transpose(g["x"], g["w"], g["b"], threads=1 + seed % 3 // 2, **kw)
    assert_close(y, ref, bound)


@pytest.mark.parametrize("algorithm", tconv.algorithm_names())
@pytest.mark.parametrize("seed", range(1000, 1012))
def test_every_algorithm_matches_torch(algorithm, seed):
    g = random_geometry(seed)
    kw = torch_kwargs(g)
    y = tconv.conv_transpose(g["x"], g["w"], g["b"], algorithm=algorithm, **kw)
    assert_close(y, torch_transpose(g["x"], g["w"], g["b"], **kw), transpose_bound(g["x"], g["w"], g["b"], **kw))


@pytest.mark.parametrize("seed", range(2000, 2020))
def test_channels_last_matches_torch(seed):
    g = random_geometry(seed)
    kw = torch_kwargs(g)
    perm = (0,) + tuple(range(2, 2 + g["nd"])) + (1,)  # (N, C, *sp) -> (N, *sp, C)
    x_last = np.ascontiguousarray(g["x"].transpose(perm))
    y = tconv.conv_transpose(x_last, g["w"], g["b"], layout="nhwc", **kw)
    ref = torch_transpose(g["x"], g["w"], g["b"], **kw).transpose(perm)
    bound = transpose_bound(g["x"], g["w"], g["b"], **kw).transpose(perm)
    assert_close(y, ref, bound)


@pytest.mark.parametrize("seed", range(3000, 3030))
def test_onnx_pads_and_output_shape(seed):
    """ONNX forms: pads from output_shape / auto_pad by DESIGN.md's rule,
    checked against the uncropped torch result cropped (or extended with
    the bias) by those pads, computed here independently."""
    g = random_geometry(seed)
    nd, s, d = g["nd"], g["stride"], g["dilation"]
    i, k = g["x_shape"][2:], g["w_shape"][2:]
    full_len = [(i[a] - 1) * s[a] + d[a] * (k[a] - 1) + 1 for a in range(nd)]
    rng = np.random.default_rng(seed)
    out = [max(1, full_len[a] + int(rng.integers(-3, 3))) for a in range(nd)]
    auto_pad = ["notset", "same_upper", "same_lower"][seed % 3]
    total = [full_len[a] - out[a] for a in range(nd)]
    small = [t // 2 for t in total]  # floor division, as ONNX: total may be negative
    if auto_pad == "same_upper":
        pb, pe = small, [total[a] - small[a] for a in range(nd)]
    else:
        pb, pe = [total[a] - small[a] for a in range(nd)], small
    y = tconv.conv_transpose(g["x"], g["w"], g["b"], stride=s, dilation=d, groups=g["groups"],
                             output_shape=out, auto_pad=auto_pad)
    info = tconv.explain(g["x"], g["w"], stride=s, dilation=d, groups=g["groups"], output_shape=out,
                         auto_pad=auto_pad)
    assert list(info["pad_begin"]) == pb and list(info["pad_end"]) == pe
    kw = dict(stride=s, dilation=d, groups=g["groups"])
    full = torch_transpose(g["x"], g["w"], None, **kw)
    ref = crop_or_extend(full, pb, pe, g["b"], out)
    bound = crop_or_extend(transpose_bound(g["x"], g["w"], None, **kw), pb, pe, None, out)
    # Adding the bias to the float32 sum rounds once more: at most u*|y|.
    bound += gamma(2) * (0 if g["b"] is None else np.abs(ref)) + 1e-30
    assert_close(y, ref, bound)


def test_mxnet_target_shape():
    """target_shape: total = s*(i-1) + ke - target, symmetric pads
    (total+1)//2 and output padding total % 2 (DESIGN.md)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 2, 5, 4)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    y = tconv.conv_transpose(x, w, stride=2, target_shape=(10, 8))
    assert y.shape == (1, 3, 10, 8)
    # axis 0: total = 2*4 + 3 - 10 = 1 -> pads 1, output padding 1;
    # axis 1: total = 2*3 + 3 - 8 = 1 -> the same.
    ref = torch_transpose(x, w, None, stride=2, padding=1, output_padding=1)
    assert_close(y, ref, transpose_bound(x, w, None, stride=2, padding=1, output_padding=1))


@pytest.mark.parametrize("seed", range(4000, 4040))
def test_conv_matches_torch(seed):
    rng = np.random.default_rng(seed)
    nd = int(rng.integers(1, 4))
    groups = int(rng.choice([1, 2]))
    cin, cout = groups * int(rng.integers(1, 4)), groups * int(rng.integers(1, 4))
    k = [int(v) for v in rng.integers(1, 4, nd)]
    d = [int(v) for v in rng.integers(1, 3, nd)]
    s = [int(v) for v in rng.integers(1, 3, nd)]
    p = [int(rng.integers(0, 2)) for _ in range(nd)]
    i = [d[a] * (k[a] - 1) + 1 + int(rng.integers(0, 5)) for a in range(nd)]
    x = rng.standard_normal((2, cin) + tuple(i)).astype(np.float32)
    w = rng.standard_normal((cout, cin // groups) + tuple(k)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    kw = dict(stride=s, padding=p, dilation=d, groups=groups)
    y = tconv.conv(x, w, b, **kw)
    ref = TORCH_CONV[nd](t64(x), t64(w), t64(b), **kw).numpy()
    mag = TORCH_CONV[nd](t64(np.abs(x)), t64(np.abs(w)), t64(np.abs(b)), **kw).numpy()
    assert_close(y, ref, gamma(cin // groups * int(np.prod(k)) + 3) * mag + 1e-30)
