"""tconv.torch's fast path in C++ (tconv._tconv_torch.FastEntry, served by
the modules' __call__) and the bf16 fast path: the same tensors as the
Python fast path and the general path, and every change the general path
would see sends the call there (counted by wrapping tconv.torch's
_conv_transpose, which only the general path calls)."""
import copy

import pytest
import torch
import torch.nn as nn

import tconv.torch as tt

native = pytest.mark.skipif(tt._tconv_torch is None, reason="built without tconv._tconv_torch (libtorch)")
MODULES = {1: (nn.ConvTranspose1d, tt.ConvTranspose1d), 2: (nn.ConvTranspose2d, tt.ConvTranspose2d),
           3: (nn.ConvTranspose3d, tt.ConvTranspose3d)}


def pair(nd=2, dtype=torch.float32, **kw):
    torch.manual_seed(11)
    ref = MODULES[nd][0](4, 6, 3, stride=2, padding=1, dtype=dtype, **kw)
    return ref, tt.convert(copy.deepcopy(ref), cache_plan=True)


@pytest.fixture
def general_calls(monkeypatch):
    """A list that grows by "general" at every call of the general path,
    and by "python" at every call of the Python fast path (forward's)."""
    calls = []
    inner, python_fast = tt._conv_transpose, tt._TconvMixin._fast_forward

    def counted(*args, **kwargs):
        calls.append("general")
        return inner(*args, **kwargs)

    def counted_fast(*args, **kwargs):
        calls.append("python")
        return python_fast(*args, **kwargs)
    monkeypatch.setattr(tt, "_conv_transpose", counted)
    monkeypatch.setattr(tt._TconvMixin, "_fast_forward", counted_fast)
    return calls


def paths(mine, x):
    """mine(x) by the C++ entry, the Python fast path and the general path."""
    cache = mine._plan_cache
    out = []
    for fast, use_native in ((True, True), (True, False), (False, True)):
        cache.use_fast, cache.use_native = fast, use_native
        out.append(mine(x))
    cache.use_fast = cache.use_native = True
    return out


@native
@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("batched", [True, False])
def test_paths_give_identical_tensors(nd, dtype, batched, general_calls):
    ref, mine = pair(nd, dtype)
    shape = (2, 4) + (5, 4, 3)[:nd] if batched else (4,) + (5, 4, 3)[:nd]
    x = torch.randn(shape).to(dtype)
    with torch.no_grad():
        first = mine(x)  # the general path: makes the plan and the entries
        assert general_calls == ["general"]
        cache = mine._plan_cache
        assert cache.native is not None and cache.fast is not None and cache.fast[5] is dtype
        by_native, by_python, by_general = paths(mine, x)
        assert general_calls == ["general", "python", "general"]  # the C++ entry served the first
        want = ref(x.float()) if dtype is torch.float32 else None
    for y in (by_native, by_python, by_general):
        assert y.dtype is dtype and y.shape == first.shape and torch.equal(y, first)
        assert y.grad_fn is None and not y.requires_grad
    if want is not None:
        torch.testing.assert_close(by_native, want, rtol=1e-5, atol=1e-5)
    assert by_native.data_ptr() != by_python.data_ptr()


def served(mine, x, general_calls):
    """mine(x), asserting the C++ entry served it (no Python fast path, no general path)."""
    before = len(general_calls)
    y = mine(x)
    assert len(general_calls) == before, "the C++ entry declined: " + str(general_calls[before:])
    return y


def declined(mine, x, general_calls):
    """mine(x), asserting the general path ran it."""
    before = len(general_calls)
    y = mine(x)
    assert "general" in general_calls[before:], "the fast path served a call it must decline"
    return y


def declined_with(mine, general_calls, *args, **kwargs):
    before = len(general_calls)
    y = mine(*args, **kwargs)
    assert "general" in general_calls[before:]
    return y


@native
def test_parameter_and_attribute_changes_decline(general_calls):
    ref, mine = pair()
    x = torch.randn(2, 4, 5, 5)
    with torch.no_grad():
        mine(x)
        served(mine, x, general_calls)
        for m in (ref, mine):
            m.weight.mul_(2.0)  # version counter
        torch.testing.assert_close(declined(mine, x, general_calls), ref(x))
        for m in (ref, mine):
            m.bias.add_(1.0)
        torch.testing.assert_close(declined(mine, x, general_calls), ref(x))
        served(mine, x, general_calls)
        new = torch.randn_like(mine.weight)
        for m in (ref, mine):
            m.weight.data = new.clone()  # new storage, same version counter
        torch.testing.assert_close(declined(mine, x, general_calls), ref(x))
        for m in (ref, mine):
            m.stride = (3, 3)
        torch.testing.assert_close(declined(mine, x, general_calls), ref(x))
        served(mine, x, general_calls)
        for name, value in (("padding", (0, 0)), ("output_padding", (1, 2)), ("dilation", (2, 1))):
            for m in (ref, mine):
                setattr(m, name, value)
            torch.testing.assert_close(declined(mine, x, general_calls), ref(x))
        for m in (ref, mine):
            m.weight = nn.Parameter(m.weight.detach() * -1)
        torch.testing.assert_close(declined(mine, x, general_calls), ref(x))
        mine._parameters["bias"] = None  # past nn.Module.__setattr__
        ref.bias = None
        torch.testing.assert_close(declined(mine, x, general_calls), ref(x))
        served(mine, x, general_calls)
        plan = mine._plan_cache.value
        mine.threads = torch.get_num_threads() + 1
        declined(mine, x, general_calls)
        assert mine._plan_cache.value is not plan
        mine.padding_mode = "reflect"
        with pytest.raises(ValueError, match="padding_mode 'reflect' is not supported"):
            mine(x)
        mine.padding_mode = "zeros"
        mine.cache_plan = False
        torch.testing.assert_close(declined(mine, x, general_calls), ref(x))
        torch.testing.assert_close(declined(mine, x, general_calls), ref(x))


@native
def test_threads_and_grad_decline(general_calls):
    ref, mine = pair()
    x = torch.randn(1, 4, 6, 6)
    with torch.no_grad():
        want = mine(x)
        served(mine, x, general_calls)
    old = torch.get_num_threads()
    try:
        torch.set_num_threads(1 if old > 1 else 2)
        with torch.no_grad():
            assert torch.equal(declined(mine, x, general_calls), want)
            served(mine, x, general_calls)
    finally:
        torch.set_num_threads(old)
    y = declined(mine, x, general_calls)  # grad mode on, parameters require grad
    assert y.grad_fn is not None and torch.equal(y.detach(), want)
    with torch.no_grad():
        mine(x)
    for p in mine.parameters():
        p.requires_grad_(False)
    assert served(mine, x, general_calls).grad_fn is None
    xg = x.clone().requires_grad_(True)
    assert declined(mine, xg, general_calls).grad_fn is not None
    with torch.inference_mode():
        xi = x.clone()  # an inference tensor (another dispatch key set: the C++ entry declines)
        assert mine._plan_cache.native(mine, xi) is None
        assert torch.equal(mine(xi), want) and torch.equal(mine(xi), want)


@native
def test_inputs_decline(general_calls):
    ref, mine = pair()
    x = torch.randn(2, 4, 5, 6)

    class Sub(torch.Tensor):
        pass
    with torch.no_grad():
        mine(x)
        served(mine, x, general_calls)
        torch.testing.assert_close(declined(mine, x.transpose(2, 3).contiguous().transpose(2, 3),
                                            general_calls), ref(x))
        torch.testing.assert_close(declined(mine, x.as_subclass(Sub), general_calls), ref(x))
        torch.testing.assert_close(declined(mine, x[:1], general_calls), ref(x[:1]))  # new shape
        with pytest.raises(TypeError, match="input has dtype torch.float64"):
            mine(x.double())
        with pytest.raises(RuntimeError, match="negative bit"):
            mine(torch._neg_view(x))
        y = declined_with(mine, general_calls, x, output_size=(9, 11))  # forward's general path, always
        torch.testing.assert_close(y, ref(x, output_size=(9, 11)))
        declined_with(mine, general_calls, x, output_size=(9, 11))
        mine(x[:1])
        assert torch.equal(served(mine, x[:1], general_calls), mine._plan_cache.native(mine, x[:1]))


@native
def test_hooks_and_overridden_forward_decline(general_calls):
    _, mine = pair()
    x = torch.randn(1, 4, 5, 5)
    seen = []
    with torch.no_grad():
        want = mine(x)
        served(mine, x, general_calls)
        handle = mine.register_forward_pre_hook(lambda m, i: seen.append("pre"))
        assert torch.equal(mine(x), want) and seen == ["pre"]  # (served by forward's Python fast path)
        handle.remove()
        handle = nn.modules.module.register_module_forward_hook(lambda m, i, o: seen.append("global"))
        try:
            assert torch.equal(mine(x), want) and seen == ["pre", "global"]
        finally:
            handle.remove()
        served(mine, x, general_calls)
        mine.forward = lambda inp, output_size=None: want * 2  # an instance's own forward
        assert torch.equal(mine(x), want * 2)
        del mine.forward
        served(mine, x, general_calls)

        class Doubled(type(mine)):
            def forward(self, inp, output_size=None):
                return super().forward(inp, output_size) * 2
        sub = Doubled(4, 6, 3, stride=2, padding=1, cache_plan=True)
        sub.load_state_dict(mine.state_dict())
        for _ in range(3):
            assert torch.equal(sub(x), want * 2)
        assert sub._plan_cache.native is None and sub._plan_cache.fast is not None


def test_bf16_fast_path_sees_edits():
    """bf16 modules take the fast path too (in Python when use_native is off)."""
    torch.manual_seed(2)
    for use_native in (True, False):
        m = tt.ConvTranspose2d(4, 3, 4, stride=2, padding=1, dtype=torch.bfloat16, cache_plan=True)
        x = torch.randn(2, 4, 5, 5).to(torch.bfloat16)
        with torch.no_grad():
            first = m(x)
            m._plan_cache.use_native = use_native
            entry = m._plan_cache.fast
            assert entry is not None and entry[5] is torch.bfloat16
            assert torch.equal(m(x), first) and m._plan_cache.fast is entry
            m.weight.mul_(2.0)  # exact in bf16: every product doubles
            y = m(x)
            assert m._plan_cache.fast is not entry
            fresh = tt.ConvTranspose2d(4, 3, 4, stride=2, padding=1, dtype=torch.bfloat16)
            fresh.load_state_dict(m.state_dict())
            assert y.dtype is torch.bfloat16 and torch.equal(y, fresh(x))
            assert torch.equal(m(x), y)
