"""Plots of every activation and its derivative: ``python -m fastact plot DIR``.

    python -m fastact plot DIR                  DIR/<name>.png for each activation, DIR/activations.png
    python -m fastact plot DIR --only relu gelu just these (and an overview of them)
    python -m fastact plot docs --overview-only docs/activations.png only (the README's gallery)

Each picture shows f (solid) and f' (dashed) over [-6, 6], computed by the
fastact ufuncs themselves in float64, with the parameters at their defaults
(the required ones at the values in ``REQUIRED_PARAMS``).  Jumps of f or f'
(the kinks of the piecewise-linear functions) are drawn as gaps, not as
vertical lines.  Needs matplotlib (``pip install "fastact[plot]"``); it is
imported only when plotting, and through its object-oriented API (no pyplot,
no backend is switched), so this module is safe to import anywhere.
"""
from __future__ import annotations

import math
import os
import sys
import time

import numpy as np

from fastact import _table
from fastact._ufuncs import ufuncs as _UFUNCS

X_RANGE = (-6.0, 6.0)
N_POINTS = 2401
OVERVIEW = "activations.png"
# parameters without a default, set for the pictures
REQUIRED_PARAMS = {"a": 0.25, "threshold": 1.0, "value": -0.5}
COLORS = ("#1f5fa8", "#d1495b")  # f, f'

MISSING_MATPLOTLIB = ('fastact plot: matplotlib is not installed; install it with\n'
                      '    pip install "fastact[plot]"     (or: pip install matplotlib)')


class MatplotlibMissing(RuntimeError):
    pass


def _figure_class():
    try:
        from matplotlib.figure import Figure
    except ImportError as e:
        raise MatplotlibMissing(MISSING_MATPLOTLIB) from e
    return Figure


def params_of(act):
    """{name: value} of the parameters used for act's pictures."""
    return {p.name: (p.default if p.default is not None else REQUIRED_PARAMS.get(p.name, 0.25))
            for p in act.params}


def _param_text(act):
    ps = params_of(act)
    return ", ".join(f"{k}={v:g}" for k, v in ps.items() if math.isfinite(v) or k != "threshold")


def curves(act, n=N_POINTS):
    """x, f(x), f'(x) over X_RANGE, from the fastact ufuncs (float64)."""
    x = np.linspace(*X_RANGE, n)
    ps = list(params_of(act).values())
    with np.errstate(all="ignore"):
        f = _UFUNCS[act.name](x, *ps)
        g = _UFUNCS[f"{act.name}_grad"](x, *ps)
    return x, f, g


def _gaps(x, y):
    """x, y with NaN inserted where y jumps (a discontinuity, not a steep slope)."""
    d = np.abs(np.diff(y))
    finite = d[np.isfinite(d)]
    if finite.size == 0:
        return x, y
    span = np.ptp(y[np.isfinite(y)]) if np.isfinite(y).any() else 0.0
    limit = max(20 * float(np.median(finite)), 0.02 * span, 1e-12)
    jumps = np.flatnonzero(d > limit) + 1
    if jumps.size == 0:
        return x, y
    return np.insert(x, jumps, np.nan), np.insert(y, jumps, np.nan)


def _draw(ax, act, small=False):
    x, f, g = curves(act)
    lw = 1.6 if small else 2.2
    ax.axhline(0, color="0.6", lw=0.8, zorder=0)
    ax.axvline(0, color="0.6", lw=0.8, zorder=0)
    ax.plot(*_gaps(x, f), color=COLORS[0], lw=lw, label="f(x)")
    ax.plot(*_gaps(x, g), color=COLORS[1], lw=lw, ls="--", label="f'(x)")
    ax.set_xlim(*X_RANGE)
    ax.grid(True, color="0.9", lw=0.6)
    names = act.name + "".join(f" = {al}" for al in act.aliases)
    params = _param_text(act)
    if small:
        ax.set_title(names + (f"\n({params})" if params else ""), fontsize=9)
        ax.tick_params(labelsize=7)
    else:
        ax.set_title(names + (f"  ({params})" if params else ""), fontsize=12)
        ax.set_xlabel("x")
        ax.legend(loc="best", fontsize=10)


def plot_one(act, path, dpi=100):
    """Write the picture of one activation (f and f') to path."""
    Figure = _figure_class()
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.add_subplot()
    _draw(ax, act)
    fig.text(0.01, 0.005, f"f(x) = {act.formula}".replace("**", "^")[:110], fontsize=7, color="0.35", ha="left", va="bottom")
    fig.savefig(path, dpi=dpi)
    return path


def plot_overview(acts, path, dpi=80, columns=6):
    """Write one grid image of every activation in acts to path."""
    Figure = _figure_class()
    acts = list(acts)
    cols = min(columns, len(acts))
    rows = math.ceil(len(acts) / cols)
    fig = Figure(figsize=(2.7 * cols, 2.35 * rows + 0.5), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, act in zip(axes.ravel(), acts):
        _draw(ax, act, small=True)
    for ax in axes.ravel()[len(acts):]:
        ax.set_visible(False)
    lo, hi = X_RANGE
    fig.suptitle(f"fastact activations: f (solid) and f' (dashed) on [{lo:g}, {hi:g}]", fontsize=13)
    fig.savefig(path, dpi=dpi)
    return path


def select(only=()):
    """The table's activations named in only (activation names or aliases; all if empty)."""
    if not only:
        return list(_table.ACTIVATIONS)
    by_name = {a.name: a for a in _table.ACTIVATIONS}
    by_name.update({al: a for a in _table.ACTIVATIONS for al in a.aliases})
    names = [s for token in only for s in token.split(",") if s]
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(f"unknown activation(s) {unknown}; choose from {sorted(by_name)}")
    out = []
    for n in names:
        if by_name[n] not in out:
            out.append(by_name[n])
    return out


def plot_all(directory, only=(), overview_only=False, dpi=100, log=None):
    """Write the pictures into directory; returns the paths written."""
    acts = select(only)
    _figure_class()  # fail before creating anything if matplotlib is missing
    os.makedirs(directory, exist_ok=True)
    written = []
    t0 = time.perf_counter()
    if not overview_only:
        for i, act in enumerate(acts, 1):
            path = plot_one(act, os.path.join(directory, f"{act.name}.png"), dpi=dpi)
            written.append(path)
            if log:
                log(f"[{i}/{len(acts)}] {path}")
    path = plot_overview(acts, os.path.join(directory, OVERVIEW), dpi=max(40, int(dpi * 0.8)))
    written.append(path)
    if log:
        log(f"overview of {len(acts)} activations: {path} ({time.perf_counter() - t0:.1f} s in all)")
    return written


# ---- the command line (an entry of fastact.__main__.COMMANDS) ---------------------
def add_arguments(p):
    p.add_argument("directory", metavar="DIR", help="where to write the PNG files (created if needed)")
    p.add_argument("--only", nargs="+", metavar="NAMES",
                   help="activations to plot (names or aliases, space or comma separated; default: all)")
    p.add_argument("--overview-only", action="store_true",
                   help=f"write only the overview grid DIR/{OVERVIEW}")
    p.add_argument("--dpi", type=int, default=100, help="resolution of the single plots (default 100; "
                   "the overview uses 80%% of it)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")


def cmd_plot(args):
    """Write the pictures; progress on stderr, the count on stdout."""
    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    try:
        written = plot_all(args.directory, args.only or (), args.overview_only, args.dpi,
                           log=None if args.quiet else log)
    except MatplotlibMissing as e:
        print(e, file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"fastact plot: error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} PNG file(s) to {args.directory}")
    return 0
