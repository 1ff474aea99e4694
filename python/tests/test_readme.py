"""The README's Python example runs as written."""
import os
import re
import textwrap

import numpy as np

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")


def python_blocks():
    with open(README, encoding="utf-8") as f:
        blocks = [textwrap.dedent(b) for b in re.findall(r"```python\n(.*?)```", f.read(), re.S)]
    # bf16 from numpy, the numpy example, int8 from numpy, the checkerboard one, the tconv.torch one,
    # its bf16 one, tconv.inspect's
    assert len(blocks) == 7
    return blocks


def block_with(text):
    (block,) = [b for b in python_blocks() if text in b]
    return block


def test_readme_python_example():
    scope = {}
    exec(compile(block_with("tconv.explain(x.shape"), "README.md", "exec"), scope)
    assert scope["y"].shape == (8, 128, 16, 16)
    assert np.array_equal(scope["y"], scope["plan"](scope["x"]))


def test_readme_checkerboard_example():
    scope = {}
    exec(compile(block_with("tconv.overlap_map("), "README.md", "exec"), scope)
    assert scope["counts"].shape == scope["interior"].shape == (29, 29)
    assert scope["score"] == 4.0
    assert scope["spread"] > 0  # random weights: even k4 s2 has a spread
    assert scope["w_sub"].shape == (32, 16, 3, 3)


def test_readme_torch_example():
    scope = {}
    exec(compile(block_with("tconv.torch.convert("), "README.md", "exec"), scope)
    import tconv.torch
    assert type(scope["decoder"][0]) is tconv.torch.ConvTranspose2d
    assert scope["decoder"][0].weight.grad is not None  # trained through tconv's backward
    assert scope["loss"].item() > 0


def test_readme_inspect_example():
    import pytest
    import tconv
    if not tconv.onnx_supported():
        pytest.skip("tconv built without ONNX support")
    (block,) = [b for b in python_blocks() if "tconv.inspect(" in b]
    scope = {}
    exec(compile(block, "README.md", "exec"), scope)
    assert scope["path"]["overlap"]["score"] == 4.0
    assert scope["path"]["verdict"] == "checkerboard"
    assert scope["path"]["fix_geometry"]["kernel"] == [4, 4]


def test_readme_bf16_numpy_example():
    import tconv
    scope = {}
    exec(compile(block_with('dtype="bf16"'), "README.md", "exec"), scope)
    y, y_bits = scope["y"], scope["y_bits"]
    assert y.dtype == np.float32 and y.shape == (1, 32, 32, 32)
    assert y_bits.dtype == np.uint16 and np.array_equal(y_bits, tconv.to_bf16_bits(y))
    assert np.array_equal(scope["y_again"], y)


def test_readme_bf16_torch_example():
    import torch
    scope = {}
    exec(compile(block_with("torch.bfloat16"), "README.md", "exec"), scope)
    assert scope["y"].dtype == torch.bfloat16 and tuple(scope["y"].shape) == (1, 32, 32, 32)
    assert scope["up"].weight.grad.dtype == torch.bfloat16


def test_readme_int8_numpy_example():
    scope = {}
    exec(compile(block_with('dtype="int8"'), "README.md", "exec"), scope)
    y, y_f32, plan = scope["y"], scope["y_f32"], scope["plan"]
    assert y.dtype == np.uint8 and y.shape == (1, 32, 32, 32)
    assert y_f32.dtype == np.float32 and y_f32.shape == y.shape
    # requantizing the dequantized value by hand (y_scale 0.5, zero point 128) gives y wherever it is not
    # within float32 rounding of a tie
    v = y_f32.astype(np.float64) / np.float64(np.float32(0.5))
    near_tie = np.abs(v - np.floor(v) - 0.5) < 1e-3
    want = np.clip(np.rint(v) + 128, 0, 255)
    assert np.array_equal(y[~near_tie], want[~near_tie])
    assert plan.dtype == "int8" and scope["kernel"].startswith("i8_")
