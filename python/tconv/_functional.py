"""One-shot functions mirroring torch.nn.functional (and tconv explain)."""
import numpy as np

from tconv import _tconv


def geometry(stride=1, padding=0, output_padding=0, groups=1, dilation=1, output_size=None,
             pads=None, auto_pad="notset", output_shape=None, target_shape=None):
    """The transposed convolution's geometry keywords as the one dict the
    extension parses (python/src/geometry_args.cc), shared by
    conv_transpose, explain and Plan."""
    return dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups,
                dilation=dilation, output_size=output_size, pads=pads, auto_pad=auto_pad,
                output_shape=output_shape, target_shape=target_shape)


def out_dtype_name(out_dtype):
    """out_dtype as the extension takes it: None, "float32" or "uint16"."""
    if out_dtype is None:
        return None
    try:
        d = np.dtype(out_dtype)
    except TypeError:
        d = None
    if d == np.float32:
        return "float32"
    if d == np.uint16:
        return "uint16"
    raise ValueError("out_dtype must be numpy.float32 or numpy.uint16 (bf16 bits) (got {!r})".format(out_dtype))


_QUANT_TYPES = {np.dtype(np.uint8): "u8", np.dtype(np.int8): "s8", np.dtype(np.float32): "f32"}


def quant_type_name(value, name):
    """x_dtype / y_dtype as the extension takes them: None, "u8", "s8" or
    "f32". numpy.uint8, numpy.int8, numpy.float32 or their names, or the
    CLI's spellings u8, s8, f32 (not numpy's: numpy reads "u8" as uint64)."""
    if value is None:
        return None
    if isinstance(value, str) and value in ("u8", "s8", "f32"):
        return value
    try:
        d = np.dtype(value)
    except TypeError:
        d = None
    if d in _QUANT_TYPES:
        return _QUANT_TYPES[d]
    raise ValueError("{} must be numpy.uint8, numpy.int8 or numpy.float32 (got {!r})".format(name, value))


def quantization(x_dtype=None, x_scale=None, x_zero_point=None, w_scale=None, y_dtype=None, y_scale=None,
                 y_zero_point=None):
    """The int8 keywords as the one dict the extension parses
    (python/src/int8_py.cc); None means not given."""
    return dict(x_dtype=quant_type_name(x_dtype, "x_dtype"), x_scale=x_scale, x_zero_point=x_zero_point,
                w_scale=w_scale, y_dtype=quant_type_name(y_dtype, "y_dtype"), y_scale=y_scale,
                y_zero_point=y_zero_point)


INT8_DOC = """
    dtype="int8": quantized, ONNX QLinearConv's convention transposed
    (include/tconv/quant.h): x uint8 or int8 (real value
    x_scale * (x - x_zero_point)); weight int8, symmetric (real value
    w_scale[c] * w); bias int32 or None, in units of x_scale * w_scale[c];
    each output's sum of (x - x_zero_point) * w over its contributions is
    exact (int32), plus the bias, then requantized: y = clamp(
    round_half_even(acc * x_scale * w_scale[c] / y_scale) + y_zero_point)
    (in double), or dequantized to float32 (acc * x_scale * w_scale[c]).
    x_scale (required), w_scale (required: one number, or Cout of them,
    per output channel, in the output's channel order), y_scale: finite and
    > 0, stored as float32. x_zero_point (default 0): in x's range.
    y_dtype: numpy.uint8, numpy.int8 or numpy.float32 (also "u8", "s8",
    "f32" as the CLI's --y-dtype); default x's dtype. y_scale (required for
    uint8/int8 y) and y_zero_point (default 0, in y's range) do not apply
    to float32 y. These keywords are the CLI's --x-scale, --x-zero-point,
    --w-scale, --y-dtype, --y-scale, --y-zero-point. int8 runs on
    algorithm "auto" (phase), "phase", "gemm_col2im" or "ref" (the same
    bits), layout "nchw" or "nhwc" (x (N, *in, Cin), y (N, *out, Cout)).
    Bad values raise ValueError; so do the keywords without dtype="int8".
"""


def conv_transpose(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1,
                   output_size=None, *, pads=None, auto_pad="notset", output_shape=None, target_shape=None,
                   algorithm="auto", threads=None, layout="nchw", out=None, dtype="f32", out_dtype=None,
                   x_scale=None, x_zero_point=None, w_scale=None, y_dtype=None, y_scale=None, y_zero_point=None):
    """Transposed convolution, 1-3 spatial axes: torch.nn.functional.conv_transpose{1,2,3}d.

    x: (N, Cin, *in) (or (N, *in, Cin) with layout="nhwc"); weight:
    (Cin, Cout/groups, *kernel); bias: (Cout,) or None. stride, padding,
    output_padding, dilation: an int or one per spatial axis.
    output_size: torch's nn.ConvTranspose*d form (spatial sizes, or the full
    output shape), which picks the output padding. ONNX's forms: pads
    (all begins, then all ends; may be negative), auto_pad
    ("notset", "same_upper", "same_lower", "valid"), output_shape; MXNet's:
    target_shape. algorithm: "auto" or a name from algorithm_names().
    threads: None means 1. out: an array of the output shape to write into.
    Returns the output, a new float32 array unless out is given.

    dtype: "f32" (default) or "bf16": x and weight in bf16 (rounded to
    nearest even), products accumulated in float32, the bias float32. numpy
    has no bfloat16, so bf16 arrays are uint16 arrays of bf16 bit patterns
    (torch.bfloat16's bits; to_bf16_bits/from_bf16_bits convert): x and
    weight may be such uint16 arrays, or float32 arrays rounded to bf16 on
    the way in (x into a temporary copy). The output is float32 (the f32
    accumulators), or bf16 bits (uint16, each rounded once) with
    out_dtype=numpy.uint16 or a uint16 `out`. bf16 runs on algorithm "auto"
    (phase), "phase" or "ref", layout "nchw" or "nhwc"; others raise
    ValueError.
    {int8}
    With dtype="int8", x's dtype (uint8 or int8) is the x type; the result
    is a new array of y_dtype, or `out` (of y_dtype) written in place.
    """
    g = geometry(stride, padding, output_padding, groups, dilation, output_size, pads, auto_pad,
                 output_shape, target_shape)
    q = quantization(None, x_scale, x_zero_point, w_scale, y_dtype, y_scale, y_zero_point)
    return _tconv.conv_transpose(x, weight, bias, g, algorithm, threads, layout, out, dtype,
                                 out_dtype_name(out_dtype), q)


conv_transpose.__doc__ = conv_transpose.__doc__.replace("    {int8}\n", INT8_DOC + "\n")


def conv(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *, algorithm="auto", threads=None):
    """Convolution, 1-3 spatial axes: torch.nn.functional.conv{1,2,3}d.

    x: (N, Cin, *in); weight: (Cout, Cin/groups, *kernel); padding: an int or
    one per axis (symmetric). algorithm: "auto" (= "gemm") or "ref".
    """
    return _tconv.conv(x, weight, bias, stride, padding, dilation, groups, algorithm, threads)


def explain(x, weight, stride=1, padding=0, output_padding=0, groups=1, dilation=1, output_size=None, *,
            pads=None, auto_pad="notset", output_shape=None, target_shape=None, algorithm="auto",
            layout="nchw", dtype="f32"):
    """What conv_transpose would do, without computing: a dict.

    x and weight may be arrays or shapes. Keys: input_shape, weight_shape,
    output_shape, pad_begin, pad_end, output_padding (in effect after
    output_size/output_shape/auto_pad/target_shape), flops, layout,
    layout_conversion_bytes, dtype, desc, algorithm (auto's choice, or the
    one forced), why, kernel, and estimates: one dict per algorithm (name,
    summary, macs, workspace_bytes, packed_bytes, exact, kernel, refused:
    why a plan of this dtype refuses it, or "").
    dtype: "f32", "bf16" or "int8", as conv_transpose's (the kernels and
    `refused` are that dtype's; int8's quantization parameters do not
    change the plan, so explain takes none); forcing an algorithm the
    dtype refuses raises ValueError.
    """
    g = geometry(stride, padding, output_padding, groups, dilation, output_size, pads, auto_pad,
                 output_shape, target_shape)
    return _tconv.explain(x, weight, g, algorithm, layout, dtype)


def to_bf16_bits(x):
    """float32 array -> uint16 array of bf16 bit patterns, each rounded to
    nearest even (as torch's .to(torch.bfloat16)); NaN becomes 0x7FC0."""
    return _tconv.to_bf16_bits(x)


def from_bf16_bits(bits):
    """uint16 array of bf16 bit patterns -> float32 array (exact)."""
    return _tconv.from_bf16_bits(bits)


def algorithm_names():
    """The names algorithm= accepts besides "auto"."""
    return list(_tconv.algorithm_names())
