"""An integer reference for int8 transposed convolution, written from the
rule documented in include/tconv/quant.h and nothing of tconv's code:

    acc[n, c, o] = bias[c] + sum over the real contributions of (x - x_zero_point) * w   (int64, exact)
    y (uint8/int8) = clamp(round_half_even(double(acc) * M[c]) + y_zero_point, type min, type max),
        M[c] = (double(x_scale) * double(w_scale[c])) / double(y_scale)
    y (float32)    = float32(double(acc) * (double(x_scale) * double(w_scale[c])))

with every scale rounded to float32 first (QuantParams holds floats).
numpy.rint rounds half to even; the products and the quotient are single
IEEE double operations, so the values are the library's bit for bit.
"""
import numpy as np

LIMITS = {np.dtype(np.uint8): (0, 255), np.dtype(np.int8): (-128, 127)}


def full_accumulators(x, x_zero_point, w, stride, dilation, groups):
    """The uncropped sums (pads 0): (N, Cout, *L), L = (i-1)*s + d*(k-1) + 1, int64."""
    xs = x.astype(np.int64) - x_zero_point
    n, cin = xs.shape[:2]
    ins, ks = xs.shape[2:], w.shape[2:]
    cin_g, cout_g = cin // groups, w.shape[1]
    full_len = tuple((ins[a] - 1) * stride[a] + dilation[a] * (ks[a] - 1) + 1 for a in range(len(ins)))
    full = np.zeros((n, groups, cout_g) + full_len, dtype=np.int64)
    xg = xs.reshape((n, groups, cin_g) + tuple(ins))
    wg = w.astype(np.int64).reshape((groups, cin_g, cout_g) + tuple(ks))
    for tap in np.ndindex(*ks):
        wt = wg[(slice(None),) * 3 + tap]  # (groups, Cin/g, Cout/g)
        contrib = np.einsum("ngi...,gio->ngo...", xg, wt)  # int64, exact
        dst = tuple(slice(tap[a] * dilation[a], tap[a] * dilation[a] + (ins[a] - 1) * stride[a] + 1, stride[a])
                    for a in range(len(ins)))
        full[(slice(None),) * 3 + dst] += contrib
    return full.reshape((n, groups * cout_g) + full_len)


def accumulators(x, x_zero_point, w, bias, stride, dilation, pad_begin, pad_end, output_padding, groups):
    """acc (N, Cout, *out), int64: output position o of an axis is full[o + pad_begin] where that exists,
    else the bias alone (negative pads grow the output); out = L - pad_begin - pad_end + output_padding."""
    full = full_accumulators(x, x_zero_point, w, stride, dilation, groups)
    n, cout = full.shape[:2]
    out_len = [full.shape[2 + a] - pad_begin[a] - pad_end[a] + output_padding[a] for a in range(full.ndim - 2)]
    acc = np.zeros((n, cout) + tuple(out_len), dtype=np.int64)
    if bias is not None:
        acc += bias.astype(np.int64).reshape((1, cout) + (1,) * len(out_len))
    src, dst = [slice(None)] * 2, [slice(None)] * 2
    for a, o in enumerate(out_len):
        lo, hi = max(0, -pad_begin[a]), min(o, full.shape[2 + a] - pad_begin[a])
        if hi <= lo:
            return acc
        dst.append(slice(lo, hi))
        src.append(slice(lo + pad_begin[a], hi + pad_begin[a]))
    acc[tuple(dst)] += full[tuple(src)]
    return acc


def requantize(acc, x_scale, w_scale, y_dtype, y_scale=None, y_zero_point=0):
    """y from the int64 accumulators by quant.h's rule; w_scale one value or Cout."""
    cout = acc.shape[1]
    ws = np.asarray(w_scale, dtype=np.float32).astype(np.float64).reshape(-1)
    d = np.float64(np.float32(x_scale)) * np.broadcast_to(ws, (cout,))
    shape = (1, cout) + (1,) * (acc.ndim - 2)
    if np.dtype(y_dtype) == np.float32:
        return (acc.astype(np.float64) * d.reshape(shape)).astype(np.float32)
    m = d / np.float64(np.float32(y_scale))
    q = np.rint(acc.astype(np.float64) * m.reshape(shape)) + y_zero_point
    lo, hi = LIMITS[np.dtype(y_dtype)]
    return np.clip(q, lo, hi).astype(y_dtype)
