"""tconv.overlap_map, checkerboard_score, phase_sums and icnr against small
independent computations in numpy: the overlap count as a scatter of ones,
its steady state read off a large input, per-phase sums by masking taps,
and ICNR by its defining property."""
import itertools

import numpy as np
import pytest

import tconv


def scatter_ones_1d(x, k, s, d=1, p=0, a=0):
    """One channel, ones weights: y_full[i*s + t*d] += x[i], then the crop
    of torch's ConvTranspose1d (pad p both sides, output_padding a)."""
    n = len(x)
    full = np.zeros((n - 1) * s + d * (k - 1) + 1 + a)
    for i in range(n):
        for t in range(k):
            full[i * s + t * d] += x[i]
    return full[p:len(full) - p]


def scatter_ones(x, layer):
    """The N-D map, axis by axis (ones weights make the kernel separable)."""
    for axis in range(x.ndim):
        x = np.apply_along_axis(lambda v: scatter_ones_1d(v, **layer), axis, x)
    return x


def as_kw(layer):
    return {"kernel_size": layer["k"], "stride": layer["s"], "dilation": layer.get("d", 1),
            "padding": layer.get("p", 0), "output_padding": layer.get("a", 0)}


def full_layer(layer):
    return {"k": layer["k"], "s": layer["s"], "d": layer.get("d", 1), "p": layer.get("p", 0), "a": layer.get("a", 0)}


STACKS = [
    [{"k": 3, "s": 2}],
    [{"k": 4, "s": 2, "p": 1}],
    [{"k": 3, "s": 2, "p": 1, "a": 1}],
    [{"k": 3, "s": 3, "d": 2}],
    [{"k": 5, "s": 2, "d": 2, "p": 2}],
    [{"k": 3, "s": 2}, {"k": 3, "s": 2}],
    [{"k": 4, "s": 2, "p": 1}, {"k": 3, "s": 2, "p": 1, "a": 1}, {"k": 2, "s": 1}],
]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("input_size", [(7,), (5, 6), (3, 4, 2)])
@pytest.mark.parametrize("method", ["count", "run"])
def test_overlap_map_is_the_scatter_of_ones(stack, input_size, method):
    want = np.ones(input_size)
    for layer in stack:
        want = scatter_ones(want, full_layer(layer))
    counts, interior = tconv.overlap_map(input_size, [as_kw(l) for l in stack], method=method)
    assert counts.dtype == np.float64 and interior.dtype == np.bool_
    assert counts.shape == want.shape == interior.shape
    np.testing.assert_array_equal(counts, want)


def interior_1d(n, k, s, d=1, p=0, a=0):
    """Output u is interior when every tap that reaches it comes from an
    input index inside [0, n)."""
    length = (n - 1) * s + d * (k - 1) + 1 + a - 2 * p
    out = []
    for u in range(p, p + length):
        sources = [(u - t * d) // s for t in range(k) if (u - t * d) % s == 0]
        out.append(all(0 <= i < n for i in sources))
    return np.array(out)


@pytest.mark.parametrize("layer", [{"k": 3, "s": 2}, {"k": 4, "s": 2, "p": 1}, {"k": 5, "s": 3, "p": 2, "a": 1}])
def test_interior_of_one_layer(layer):
    _, interior = tconv.overlap_map((6, 9), [as_kw(layer)])
    want = np.logical_and.outer(interior_1d(6, **layer), interior_1d(9, **layer))
    np.testing.assert_array_equal(interior, want)


@pytest.mark.parametrize("stack", STACKS)
def test_score_is_the_steady_state_of_a_large_input(stack):
    """The middle of a long 1-D input is the steady state: its max / min is
    the score, and its values repeat the reported pattern."""
    want = np.ones(60)
    for layer in stack:
        want = scatter_ones(want, full_layer(layer))
    mid = want[len(want) // 3: 2 * len(want) // 3]
    res = tconv.checkerboard_score([as_kw(l) for l in stack], ndim=1)
    assert res["min"] == mid.min() and res["max"] == mid.max()
    assert res["score"] == pytest.approx(mid.max() / mid.min()) if mid.min() > 0 else res["score"] == np.inf
    period = res["pattern"][0]
    start = len(want) // 3
    for o in range(start, start + 2 * len(period)):
        assert want[o] == period[o % len(period)]


def test_score_closed_forms():
    # k3 s2: 1, 2 taps alternate -> 2; k4 s2: 2 everywhere -> 1; 2-D squares it.
    assert tconv.checkerboard_score({"kernel_size": 3, "stride": 2}, ndim=1)["score"] == 2.0
    assert tconv.checkerboard_score({"kernel_size": 4, "stride": 2}, ndim=1)["score"] == 1.0
    assert tconv.checkerboard_score({"kernel_size": 3, "stride": 2})["score"] == 4.0  # ndim=2 by default
    # Three stacked k3 s2 layers (docs/CHECKERBOARD.md): 1..5 per axis, 25 in 2-D.
    assert tconv.checkerboard_score([{"kernel_size": 3, "stride": 2}] * 3)["score"] == 25.0
    # k < s: a phase receives nothing.
    assert tconv.checkerboard_score({"kernel_size": 2, "stride": 3}, ndim=1)["score"] == np.inf
    # per-axis values: k (3, 4), s 2 -> 2 on the first axis only.
    res = tconv.checkerboard_score({"kernel_size": (3, 4), "stride": 2}, ndim=2)
    assert res["score"] == 2.0
    np.testing.assert_array_equal(res["pattern"][1], [2.0, 2.0])


def numpy_phase_sums(w, stride, dilation):
    cin, cog = w.shape[:2]
    ks = w.shape[2:]
    out = np.zeros((cin, cog) + tuple(stride))
    for taps in itertools.product(*[range(k) for k in ks]):
        phase = tuple((t * d) % s for t, d, s in zip(taps, dilation, stride))
        out[(slice(None), slice(None)) + phase] += w[(slice(None), slice(None)) + taps]
    return out


@pytest.mark.parametrize("shape,stride,dilation,groups", [
    ((3, 2, 4, 4), (2, 2), (1, 1), 1),
    ((4, 1, 3, 5), (2, 3), (1, 2), 4),
    ((2, 3, 5), (3,), (2,), 1),
    ((2, 2, 3, 3, 2), (2, 1, 2), (1, 1, 1), 2),
])
def test_phase_sums_match_masked_tap_sums(shape, stride, dilation, groups):
    w = np.random.default_rng(len(shape)).standard_normal(shape).astype(np.float32)
    res = tconv.phase_sums(w, stride, dilation=dilation, groups=groups)
    want = numpy_phase_sums(w.astype(np.float64), stride, dilation)
    np.testing.assert_allclose(res["sums"], want, rtol=1e-6, atol=1e-6)
    flat = want.reshape(want.shape[0], want.shape[1], -1)
    np.testing.assert_allclose(res["spread"], flat.max(axis=2) - flat.min(axis=2), rtol=1e-6, atol=1e-6)
    assert res["max_spread"] == pytest.approx(res["spread"].max())


def test_phase_sums_of_a_smooth_kernel_are_flat():
    # k4 s2 with a weight constant per phase class: zero spread.
    w = np.ones((1, 1, 4, 4), np.float32)
    assert tconv.phase_sums(w, 2)["max_spread"] == 0.0
    w3 = np.ones((1, 1, 3, 3), np.float32)  # k3 s2: phases hold 4, 2, 2, 1 taps
    np.testing.assert_array_equal(tconv.phase_sums(w3, 2)["sums"][0, 0], [[4, 2], [2, 1]])


def test_icnr_repeats_each_channel_and_upsamples_by_nearest():
    rng = np.random.default_rng(3)
    base = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    r = 2
    w = tconv.icnr(base, r)
    assert w.shape == (8, 3, 3, 3) and w.dtype == np.float32
    for c in range(2):
        for j in range(r * r):
            np.testing.assert_array_equal(w[c * r * r + j], base[c])
    # The point of it: pixel_shuffle(conv(x, icnr)) == nearest upsample of conv(x, base).
    x = rng.standard_normal((1, 3, 5, 6)).astype(np.float32)
    low = tconv.conv(x, base, padding=1)
    sub = tconv.pixel_shuffle(tconv.conv(x, w, padding=1), r)
    # (Equal up to rounding: the two convolutions may run different algorithms.)
    np.testing.assert_allclose(sub, low.repeat(r, axis=2).repeat(r, axis=3), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("call,needle", [
    (lambda: tconv.overlap_map((5,), {"kernel_size": 3, "stride": 0}), "stride"),
    (lambda: tconv.overlap_map((5,), {"kernel_size": 3}), "stride is required"),
    (lambda: tconv.overlap_map((5,), {"kernel_size": 3, "stride": 2, "pad": 1}), "unknown key pad"),
    (lambda: tconv.overlap_map((5,), []), "empty"),
    (lambda: tconv.overlap_map((0,), {"kernel_size": 3, "stride": 2}), "input_size"),
    (lambda: tconv.overlap_map((5, 5, 5, 5), {"kernel_size": 3, "stride": 2}), "input_size"),
    (lambda: tconv.overlap_map((5,), {"kernel_size": (3, 3), "stride": 2}), "kernel_size"),
    (lambda: tconv.overlap_map((1000, 1000, 100), {"kernel_size": 3, "stride": 2}), r"2\^26"),
    (lambda: tconv.overlap_map((5,), {"kernel_size": 3, "stride": 2}, method="guess"), "method"),
    (lambda: tconv.overlap_map((5,), 3), "layers"),
    (lambda: tconv.checkerboard_score({"kernel_size": -1, "stride": 2}), "kernel"),
    (lambda: tconv.phase_sums(np.ones((2, 2), np.float32), 2), "rank"),
    (lambda: tconv.phase_sums(np.ones((2, 2, 3), np.float64), 2), "float32"),
    (lambda: tconv.phase_sums(np.ones((2, 2, 3), np.float32), 0), "stride"),
    (lambda: tconv.phase_sums(np.ones((3, 2, 3), np.float32), 2, groups=2), "groups"),
    (lambda: tconv.phase_sums(np.ones((2, 2, 3, 3, 3), np.float32), 2 ** 20), r"2\^26"),
    (lambda: tconv.icnr(np.ones((2, 3, 3, 3), np.float32), 0), "factor"),
    (lambda: tconv.icnr(np.ones((2, 3, 3, 3), np.float32), 10 ** 6), r"2\^32"),
    (lambda: tconv.icnr(np.ones((0, 3, 3, 3), np.float32), 2), ">= 1"),
    (lambda: tconv.icnr(np.ones((2, 3), np.float32), 2), "shape"),
])
def test_bad_input_raises_value_error(call, needle):
    with pytest.raises(ValueError, match=needle):
        call()
