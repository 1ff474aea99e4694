"""The two grid measures of the trained comparison, in numpy.

tconv's Python module has no checkerboard analysis (it lives in the C++
library, include/tconv/checkerboard.h), so these are small re-statements of
its definitions (docs/CHECKERBOARD.md):

* phase-sum spread (PhaseKernelSums): for each (input, output) channel pair
  of a stride-s upsampling layer, sum the kernel taps that feed each output
  phase (output index mod s per axis) and take max - min over the s^2
  phases; the layer's value is the worst pair. Zero exactly when a constant
  input gives a constant output (no grid from this layer).
* phase-mean spread (PhaseMeanSpread): the mean of an image batch over each
  phase class (index mod P on both axes), away from a border margin, per
  channel; the largest max - min over channels. A grid of period P shows up
  at about its amplitude; content averages out.
"""
import numpy as np


def deconv_phase_sums(w, stride, pad=1):
    """w: transposed-conv weight (Cin, Cout, k, k). Tap t feeds the outputs
    o with o + pad - t divisible by s, i.e. the output phase (t - pad) mod s.
    Returns (Cin, Cout, s, s), indexed by output phase (y mod s, x mod s)."""
    cin, cout, kh, kw = w.shape
    sums = np.zeros((cin, cout, stride, stride))
    for ty in range(kh):
        for tx in range(kw):
            sums[:, :, (ty - pad) % stride, (tx - pad) % stride] += w[:, :, ty, tx]
    return sums


def resize_conv_as_deconv(w, stride):
    """Nearest upsample by s + conv (Cout, Cin, k, k), pads k//2, as the
    equivalent transposed conv (Cin, Cout, k+s-1, k+s-1), pad k-1-k//2
    (1 for k 3): per axis
    w'[q] = sum of the flipped kernel over s taps (NearestUpsampleConvAsDeconv
    in the library, derivation in docs/CHECKERBOARD.md)."""
    cout, cin, k, _ = w.shape
    flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    n = k + stride - 1
    out = np.zeros((cin, cout, n, n))
    for qy in range(n):
        for qx in range(n):
            ys = [t for t in range(qy - stride + 1, qy + 1) if 0 <= t < k]
            xs = [t for t in range(qx - stride + 1, qx + 1) if 0 <= t < k]
            out[:, :, qy, qx] = flipped[:, :, ys][:, :, :, xs].sum(axis=(2, 3))
    return out


def subpixel_phase_sums(w, scale):
    """Sub-pixel conv weight (Cout*r^2, Cin, k, k) before PixelShuffle(r):
    phase (py, px) of output channel c is conv channel c*r^2 + py*r + px.
    Returns (Cin, Cout, r, r)."""
    r2 = scale * scale
    cout = w.shape[0] // r2
    sums = w.sum(axis=(2, 3)).reshape(cout, scale, scale, w.shape[1])
    return sums.transpose(3, 0, 1, 2)


def spread(phase_sums):
    """(worst max - min over phases, the largest |phase sum|) over all pairs."""
    flat = phase_sums.reshape(phase_sums.shape[0], phase_sums.shape[1], -1)
    return float((flat.max(axis=2) - flat.min(axis=2)).max()), float(np.abs(flat).max())


def layer_phase_sums(variant, layer):
    w = layer_weight(variant, layer)
    if variant.startswith("deconv"):
        return deconv_phase_sums(w, 2)
    if variant == "resize_conv":
        return deconv_phase_sums(resize_conv_as_deconv(w, 2), 2)
    return subpixel_phase_sums(w, 2)


def layer_weight(variant, layer):
    module = layer if variant.startswith("deconv") else layer.conv
    return module.weight.detach().double().numpy()


def _phase_classes(images, period, margin):
    """(N, C, H, W) -> (N, C, H'/P, P, W'/P, P) after cutting `margin` on each side."""
    x = np.asarray(images, dtype=np.float64)
    x = x[:, :, margin:x.shape[2] - margin, margin:x.shape[3] - margin]
    h, w = x.shape[2] - x.shape[2] % period, x.shape[3] - x.shape[3] % period
    return x[:, :, :h, :w].reshape(x.shape[0], x.shape[1], h // period, period, w // period, period)


def phase_mean_spread(images, period, margin):
    """images: (N, C, H, W). Max over channels of max - min of the phase-class means."""
    means = _phase_classes(images, period, margin).mean(axis=(0, 2, 4))  # (C, P, P)
    flat = means.reshape(means.shape[0], -1)
    return float((flat.max(axis=1) - flat.min(axis=1)).max())


def phase_mean_map(images, period, margin):
    """The (P, P) phase-class means over all channels, minus their mean: the grid alone."""
    m = _phase_classes(images, period, margin).mean(axis=(0, 1, 2, 4))
    return m - m.mean()


def clipped_fraction(images, lo=0.0, hi=1.0):
    """Share of values outside [lo, hi] (what a picture clamps)."""
    x = np.asarray(images)
    return float(np.mean((x < lo) | (x > hi)))
