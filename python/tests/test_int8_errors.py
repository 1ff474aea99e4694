"""dtype="int8" from Python: every bad argument raises ValueError with one
line naming it (the library's message for the quantization parameters, as
the CLI's without its flag names)."""
import numpy as np
import pytest

import tconv

RNG = np.random.default_rng(3)
X = RNG.integers(0, 256, (1, 4, 3, 3)).astype(np.uint8)
W = RNG.integers(-128, 128, (4, 2, 3, 3)).astype(np.int8)  # Cout 4 with groups 2
B = np.zeros(4, dtype=np.int32)
Q = dict(x_scale=0.02, w_scale=0.01, y_scale=0.05)


def run(x=X, w=W, b=B, **kw):
    args = dict(Q, dtype="int8", stride=2, groups=2)
    args.update(kw)
    return tconv.conv_transpose(x, w, b, **{k: v for k, v in args.items() if v is not ...})


def plan(**kw):
    args = dict(Q, dtype="int8", stride=2, groups=2, input_shape=X.shape)
    args.update(kw)
    return tconv.Plan(W, B, **{k: v for k, v in args.items() if v is not ...})


def test_valid_call_runs():
    assert run().shape == (1, 4, 7, 7) and plan().output_shape == (1, 4, 7, 7)


@pytest.mark.parametrize("kw,message", [
    (dict(x_scale=0.0), r"^x_scale must be finite and > 0 \(got 0\)$"),
    (dict(x_scale=-1.0), r"^x_scale must be finite and > 0 \(got -1\)$"),
    (dict(x_scale=float("nan")), r"^x_scale must be finite and > 0 \(got nan\)$"),
    (dict(x_scale=float("inf")), r"^x_scale must be finite and > 0 \(got inf\)$"),
    (dict(w_scale=0.0), r"^w_scale must be finite and > 0 \(got 0\)$"),
    (dict(w_scale=[0.1, 0.1, float("nan"), 0.1]), r"^w_scale\[2\] must be finite and > 0 \(got nan\)$"),
    (dict(y_scale=-0.5), r"^y_scale must be finite and > 0 \(got -0.5\)$"),
    (dict(x_zero_point=256), r"^x_zero_point must be in \[0, 255\] for u8 x \(got 256\)$"),
    (dict(x_zero_point=-1), r"^x_zero_point must be in \[0, 255\] for u8 x \(got -1\)$"),
    (dict(y_zero_point=300), r"^y_zero_point must be in \[0, 255\] for u8 y \(got 300\)$"),
    (dict(y_dtype=np.int8, y_zero_point=128), r"^y_zero_point must be in \[-128, 127\] for s8 y \(got 128\)$"),
    (dict(x_zero_point=2 ** 40), r"^x_zero_point is out of range"),
    (dict(x_zero_point=1.5), r"^x_zero_point must be an int \(got float\)$"),
    (dict(w_scale=[0.1, 0.2, 0.3]),
     r"^w_scale has 3 values: expected 1 \(per tensor\) or Cout = 4 \(per output channel\)$"),
    (dict(w_scale=np.ones((2, 2), np.float32)), r"^w_scale has 2 dimensions"),
    (dict(w_scale="0.1"), r"^w_scale must be a number or a 1-D array"),
    (dict(x_scale=True), r"^x_scale must be a number \(got bool\)$"),
    (dict(x_scale=...), r"^dtype='int8' needs x_scale"),
    (dict(w_scale=...), r"^dtype='int8' needs w_scale"),
    (dict(y_scale=...), r"^y_dtype uint8 needs y_scale"),
    (dict(y_dtype=np.float32), r"^y_scale and y_zero_point apply to y_dtype uint8 or int8, not float32"),
    (dict(y_dtype=np.float16), r"^y_dtype must be numpy.uint8, numpy.int8 or numpy.float32"),
    (dict(algorithm="gather"), r"^algorithm gather does not compute int8"),
    (dict(out_dtype=np.uint16), r"^out_dtype applies to bf16 plans"),
])
def test_bad_quantization(kw, message):
    with pytest.raises(ValueError, match=message):
        run(**kw)


@pytest.mark.parametrize("arrays,message", [
    (dict(x=X.astype(np.float32)), r"^x has dtype float32 but dtype='int8' takes x as uint8 or int8"),
    (dict(x=X.tolist()), r"^x must be a numpy.ndarray of uint8 or int8 \(got list\)$"),
    (dict(w=W.astype(np.float32)), r"^weight has dtype float32 but dtype='int8' takes an int8 weight"),
    (dict(w=W.view(np.uint8)), r"^weight has dtype uint8 but dtype='int8' takes an int8 weight"),
    (dict(b=B.astype(np.float32)), r"^bias has dtype float32 but dtype='int8' takes an int32 bias"),
    (dict(b=B.astype(np.int64)), r"^bias has dtype int64 but dtype='int8' takes an int32 bias"),
    (dict(b=np.zeros(3, np.int32)), r"bias"),
    (dict(x=np.asfortranarray(RNG.integers(0, 256, (1, 4, 3, 3)).astype(np.uint8))), r"^x is not C-contiguous"),
    (dict(w=np.ascontiguousarray(W[:2])), r"^weight dim 0 is 2 but must equal the input channels 4"),
])
def test_bad_arrays(arrays, message):
    with pytest.raises(ValueError, match=message):
        run(**arrays)


@pytest.mark.parametrize("kw", [dict(x_scale=0.1), dict(w_scale=[1.0]), dict(x_zero_point=3), dict(y_scale=1.0),
                                dict(y_zero_point=0), dict(y_dtype=np.uint8)])
def test_quantization_needs_dtype_int8(kw):
    x = np.zeros((1, 4, 3, 3), np.float32)
    w = np.zeros((4, 2, 3, 3), np.float32)
    name = next(iter(kw))
    for dtype in ("f32", "bf16"):
        with pytest.raises(ValueError, match="^{} applies to dtype='int8' only$".format(name)):
            tconv.conv_transpose(x, w, groups=2, dtype=dtype, **kw)
        with pytest.raises(ValueError, match="^{} applies to dtype='int8' only$".format(name)):
            tconv.Plan(w, input_shape=x.shape, groups=2, dtype=dtype, **kw)
    with pytest.raises(ValueError, match="^x_dtype applies to dtype='int8' only$"):
        tconv.Plan(w, input_shape=x.shape, groups=2, x_dtype=np.uint8)


def test_quantized_arrays_without_dtype_int8():
    x = np.zeros((1, 4, 3, 3), np.float32)
    with pytest.raises(ValueError, match="^weight has dtype int8 but this plan computes f32; .*dtype='int8'"):
        tconv.conv_transpose(x, W, groups=2)
    with pytest.raises(ValueError, match="^x has dtype uint8 but this plan computes f32; .*dtype='int8'"):
        tconv.conv_transpose(X, W.astype(np.float32), groups=2)
    with pytest.raises(ValueError, match="^x has dtype int8 but this plan computes bf16; .*dtype='int8'"):
        tconv.conv_transpose(X.view(np.int8), W.astype(np.float32), groups=2, dtype="bf16")


def test_plan_run_errors():
    p = plan()
    with pytest.raises(ValueError, match=r"^x has dtype int8 but this int8 plan takes uint8 x \(its x_dtype\)"):
        p(X.view(np.int8))
    with pytest.raises(ValueError, match=r"^x has shape \(1, 4, 3, 4\) but this plan takes \(1, 4, 3, 3\)$"):
        p(np.zeros((1, 4, 3, 4), np.uint8))
    with pytest.raises(ValueError, match=r"^out has dtype float32 but this int8 plan writes uint8 y"):
        p(X, out=np.zeros(p.output_shape, np.float32))
    with pytest.raises(ValueError, match=r"^out has shape"):
        p(X, out=np.zeros((1, 4, 7, 6), np.uint8))
    with pytest.raises(ValueError, match=r"^out is read-only"):
        ro = np.zeros(p.output_shape, np.uint8)
        ro.flags.writeable = False
        p(X, out=ro)
    with pytest.raises(ValueError, match=r"^x has shape \(1, 4, 3, 3\) but this plan takes \(1, 3, 3, 4\)$"):
        plan(input_shape=(1, 3, 3, 4), layout="nhwc")(X)
    with pytest.raises(ValueError, match=r"^x_dtype must be uint8 or int8 \(got float32\)$"):
        plan(x_dtype=np.float32)
    with pytest.raises(ValueError, match=r"^x_dtype must be numpy.uint8"):
        plan(x_dtype="uint16")


def test_accumulator_bound_is_refused():
    """Cin/groups x the taps of an output = 4200 * 16 products could overflow int32."""
    w = np.zeros((4200, 1, 4, 4), np.int8)
    with pytest.raises(ValueError, match=r"int8: an output may sum Cin/groups x its taps = 67200 products"):
        tconv.Plan(w, input_shape=(1, 4200, 2, 2), dtype="int8", x_scale=1, w_scale=1, y_scale=1)
