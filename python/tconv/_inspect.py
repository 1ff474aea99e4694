"""tconv.inspect: the checkerboard analysis of a model's upsampling layers."""
import io
import json
import os
import warnings

from tconv import _tconv

ONNX_OPSET = 13


def _guess_input(module):
    """(1, C, 8[, 8[, 8]]) from the first submodule that has in_channels and a 1d/2d/3d class name."""
    import torch
    for m in module.modules():
        name = type(m).__name__
        if hasattr(m, "in_channels") and name[-2:] in ("1d", "2d", "3d"):
            nd = int(name[-2])
            return torch.randn(1, m.in_channels, *([8] * nd))
    raise ValueError("tconv.inspect: cannot guess an input for this module; pass example_input=")


def _export(module, example_input):
    """The torch module as ONNX bytes (opset 13, eval mode, constants folded), in memory."""
    import torch
    if example_input is None:
        example_input = _guess_input(module)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, example_input, buf, opset_version=ONNX_OPSET, do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL)
    return buf.getvalue()


def inspect(model, example_input=None, output_dir=None):
    """Checkerboard analysis of every upsampling path of a model: `tconv inspect` from Python.

    model: a path to an .onnx file, the bytes of one, or a torch.nn.Module
    (exported to ONNX in memory with torch.onnx, opset 13; example_input is
    the input it is traced with, guessed as (1, C, 8, ...) from the first
    conv if omitted). output_dir: an existing folder to also write
    inspect.md (with pictures), inspect.json and the PNG pictures into:
    per path its overlap map (pathN_overlap.png) and its weights' phase-sum
    spread per channel pair (pathN_spread.png), per chain its stacked
    overlap (chainN_overlap.png). When this module was built with the CLI's
    figure library (cairo; `tconv.inspect_figures_supported()` is then True) each is a
    figure that reads on its own, as `tconv inspect --output-dir` writes it:
    a title naming the path or chain and what is shown, labelled axes, a
    colour bar with values (the overlap maps of one report on one shared
    scale), a caption; otherwise they are plain heatmaps (no text).

    Returns the report as a dict, the same object `tconv inspect --json`
    prints: "upsampling_paths" (kind, nodes, geometry, overlap score,
    weights' phase-sum spread and histogram, verdict, fix, fix_geometry),
    "chains" (stacked scores), "notes". An infinite score is the string
    "inf". A malformed model raises ValueError.
    """
    if isinstance(model, (bytes, bytearray)):
        data, name = bytes(model), "model.onnx"
    elif isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise ValueError(f"{path}: cannot read ({e.strerror})") from None
        name = os.path.basename(path)
    else:
        try:
            import torch
        except ImportError:
            raise ValueError("tconv.inspect: model must be an .onnx path or bytes (torch is not installed)") from None
        if not isinstance(model, torch.nn.Module):
            raise ValueError(f"tconv.inspect: model must be an .onnx path, bytes or a torch.nn.Module "
                             f"(got {type(model).__name__})")
        data, name = _export(model, example_input), type(model).__name__
    if output_dir is not None and not os.path.isdir(output_dir):
        raise ValueError(f"output_dir {output_dir!r} is not an existing folder")
    return json.loads(_tconv.inspect_onnx(data, name, "" if output_dir is None else os.fspath(output_dir)))


def onnx_supported():
    """True when this tconv was built with ONNX support (libonnx-dev)."""
    return _tconv.onnx_supported()


def inspect_figures_supported():
    """True when tconv.inspect(..., output_dir=) draws titled figures (the module was built with cairo)."""
    return _tconv.inspect_figures()
