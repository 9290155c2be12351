"""One briefing's figure-making in a warm process, this tree against an older one, side by side in one run.

The kommune summaries are made once (``pipeline.prepare``) and written as ``summary.json`` files,
as ``fundament run`` hands them to the notebook. Each measurement is then a fresh interpreter that
imports ``fundament_lib`` (this tree, or the ``src`` of ``--base REV`` exported with
``git archive`` and put first on ``PYTHONPATH``, as ``bench_ingest.py`` does), reads each summary with ``briefing.load`` and
calls the briefing's sections as the notebook's cells do. One briefing (a kommune not measured)
is made first, as a warm kernel has made one before; then ``--n`` kommuner are timed section by
section. "plotting" is the sections that draw figures (status, profile, priorities, roles,
burden, appendix — the bilag's statement answers and fagområde heatmap); "other" the rest.
Trees alternate ``--repeat`` times; medians per briefing (wall and the process's CPU time) and
the ratios are printed. Machines are shared: compare the columns, don't clock; the CPU column is
less at the mercy of other work on the machine.

``--profile`` instead profiles this tree's warm briefings with cProfile and prints, per section,
where its time goes: building the figure, the constrained-layout engine, text layout and glyph
rendering, the draws inside ``savefig``, PNG encoding and base64.

Usage::

    .venv/bin/python benchmarks/bench_plotting.py --n 10 --base main [--repeat 2]
    .venv/bin/python benchmarks/bench_plotting.py --n 4 --profile
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_ingest import source_tree  # the script's folder is first on sys.path

SECTIONS = ("title", "status", "profile", "priorities", "roles", "burden", "changes", "quality", "appendix",
            "provenance")
PLOTTING = ("status", "profile", "priorities", "roles", "burden", "appendix")
WARMUP = "707"  # made first and not timed: a second round, hidden fagområder — most figure kinds

# Where a section's time goes: label → (file suffix, function name) whose cumulative time is counted.
# The rows overlap (text is inside the draws, the draws inside savefig): read each on its own.
PROFILE_ROWS = {
    "constrained layout": ("_constrained_layout.py", "do_constrained_layout"),
    "savefig (all)": ("figure.py", "savefig"),
    "  Figure.draw": ("figure.py", "draw"),
    "  PNG encoding": ("ImageFile.py", "_save"),
    "layout + box (ours)": ("html.py", "_laid_out_box"),
    "text layout (metrics)": ("text.py", "_get_layout"),
    "text drawing (glyphs)": ("backend_agg.py", "draw_text"),
    "base64": ("base64.py", "b64encode"),
}


def write_summaries(codes: list[str], folder: Path) -> None:
    """Every selected kommune's summary as ``<code>.json``, as ``fundament run`` passes it to the notebook."""
    from fundament_lib.results.pipeline import prepare

    folder.mkdir(parents=True, exist_ok=True)
    for code, s in prepare(kommuner=codes).summaries.items():
        (folder / f"{code}.json").write_text(json.dumps(s, ensure_ascii=False), encoding="utf-8")


def demo_codes(n: int) -> list[str]:
    """The first ``n`` demo kommuner other than the warm-up one."""
    import pandas as pd

    from fundament_lib.core.paths import demo_data_path

    present = sorted(pd.read_parquet(demo_data_path(), columns=["kommunekode"])["kommunekode"].astype(str).unique())
    return [c for c in present if c != WARMUP][:n]


# ---- the child: one interpreter, warm, section by section ------------------------------------------
def child_times(folder: Path, codes: list[str]) -> dict[str, dict[str, list[float]]]:
    """Seconds per section per kommune, after one untimed briefing: ``[wall, CPU]`` (the process's
    CPU time is less at the mercy of other work on a shared machine than the wall time)."""
    import time

    from fundament_lib.report import briefing

    def one(code: str) -> dict[str, list[float]]:
        s = briefing.load(code, folder / f"{code}.json")
        out = {}
        for name in SECTIONS:
            t0, c0 = time.perf_counter(), time.process_time()
            getattr(briefing, name)(s)
            out[name] = [time.perf_counter() - t0, time.process_time() - c0]
        return out

    one(WARMUP)
    return {code: one(code) for code in codes}


def child_profile(folder: Path, codes: list[str]) -> None:
    """Print where each section's time goes (cProfile, warm), summed over ``codes``."""
    import cProfile
    import pstats

    from fundament_lib.report import briefing

    for name in SECTIONS:
        getattr(briefing, name)(briefing.load(WARMUP, folder / f"{WARMUP}.json"))
    summaries = {c: briefing.load(c, folder / f"{c}.json") for c in codes}
    print(f"per briefing (mean of {len(codes)}), seconds under cProfile; rows overlap:")
    header = f"{'':24}" + "".join(f"{n:>11}" for n in PLOTTING)
    print(header)
    table: dict[str, list[float]] = {"section total": []}
    table.update({row: [] for row in PROFILE_ROWS})
    for name in PLOTTING:
        prof = cProfile.Profile()
        for s in summaries.values():
            prof.enable()
            getattr(briefing, name)(s)
            prof.disable()
        stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
        total = sum(tt for (_, _, tt, _, _) in stats.values())
        table["section total"].append(total / len(codes))
        for row, (suffix, func) in PROFILE_ROWS.items():
            cum = sum(ct for (file, _, fn), (_, _, _, ct, _) in stats.items() if file.endswith(suffix) and fn == func)
            table[row].append(cum / len(codes))
    for row, values in table.items():
        print(f"{row:24}" + "".join(f"{v:11.3f}" for v in values))


def run_child(src: Path | None, folder: Path, codes: list[str]) -> dict[str, dict[str, list[float]]]:
    """:func:`child_times` in a fresh interpreter importing ``fundament_lib`` from ``src`` (or this tree)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    out = subprocess.run([sys.executable, __file__, "--child", str(folder), *codes], check=True, env=env,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


Times = dict[str, dict[str, list[float]]]  # kommune → section → [wall, CPU] seconds


def per_briefing(times: Times, sections: tuple[str, ...], clock: int) -> float:
    """Mean seconds per briefing in ``sections`` (``clock`` 0: wall, 1: CPU)."""
    return statistics.mean(sum(t[s][clock] for s in sections) for t in times.values())


def report(runs: dict[str, list[Times]], n: int) -> None:
    """Medians over the repeats of the per-briefing means, per tree, wall and CPU, with the ratio."""
    other = tuple(s for s in SECTIONS if s not in PLOTTING)
    rows = [("plotting", PLOTTING), ("other sections", other), *[(s, (s,)) for s in PLOTTING]]
    names = list(runs)
    print(f"\nseconds per warm briefing, mean of {n} kommuner, median of {len(runs[names[0]])} runs (wall | CPU):")
    print(f"{'':16}" + "".join(f"{t:>22}" for t in names) + (f"{'ratio wall | CPU':>20}" if len(names) == 2 else ""))
    for label, sections in rows:
        med = [[statistics.median(per_briefing(r, sections, c) for r in runs[t]) for c in (0, 1)] for t in names]
        ratio = (f"{med[0][0] / med[1][0]:11.1f}x |{med[0][1] / med[1][1]:5.1f}x"
                 if len(names) == 2 and min(med[1]) > 0 else "")
        print(f"{label:16}" + "".join(f"{w:13.3f} |{c:7.3f}" for w, c in med) + ratio)
    if len(names) == 2:
        print(f"(ratio: {names[0]} / {names[1]}, how many times faster this tree is)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="kommuner timed (default 10)")
    parser.add_argument("--base", default="", help="git revision (or src folder) to compare with ('' to skip)")
    parser.add_argument("--repeat", type=int, default=2, help="alternating runs per tree (default 2)")
    parser.add_argument("--profile", action="store_true", help="where this tree's time goes, per section")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("codes", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child_times(args.child, args.codes)))
        return
    codes = demo_codes(args.n)
    with tempfile.TemporaryDirectory(prefix="bench-plotting-") as tmp:
        folder = Path(tmp) / "summaries"
        write_summaries([WARMUP, *codes], folder)
        if args.profile:
            child_profile(folder, codes)
            return
        trees: dict[str, Path | None] = {}
        if args.base:
            trees[f"base {args.base}"] = source_tree(args.base, Path(tmp) / "base").resolve()
        trees["this tree"] = None
        runs: dict[str, list[Times]] = {t: [] for t in trees}
        for _ in range(args.repeat):
            for name, src in trees.items():
                runs[name].append(run_child(src, folder, codes))
        report(runs, len(codes))


if __name__ == "__main__":
    main()
