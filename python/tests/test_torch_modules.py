"""tconv.torch's modules as drop-ins for torch's: forward against torch's
module with the same state dict, construction, convert(), and that
`import tconv` stays free of torch.

Forward values: within reference.py's float32 bound of torch's float64
result, and within twice it of torch's float32 module (both lie within the
bound of the exact value)."""
import copy
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn as nn

import tconv.torch as tt
from geometries import random_geometry
from torch_pairs import TCONV_MODULES, TORCH_MODULES, assert_within, bounds, grads64, make_pair

SEEDS = range(2000, 2200)  # 200 geometries


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_matches_torch_module(seed):
    g = random_geometry(seed)
    ref, mine, output_size = make_pair(g)
    x = torch.from_numpy(g["x"])
    with torch.no_grad():
        y = mine(x, output_size=output_size)
        y_torch = ref(x, output_size=output_size)
    assert y.dtype == torch.float32
    gy = torch.ones_like(y_torch)
    want = grads64(ref, x, gy, output_size)[0]
    bound = bounds(g, x, gy, ref, output_size)[0]
    assert_within(y, want, bound, "y")
    assert_within(y, y_torch.double().numpy(), 2 * bound, "y vs torch float32")


def test_hand_picked_geometries():
    """One each of what the random set may miss: 3-D with everything at
    once, depthwise, output_size as the full shape, unbatched input, a
    non-contiguous input, and an empty batch."""
    torch.manual_seed(0)
    cases = [
        (nn.ConvTranspose3d, (2, 4, 3, 2, 3), dict(in_channels=4, out_channels=6, kernel_size=(2, 3, 2),
                                                 stride=(2, 1, 3), padding=(1, 0, 1), output_padding=(1, 0, 2),
                                                 groups=2, dilation=(1, 2, 1)), None),
        (nn.ConvTranspose2d, (1, 8, 5, 5), dict(in_channels=8, out_channels=8, kernel_size=4, stride=2, padding=1,
                                              groups=8), None),
        (nn.ConvTranspose2d, (2, 3, 4, 4), dict(in_channels=3, out_channels=5, kernel_size=3, stride=2,
                                              padding=1), [2, 5, 8, 8]),
        (nn.ConvTranspose1d, (3, 7), dict(in_channels=3, out_channels=2, kernel_size=5, stride=3), None),
        (nn.ConvTranspose2d, (0, 3, 4, 4), dict(in_channels=3, out_channels=2, kernel_size=3), None),
    ]
    for cls, shape, kw, output_size in cases:
        ref = cls(**kw)
        mine = convert_one(ref)
        x = torch.randn(shape)
        with torch.no_grad():
            want, got = ref(x, output_size=output_size), mine(x, output_size=output_size)
        assert got.shape == want.shape, (cls, shape)
        assert torch.allclose(got, want, rtol=1e-5, atol=1e-5), (cls, shape, (got - want).abs().max())
    # A transposed view: made contiguous, same values.
    m = nn.ConvTranspose2d(4, 3, 3, stride=2)
    x = torch.randn(2, 6, 6, 4).permute(0, 3, 1, 2)
    assert not x.is_contiguous()
    with torch.no_grad():
        assert torch.allclose(convert_one(m)(x), m(x), rtol=1e-5, atol=1e-5)


def convert_one(m):
    out = tt.convert(m)
    assert type(out) is TCONV_MODULES[{nn.ConvTranspose1d: 1, nn.ConvTranspose2d: 2,
                                       nn.ConvTranspose3d: 3}[type(m)]]
    return out


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_constructor_parameters_and_init_are_torchs(nd):
    kw = dict(stride=2, padding=1, output_padding=1, groups=2, bias=True, dilation=1)
    torch.manual_seed(5)
    ref = TORCH_MODULES[nd](4, 6, 3, **kw)
    torch.manual_seed(5)
    mine = TCONV_MODULES[nd](4, 6, 3, **kw)
    assert isinstance(mine, TORCH_MODULES[nd])
    assert [n for n, _ in mine.named_parameters()] == ["weight", "bias"]
    # Same seed, same draws: torch's reset_parameters ran.
    assert torch.equal(mine.weight, ref.weight) and torch.equal(mine.bias, ref.bias)
    assert mine.weight.shape == (4, 3) + (3,) * nd
    assert repr(mine) == repr(ref)
    mine.load_state_dict(ref.state_dict())
    m64 = TCONV_MODULES[nd](4, 6, 3, dtype=torch.float64, bias=False)
    assert m64.weight.dtype == torch.float64 and m64.bias is None


def test_convert_replaces_recursively_and_keeps_parameters():
    torch.manual_seed(1)
    model = nn.Sequential(nn.ConvTranspose2d(4, 8, 4, 2, 1), nn.ReLU(),
                          nn.Sequential(nn.ConvTranspose2d(8, 3, 3, 1, 1), nn.Tanh()),
                          nn.ModuleList([nn.ConvTranspose1d(2, 2, 3)]))
    params = list(model.parameters())
    x = torch.randn(2, 4, 5, 5)
    with torch.no_grad():
        want = model[:3](x)
    assert tt.convert(model) is model
    assert type(model[0]) is tt.ConvTranspose2d and type(model[2][0]) is tt.ConvTranspose2d
    assert type(model[3][0]) is tt.ConvTranspose1d
    assert all(a is b for a, b in zip(model.parameters(), params))
    with torch.no_grad():
        assert torch.allclose(model[:3](x), want, rtol=1e-5, atol=1e-5)
    # Converting again changes nothing; a subclass of torch's keeps its class.

    class Custom(nn.ConvTranspose2d):
        pass

    holder = nn.Sequential(Custom(2, 2, 3))
    tt.convert(holder)
    assert type(holder[0]) is Custom
    single = tt.convert(nn.ConvTranspose3d(1, 1, 1))
    assert type(single) is tt.ConvTranspose3d


def test_import_tconv_does_not_import_torch():
    code = "import sys, tconv; assert 'torch' not in sys.modules, 'torch imported'; import tconv.torch; " \
           "assert 'torch' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cache_plan_reuses_and_invalidates():
    """cache_plan=True: the same plan while nothing changes; a new one after
    an optimizer step, load_state_dict or a new input shape, with results
    equal to an uncached module's (a stale plan would give the old
    weights' output, far off)."""
    torch.manual_seed(4)
    ref = nn.ConvTranspose2d(6, 4, 4, stride=2, padding=1)
    cached = tt.convert(copy.deepcopy(ref), cache_plan=True)
    plain = tt.convert(copy.deepcopy(ref))
    x = torch.randn(2, 6, 5, 5)

    def check():
        with torch.no_grad():
            assert torch.equal(cached(x), plain(x))

    check()
    first = cached._plan_cache.value
    check()
    assert cached._plan_cache.value is first
    for m in (cached, plain):  # one SGD step on each: in-place parameter updates
        opt = torch.optim.SGD(m.parameters(), lr=0.5)
        m(x).square().sum().backward()
        opt.step()
    check()
    assert cached._plan_cache.value is not first
    second = cached._plan_cache.value
    state = nn.ConvTranspose2d(6, 4, 4, stride=2, padding=1).state_dict()
    cached.load_state_dict(state)
    plain.load_state_dict(state)
    check()
    assert cached._plan_cache.value is not second
    x = torch.randn(1, 6, 3, 7)
    check()
    assert cached._plan_cache.value.input_shape == (1, 6, 3, 7)
    # Copies drop the plan (not picklable) and make their own.
    clone = pickle.loads(pickle.dumps(cached))
    assert getattr(clone, "_plan_cache", None) is None and cached._plan_cache is not None
    with torch.no_grad():
        assert torch.equal(clone(x), plain(x))
    assert type(copy.deepcopy(cached)) is tt.ConvTranspose2d
