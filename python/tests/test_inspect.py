"""tconv.inspect on the decoder architectures of tools/models (exported to
ONNX with seeded weights), on torch modules directly, and on bad input.

The expected scores are derived by hand: one transposed-conv layer's score
is the product over axes of (most taps)/(fewest taps) that a phase
receives, 1 whenever k is a multiple of s; k3 s2 gives 2 per axis, 4 in
2-D, and two of them stacked 3 per axis (phases receive 3, 2, 3, 1), 9.
"""
import json
import os
import re
import subprocess
import sys

import pytest

import tconv

torch = pytest.importorskip("torch")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools", "models"))
import decoders  # noqa: E402
import export  # noqa: E402

pytestmark = pytest.mark.skipif(not tconv.onnx_supported(), reason="tconv built without ONNX support")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Each architecture exported to an .onnx file and inspected from that path."""
    out = tmp_path_factory.mktemp("models")
    result = {}
    for name in decoders.NAMES:
        module, example = decoders.build(name)
        path = out / (name + ".onnx")
        path.write_bytes(export.onnx_bytes(module, example))
        result[name] = tconv.inspect(str(path))
    return result


def paths(report, kind=None):
    return [p for p in report["upsampling_paths"] if kind is None or p["kind"] == kind]


def test_dcgan_k4s2_is_even(reports):
    r = reports["dcgan"]
    ps = paths(r)
    assert [p["kind"] for p in ps] == ["conv_transpose"] * 5
    assert ps[0]["geometry"]["kernel"] == [4, 4] and ps[0]["geometry"]["stride"] == [1, 1]
    for p in ps[1:]:
        assert p["geometry"]["kernel"] == [4, 4] and p["geometry"]["stride"] == [2, 2]
        assert p["geometry"]["pads_begin"] == [1, 1]
    assert all(p["overlap"]["score"] == 1.0 for p in ps)
    assert all(p["verdict"] != "checkerboard" for p in ps)
    # N(0, 0.02) weights: the phase sums differ, which the report says.
    assert ps[1]["weights"]["available"] and ps[1]["weights"]["max_spread"] > 0
    assert [p["out_size"] for p in ps] == [[4, 4], [8, 8], [16, 16], [32, 32], [64, 64]]
    assert len(r["chains"]) == 1 and r["chains"][0]["paths"] == [0, 1, 2, 3, 4]
    assert r["chains"][0]["overlap"]["score"] == 1.0


def test_style_transfer_k3s2_checkerboard_and_fix(reports):
    r = reports["style_transfer"]
    ps = paths(r, "conv_transpose")
    assert len(ps) == 2
    for p in ps:
        assert p["overlap"]["score"] == 4.0
        assert [sorted(axis) for axis in p["overlap"]["pattern"]] == [[1.0, 2.0], [1.0, 2.0]]
        assert p["verdict"] == "checkerboard"
        # k3 s2 p1 op1 -> k4 s2 p1 op0: the same 2x output.
        assert p["fix_geometry"]["kernel"] == [4, 4]
        assert p["fix_geometry"]["pads_begin"] == [1, 1] and p["fix_geometry"]["output_padding"] == [0, 0]
    assert r["chains"][0]["paths"] == [0, 1]
    assert r["chains"][0]["overlap"]["score"] == 9.0


def test_fcn8s_heads_bilinear_init_is_ok(reports):
    ps = paths(reports["fcn8s"], "conv_transpose")
    geo = [(p["geometry"]["kernel"], p["geometry"]["stride"]) for p in ps]
    assert geo == [([4, 4], [2, 2]), ([4, 4], [2, 2]), ([16, 16], [8, 8])]
    for p in ps:
        assert p["overlap"]["score"] == 1.0
        # Bilinear kernels: every phase sums to 1 (e.g. .25 + .75), no ripple.
        assert p["weights"]["max_spread"] < 1e-6 and p["verdict"] == "ok"
    assert ps[2]["in_size"] == [8, 8] and ps[2]["out_size"] == [64, 64]
    chains = reports["fcn8s"]["chains"]
    assert len(chains) == 1 and chains[0]["paths"] == [0, 1, 2] and chains[0]["overlap"]["score"] == 1.0


def test_hifigan_1d_k16_s8(reports):
    ps = paths(reports["hifigan"], "conv_transpose")
    assert [(p["ndim"], p["geometry"]["kernel"][0], p["geometry"]["stride"][0]) for p in ps] == [
        (1, 16, 8), (1, 16, 8), (1, 4, 2), (1, 4, 2)]
    assert ps[0]["geometry"]["pads_begin"] == [4]
    assert all(p["overlap"]["score"] == 1.0 for p in ps)
    assert ps[0]["in_size"] == [8] and ps[3]["out_size"] == [8 * 256]
    chain = reports["hifigan"]["chains"][0]
    assert chain["paths"] == [0, 1, 2, 3]
    assert len(chain["smoothing_convs"]) == 9  # three dilated residual convs after each of the first three
    assert chain["overlap"]["score"] == 1.0


def test_unet_decoders(reports):
    ps = paths(reports["unet"])
    assert [(p["kind"], p["geometry"]["kernel"], p["geometry"]["stride"]) for p in ps] == [
        ("conv_transpose", [2, 2], [2, 2])] * 3
    chain = reports["unet"]["chains"][0]
    assert chain["paths"] == [0, 1, 2] and len(chain["smoothing_convs"]) == 4
    rb = paths(reports["unet_bilinear"])
    assert [p["kind"] for p in rb] == ["resize_conv"] * 3
    assert all(p["mode"] == "linear" and p["factor"] == [2, 2] and p["verdict"] == "ok" for p in rb)


def test_espcn_is_subpixel_and_icnr_removes_the_ripple(reports):
    (p,) = paths(reports["espcn"])
    assert p["kind"] == "subpixel" and p["factor"] == [3, 3] and p["mode"] == "CRD"
    assert p["geometry"]["kernel"] == [3, 3] and p["overlap"]["score"] == 1.0
    assert p["weights"]["phases"] == 9 and p["weights"]["constant_ripple"] > 0.05
    assert p["verdict"] == "uneven-weights" and "ICNR" in p["fix"]
    (q,) = paths(reports["espcn_icnr"])
    assert q["weights"]["max_spread"] == 0.0 and q["weights"]["constant_ripple"] == 0.0
    assert q["verdict"] == "ok"


def test_torch_module_directly_and_bytes(tmp_path):
    torch.manual_seed(0)
    r = tconv.inspect(torch.nn.ConvTranspose2d(2, 2, 3, stride=2))  # input guessed as (1, 2, 8, 8)
    (p,) = r["upsampling_paths"]
    assert p["overlap"]["score"] == 4.0 and p["in_size"] == [8, 8] and p["out_size"] == [17, 17]
    data = export.onnx_bytes(*decoders.build("espcn"))
    r2 = tconv.inspect(data, output_dir=str(tmp_path))
    assert r2["upsampling_paths"][0]["kind"] == "subpixel"
    assert json.loads((tmp_path / "inspect.json").read_text()) == r2
    assert (tmp_path / "inspect.md").read_text().startswith("# tconv inspect")
    assert (tmp_path / "path0_overlap.png").stat().st_size > 0


def test_bad_models_raise_value_error(tmp_path):
    good = export.onnx_bytes(*decoders.build("espcn"))
    for bad in (b"", b"not onnx at all", good[: len(good) // 2]):
        with pytest.raises(ValueError):
            tconv.inspect(bad)
    with pytest.raises(ValueError):
        tconv.inspect(str(tmp_path / "absent.onnx"))
    with pytest.raises(ValueError):
        tconv.inspect(42)
    with pytest.raises(ValueError):
        tconv.inspect(good, output_dir=str(tmp_path / "no" / "such"))


def test_cli_agrees_with_python(tmp_path, reports):
    cli = os.environ.get("TCONV_CLI") or os.path.join(ROOT, "build", "tconv")
    if not os.path.exists(cli):
        pytest.skip("no tconv binary at " + cli)
    path = tmp_path / "st.onnx"
    path.write_bytes(export.onnx_bytes(*decoders.build("style_transfer")))
    out = subprocess.run([cli, "inspect", str(path), "--json"], capture_output=True, check=True, text=True).stdout
    assert json.loads(out)["upsampling_paths"] == reports["style_transfer"]["upsampling_paths"]


def _png_size(path):
    """(width, height) from a PNG's IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_output_dir_pictures_are_titled_figures(tmp_path):
    path = tmp_path / "st.onnx"
    path.write_bytes(export.onnx_bytes(*decoders.build("style_transfer")))
    out = tmp_path / "py"
    out.mkdir()
    r = tconv.inspect(str(path), output_dir=str(out))
    md = (out / "inspect.md").read_text()
    referenced = set(re.findall(r"\]\(([^)]+\.png)\)", md))
    written = {p.name for p in out.glob("*.png")}
    assert referenced == written  # every picture referenced exists, and every one written is referenced
    n_paths = len(r["upsampling_paths"])
    overlaps = {f"path{i}_overlap.png" for i in range(n_paths)}
    assert overlaps <= written and "chain0_overlap.png" in written
    for name in sorted(overlaps):
        w, h = _png_size(out / name)
        # The bare 16x16 map is drawn 256 px wide (16 px a cell).
        if tconv.inspect_figures_supported():
            assert w > 256 + 60 and h > 256 + 90, (name, w, h)  # title, axes, colour bar, caption around it
        else:
            assert (w, h) == (256, 256), (name, w, h)
    cli = os.environ.get("TCONV_CLI") or os.path.join(ROOT, "build", "tconv")
    if tconv.inspect_figures_supported() and os.path.exists(cli):
        subprocess.run([cli, "inspect", str(path), "--output-dir", str(tmp_path / "cli")], capture_output=True,
                       check=True)
        for name in written:  # the same figures as `tconv inspect --output-dir`, byte for byte
            assert (tmp_path / "cli" / name).read_bytes() == (out / name).read_bytes(), name
