"""The once-per-run step of this tree against an older one, side by side in one run.

Each run is a fresh interpreter timing ``pipeline.prepare()`` (every kommune of the data; imports
not counted) on the same data and params (this project's, or ``$FUNDAMENT_ROOT``):

* **base** — the older tree's ``src`` (e.g. ``git archive ef58bdc src | tar -x -C /tmp/base``);
* **no cache** — this tree with ``cache=False`` (national tables computed, not kept);
* **warm** — this tree with the tables kept beside the data (run once before to write them).

Runs alternate (base, no cache, warm) ``--repeat`` times; the medians and ratios are printed.
Machines are shared: compare the ratios, don't clock the seconds::

    .venv/bin/python benchmarks/bench_prepare_trees.py --base /tmp/base/src [--repeat 3] [--kommune 707]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

SNIPPET = """
import time
from fundament_lib.results.pipeline import prepare
t = time.perf_counter()
prepare({args})
print(time.perf_counter() - t)
"""


def timed(src: Path | None, args: str) -> float:
    """Seconds ``prepare(args)`` takes in a fresh interpreter importing ``fundament_lib`` from ``src``."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    out = subprocess.run([sys.executable, "-c", SNIPPET.format(args=args)], check=True, env=env,
                         capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the older tree's src folder")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--kommune", default=None, help="time prepare(kommuner=[CODE]) instead of every kommune")
    args = parser.parse_args()
    select = f"kommuner=[{args.kommune!r}]" if args.kommune else ""
    timed(None, select)  # writes the kept tables for this tree, if they are not there yet
    runs: dict[str, list[float]] = {"base": [], "no cache": [], "warm": []}
    for _ in range(args.repeat):
        runs["base"].append(timed(args.base.resolve(), select))
        runs["no cache"].append(timed(None, ", ".join(x for x in (select, "cache=False") if x)))
        runs["warm"].append(timed(None, select))
    median = {k: statistics.median(v) for k, v in runs.items()}
    what = f"prepare(kommuner=[{args.kommune!r}])" if args.kommune else "prepare() of every kommune"
    print(f"{what}, median of {args.repeat}:")
    for k, v in median.items():
        print(f"  {k:9} {v:7.1f} s   ({', '.join(f'{x:.1f}' for x in runs[k])})")
    print(f"ratio  base / no cache  {median['base'] / median['no cache']:5.1f} ×")
    print(f"ratio  base / warm      {median['base'] / median['warm']:5.1f} ×")


if __name__ == "__main__":
    main()
