#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/onnx_fuzz.cc: tiny ONNX models (one
of each upsampling path, a chain, and one without upsampling), a few hundred
bytes each, with Debian's python3-onnx.

    /usr/bin/python3 tests/fuzz/make_onnx_corpus.py tests/fuzz/corpus/onnx
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inits, x_shape, name):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", "c", "h", "w"][:len(x_shape)])],
        [numpy_helper.from_array(np.asarray(v, dtype=np.float32).reshape(s), k) for k, (s, v) in inits.items()])
    return helper.make_model(graph, producer_name="tconv-corpus", opset_imports=[helper.make_opsetid("", 13)])


def main(out):
    os.makedirs(out, exist_ok=True)
    w9 = (1, 1, 3, 3), np.arange(9) / 9.0
    models = {
        "deconv_k3s2": model([helper.make_node("ConvTranspose", ["x", "w"], ["y"], "up", strides=[2, 2], pads=[1, 1, 1, 1],
                                               output_padding=[1, 1])], {"w": w9}, [1, 1, 4, 4], "g"),
        "deconv_1d_k16s8": model([helper.make_node("ConvTranspose", ["x", "w"], ["y"], "up", strides=[8], pads=[4, 4])],
                                 {"w": ((1, 1, 16), np.ones(16))}, [1, 1, 4], "g"),
        "chain": model([helper.make_node("ConvTranspose", ["x", "w"], ["u"], "up1", strides=[2, 2]),
                        helper.make_node("Relu", ["u"], ["r"], "relu"),
                        helper.make_node("Conv", ["r", "w"], ["c"], "smooth", pads=[1, 1, 1, 1]),
                        helper.make_node("ConvTranspose", ["c", "w"], ["y"], "up2", strides=[2, 2], auto_pad="SAME_UPPER")],
                       {"w": w9}, [1, 1, 4, 4], "g"),
        "resize_conv": model([helper.make_node("Resize", ["x", "", "s"], ["u"], "resize", mode="nearest"),
                              helper.make_node("Conv", ["u", "w"], ["y"], "conv", pads=[1, 1, 1, 1])],
                             {"s": ((4,), [1, 1, 2, 2]), "w": w9}, [1, 1, 4, 4], "g"),
        "subpixel": model([helper.make_node("Conv", ["x", "w"], ["c"], "conv", pads=[1, 1, 1, 1]),
                           helper.make_node("DepthToSpace", ["c"], ["y"], "shuffle", blocksize=2, mode="CRD")],
                          {"w": ((4, 1, 3, 3), np.arange(36) / 36.0)}, [1, 1, 4, 4], "g"),
        "no_upsampling": model([helper.make_node("Conv", ["x", "w"], ["y"], "conv")], {"w": w9}, [1, 1, 4, 4], "g"),
    }
    for name, m in models.items():
        with open(os.path.join(out, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "onnx"))
