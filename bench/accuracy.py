#!/usr/bin/env python
"""Accuracy of every elementwise fastact ufunc against the exact reference, in ULP.

    python bench/accuracy.py                                  # every ufunc, float32 + float64
    python bench/accuracy.py --only sigmoid gelu_grad --points 20000
    python bench/accuracy.py --markdown docs/accuracy.md --json acc.json
    python bench/accuracy.py --exhaustive sigmoid sigmoid_grad --only none   # all 2^32 float32 inputs
    python bench/accuracy.py --exhaustive all --only none

Part 1, the sweep.  For every ufunc of fastact._table.UFUNCS (forward, grad,
backward, the from-output and parameter derivatives; default parameters, 0.25
for a required one) and each dtype, the kernels run on a dense point set:

- the edge points of tests/_ulp.py (0, -0, +-inf, NaN, the dtype's limits, the
  kinks of the table);
- a log-spaced sweep over the whole finite range, both signs;
- the neighbourhood of every internal branch threshold of the C code
  (THRESHOLDS below, read from src_c/activations.h, fa_math.inc, fa_roots.h,
  kernels.inc): the threshold, +-1..4 ULP, +-2^k ULP, and a fine linear grid
  around it;
- the same neighbourhood of every regime boundary found by scanning the
  kernels themselves: where the result changes class (normal, subnormal, 0,
  inf) or starts to equal 1, -1 or x (overflow, underflow, saturation);
- random bit patterns and random moderate values.

The reference (fastact.reference: Fraction, 60-digit Decimal, mpmath) is
correctly rounded to float64 and then rounded to the dtype; where that float64
lies exactly half-way between two float32 numbers (so the double rounding may
have picked the wrong one) either neighbour counts as correctly rounded.  A
backward reference is dy * f'(x) formed in float64 (fastact.reference.backward),
which the table's backward bounds allow for.  The kernels run on every ISA
level this CPU has (--isa); a cell is the maximum over them.

Part 2, --exhaustive NAMES (one-data-operand ufuncs, or "all"): every one of
the 2^32 float32 bit patterns, in chunks, against the float64 kernel's result
rounded to float32.  Points further than the float32 bound (and the worst
points) are re-checked against the exact reference.

The reference is pure Python, evaluated by --jobs processes (default 2): the
default sweep (--points 20000, ~90000 points per activation and dtype) takes
about 2 minutes on 2 cores.  The exhaustive part runs in this one process,
10-100 s per ufunc.  The exit status is 1 when a ufunc exceeds its bound.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import math
import multiprocessing
import os
import platform
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))

import fastact  # noqa: E402
from fastact import _table, reference  # noqa: E402
from fastact._ufuncs import ISA_LEVELS, get_isa, isa_supported, set_isa  # noqa: E402
from fastact._ufuncs import ufuncs as UFUNCS_BY_NAME  # noqa: E402

import _ulp  # noqa: E402  (tests/_ulp.py: ULP distance, edge points, operands conventions)
from _ulp import DY_VALUES, cast, ulp_dist  # noqa: E402

F16, F32, F64 = np.float16, np.float32, np.float64
DTYPES = {"float16": F16, "float32": F32, "float64": F64}
LN2 = math.log(2.0)

# activations whose reference is not rational (exp, log, erf inside)
TRANSCENDENTAL = ("sigmoid", "tanh", "elu", "swish", "gelu", "gelu_tanh", "selu", "celu",
                  "softplus", "mish", "logsigmoid", "tanhshrink")


# =============================================================================
# the branch thresholds of the C code
# =============================================================================
@dataclass(frozen=True)
class Threshold:
    x: float            # the abscissa (of the activation's input x; beta = 1 for swish/softplus)
    what: str           # where in the C code
    acts: tuple = ()    # the activations concerned (empty: every transcendental one)
    ct: str = ""        # "float"/"double": only for kernels computing in that type; "": any
    both_signs: bool = True


def _gelu_tanh_x_of_z(z):
    """x > 0 with z(x) = x (K1 + K2 x^2) = z (z = 2u of gelu_tanh), by bisection in float64."""
    k1, k2 = 2 * math.sqrt(2 / math.pi), 2 * math.sqrt(2 / math.pi) * 0.044715
    lo, hi = 0.0, max(1.0, z)
    while hi * (k1 + k2 * hi * hi) < z:
        hi *= 2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid * (k1 + k2 * mid * mid) < z:
            lo = mid
        else:
            hi = mid
    return hi


def _roots():
    """The simple zeros of the derivatives, from src_c/fa_roots.h."""
    out = {}
    try:
        text = open(os.path.join(ROOT, "src_c", "fa_roots.h")).read()
    except OSError:
        text = ""
    for act, key in (("swish", "SWISH"), ("gelu", "GELU"), ("gelu_tanh", "GELU_TANH"),
                     ("mish", "MISH")):
        m = re.search(rf"#define FA_ROOT_{key}_HI (\S+)", text)
        out[act] = float(m.group(1)) if m else None
    fallback = {"swish": -1.2784645427610738, "gelu": -0.7517915246935645,
                "gelu_tanh": -0.7524614220710163, "mish": -1.1924312145154952}
    return {k: (v if v is not None else fallback[k]) for k, v in out.items()}


def _thresholds():
    T = []
    add = T.append
    # ---- fa_math.inc: exp / expm1 / log1p / tanh, used by every transcendental kernel ----
    for ct, lo_clamp, hi_clamp, tk, tb, em1 in (("double", 746.0, 710.0, 64, 600.0, 60.0),
                                                ("float", 104.0, 89.0, 32, 80.0, 30.0)):
        add(Threshold(lo_clamp, f"fa_exp_scaled_lo: argument clamped below -{lo_clamp:g}", ct=ct))
        add(Threshold(lo_clamp + LN2 * tk, f"fa_exp_scaled_lo: clamp -{lo_clamp:g} - ln2*{tk} "
                      "with the deep-tail scaling 2^k", ct=ct))
        add(Threshold(hi_clamp, f"fa_exp_scaled_lo/fa_expm1: argument clamped above {hi_clamp:g}", ct=ct))
        add(Threshold(tb, f"kernels.inc FA_TB: deep-tail switch at x = -{tb:g} (exp(x) * 2^{tk})", ct=ct))
        add(Threshold(em1, f"fa_expm1: argument clamped below -{em1:g}", ct=ct))
        add(Threshold(LN2 / 2, "fa_expm1: n == 0 window |r| <= ln2/2", ct=ct))
    # where exp(+-x) leaves the normal range / underflows / overflows, for both result types
    for t in (F32, F64):
        fi = np.finfo(t)
        name = np.dtype(t).name
        add(Threshold(math.log(float(fi.max)), f"exp overflow of {name}"))
        add(Threshold(math.log(float(fi.tiny)), f"exp(x) subnormal in {name}"))
        add(Threshold(math.log(float(fi.smallest_subnormal)), f"exp(x) at the smallest {name} subnormal"))
        add(Threshold(math.log(float(fi.smallest_subnormal)) - LN2, f"exp(x) underflows to 0 in {name}"))
    # ---- tanh: the polynomial / exp switch; exp(2|x|) and exp(-2|x|) clamps ----
    tanh_acts = ("tanh", "tanhshrink")
    add(Threshold(0.55, "fa_tanh: polynomial below |x| = 0.55, 1 - 2/(1 + exp(2|x|)) above", tanh_acts))
    for ct, lo_clamp, hi_clamp in (("double", 746.0, 710.0), ("float", 104.0, 89.0)):
        add(Threshold(hi_clamp / 2, f"fa_tanh: exp(2|x|) clamped above {hi_clamp:g}", tanh_acts, ct))
        add(Threshold(lo_clamp / 2, f"tanh': exp(-2|x|) clamped below -{lo_clamp:g}", tanh_acts, ct))
    for t in (F32, F64):  # exp(-2|x|) of tanh' leaves the normal range while 4 e / (1 + e)^2 is normal
        fi = np.finfo(t)
        name = np.dtype(t).name
        add(Threshold(-math.log(float(fi.tiny)) / 2, f"tanh': exp(-2|x|) subnormal in {name}", tanh_acts))
        add(Threshold(-(math.log(float(fi.smallest_subnormal)) - LN2) / 2,
                      f"tanh': exp(-2|x|) underflows to 0 in {name}", tanh_acts))
    add(Threshold(1.0, "tanhshrink: fitted odd polynomial below |x| = 1", ("tanhshrink",)))
    # ---- softplus / logsigmoid: log1p(exp(-|z|)) changes mantissa reduction at e = sqrt(2) - 1 ----
    add(Threshold(-math.log(math.sqrt(2.0) - 1.0), "fa_log1p: 1 + e crosses sqrt(2) (e = exp(-|x|))",
                  ("softplus", "logsigmoid")))
    # ---- gelu (erf form) ----
    add(Threshold(34.0, "gelu: deep-tail scaling of exp(-x^2/2) above |x| = 34 (double)",
                  ("gelu",), "double"))
    add(Threshold(14.5, "gelu (float32 algorithm): |x| clamped at 14.5, where gelu(-x) rounds to -0.0",
                  ("gelu",), "float"))
    add(Threshold(14.75, "gelu' (float32 algorithm): |x| clamped at 14.75, where gelu'(-x) rounds to 0",
                  ("gelu",), "float"))
    add(Threshold(40.0, "fa_exp_mhalfsq: |x| clamped at 40 (double)", ("gelu",), "double"))
    for w, piece in ((1.25, "0|1"), (3.75, "1|2"), (11.25, "2|3")):
        add(Threshold(w * math.sqrt(2.0), f"fa_erfcx: Chebyshev pieces {piece} at w = {w} "
                      f"(x = {w}*sqrt(2))", ("gelu",)))
    for t in (F32, F64):  # exp(-x^2/2) leaves the normal range / underflows
        fi = np.finfo(t)
        name = np.dtype(t).name
        add(Threshold(math.sqrt(-2 * math.log(float(fi.tiny))), f"exp(-x^2/2) subnormal in {name}",
                      ("gelu",)))
        add(Threshold(math.sqrt(-2 * (math.log(float(fi.smallest_subnormal)) - LN2)),
                      f"exp(-x^2/2) underflows to 0 in {name}", ("gelu",)))
    # ---- gelu_tanh: z = x (K1 + K2 x^2) crosses the exp thresholds; the x clamp ----
    add(Threshold(1e100, "gelu_tanh: |x| clamped at 1e100 (double)", ("gelu_tanh",), "double"))
    add(Threshold(1e12, "gelu_tanh: |x| clamped at 1e12 (float)", ("gelu_tanh",), "float"))
    for ct, zs in (("double", (600.0, 746.0, 746.0 + 64 * LN2, 710.0)),
                   ("float", (80.0, 104.0, 104.0 + 32 * LN2, 89.0))):
        for z in zs:
            add(Threshold(_gelu_tanh_x_of_z(z), f"gelu_tanh: z = 2u = {z:.6g} (exp switch/clamp)",
                          ("gelu_tanh",), ct))
    # ---- the Taylor windows at the zeros of the derivatives (fa_roots.h, |d| < 0.5) ----
    for act, r in _roots().items():
        add(Threshold(r, f"{act}': zero of the derivative (fa_roots.h)", (act,), both_signs=False))
        for s in (-0.5, 0.5):
            add(Threshold(r + s, f"{act}': edge of the Taylor window x0 {s:+g}", (act,), both_signs=False))
    return tuple(T)


THRESHOLDS = _thresholds()


# =============================================================================
# ordered integers <-> floats
# =============================================================================
_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def ordered(a):
    """float -> int64 in the same order, +0 == -0 (tests/_ulp.py)."""
    return _ulp.ordered(np.asarray(a))


def from_ordered(o, dtype):
    dtype = np.dtype(dtype)
    o = np.asarray(o, np.int64)
    nbits = 8 * dtype.itemsize
    sign = np.uint64(1) << np.uint64(nbits - 1)
    mag = np.abs(o).astype(np.uint64)
    b = np.where(o < 0, mag | sign, mag).astype(_UINT[dtype.itemsize])
    return b.view(dtype.type)


def omax(dtype):
    return int(ordered(np.array([np.finfo(dtype).max], dtype))[0])


def steps_around(v, dtype, offsets):
    """v (a dtype value) moved by the given numbers of ULPs, clipped to the finite range."""
    m = omax(dtype)
    o = int(ordered(np.array([v], dtype))[0]) + np.asarray(offsets, np.int64)
    return from_ordered(np.clip(o, -m, m), dtype)


# =============================================================================
# point sets
# =============================================================================
def neighbourhood(t, dtype, small=False):
    """Points around the abscissa t: t itself, +-1..4 ULP, +-2^k ULP, a linear grid."""
    dtype = np.dtype(dtype).type
    with np.errstate(all="ignore"):
        v = dtype(t)
    if not np.isfinite(v):
        return np.zeros(0, dtype)
    mant = np.finfo(dtype).nmant
    if small:
        ks = range(4, mant + 1, 6)
        near = range(-2, 3)
        grid = 33
    else:
        ks = range(3, mant + 1)
        near = range(-8, 9)
        grid = 129
    offs = list(near) + [s * (1 << k) for k in ks for s in (-1, 1)]
    pts = [steps_around(v, dtype, offs)]
    w = max(0.5, 0.01 * abs(t))
    with np.errstate(all="ignore"):
        g = t + np.linspace(-w, w, grid)
    pts.append(cast(g[np.isfinite(g)], dtype))
    return np.concatenate(pts)


def compute_types(act, dtype):
    """The types the kernels of act compute in for data of dtype (f and f')."""
    if np.dtype(dtype) == np.float64:
        return {"double"}
    if act.exact:
        return {"float"}
    # float16 runs the float32 kernel; "float32" (an algorithm of its own) computes in float
    return {"float" if t == "float32" else t for t in act.f32}


def thresholds_of(act, dtype):
    """The thresholds of the C code that concern the kernels of act for dtype."""
    if act.name not in TRANSCENDENTAL:
        return []
    cts = compute_types(act, dtype)
    return [t for t in THRESHOLDS
            if (not t.acts or act.name in t.acts) and (not t.ct or t.ct in cts)]


def _category(x, y):
    """A small integer per element: the class of y (NaN, +-inf, +-normal, +-subnormal, 0)
    and whether y equals x, +-1 (saturation)."""
    with np.errstate(all="ignore"):
        ay = np.abs(y)
        tiny = np.finfo(y.dtype).tiny
        cls = np.select([np.isnan(y), np.isinf(y), ay >= tiny, ay > 0], [0, 1, 2, 3], 4)
        cls = cls + 5 * (y < 0)
        return cls * 8 + 1 * (y == x) + 2 * (ay == 1) + 4 * (y == -x)


def regime_boundaries(names, dtype, params, n_grid=1 << 14, cap=48):
    """Adjacent pairs of inputs where the result of a ufunc in `names` (one data operand)
    changes category (_category): overflow, underflow to subnormal or 0, saturation at
    +-1 or at x.  Found by a grid in ordered-integer space and bisection on the kernels."""
    dtype = np.dtype(dtype).type
    m = omax(dtype)
    grid = np.unique(np.linspace(-m, m, n_grid + 1).astype(np.int64))
    found = []
    with np.errstate(all="ignore"):
        for name in names:
            f = UFUNCS_BY_NAME[name]

            def cat(o):
                x = from_ordered(o, dtype)
                return _category(x, f(x, *params))

            c = cat(grid)
            idx = np.flatnonzero(c[:-1] != c[1:])
            if len(idx) > cap:
                idx = idx[np.linspace(0, len(idx) - 1, cap).astype(int)]
            lo, hi = grid[idx], grid[idx + 1]
            clo = c[idx]
            while len(lo) and (hi - lo > 1).any():
                mid = lo + (hi - lo) // 2
                same = cat(mid) == clo
                lo = np.where(same, mid, lo)
                hi = np.where(same, hi, mid)
            found += [from_ordered(lo, dtype), from_ordered(hi, dtype)]
    if not found:
        return np.zeros(0, dtype)
    return np.unique(np.concatenate(found))


def sweep(dtype, n):
    """n log-spaced magnitudes over the whole finite range, both signs (2n points)."""
    dtype = np.dtype(dtype).type
    fi = np.finfo(dtype)
    with np.errstate(all="ignore"):
        pos = cast(np.geomspace(float(fi.smallest_subnormal), float(fi.max), n), dtype)
    pos = pos[np.isfinite(pos) & (pos > 0)]
    return np.concatenate([pos, -pos])


def random_points(dtype, n, seed):
    """n random finite bit patterns, n moderate values (uniform in [-40, 40] and
    +-log-uniform in [2^-20, 1024])."""
    dtype = np.dtype(dtype).type
    rng = np.random.default_rng(seed)
    ut = _UINT[np.dtype(dtype).itemsize]
    b = rng.integers(0, np.iinfo(ut).max, 2 * n, dtype=ut, endpoint=True).view(dtype)
    b = b[np.isfinite(b)][:n]
    h = n // 2
    mod = np.concatenate([rng.uniform(-40, 40, h),
                          rng.choice([-1.0, 1.0], n - h) * np.exp2(rng.uniform(-20, 10, n - h))])
    return np.concatenate([b, cast(mod, dtype)])


def default_params(u):
    return _ulp.default_params(u)


def activation_points(act, dtype, n, small=False, seed=1):
    """The x points of the sweep for every ufunc of activation act (sorted, unique bit patterns)."""
    dtype = np.dtype(dtype).type
    fwd = _table.BY_NAME[act.name]
    params = default_params(fwd)
    pts = [_ulp.edge_points(dtype, tuple(act.kinks)), sweep(dtype, n),
           random_points(dtype, n, seed + len(act.name))]
    thr = [0.0] + [float(k) for k in act.kinks]
    for t in thresholds_of(act, dtype):
        thr += [t.x, -t.x] if t.both_signs else [t.x]
    for t in sorted(set(thr)):
        pts.append(neighbourhood(t, dtype, small))
    bnd = regime_boundaries([act.name, act.name + "_grad"], dtype, params)
    for b in bnd:
        pts.append(steps_around(b, dtype, range(-3, 4) if small else range(-8, 9)))
        if not small:
            pts.append(neighbourhood(float(b), dtype, small=True))
    x = np.concatenate([np.asarray(p, dtype) for p in pts])
    # unique bit patterns (keeps -0.0 and NaN once each)
    bits = np.unique(x.view(_UINT[np.dtype(dtype).itemsize]))
    return bits.view(dtype)


# =============================================================================
# the reference, in parallel
# =============================================================================
def _ref_chunk(name, cols):
    f = reference.get(name)
    return [f(*args) for args in zip(*cols)]


def reference_f64(name, cols, jobs=1, pool=None, chunk=1500):
    """reference.get(name) over the rows of cols (lists of Python floats): float64 array."""
    n = len(cols[0])
    if n == 0:
        return np.zeros(0)
    if pool is None or n <= chunk:
        return np.array(_ref_chunk(name, cols), dtype=np.float64)
    futs = [pool.submit(_ref_chunk, name, [c[i:i + chunk] for c in cols]) for i in range(0, n, chunk)]
    out = []
    for fu in futs:
        out += fu.result()
    return np.array(out, dtype=np.float64)


def round_reference(r64, dtype):
    """(want, alt): the float64 reference rounded to dtype, and the other neighbour where
    the float64 value is exactly half-way between two float32 numbers (else alt = want).
    float16 goes through float32 like tests/_ulp.py."""
    dtype = np.dtype(dtype).type
    if dtype == F64:
        return r64, r64
    if dtype == F16:
        w = cast(cast(r64, F32), F16)
        return w, w
    with np.errstate(all="ignore"):
        w = cast(r64, F32)
        back = w.astype(F64)
        up = r64 > back
        other = np.where(up, np.nextafter(w, F32(np.inf)), np.nextafter(w, F32(-np.inf)))
        mid = np.isfinite(r64) & np.isfinite(other) & (r64 != back) & \
            ((back + other.astype(F64)) * 0.5 == r64)
    return w, np.where(mid, other, w)


def distance(got, want, alt):
    d = ulp_dist(got, want)
    if alt is not want:
        d = np.minimum(d, ulp_dist(got, alt))
    return d


# =============================================================================
# part 1: the sweep
# =============================================================================
def _levels(arg):
    if arg:
        return arg
    return [lvl for lvl in ISA_LEVELS if isa_supported(lvl)]


def selected_ufuncs(only):
    """The rows of UFUNCS selected by --only (ufunc, alias or activation names; 'none')."""
    if not only:
        return list(_table.UFUNCS)
    if only == ["none"]:
        return []
    names = {_table.ALIASES.get(n, n) for n in only}
    rows = [u for u in _table.UFUNCS if u.name in names or u.act.name in names]
    unknown = names - {u.name for u in rows} - {u.act.name for u in rows}
    if unknown:
        raise SystemExit(f"unknown ufunc or activation names: {sorted(unknown)}")
    return rows


def _f32(v):
    """The shortest repr of a float32 value."""
    return str(F32(v))


def _fmt_x(v, dtype):
    v = np.dtype(dtype).type(v)
    return repr(float(v)) if np.dtype(dtype) == np.float64 else str(v)


def measure_activation(act, rows, dtype, n, levels, pool=None, small=False, log=None):
    """Results (dicts) for the ufunc rows of one activation and one dtype."""
    dtype = np.dtype(dtype).type
    x = activation_points(act, dtype, n, small=small)
    t0 = time.perf_counter()
    results = []
    refs = {}  # reference name -> float64 array over its data points

    def ref(name, data):
        if name not in refs:
            u = _table.BY_NAME[name]
            p = [float(cast(v, dtype)) for v in default_params(u)]
            with np.errstate(all="ignore"):
                cols = [d.astype(F64).tolist() for d in data] + [[v] * len(data[0]) for v in p]
            refs[name] = reference_f64(name, cols, pool=pool)
        return refs[name]

    y_pts = None
    for u in rows:
        params = default_params(u)
        base = u.name
        if u.role.startswith("backward"):
            base = u.name.replace("_backward", "_grad", 1)
        if "from_output" in u.role:
            if y_pts is None:
                with np.errstate(all="ignore"):
                    y = UFUNCS_BY_NAME[act.name](x, *default_params(_table.BY_NAME[act.name]))
                y_pts = np.unique(np.concatenate([y, x]).view(_UINT[np.dtype(dtype).itemsize])).view(dtype)
            data_x = y_pts
        else:
            data_x = x
        r = ref(base, [data_x])
        if u.role.startswith("backward"):
            dy = np.repeat(cast(DY_VALUES, dtype), len(data_x))
            xs = np.tile(data_x, len(DY_VALUES))
            with np.errstate(all="ignore"):
                r = dy.astype(F64) * np.tile(r, len(DY_VALUES))
            data = [dy, xs]
        else:
            data = [data_x]
        want, alt = round_reference(r, dtype)
        worst = None
        per_level = {}
        dsum = None
        for level in levels:
            old = set_isa(level)
            try:
                got = UFUNCS_BY_NAME[u.name](*data, *params)
            finally:
                set_isa(old)
            d = distance(got, want, alt)
            i = int(np.argmax(d))
            per_level[level] = float(d[i])
            if dsum is None:
                dsum = d
            if worst is None or d[i] > worst["ulp"]:
                worst = dict(ulp=float(d[i]), level=level,
                             inputs=[float(o[i]) for o in data],
                             inputs_hex=[float(o[i]).hex() for o in data],
                             got=float(got[i]), want=float(want[i]), ref_f64=float(r[i]))
        bound = _ulp.ulp_bound(u, dtype)
        fin = np.isfinite(dsum)
        res = dict(name=u.name, activation=act.name, role=u.role, dtype=np.dtype(dtype).name,
                   params=list(params), n=int(len(data[0])), bound=bound,
                   max_ulp=max(per_level.values()),
                   mean_ulp=float(dsum[fin].mean()) if fin.any() else math.inf,
                   hist={str(k): int(v) for k, v in zip(*np.unique(np.minimum(dsum, 9), return_counts=True))},
                   worst=worst, per_level=per_level)
        res["status"] = "PASS" if res["max_ulp"] <= bound else "FAIL"
        results.append(res)
        if log:
            log(line(res))
    if log:
        log(f"    ({act.name} {np.dtype(dtype).name}: {len(x)} points, {time.perf_counter() - t0:.1f} s)")
    return results


def line(r):
    w = r["worst"]
    args = ", ".join(_fmt_x(v, r["dtype"]) for v in w["inputs"])
    return (f"{r['name']:30s} {r['dtype']:8s} n={r['n']:6d} max={r['max_ulp']:<6g} "
            f"mean={r['mean_ulp']:.3f} bound={r['bound']:<3d} {r['status']}  worst f({args}) = "
            f"{_fmt_x(w['got'], r['dtype'])}, want {_fmt_x(w['want'], r['dtype'])} [{w['level']}]")


def run_sweep(rows, dtypes, n, levels, jobs, log=print):
    acts = []
    for u in rows:
        if u.act not in acts:
            acts.append(u.act)
    pool = None
    if jobs > 1:
        pool = concurrent.futures.ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("fork"))
    out = []
    try:
        for act in acts:
            arows = [u for u in rows if u.act is act]
            for dt in dtypes:
                out += measure_activation(act, arows, dt, n, levels, pool=pool, log=log)
    finally:
        if pool:
            pool.shutdown()
    return out


# =============================================================================
# part 2: exhaustive float32
# =============================================================================
def compute_type_f32(u):
    """What the float32 kernel of ufunc row u computes in (as _table.c_header decides)."""
    ct = {"forward": u.act.f32[0], "grad": u.act.f32[1], "backward": u.act.f32[1]}.get(u.role, "double")
    return "float" if (u.act.exact or ct in ("float", "float32")) else "double"


def one_operand_names():
    return [u.name for u in _table.UFUNCS if _ulp.n_data(u) == 1]


def _ord32(y):
    i = y.view(np.int32).astype(np.int64)
    return np.where(i < 0, -(i & 0x7FFFFFFF), i)


def exhaustive(name, chunk_bits=22, recheck_cap=200, keep_cap=100000, log=print):
    """float32 kernel vs float64 kernel rounded to float32 on all 2^32 inputs."""
    u = _table.BY_NAME[name]
    if _ulp.n_data(u) != 1:
        raise SystemExit(f"--exhaustive: {name} takes {_ulp.n_data(u)} data operands")
    f = UFUNCS_BY_NAME[name]
    params = default_params(u)
    p32 = [F32(p) for p in params]
    p64 = [float(F32(p)) for p in params]  # the float32 parameter, as the float32 loop sees it
    bound = _ulp.ulp_bound(u, F32)
    csize = 1 << chunk_bits
    hist = np.zeros(11, np.int64)
    worst = (0, None)  # (largest distance, an input where it occurs); None: all equal
    top, top_cap = [], 32  # points at the largest distance so far
    fd, fx = np.zeros(0, np.int64), np.zeros(0, F32)  # flagged: distances and inputs
    frange = {}  # sign -> (min x, max x) of every flagged input
    n_flag = 0
    t0, c0 = time.perf_counter(), time.process_time()
    base = np.arange(csize, dtype=np.uint32)
    bits = np.empty(csize, np.uint32)
    x64 = np.empty(csize, F64)
    y32, y64, r = np.empty(csize, F32), np.empty(csize, F64), np.empty(csize, F32)
    with np.errstate(all="ignore"):
        for c in range(1 << (32 - chunk_bits)):
            np.add(base, np.uint32(c * csize), out=bits)
            x = bits.view(F32)
            f(x, *p32, out=y32)
            x64[...] = x
            f(x64, *p64, out=y64)
            r[...] = y64
            # most results agree bitwise: measure only the others
            ne = np.flatnonzero(y32.view(np.uint32) != r.view(np.uint32))
            a, b = y32[ne], r[ne]
            d = np.abs(_ord32(a) - _ord32(b))
            na, nb = np.isnan(a), np.isnan(b)
            d[na & nb] = 0
            d[na ^ nb] = 1 << 40
            hist += np.bincount(np.minimum(d, 10), minlength=11)
            hist[0] += csize - len(ne)
            if len(d):
                i = int(np.argmax(d))
                if d[i] > worst[0]:
                    worst = (int(d[i]), float(x[ne[i]]))
                    top = []
                if d[i] == worst[0] and d[i] > 0 and len(top) < top_cap:
                    at = ne[np.flatnonzero(d == d[i])[: top_cap - len(top)]]
                    top += [(worst[0], float(v)) for v in x[at]]
            over = d > bound
            if over.any():
                n_flag += int(over.sum())
                xo = x[ne[over]].astype(F64)
                for sgn, sel in ((1, xo > 0), (-1, xo < 0)):
                    if sel.any():
                        lo, hi = float(xo[sel].min()), float(xo[sel].max())
                        o = frange.get(sgn, (lo, hi))
                        frange[sgn] = (min(o[0], lo), max(o[1], hi))
                fd = np.concatenate([fd, d[over]])
                fx = np.concatenate([fx, x[ne[over]]])
                if len(fd) > keep_cap:  # keep the worst
                    k = np.argsort(-fd, kind="stable")[:keep_cap]
                    fd, fx = fd[k], fx[k]
    t_scan = time.perf_counter() - t0
    # re-check: the worst flagged points (and the overall worst) against the exact reference
    k = np.argsort(-fd, kind="stable")[:recheck_cap]
    cand = [(int(fd[j]), float(fx[j])) for j in k]
    cand += [t for t in top if t not in cand]
    xs = np.array([v for _, v in cand], F32)
    rechecked = []
    if len(xs):
        cols = [xs.astype(F64).tolist()] + [[v] * len(xs) for v in p64]
        r64 = reference_f64(name, cols)
        want, alt = round_reference(r64, F32)
        got = f(xs, *p32)
        de = distance(got, want, alt)
        for k in range(len(xs)):
            rechecked.append(dict(x=float(xs[k]), x_hex=float(xs[k]).hex(), proxy_ulp=cand[k][0],
                                  exact_ulp=float(de[k]), got=float(got[k]), want=float(want[k]),
                                  ref_f64=float(r64[k])))
    confirmed = [r for r in rechecked if r["exact_ulp"] > bound]
    exact_worst = max(rechecked, key=lambda r: r["exact_ulp"]) if rechecked else None
    res = dict(name=name, dtype="float32", params=list(params), bound=bound, n=1 << 32,
               isa=get_isa(), max_ulp_vs_f64_kernel=worst[0], worst_x=worst[1],
               hist={(str(k) if k < 10 else ">=10"): int(v) for k, v in enumerate(hist)},
               n_over_bound_vs_f64_kernel=n_flag, n_rechecked=len(rechecked),
               flagged_x_ranges=[list(frange[k]) for k in sorted(frange)],
               n_confirmed_over_bound=len(confirmed), rechecked_worst=exact_worst,
               confirmed=confirmed[:20], seconds=time.perf_counter() - t0, seconds_scan=t_scan,
               cpu_seconds=time.process_time() - c0,
               compute=compute_type_f32(u))
    res["status"] = "PASS" if not confirmed else "FAIL"
    if log:
        ew = exact_worst["exact_ulp"] if exact_worst else 0
        log(f"{name:28s} float32 all 2^32: max {worst[0]} ULP vs the float64 kernel at x = "
            f"{_f32(worst[1]) if worst[1] is not None else '-'}; {n_flag} over the bound {bound}; "
            f"re-checked {len(rechecked)}: worst exact {ew:g} ULP, {len(confirmed)} confirmed; "
            f"{res['seconds']:.0f} s ({res['cpu_seconds']:.0f} s CPU)  {res['status']}")
    return res


# =============================================================================
# reports
# =============================================================================
def _cpu():
    """CPU seconds of this process and its waited-for children."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def meta(args_line, levels):
    def cpu():
        try:
            with open("/proc/cpuinfo") as f:
                for ln in f:
                    if ln.startswith("model name"):
                        return ln.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.processor() or platform.machine()

    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip() or None
    except Exception:  # noqa: BLE001
        commit = None
    return dict(command=args_line, date=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                cpu=cpu(), cores=os.cpu_count(), fastact=fastact.__version__, commit=commit,
                numpy=np.__version__, isa_default=get_isa(), isa_levels=levels,
                python=platform.python_version())


def _cell(r):
    s = f"{r['max_ulp']:g} ({r['bound']})"
    return s + " **FAIL**" if r["status"] == "FAIL" else s


def _worst_md(r):
    w = r["worst"]
    if r["max_ulp"] == 0:
        return "-"
    return ", ".join(_fmt_x(v, r["dtype"]) for v in w["inputs"])


def markdown_sweep(results, m, seconds, cpu, jobs, n, loadavg=None):
    dts = []
    for r in results:
        if r["dtype"] not in dts:
            dts.append(r["dtype"])
    by = {(r["name"], r["dtype"]): r for r in results}
    names = []
    for r in results:
        if r["name"] not in names:
            names.append(r["name"])
    out = [f"Command: `{m['command']}`  ",
           f"{m['date']}; fastact {m['fastact']} (commit {m['commit']}), numpy {m['numpy']}; "
           f"CPU: {m['cpu']} ({m['cores']} cores); SIMD levels measured: {', '.join(m['isa_levels'])} "
           f"(default {m['isa_default']}); each cell is the maximum over them.  ",
           f"{len(results)} (ufunc, dtype) pairs, {sum(r['n'] for r in results):,} points "
           f"(--points {n}); {seconds:.0f} s wall, {cpu:.0f} s CPU in all, {jobs} reference "
           f"process(es); load average {(loadavg or os.getloadavg())[1]:.1f} on {m['cores']} cores "
           "(other work shares the machine).", ""]
    head = ["ufunc"]
    for dt in dts:
        head += [f"{dt}: max ULP (bound)", "mean", "worst input"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for nm in names:
        cells = [f"`{nm}`"]
        for dt in dts:
            r = by.get((nm, dt))
            cells += [_cell(r), f"{r['mean_ulp']:.3f}", _worst_md(r)] if r else ["-", "-", "-"]
        out.append("| " + " | ".join(cells) + " |")
    fails = [r for r in results if r["status"] == "FAIL"]
    out.append("")
    if fails:
        out.append(f"**{len(fails)} over their bound:**")
        out.append("")
        for r in fails:
            out.append(f"- `{line(r)}`")
    else:
        out.append("Every ufunc is within its bound on every point and every SIMD level.")
    over2 = [r for r in results if r["activation"] in TRANSCENDENTAL and r["role"] in ("forward", "grad")
             and r["max_ulp"] > 2]
    if over2:
        out.append("")
        out.append("Over the DESIGN.md target of 2 ULP for transcendental functions and derivatives "
                   "(within the table's own bound unless marked FAIL above): " +
                   ", ".join(f"`{r['name']}` {r['dtype']} {r['max_ulp']:g}" for r in over2) + ".")
    return "\n".join(out)


def markdown_exhaustive(results, m, loadavg=None):
    out = [f"Command: `{m['command']}`  ",
           f"{m['date']}; CPU: {m['cpu']}; SIMD level {m['isa_default']}; one process.", "",
           "| ufunc | float32 computed in | max ULP vs float64 kernel (bound) | at x | over bound | "
           "re-checked exactly: worst ULP | confirmed over bound | share equal to the rounded float64 "
           "kernel | wall (CPU) |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        ew = r["rechecked_worst"]
        cr = r["hist"]["0"] / r["n"]
        out.append(f"| `{r['name']}` | {r['compute']} | {r['max_ulp_vs_f64_kernel']} ({r['bound']}) | "
                   f"{'-' if r['worst_x'] is None else _f32(r['worst_x'])} | "
                   f"{r['n_over_bound_vs_f64_kernel']} | "
                   f"{(ew['exact_ulp'] if ew else 0):g} | {r['n_confirmed_over_bound']} | "
                   f"{100 * cr:.4f}% | {r['seconds']:.0f} s ({r['cpu_seconds']:.0f} s) |")
    total = sum(r["seconds"] for r in results)
    cpu = sum(r["cpu_seconds"] for r in results)
    out += ["", f"Total {total / 60:.1f} min wall, {cpu / 60:.1f} min CPU; load average "
            f"{(loadavg or os.getloadavg())[1]:.1f} at the end on {m['cores']} cores (other work shares "
            "the machine)."]
    bad = [c for r in results for c in r["confirmed"]]
    if bad:
        out += ["", "Confirmed violations (the worst of each ufunc; x ranges: every flagged input):", ""]
        for r in results:
            if r["confirmed"]:
                rng = "; ".join(f"[{_f32(a)}, {_f32(b)}]" for a, b in r["flagged_x_ranges"])
                out.append(f"- `{r['name']}`: {r['n_over_bound_vs_f64_kernel']} inputs over the bound "
                           f"vs the float64 kernel, in x ranges {rng}; "
                           f"{r['n_confirmed_over_bound']} of {r['n_rechecked']} re-checked confirmed")
            for c in r["confirmed"][:1]:
                out.append(f"- `{r['name']}(np.float32({_f32(c['x'])}))` (x = {c['x_hex']}) = "
                           f"{_f32(c['got'])}, correctly rounded {_f32(c['want'])}: {c['exact_ulp']:g} ULP "
                           f"(bound {r['bound']})")
    return "\n".join(out)


def markdown_thresholds():
    """The THRESHOLDS table, for the docs."""
    out = ["| x | where | activations | kernels computing in |", "|---|---|---|---|"]
    for t in THRESHOLDS:
        x = f"+-{abs(t.x):.10g}" if t.both_signs else f"{t.x:.10g}"
        what = t.what.replace("|", "\\|")
        out.append(f"| {x} | {what} | {', '.join(t.acts) or 'every transcendental one'} | "
                   f"{t.ct or 'either'} |")
    return "\n".join(out)


def replace_section(path, key, body):
    """Write body between <!-- accuracy:key --> and <!-- /accuracy:key --> in path (appended
    when the markers are missing; the file is created when missing)."""
    start, end = f"<!-- accuracy:{key} -->", f"<!-- /accuracy:{key} -->"
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else "# fastact accuracy\n"
    block = f"{start}\n{body}\n{end}"
    if start in text and end in text:
        i, j = text.index(start), text.index(end) + len(end)
        text = text[:i] + block + text[j:]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_report(json_path, md_path):
    """The markdown sections of a saved report (--report)."""
    with open(json_path) as f:
        rep = json.load(f)
    m = rep["meta"]
    text = []
    if "sweep" in rep:
        sw = rep["sweep"]
        text.append(("sweep", markdown_sweep(sw["results"], m, sw["seconds"], sw["cpu_seconds"],
                                             sw["jobs"], sw["points"], sw.get("loadavg"))))
        text.append(("thresholds", markdown_thresholds()))
    if "exhaustive" in rep:
        text.append(("exhaustive", markdown_exhaustive(rep["exhaustive"], m, rep.get("loadavg_end"))))
    for key, body in text:
        if md_path:
            replace_section(md_path, key, body)
        else:
            print(body + "\n")
    return 0


# =============================================================================
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--dtypes", nargs="+", default=["float32", "float64"], choices=list(DTYPES))
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="ufunc, alias or activation names for the sweep (an activation selects all "
                    "its ufuncs); 'none': skip the sweep")
    ap.add_argument("--points", type=int, default=20000, metavar="N",
                    help="sweep size: N log-spaced magnitudes per sign, N random bit patterns and N "
                    "random moderate values per (activation, dtype), besides the threshold "
                    "neighbourhoods (default %(default)s)")
    ap.add_argument("--exhaustive", nargs="+", metavar="NAME",
                    help="float32 ufuncs with one data operand to run on all 2^32 inputs, or 'all'")
    ap.add_argument("--chunk-bits", type=int, default=22, help="exhaustive chunk: 2^k inputs (default 22)")
    ap.add_argument("--recheck", type=int, default=200,
                    help="exhaustive: at most this many flagged points re-checked exactly per ufunc")
    ap.add_argument("--isa", nargs="+", choices=ISA_LEVELS,
                    help="SIMD levels of the sweep (default: every level this CPU has); the exhaustive "
                    "part runs the first of them")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="processes evaluating the reference (default %(default)s)")
    ap.add_argument("--markdown", metavar="FILE",
                    help="write the tables into FILE (between <!-- accuracy:sweep/exhaustive --> "
                    "markers, which are kept; created if missing)")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--report", metavar="JSON",
                    help="measure nothing: write the markdown of a saved --json file (with --markdown)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.report:
        return write_report(args.report, args.markdown)
    log = (lambda s: None) if args.quiet else (lambda s: print(s, flush=True))
    levels = _levels(args.isa)
    cmd = "python bench/accuracy.py " + " ".join(sys.argv[1:] if argv is None else argv)
    m = meta(cmd.strip(), levels)
    report = dict(meta=m)
    rows = selected_ufuncs(args.only)
    rc = 0
    if rows:
        t0, c0 = time.perf_counter(), _cpu()
        res = run_sweep(rows, [DTYPES[d] for d in args.dtypes], args.points, levels, args.jobs, log)
        secs, cpu = time.perf_counter() - t0, _cpu() - c0
        report["sweep"] = dict(results=res, seconds=secs, cpu_seconds=cpu, points=args.points,
                               jobs=args.jobs, loadavg=os.getloadavg())
        fails = [r for r in res if r["status"] == "FAIL"]
        log(f"\nsweep: {len(res)} (ufunc, dtype) pairs, {sum(r['n'] for r in res):,} points, "
            f"{len(fails)} over their bound; {secs:.0f} s wall, {cpu:.0f} s CPU")
        rc |= bool(fails)
        if args.markdown:
            replace_section(args.markdown, "sweep", markdown_sweep(res, m, secs, cpu, args.jobs, args.points,
                                                                  report["sweep"]["loadavg"]))
            replace_section(args.markdown, "thresholds", markdown_thresholds())
    if args.exhaustive:
        names = one_operand_names() if args.exhaustive == ["all"] else \
            [_table.ALIASES.get(n, n) for n in args.exhaustive]
        for n in names:
            if n not in _table.BY_NAME:
                raise SystemExit(f"unknown ufunc {n!r}")
        old = set_isa(args.isa[0] if args.isa else get_isa())
        m["isa_default"] = get_isa()
        ex = []
        try:
            for n in names:
                ex.append(exhaustive(n, args.chunk_bits, args.recheck, log=log))
                if args.json:  # keep what is done so far
                    report["exhaustive"] = ex
                    with open(args.json, "w") as f:
                        json.dump(report, f, indent=1)
        finally:
            set_isa(old)
        report["exhaustive"] = ex
        report["loadavg_end"] = os.getloadavg()
        rc |= any(r["status"] == "FAIL" for r in ex)
        if args.markdown:
            replace_section(args.markdown, "exhaustive", markdown_exhaustive(ex, m, report["loadavg_end"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return int(rc)


if __name__ == "__main__":
    sys.exit(main())
