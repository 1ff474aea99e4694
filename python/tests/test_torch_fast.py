"""tconv.torch's cached inference fast path (cache_plan=True, no graph to
record): the same values as the general path and torch's, a re-plan on
every change the general path would see, outputs never overwritten while
anyone holds them, and their memory reused once nobody does."""
import copy

import pytest
import torch
import torch.nn as nn

import tconv.torch as tt


def pair(**kw):
    torch.manual_seed(7)
    ref = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, **kw)
    return ref, tt.convert(copy.deepcopy(ref), cache_plan=True)


def general(mine, x):
    """mine(x) through the general path (the fast path off for one call)."""
    if getattr(mine, "_plan_cache", None) is None:
        mine(x)  # makes the cache
    mine._plan_cache.use_fast = False
    try:
        return mine(x)
    finally:
        mine._plan_cache.use_fast = True


def close(a, b):
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_fast_path_engages_and_matches():
    ref, mine = pair()
    x = torch.randn(2, 4, 5, 7)
    with torch.no_grad():
        first = mine(x)
        entry = mine._plan_cache.fast
        assert entry is not None and entry[1] is mine._plan_cache.value
        second = mine(x)
        assert mine._plan_cache.fast is entry  # served by the entry, no new plan
        want = ref(x)
        assert torch.equal(second, first) and torch.equal(second, general(mine, x))
        close(second, want)
        assert second.shape == (2, 6, 9, 13) and second.dtype == torch.float32
        assert second.grad_fn is None and not second.requires_grad


def test_outputs_are_never_shared_while_held():
    _, mine = pair()
    xs = [torch.randn(1, 4, 8, 8) for _ in range(4)]
    with torch.no_grad():
        want = [general(mine, x).clone() for x in xs]
        kept = mine(xs[0])
        view = mine(xs[1])[0]  # only a view of the second output survives
        arr = mine(xs[2]).numpy()  # and a numpy array of the third
        last = mine(xs[3])
    assert kept is not last
    ptrs = {kept.data_ptr(), view.data_ptr(), arr.ctypes.data, last.data_ptr()}
    assert len(ptrs) == 4
    assert torch.equal(kept, want[0]) and torch.equal(view, want[1][0])
    assert torch.equal(torch.from_numpy(arr), want[2]) and torch.equal(last, want[3])


def test_freed_output_memory_is_reused():
    """Outputs of 32 MiB or more (which malloc maps afresh every time) come
    from the plan's pool; smaller ones are new arrays."""
    torch.manual_seed(3)
    big = tt.ConvTranspose2d(2, 4, 2, stride=2, cache_plan=True)
    x = torch.randn(1, 2, 1100, 1100)  # output (1, 4, 2200, 2200): 77 MB
    with torch.no_grad():
        big(x)  # the general path, which makes the plan and the fast path's entry
        y = big(x)
        want = y.clone()
        address = y.data_ptr()
        del y
        assert big._plan_cache.value._pool_held == 1
        again = big(x)
        assert again.data_ptr() == address and big._plan_cache.value._pool_held == 0
        assert torch.equal(again, want)
        # `y = module(x)` in a loop: two buffers take turns.
        seen = set()
        for _ in range(4):
            again = big(x)
            seen.add(again.data_ptr())
            assert torch.equal(again, want)
        assert len(seen) == 2
        del again
        view = big(x)[0, 1]  # a view keeps the pooled buffer out of the pool
        other = big(x * 2)
        assert other.data_ptr() != view.data_ptr() and torch.equal(view, want[0, 1])
        _, small = pair()
        for _ in range(3):
            small(torch.randn(1, 4, 8, 8))
        assert small._plan_cache.fast is not None and small._plan_cache.value._pool_held == 0


def test_parameter_updates_and_attributes_replan():
    ref, mine = pair()
    x = torch.randn(2, 4, 5, 5)
    with torch.no_grad():
        mine(x)
        plan = mine._plan_cache.value
        for m in (ref, mine):
            m.weight.mul_(2.0)  # in place: bumps the version counter
            m.bias.add_(1.0)
        close(mine(x), ref(x))
        assert mine._plan_cache.value is not plan
        for m in (ref, mine):
            m.stride = (3, 3)
            m.padding = (0, 0)
            m.output_padding = (1, 2)
        close(mine(x), ref(x))
        assert mine(x).shape == (2, 6, 16, 17)
        mine.weight = nn.Parameter(ref.weight.detach().clone() * -1)
        ref.weight = nn.Parameter(ref.weight.detach().clone() * -1)
        close(mine(x), ref(x))
        mine.bias = None
        ref.bias = None
        close(mine(x), ref(x))
        close(mine(x[0]), ref(x[0]))  # unbatched
        close(mine(x[0]), ref(x[0]))
        assert mine(x[0]).shape == ref(x[0]).shape
        for n in (0, 3, 3):  # an empty batch, then a new shape twice (general, then fast)
            xn = torch.randn(n, 4, 2, 3)
            close(mine(xn), ref(xn))
            assert mine(xn).shape == (n, 6, 7, 11)


def test_data_edit_unseen_as_documented():
    """An edit through `param.data` bumps no version counter: the cached
    plan (fast path or not) keeps the old weights, as tconv.torch's
    docstring says; an in-place edit of the parameter itself is seen."""
    ref, mine = pair()
    x = torch.randn(1, 4, 4, 4)
    with torch.no_grad():
        before = mine(x)
        mine.weight.data.mul_(3.0)
        assert torch.equal(mine(x), before) and torch.equal(general(mine, x), before)
        mine.weight.mul_(1.0)
        ref.weight.mul_(3.0)
        close(mine(x), ref(x))


def test_threads_change_replans():
    _, mine = pair()
    x = torch.randn(1, 4, 6, 6)
    old = torch.get_num_threads()
    with torch.no_grad():
        want = mine(x)
        try:
            torch.set_num_threads(1 if old > 1 else 2)
            assert torch.equal(mine(x), want)
            assert mine._plan_cache.fast[0][-1] == torch.get_num_threads()
        finally:
            torch.set_num_threads(old)


def test_inputs_the_fast_path_declines():
    ref, mine = pair()
    x = torch.randn(2, 4, 5, 6)
    with torch.no_grad():
        mine(x)
        entry = mine._plan_cache.fast
        close(mine(x.transpose(2, 3).contiguous().transpose(2, 3)), ref(x))  # not contiguous
        close(mine(x.unsqueeze(0)[0]), ref(x))
        with pytest.raises(TypeError, match="input has dtype torch.float64, but tconv computes torch.float32"):
            mine(x.double())
        with pytest.raises(ValueError, match="input must have 3 .unbatched. or 4 .batched. dimensions"):
            mine(x[0, 0])
        assert mine._plan_cache.fast is entry
        neg = torch._neg_view(x)  # a negative-bit view: the general path's numpy() refuses it
        with pytest.raises(RuntimeError, match="negative bit"):
            mine(neg)
        fb = tt.convert(copy.deepcopy(ref), cache_plan=True, fallback=True)
        fb(x)
        fb(x)
        fb.double()  # new float64 parameters: torch's op runs
        close(fb(x.double()), copy.deepcopy(ref).double()(x.double()))
        with pytest.raises(TypeError, match="weight has dtype torch.float64"):
            mine.double()(x)  # the same Parameter objects, new data


def test_autograd_still_records_after_fast_calls():
    ref, mine = pair()
    x = torch.randn(1, 4, 5, 5)
    with torch.no_grad():
        mine(x)
    y = mine(x)
    assert y.grad_fn is not None
    y.sum().backward()
    ref(x).sum().backward()
    close(mine.weight.grad, ref.weight.grad)
    xg = x.clone().requires_grad_(True)
    for p in mine.parameters():
        p.requires_grad_(False)
    mine(x)  # nothing requires grad: no graph, the fast path
    assert mine(x).grad_fn is None
    assert mine(xg).grad_fn is not None  # the input alone still records


def test_hooks_and_cache_off():
    _, mine = pair()
    x = torch.randn(1, 4, 5, 5)
    calls = []
    mine.register_forward_hook(lambda m, i, o: calls.append(o.shape))
    with torch.no_grad():
        want = mine(x)
        mine(x)
        mine.weight.add_(1.0)
        mine.cache_plan = False  # no plan kept: every call makes its own
        changed = mine(x)
        mine.weight.sub_(1.0)
        close(mine(x), want)
        assert (changed - want).abs().max() > 0.5  # the edit was seen
    assert calls == [(1, 6, 9, 9)] * 4
