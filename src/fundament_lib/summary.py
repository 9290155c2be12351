"""The per-kommune result, privacy applied: what a briefing shows and ``summary.json`` holds.

:func:`build_summaries` scores every kommune in one pass and returns one
JSON-ready mapping per kommune. The mapping is the contract other tools read
(documented in the README); later fields are added, never renamed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .framework import Framework, load_framework
from .kommuner import kommuner
from .params import Params
from .privacy import REASONS, suppress
from .scoring import SCORING_RULE, respondent_scores, score_table

__all__ = ["build_summaries", "data_hash", "SCHEMA_VERSION", "records"]

SCHEMA_VERSION = "1.0"


def data_hash(paths: list[Path]) -> str:
    """SHA-256 over the bytes of the data files, in order (first 16 hex digits)."""
    h = hashlib.sha256()
    for p in paths:
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-ready dicts: NaN/NA become ``None``, numpy scalars plain Python."""
    out = []
    for row in df.to_dict(orient="records"):
        out.append({k: _plain(v) for k, v in row.items()})
    return out


def _plain(v: object) -> object:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else round(float(v), 4)
    if isinstance(v, float):
        return round(v, 4)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _current_wave(waves: list[str], wanted: str | None) -> tuple[str, str | None]:
    ordered = sorted(waves)
    current = wanted if wanted is not None else ordered[-1]
    earlier = [w for w in ordered if w < current]
    return current, (earlier[-1] if earlier else None)


def build_summaries(tidy: pd.DataFrame, params: Mapping[str, Params], *, data_id: str,
                    run_started: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Score all kommuner in ``params`` once and build each one's summary.

    Parameters
    ----------
    tidy
        The validated tidy answers (all kommuner).
    params
        Validated parameters per kommune code; the kommuner to summarise.
    data_id
        Hash of the data files, for the provenance line.
    run_started
        Time stamp for the provenance line (default: now, UTC).

    Returns
    -------
    dict
        Kommune code → JSON-ready summary.
    """
    started = (run_started or datetime.now(UTC)).isoformat(timespec="seconds")
    out: dict[str, dict[str, Any]] = {}
    by_framework: dict[str, list[str]] = {}
    for code, p in params.items():
        by_framework.setdefault(p.framework, []).append(code)
    ref = kommuner()
    for fw_id, codes in by_framework.items():
        fw = load_framework(fw_id)
        subset = tidy[tidy["kommunekode"].isin(codes)]
        table = score_table(respondent_scores(subset, fw), fw)
        for code in codes:
            out[code] = _summary(code, table[table["kommunekode"] == code], fw, params[code],
                                 ref.loc[code], data_id=data_id, started=started)
    return out


def _summary(code: str, table: pd.DataFrame, fw: Framework, p: Params, info: pd.Series, *,
             data_id: str, started: str) -> dict[str, Any]:
    wave, previous = _current_wave(list(table["wave"].unique()), p.wave)
    cells = suppress(table[table["wave"] == wave], min_n=p.min_n, keys=["id"], values=["score", "sd"])
    scores = cells[["id", "level", "group", "n", "score", "suppressed", "suppression"]]
    hidden = cells[cells["suppressed"]]
    return {
        "schema_version": SCHEMA_VERSION,
        "kommunekode": code,
        "kommune": str(info["navn"]),
        "region": str(info["region"]),
        "kommunegruppe": str(info["kommunegruppe"]),
        "framework": fw.id,
        "framework_version": fw.version,
        "framework_title": fw.title,
        "wave": wave,
        "previous_wave": previous,
        "min_n": p.min_n,
        "scoring_rule": SCORING_RULE,
        "scores": records(scores),
        "suppressed": records(hidden[["id", "group", "suppression"]].assign(
            suppression=hidden["suppression"].map(lambda r: REASONS[r].format(min_n=p.min_n)))),
        "provenance": {
            "data_hash": data_id,
            "framework": f"{fw.id} {fw.version}",
            "library_version": __version__,
            "parameters": p.model_dump(mode="json"),
            "run_started": started,
        },
    }
