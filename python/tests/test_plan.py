"""tconv.Plan: create once, run many times; zero-copy output; threads."""
import threading
import time

import numpy as np
import pytest

import tconv
from reference import assert_close, torch_transpose, transpose_bound

RNG = np.random.default_rng(11)
W = RNG.standard_normal((6, 2, 4, 4)).astype(np.float32)  # Cin 6, Cout 4 with groups 2
B = RNG.standard_normal(4).astype(np.float32)
KW = dict(stride=2, padding=1, groups=2)


def make_plan(input_shape=(3, 6, 5, 7), **extra):
    return tconv.Plan(W, B, input_shape=input_shape, **KW, **extra)


def test_one_plan_many_inputs():
    plan = make_plan()
    assert plan.input_shape == (3, 6, 5, 7)
    assert plan.output_shape == (3, 4, 10, 14)
    for _ in range(5):
        x = RNG.standard_normal(plan.input_shape).astype(np.float32)
        y = plan(x)
        assert_close(y, torch_transpose(x, W, B, **KW), transpose_bound(x, W, B, **KW))
        # the one-shot function agrees bit for bit (same algorithm chosen)
        assert np.array_equal(y, tconv.conv_transpose(x, W, B, **KW))


def test_run_into_out_writes_in_place():
    plan = make_plan()
    x = RNG.standard_normal(plan.input_shape).astype(np.float32)
    out = np.full(plan.output_shape, np.nan, dtype=np.float32)
    y = plan.run(x, out=out)
    assert y is out
    assert np.array_equal(out, plan(x))


def test_plan_keeps_its_own_weights():
    w = W.copy()
    plan = tconv.Plan(w, B, input_shape=(1, 6, 3, 3), **KW)
    x = RNG.standard_normal(plan.input_shape).astype(np.float32)
    before = plan(x)
    w[...] = 0  # the plan copied or packed the weights at creation
    assert np.array_equal(plan(x), before)


def test_input_is_not_modified():
    plan = make_plan()
    x = RNG.standard_normal(plan.input_shape).astype(np.float32)
    x0 = x.copy()
    plan(x)
    assert np.array_equal(x, x0)


@pytest.mark.parametrize("algorithm", tconv.algorithm_names())
def test_forced_algorithm_is_the_one_that_runs(algorithm):
    plan = make_plan(algorithm=algorithm)
    assert plan.algorithm == algorithm
    x = RNG.standard_normal(plan.input_shape).astype(np.float32)
    assert_close(plan(x), torch_transpose(x, W, B, **KW), transpose_bound(x, W, B, **KW))


def test_threads_and_layout_choice():
    plan = make_plan((3, 5, 7, 6), threads=2, layout="nhwc")  # input_shape in the plan's layout
    assert plan.layout == "nhwc"
    assert plan.input_shape == (3, 5, 7, 6)
    assert plan.output_shape == (3, 10, 14, 4)
    x = RNG.standard_normal((3, 6, 5, 7)).astype(np.float32)
    y = plan(np.ascontiguousarray(x.transpose(0, 2, 3, 1)))
    ref = torch_transpose(x, W, B, **KW).transpose(0, 2, 3, 1)
    assert_close(y, ref, transpose_bound(x, W, B, **KW).transpose(0, 2, 3, 1))


def test_many_python_threads_share_one_plan():
    """Run releases the GIL and is safe on one plan from several threads:
    every thread's result equals the single-threaded one."""
    plan = make_plan()
    xs = [RNG.standard_normal(plan.input_shape).astype(np.float32) for _ in range(4)]
    expected = [plan(x) for x in xs]
    results = [[None] * 20 for _ in xs]

    def work(t):
        for r in range(20):
            results[t][r] = plan(xs[t])

    threads = [threading.Thread(target=work, args=(t,)) for t in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for t, exp in enumerate(expected):
        assert all(np.array_equal(r, exp) for r in results[t])


def test_empty_batch_gives_empty_output():
    y = tconv.conv_transpose(np.zeros((0, 6, 5, 7), np.float32), W, B, **KW)
    assert y.shape == (0, 4, 10, 14) and y.dtype == np.float32


def test_properties_agree_with_explain():
    plan = make_plan()
    info = plan.explain()
    for key in ("algorithm", "kernel", "note", "layout", "input_shape", "output_shape", "workspace_bytes",
                "packed_bytes"):
        assert info[key] == getattr(plan, key), key
    assert info["flops"] == 2 * 3 * 6 * 2 * 16 * 35  # 2*N*Cin*(Cout/g)*prod(k)*prod(in)
    assert info["pad_begin"] == (1, 1) and info["pad_end"] == (1, 1) and info["output_padding"] == (0, 0)
    assert "tconv.Plan((3, 6, 5, 7) -> (3, 4, 10, 14)" in repr(plan)


def test_run_releases_the_gil():
    """While one thread is inside a long Run (ref's double loops, ~0.5 s),
    the main thread keeps executing Python: it records times strictly
    inside the run. With the GIL held it could run only at the edges."""
    w = np.ones((64, 64, 4, 4), np.float32)
    x = np.ones((1, 64, 32, 32), np.float32)
    plan = tconv.Plan(w, input_shape=x.shape, stride=2, padding=1, algorithm="ref")
    span = {}

    def work():
        span["t0"] = time.perf_counter()
        plan(x)
        span["t1"] = time.perf_counter()

    worker = threading.Thread(target=work)
    ticks = []
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
    worker.join()
    t0, t1 = span["t0"], span["t1"]
    margin = (t1 - t0) / 4
    inside = [t for t in ticks if t0 + margin < t < t1 - margin]
    assert len(inside) > 100, "main thread ran {} times in the middle half of a {:.3f} s run".format(
        len(inside), t1 - t0)
