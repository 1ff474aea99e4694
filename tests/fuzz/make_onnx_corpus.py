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


def more_ops():
    """Decoders' other ops, so that the fuzzer reaches their ONNX shape inference too: pooling, a skip
    concatenation, batch norm, a Gemm + Reshape head, and the integer convolution."""
    f = TensorProto.FLOAT
    unet = helper.make_graph(
        [helper.make_node("MaxPool", ["x"], ["p"], "pool", kernel_shape=[2, 2], strides=[2, 2]),
         helper.make_node("ConvTranspose", ["p", "w"], ["u"], "up", strides=[2, 2]),
         helper.make_node("Concat", ["u", "x"], ["cat"], "skip", axis=1),
         helper.make_node("BatchNormalization", ["cat", "g", "b", "b", "g"], ["bn"], "bn"),
         helper.make_node("LeakyRelu", ["bn"], ["y"], "act", alpha=0.2)],
        "g", [helper.make_tensor_value_info("x", f, [1, 2, 4, 4])],
        [helper.make_tensor_value_info("y", f, ["n", "c", "h", "w"])],
        [numpy_helper.from_array(np.full((2, 2, 2, 2), 0.25, np.float32), "w"),
         numpy_helper.from_array(np.ones(4, np.float32), "g"), numpy_helper.from_array(np.zeros(4, np.float32), "b")])
    head = helper.make_graph(
        [helper.make_node("Gemm", ["x", "fc"], ["h"], "fc"),
         helper.make_node("Reshape", ["h", "shape"], ["r"], "reshape"),
         helper.make_node("ConvTranspose", ["r", "w"], ["y"], "up", strides=[2, 2])],
        "g", [helper.make_tensor_value_info("x", f, [1, 2])], [helper.make_tensor_value_info("y", f, ["n", "c", "h", "w"])],
        [numpy_helper.from_array(np.full((2, 8), 0.5, np.float32), "fc"),
         numpy_helper.from_array(np.array([1, 2, 2, 2], np.int64), "shape"),
         numpy_helper.from_array(np.full((2, 1, 2, 2), 0.25, np.float32), "w")])
    integer = helper.make_graph(
        [helper.make_node("ConvInteger", ["x", "w"], ["y"], "conv", pads=[1, 1, 1, 1])],
        "g", [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, 1, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, ["n", "c", "h", "w"])],
        [numpy_helper.from_array(np.arange(9, dtype=np.int8).reshape(1, 1, 3, 3), "w")])
    opset = [helper.make_opsetid("", 13)]
    return {name: helper.make_model(g, producer_name="tconv-corpus", opset_imports=opset)
            for name, g in (("unet_block", unet), ("dcgan_head", head), ("conv_integer", integer))}


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
    models.update(more_ops())
    for name, m in models.items():
        with open(os.path.join(out, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "onnx"))
