#!/usr/bin/env python3
"""Exports the decoder architectures of decoders.py to ONNX, seeded.

    /usr/bin/python3 tools/models/export.py OUTDIR [NAME ...]    # default: all of decoders.NAMES
    ./build/tconv inspect OUTDIR/dcgan.onnx

Opset 13 (PixelShuffle becomes DepthToSpace, nn.Upsample becomes Resize).
Debian's python3-torch; the onnx package is not needed for the export.
"""
import io
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import decoders  # noqa: E402

OPSET = 13


def onnx_bytes(module, example):
    """The module exported to ONNX in memory (eval mode, constants folded)."""
    import torch
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, example, buf, opset_version=OPSET, input_names=["input"], output_names=["output"],
                          do_constant_folding=True)
    return buf.getvalue()


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = argv[1]
    names = argv[2:] or decoders.NAMES
    os.makedirs(out, exist_ok=True)
    for name in names:
        module, example = decoders.build(name)
        data = onnx_bytes(module, example)
        path = os.path.join(out, name + ".onnx")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        print(f"wrote {path} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
