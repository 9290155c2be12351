"""National scoring with bootstrap intervals: the vectorised stats package against a plain loop.

Run with ``.venv/bin/python benchmarks/bench_scoring.py [--n-boot 2000] [--subset 2]``.

Data: the demo generator with 150 respondents per group in each of the 98
kommuner (29 400 respondents, every item), one wave. Timed:

1. **vectorised** — ``respondent_scores`` (theme and pejlemærke scores) plus
   ``score_intervals`` (bootstrap intervals for every kommune × group ×
   score id, B resamples), as the library runs it;
2. **straightforward** — a pandas groupby-apply that, per cell, loops over
   the B resamples (``DataFrame.sample(replace=True)`` then ``.mean()``),
   timed on a subset of kommuner (all three groups each) and extrapolated
   linearly to all cells — every cell has the same size per group, so the
   time per cell is the same.

Peak memory is measured in a second run of the vectorised step under
``tracemalloc`` (numpy reports its buffers to it), plus the process's
maximum resident set size. Machines are shared: compare, don't clock.

``--step`` times instead the whole once-per-run step (``pipeline.prepare``: load, validate,
national tables, every kommune's summary) on demo data of 98 kommuner × each of ``--sizes``
respondents (half staff, half frontline leaders), written to a temporary Parquet file:

* **cold** — nothing kept: the national tables and every kommune's summary computed, then
  written beside the data;
* **tables** — the tables read back, every summary cut again (what a run pays after one kommune's
  parameters changed, :mod:`fundament_lib.results.summarycache`);
* **warm** — the same data again: tables and summaries read back (a second run on the same data);
* **707 tables** / **707 warm** — ``prepare(kommuner=["707"])`` (``fundament run --kommune 707``,
  ``briefing.load("707")``) with only the tables kept, and with its summary kept too,

and the growth factor from the smallest size to each larger one (the goal: at most 10× for 10×
the respondents)::

    .venv/bin/python benchmarks/bench_scoring.py --step --sizes 300,3000
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from fundament_lib.analysis.scoring import respondent_scores, score_ids
from fundament_lib.analysis.stats import benchmark, group_gaps, score_intervals
from fundament_lib.core.atomic import write_parquet
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.framework import load_framework
from fundament_lib.results.pipeline import prepare
from fundament_lib.results.tablecache import cache_folder


def straightforward(scores: pd.DataFrame, ids: list[str], *, n_boot: int, seed: int) -> pd.DataFrame:
    """Percentile intervals the plain way: per cell, a Python loop over resamples."""

    def per_cell(frame: pd.DataFrame) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        means = [frame.sample(n=len(frame), replace=True, random_state=rng)[ids].mean() for _ in range(n_boot)]
        reps = pd.DataFrame(means)
        return pd.DataFrame({"score": frame[ids].mean(), "ci_low": reps.quantile(0.025),
                             "ci_high": reps.quantile(0.975)})

    parts = []
    for group in ("alle", "stab", "borgernaer"):
        frame = scores if group == "alle" else scores[scores["group"] == group]
        out = frame.groupby(["kommunekode", "wave"])[[*ids]].apply(per_cell)
        parts.append(out.assign(group=group))
    return pd.concat(parts)


def once_per_run(sizes: list[int]) -> None:
    """Time ``pipeline.prepare`` cold, with the tables kept, warm and for one kommune at each size
    (see the module docstring)."""
    fw = load_framework()
    rows = []
    for size in sizes:
        print(f"Generating 98 kommuner × {size} respondents …", flush=True)
        tidy = generate(DemoConfig(fixed_size=size // 2, second_wave_kommuner=()), fw).tidy
        with tempfile.TemporaryDirectory(prefix="bench-step-") as tmp:
            path = Path(tmp) / "national.parquet"
            write_parquet(tidy, path)
            del tidy
            times = {"cold": _timed(prepare, path)}
            _drop_summaries(path)
            times["tables"] = _timed(prepare, path)
            times["warm"] = _timed(prepare, path)
            _drop_summaries(path)
            times["707 tables"] = _timed(prepare, path, kommuner=["707"])
            times["707 warm"] = _timed(prepare, path, kommuner=["707"])
        rows.append((size, times))
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()) +
              f"; process max RSS so far {maxrss:.0f} MiB", flush=True)
    print("\nonce-per-run step (pipeline.prepare), 98 kommuner, seconds (× = growth from the smallest size):")
    names = list(rows[0][1])
    print(f"{'respondents':>12} " + " ".join(f"{n:>11}" for n in names) + " " + " ".join(f"{n + ' ×':>13}" for n in names))
    base = rows[0][1]
    for size, times in rows:
        print(f"{98 * size:12,} " + " ".join(f"{times[n]:11.1f}" for n in names) + " " +
              " ".join(f"{times[n] / base[n]:13.1f}" for n in names))
    print("(goal: warm ≤ 5 s at 98 × 300, ≤ 10× that at 10× the respondents)")


def _timed(fn: Callable[..., object], *args: object, **kwargs: object) -> float:
    t0 = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - t0


def _drop_summaries(path: Path) -> None:
    """Forget the kept summaries, keep the tables."""
    for entry in cache_folder(path).glob("kommune-summaries-*.pickle"):
        entry.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-boot", type=int, default=2000)
    parser.add_argument("--subset", type=int, default=2, help="kommuner timed with the straightforward loop")
    parser.add_argument("--seed", type=int, default=20251)
    parser.add_argument("--step", action="store_true", help="time the whole once-per-run step instead")
    parser.add_argument("--sizes", default="300,3000", help="respondents per kommune for --step, comma-separated")
    args = parser.parse_args()
    if args.step:
        once_per_run([int(x) for x in args.sizes.split(",")])
        return

    fw = load_framework()
    print("Generating 98 kommuner × 300 respondents (150 stab + 150 borgernær), every item …", flush=True)
    survey = generate(DemoConfig(fixed_size=150, second_wave_kommuner=()), fw)
    tidy = survey.tidy
    ids = [i for i, _ in score_ids(fw)]

    t0 = time.perf_counter()
    scores = respondent_scores(tidy, fw)
    t1 = time.perf_counter()
    si = score_intervals(scores, fw, n_boot=args.n_boot, seed=args.seed)
    t2 = time.perf_counter()
    n_cells = len(si.cells)
    print(f"\nrespondents {len(scores):,}; answers {len(tidy):,}; cells (kommune × group) {n_cells}; "
          f"score ids {len(ids)}; B = {args.n_boot}")
    print(f"vectorised   respondent_scores        {t1 - t0:7.2f} s")
    print(f"vectorised   score_intervals          {t2 - t1:7.2f} s")
    print(f"vectorised   total (scores + CIs)     {t2 - t0:7.2f} s   target < 10 s")

    t3 = time.perf_counter()
    bench = benchmark(si)
    t4 = time.perf_counter()
    gaps = group_gaps(scores, fw, intervals=si)
    t5 = time.perf_counter()
    print(f"extra        benchmark (rank CIs)     {t4 - t3:7.2f} s   ({len(bench):,} rows)")
    print(f"extra        group_gaps               {t5 - t4:7.2f} s   ({len(gaps):,} rows)")

    tracemalloc.start()
    respondent_scores(tidy, fw)
    _, peak_scores = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    score_intervals(scores, fw, n_boot=args.n_boot, seed=args.seed)
    _, peak_ci = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak = max(peak_scores, peak_ci)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory       peak traced: respondent_scores {peak_scores / 2**20:.0f} MiB, "
          f"score_intervals {peak_ci / 2**20:.0f} MiB (tracemalloc); "
          f"max {peak / 2**20:.0f} MiB; "
          f"replicates array {si.replicates.nbytes / 2**20:.1f} MiB; process max RSS {maxrss:.0f} MiB")

    codes = sorted(scores["kommunekode"].unique())[: args.subset]
    part = scores[scores["kommunekode"].isin(codes)]
    t6 = time.perf_counter()
    slow = straightforward(part, ids, n_boot=args.n_boot, seed=args.seed)
    t7 = time.perf_counter()
    sub_cells = 3 * len(codes)
    per_cell = (t7 - t6) / sub_cells
    projected = per_cell * n_cells
    print(f"\nstraightforward (groupby-apply, loop over resamples): {t7 - t6:.1f} s for {sub_cells} cells "
          f"({len(codes)} kommuner × 3 groups) = {per_cell:.2f} s per cell")
    print(f"straightforward projected to all {n_cells} cells (linear): {projected:7.1f} s")
    print(f"ratio  straightforward / vectorised CIs:           {projected / (t2 - t1):7.0f} ×")
    print(f"ratio  straightforward + scoring / vectorised total: {(projected + t1 - t0) / (t2 - t0):7.0f} ×"
          "   target ≥ 10 ×")

    # Sanity: both are percentile intervals of the same cells (different draws): they agree to
    # within Monte-Carlo error, a small fraction of the standard error.
    fast = si.table[si.table["kommunekode"].isin(codes)].set_index(["kommunekode", "wave", "group", "id"])
    slow = slow.rename_axis(["kommunekode", "wave", "id"]).reset_index().set_index(
        ["kommunekode", "wave", "group", "id"])
    joined = fast.merge(slow, left_index=True, right_index=True, suffixes=("", "_loop")).dropna(
        subset=["ci_low", "ci_low_loop"])
    dev = np.maximum((joined["ci_low"] - joined["ci_low_loop"]).abs(),
                     (joined["ci_high"] - joined["ci_high_loop"]).abs()) / joined["se"]
    print(f"check  same scores: {np.allclose(joined['score'], joined['score_loop'])}; "
          f"CI bounds differ by at most {dev.max():.2f} standard errors (Monte-Carlo), median {dev.median():.2f}")


if __name__ == "__main__":
    main()
