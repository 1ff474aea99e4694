"""Reference results from torch (float64) and the error bound the tests allow.

Tolerance: tconv computes in float32, each output a sum of n products
(n = Cin/groups * prod(kernel) taps, plus the bias). Whatever the order of
summation (tconv's algorithms block and reorder sums; none uses a
fast-transform such as Winograd that would change the terms), the rounding
error of a float32 sum of n products is at most gamma(n+1) * sum |terms|,
with gamma(m) = m*u / (1 - m*u), u = 2**-24 (Higham, Accuracy and
Stability of Numerical Algorithms, 3.1 and 3.5). The reference is torch's
float64 result, whose own error is negligible beside that, and sum |terms|
is the float64 transposed convolution of |x| and |w| plus |bias|. So every
element must satisfy |y - ref| <= gamma(n + 2) * magnitude; a wrong tap,
pad or offset breaks it by far more.
"""
import numpy as np
import torch
import torch.nn.functional as F

U = 2.0 ** -24
TORCH_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
TORCH_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def t64(a):
    return None if a is None else torch.from_numpy(np.asarray(a, dtype=np.float64))


def gamma(n):
    return n * U / (1 - n * U)


def torch_transpose(x, w, b, **kw):
    nd = x.ndim - 2
    return TORCH_TRANSPOSE[nd](t64(x), t64(w), t64(b), **kw).numpy()


def transpose_bound(x, w, b, **kw):
    """Per-element error bound of a float32 transposed convolution."""
    nd = x.ndim - 2
    mag = TORCH_TRANSPOSE[nd](t64(np.abs(x)), t64(np.abs(w)), t64(None if b is None else np.abs(b)), **kw).numpy()
    groups = kw.get("groups", 1)
    n = (x.shape[1] // groups) * int(np.prod(w.shape[2:])) + 1
    return gamma(n + 2) * mag + 1e-30


def assert_close(y, ref, bound):
    assert y.dtype == np.float32
    assert y.shape == ref.shape
    err = np.abs(y.astype(np.float64) - ref)
    worst = np.unravel_index(np.argmax(err - bound), err.shape) if err.size else None
    assert np.all(err <= bound), "max excess at {}: |{} - {}| > {}".format(
        worst, y[worst], ref[worst], bound[worst])


def crop_or_extend(full, pad_begin, pad_end, bias, out_spatial):
    """A transposed convolution with pads from its uncropped (pads 0) result:
    output i of an axis is full[i + pad_begin] where that exists, else just
    the bias (a negative pad grows the output past the last contribution)."""
    n, c = full.shape[:2]
    out = np.zeros((n, c) + tuple(out_spatial))
    if bias is not None:
        out += np.asarray(bias, dtype=np.float64).reshape((1, c) + (1,) * len(out_spatial))
    src, dst = [slice(None)] * 2, [slice(None)] * 2
    for a, o in enumerate(out_spatial):
        lo = max(0, -pad_begin[a])
        hi = min(o, full.shape[2 + a] - pad_begin[a])
        if hi <= lo:
            return out
        dst.append(slice(lo, hi))
        src.append(slice(lo + pad_begin[a], hi + pad_begin[a]))
    out[tuple(dst)] += full[tuple(src)]
    return out
