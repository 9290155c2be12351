"""One kommune's summary, privacy applied: what its briefing shows and ``summary.json`` holds.

:func:`kommune_summary` cuts the kommune's rows out of the suppressed national
tables (:class:`~fundament_lib.results.cells.Cells`) — only what its survey
asked (:mod:`fundament_lib.analysis.coverage`) — notes every hidden cell and
why, and adds the verdicts, free text, priority block and provenance. The
mapping is the contract other tools read (documented in the README); later
fields are added, never renamed, and :data:`SCHEMA_VERSION` says which.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

from fundament_lib import __version__
from fundament_lib.analysis.analyses import analyses
from fundament_lib.analysis.coverage import Coverage
from fundament_lib.analysis.descriptives import count_columns
from fundament_lib.analysis.scoring import SCORING_RULE
from fundament_lib.analysis.verdicts import mark_changes, mark_gaps
from fundament_lib.core.params import Params
from fundament_lib.core.sharing import mask_comparisons

from .cells import Cells
from .fingerprints import slice_hash
from .free_text import free_text_section
from .priority_block import priority_block
from .privacy import reason_text

__all__ = ["kommune_summary", "SCHEMA_VERSION", "COLUMNS", "FLAGS", "BENCH_COLUMNS"]

# 2.0: national is an anonymous distribution per id (was every kommune's records in code order), comparisons
# within a set of fewer than min_n other kommuner left out; 1.5: coverage, scales, analyses, demo, items.points;
# 1.4: interval (structured); 1.3: free_text.n_distinct
# 2.1: gaps.clear/norm/large and changes.p_holm/clear (one verdict per number), priority: reasons, forced,
# derived/own_weight, gap/gap_norm/gap_large, change/change_clear per priority, matrix.title/derived/x/rank, weakest,
# prerequisites.score_stab/score_borgernaer
# 2.2: national_averages (the national mean of each group × theme, fagområde × theme and function × role cell),
# priority.prerequisites ci_low/ci_high/verdict
SCHEMA_VERSION = "2.2"
FLAGS = ["suppressed", "suppression"]
BENCH_COLUMNS = ["id", "rank", "n_kommuner", "percentile", "rank_ci_low", "rank_ci_high",
                 "rank_region", "n_region", "percentile_region", "rank_region_ci_low", "rank_region_ci_high",
                 "rank_kommunegruppe", "n_kommunegruppe", "percentile_kommunegruppe",
                 "rank_kommunegruppe_ci_low", "rank_kommunegruppe_ci_high"]
# The columns of each list of records in a summary (fixed ones; ``items`` adds one ``c<code>`` per code).
COLUMNS: dict[str, list[str]] = {
    "scores": ["id", "level", "group", "n", "score", "ci_low", "ci_high", "top2", *FLAGS],
    "gaps": ["id", "level", "n_stab", "n_borgernaer", "diff", "ci_low", "ci_high", "hedges_g", "p", "p_holm"],
    "benchmark": BENCH_COLUMNS,
    "changes": ["id", "level", "group", "wave_previous", "n_previous", "n_latest", "score_previous",
                "score_latest", "change", "ci_low", "ci_high", "p"],
    "items": ["item_id", "group", "points", "n", "dont_know", "missing", "score", *FLAGS],
    "subgroups": ["id", "group", "n", "score", *FLAGS],
    "roles": ["function", "role", "n", "score", "dont_know", *FLAGS],
    "burden_areas": ["area", "n", "share", "ci_low", "ci_high", *FLAGS],
}


def kommune_summary(code: str, wave: str, previous: str | None, cells: Cells, p: Params, info: pd.Series,
                    own: pd.DataFrame, *, data_id: str, started: str,
                    national: Mapping[str, Mapping[str, pd.DataFrame]] | None = None,
                    demo: bool = False, names: Collection[str] = (),
                    gap_norms: Mapping[str, float] | None = None, own_hash: str | None = None) -> dict[str, Any]:
    """One kommune's summary from the suppressed national tables (see the module docstring).

    ``national`` maps a group (``alle``, ``stab``) to score id → every kommune's shown cells of
    that group (for bench-learning); ``demo`` marks a kommune whose answers are demo data;
    ``names`` are the other kommuner it may name (:func:`fundament_lib.core.sharing.nameable`);
    ``gap_norms`` the national staff–frontline norm per id (:func:`fundament_lib.analysis.verdicts.gap_norms`).
    ``own_hash`` is :func:`~.fingerprints.slice_hash` of ``own`` where the caller hashed every kommune's rows at once.
    Comparisons over fewer than ``min_n`` other kommuner are left out (:mod:`fundament_lib.core.sharing`).

    Only what the kommune's survey asked is in it (:mod:`fundament_lib.analysis.coverage`): a theme
    nobody was asked has no record (not a hidden one), and ``analyses`` says for each
    analysis whether the data allowed it, and why not.
    """
    fw = cells.t.fw
    k = p.min_n
    hidden: list[dict[str, Any]] = []
    cov = cells.t.coverage_of(code, wave)
    ids = {*cov.domains, *cov.themes}

    def take(name: str, columns: list[str], keys: list[str] | None = None) -> list[dict[str, Any]]:
        rows = _asked_rows(cells, name, code, wave, cov, ids)
        if keys is not None:
            _note_hidden_rows(hidden, cells, name, rows, keys, k)
        whole = cells.records(name, columns)
        return [dict(whole[i]) for i in rows]  # copies: the caller adds to them

    counts = count_columns(cells.t.items.columns)
    share = take("burden_share", ["n", "mean", "q1", "median", "q3", *FLAGS], ["group"])
    national = national or {}
    n_kommuner = len({c for f in national.get("alle", {}).values() for c in f.index} | {code})
    summary: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kommunekode": code,
        "kommune": str(info["navn"]),
        "region": str(info["region"]),
        "kommunegruppe": str(info["kommunegruppe"]),
        "framework": fw.id,
        "framework_version": fw.version,
        "framework_title": fw.title,
        "domain_level": fw.domain_level,
        "wave": wave,
        "previous_wave": previous,
        "min_n": k,
        "scoring_rule": SCORING_RULE,
        "interval_method": str(cells.t.intervals.method),
        "interval": cells.t.intervals.description(),
        "scores": take("scores", COLUMNS["scores"], ["id", "group"]),
        "gaps": mark_gaps(take("gaps", COLUMNS["gaps"]), gap_norms or {}),
        "benchmark": mask_comparisons(take(f"benchmark_{_benchmark_group(cov)}", COLUMNS["benchmark"]), k),
        "benchmark_group": _benchmark_group(cov),
        "changes": mark_changes(take("changes", COLUMNS["changes"])) if previous else [],
        "items": take("items", [*COLUMNS["items"][:4], *counts, *COLUMNS["items"][4:]], ["item_id", "group"]),
        "subgroups": {"fagomraade": take("subgroups", COLUMNS["subgroups"], ["id", "group"])},
        "roles": take("roles", COLUMNS["roles"], ["function", "role"]),
        "burden": {
            "areas": take("burden_areas", COLUMNS["burden_areas"], ["area"]),
            "share": share[0] if share else None,
        },
        "free_text": free_text_section(cells.t.texts, code, wave, k, p.seed, hidden=set(cells.hidden_groups(code, wave)),
                                total=_shown_total(cells, code, wave)),
        "priority": None,
        "quality": {
            "respondents": _with_invited(take("respondents", ["group", "n", *FLAGS], ["group"]), p),
            "missingness": take("missingness", ["id", "group", "share_dont_know", "share_missing", *FLAGS],
                                ["id", "group"]),
            "reliability": take("reliability", ["id", "k", "n", "alpha", "ci_low", "ci_high", "omega"]),
        },
        "suppressed": hidden,
        "coverage": cov.record(fw),
        "scales": _scales(cells, code, wave, ids),
        "demo": demo,
        "provenance": {
            "data_hash": own_hash or slice_hash(own),
            "dataset_hash": data_id,
            "framework": f"{fw.id} {fw.version}",
            "library_version": __version__,
            "parameters": p.model_dump(mode="json"),
            "run_started": started,
            "demo": demo,
        },
    }
    summary["priority"] = priority_block(code, wave, cells, p, cov, n_kommuner, national, names, summary)
    summary["analyses"] = analyses(summary, cov, fw, n_kommuner=n_kommuner,
                                   drivers_reason=cells.t.drivers_skipped(p.priority.driver_method))
    return summary


def _benchmark_group(cov: Coverage) -> str:
    """Whose scores place the kommune among the others: all leaders' where the survey asked both
    groups, else the one group's (compared with the other kommuner's same group)."""
    return cov.groups[0] if len(cov.groups) == 1 else "alle"


def _asked_rows(cells: Cells, name: str, code: str, wave: str, cov: Coverage, ids: Collection[str]) -> list[int]:
    """The positions in the whole suppressed table ``name`` of one kommune's rows about what its survey
    asked — the rows :func:`~.priority_block._asked` keeps of :meth:`Cells.get`, read from whole-table columns
    (cutting a DataFrame per kommune and table was most of a summary's time)."""
    rows = cells.positions(name, code, wave)
    if rows is None:
        return []
    out = [int(i) for i in rows]
    columns = cells.table(name).columns
    if "id" in columns:
        wanted = set(ids)
        id_of = cells.column(name, "id")
        out = [i for i in out if id_of[i] in wanted]
    if "group" in columns:
        groups, known = set(cov.groups) | {"alle"}, {"stab", "borgernaer", "alle"}
        group_of = cells.column(name, "group")
        out = [i for i in out if group_of[i] in groups or group_of[i] not in known]
    return out


def _note_hidden_rows(hidden: list[dict[str, Any]], cells: Cells, name: str, rows: list[int], keys: list[str],
                      k: int) -> None:
    """Note each suppressed row among ``rows`` (positions in the whole suppressed table ``name``) in
    ``hidden``: the table, its ``keys``, the reason code and the reason in Danish."""
    suppressed = cells.column(name, "suppressed")
    for i in (i for i in rows if suppressed[i]):
        entry = {"table": name, **{c: cells.column(name, c)[i] for c in keys}}
        entry["reason"] = str(cells.column(name, "suppression")[i])
        entry["suppression"] = reason_text(entry["reason"], k)
        hidden.append(entry)


def _scales(cells: Cells, code: str, wave: str, ids: Collection[str]) -> list[dict[str, Any]]:
    """Which scale each theme (and ordered block) was asked on: ``id``, ``points`` (list of K),
    ``framework_points``."""
    table = cells.t.scales
    if table.empty:
        return []
    part = table[(table["kommunekode"] == code) & (table["wave"] == wave)]
    part = part[part["id"].isin(ids) | ~part["id"].str.match(r"^[A-Z]")]
    return [{"id": str(r.id), "points": [int(x) for x in r.points], "framework_points": int(r.framework_points)}
            for r in part.itertuples(index=False)]

def _with_invited(rows: list[dict[str, Any]], p: Params) -> list[dict[str, Any]]:
    """Add the invited count and the response rate (withheld where n is, and where more answered than
    the params say were invited — an invited count that does not belong to these data)."""
    invited: dict[str, int] = {str(g): v for g, v in (p.invited or {}).items()}
    if len(invited) == 2:
        invited["alle"] = sum(invited.values())
    for row in rows:
        row["invited"] = invited.get(row["group"])
        rate = row["n"] / row["invited"] if row["n"] is not None and row["invited"] else None
        row["response_rate"] = None if rate is None or rate > 1 else round(rate, 4)
    return rows


def _shown_total(cells: Cells, code: str, wave: str) -> int | None:
    """The kommune's shown number of respondents (``alle``), or ``None`` where it is hidden."""
    resp = cells.get("respondents", code, wave)
    alle = resp[(resp["group"] == "alle") & ~resp["suppressed"]] if not resp.empty else resp
    return None if alle.empty or pd.isna(alle["n"].iloc[0]) else int(alle["n"].iloc[0])

