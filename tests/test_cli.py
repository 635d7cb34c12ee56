"""The command line (python -m fastact) and the benchmark machinery.

Nothing here times anything or asserts a speed: the benchmark runs on tiny
sizes only to prove that it runs, prints its tables and writes valid JSON.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import fastact
from fastact import _table, bench
from fastact.__main__ import build_parser
from fastact._ufuncs import gufuncs

# run the same fastact the tests import (a checkout built in place or an install)
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(
    [os.path.dirname(os.path.dirname(os.path.abspath(fastact.__file__)))]
    + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))


def run_cli(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "fastact", *args], capture_output=True,
                          text=True, env=ENV, timeout=timeout)


def test_info_lists_every_function_and_the_level():
    r = run_cli("info")
    assert r.returncode == 0, r.stderr
    assert fastact.__version__ in r.stdout
    assert f"SIMD level in use: {fastact.get_isa()}" in r.stdout
    lines = r.stdout.splitlines()
    for u in _table.UFUNCS:
        assert any(line.split()[:2] == [u.name, f"nin={u.nin}"] for line in lines), u.name
    for name, g in gufuncs.items():
        assert any(line.split()[:2] == [name, f"nin={g.nin}"] for line in lines), name


def test_subcommands_are_listed():
    r = run_cli("--help")
    assert r.returncode == 0
    assert "info" in r.stdout and "bench" in r.stdout
    commands = build_parser()._subparsers._group_actions[0].choices
    assert {"info", "bench"} <= set(commands)


def test_bench_quick_prints_a_table_and_writes_json(tmp_path):
    path = tmp_path / "out.json"
    r = run_cli("bench", "--quick", "--only", "relu", "--sizes", "1000", "--repeat", "3",
                "--json", str(path))
    assert r.returncode == 0, r.stderr
    assert "## float32, 10^3 elements" in r.stdout
    assert "| function | fastact |" in r.stdout
    assert "| relu |" in r.stdout
    assert "call overhead" in r.stdout
    report = json.loads(path.read_text())
    assert report["meta"]["fastact_isa"] == fastact.get_isa()
    rows = report["elementwise"]
    assert {r["name"] for r in rows} == {"relu"}
    assert {r["size"] for r in rows} == {1000}
    fa = [r for r in rows if r["competitor"] == "fastact"]
    assert len(fa) == 1 and fa[0]["median_s"] > 0 and len(fa[0]["times_s"]) == 3
    assert {f["floor"] for f in report["floors"]} == {"np.copyto", "np.negative"}
    # the markdown is rendered from the JSON-able report alone
    assert bench.markdown(report) in r.stdout


def test_bench_rejects_unknown_names():
    r = run_cli("bench", "--quick", "--only", "no_such_activation")
    assert r.returncode == 2
    assert "no_such_activation" in r.stderr


def test_selection():
    rows, _ = bench.select(("relu",), bench.ROLES)
    assert [u.name for u in rows] == ["relu", "relu_grad", "relu_backward"]
    rows, _ = bench.select(("relu,tanh_grad",), ("forward",))
    assert {u.name for u in rows} == {"relu", "tanh_grad"}    # an exact name ignores roles
    rows, _ = bench.select(("silu",), ("forward",))             # an alias
    assert [u.name for u in rows] == ["swish"]


def test_every_competitor_agrees_with_fastact():
    """The numpy/scipy/numexpr/torch/onnxruntime entries compute the same
    functions as fastact (a wrong composite would be excluded, never timed)."""
    config = bench.Config(sizes=(300,), dtypes=("float32", "float64"), roles=bench.ALL_ROLES,
                          repeat=1, min_time=1e-5, warmup=0, overhead=False, floors=False)
    report = bench.run(config)
    differ = [s for s in report["skipped"] if s["reason"].startswith("result differs")
              and not (s["competitor"] == "onnxruntime" and s["dtype"] == "float64")]
    assert not differ
    timed = {(r["name"], r["dtype"]) for r in report["elementwise"] if r["competitor"] == "fastact"}
    rows, gnames = bench.select((), bench.ALL_ROLES)
    assert timed == {(u.name, d) for u in rows for d in config.dtypes}
    # every softmax-family entry of every competitor is timed along both axes
    timed = {(r["name"], r["axis"], r["dtype"], r["competitor"]) for r in report["softmax"]}
    expected = {(n, a, d, c.label) for c in [bench._FASTACT] + bench.load_competitors()
                for n in gnames if c is bench._FASTACT or n in c.gufunc
                for a in config.softmax_axes for d in config.dtypes
                if not (c.label == "onnxruntime" and d == "float64")}
    assert expected - timed == set()


def test_gufunc_backward_takes_the_output_first():
    """softmax_backward(y, dy) and log_softmax_backward(y, dy): the bench's
    operands follow the functions' order, and its reference is the formula."""
    for name, formula in [
            ("softmax_backward", lambda y, dy, a: y * (dy - (dy * y).sum(a, keepdims=True))),
            ("log_softmax_backward", lambda y, dy, a: dy - np.exp(y) * dy.sum(a, keepdims=True))]:
        for axis in (-1, 0):
            G = bench._GufuncOperands(name, np.float64, (20, 30), axis, 0)
            assert G.args[0] is G.y and G.args[1] is G.dy
            np.testing.assert_allclose(G.ref, formula(G.y, G.dy, axis), rtol=1e-9, atol=1e-12)
            assert G.out.flags.c_contiguous and G.y.flags.c_contiguous


class _FakeGufunc:
    """A numpy stand-in for a softmax-family gufunc, to exercise the machinery."""

    def __init__(self, f, nin):
        self.f, self.nin = f, nin

    def __call__(self, *args, axis=-1, out=None):
        r = self.f(*args, axis)
        if out is None:
            return r
        out[...] = r
        return out


def _softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def _logsumexp(x, axis):
    m = x.max(axis, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis, keepdims=True))).squeeze(axis)


def test_softmax_family_tables(monkeypatch):
    fakes = {"softmax": _FakeGufunc(_softmax, 1), "logsumexp": _FakeGufunc(_logsumexp, 1),
             "softmax_backward": _FakeGufunc(
                 lambda y, dy, axis: y * (dy - (dy * y).sum(axis, keepdims=True)), 2)}
    monkeypatch.setattr(bench, "FA_GUFUNCS", fakes)
    config = bench.Config(only=tuple(fakes), dtypes=("float32",), competitors=("numpy",),
                          repeat=1, min_time=1e-5, softmax_shape=(20, 30))
    report = bench.run(config)
    assert not report["skipped"]
    got = {(r["name"], r["axis"], r["competitor"]) for r in report["softmax"]}
    assert got == {(n, a, c) for n in fakes for a in (-1, 0) for c in ("fastact", "numpy")}
    assert "## softmax family, float32, shape (20, 30)" in bench.markdown(report)
