"""``briefing.load(code)`` with no summary file — what JupyterLab and a plain Papermill run get.

Three ways, each in a fresh interpreter (imports included, as a new kernel pays them), side by
side in one run on the same data:

1. **every kommune, no cache** — what ``briefing.load`` did before issue 16: every kommune's
   summary built to return one (``pipeline.prepare(cache=False)``, with this tree's code; an older
   tree is compared by ``bench_prepare_trees.py``);
2. **cold** — one kommune's summary with no national tables kept yet: the tables are computed
   and written beside the data (``.fundament-cache/``);
3. **warm** — the same call again: the tables and the kommune's summary are read back
   (:mod:`fundament_lib.results.summarycache`);
4. **imports** — the floor: a fresh interpreter importing ``briefing`` and nothing else.

Data: the demo survey written into a temporary project (``--size-factor`` scales every group),
so ``data/processed/`` of this checkout is never touched. Machines are shared: compare the
ratios, don't clock the seconds. Run with::

    .venv/bin/python benchmarks/bench_briefing_load.py [--kommune 101] [--size-factor 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fundament_lib.core.paths import project_root
from fundament_lib.demo import DemoConfig, write_demo
from fundament_lib.results.tablecache import CACHE_FOLDER

ALL = "from fundament_lib.results.pipeline import prepare; prepare(cache=False)"
ONE = "from fundament_lib.report import briefing; briefing.load({code!r})"
IMPORTS = "from fundament_lib.report import briefing"


def timed(code: str, root: Path) -> float:
    """Seconds a fresh interpreter takes to run ``code`` in the project ``root``."""
    env = {**os.environ, "FUNDAMENT_ROOT": str(root)}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kommune", default="101")
    parser.add_argument("--size-factor", type=float, default=1.0, help="scales every group of the demo")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each way (the median is printed)")
    parser.add_argument("--skip-all", action="store_true", help="leave out way 1 (the slowest)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        root = Path(tmp)
        shutil.copytree(project_root() / "params", root / "params", ignore=shutil.ignore_patterns("demo"))
        shutil.copytree(project_root() / "notebooks", root / "notebooks")
        print(f"Writing the demo survey (size factor {args.size_factor}) into {root} …", flush=True)
        write_demo(root / "data" / "raw", root / "data" / "processed", DemoConfig(size_factor=args.size_factor),
                   root / "params")
        cache = root / "data" / "processed" / CACHE_FOLDER
        one = ONE.format(code=args.kommune)
        times: dict[str, list[float]] = {"all": [], "cold": [], "warm": [], "imports": []}
        for _ in range(args.repeat):
            if not args.skip_all:
                times["all"].append(timed(ALL, root))
            shutil.rmtree(cache, ignore_errors=True)
            times["cold"].append(timed(one, root))
            times["warm"].append(timed(one, root))
            times["imports"].append(timed(IMPORTS, root))
    median = {k: statistics.median(v) for k, v in times.items() if v}
    print(f"\nbriefing.load({args.kommune!r}), no summary file, fresh interpreter each; median of {args.repeat}:")
    if "all" in median:
        print(f"  every kommune, no cache (old path){median['all']:7.1f} s   (this tree's code)")
    print(f"  cold: tables computed and kept    {median['cold']:7.1f} s")
    print(f"  warm: tables and summary read back{median['warm']:7.1f} s   goal ≤ 5 s")
    print(f"  imports only (the floor)          {median['imports']:7.1f} s")
    if "all" in median:
        print(f"ratio  old path / warm  {median['all'] / median['warm']:6.1f} ×")
    print(f"ratio  cold / warm    {median['cold'] / median['warm']:6.1f} ×")


if __name__ == "__main__":
    main()
