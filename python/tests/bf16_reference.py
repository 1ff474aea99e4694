"""bf16 helpers for the tests: rounding through tconv's conversions, and the
check that a bf16 output lies where rounding the f32 accumulators can put it.

A bf16 plan accumulates in float32 the exact products of bf16-rounded x and
w, so its float32 output y32 satisfies reference.py's bound: |y32 - ref| <=
bound, ref the float64 transposed convolution of the rounded values. Its
bf16 output is y32 rounded once to nearest even, and rounding is monotone,
so it lies between the roundings of ref - bound and ref + bound (taken to
float32 outwards first); a wrong tap moves it far outside."""
import numpy as np

import tconv


def bf16_round(a):
    """float32 a rounded to bf16, as float32 (exact values)."""
    return tconv.from_bf16_bits(tconv.to_bf16_bits(np.asarray(a, dtype=np.float32)))


def _f32_outwards(v, direction):
    f = v.astype(np.float32)
    wrong = f.astype(np.float64) > v if direction < 0 else f.astype(np.float64) < v
    return np.where(wrong, np.nextafter(f, np.float32(direction * np.inf)), f)


def assert_bf16_within(y_bits, ref, bound):
    """y_bits (uint16 bf16 bits) is round(y32) for some y32 with |y32 - ref| <= bound."""
    assert y_bits.dtype == np.uint16 and y_bits.shape == ref.shape
    y = tconv.from_bf16_bits(y_bits).astype(np.float64)
    lo = bf16_round(_f32_outwards(ref - bound, -1)).astype(np.float64)
    hi = bf16_round(_f32_outwards(ref + bound, 1)).astype(np.float64)
    ok = (lo <= y) & (y <= hi)
    if not np.all(ok):
        i = np.unravel_index(np.argmin(ok), ok.shape)
        raise AssertionError("y[{}] = {} outside [{}, {}] (ref {}, bound {})".format(
            i, y[i], lo[i], hi[i], ref[i], bound[i]))
