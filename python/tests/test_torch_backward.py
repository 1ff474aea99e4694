"""tconv.torch's backward: grad_input, grad_weight, grad_bias against torch's
autograd on seeded random geometries, and against central differences.

Each gradient is compared with torch's float64 autograd on the same float32
data within the float32 rounding bound of its sums (torch_pairs.bounds),
and with torch's own float32 autograd within twice that bound (both are
within the bound of the exact value). A wrong tap, channel or pad mapping
misses by O(1), far beyond either bound."""
import numpy as np
import pytest
import torch

import tconv.torch as tt
from geometries import random_geometry
from torch_pairs import assert_within, bounds, grads64, make_pair

SEEDS = range(1000, 1120)  # 120 geometries: 1-3-D, groups, dilation, output_padding, output_size


@pytest.mark.parametrize("seed", SEEDS)
def test_gradients_match_torch_autograd(seed):
    g = random_geometry(seed)
    ref, mine, output_size = make_pair(g)
    rng = np.random.default_rng(seed + 7)
    x = torch.from_numpy(g["x"])
    y_shape = (g["x_shape"][0], ref.out_channels) + tuple(g["out_spatial"])
    gy = torch.from_numpy(rng.standard_normal(y_shape).astype(np.float32))

    xm = x.clone().requires_grad_(True)
    y = mine(xm, output_size=output_size)
    y.backward(gy)
    xr = x.clone().requires_grad_(True)
    ref(xr, output_size=output_size).backward(gy)

    want = grads64(ref, x, gy, output_size)
    bound = bounds(g, x, gy, ref, output_size)
    assert_within(y, want[0], bound[0], "y")
    assert_within(xm.grad, want[1], bound[1], "grad_input")
    assert_within(mine.weight.grad, want[2], bound[2], "grad_weight")
    assert_within(xm.grad, xr.grad.double().numpy(), 2 * bound[1], "grad_input vs torch float32")
    assert_within(mine.weight.grad, ref.weight.grad.double().numpy(), 2 * bound[2], "grad_weight vs torch float32")
    if g["b"] is not None:
        assert_within(mine.bias.grad, want[3], bound[3], "grad_bias")
        assert_within(mine.bias.grad, ref.bias.grad.double().numpy(), 2 * bound[3], "grad_bias vs torch float32")
    else:
        assert mine.bias is None


def test_only_the_gradients_asked_for():
    # needs_input_grad: a frozen weight gets none, the input still does.
    m = tt.ConvTranspose2d(3, 4, 3, stride=2)
    m.weight.requires_grad_(False)
    x = torch.randn(2, 3, 5, 5, requires_grad=True)
    m(x).sum().backward()
    assert m.weight.grad is None
    assert m.bias.grad is not None and x.grad is not None
    # d(sum y)/d bias = the number of output positions per channel, exactly.
    assert torch.equal(m.bias.grad, torch.full((4,), 2.0 * 11 * 11))


# Small cases for the finite-difference check: (nd, x shape, weight shape, kwargs).
FD_CASES = [
    (1, (2, 2, 5), (2, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    (2, (1, 4, 3, 4), (4, 1, 2, 3), dict(stride=(2, 1), padding=(0, 1), dilation=(1, 2), groups=2)),
    (3, (1, 2, 2, 3, 2), (2, 2, 2, 2, 2), dict(stride=(1, 2, 2), output_padding=(0, 1, 0))),
]


@pytest.mark.parametrize("case", range(len(FD_CASES)))
def test_gradients_match_central_differences(case):
    """f(x, w, b) = sum(gy * conv_transpose(x, w, b)) is linear in each
    argument, so central differences of f in float64 have no truncation
    error: (f(v + h) - f(v - h)) / 2h differs from the gradient only by
    float32 rounding of the two evaluations, about 2 * 2^-24 * sum|terms| / h
    relative to f; with h = 0.5 and values of order 1 that is below 1e-5
    of the largest gradient, and 1e-4 of it is allowed. A wrong gradient
    element misses by O(1)."""
    nd, xs, ws, kw = FD_CASES[case]
    gen = torch.Generator().manual_seed(case)
    x, w = torch.randn(xs, generator=gen), torch.randn(ws, generator=gen)
    b = torch.randn(ws[1] * kw.get("groups", 1), generator=gen)
    fn = {1: tt.conv_transpose1d, 2: tt.conv_transpose2d, 3: tt.conv_transpose3d}[nd]
    gy = torch.randn(fn(x, w, b, **kw).shape, generator=gen)

    def f(x_, w_, b_):
        return float((gy.double() * fn(x_, w_, b_, **kw).double()).sum())

    args = [x.clone().requires_grad_(True), w.clone().requires_grad_(True), b.clone().requires_grad_(True)]
    (fn(*args, **kw) * gy).sum().backward()
    h = 0.5
    for i, name in enumerate(("input", "weight", "bias")):
        grad = args[i].grad.double().numpy().ravel()
        fd = np.empty_like(grad)
        for e in range(grad.size):
            plus = [a.detach().clone() for a in args]
            minus = [a.detach().clone() for a in args]
            plus[i].view(-1)[e] += h
            minus[i].view(-1)[e] -= h
            fd[e] = (f(*plus) - f(*minus)) / (2 * h)
        scale = np.abs(grad).max()
        assert np.all(np.abs(fd - grad) <= 1e-4 * scale), "{}: max |fd - grad| {} (scale {})".format(
            name, np.abs(fd - grad).max(), scale)


def test_empty_batch_gradients_are_zero():
    # torch accepts a batch of 0; the weight and bias gradients are zeros
    # (the buffers tconv returns start uninitialised, so this checks they
    # are written).
    m = tt.ConvTranspose2d(3, 4, 3, stride=2)
    x = torch.randn(0, 3, 5, 5, requires_grad=True)
    y = m(x)
    assert y.shape == (0, 4, 11, 11)
    y.sum().backward()
    assert x.grad.shape == x.shape
    assert torch.equal(m.weight.grad, torch.zeros_like(m.weight))
    assert torch.equal(m.bias.grad, torch.zeros(4))


def test_double_backward_is_refused():
    m = tt.ConvTranspose1d(2, 2, 3)
    x = torch.randn(1, 2, 4, requires_grad=True)
    (gx,) = torch.autograd.grad(m(x).pow(2).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable|twice"):
        gx.sum().backward()


def test_two_threads_give_the_same_gradients():
    # The GEMM forms split the work by groups and output blocks; each sum
    # keeps its order, so threads=2 must agree with threads=1 to rounding
    # of a reordered sum at most (1e-5 relative on values of order 1-10).
    torch.manual_seed(9)
    one = tt.ConvTranspose2d(8, 6, 3, stride=2, padding=1, groups=2, threads=1)
    two = tt.ConvTranspose2d(8, 6, 3, stride=2, padding=1, groups=2, threads=2)
    two.load_state_dict(one.state_dict())
    x = torch.randn(4, 8, 9, 9)
    grads = []
    for m in (one, two):
        xi = x.clone().requires_grad_(True)
        (m(xi) * torch.linspace(-1, 1, 17)).sum().backward()
        grads.append((xi.grad, m.weight.grad, m.bias.grad))
    for a, b in zip(*grads):
        assert torch.allclose(a, b, rtol=1e-5, atol=1e-5)
