"""The trained checkerboard comparison (python/checkerboard_training,
scripts/train_checkerboard.py) at its fast size: the grid measures against
torch and hand values, determinism, and the report's numbers."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("matplotlib")

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
# Appended, not prepended: python/tconv (sources, no extension) must not shadow the built module.
sys.path.append(os.path.join(ROOT, "python"))

from checkerboard_training import analysis, models, report, train  # noqa: E402


def test_phase_sums_by_hand():
    # Ones k3 s2: per axis taps {0, 2} and {1}, so the 2-D phase sums are 4, 2, 2, 1.
    sums = analysis.deconv_phase_sums(np.ones((1, 1, 3, 3)), 2)
    assert sorted(sums.ravel()) == [1, 2, 2, 4]
    assert analysis.spread(sums) == (3.0, 4.0)
    assert analysis.spread(analysis.deconv_phase_sums(np.ones((2, 3, 4, 4)), 2)) == (0.0, 4.0)


def constant_response(layer, c_in, value=0.5, n=12):
    with torch.no_grad():
        y = layer(torch.full((1, c_in, n, n), value))
    return y[0, :, 4:-4, 4:-4].numpy()  # interior, even offset: phase = index mod 2


@pytest.mark.parametrize("variant", models.VARIANTS)
def test_phase_sums_predict_the_constant_response(variant):
    # For a constant input v, interior output phase (py, px) of channel co is
    # bias + v * sum over ci of that phase's kernel sum: checked against torch.
    torch.manual_seed(3)
    layer = models.up_layer(variant, 3, 2)
    with torch.no_grad():  # break ICNR's symmetry so that the sub-pixel sums differ per phase
        for p in layer.parameters():
            p.add_(0.05 * torch.randn_like(p))
    sums = analysis.layer_phase_sums(variant, layer)  # (Cin, Cout, 2, 2)
    module = layer if variant.startswith("deconv") else layer.conv
    bias = module.bias.detach().double().numpy()[:: 1 if variant != "subpixel_icnr" else 4]
    y = constant_response(layer, 3)
    for py in range(2):
        for px in range(2):
            expected = 0.5 * sums[:, :, py, px].sum(axis=0)
            if variant == "subpixel_icnr":
                expected += module.bias.detach().double().numpy().reshape(2, 2, 2)[:, py, px]
            else:
                expected += bias
            got = y[:, py::2, px::2]
            assert np.allclose(got, expected[:, None, None], atol=1e-5), (variant, py, px)
    if variant == "resize_conv":  # nearest resize + conv: every phase sums the whole kernel
        assert analysis.spread(sums)[0] < 1e-12


def test_phase_mean_spread_finds_a_planted_grid():
    rng = np.random.default_rng(0)
    content = rng.random((2, 3, 40, 40)) * 0.0
    grid = np.zeros((40, 40))
    grid[0::4, 0::4] = 0.2  # one phase in 16 is brighter by 0.2
    assert analysis.phase_mean_spread(content + grid, 4, 8) == pytest.approx(0.2)
    assert analysis.phase_mean_spread(content + 0.3, 4, 8) == pytest.approx(0.0)
    assert analysis.clipped_fraction(np.array([-0.1, 0, 0.5, 1, 1.2])) == pytest.approx(0.4)


@pytest.fixture(scope="module")
def fast_result():
    return train.run(train.Config().fast())


def test_deterministic(fast_result):
    again = train.run(train.Config().fast())
    for v in models.VARIANTS:
        a, b = fast_result["variants"][v], again["variants"][v]
        assert a["losses"] == b["losses"]
        assert np.array_equal(a["outputs"], b["outputs"])
        assert a["init"] == b["init"] and a["trained"] == b["trained"]
        for (name, p), q in zip(a["model"].named_parameters(), b["model"].parameters()):
            assert torch.equal(p, q), (v, name)


def test_icnr_starts_without_a_grid(fast_result):
    init = fast_result["variants"]["subpixel_icnr"]["init"]
    assert init["layers"]["up1"]["phase_sum_spread"] == 0
    assert init["layers"]["up2"]["phase_sum_spread"] == 0
    assert init["constant_phase_mean_spread"] < 1e-6
    k3 = fast_result["variants"]["deconv_k3s2"]["init"]
    assert k3["constant_phase_mean_spread"] > 0.01  # k3 s2 paints a grid from the start


def test_report_numbers_match_results(fast_result, tmp_path):
    summ = report.write(fast_result, str(tmp_path), "test")
    for name in ("report.md", "results.json", "outputs.png", "grids.png", "spreads.png", "loss.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    with open(tmp_path / "results.json") as f:
        saved = json.load(f)
    md = (tmp_path / "report.md").read_text()
    rows = [line for line in md.splitlines() if line.startswith("| ") and "**" in line]
    assert len(rows) == len(models.VARIANTS)
    for v, row in zip(models.VARIANTS, rows):
        cells = [c.strip() for c in row.strip("|").split("|")]
        r = saved["variants"][v]
        assert cells[0] == models.LABELS[v]
        for cell, key in ((cells[3], "output_phase_mean_spread"), (cells[4], "constant_phase_mean_spread")):
            before, after = (float(x) for x in cell.split("->"))
            assert before == pytest.approx(r["init"][key], rel=1e-3, abs=1e-12)
            assert after == pytest.approx(r["trained"][key], rel=1e-3, abs=1e-12)
        up2 = [float(x) for x in cells[2].split("->")]
        assert up2[1] == pytest.approx(r["trained"]["layers"]["up2"]["phase_sum_spread"], rel=1e-3, abs=1e-12)
        assert float(cells[6].rstrip("%")) == pytest.approx(100 * r["trained"]["clipped_fraction"], abs=0.006)
        # clipped: an independent count over the held-out outputs
        out = fast_result["variants"][v]["outputs"]
        assert r["trained"]["clipped_fraction"] == pytest.approx(np.count_nonzero((out < 0) | (out > 1)) / out.size)
        assert cells[8] == "**{}**".format(report.verdict(r["init"]["constant_phase_mean_spread"],
                                                          r["trained"]["constant_phase_mean_spread"]))
    assert summ["variants"].keys() == saved["variants"].keys()


def test_verdicts():
    t = report.GRID_THRESHOLD
    assert report.verdict(2 * t, 0) == "removes"
    assert report.verdict(2 * t, 2 * t) == "keeps"
    assert report.verdict(0, 2 * t) == "creates"
    assert report.verdict(0, 0) == "none"


def test_script_rejects_bad_arguments(tmp_path):
    script = os.path.join(ROOT, "scripts", "train_checkerboard.py")
    r = subprocess.run([sys.executable, script, "--out", str(tmp_path), "--steps", "0"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "--steps" in r.stderr
