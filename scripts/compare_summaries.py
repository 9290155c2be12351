"""Check that a change keeps every kommune's summary.json the same in content.

``--write DIR`` summarises every kommune of the data (``pipeline.prepare``) and writes one
``<code>.json`` per kommune into DIR; ``--against DIR`` summarises again and compares each
summary with the one in DIR, the run's time stamp (``provenance.run_started``) left out. It
prints the first differing paths per kommune and exits 1 when any differ.

Usage (from the project root; the demo data by default)::

    .venv/bin/python scripts/compare_summaries.py --write /tmp/before      # on the old tree
    .venv/bin/python scripts/compare_summaries.py --against /tmp/before    # on the new tree
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from fundament_lib.core.atomic import json_text
from fundament_lib.results.pipeline import prepare

STAMPS = (("provenance", "run_started"),)


def unstamped(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary as JSON data (as written), without the run's time stamps."""
    out = json.loads(json_text(summary))
    for path in STAMPS:
        node = out
        for key in path[:-1]:
            node = node.get(key, {})
        node.pop(path[-1], None)
    return out


def differences(a: Any, b: Any, where: str = "") -> list[str]:
    """The paths at which two JSON values differ (all of them)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}/{k}: only in one" for k in sorted(set(a) ^ set(b))]
        for k in a.keys() & b.keys():
            out += differences(a[k], b[k], f"{where}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} vs {len(b)} entries"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{where}[{i}]")]
    return [] if a == b and type(a) is type(b) else [f"{where}: {a!r} vs {b!r}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--write", type=Path, help="folder to write every kommune's summary into")
    what.add_argument("--against", type=Path, help="folder of summaries to compare with")
    parser.add_argument("--data", type=Path, default=None, help="processed data (default: the demo data)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    summaries = prepare(args.data).summaries
    print(f"summarised {len(summaries)} kommuner in {time.perf_counter() - t0:.1f} s")
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        for code, s in summaries.items():
            (args.write / f"{code}.json").write_text(json.dumps(unstamped(s), ensure_ascii=False, indent=1))
        return 0
    failed = 0
    stored = sorted(p.stem for p in args.against.glob("*.json"))
    if stored != sorted(summaries):
        print(f"kommuner differ: {sorted(set(stored) ^ set(summaries))}")
        failed += 1
    for code in sorted(set(stored) & set(summaries)):
        diff = differences(json.loads((args.against / f"{code}.json").read_text()), unstamped(summaries[code]))
        if diff:
            failed += 1
            print(f"{code}: {len(diff)} differences, first: {'; '.join(diff[:3])}")
    print("all summaries equal (time stamps aside)" if not failed else f"{failed} kommuner differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
