"""`tconv conv-transpose --dtype int8` against torch's quantized
ConvTranspose2d (torch.ao.nn.quantized, oneDNN engine): uint8 x with a zero
point, int8 weights with a per-tensor scale, an int32 bias, uint8 y with
its own scale and zero point. torch 1.13's oneDNN engine takes neither
per-channel scales nor output padding for transposed convolution, so those
are left to the C++ tests (against tconv's integer reference).

The CLI is found beside the module (build/tconv for build/python/tconv);
the test is skipped where it is not (an installed module without it)."""
import os
import subprocess

import numpy as np
import pytest

import tconv

torch = pytest.importorskip("torch")
CLI = os.path.join(os.path.dirname(os.path.abspath(tconv.__file__)), "..", "..", "tconv")


@pytest.fixture(scope="module")
def onednn():
    if not os.access(CLI, os.X_OK):
        pytest.skip("no tconv CLI beside the module")
    if "onednn" not in torch.backends.quantized.supported_engines:
        pytest.skip("torch has no oneDNN quantized engine")
    saved = torch.backends.quantized.engine
    torch.backends.quantized.engine = "onednn"
    yield
    torch.backends.quantized.engine = saved


@pytest.mark.parametrize("cin,cout,k,s,p,seed", [(8, 6, 3, 2, 1, 0), (16, 8, 4, 2, 1, 1), (4, 4, 2, 2, 0, 2),
                                                 (12, 12, 3, 1, 1, 3), (32, 16, 4, 2, 1, 4)])
def test_int8_cli_equals_torch_quantized(onednn, tmp_path, cin, cout, k, s, p, seed):
    r = np.random.default_rng(seed)
    x = r.integers(0, 256, (2, cin, 5, 6), dtype=np.uint8)
    w = r.integers(-127, 128, (cin, cout, k, k), dtype=np.int8)
    b = r.integers(-2000, 2000, (cout,), dtype=np.int32)
    xs, xz, ws = 0.02, int(r.integers(0, 256)), 0.01
    ys, yz = float(np.float32(0.05 + 0.1 * r.random())), int(r.integers(0, 256))
    for name, a in (("x", x), ("w", w), ("b", b)):
        np.save(tmp_path / (name + ".npy"), a)
    out = tmp_path / "y.npy"
    subprocess.run([CLI, "conv-transpose", "--dtype", "int8", "--input", str(tmp_path / "x.npy"), "--weight",
                    str(tmp_path / "w.npy"), "--bias", str(tmp_path / "b.npy"), "--output", str(out), "--stride",
                    str(s), "--pad", str(p), "--x-scale", repr(xs), "--x-zero-point", str(xz), "--w-scale",
                    repr(ws), "--y-scale", repr(ys), "--y-zero-point", str(yz)], check=True)
    y = np.load(out)
    assert y.dtype == np.uint8

    qx = torch.quantize_per_tensor(torch.from_numpy(x.astype(np.float32) - xz) * xs, xs, xz, torch.quint8)
    qw = torch.quantize_per_tensor(torch.from_numpy(w.astype(np.float32)) * ws, ws, 0, torch.qint8)
    mod = torch.ao.nn.quantized.ConvTranspose2d(cin, cout, k, stride=s, padding=p)
    mod.set_weight_bias(qw, torch.from_numpy(b.astype(np.float64) * xs * ws).float())  # torch requantizes it to b
    mod.scale, mod.zero_point = ys, yz
    want = mod(qx).int_repr().numpy()
    assert y.shape == want.shape
    np.testing.assert_array_equal(y, want)
