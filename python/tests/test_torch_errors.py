"""tconv.torch on what it does not compute: clear exceptions naming the
problem (never a crash), and fallback=True running torch's op instead."""
import pytest
import torch
import torch.nn as nn

import tconv.torch as tt


def test_wrong_dtype_names_it():
    m = tt.ConvTranspose2d(2, 3, 3)
    with pytest.raises(TypeError, match="torch.float64.*float32.*fallback=True"):
        m(torch.randn(1, 2, 4, 4, dtype=torch.float64))
    m16 = tt.ConvTranspose2d(2, 3, 3, dtype=torch.float16)
    with pytest.raises(TypeError, match="weight has dtype torch.float16"):
        m16(torch.randn(1, 2, 4, 4))
    with pytest.raises(TypeError, match="input has dtype torch.int64"):
        tt.conv_transpose1d(torch.ones(1, 2, 3, dtype=torch.long), torch.randn(2, 2, 3))


def test_other_device_names_it():
    m = tt.ConvTranspose1d(2, 3, 3, device="meta")
    with pytest.raises(ValueError, match="device 'meta'.*CPU"):
        m(torch.empty(1, 2, 5, device="meta"))
    with pytest.raises(ValueError, match="device 'meta'"):
        tt.ConvTranspose1d(2, 3, 3)(torch.empty(1, 2, 5, device="meta"))


def test_sparse_input_is_refused():
    x = torch.randn(1, 2, 3, 3).to_sparse()
    with pytest.raises(ValueError, match="layout"):
        tt.ConvTranspose2d(2, 2, 3)(x)


def test_padding_mode_is_refused_or_falls_back():
    # torch refuses it at construction for ConvTranspose; set it afterwards
    # as old pickles or hand edits could.
    m = tt.ConvTranspose2d(2, 2, 3)
    m.padding_mode = "reflect"
    with pytest.raises(ValueError, match="padding_mode 'reflect'"):
        m(torch.randn(1, 2, 4, 4))
    m.fallback = True
    with pytest.raises(ValueError, match="zeros"):  # torch's own error, through the fallback
        m(torch.randn(1, 2, 4, 4))


def test_wrong_shapes_raise_value_error():
    m = tt.ConvTranspose2d(3, 4, 3, stride=2)
    with pytest.raises(ValueError, match="channels"):
        m(torch.randn(1, 2, 5, 5))
    with pytest.raises(ValueError, match="dimensions"):
        m(torch.randn(5, 5))
    with pytest.raises(ValueError, match="dimensions"):
        m(torch.randn(1, 1, 3, 5, 5))
    with pytest.raises(ValueError, match="output size"):
        m(torch.randn(1, 3, 5, 5), output_size=[20, 20])
    with pytest.raises(ValueError, match="output_padding .* smaller than either stride"):
        tt.conv_transpose2d(torch.randn(1, 3, 5, 5), m.weight, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="output length"):
        tt.conv_transpose1d(torch.randn(1, 3, 1), torch.randn(3, 1, 1), padding=3)
    with pytest.raises(ValueError, match="bias"):
        tt.conv_transpose1d(torch.randn(1, 3, 4), torch.randn(3, 1, 2), torch.randn(5))


def test_fallback_runs_torchs_op():
    torch.manual_seed(3)
    ref = nn.ConvTranspose2d(2, 3, 3, stride=2, dtype=torch.float64)
    m = tt.convert(nn.ConvTranspose2d(2, 3, 3, stride=2, dtype=torch.float64), fallback=True)
    m.load_state_dict(ref.state_dict())
    x = torch.randn(2, 2, 4, 4, dtype=torch.float64, requires_grad=True)
    y = m(x)
    assert torch.equal(y, ref(x))
    y.sum().backward()
    assert x.grad is not None and m.weight.grad.dtype == torch.float64
    meta = tt.ConvTranspose2d(2, 3, 3, stride=2, device="meta", fallback=True)
    assert meta(torch.empty(1, 2, 4, 4, device="meta")).shape == (1, 3, 9, 9)
    assert "fallback=True" in repr(meta)
    # float32 on the CPU still runs tconv with fallback=True
    m32 = tt.ConvTranspose2d(2, 3, 3, fallback=True)
    assert m32(torch.randn(1, 2, 4, 4)).grad_fn.name().startswith("_ConvTransposeFunction")
