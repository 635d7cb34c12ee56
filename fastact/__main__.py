"""Command line: ``python -m fastact [info | bench ...]``.

    python -m fastact                 info, then a quick timing against the numpy composites
    python -m fastact info            version, SIMD level, threads, every function with its operands
    python -m fastact bench [--quick] [--json FILE] [--sizes N ...] [--dtypes D ...]
                            [--only NAMES] [--roles R ...] [--competitors C ...] [--repeat N]
                            [--threads N]

Subcommands are entries of ``COMMANDS``: a name, a help line, a function that
adds its arguments to an argparse subparser and the function that runs it;
new ones (plot, demo) add an entry.  Imports nothing outside fastact, the
standard library and numpy: the benchmark's competitors are imported lazily by
fastact.bench, each only when installed.
"""
from __future__ import annotations

import argparse
import sys


# ---- info ------------------------------------------------------------------------
def _signature(u):
    """'x, alpha=0.01' for a ufunc row of the table."""
    data = list(u.inputs[: len(u.inputs) - len(u.params)])
    data += [p.name if p.default is None else f"{p.name}={p.default!r}" for p in u.params]
    return ", ".join(data)


def cmd_info(args):
    """Print the version, the SIMD level, the threads and every function with its arity."""
    import fastact
    from fastact import _table
    from fastact._ufuncs import gufuncs, ufuncs

    fastact.show_config()
    print()
    print(f"Elementwise ufuncs ({len(_table.UFUNCS)}; nin = number of operands, "
          "parameters included; a parameter without '=' is required):")
    width = max(len(u.name) for u in _table.UFUNCS) + 2
    for u in _table.UFUNCS:
        built = "" if u.name in ufuncs else "   [not built: rebuild the extension]"
        print(f"  {u.name:<{width}} nin={u.nin}  ({_signature(u)})  {u.role}{built}")
    if _table.ALIASES:
        print("Aliases: " + ", ".join(f"{a} -> {t}" for a, t in _table.ALIASES.items()
                                      if not a.endswith(("_grad", "_backward"))))
    print()
    if gufuncs:
        print(f"Generalized ufuncs ({len(gufuncs)}; axis= selects the core axis):")
        for name, g in gufuncs.items():
            print(f"  {name:<{width}} nin={g.nin}  {g.signature}")
    else:
        print("Generalized ufuncs: none built (the softmax family is not in this build)")
    return 0


# ---- bench -----------------------------------------------------------------------
def _ints(values):
    """Sizes as ints; '1e5' and '100000' are both accepted."""
    return tuple(int(float(v)) for v in values)


def add_bench_arguments(p):
    p.add_argument("--quick", action="store_true",
                   help="10^5 float32 forward only, short rounds (a few seconds)")
    p.add_argument("--json", metavar="FILE", help="also write every raw median (and each round) as JSON")
    p.add_argument("--markdown", metavar="FILE", help="also write the tables to FILE")
    p.add_argument("--sizes", nargs="+", metavar="N", help="array sizes (default 1e3 1e5 1e7)")
    p.add_argument("--dtypes", nargs="+", choices=("float32", "float64"), help="default: both")
    p.add_argument("--only", nargs="+", metavar="NAMES",
                   help="activations, ufuncs, aliases or gufuncs (space or comma separated)")
    p.add_argument("--roles", nargs="+", metavar="ROLE",
                   help="forward grad backward grad_from_output backward_from_output "
                        "(default: forward grad backward; --quick: forward)")
    p.add_argument("--competitors", nargs="+", metavar="NAME",
                   help="numpy scipy numexpr torch onnxruntime torch-mt fastact-mt (default: all installed)")
    p.add_argument("--threads", type=int, metavar="N",
                   help="threads of the 'fastact (N threads)' column (fastact-mt; default every usable "
                        "CPU); it is timed only at sizes where a call is split (see python -m fastact info)")
    p.add_argument("--repeat", type=int, help="rounds per case (median taken; default 7, quick 5)")
    p.add_argument("--min-time", type=float, metavar="S",
                   help="seconds per timed batch (default 0.01, quick 0.002)")
    p.add_argument("--stat", choices=("median", "min"), default="median",
                   help="statistic of the rounds shown in the tables (JSON keeps every round); "
                        "min is the better estimate on a busy machine")
    p.add_argument("--no-check", action="store_true",
                   help="do not compare the competitors' results with fastact's")
    p.add_argument("--no-overhead", action="store_true", help="skip the 10-element call overhead")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")


def bench_config(args):
    """A fastact.bench.Config from the parsed arguments."""
    from fastact import bench
    from fastact._ufuncs import MAX_THREADS

    def split(values):
        return tuple(s for v in values or () for s in v.split(",") if s)

    overrides = dict(
        sizes=_ints(split(args.sizes)) if args.sizes else None,
        dtypes=tuple(args.dtypes) if args.dtypes else None,
        roles=split(args.roles) or None,
        only=split(args.only),
        competitors=split(args.competitors) or None,
        repeat=args.repeat, min_time=args.min_time, threads=args.threads,
    )
    if args.no_check:
        overrides["check"] = False
    if args.no_overhead:
        overrides["overhead"] = False
    if args.threads is not None and not 1 <= args.threads <= MAX_THREADS:
        raise ValueError(f"--threads must be between 1 and {MAX_THREADS}")
    bad = set(overrides["roles"] or ()) - set(bench.ALL_ROLES)
    if bad:
        raise ValueError(f"unknown role(s) {sorted(bad)}; choose from {bench.ALL_ROLES}")
    if args.quick:
        return bench.Config.quick(**overrides)
    return bench.Config(**{k: v for k, v in overrides.items() if v is not None})


def cmd_bench(args):
    """Time fastact against the installed competitors and print markdown tables."""
    from fastact import bench

    try:
        config = bench_config(args)
        report = bench.run(config, log=None if args.quiet else bench.default_log)
    except ValueError as e:
        print(f"fastact bench: error: {e}", file=sys.stderr)
        return 2
    text = bench.markdown(report, args.stat)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    if args.json:
        bench.write_json(report, args.json)
    return 0


def cmd_default(args):
    """No subcommand: info, then a quick timing against the numpy composites only."""
    cmd_info(args)
    print()
    print("Quick timing (numpy composites only; `python -m fastact bench --quick` "
          "for every installed competitor):")
    print()
    ns = build_parser().parse_args(["bench", "--quick", "--competitors", "numpy", "--no-overhead"])
    return cmd_bench(ns)


# name, help, add_arguments(subparser), run(args) -> exit code
COMMANDS = [
    ("info", "version, SIMD level, threads and every function with its arity", lambda p: None, cmd_info),
    ("bench", "benchmark against numpy, scipy, numexpr, torch, onnxruntime",
     add_bench_arguments, cmd_bench),
    ("plot", "PNG plots of every activation and its derivative on [-6, 6], and an overview grid "
     "(needs matplotlib)", lambda p: _lazy("plot").add_arguments(p), lambda a: _lazy("plot").cmd_plot(a)),
    ("demo", "train a NumPy MLP on two spirals with each activation (vanishing gradients, dead units)",
     lambda p: _lazy("demo").add_arguments(p), lambda a: _lazy("demo").run(a)),
]


def _lazy(module):
    """fastact.<module>, imported when its subcommand is built"""
    import importlib

    return importlib.import_module(f"fastact.{module}")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m fastact",
        description="fastact: neural-network activations as NumPy ufuncs. "
                    "Without a subcommand: info and a quick timing.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text, add_arguments, func in COMMANDS:
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(p)
        p.set_defaults(func=func)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    func = getattr(args, "func", cmd_default)
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
