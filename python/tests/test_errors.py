"""Bad input from Python: each case raises ValueError naming the problem,
never crashes the interpreter (a crash would end this pytest process)."""
import numpy as np
import pytest

import tconv

X = np.zeros((1, 4, 5, 5), np.float32)
W = np.zeros((4, 2, 3, 3), np.float32)
B = np.zeros(2, np.float32)


def unaligned_x():
    buf = np.zeros(X.size * 4 + 1, np.uint8)
    return np.frombuffer(buf.data, dtype=np.float32, count=X.size, offset=1).reshape(X.shape)


ARRAY_CASES = [
    # (x, weight, bias, message)
    (X.astype(np.float64), W, None, "x has dtype float64"),
    (X.astype(np.float16), W, None, "x has dtype float16"),
    (X.astype(np.int32), W, None, "x has dtype int32"),
    (X, W.astype(np.float64), None, "weight has dtype float64"),
    (X, W, B.astype(np.int64), "bias has dtype int64"),
    (X.astype(">f4"), W, None, "x has dtype >f4"),
    (X.tolist(), W, None, "x must be a numpy.ndarray of float32 \\(got list\\)"),
    (X, "w", None, "weight must be a numpy.ndarray"),
    (np.zeros((1, 4, 5, 10), np.float32)[..., ::2], W, None, "x is not C-contiguous"),
    (np.ascontiguousarray(X.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)[:, :, :, :], W, None,
     "x is not C-contiguous"),
    (X, np.asfortranarray(W), None, "weight is not C-contiguous"),
    (unaligned_x(), W, None, "x is not aligned"),
    (np.zeros((4, 5, 5), np.float32), W, None, "weight has shape \\(4, 2, 3, 3\\) of rank 4 but x has rank 3"),
    (np.zeros((1, 4), np.float32), np.zeros((4, 2), np.float32), None, "x has shape \\(1, 4\\) of rank 2"),
    (np.zeros((1, 4, 2, 2, 2, 2), np.float32), np.zeros((4, 2, 1, 1, 1, 1), np.float32), None, "rank 6"),
    (np.zeros((1, 3, 5, 5), np.float32), W, None, "weight dim 0 is 4 but must equal the input channels 3"),
    (X, W, np.zeros(3, np.float32), "bias has shape \\(3,\\), expected \\(2,\\)"),
    (X, W, np.zeros((2, 1), np.float32), "bias has shape \\(2, 1\\), expected \\(2,\\)"),
    (np.zeros((1, 4, 0, 5), np.float32), W, None, "input size\\[0\\] must be >= 1 \\(got 0\\)"),
    (X, np.zeros((4, 0, 3, 3), np.float32), None, "output channels must be >= 1 \\(got 0\\)"),
    (X, np.zeros((4, 2, 0, 3), np.float32), None, "kernel\\[0\\] must be >= 1"),
]


@pytest.mark.parametrize("x,w,b,message", ARRAY_CASES)
def test_bad_arrays(x, w, b, message):
    with pytest.raises(ValueError, match=message):
        tconv.conv_transpose(x, w, b)


ARG_CASES = [
    (dict(stride=0), "stride\\[0\\] must be >= 1 \\(got 0\\)"),
    (dict(stride=-2), "stride\\[0\\] must be >= 1 \\(got -2\\)"),
    (dict(stride=(1, 2, 3)), "stride has 3 values but the input has 2 spatial axes"),
    (dict(stride=1.5), "stride must be an int or a sequence of ints \\(got float\\)"),
    (dict(stride="2"), "stride must be an int or a sequence of ints \\(got str\\)"),
    (dict(stride=True), "stride must be an int or a sequence of ints \\(got bool\\)"),
    (dict(stride=2 ** 70), "stride does not fit in 64 bits"),
    (dict(dilation=-1), "dilation\\[0\\] must be >= 1"),
    (dict(output_padding=-1), "output_padding\\[0\\] must be >= 0"),
    (dict(padding=5), "output length of axis 0 is -3, must be >= 1"),
    (dict(groups=0), "groups must be >= 1 \\(got 0\\)"),
    (dict(groups=-3), "groups must be >= 1"),
    (dict(groups=3), "input channels 4 must be divisible by groups 3"),
    (dict(output_size=(20, 20)), "output_size\\[0\\] is 20 but must be in \\[7, 7\\]"),
    (dict(output_size=(-1, 7)), "output_size\\[0\\] is -1"),
    (dict(output_size=(7,)), "output_size has 1 values but the input has 2 spatial axes"),
    (dict(output_size=(7, 7), output_padding=1), "give output_size or output_padding, not both"),
    (dict(padding=1, pads=(0, 0, 1, 1)), "give padding or pads, not both"),
    (dict(pads=(1, 1)), "pads has 2 values but must have 4"),
    (dict(pads=(1, 1, 1, 1), auto_pad="same_upper"), "padding/pads cannot be combined"),
    (dict(auto_pad="same"), "auto_pad must be one of notset, same_upper, same_lower, valid \\(got 'same'\\)"),
    (dict(output_shape=(-3, 4)), "output_shape\\[0\\] must be >= 1 \\(got -3\\)"),
    (dict(target_shape=(8, 8), output_shape=(8, 8)), "target_shape cannot be combined"),
    (dict(algorithm="winograd"), "must be auto or one of phase, .* \\(got 'winograd'\\)"),
    (dict(threads=0), "threads must be >= 1 \\(got 0\\)"),
    (dict(threads=10 ** 6), "threads must be <="),
    (dict(layout="nchwc"), "layout must be nchw \\(channels first\\) or nhwc"),
]


@pytest.mark.parametrize("kwargs,message", ARG_CASES)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tconv.conv_transpose(X, W, B, **kwargs)


def test_huge_sizes_are_refused_not_allocated():
    with pytest.raises(ValueError, match="must be <="):
        tconv.explain((1, 1, 2 ** 31, 2 ** 31), (1, 1, 3, 3))
    with pytest.raises(ValueError):
        tconv.explain((2 ** 20, 2 ** 20, 2 ** 10, 2 ** 10), (2 ** 20, 1, 3, 3))


def test_plan_run_checks_its_arguments():
    plan = tconv.Plan(W, B, input_shape=X.shape)
    with pytest.raises(ValueError, match="x has shape \\(1, 4, 6, 5\\) but this plan takes \\(1, 4, 5, 5\\)"):
        plan(np.zeros((1, 4, 6, 5), np.float32))
    with pytest.raises(ValueError, match="x has dtype float64"):
        plan(X.astype(np.float64))
    with pytest.raises(ValueError, match="out has shape \\(1, 2, 7, 6\\) but this plan writes \\(1, 2, 7, 7\\)"):
        plan.run(X, out=np.zeros((1, 2, 7, 6), np.float32))
    with pytest.raises(ValueError, match="out has dtype float64"):
        plan.run(X, out=np.zeros((1, 2, 7, 7)))
    ro = np.zeros((1, 2, 7, 7), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        plan.run(X, out=ro)
    with pytest.raises(ValueError, match="out is not C-contiguous"):
        plan.run(X, out=np.zeros((1, 2, 7, 14), np.float32)[..., ::2])


def test_output_overlapping_input_is_refused():
    # Cin = Cout and stride 1, kernel 1: x and y have the same size, so a
    # caller might try to run in place; the plan would read overwritten data.
    w = np.zeros((2, 2, 1, 1), np.float32)
    x = np.zeros((1, 2, 4, 4), np.float32)
    plan = tconv.Plan(w, input_shape=x.shape)
    with pytest.raises(ValueError, match="out shares memory with x"):
        plan.run(x, out=x)


def test_plan_constructor_errors():
    with pytest.raises(ValueError, match="input_shape must be a sequence of ints"):
        tconv.Plan(W, input_shape=5)
    with pytest.raises(ValueError, match="weight dim 0 is 4 but must equal the input channels 3"):
        tconv.Plan(W, input_shape=(1, 3, 5, 5))
    with pytest.raises(TypeError):
        tconv.Plan(W)  # input_shape is required (keyword-only)


def test_conv_errors():
    w = np.zeros((2, 4, 3, 3), np.float32)
    with pytest.raises(ValueError, match="weight dim 1 is 4 and groups is 2: dim1 \\* groups must equal"):
        tconv.conv(X, w, groups=2)
    with pytest.raises(ValueError, match="x has dtype float64"):
        tconv.conv(X.astype(np.float64), w)
    with pytest.raises(ValueError, match="stride\\[1\\] must be >= 1"):
        tconv.conv(X, w, stride=(1, 0))


@pytest.mark.parametrize("x_shape,w_shape,message", [
    ((1, 2, -3, 4), (2, 2, 3, 3), "input size\\[0\\] must be >= 1 \\(got -3\\)"),
    ((-1, 2, 3, 4), (2, 2, 3, 3), "batch"),
    ((1, -2, 3, 4), (-2, 2, 3, 3), "input channels must be >= 1"),
    ((1, 2, 3, 4), (2, 2, -3, 3), "kernel\\[0\\] must be >= 1 \\(got -3\\)"),
    ((1, 2, 3, 2 ** 70), (2, 2, 3, 3), "x\\[3\\] does not fit in 64 bits"),
    ((1, 2, 3, 4.0), (2, 2, 3, 3), "x\\[3\\] must be an int \\(got float\\)"),
])
def test_negative_and_bad_shapes(x_shape, w_shape, message):
    with pytest.raises(ValueError, match=message):
        tconv.explain(x_shape, w_shape)
    if all(isinstance(v, int) and 0 <= v < 2 ** 20 for v in w_shape):
        with pytest.raises(ValueError, match=message.replace("x\\[", "input_shape\\[")):
            tconv.Plan(np.zeros(w_shape, np.float32), input_shape=x_shape)


def test_numpy_integers_are_accepted():
    y = tconv.conv_transpose(X, W, B, stride=np.int64(2), padding=(np.int32(1), 1), groups=np.int8(1))
    assert y.shape == (1, 2, 9, 9)
