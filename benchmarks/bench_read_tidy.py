"""``read_tidy`` of one data file, this tree against an older one, side by side in one run.

Each run is a fresh interpreter importing ``fundament_lib`` from a tree's ``src`` and timing
``read_tidy(DATA)`` (imports not counted), printing the seconds and the process's peak RSS. Runs
alternate (base, this tree) ``--repeat`` times; the medians and ratios are printed. Machines are
shared: compare the ratios, don't clock the seconds::

    .venv/bin/python benchmarks/bench_read_tidy.py --base /work/main/src \\
        --data /work/tmp/n3000/national.parquet [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

SNIPPET = """
import resource, time
from fundament_lib.ingest.tidy_files import read_tidy
t = time.perf_counter()
df = read_tidy({data!r})
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(df))
"""
TREE = Path(__file__).resolve().parents[1] / "src"


def timed(src: Path, data: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of ``read_tidy(data)`` in a fresh interpreter importing ``src``'s library."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", SNIPPET.format(data=str(data))], check=True, env=env,
                         capture_output=True, text=True)
    seconds, rss, _ = out.stdout.split()
    return float(seconds), float(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the older tree's src folder")
    parser.add_argument("--data", type=Path, required=True, help="a processed Parquet file or folder")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    runs: dict[str, list[tuple[float, float]]] = {"base": [], "this tree": []}
    for _ in range(args.repeat):
        runs["base"].append(timed(args.base.resolve(), args.data))
        runs["this tree"].append(timed(TREE, args.data))
    print(f"read_tidy({args.data}), fresh interpreters, median of {args.repeat}:")
    median = {}
    for name, found in runs.items():
        median[name] = (statistics.median(s for s, _ in found), statistics.median(r for _, r in found))
        each = ", ".join(f"{s:.1f} s / {r:.0f} MiB" for s, r in found)
        print(f"  {name:9} {median[name][0]:7.1f} s  peak {median[name][1]:7.0f} MiB   ({each})")
    print(f"ratio  base / this tree: time {median['base'][0] / median['this tree'][0]:4.1f} ×, "
          f"peak RSS {median['base'][1] / median['this tree'][1]:4.1f} ×")


if __name__ == "__main__":
    main()
