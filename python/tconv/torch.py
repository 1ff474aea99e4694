"""tconv.torch: tconv's transposed convolution as torch modules and autograd.

    import tconv.torch
    up = tconv.torch.ConvTranspose2d(256, 128, 4, stride=2, padding=1)   # nn.ConvTranspose2d's arguments
    model = tconv.torch.convert(model)   # every nn.ConvTranspose{1,2,3}d, parameters kept

Forward runs tconv's transposed convolution; backward runs its gradients,
which are convolutions of the same geometry (include/tconv/conv_transpose_grad.h).
Tensors are handed to tconv without copies (tensor.numpy() of contiguous
float32 CPU tensors; a non-contiguous one is made contiguous first).
Anything tconv does not compute (another dtype than float32 or bfloat16,
another device than the CPU, padding_mode other than "zeros") raises
TypeError or ValueError naming it, unless the module was made with
fallback=True, in which case torch's own op runs. Double backward is not
supported.

torch.bfloat16: input, weight and bias all bfloat16 (as torch requires).
Forward runs a bf16 plan on the tensors' bits (products accumulated in
float32, each output rounded to bfloat16 once) and returns torch.bfloat16,
as torch's ConvTranspose does. Backward: tconv has no bf16 gradient
kernels, so the gradients are computed by its float32 gradients on the bf16
values widened to float32 (exactly), and each is rounded to bfloat16 once
(float32 accumulation, as the forward); they cost float32 time and copies.

This module imports torch; `import tconv` alone does not.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

import torch.nn.modules.module as _nn_module
from tconv import _tconv
from tconv._functional import geometry

try:  # the fast path in C++ (python/torch_src/torch_fast.cc), built where libtorch is
    from tconv import _tconv_torch
except ImportError:
    _tconv_torch = None

__all__ = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "convert", "supported"]


def _threads(threads):
    # torch's own ops use torch.get_num_threads(); matching it keeps a
    # converted model's CPU use what the user configured for torch.
    return torch.get_num_threads() if threads is None else threads


def _array(t):
    """The tensor's memory as a numpy array (no copy when already contiguous)."""
    return t.detach().contiguous().numpy()


def _bits(t):
    """A torch.bfloat16 tensor's memory as a numpy uint16 array of bf16 bits
    (no copy when already contiguous)."""
    return t.detach().contiguous().view(torch.int16).numpy().view(np.uint16)


def _from_bits(a):
    """A numpy uint16 array of bf16 bits as a torch.bfloat16 tensor (shared memory)."""
    return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)


def _bias_f32(bias):
    # A bf16 plan's bias is float32: widening bf16 is exact.
    return None if bias is None else bias.detach().to(torch.float32).contiguous().numpy()


def _why_unsupported(*tensors):
    """None when tconv computes these tensors, else (exception class, reason)."""
    dtype = None
    for name, t in tensors:
        if t is None:
            continue
        if not isinstance(t, torch.Tensor):
            return TypeError, "{} must be a torch.Tensor (got {})".format(name, type(t).__name__)
        if t.dtype != torch.float32 and t.dtype != torch.bfloat16:
            return TypeError, "{} has dtype {}, but tconv computes torch.float32 or torch.bfloat16".format(
                name, t.dtype)
        if dtype is None:
            dtype = (name, t.dtype)
        elif t.dtype != dtype[1]:
            return TypeError, "{} has dtype {} but {} has {}: tconv computes one dtype".format(
                name, t.dtype, dtype[0], dtype[1])
        if t.device.type != "cpu":
            return ValueError, "{} is on device '{}', but tconv runs on the CPU".format(name, t.device)
        if t.layout != torch.strided:
            return ValueError, "{} has layout {}, but tconv takes dense (strided) tensors".format(name, t.layout)
    return None


def supported(x, weight, bias=None):
    """True when tconv computes this call (float32 or bfloat16, CPU, dense), else False."""
    return _why_unsupported(("input", x), ("weight", weight), ("bias", bias)) is None


def _check_output_padding(output_padding, stride, dilation):
    # torch refuses output padding >= max(stride, dilation); the library
    # would compute it (an ONNX-legal geometry), so refuse it here to stay
    # torch's drop-in.
    for a, s, d in zip(output_padding, stride, dilation):
        if a >= max(s, d):
            raise ValueError("output_padding {} must be smaller than either stride {} or dilation {} (as torch "
                             "requires)".format(tuple(output_padding), tuple(stride), tuple(dilation)))


def _forward(x, weight, bias, geom, threads, plan):
    if x.dtype == torch.bfloat16:
        if plan is not None:
            return _from_bits(plan.run(_bits(x), None, "uint16"))
        return _from_bits(_tconv.conv_transpose(_bits(x), _bits(weight), _bias_f32(bias), geom, "auto", threads,
                                                "nchw", None, "bf16", "uint16"))
    xa = _array(x)
    if plan is not None:  # (the plan holds its own packed copy of weight and bias)
        return torch.from_numpy(plan.run(xa))
    ba = None if bias is None else _array(bias)
    return torch.from_numpy(_tconv.conv_transpose(xa, _array(weight), ba, geom, "auto", threads, "nchw", None))


class _ConvTransposeFunction(torch.autograd.Function):
    """y = conv_transpose(x, w, b) with tconv's forward and gradients.

    geom is the geometry dict of tconv._functional.geometry (explicit
    output_padding, no output_size), so forward and backward build the same
    desc."""

    # plan: a tconv Plan made for exactly these weights and shapes (the
    # modules' cache_plan), or None to make one for this call.
    @staticmethod
    def forward(ctx, x, weight, bias, geom, threads, plan=None):
        y = _forward(x, weight, bias, geom, threads, plan)
        ctx.geom, ctx.threads, ctx.has_bias = geom, threads, bias is not None
        ctx.save_for_backward(x, weight)
        return y

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_y):
        x, weight = ctx.saved_tensors
        # bf16: the float32 gradients of the bf16 values (widening is
        # exact), each rounded to bf16 once.
        if x.dtype == torch.bfloat16:
            arr, tensor = (lambda t: _array(t.to(torch.float32))), (lambda a: torch.from_numpy(a).to(x.dtype))
        else:
            arr, tensor = _array, torch.from_numpy
        # Incoming gradients may be expanded views (stride 0, from a sum):
        # tconv reads contiguous memory.
        gy = arr(grad_y)
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = tensor(_tconv.conv_transpose_backward_data(
                gy, arr(weight), tuple(x.shape), ctx.geom, "auto", ctx.threads))
        want_b = ctx.has_bias and ctx.needs_input_grad[2]
        if ctx.needs_input_grad[1] or want_b:
            dw, db = _tconv.conv_transpose_backward_weight(
                arr(x), gy, tuple(weight.shape), ctx.geom, want_b, "auto", ctx.threads)
            grad_w = tensor(dw) if ctx.needs_input_grad[1] else None
            grad_b = tensor(db) if want_b else None
        return grad_x, grad_w, grad_b, None, None, None


def _records_graph(x, weight, bias):
    """True when autograd must record this call."""
    return torch.is_grad_enabled() and (x.requires_grad or weight.requires_grad
                                        or (bias is not None and bias.requires_grad))


def _conv_transpose(ndim, x, weight, bias, stride, padding, output_padding, groups, dilation, threads, cache=None):
    why = _why_unsupported(("input", x), ("weight", weight), ("bias", bias))
    if why is not None:
        raise why[0](why[1] + " (use torch.nn.functional.conv_transpose{}d, or fallback=True on a "
                     "tconv.torch module)".format(ndim))
    if x.dim() not in (ndim + 1, ndim + 2):
        raise ValueError("conv_transpose{}d: input must have {} (unbatched) or {} (batched) dimensions, got shape "
                         "{}".format(ndim, ndim + 1, ndim + 2, tuple(x.shape)))
    per_axis = [(v,) * ndim if isinstance(v, int) else tuple(v) for v in (stride, padding, output_padding, dilation)]
    _check_output_padding(per_axis[2], per_axis[0], per_axis[3])
    geom = geometry(stride=per_axis[0], padding=per_axis[1], output_padding=per_axis[2], groups=groups,
                    dilation=per_axis[3])
    unbatched = x.dim() == ndim + 1  # torch takes (C, *spatial) too
    xb = x.unsqueeze(0) if unbatched else x
    plan = None if cache is None else cache.plan(xb, weight, bias, geom, _threads(threads))
    if torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in (x, weight, bias)):
        y = _ConvTransposeFunction.apply(xb, weight, bias, geom, _threads(threads), plan)
    else:  # Inference: no graph to record, so no autograd.Function (~0.1 ms a call when measured).
        y = _forward(xb, weight, bias, geom, _threads(threads), plan)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1, *,
                     threads=None):
    """torch.nn.functional.conv_transpose1d, differentiable, computed by tconv."""
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups, dilation, threads)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1, *,
                     threads=None):
    """torch.nn.functional.conv_transpose2d, differentiable, computed by tconv."""
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups, dilation, threads)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1, *,
                     threads=None):
    """torch.nn.functional.conv_transpose3d, differentiable, computed by tconv."""
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups, dilation, threads)


class _PlanCache:
    """The last Plan a module ran, and what it was made from.

    A Plan copies and packs the weights at creation, which for large
    weights costs more than running it (measured: dcgan_g2, 512x256x4x4,
    6.0 ms to create, 3.4 ms to run). The key holds the weight's and the
    bias's storage address and version counter, so an optimizer step,
    load_state_dict or any in-place edit of the parameters makes a new plan;
    an edit through `param.data` does not bump the parameter's version
    counter and would go unseen, which is why the cache is opt-in."""

    def __init__(self):
        self.key, self.tensors, self.value = None, (None, None), None
        # The inference fast path's entries for the last plan made: `fast`
        # for _TconvMixin._fast_forward, None or (key, plan, unbatched,
        # weight, bias, dtype); `native`, None or the same checks in C++
        # (_tconv_torch.FastEntry) for _TconvMixin.__call__.
        # use_fast=False sends every call through the general path;
        # use_native=False leaves the C++ entry unused (the Python fast path
        # serves); bench/python_overhead_bench.py measures all three.
        self.fast, self.native, self.use_fast, self.use_native = None, None, True, True

    def plan(self, x, weight, bias, geom, threads):
        key = (tuple(x.shape), weight.dtype, weight.data_ptr(), weight._version, tuple(weight.shape),
               None if bias is None else (bias.data_ptr(), bias._version), tuple(sorted(geom.items())), threads)
        # The tensors themselves are held and compared by identity: a freed
        # weight's address could be reused by a new one at the same version.
        if key != self.key or self.tensors[0] is not weight or self.tensors[1] is not bias:
            if weight.dtype == torch.bfloat16:
                self.value = _tconv.Plan(_bits(weight), _bias_f32(bias), tuple(x.shape), geom, "auto", threads,
                                         "nchw", "bf16")
            else:
                ba = None if bias is None else _array(bias)
                self.value = _tconv.Plan(_array(weight), ba, tuple(x.shape), geom, "auto", threads, "nchw")
            self.key, self.tensors, self.fast, self.native = key, (weight, bias), None, None
        return self.value


class _TconvMixin:
    """forward through tconv for the nn.ConvTranspose{1,2,3}d subclasses below.

    Subclassing torch's modules keeps their constructor, initialisation,
    parameters (weight, bias), state dict, repr and isinstance checks; only
    forward changes. fallback=True runs torch's forward for what tconv does
    not compute; threads=None uses torch.get_num_threads(); cache_plan=True
    keeps the last Plan while the parameters and input shape stay the same
    (_PlanCache: worth it for inference with large weights; edits through
    `param.data` are not seen), and with it inference calls take a fast path
    (see _fast_key) whose outputs reuse the memory of freed earlier ones."""

    _NDIM = 0

    def forward(self, input, output_size=None):
        d = self.__dict__
        if output_size is None and d.get("cache_plan") and d.get("_plan_cache") is not None:
            cache = d["_plan_cache"]
            entry = cache.fast
            if entry is not None and cache.use_fast:
                y = self._fast_forward(entry, input)
                if y is not None:
                    return y
        if self.padding_mode != "zeros" or not supported(input, self.weight, self.bias):
            if self.fallback:
                return self._torch_forward(input, output_size)
            if self.padding_mode != "zeros":
                raise ValueError("padding_mode '{}' is not supported by tconv (only 'zeros', as torch's "
                                 "ConvTranspose); pass fallback=True to run torch's op".format(self.padding_mode))
            why = _why_unsupported(("input", input), ("weight", self.weight), ("bias", self.bias))
            raise why[0]("{}: {}; pass fallback=True to run torch's op".format(type(self).__name__, why[1]))
        if input.dim() not in (self._NDIM + 1, self._NDIM + 2):
            raise ValueError("{}: input must have {} (unbatched) or {} (batched) dimensions, got shape {}".format(
                type(self).__name__, self._NDIM + 1, self._NDIM + 2, tuple(input.shape)))
        # torch's own rule for output_size (it picks the output padding).
        output_padding = self._output_padding(input, output_size, self.stride, self.padding, self.kernel_size,
                                              self._NDIM, self.dilation)
        cache = None
        if getattr(self, "cache_plan", False):
            if getattr(self, "_plan_cache", None) is None:
                self._plan_cache = _PlanCache()
            cache = self._plan_cache
        y = _conv_transpose(self._NDIM, input, self.weight, self.bias, self.stride, self.padding,
                            tuple(output_padding), self.groups, self.dilation, self.threads, cache)
        if cache is not None and output_size is None and cache.use_fast:
            self._remember(cache, input)
        return y

    # The cached inference fast path (float32 and bfloat16). Once the
    # general path above has run a call with cache_plan=True, no
    # output_size and no autograd graph to record, _remember keeps a key of
    # everything its checks and its plan depended on, except the input's
    # type, dtype, device, layout and contiguity, which _fast_forward checks
    # on every call (cheaply). A later call with the same key runs the plan
    # directly on the tensor's memory (Plan._run_at; bf16: Plan.run on the
    # tensor's bits), with an output from the plan's pool of freed outputs
    # (python/src/output_pool.h); any difference (a new input shape, an
    # optimizer step or any other in-place edit of the parameters, new
    # parameter objects, changed stride, padding, groups, threads,
    # torch.get_num_threads(), ...) takes the general path, which checks,
    # raises and re-plans as before. Edits through `param.data` bump no
    # version counter and go unseen, as with the plan cache itself.
    # Where the build has tconv._tconv_torch, _remember also makes the same
    # checks as one C++ object (python/torch_src/torch_fast.cc), which
    # __call__ runs before nn.Module.__call__: module hooks, JIT tracing or
    # another forward send the call there, and so do the changes above.

    def _fast_key(self, x, weight, bias):
        return (x.shape, weight._version, weight.data_ptr(), weight.shape,
                None if bias is None else (bias._version, bias.data_ptr()), self.stride, self.padding,
                self.output_padding, self.dilation, self.groups, self.padding_mode, self.threads,
                torch.get_num_threads())

    def _remember(self, cache, x):
        weight, bias = self.weight, self.bias
        if (type(x) is not torch.Tensor or x.dtype not in _FAST_DTYPES or not x.is_contiguous()
                or _records_graph(x, weight, bias)
                or cache.tensors[0] is not weight or cache.tensors[1] is not bias
                # Lists could change in place under the stored key.
                or any(type(v) is not tuple for v in (self.stride, self.padding, self.output_padding,
                                                       self.dilation))):
            return
        unbatched = x.dim() == self._NDIM + 1
        cache.fast = (self._fast_key(x, weight, bias), cache.value, unbatched, weight, bias, x.dtype)
        cache.native = self._native_entry(cache.value, x, unbatched)

    def _native_entry(self, plan, x, unbatched):
        """The same checks in C++ for __call__ (python/torch_src/torch_fast.cc),
        or None without the extension or when a subclass has its own forward."""
        if _tconv_torch is None or _class_forward(type(self)) is not _MIXIN_FORWARD:
            return None
        d = self.__dict__
        attrs = {name: d[name] for name in _FAST_ATTRS}
        hooks = (_nn_module._global_backward_hooks, _nn_module._global_forward_hooks,
                 _nn_module._global_forward_pre_hooks)
        return _tconv_torch.FastEntry(plan, self.weight, self.bias, x, unbatched, attrs, _MIXIN_FORWARD, hooks)

    def _fast_forward(self, entry, x):
        """The output, or None when the general path must run this call."""
        key, plan, unbatched, weight, bias, dtype = entry
        if (type(x) is not torch.Tensor or x.dtype is not dtype or not x.is_cpu
                or x.layout is not torch.strided or not x.is_contiguous() or x.is_neg()):
            return None
        w, b = self.weight, self.bias
        if w is not weight or b is not bias or _records_graph(x, w, b) or self._fast_key(x, w, b) != key:
            return None
        if dtype is torch.bfloat16:
            y = _from_bits(plan.run(_bits(x.unsqueeze(0) if unbatched else x), None, "uint16"))
        else:
            y = torch.from_numpy(plan._run_at(x.data_ptr()))
        return y.squeeze(0) if unbatched else y

    if _tconv_torch is not None:  # (without it, nn.Module.__call__ as before)
        # The fast path in one C++ call, no Python frame (no
        # nn.Module.__call__, no forward): module(x) runs self._plan_cache's
        # C++ entry when it is on (use_fast and use_native) and holds, and
        # nn.Module.__call__ otherwise (hooks, forward, the general path).
        # See _tconv_torch.FastEntry, and _remember.
        __call__ = _tconv_torch.module_call

    def __getstate__(self):
        # A Plan is not picklable; copies (deepcopy, pickle, torch.save)
        # make their own at their first call.
        state = dict(super().__getstate__())  # (object's returns __dict__ itself)
        state.pop("_plan_cache", None)
        return state

    def extra_repr(self):
        return super().extra_repr() + (", fallback=True" if self.fallback else "")


_FAST_DTYPES = (torch.float32, torch.bfloat16)
# The module attributes the general path reads (FastEntry compares them).
_FAST_ATTRS = ("stride", "padding", "output_padding", "dilation", "groups", "padding_mode", "threads", "cache_plan")
_MIXIN_FORWARD = _TconvMixin.__dict__["forward"]


def _class_forward(cls):
    """The forward function cls's instances call (as the type lookup finds it)."""
    for base in cls.__mro__:
        if "forward" in base.__dict__:
            return base.__dict__["forward"]
    return None


def _module(torch_class, ndim):
    class Module(_TconvMixin, torch_class):
        _NDIM = ndim

        def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                     groups=1, bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None, *,
                     fallback=False, threads=None, cache_plan=False):
            super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                             dilation, padding_mode, device, dtype)
            self.fallback = fallback
            self.threads = threads
            self.cache_plan = cache_plan

        def _torch_forward(self, input, output_size):
            return torch_class.forward(self, input, output_size)

    Module.__name__ = Module.__qualname__ = torch_class.__name__
    Module.__doc__ = ("torch.nn.{}, computed by tconv (forward and backward); the same arguments, plus "
                      "fallback=False, threads=None and cache_plan=False (see tconv.torch).".format(torch_class.__name__))
    return Module


ConvTranspose1d = _module(nn.ConvTranspose1d, 1)
ConvTranspose2d = _module(nn.ConvTranspose2d, 2)
ConvTranspose3d = _module(nn.ConvTranspose3d, 3)
_REPLACEMENTS = {nn.ConvTranspose1d: ConvTranspose1d, nn.ConvTranspose2d: ConvTranspose2d,
                 nn.ConvTranspose3d: ConvTranspose3d}


def _converted(m, fallback, threads, cache_plan):
    # Same object state (parameters, buffers, hooks, training flag), new
    # class: the Parameter objects stay the ones an optimizer may hold.
    new = _REPLACEMENTS[type(m)].__new__(_REPLACEMENTS[type(m)])
    new.__dict__.update(m.__dict__)
    new.fallback = fallback
    new.threads = threads
    new.cache_plan = cache_plan
    return new


def convert(model, fallback=False, threads=None, cache_plan=False):
    """Replaces every torch.nn.ConvTranspose{1,2,3}d in model (recursively,
    the model itself included) by tconv.torch's, keeping its parameters;
    returns the model (a new object only when the model itself is one).

    Only modules of exactly torch's classes are replaced: a subclass may
    have its own forward. Convert before wrapping in DistributedDataParallel
    or building an optimizer is fine either way: parameters are kept."""
    if type(model) in _REPLACEMENTS:
        return _converted(model, fallback, threads, cache_plan)
    for name, child in model.named_children():
        if type(child) in _REPLACEMENTS:
            setattr(model, name, _converted(child, fallback, threads, cache_plan))
        else:
            convert(child, fallback, threads, cache_plan)
    return model
