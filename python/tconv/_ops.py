"""Pixel shuffle and interpolation: torch.nn.functional's names and defaults."""
from tconv import _tconv


def pixel_shuffle(x, upscale_factor):
    """(N, C*r^D, *in) -> (N, C, *in*r), D = 1, 2 or 3 spatial axes;
    torch.nn.functional.pixel_shuffle for D = 2."""
    return _tconv.pixel_shuffle(x, upscale_factor)


def pixel_unshuffle(x, downscale_factor):
    """The inverse: (N, C, *out) -> (N, C*r^D, *out/r)."""
    return _tconv.pixel_unshuffle(x, downscale_factor)


def interpolate(x, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None):
    """torch.nn.functional.interpolate for mode "nearest" or "linear"
    ("bilinear", "trilinear"), 1-3 spatial axes: indices and weights as
    torch's CPU kernel computes them (include/tconv/resample.h)."""
    return _tconv.interpolate(x, size, scale_factor, mode, align_corners, recompute_scale_factor)


upsample = interpolate  # torch's older name
