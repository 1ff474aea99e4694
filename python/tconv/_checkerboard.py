"""The checkerboard analysis of transposed convolution (docs/CHECKERBOARD.md,
include/tconv/checkerboard.h) for numpy users.

A layer is a dict with torch's ConvTranspose argument names:
``{"kernel_size": 3, "stride": 2}``, optionally ``dilation``, ``padding`` and
``output_padding`` (default 1, 0, 0); each value an int or one int per axis.
"""
from tconv import _tconv

_LAYER_KEYS = ("kernel_size", "stride", "dilation", "padding", "output_padding")
_LAYER_DEFAULTS = {"dilation": 1, "padding": 0, "output_padding": 0}


def _layers(layers):
    if isinstance(layers, dict):
        layers = [layers]
    try:
        layers = list(layers)
    except TypeError:
        raise ValueError("layers must be a dict or a list of dicts (got {})".format(type(layers).__name__)) from None
    out = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict):
            raise ValueError("layer {} must be a dict with kernel_size and stride (got {})".format(
                i, type(layer).__name__))
        unknown = sorted(set(layer) - set(_LAYER_KEYS))
        if unknown:
            raise ValueError("layer {}: unknown key {} (keys: {})".format(i, unknown[0], ", ".join(_LAYER_KEYS)))
        missing = [k for k in ("kernel_size", "stride") if k not in layer]
        if missing:
            raise ValueError("layer {}: {} is required".format(i, missing[0]))
        out.append(tuple(layer.get(k, _LAYER_DEFAULTS.get(k)) for k in _LAYER_KEYS))
    return out


def overlap_map(input_size, layers, method="count"):
    """How many paths join each output of a stack of transposed convolutions
    to the input, for an all-ones input and all-ones single-channel weights.

    input_size: the input's spatial size (1-3 ints). Returns ``(counts,
    interior)``: float64 counts of the stack's output shape, and a bool mask
    of the positions that see the steady state of an infinite input (away
    from the borders). ``method="count"`` counts (input, tap) pairs per axis;
    ``"run"`` runs ones through the reference convolution; both agree.
    """
    return _tconv.overlap_map(input_size, _layers(layers), method)


def checkerboard_score(layers, ndim=2):
    """The analytic checkerboard score of a stack, borders aside: the
    steady-state overlap count's max / min (1.0: even; inf when some output
    phase receives nothing). Returns a dict with ``score``, ``min``, ``max``
    and ``pattern``: per axis one period (float64 array) of the 1-D count,
    indexed by output index modulo the period."""
    return _tconv.checkerboard_score(_layers(layers), ndim)


def phase_sums(weight, stride, dilation=1, groups=1):
    """Per-phase kernel sums of a transposed-convolution weight (Cin,
    Cout/groups, *k): the sum of the taps t with (t * dilation) % stride ==
    phase, per axis. Returns a dict: ``sums`` (float64, (Cin, Cout/groups,
    *stride)), ``spread`` (max - min over the phases, (Cin, Cout/groups))
    and ``max_spread``. A spread of 0 everywhere means every constant input
    gives a constant output away from the borders (no checkerboard)."""
    return _tconv.phase_sums(weight, stride, dilation, groups)


def icnr(weight, upscale_factor):
    """ICNR initialisation (Aitken et al. 2017): from a convolution weight
    (Cout, Cin, *k) the sub-pixel convolution weight (Cout * r^D, Cin, *k)
    whose output channel c * r^D + j is channel c of ``weight`` for every j,
    so that pixel_shuffle(conv(x, icnr(w, r)), r) is conv(x, w) upsampled
    by nearest neighbour: no checkerboard at initialisation."""
    return _tconv.icnr(weight, upscale_factor)
