"""tconv.Plan: a transposed convolution prepared once and run many times."""
from tconv import _tconv
from tconv._functional import geometry


class Plan:
    """A transposed convolution for one input shape, with its weights packed.

        plan = tconv.Plan(weight, bias, input_shape=(8, 256, 8, 8), stride=2, padding=1, threads=2)
        y = plan(x)               # or plan.run(x, out=y) to reuse an output array

    The arguments are conv_transpose's; input_shape is x's shape in
    `layout` ("nchw" or "nhwc"). The weights are copied or packed at
    creation, so later changes to the weight array do not affect the plan.
    Running releases the GIL, and one plan may run from several threads.
    """

    def __init__(self, weight, bias=None, *, input_shape, stride=1, padding=0, output_padding=0, groups=1,
                 dilation=1, output_size=None, pads=None, auto_pad="notset", output_shape=None,
                 target_shape=None, algorithm="auto", threads=None, layout="nchw"):
        g = geometry(stride, padding, output_padding, groups, dilation, output_size, pads, auto_pad,
                     output_shape, target_shape)
        self._plan = _tconv.Plan(weight, bias, input_shape, g, algorithm, threads, layout)

    def run(self, x, out=None):
        """y for x (of shape input_shape); into `out` when given."""
        return self._plan.run(x, out)

    __call__ = run

    def explain(self):
        """A dict: algorithm, kernel, note, layout, input_shape, output_shape,
        workspace_bytes, packed_bytes, flops, pad_begin, pad_end,
        output_padding, desc."""
        return self._plan.explain()

    algorithm = property(lambda self: self._plan.algorithm, doc="the algorithm that runs")
    kernel = property(lambda self: self._plan.kernel, doc="the kernel doing the work")
    note = property(lambda self: self._plan.note, doc="why another algorithm runs than asked, or ''")
    layout = property(lambda self: self._plan.layout)
    input_shape = property(lambda self: self._plan.input_shape)
    output_shape = property(lambda self: self._plan.output_shape)
    workspace_bytes = property(lambda self: self._plan.workspace_bytes)
    packed_bytes = property(lambda self: self._plan.packed_bytes)

    def __repr__(self):
        return "tconv.Plan({} -> {}, algorithm={!r}, kernel={!r})".format(
            self.input_shape, self.output_shape, self.algorithm, self.kernel)
