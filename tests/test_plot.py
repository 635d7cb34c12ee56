"""python -m fastact plot: PNGs of f and f', the overview grid, the message without matplotlib."""
import os
import subprocess
import sys

import numpy as np
import pytest

import fastact
from fastact import _table, plot

ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(
    [os.path.dirname(os.path.dirname(os.path.abspath(fastact.__file__)))]
    + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_cli(*args, code=None):
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "fastact", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300)


def _png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == PNG_MAGIC, path
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def test_curves_are_the_ufuncs():
    for act in _table.ACTIVATIONS:
        x, f, g = plot.curves(act, n=101)
        assert x[0] == -6 and x[-1] == 6
        ps = list(plot.params_of(act).values())
        np.testing.assert_array_equal(f, fastact.ufuncs.__dict__[act.name](x, *ps))
        np.testing.assert_array_equal(g, fastact.ufuncs.__dict__[act.name + "_grad"](x, *ps))
        assert np.isfinite(f).all() and np.isfinite(g).all(), act.name


def test_gaps_break_jumps_only():
    x = np.linspace(-6, 6, 1201)
    _, y = plot._gaps(x, fastact.relu_grad(x))
    assert np.isnan(y).sum() == 1
    _, y = plot._gaps(x, fastact.sigmoid(x))
    assert not np.isnan(y).any()


def test_select():
    assert plot.select() == list(_table.ACTIVATIONS)
    assert [a.name for a in plot.select(["hswish,relu", "hardswish"])] == ["hardswish", "relu"]
    with pytest.raises(ValueError, match="nope"):
        plot.select(["nope"])


def test_cli_plot_writes_one_png_per_activation_and_the_overview(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "plots"
    r = run_cli("plot", str(out), "--only", "relu", "silu", "--dpi", "50")
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(out)) == ["activations.png", "relu.png", "swish.png"]
    assert "[1/2]" in r.stderr and "[2/2]" in r.stderr and "overview" in r.stderr  # progress
    assert "wrote 3 PNG" in r.stdout
    w, h = _png_size(out / "relu.png")
    assert (w, h) == (320, 220)  # 6.4 x 4.4 inches at 50 dpi
    w, h = _png_size(out / "activations.png")
    assert w > h > 50


def test_cli_plot_overview_only_and_quiet(tmp_path):
    pytest.importorskip("matplotlib")
    r = run_cli("plot", str(tmp_path), "--overview-only", "--only", "gelu", "mish", "tanh", "-q")
    assert r.returncode == 0, r.stderr
    assert os.listdir(tmp_path) == ["activations.png"] and r.stderr == ""


def test_cli_plot_unknown_name(tmp_path):
    r = run_cli("plot", str(tmp_path), "--only", "relu9")
    assert r.returncode == 2 and "relu9" in r.stderr


def test_cli_plot_without_matplotlib(tmp_path):
    code = ("import sys; sys.modules['matplotlib'] = None  # as if not installed\n"
            "from fastact.__main__ import main; sys.exit(main(sys.argv[1:]))")
    r = run_cli("plot", str(tmp_path / "p"), code=code)
    assert r.returncode == 1
    assert "matplotlib is not installed" in r.stderr and 'pip install "fastact[plot]"' in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "p").exists()


def test_importing_plot_does_not_import_matplotlib():
    r = run_cli(code="import sys, fastact.plot; print('matplotlib' in sys.modules)")
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stderr
