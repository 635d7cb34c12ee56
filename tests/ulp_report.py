"""Print the largest ULP error measured per ufunc and dtype on the reference-test points.

    PYTHONPATH=. python tests/ulp_report.py [--isa LEVEL ...] [--markdown]

The points, parameter sets, references and bounds are those of
test_elementwise.test_reference_ulp (from fastact._table).  Each cell is the
maximum over every parameter set and every ISA level asked for (default: all
this CPU has) as "max/bound"; points of a known bug (_ulp.KNOWN_BUGS) are
reported separately in brackets, so the cell shows what the regular test
checks and what it leaves to the strict xfails.  float16 is measured against the
float32 reference rounded to float16 (bound 1).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fastact  # noqa: E402
from fastact import ISA_LEVELS, get_isa, isa_supported, set_isa  # noqa: E402

import _ulp  # noqa: E402


def measure(levels):
    rows = []
    old = get_isa()
    try:
        for u in _ulp.UFUNCS:
            cells = []
            for dtype in _ulp.FLOATS:
                worst = worst_bug = 0.0
                for ps in _ulp.param_sets(u):
                    ops = _ulp.operands(u.name, dtype, ps)
                    want = _ulp.reference_values(u.name, dtype, ps)
                    known, _ = _ulp.known_bug_mask(u.name, dtype, ops)
                    for level in levels:
                        set_isa(level)
                        d = _ulp.ulp_dist(_ulp.UFUNCS_BY_NAME[u.name](*ops), want)
                        worst = max(worst, float(d[~known].max(initial=0)))
                        worst_bug = max(worst_bug, float(d[known].max(initial=0)))
                cells.append((worst, worst_bug, _ulp.ulp_bound(u, dtype)))
            rows.append((u.name, cells))
    finally:
        set_isa(old)
    return rows


def fmt(cell):
    worst, bug, bound = cell
    s = f"{worst:g}/{bound}"
    if worst > bound:
        s += " !"
    if bug:
        s += f" [{bug:.3g}]"
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--isa", nargs="*", default=[lvl for lvl in ISA_LEVELS if isa_supported(lvl)])
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    rows = measure(args.isa)
    head = ["ufunc", "float16", "float32", "float64"]
    table = [[name] + [fmt(c) for c in cells] for name, cells in rows]
    print(f"fastact {fastact.__version__}, ISA levels {', '.join(args.isa)}: max ULP / bound "
          "[known-bug points]")
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in table:
            print("| " + " | ".join(r) + " |")
    else:
        w = [max(len(r[i]) for r in table + [head]) for i in range(len(head))]
        for r in [head] + table:
            print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)))


if __name__ == "__main__":
    with np.errstate(all="raise"):
        main()
