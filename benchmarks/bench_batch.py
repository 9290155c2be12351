"""The straightforward loop against ``fundament run``, on this machine, in one go.

The straightforward approach is a shell loop: for each kommune, the ``papermill`` command (raw
string parameters, ``-r``) and then ``jupyter nbconvert --to html --no-input``, one after the
other. It gets the kommune summaries computed once beforehand (that step is timed and counted),
so both sides make the same briefings from the same numbers. ``fundament run --force`` makes
them with warm kernels in parallel workers. Both are timed as commands, interpreter start-up
included.

Then the cost of one briefing is split into kernel start, imports, compute, plotting, export
and teardown, against the floor: what an empty notebook costs in a fresh kernel.

Usage::

    .venv/bin/python benchmarks/bench_batch.py            # the first 20 kommuner
    .venv/bin/python benchmarks/bench_batch.py --n 5      # a quick look
    .venv/bin/python benchmarks/bench_batch.py --all      # all 98
    .venv/bin/python benchmarks/bench_batch.py --n 10 --repeat 3   # the median of three rounds
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from fundament_lib.core.paths import demo_data_path, notebooks_dir, project_root
from fundament_lib.run.kernels import WarmKernel

BIN = Path(sys.executable).parent
NOTEBOOK = notebooks_dir() / "kommune_briefing.ipynb"


def timed(cmd: list[str] | str, **kw: object) -> float:
    """Seconds a command takes (it must succeed)."""
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - t0


def codes(n: int | None) -> list[str]:
    import pandas as pd

    present = sorted(pd.read_parquet(demo_data_path(), columns=["kommunekode"])["kommunekode"].astype(str).unique())
    return present if n is None else present[:n]


# ---- the two approaches -------------------------------------------------------------------------
def naive(selected: list[str], work: Path) -> tuple[float, float]:
    """Summaries once, then the shell loop; return (summaries seconds, loop seconds)."""
    summaries = work / "summaries"
    script = (
        "import json, sys; from pathlib import Path; from fundament_lib.results.pipeline import prepare\n"
        f"out = Path({str(summaries)!r}); out.mkdir(parents=True, exist_ok=True)\n"
        f"for code, s in prepare(kommuner={selected!r}).summaries.items():\n"
        "    (out / f'{code}.json').write_text(json.dumps(s, ensure_ascii=False), encoding='utf-8')\n"
    )
    t_summaries = timed([sys.executable, "-c", script], cwd=project_root())
    out = work / "naive"
    out.mkdir()
    loop = (
        f"for k in {' '.join(selected)}; do\n"
        f"  {BIN}/papermill {shlex.quote(str(NOTEBOOK))} {out}/$k.ipynb -k python3 --no-progress-bar"
        f" -r kommunekode $k -r summary_path {summaries}/$k.json\n"
        f"  {BIN}/jupyter nbconvert --to html --no-input {out}/$k.ipynb\n"
        "done\n"
    )
    t_loop = timed(["bash", "-c", loop], cwd=project_root())
    assert len(list(out.glob("*.html"))) == len(selected), "the naive loop did not make every briefing"
    return t_summaries, t_loop


def fast(selected: list[str], work: Path, workers: int | None, name: str = "fast") -> tuple[float, Path]:
    out = work / name
    cmd = [str(BIN / "fundament"), "run", "--force", "--out", str(out), *[a for c in selected for a in ("-k", c)]]
    if workers:
        cmd += ["--workers", str(workers)]
    return timed(cmd, cwd=project_root()), out


# ---- where a briefing's time goes -----------------------------------------------------------------
def kernel_costs(repeat: int = 3) -> dict[str, float]:
    """Kernel start, imports and graceful teardown in fresh kernels (means of ``repeat``)."""
    from jupyter_core.utils import run_sync

    starts, imports, teardowns = [], [], []
    for _ in range(repeat):
        kernel = WarmKernel()
        kernel.start()
        starts.append(kernel.timings["kernel_start"])
        imports.append(kernel.timings["imports"])
        t0 = time.perf_counter()
        assert kernel.km is not None
        run_sync(kernel.km.shutdown_kernel)(now=False)  # what Papermill does
        teardowns.append(time.perf_counter() - t0)
        kernel.shutdown()
    return {"kernel start": statistics.mean(starts), "imports": statistics.mean(imports),
            "teardown (graceful)": statistics.mean(teardowns)}


def cell_costs(out: Path, selected: list[str]) -> dict[str, float]:
    """Mean seconds per briefing in cells that draw figures — PNGs or the bilag's HTML statement
    bars — (plotting) and in the others (compute),
    from the cell durations Papermill records, and the export, from ``run.json``."""
    compute, plotting = [], []
    for code in selected:
        nb = nbformat.read(out / code / "briefing.ipynb", as_version=4)
        c = p = 0.0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            seconds = float(cell.metadata.get("papermill", {}).get("duration") or 0.0)
            shown = json.dumps(cell.get("outputs", []))
            if "data:image/png" in shown or "likert-figure" in shown:  # a PNG, or the HTML statement bars
                p += seconds
            else:
                c += seconds
        compute.append(c)
        plotting.append(p)
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    export = [o["timings"].get("export", 0.0) for o in record["outcomes"] if o["status"] == "ok"]
    return {"compute": statistics.mean(compute), "plotting": statistics.mean(plotting),
            "export (in-process)": statistics.mean(export)}


def floor(work: Path, repeat: int = 3) -> dict[str, float]:
    """An empty notebook (parameters and the imports) through the naive commands."""
    book = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                 "language": "python"}})
    params = new_code_cell('kommunekode = "707"\nsummary_path = ""')
    params.metadata["tags"] = ["parameters"]
    book.cells = [params, new_code_cell("from fundament_lib.report import briefing")]
    empty = work / "empty.ipynb"
    nbformat.write(book, empty)
    pm, nbc = [], []
    for i in range(repeat):
        pm.append(timed([str(BIN / "papermill"), str(empty), str(work / f"empty{i}.ipynb"), "-k", "python3",
                         "--no-progress-bar", "-r", "kommunekode", "707"]))
        nbc.append(timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                          str(work / f"empty{i}.ipynb")]))
    return {"papermill CLI, empty notebook": statistics.mean(pm), "nbconvert CLI, empty notebook": statistics.mean(nbc)}


# ---- report ---------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20, help="number of kommuner (default 20)")
    parser.add_argument("--all", action="store_true", help="all 98 kommuner")
    parser.add_argument("--workers", type=int, default=None, help="workers for fundament run (default: cores)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the comparison; medians are printed")
    args = parser.parse_args()
    selected = codes(None if args.all else args.n)
    cores = os.cpu_count() or 1
    print(f"{len(selected)} kommuner, {cores} cores, workers: {args.workers or cores}, rounds: {args.repeat}\n",
          flush=True)
    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        for i in range(args.repeat):
            work = Path(tmp) / f"round{i}"
            work.mkdir()
            rounds.append(one_round(selected, work, args.workers))
            t_naive, t_fast = rounds[-1][0], rounds[-1][1]
            print(f"round {i + 1}: loop {t_naive:.1f} s, fundament run {t_fast:.1f} s, "
                  f"ratio {t_naive / t_fast:.1f} x", flush=True)
        t_naive, t_fast, t_summaries, t_loop = (statistics.median(r[j] for r in rounds) for j in range(4))
        ratio = statistics.median(r[0] / r[1] for r in rounds)
        of = f"median of {args.repeat}" if args.repeat > 1 else "one round"
        print(f"\nstraightforward loop : {t_naive:7.1f} s  (summaries once {t_summaries:.1f} s + "
              f"papermill/nbconvert loop {t_loop:.1f} s)  = {t_naive / len(selected):.2f} s per briefing; {of}")
        print(f"fundament run --force: {t_fast:7.1f} s  (each round the mean of a run before and one after the "
              f"loop)  = {t_fast / len(selected):.2f} s per briefing; {of}")
        print(f"ratio                : {ratio:7.1f} x  ({of}; rounds: "
              f"{', '.join(f'{r[0] / r[1]:.1f}' for r in rounds)})\n")
        out = Path(tmp) / "round0" / "fast"
        parts = {**kernel_costs(), **cell_costs(out, selected), **floor(Path(tmp) / "round0")}
    split(parts, t_loop, t_fast, len(selected), args.workers or cores)


def one_round(selected: list[str], work: Path, workers: int | None) -> tuple[float, float, float, float]:
    """One comparison: ``fundament run`` before and after the loop, so that a neighbour's load hits
    both sides alike; return (loop with summaries, fundament run, summaries, loop) in seconds."""
    t_first, _ = fast(selected, work, workers)
    t_summaries, t_loop = naive(selected, work)
    t_second, _ = fast(selected, work, workers, "fast2")
    return t_summaries + t_loop, (t_first + t_second) / 2, t_summaries, t_loop


def split(parts: dict[str, float], t_loop: float, t_fast: float, n: int, workers: int) -> None:
    """Print where one briefing's time goes, against the floor."""
    k, imp = parts["kernel start"], parts["imports"]
    work_s = parts["compute"] + parts["plotting"]
    print("one briefing, seconds (means):")
    for name, value in parts.items():
        print(f"  {name:32s} {value:6.2f}")
    print(f"\n  floor: an empty notebook's kernel start + imports = {k + imp:.2f} s "
          f"(through the papermill CLI, with process start and teardown: "
          f"{parts['papermill CLI, empty notebook']:.2f} s, plus nbconvert CLI "
          f"{parts['nbconvert CLI, empty notebook']:.2f} s)")
    print(f"  the briefing's own work (compute + plotting + export) = "
          f"{work_s + parts['export (in-process)']:.2f} s")
    print(f"  straightforward loop pays the floor every time: {t_loop / n:.2f} s per briefing; "
          f"fundament run pays it once per worker and splits the work over {workers} workers: "
          f"{t_fast / n:.2f} s per briefing")


if __name__ == "__main__":
    main()
