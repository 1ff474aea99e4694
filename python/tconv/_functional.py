"""One-shot functions mirroring torch.nn.functional (and tconv explain)."""
from tconv import _tconv


def geometry(stride=1, padding=0, output_padding=0, groups=1, dilation=1, output_size=None,
             pads=None, auto_pad="notset", output_shape=None, target_shape=None):
    """The transposed convolution's geometry keywords as the one dict the
    extension parses (python/src/geometry_args.cc), shared by
    conv_transpose, explain and Plan."""
    return dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups,
                dilation=dilation, output_size=output_size, pads=pads, auto_pad=auto_pad,
                output_shape=output_shape, target_shape=target_shape)


def conv_transpose(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1,
                   output_size=None, *, pads=None, auto_pad="notset", output_shape=None, target_shape=None,
                   algorithm="auto", threads=None, layout="nchw", out=None):
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
    """
    g = geometry(stride, padding, output_padding, groups, dilation, output_size, pads, auto_pad,
                 output_shape, target_shape)
    return _tconv.conv_transpose(x, weight, bias, g, algorithm, threads, layout, out)


def conv(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *, algorithm="auto", threads=None):
    """Convolution, 1-3 spatial axes: torch.nn.functional.conv{1,2,3}d.

    x: (N, Cin, *in); weight: (Cout, Cin/groups, *kernel); padding: an int or
    one per axis (symmetric). algorithm: "auto" (= "gemm") or "ref".
    """
    return _tconv.conv(x, weight, bias, stride, padding, dilation, groups, algorithm, threads)


def explain(x, weight, stride=1, padding=0, output_padding=0, groups=1, dilation=1, output_size=None, *,
            pads=None, auto_pad="notset", output_shape=None, target_shape=None, algorithm="auto",
            layout="nchw"):
    """What conv_transpose would do, without computing: a dict.

    x and weight may be arrays or shapes. Keys: input_shape, weight_shape,
    output_shape, pad_begin, pad_end, output_padding (in effect after
    output_size/output_shape/auto_pad/target_shape), flops, layout,
    layout_conversion_bytes, desc, algorithm (auto's choice, or the one
    forced), why, kernel, and estimates: one dict per algorithm (name,
    summary, macs, workspace_bytes, packed_bytes, exact, kernel).
    """
    g = geometry(stride, padding, output_padding, groups, dilation, output_size, pads, auto_pad,
                 output_shape, target_shape)
    return _tconv.explain(x, weight, g, algorithm, layout)


def algorithm_names():
    """The names algorithm= accepts besides "auto"."""
    return list(_tconv.algorithm_names())
