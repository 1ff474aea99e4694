"""bf16 plans from numpy: tconv.conv_transpose / tconv.Plan with dtype="bf16".

Values: the float32 output equals the float64 reference on the bf16-rounded
x and w within float32 accumulation's bound (reference.py), over seeded
geometries (1-3-D, groups, dilation, pads, output padding); the bf16 output
is that float32 output rounded once, bit for bit; uint16 bit patterns in give
the same bits out as float32 rounded on the way in."""
import numpy as np
import pytest
import torch

import tconv
from bf16_reference import assert_bf16_within, bf16_round
from geometries import random_geometry, torch_kwargs
from reference import assert_close, crop_or_extend, gamma, torch_transpose, transpose_bound

SEEDS = range(40)


def torch_bits(a):
    """torch's own float32 -> bfloat16 rounding, as uint16 bits."""
    return torch.from_numpy(a).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)


def test_to_bf16_bits_rounds_to_nearest_even_as_torch():
    tie_down, tie_up = 1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8  # halfway: to the even neighbour
    special = np.array([0.0, -0.0, 1.0, tie_down, tie_up, -tie_up, 3.4028235e38, -3.4028235e38, np.inf, -np.inf,
                        1e-40, -1e-45, 2.0 ** -133], dtype=np.float32)
    bits = tconv.to_bf16_bits(special)
    assert bits.dtype == np.uint16 and bits.shape == special.shape
    assert list(bits[:5]) == [0x0000, 0x8000, 0x3F80, 0x3F80, 0x3F82]
    assert list(bits[6:10]) == [0x7F80, 0xFF80, 0x7F80, 0xFF80]  # past the largest bf16: Inf
    x = np.random.default_rng(3).standard_normal(4096).astype(np.float32) * np.float32(1e3)
    for a in (special, x, x.reshape(64, 64)[:, ::2]):  # a strided view too
        assert np.array_equal(tconv.to_bf16_bits(a), torch_bits(np.ascontiguousarray(a)))
    nan = tconv.to_bf16_bits(np.array([np.nan, -np.nan], dtype=np.float32))
    assert list(nan) == [0x7FC0, 0x7FC0]
    # widening is exact: bits -> float32 -> bits round-trips every pattern
    every = np.arange(65536, dtype=np.uint16)
    f = tconv.from_bf16_bits(every)
    assert f.dtype == np.float32
    finite = np.isfinite(f) | np.isinf(f)
    assert np.array_equal(tconv.to_bf16_bits(f)[finite], every[finite])
    assert np.array_equal(f.view(np.uint32)[finite] >> 16, every[finite].astype(np.uint32))


@pytest.mark.parametrize("seed", SEEDS)
def test_bf16_matches_reference_on_rounded_values(seed):
    g = random_geometry(seed)
    kw = torch_kwargs(g)
    xr, wr = bf16_round(g["x"]), bf16_round(g["w"])
    ref = torch_transpose(xr, wr, g["b"], **kw)
    bound = transpose_bound(xr, wr, g["b"], **kw)
    threads = 1 + seed % 2
    y = tconv.conv_transpose(g["x"], g["w"], g["b"], dtype="bf16", threads=threads, **kw)
    assert_close(y, ref, bound)
    y_bits = tconv.conv_transpose(g["x"], g["w"], g["b"], dtype="bf16", threads=threads, out_dtype=np.uint16, **kw)
    assert np.array_equal(y_bits, tconv.to_bf16_bits(y))  # rounded once, from the same accumulators
    assert_bf16_within(y_bits, ref, bound)
    # ref, the other algorithm that computes bf16, within the same bound
    assert_close(tconv.conv_transpose(g["x"], g["w"], g["b"], dtype="bf16", algorithm="ref", **kw), ref, bound)


@pytest.mark.parametrize("pads", [(1, 0, 2, -1), (-1, 2, 0, 1)])
def test_bf16_asymmetric_and_negative_pads(pads):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 5, 4)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 4)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    xr, wr = bf16_round(x), bf16_round(w)
    kw = dict(stride=(2, 3), groups=3, dilation=(1, 2))
    full = torch_transpose(xr, wr, None, **kw)
    out_spatial = [full.shape[2 + a] - pads[a] - pads[2 + a] for a in range(2)]
    ref = crop_or_extend(full, pads[:2], pads[2:], b, out_spatial)
    mag = crop_or_extend(torch_transpose(np.abs(xr), np.abs(wr), None, **kw), pads[:2], pads[2:], np.abs(b),
                         out_spatial)
    bound = gamma(2 * 12 + 1 + 2) * mag + 1e-30  # reference.py's: n = Cin/groups * prod(kernel) + 1 (bias)
    y = tconv.conv_transpose(x, w, b, pads=pads, dtype="bf16", **kw)
    assert_close(y, ref, bound)
    assert_bf16_within(tconv.conv_transpose(x, w, b, pads=pads, dtype="bf16", out_dtype=np.uint16, **kw), ref, bound)


@pytest.mark.parametrize("threads", [1, 2])
def test_bf16_kernel_layer(threads):
    """Channels enough for phase's bf16 kernels (not the widening route the
    small random geometries mostly take)."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 32, 6, 7)).astype(np.float32)
    w = rng.standard_normal((32, 48, 4, 4)).astype(np.float32)
    b = rng.standard_normal(48).astype(np.float32)
    kw = dict(stride=2, padding=1)
    plan = tconv.Plan(w, b, input_shape=x.shape, dtype="bf16", threads=threads, **kw)
    # dpbf16 where the CPU has AVX512_BF16, else the widening bf16 kernels;
    # on a CPU with AMX-BF16 the AMX tiles or the f32 route (which one is
    # tests/phase_bf16_sweep_test.cc's matter).
    assert plan.kernel.startswith("bf16_phase_") or plan.kernel.endswith("(bf16 widened to f32)")
    xr, wr = bf16_round(x), bf16_round(w)
    ref, bound = torch_transpose(xr, wr, b, **kw), transpose_bound(xr, wr, b, **kw)
    y = plan(x)
    assert_close(y, ref, bound)
    y_bits = plan(tconv.to_bf16_bits(x), out_dtype=np.uint16)
    assert np.array_equal(y_bits, tconv.to_bf16_bits(y))
    assert_bf16_within(y_bits, ref, bound)


@pytest.mark.parametrize("cout", [48, 3])
def test_bf16_channels_last_is_channels_first_transposed(cout):
    """layout="nhwc": the dot kernels read and write channels last
    themselves (48 output channels), the widening route runs between
    conversions (3); either way the NCHW plan's bits, transposed."""
    rng = np.random.default_rng(10)
    x = rng.standard_normal((2, 32, 6, 7)).astype(np.float32)
    w = rng.standard_normal((32, cout, 4, 4)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    kw = dict(stride=2, padding=1, dtype="bf16", threads=2)
    x_nhwc = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    first = tconv.Plan(w, b, input_shape=x.shape, **kw)
    last = tconv.Plan(w, b, input_shape=x_nhwc.shape, layout="nhwc", **kw)
    assert last.kernel == first.kernel
    assert last.output_shape == (2, 12, 14, cout)
    assert np.array_equal(last(x_nhwc), first(x).transpose(0, 2, 3, 1))
    assert np.array_equal(last(tconv.to_bf16_bits(x_nhwc), out_dtype=np.uint16),
                          first(tconv.to_bf16_bits(x), out_dtype=np.uint16).transpose(0, 2, 3, 1))


def test_uint16_bits_in_equal_float32_rounded_in():
    g = random_geometry(7)
    kw = torch_kwargs(g)
    x_bits, w_bits = tconv.to_bf16_bits(g["x"]), tconv.to_bf16_bits(g["w"])
    plan_f = tconv.Plan(g["w"], g["b"], input_shape=g["x"].shape, dtype="bf16", **kw)
    plan_b = tconv.Plan(w_bits, g["b"], input_shape=g["x"].shape, dtype="bf16", **kw)
    assert plan_f.dtype == plan_b.dtype == "bf16" and "dtype='bf16'" in repr(plan_f)
    y = plan_f(g["x"])
    for plan in (plan_f, plan_b):
        for xin in (g["x"], x_bits, bf16_round(g["x"])):
            assert np.array_equal(plan(xin).view(np.uint32), y.view(np.uint32))
            assert np.array_equal(plan(xin, out_dtype=np.uint16), tconv.to_bf16_bits(y))
    x0 = g["x"].copy()
    plan_f(g["x"])
    assert np.array_equal(g["x"], x0)  # rounding goes into a copy


def test_run_into_out_arrays():
    g = random_geometry(11)
    kw = torch_kwargs(g)
    plan = tconv.Plan(g["w"], g["b"], input_shape=g["x"].shape, dtype="bf16", **kw)
    y = plan(g["x"])
    out32 = np.full(plan.output_shape, np.nan, dtype=np.float32)
    assert plan.run(g["x"], out=out32) is out32 and np.array_equal(out32, y)
    out16 = np.zeros(plan.output_shape, dtype=np.uint16)
    assert plan.run(g["x"], out=out16) is out16  # a uint16 out: bf16 bits
    assert np.array_equal(out16, tconv.to_bf16_bits(y))
    assert plan.run(g["x"], out=out16, out_dtype="uint16") is out16
    with pytest.raises(ValueError, match="out has dtype uint16 but out_dtype is float32"):
        plan.run(g["x"], out=out16, out_dtype=np.float32)
    with pytest.raises(ValueError, match="out has shape"):
        plan.run(g["x"], out=np.zeros(3, dtype=np.uint16))


def test_explain_reports_dtype_and_refusals():
    w = np.ones((4, 2, 4, 4), dtype=np.float32)
    e = tconv.explain((1, 4, 8, 8), w, stride=2, padding=1, dtype="bf16")
    assert e["dtype"] == "bf16" and e["algorithm"] == "phase"
    refused = {d["name"]: d["refused"] for d in e["estimates"]}
    assert refused["phase"] == refused["ref"] == refused["gemm_col2im"] == ""
    assert "f32 only" in refused["gather"]
    assert tconv.explain((1, 4, 8, 8), w, stride=2, padding=1)["dtype"] == "f32"
    plan = tconv.Plan(w, input_shape=(1, 4, 8, 8), stride=2, padding=1, dtype="bf16")
    assert plan.explain()["dtype"] == "bf16" and "bf16" in plan.kernel  # a bf16 kernel, or "(bf16 widened to f32)"
    with pytest.raises(ValueError, match="gather computes f32 only"):
        tconv.explain((1, 4, 8, 8), w, stride=2, padding=1, dtype="bf16", algorithm="gather")


def test_errors():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 4, 5, 5)).astype(np.float32)
    w = rng.standard_normal((4, 2, 3, 3)).astype(np.float32)
    with pytest.raises(ValueError, match=r"dtype must be 'f32', 'bf16' or 'int8' \(got 'f16'\)"):
        tconv.conv_transpose(x, w, dtype="f16")
    with pytest.raises(TypeError, match="dtype must be a str"):
        tconv.Plan(w, input_shape=x.shape, dtype=np.float32)
    for algo in ("zero_insert", "gather"):
        with pytest.raises(ValueError, match="algorithm {} computes f32 only; bf16: auto, phase, gemm_col2im or ref".format(algo)):
            tconv.Plan(w, input_shape=x.shape, dtype="bf16", algorithm=algo)
    plan32 = tconv.Plan(w, input_shape=x.shape)
    with pytest.raises(ValueError, match="x has dtype uint16 but this plan computes f32.*dtype='bf16'"):
        plan32(tconv.to_bf16_bits(x))
    with pytest.raises(ValueError, match="needs a bf16 plan"):
        plan32(x, out_dtype=np.uint16)
    assert np.array_equal(plan32(x, out_dtype=np.float32), plan32(x))
    plan = tconv.Plan(w, input_shape=x.shape, dtype="bf16")
    with pytest.raises(ValueError, match="x has dtype float64 but a bf16 plan takes uint16"):
        plan(x.astype(np.float64))
    with pytest.raises(ValueError, match="not C-contiguous"):
        plan(np.asfortranarray(tconv.to_bf16_bits(x)))
    with pytest.raises(ValueError, match=r"x has shape \(1, 4, 5, 6\)"):
        plan(np.zeros((1, 4, 5, 6), dtype=np.uint16))
    with pytest.raises(ValueError, match="out_dtype must be numpy.float32 or numpy.uint16"):
        plan(x, out_dtype=np.float64)
    with pytest.raises(ValueError, match="out_dtype must be"):
        plan(x, out_dtype="bf16")
    with pytest.raises(ValueError, match="weight has dtype float64"):
        tconv.Plan(w.astype(np.float64), input_shape=x.shape, dtype="bf16")
    with pytest.raises(ValueError, match="rounds float32"):
        tconv.to_bf16_bits(x.astype(np.float64))
    with pytest.raises(ValueError, match="takes uint16"):
        tconv.from_bf16_bits(x)


def test_empty_batch():
    w = np.ones((4, 2, 3, 3), dtype=np.float32)
    y = tconv.conv_transpose(np.zeros((0, 4, 5, 5), dtype=np.uint16), w, dtype="bf16", out_dtype=np.uint16)
    assert y.shape == (0, 2, 7, 7) and y.dtype == np.uint16
