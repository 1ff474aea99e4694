"""tconv.explain: the dict describing a layer without computing it."""
import numpy as np
import pytest

import tconv


def test_dcgan_layer():
    info = tconv.explain((8, 256, 8, 8), (256, 128, 4, 4), stride=2, padding=1)
    assert info["input_shape"] == (8, 256, 8, 8)
    assert info["weight_shape"] == (256, 128, 4, 4)
    assert info["output_shape"] == (8, 128, 16, 16)
    assert info["pad_begin"] == (1, 1) and info["pad_end"] == (1, 1)
    assert info["output_padding"] == (0, 0)
    assert info["flops"] == 2 * 8 * 256 * 128 * 16 * 64
    assert info["layout"] == "nchw" and info["layout_conversion_bytes"] == 0
    assert info["dtype"] == "f32"
    assert info["desc"] == "n8c256o128g1_i8x8_k4x4_s2x2_d1x1_pb1x1_pe1x1_a0x0"
    names = [e["name"] for e in info["estimates"]]
    assert names == tconv.algorithm_names()
    assert info["algorithm"] in names
    assert info["why"]  # auto's reason, never empty
    chosen = next(e for e in info["estimates"] if e["name"] == info["algorithm"])
    assert info["kernel"] == chosen["kernel"]
    for e in info["estimates"]:
        assert set(e) == {"name", "summary", "macs", "workspace_bytes", "packed_bytes", "exact", "kernel", "refused"}
        assert e["refused"] == ""  # f32: every algorithm computes it (bf16: test_bf16.py)
        assert e["macs"] > 0 and e["workspace_bytes"] >= 0 and e["packed_bytes"] >= 0


def test_auto_choice_is_what_a_plan_runs():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    info = tconv.explain((2, 16, 9, 9), w, stride=2, padding=1, output_padding=1)
    plan = tconv.Plan(w, input_shape=(2, 16, 9, 9), stride=2, padding=1, output_padding=1)
    assert info["algorithm"] == plan.algorithm
    assert info["kernel"] == plan.kernel
    assert info["output_shape"] == plan.output_shape == (2, 8, 18, 18)


def test_arrays_or_shapes():
    x = np.zeros((1, 4, 6), np.float32)
    w = np.zeros((4, 2, 3), np.float32)
    assert tconv.explain(x, w, stride=3) == tconv.explain(x.shape, list(w.shape), stride=3)


def test_forced_algorithm():
    info = tconv.explain((1, 2, 5, 5), (2, 2, 3, 3), stride=2, algorithm="gather")
    assert info["algorithm"] == "gather"
    assert info["kernel"].startswith("gather")
    with pytest.raises(ValueError, match="algorithm 'nope'"):
        tconv.explain((1, 2, 5, 5), (2, 2, 3, 3), algorithm="nope")


def test_resolved_pads_onnx_example():
    # README: stride 3,2, output_shape 10,8 on a 3x3 input, 3x3 kernel.
    # Axis 0: total = 3*2 + 3 - 10 = -1 -> notset puts floor(-1/2) = -1 at
    # the end: pads (0, -1). Axis 1: total = 2*2 + 3 - 8 = -1 -> (0, -1).
    info = tconv.explain((1, 1, 3, 3), (1, 1, 3, 3), stride=(3, 2), output_shape=(10, 8))
    assert info["output_shape"] == (1, 1, 10, 8)
    assert info["pad_begin"] == (0, 0) and info["pad_end"] == (-1, -1)
    upper = tconv.explain((1, 1, 3, 3), (1, 1, 3, 3), stride=2, auto_pad="SAME_UPPER")
    # SAME: out = i*s = 6; total = 2*2 + 3 - 6 = 1: begin 0, end 1.
    assert upper["output_shape"] == (1, 1, 6, 6)
    assert upper["pad_begin"] == (0, 0) and upper["pad_end"] == (1, 1)


def test_output_size_picks_output_padding():
    info = tconv.explain((1, 1, 4), (1, 1, 3), stride=3, padding=1, output_size=[11])
    # min = (4-1)*3 - 2 + 3 = 10, so output_padding 1
    assert info["output_padding"] == (1,) and info["output_shape"] == (1, 1, 11)


def test_channels_last_shapes():
    info = tconv.explain((2, 5, 5, 8), (8, 4, 2, 2), stride=2, layout="nhwc")
    assert info["input_shape"] == (2, 5, 5, 8)
    assert info["output_shape"] == (2, 10, 10, 4)
    assert info["layout"] == "nhwc"
