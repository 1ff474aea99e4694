"""tconv.torch with torch.bfloat16: forward through a bf16 plan, a
torch.bfloat16 output; backward through the float32 gradients of the bf16
values, rounded to bf16.

Values: each bf16 output lies where rounding the float32 accumulation of the
bf16 values can put it (bf16_reference.py): the reference is torch's float64
transposed convolution of the module's own bf16 input, weight and bias."""
import numpy as np
import pytest
import torch

import tconv
import tconv.torch as tt
from bf16_reference import assert_bf16_within
from geometries import random_geometry
from reference import TORCH_TRANSPOSE, gamma, transpose_bound
from torch_pairs import TCONV_MODULES, module_args


def bits(t):
    return t.view(torch.int16).numpy().view(np.uint16)


def bf16_module(g, **extra):
    args, kwargs = module_args(g)
    m = TCONV_MODULES[g["nd"]](*args, **kwargs, dtype=torch.bfloat16, **extra)
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(g["w"]))  # rounded to bf16 by torch
        if g["b"] is not None:
            m.bias.copy_(torch.from_numpy(g["b"]))
    return m


def reference(m, x, output_size=None):
    """float64 (ref, bound) of module m (bf16 parameters) on bf16 x."""
    x64, w64 = x.double().numpy(), m.weight.detach().double().numpy()
    b64 = None if m.bias is None else m.bias.detach().double().numpy()
    nd = w64.ndim - 2
    xb = x64 if x64.ndim == nd + 2 else x64[None]
    op = m._output_padding(x, output_size, m.stride, m.padding, m.kernel_size, nd, m.dilation)
    kw = dict(stride=m.stride, padding=m.padding, output_padding=tuple(op), groups=m.groups, dilation=m.dilation)
    ref = TORCH_TRANSPOSE[nd](torch.from_numpy(xb), torch.from_numpy(w64),
                              None if b64 is None else torch.from_numpy(b64), **kw).numpy()
    bound = transpose_bound(xb, w64, b64, **kw)
    if x64.ndim == nd + 1:
        ref, bound = ref[0], bound[0]
    return ref, bound


@pytest.mark.parametrize("seed", range(24))
def test_bf16_module_inference(seed):
    g = random_geometry(500 + seed)
    m = bf16_module(g, cache_plan=seed % 2 == 1)
    x = torch.from_numpy(g["x"]).to(torch.bfloat16)
    output_size = g["out_spatial"] if g["use_output_size"] else None
    ref, bound = reference(m, x, output_size)
    with torch.no_grad():
        y = m(x, output_size=output_size)
        y2 = m(x, output_size=output_size)  # the cached plan, when cache_plan
    assert y.dtype == torch.bfloat16 and tuple(y.shape) == ref.shape
    assert_bf16_within(bits(y), ref, bound)
    assert torch.equal(y.view(torch.int16), y2.view(torch.int16))
    with torch.inference_mode():
        y3 = m(x, output_size=output_size)
    assert torch.equal(y.view(torch.int16), y3.view(torch.int16))
    # the functional form, and unbatched input (torch's (C, *spatial))
    f = {1: tt.conv_transpose1d, 2: tt.conv_transpose2d, 3: tt.conv_transpose3d}[g["nd"]]
    with torch.no_grad():
        if output_size is None:
            yf = f(x, m.weight, m.bias, m.stride, m.padding, m.output_padding, m.groups, m.dilation)
            assert torch.equal(yf.view(torch.int16), y.view(torch.int16))
        y1 = m(x[0], output_size=output_size)
    assert y1.dtype == torch.bfloat16 and torch.equal(y1.view(torch.int16), y[0].view(torch.int16))


def test_bf16_matches_tconv_plan_bits():
    """The module's bits are the numpy bf16 plan's on the same bits."""
    g = random_geometry(3)
    m = bf16_module(g)
    x = torch.from_numpy(g["x"]).to(torch.bfloat16)
    with torch.no_grad():
        y = m(x)
    b = None if m.bias is None else m.bias.detach().float().numpy()
    plan = tconv.Plan(bits(m.weight.detach()), b, input_shape=tuple(x.shape), stride=m.stride, padding=m.padding,
                      output_padding=m.output_padding, groups=m.groups, dilation=m.dilation, dtype="bf16")
    assert np.array_equal(bits(y), plan(bits(x), out_dtype=np.uint16))


def grads64(m, x, gy, output_size, absolute=False):
    """float64 (y, dx, dw, db) of module m's transposed convolution at its
    bf16 parameters, for bf16 x and output gradient gy (widened exactly);
    with absolute, of the absolute values (the sums of |terms|)."""
    f = (lambda t: t.abs()) if absolute else (lambda t: t)
    nd = m.weight.dim() - 2
    op = m._output_padding(x, output_size, m.stride, m.padding, m.kernel_size, nd, m.dilation)
    x64 = f(x.detach().double()).requires_grad_(True)
    w64 = f(m.weight.detach().double()).requires_grad_(True)
    b64 = None if m.bias is None else f(m.bias.detach().double()).requires_grad_(True)
    y = TORCH_TRANSPOSE[nd](x64, w64, b64, stride=m.stride, padding=m.padding, output_padding=tuple(op),
                            groups=m.groups, dilation=m.dilation)
    y.backward(f(gy.double()))
    return (y.detach().numpy(), x64.grad.numpy(), w64.grad.numpy(), None if b64 is None else b64.grad.numpy())


@pytest.mark.parametrize("seed", range(16))
def test_bf16_gradients(seed):
    """Backward in bf16: each gradient is tconv's float32 gradient of the
    bf16 values rounded once, so it lies in the rounding bracket of the
    float64 gradient within float32's bound (torch_pairs.bounds' sizes)."""
    g = random_geometry(1000 + seed)
    m = bf16_module(g)
    x = torch.from_numpy(g["x"]).to(torch.bfloat16).requires_grad_(True)
    output_size = g["out_spatial"] if g["use_output_size"] else None
    y = m(x, output_size=output_size)
    assert y.dtype == torch.bfloat16 and y.requires_grad
    gy = torch.from_numpy(np.random.default_rng(seed).standard_normal(tuple(y.shape)).astype(np.float32))
    gy = gy.to(torch.bfloat16)
    y.backward(gy)
    want = grads64(m, x, gy, output_size)
    mag = grads64(m, x, gy, output_size, absolute=True)
    k = int(np.prod(g["w_shape"][2:]))
    n = (g["x_shape"][1] // g["groups"] * k + 1, g["w_shape"][1] * k, g["x_shape"][0] * int(np.prod(g["x_shape"][2:])),
         gy.shape[0] * int(np.prod(gy.shape[2:])))
    got = (y, x.grad, m.weight.grad, m.bias.grad if m.bias is not None else None)
    for what, t, w64, m64, terms in zip(("y", "grad_input", "grad_weight", "grad_bias"), got, want, mag, n):
        if w64 is None:
            continue
        assert t.dtype == torch.bfloat16, what
        assert_bf16_within(bits(t.detach()), w64, gamma(terms + 2) * m64 + 1e-30)


def test_bf16_training_steps():
    """A few SGD steps of a bf16 decoder train through tconv: the loss falls."""
    torch.manual_seed(2)
    model = tt.convert(torch.nn.Sequential(torch.nn.ConvTranspose2d(8, 8, 4, stride=2, padding=1), torch.nn.ReLU(),
                                           torch.nn.ConvTranspose2d(8, 3, 4, stride=2, padding=1))).to(torch.bfloat16)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x, target = torch.randn(4, 8, 4, 4).to(torch.bfloat16), torch.randn(4, 3, 16, 16).to(torch.bfloat16)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x).float(), target.float())
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(p.dtype == torch.bfloat16 and p.grad.dtype == torch.bfloat16 for p in model.parameters())
    assert losses[-1] < losses[0]


def test_bf16_dtype_errors():
    m = tt.ConvTranspose2d(2, 3, 3)
    x = torch.randn(1, 2, 4, 4)
    with torch.no_grad():
        with pytest.raises(TypeError, match="weight has dtype torch.float32 but input has torch.bfloat16"):
            m(x.to(torch.bfloat16))
        with pytest.raises(TypeError, match="float16, but tconv computes torch.float32 or torch.bfloat16"):
            m(x.half())
        mb = tt.ConvTranspose2d(2, 3, 3, dtype=torch.bfloat16)
        with pytest.raises(TypeError, match="bias has dtype torch.float32 but input has torch.bfloat16"):
            tt.conv_transpose2d(x.to(torch.bfloat16), mb.weight, torch.zeros(3))


def test_cached_module_switches_dtype():
    """A cache_plan module used in f32, moved to bf16 and back, re-plans each time."""
    torch.manual_seed(0)
    m = tt.ConvTranspose2d(4, 2, 4, stride=2, padding=1, cache_plan=True)
    ref = torch.nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1)
    ref.load_state_dict(m.state_dict())
    x = torch.randn(2, 4, 5, 5)
    with torch.no_grad():
        for _ in range(2):
            assert torch.allclose(m(x), ref(x), atol=1e-5)  # (the second: the fast path)
        m.to(torch.bfloat16)
        xb = x.to(torch.bfloat16)
        y = m(xb)
        assert y.dtype == torch.bfloat16
        r, bound = reference(m, xb)
        assert_bf16_within(bits(y), r, bound)
        with pytest.raises(TypeError, match="weight has dtype torch.bfloat16 but input has torch.float32"):
            m(x)
        m.float()
        assert torch.allclose(m(x), ref(x), atol=2e-2)  # weights went through bf16



@pytest.mark.parametrize("cin, cout", [(32, 48), (32, 32)])
def test_bf16_kernel_sized_module(cin, cout):
    """Channels enough for phase's bf16 kernels (the random geometries above
    mostly widen to f32). torch's own module is no reference here: Debian's
    torch 1.13 returns a wrong shape for CPU bf16 transposed convolutions
    when Cin == Cout ((2, 32, 3, 3) for this layer) and fails otherwise."""
    torch.manual_seed(1)
    m = tt.ConvTranspose2d(cin, cout, 4, stride=2, padding=1, dtype=torch.bfloat16, threads=2)
    x = torch.randn(2, cin, 6, 7).to(torch.bfloat16)
    with torch.no_grad():
        y = m(x)
    ref, bound = reference(m, x)
    assert y.dtype == torch.bfloat16 and tuple(y.shape) == (2, cout, 12, 14)
    assert_bf16_within(bits(y), ref, bound)
