"""tconv.Plan: a transposed convolution prepared once and run many times."""
from tconv import _tconv
from tconv._functional import geometry, out_dtype_name


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
    """

    def __init__(self, weight, bias=None, *, input_shape, stride=1, padding=0, output_padding=0, groups=1,
                 dilation=1, output_size=None, pads=None, auto_pad="notset", output_shape=None,
                 target_shape=None, algorithm="auto", threads=None, layout="nchw", dtype="f32"):
        g = geometry(stride, padding, output_padding, groups, dilation, output_size, pads, auto_pad,
                     output_shape, target_shape)
        self._plan = _tconv.Plan(weight, bias, input_shape, g, algorithm, threads, layout, dtype)

    def run(self, x, out=None, *, out_dtype=None):
        """y for x (of shape input_shape); into `out` when given.

        bf16 plans: x is uint16 (bf16 bits, read in place) or float32
        (rounded to bf16, nearest even, into a temporary copy); y is float32
        (the f32 accumulators) unless out_dtype is numpy.uint16 (bf16 bits,
        each rounded once) or out is a uint16 array."""
        return self._plan.run(x, out, out_dtype_name(out_dtype))

    __call__ = run

    def explain(self):
        """A dict: algorithm, kernel, note, layout, dtype, input_shape, output_shape,
        workspace_bytes, packed_bytes, flops, pad_begin, pad_end,
        output_padding, desc."""
        return self._plan.explain()

    algorithm = property(lambda self: self._plan.algorithm, doc="the algorithm that runs")
    kernel = property(lambda self: self._plan.kernel, doc="the kernel doing the work")
    note = property(lambda self: self._plan.note, doc="why another algorithm runs than asked, or ''")
    layout = property(lambda self: self._plan.layout)
    dtype = property(lambda self: self._plan.dtype, doc="'f32' or 'bf16': the element type it computes in")
    input_shape = property(lambda self: self._plan.input_shape)
    output_shape = property(lambda self: self._plan.output_shape)
    workspace_bytes = property(lambda self: self._plan.workspace_bytes)
    packed_bytes = property(lambda self: self._plan.packed_bytes)

    def __repr__(self):
        dtype = "" if self.dtype == "f32" else ", dtype={!r}".format(self.dtype)
        return "tconv.Plan({} -> {}{}, algorithm={!r}, kernel={!r})".format(
            self.input_shape, self.output_shape, dtype, self.algorithm, self.kernel)
