"""``fundament ingest`` of a national wide CSV: rows per second and peak memory, this tree against an older one.

Run with ``.venv/bin/python benchmarks/bench_ingest.py [--sizes 30000 300000] [--base REV]``.

Data: the demo generator's wide export (every item, all 98 kommuner, one wave,
``--per-group`` respondents per kommune and group), written as ``;``-separated
UTF-8 as ``fundament demo`` writes it, then copied as often as needed to reach
each size — every copy with respondent ids of its own, so that the file holds
that many different respondents.

Each ingest runs in a child process (``python -m fundament_lib.cli.main ingest``);
its peak resident set size is the child's ``ru_maxrss`` (``resource.getrusage``
after ``os.wait4``), its speed the rows of the file over the wall time. The
files are made in a child process of their own: Linux counts the parent's
resident memory at the moment of ``exec`` in the child's ``ru_maxrss``, so a
parent that had made a national file in memory would inflate every number.
``--base REV`` also runs the source tree of a git revision (exported with
``git archive`` into a temporary folder and put first on ``PYTHONPATH``; or
REV is a ``src`` folder already exported), side by side on the same files;
``--base ''`` skips it. "this tree" is the ``fundament_lib`` Python imports
(the editable install, or a ``src`` folder first on ``PYTHONPATH``). Machines are shared: compare
the two columns, don't clock; ``CPU s`` (user + system time of the child, all its
threads) is less at the mercy of other work on the machine than the wall time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


def national_csv(folder: Path, sizes: list[int], per_group: int) -> dict[int, Path]:
    """One wide CSV per size, scaled copies of one demo export (ids made unique per copy)."""
    import pandas as pd

    from fundament_lib.demo import DemoConfig, generate

    wide = generate(DemoConfig(fixed_size=per_group, second_wave_kommuner=(), p_breakoff=0.0)).wide
    files = {}
    for n in sizes:
        copies = -(-n // len(wide))
        parts = [wide.assign(respondent_id=wide["respondent_id"].astype(str) + f"-{k}") for k in range(copies)]
        frame = pd.concat(parts, ignore_index=True).iloc[:n]
        path = folder / f"national_{n}.csv"
        frame.to_csv(path, sep=";", index=False)
        files[n] = path
    return files


def source_tree(rev: str, folder: Path) -> Path:
    """The ``src`` folder of a git revision, exported into ``folder`` (or ``rev`` itself, a ``src`` folder)."""
    if Path(rev).is_dir():
        return Path(rev)
    blob = subprocess.run(["git", "-C", str(_REPO), "archive", rev, "src"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def run_ingest(csv: Path, out: Path, src: Path | None) -> tuple[float, float, int, int]:
    """(seconds, CPU seconds, peak RSS in bytes, exit status) of one ``fundament ingest`` in a child process."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    cmd = [sys.executable, "-m", "fundament_lib.cli.main", "ingest", str(csv), "--out", str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if proc.stderr is not None:
        err = proc.stderr.read().decode(errors="replace").strip()
        if status:
            print(f"  exit {os.waitstatus_to_exitcode(status)}: {err.splitlines()[-1] if err else ''}")
        proc.stderr.close()
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30_000, 300_000])
    parser.add_argument("--per-group", type=int, default=160, help="demo respondents per kommune and group")
    parser.add_argument("--base", default="", help="git revision to compare with ('' to skip)")
    parser.add_argument("--write-csv", type=Path, help=argparse.SUPPRESS)  # the child that makes the files
    args = parser.parse_args()
    if args.write_csv is not None:
        national_csv(args.write_csv, args.sizes, args.per_group)
        return
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(tmp)
        subprocess.run([sys.executable, __file__, "--write-csv", str(folder), "--per-group", str(args.per_group),
                        "--sizes", *map(str, args.sizes)], check=True)
        files = {n: folder / f"national_{n}.csv" for n in args.sizes}
        trees: dict[str, Path | None] = {"this tree": None}
        if args.base:
            trees[f"base {args.base}"] = source_tree(args.base, folder / "base")
        print(f"{'respondents':>11} {'file MB':>8} {'tree':>16} {'seconds':>8} {'rows/s':>8} {'CPU s':>6} "
              f"{'peak RSS MB':>11} {'RSS/file':>8}")
        for n, csv in files.items():
            size = csv.stat().st_size
            for name, src in trees.items():
                seconds, cpu, rss, status = run_ingest(csv, folder / "out" / f"{n}.parquet", src)
                flag = "" if status == 0 else f"  (exit {status})"
                print(f"{n:>11} {size / 1e6:>8.0f} {name:>16} {seconds:>8.1f} {n / seconds:>8.0f} {cpu:>6.1f} "
                      f"{rss / 1e6:>11.0f} {rss / size:>8.1f}{flag}", flush=True)


if __name__ == "__main__":
    main()
