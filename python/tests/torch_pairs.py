"""A torch module and its tconv.torch twin from one seeded geometry
(python/tests/geometries.py), and the float64 references and error bounds
the tconv.torch tests compare against (see reference.py for the bound)."""
import numpy as np
import torch

import tconv.torch as tt
from reference import gamma

TORCH_MODULES = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d, 3: torch.nn.ConvTranspose3d}
TCONV_MODULES = {1: tt.ConvTranspose1d, 2: tt.ConvTranspose2d, 3: tt.ConvTranspose3d}


def module_args(g):
    """nn.ConvTranspose*d's positional and keyword arguments for g."""
    cin, cout_g = g["w_shape"][:2]
    args = (cin, cout_g * g["groups"], tuple(g["w_shape"][2:]))
    kwargs = dict(stride=g["stride"], padding=g["padding"], dilation=g["dilation"], groups=g["groups"],
                  bias=g["b"] is not None,
                  output_padding=0 if g["use_output_size"] else g["output_padding"])
    return args, kwargs


def make_pair(g, dtype=torch.float32):
    """(torch module, tconv module with torch's state dict loaded), holding
    g's weight and bias, and the output_size to call them with (or None)."""
    args, kwargs = module_args(g)
    ref = TORCH_MODULES[g["nd"]](*args, **kwargs, dtype=dtype)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(g["w"]))
        if g["b"] is not None:
            ref.bias.copy_(torch.from_numpy(g["b"]))
    mine = TCONV_MODULES[g["nd"]](*args, **kwargs)
    mine.load_state_dict(ref.state_dict())
    return ref, mine, (g["out_spatial"] if g["use_output_size"] else None)


def grads64(ref32, x, gy, output_size, absolute=False):
    """Float64 (y, dx, dw, db) of torch's module at ref32's parameters for
    input x and output gradient gy; with absolute, of |x|, |w|, |b|, |gy|:
    the sums of |terms| each result adds, which scale the error bounds."""
    f = (lambda t: t.abs()) if absolute else (lambda t: t)
    m = type(ref32)(ref32.in_channels, ref32.out_channels, ref32.kernel_size, stride=ref32.stride,
                    padding=ref32.padding, dilation=ref32.dilation, groups=ref32.groups,
                    bias=ref32.bias is not None, output_padding=ref32.output_padding, dtype=torch.float64)
    with torch.no_grad():
        m.weight.copy_(f(ref32.weight.double()))
        if m.bias is not None:
            m.bias.copy_(f(ref32.bias.double()))
    x64 = f(x.detach().double()).requires_grad_(True)
    y = m(x64, output_size=output_size)
    y.backward(f(gy.double()))
    db = None if m.bias is None else m.bias.grad.numpy()
    return y.detach().numpy(), x64.grad.numpy(), m.weight.grad.numpy(), db


def bounds(g, x, gy, ref32, output_size):
    """Per-element float32 error bounds of (y, dx, dw, db): gamma(n + 2)
    times the sum of |terms|, n the terms of one sum (the y bound of
    reference.py; dx sums Cout/g * prod(k) products, dw N * prod(in), db
    N * prod(out) values)."""
    y_m, dx_m, dw_m, db_m = grads64(ref32, x, gy, output_size, absolute=True)
    k = int(np.prod(g["w_shape"][2:]))
    n_y = g["x_shape"][1] // g["groups"] * k + 1
    n_dx = g["w_shape"][1] * k
    n_dw = g["x_shape"][0] * int(np.prod(g["x_shape"][2:]))
    n_db = gy.shape[0] * int(np.prod(gy.shape[2:]))
    tiny = 1e-30
    return (gamma(n_y + 2) * y_m + tiny, gamma(n_dx + 2) * dx_m + tiny, gamma(n_dw + 2) * dw_m + tiny,
            None if db_m is None else gamma(n_db + 2) * db_m + tiny)


def assert_within(got, want, bound, what):
    got = got.detach().numpy() if isinstance(got, torch.Tensor) else got
    assert got.shape == want.shape, "{}: shape {} vs {}".format(what, got.shape, want.shape)
    err = np.abs(got.astype(np.float64) - want)
    if err.size:
        worst = np.unravel_index(np.argmax(err - bound), err.shape)
        assert np.all(err <= bound), "{}: at {}: |{} - {}| > {}".format(what, worst, got[worst], want[worst],
                                                                      bound[worst])
