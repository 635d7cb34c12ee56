#!/usr/bin/env python
"""Full benchmark run: writes bench/results/<date>-<cpu>.json and .md.

    python bench/run.py                  # everything: 1e3 1e5 1e7, float32 and float64, f, f', backward
    python bench/run.py --quick          # the few-seconds variant
    python bench/run.py --only sigmoid gelu --repeat 11

Takes the options of `python -m fastact bench` (see --help); this script only
chooses the file names.  The numbers depend on the machine and its load: run
on an idle machine, and compare ratios measured in one run, not across runs.
"""
import argparse
import os
import re
import sys

from fastact import bench
from fastact.__main__ import add_bench_arguments, bench_config

HERE = os.path.dirname(os.path.abspath(__file__))


def result_stem(report):
    """'<YYYY-MM-DD>-<cpu model>' with the CPU model made file-name safe."""
    date = report["meta"]["date"][:10]
    cpu = re.sub(r"[^A-Za-z0-9]+", "-", report["meta"]["cpu"]).strip("-").lower()
    return f"{date}-{cpu or 'cpu'}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_bench_arguments(parser)
    parser.add_argument("--outdir", default=os.path.join(HERE, "results"),
                        help="where to write <date>-<cpu>.json and .md")
    args = parser.parse_args(argv)
    report = bench.run(bench_config(args), log=None if args.quiet else bench.default_log)
    text = bench.markdown(report, args.stat)
    os.makedirs(args.outdir, exist_ok=True)
    stem = os.path.join(args.outdir, result_stem(report) + ("-quick" if args.quick else ""))
    bench.write_json(report, stem + ".json")
    with open(stem + ".md", "w") as f:
        f.write(text + "\n")
    if args.json:
        bench.write_json(report, args.json)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    print(text)
    print(f"\nwrote {stem}.json and {stem}.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
