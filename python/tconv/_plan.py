"""tconv.Plan: a transposed convolution prepared once and run many times."""
from tconv import _tconv
from tconv._functional import INT8_DOC, geometry, out_dtype_name, quantization


class Plan:
    """A transposed convolution for one input shape, with its weights packed.

        plan = tconv.Plan(weight, bias, input_shape=(8, 256, 8, 8), stride=2, padding=1, threads=2)
        y = plan(x)               # or plan.run(x, out=y) to reuse an output array

    The arguments are conv_transpose's; input_shape is x's shape in
    `layout` ("nchw" or "nhwc"). The weights are copied or packed at
    creation, so later changes to the weight array do not affect the plan.
    Running releases the GIL, and one plan may run from several threads.

    dtype="bf16" makes a bf16 plan (conv_transpose's dtype): the weight
    (float32, or uint16 bf16 bits) is rounded to bf16 once, here; run then
    takes x as uint16 bf16 bits or float32 (rounded to bf16 on the way in),
    and returns float32 or, with out_dtype=numpy.uint16, bf16 bits.

    dtype="int8" makes a quantized plan: weight int8, bias int32 or None,
    x_dtype (numpy.uint8, the default, or numpy.int8) the type run takes,
    and conv_transpose's quantization keywords, fixed here:
    {int8}
        plan = tconv.Plan(w_s8, b_s32, input_shape=x.shape, stride=2, padding=1, dtype="int8",
                          x_scale=0.02, x_zero_point=128, w_scale=0.01, y_scale=0.05, y_zero_point=10)
        y_u8 = plan(x_u8)         # x read in place; y uint8 (y_dtype: x's by default)
    """

    def __init__(self, weight, bias=None, *, input_shape, stride=1, padding=0, output_padding=0, groups=1,
                 dilation=1, output_size=None, pads=None, auto_pad="notset", output_shape=None,
                 target_shape=None, algorithm="auto", threads=None, layout="nchw", dtype="f32", x_dtype=None,
                 x_scale=None, x_zero_point=None, w_scale=None, y_dtype=None, y_scale=None, y_zero_point=None):
        g = geometry(stride, padding, output_padding, groups, dilation, output_size, pads, auto_pad,
                     output_shape, target_shape)
        q = quantization(x_dtype, x_scale, x_zero_point, w_scale, y_dtype, y_scale, y_zero_point)
        self._plan = _tconv.Plan(weight, bias, input_shape, g, algorithm, threads, layout, dtype, q)

    def run(self, x, out=None, *, out_dtype=None):
        """y for x (of shape input_shape); into `out` when given.

        bf16 plans: x is uint16 (bf16 bits, read in place) or float32
        (rounded to bf16, nearest even, into a temporary copy); y is float32
        (the f32 accumulators) unless out_dtype is numpy.uint16 (bf16 bits,
        each rounded once) or out is a uint16 array.

        int8 plans: x of the plan's x_dtype (read in place); y a new array
        of its y_dtype, or `out` of that dtype written in place."""
        return self._plan.run(x, out, out_dtype_name(out_dtype))

    __call__ = run

    def explain(self):
        """A dict: algorithm, kernel, note, layout, dtype, input_shape, output_shape,
        workspace_bytes, packed_bytes, flops, pad_begin, pad_end,
        output_padding, desc; and for int8 plans quant (as the quant property)."""
        return self._plan.explain()

    algorithm = property(lambda self: self._plan.algorithm, doc="the algorithm that runs")
    kernel = property(lambda self: self._plan.kernel, doc="the kernel doing the work")
    note = property(lambda self: self._plan.note, doc="why another algorithm runs than asked, or ''")
    layout = property(lambda self: self._plan.layout)
    dtype = property(lambda self: self._plan.dtype, doc="'f32', 'bf16' or 'int8': the element type it computes in")
    quant = property(lambda self: self._plan.quant,
                     doc="int8 plans: a dict of x_dtype, x_scale, x_zero_point, w_scale (a tuple), y_dtype, "
                         "y_scale, y_zero_point (None for float32 y), as the plan holds them; None otherwise")
    input_shape = property(lambda self: self._plan.input_shape)
    output_shape = property(lambda self: self._plan.output_shape)
    workspace_bytes = property(lambda self: self._plan.workspace_bytes)
    packed_bytes = property(lambda self: self._plan.packed_bytes)

    def __repr__(self):
        dtype = "" if self.dtype == "f32" else ", dtype={!r}".format(self.dtype)
        return "tconv.Plan({} -> {}{}, algorithm={!r}, kernel={!r})".format(
            self.input_shape, self.output_shape, dtype, self.algorithm, self.kernel)


Plan.__doc__ = Plan.__doc__.replace("    {int8}\n", INT8_DOC + "\n")
