"""int8 (quantized) plans from numpy: tconv.conv_transpose / tconv.Plan /
tconv.explain with dtype="int8".

Values: bit for bit equal to int8_reference.py (int64 sums, requantized in
double with round-half-to-even, written from quant.h's rule; itself checked
against torch's float64 transposed convolution on the integer values) over
seeded random layers: 1-3-D, groups, dilation, pads, output padding,
asymmetric and negative pads, per-tensor and per-channel scales, uint8 and
int8 x, uint8/int8/float32 y, zero points at the type limits, saturation at
both ends, on auto, phase and ref, 1 and 2 threads."""
import threading

import numpy as np
import pytest
import torch

import tconv
from geometries import random_geometry, torch_kwargs
from int8_reference import LIMITS, accumulators, requantize
from reference import torch_transpose

SEEDS = range(48)
ALGORITHMS = ("auto", "phase", "gemm_col2im", "ref")
U8, S8, F32 = np.dtype(np.uint8), np.dtype(np.int8), np.dtype(np.float32)


def zero_point(rng, dtype):
    """A zero point of dtype's range, at one of its limits one time in three."""
    lo, hi = LIMITS[dtype]
    return int(rng.choice([lo, hi])) if rng.integers(0, 3) == 0 else int(rng.integers(lo, hi + 1))


def random_case(seed):
    """Arrays, keywords and the expected y of one seeded int8 layer."""
    g = random_geometry(seed)
    kw = torch_kwargs(g)
    rng = np.random.default_rng(1000 + seed)
    x_dtype = [U8, S8][seed % 2]
    y_dtype = [U8, S8, F32][(seed // 2) % 3]
    lo, hi = LIMITS[x_dtype]
    x = rng.integers(lo, hi + 1, g["x_shape"]).astype(x_dtype)
    w = rng.integers(-128, 128, g["w_shape"]).astype(np.int8)
    cout = g["w_shape"][1] * g["groups"]
    b = rng.integers(-3000, 3000, cout).astype(np.int32) if g["bias"] else None
    q = dict(x_scale=float(rng.uniform(0.005, 0.05)), x_zero_point=zero_point(rng, x_dtype),
             w_scale=rng.uniform(0.002, 0.02, cout).astype(np.float32) if rng.integers(0, 2) else 0.01)
    acc = accumulators(x, q["x_zero_point"], w, b, kw["stride"], kw["dilation"], kw["padding"], kw["padding"],
                       kw["output_padding"], kw["groups"])
    if y_dtype != F32:
        # y_scale puts |acc * M| up to about 100-400: both ends saturate for most zero points.
        amax = max(1, int(np.abs(acc).max()))
        m = float(rng.uniform(100, 400)) / amax
        q.update(y_scale=q["x_scale"] * float(np.mean(q["w_scale"])) / m, y_zero_point=zero_point(rng, y_dtype))
    want = requantize(acc, q["x_scale"], q["w_scale"], y_dtype, q.get("y_scale"), q.get("y_zero_point", 0))
    return x, w, b, kw, dict(q, y_dtype=y_dtype), want


@pytest.mark.parametrize("seed", SEEDS)
def test_int8_matches_integer_reference(seed):
    x, w, b, kw, q, want = random_case(seed)
    algorithm, threads = ALGORITHMS[seed % len(ALGORITHMS)], 1 + (seed // len(ALGORITHMS)) % 2
    y = tconv.conv_transpose(x, w, b, dtype="int8", algorithm=algorithm, threads=threads, **kw, **q)
    assert y.dtype == q["y_dtype"] and y.shape == want.shape
    assert np.array_equal(y, want)
    # the other algorithms give the same bits
    for other in ("phase", "ref"):
        assert np.array_equal(tconv.conv_transpose(x, w, b, dtype="int8", algorithm=other, **kw, **q), want)


@pytest.mark.parametrize("seed", range(0, 48, 3))
def test_int8_channels_last(seed):
    """layout="nhwc": x (N, *in, Cin) in, y (N, *out, Cout) out, the reference's bits moved to channels last, by
    every algorithm; with Cout/groups >= 16 (every other seed) auto runs the vpdpbusd lanes where the CPU has them."""
    x, w, b, kw, q, want = random_case(seed)
    if seed % 2:
        rng = np.random.default_rng(seed)
        w = np.concatenate([w] * (1 + 16 // w.shape[1]), axis=1)
        cout = w.shape[1] * kw["groups"]
        b = None if b is None else rng.integers(-3000, 3000, cout).astype(np.int32)
        q = dict(q, w_scale=0.01)
        acc = accumulators(x, q["x_zero_point"], w, b, kw["stride"], kw["dilation"], kw["padding"], kw["padding"],
                           kw["output_padding"], kw["groups"])
        want = requantize(acc, q["x_scale"], 0.01, q["y_dtype"], q.get("y_scale"), q.get("y_zero_point", 0))
    last = (0,) + tuple(range(2, x.ndim)) + (1,)
    xl = np.ascontiguousarray(x.transpose(last))
    for algorithm in ALGORITHMS:
        y = tconv.conv_transpose(xl, w, b, dtype="int8", algorithm=algorithm, layout="nhwc", **kw, **q)
        assert y.shape == want.transpose(last).shape
        assert np.array_equal(y, want.transpose(last)), algorithm


def test_sweep_covers_what_it_claims():
    """The seeds above reach every case the module docstring names."""
    seen = set()
    for seed in SEEDS:
        x, w, b, kw, q, want = random_case(seed)
        seen |= {("nd", x.ndim - 2), ("x", x.dtype.name), ("y", want.dtype.name)}
        seen |= {("groups",)} if kw["groups"] > 1 else set()
        seen |= {("dilation",)} if max(kw["dilation"]) > 1 else set()
        seen |= {("output_padding",)} if max(kw["output_padding"]) > 0 else set()
        seen |= {("pads",)} if max(kw["padding"]) > 0 else set()
        seen |= {("per_channel",)} if np.ndim(q["w_scale"]) == 1 else {("per_tensor",)}
        lims = LIMITS[x.dtype]
        seen |= {("x_zp_limit",)} if q["x_zero_point"] in lims else set()
        if want.dtype != F32:
            lo, hi = LIMITS[want.dtype]
            seen |= {("y_zp_limit",)} if q["y_zero_point"] in (lo, hi) else set()
            seen |= {("sat_lo", want.dtype.name)} if (want == lo).any() else set()
            seen |= {("sat_hi", want.dtype.name)} if (want == hi).any() else set()
    expect = {("nd", 1), ("nd", 2), ("nd", 3), ("x", "uint8"), ("x", "int8"), ("y", "uint8"), ("y", "int8"),
              ("y", "float32"), ("groups",), ("dilation",), ("output_padding",), ("pads",), ("per_channel",),
              ("per_tensor",), ("x_zp_limit",), ("y_zp_limit",), ("sat_lo", "uint8"), ("sat_hi", "uint8"),
              ("sat_lo", "int8"), ("sat_hi", "int8")}
    assert expect <= seen, expect - seen


def test_integer_reference_agrees_with_torch():
    """int8_reference's sums are torch's float64 transposed convolution of (x - zx) and w (exact)."""
    for seed in range(0, 48, 5):
        x, w, b, kw, q, _ = random_case(seed)
        acc = accumulators(x, q["x_zero_point"], w, b, kw["stride"], kw["dilation"], kw["padding"],
                           kw["padding"], kw["output_padding"], kw["groups"])
        ref = torch_transpose(x.astype(np.float64) - q["x_zero_point"], w.astype(np.float64),
                              None if b is None else b.astype(np.float64), **kw)
        assert np.array_equal(acc, ref.astype(np.int64))


@pytest.mark.parametrize("shape,groups,y_dtype", [((2, 16, 5, 6), 1, U8), ((1, 32, 9), 2, S8),
                                                  ((1, 16, 3, 4, 3), 1, F32), ((2, 24, 4, 4), 3, U8)])
def test_int8_simd_kernel_layers(shape, groups, y_dtype):
    """Cin/groups >= 8: one of phase's SIMD int8 routes runs (vpdpbusd or AMX lanes, f32 kernels on exact integers,
    or the int16 dot kernel); the same bits as the reference."""
    rng = np.random.default_rng(sum(shape))
    nd = len(shape) - 2
    x = rng.integers(0, 256, shape).astype(np.uint8)
    w = rng.integers(-128, 128, (shape[1], 6) + (4,) * nd).astype(np.int8)
    b = rng.integers(-20000, 20000, 6 * groups).astype(np.int32)
    ws = rng.uniform(0.001, 0.01, 6 * groups).astype(np.float32)
    q = dict(x_scale=0.02, x_zero_point=131, w_scale=ws, y_dtype=y_dtype)
    if y_dtype != F32:
        q.update(y_scale=0.4, y_zero_point=3)
    plan = tconv.Plan(w, b, input_shape=shape, stride=2, padding=1, groups=groups, dtype="int8", x_dtype=np.uint8,
                      **q)
    assert any(k in plan.kernel for k in ("i8_phase_dot", "i8_phase_vnni", "i8_phase_amx", "i8_requant")), plan.kernel
    acc = accumulators(x, 131, w, b, [2] * nd, [1] * nd, [1] * nd, [1] * nd, [0] * nd, groups)
    assert np.array_equal(plan(x), requantize(acc, 0.02, ws, y_dtype, q.get("y_scale"), q.get("y_zero_point", 0)))


@pytest.mark.parametrize("pads", [(1, 0, 2, -1), (-1, 2, 0, 1)])
def test_int8_asymmetric_and_negative_pads(pads):
    rng = np.random.default_rng(7)
    x = rng.integers(-128, 128, (2, 6, 5, 4)).astype(np.int8)
    w = rng.integers(-128, 128, (6, 2, 3, 4)).astype(np.int8)
    b = rng.integers(-500, 500, 6).astype(np.int32)
    kw = dict(stride=(2, 3), groups=3, dilation=(1, 2))
    q = dict(x_scale=0.03, x_zero_point=-128, w_scale=[0.01, 0.02, 0.005, 0.01, 0.03, 0.004], y_dtype=np.int8,
             y_scale=0.5, y_zero_point=127)
    acc = accumulators(x, -128, w, b, (2, 3), (1, 2), pads[:2], pads[2:], (0, 0), 3)
    want = requantize(acc, 0.03, q["w_scale"], np.int8, 0.5, 127)
    assert np.array_equal(tconv.conv_transpose(x, w, b, pads=pads, dtype="int8", **kw, **q), want)


def test_round_half_to_even_and_saturation_by_hand():
    """M = 1 * 0.5 / 1: odd sums are ties, rounded to even; then clamped."""
    x = np.arange(-5, 6, dtype=np.int8).reshape(1, 1, 11)
    w = np.ones((1, 1, 1), dtype=np.int8)
    y = tconv.conv_transpose(x, w, dtype="int8", x_scale=1.0, w_scale=0.5, y_scale=1.0)
    assert y.dtype == S8 and y.ravel().tolist() == [-2, -2, -2, -1, 0, 0, 0, 1, 2, 2, 2]
    y = tconv.conv_transpose(x, w, dtype="int8", x_scale=1.0, w_scale=0.5, y_dtype="u8", y_scale=1.0,
                             y_zero_point=1)
    assert y.dtype == U8 and y.ravel().tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 3, 3, 3]  # -1 and below: 0
    big = np.full((1, 1, 3), 127, dtype=np.int8)
    y = tconv.conv_transpose(big, np.full((1, 1, 1), 127, dtype=np.int8), np.array([-20000], dtype=np.int32),
                             dtype="int8", x_scale=1.0, w_scale=1.0, y_scale=0.5)
    assert y.ravel().tolist() == [-128] * 3  # (16129 - 20000) / 0.5 saturates at int8's minimum
    f = tconv.conv_transpose(big, np.full((1, 1, 1), 3, dtype=np.int8), dtype="int8", x_scale=0.25,
                             w_scale=0.5, y_dtype=np.float32)
    assert f.dtype == F32 and f.ravel().tolist() == [381 * 0.125] * 3


W = np.random.default_rng(11).integers(-128, 128, (6, 2, 4, 4)).astype(np.int8)  # Cin 6, Cout 4 with groups 2
B = np.random.default_rng(12).integers(-1000, 1000, 4).astype(np.int32)
Q = dict(x_scale=0.02, x_zero_point=128, w_scale=[0.01, 0.02, 0.015, 0.005], y_scale=0.1, y_zero_point=10)
KW = dict(stride=2, padding=1, groups=2)


def plan_reference(x, w=W, y_dtype=U8):
    acc = accumulators(x, Q["x_zero_point"], w, B, (2, 2), (1, 1), (1, 1), (1, 1), (0, 0), 2)
    return requantize(acc, Q["x_scale"], Q["w_scale"], y_dtype, Q["y_scale"], Q["y_zero_point"])


def test_int8_plan_reuse():
    w = W.copy()
    plan = tconv.Plan(w, B, input_shape=(3, 6, 5, 7), dtype="int8", **KW, **Q)
    w[...] = 0  # the plan packed its own copy at creation
    assert plan.dtype == "int8" and plan.output_shape == (3, 4, 10, 14) and "dtype='int8'" in repr(plan)
    assert plan.quant == dict(x_dtype="uint8", x_scale=float(np.float32(0.02)), x_zero_point=128,
                              w_scale=tuple(float(v) for v in np.float32(Q["w_scale"])), y_dtype="uint8",
                              y_scale=float(np.float32(0.1)), y_zero_point=10)
    assert plan.explain()["quant"] == plan.quant and plan.explain()["dtype"] == "int8"
    rng = np.random.default_rng(5)
    out = np.zeros(plan.output_shape, dtype=np.uint8)
    for _ in range(4):
        x = rng.integers(0, 256, plan.input_shape).astype(np.uint8)
        x0 = x.copy()
        y = plan(x)
        assert y.dtype == U8 and np.array_equal(y, plan_reference(x))
        assert plan.run(x, out=out) is out and np.array_equal(out, y)  # written in place
        assert np.array_equal(x, x0)  # read in place, not modified
        assert np.array_equal(tconv.conv_transpose(x, W, B, dtype="int8", **KW, **Q), y)


def test_int8_plan_s8_x_and_threads():
    plan = tconv.Plan(W, B, input_shape=(2, 6, 6, 6), dtype="int8", x_dtype=np.int8, y_dtype="float32", threads=2,
                      **KW, **dict(Q, x_zero_point=-3, y_scale=None, y_zero_point=None))
    assert plan.quant["x_dtype"] == "int8" and plan.quant["y_scale"] is None
    xs = [np.random.default_rng(i).integers(-128, 128, plan.input_shape).astype(np.int8) for i in range(4)]
    want = [requantize(accumulators(x, -3, W, B, (2, 2), (1, 1), (1, 1), (1, 1), (0, 0), 2), Q["x_scale"],
                       Q["w_scale"], F32) for x in xs]
    results = [None] * len(xs)

    def work(i):
        for _ in range(20):
            results[i] = plan(xs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, ref in zip(results, want):
        assert got.dtype == F32 and np.array_equal(got, ref)


def test_int8_explain():
    e = tconv.explain((1, 16, 8, 8), (16, 8, 4, 4), stride=2, padding=1, dtype="int8")
    assert e["dtype"] == "int8" and e["algorithm"] == "phase" and "i8_" in e["kernel"]
    refused = {r["name"] for r in e["estimates"] if r["refused"]}
    assert {"gather", "zero_insert"} <= refused and not {"phase", "ref", "gemm_col2im"} & refused
    w = np.zeros((16, 8, 4, 4), dtype=np.int8)
    plan = tconv.Plan(w, input_shape=(1, 16, 8, 8), stride=2, padding=1, dtype="int8", x_scale=1, w_scale=1,
                      y_scale=1)
    assert plan.kernel == e["kernel"] and plan.output_shape == e["output_shape"]
    with pytest.raises(ValueError, match="gather"):
        tconv.explain((1, 16, 8, 8), (16, 8, 4, 4), stride=2, dtype="int8", algorithm="gather")
