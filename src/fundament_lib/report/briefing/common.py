"""Helpers every briefing section uses: the summary as tables, labels, formatting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fundament_lib.core.fmt import fmt_ci, fmt_num
from fundament_lib.framework import Framework, load_framework

__all__ = ["load", "fw_of", "frame", "theme_labels", "domain_labels", "id_labels", "is_shown", "score_text", "signed",
           "cell_of", "domain_name", "largest_gap", "sentence", "section_number", "GROUPS", "GAP_COLUMN",
           "SECTION_TITLES", "present_sections",
           "KEY_HEADINGS", "QUALITY_TITLE", "asked_groups", "asked_ids", "asked_block", "skipped_text",
           "shown_groups", "national_cells", "colour_caption"]

QUALITY_TITLE = "Datagrundlag og usikkerhed"
# Headings every briefing has (browser tests look for them). The numbers are those of a framework with
# staff roles and administrative burden (see :func:`section_number`).
KEY_HEADINGS: tuple[str, ...] = (
    "1. Status på pejlemærkerne",
    "2. Temaprofil: stab og borgernære ledere",
    f"7. {QUALITY_TITLE}",
)
GROUPS = ("alle", "stab", "borgernaer")
# The sections' titles as the table of contents names them (keys as :func:`present_sections`).
SECTION_TITLES = {"status": "Status på pejlemærkerne", "profile": "Temaprofil: stab og borgernære ledere",
                  "priorities": "Hvad skal workshoppen tage fat på først?",
                  "roles": "Stabenes roller set fra de borgernære enheder",
                  "burden": "Administrativ byrde hos de borgernære ledere",
                  "changes": "Udvikling siden sidste måling", "quality": QUALITY_TITLE}
GAP_COLUMN = "Forskel (stab − borgernære)"


def load(kommunekode: str, summary_path: str | Path | None = None) -> dict[str, Any]:
    """The kommune's summary: read from ``summary_path`` (as ``fundament run`` writes it),
    or — when no path is given, e.g. in JupyterLab — computed from the processed demo data.
    """
    if summary_path:
        return json.loads(Path(summary_path).read_text(encoding="utf-8"))
    from fundament_lib.results.pipeline import summarise_one

    return summarise_one(kommunekode)


def fw_of(s: dict[str, Any]) -> Framework:
    """The framework a summary was scored with."""
    return load_framework(s["framework"])


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A summary's list of records as a DataFrame."""
    return pd.DataFrame(rows)


def theme_labels(fw: Framework) -> dict[str, str]:
    """Theme id → 'P1.3 Klare arbejdsdelinger og forventninger', in framework order."""
    return {t.id: f"{t.id} {t.title}" for t in fw.themes()}


def domain_labels(fw: Framework) -> dict[str, str]:
    """Domain (pejlemærke) id → its label, in framework order."""
    return {d.id: f"{d.id} {d.title}" for d in fw.domains}


def id_labels(fw: Framework) -> dict[str, str]:
    """Domain and theme id → its label: the domains, then the themes, in framework order."""
    return {**domain_labels(fw), **theme_labels(fw)}


def is_shown(row: pd.Series | None) -> bool:
    """Whether a score cell exists, is not suppressed and has a score."""
    return row is not None and not bool(row.get("suppressed", False)) and pd.notna(row.get("score"))


def score_text(row: pd.Series | None, *, ki: bool = False) -> str:
    """'54 (50–58)': score and 95 % interval ('skjult' for a hidden cell)."""
    if not is_shown(row):
        return "skjult"
    assert row is not None
    text = fmt_num(row["score"])
    if pd.notna(row.get("ci_low")):
        text += f" ({'KI ' if ki else ''}{fmt_ci(row['ci_low'], row['ci_high'])})"
    return text


def signed(x: float) -> str:
    """'+11', '−4' or '0' (no sign on a difference that rounds to zero)."""
    text = fmt_num(x)
    return f"+{text}" if x > 0 and text != "0" else text


def cell_of(scores: pd.DataFrame, sid: str, group: str) -> pd.Series | None:
    """The score cell of one id and group, or None."""
    hit = scores[(scores["id"] == sid) & (scores["group"] == group)]
    return None if hit.empty else hit.iloc[0]


def cell_index(scores: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    """Every score cell by (id, group), the first where one repeats, as :func:`cell_of` finds it: built
    once for a section that looks up every theme × group (a boolean mask per look-up cost more than
    the section's figure)."""
    if scores.empty:
        return {}
    first = np.flatnonzero(~scores.duplicated(["id", "group"]).to_numpy())
    rows = (scores.iloc[i] for i in first)  # each as cell_of returns it
    return {(row["id"], row["group"]): row for row in rows}


def domain_name(fw: Framework, plural: bool = False) -> str:
    """'pejlemærke' / 'pejlemærkerne' (or 'område' / 'områderne' for another framework)."""
    label = fw.domain_label.lower()
    return (label + "rne" if label.endswith("e") else label + "erne") if plural else label


def largest_gap(s: dict[str, Any]) -> pd.Series | None:
    """The theme with the largest staff–frontline difference (both groups shown), or None."""
    gaps = frame(s.get("gaps", []))
    if gaps.empty:
        return None
    themes = gaps[gaps["level"] == "theme"]
    return None if themes.empty else themes.loc[themes["diff"].abs().idxmax()]


def sentence(text: str) -> str:
    """``text`` ending in exactly one full stop (kept as is when it ends in '.', '?' or '!')."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def section_number(fw: Framework, section: str) -> int:
    """The number of a section (``status``, ``profile``, ``priorities``, ``roles``, ``burden``, ``changes``,
    ``quality``) in a briefing on ``fw``: sections the framework has no questions for are left out, and the
    rest are numbered without gaps. Every briefing shows ``changes``, also when there is no earlier wave.
    """
    return present_sections(fw).index(section) + 1


def present_sections(fw: Framework) -> list[str]:
    """The sections of a briefing on ``fw``, in order (see :func:`section_number`); each section's
    heading carries its key as anchor."""
    return ["status", "profile", "priorities", *(["roles"] if fw.roles is not None else []),
            *(["burden"] if fw.burden is not None else []), "changes", "quality"]


def asked_groups(s: dict[str, Any]) -> tuple[str, ...]:
    """The respondent groups the kommune's survey asked (``stab``, ``borgernaer``); from the
    respondent counts for a summary written before ``coverage`` existed."""
    cov = s.get("coverage")
    if cov is not None:
        return tuple(cov["groups"])
    present = {r["group"] for r in s["quality"]["respondents"]}
    return tuple(g for g in ("stab", "borgernaer") if g in present)


def theme_groups(s: dict[str, Any]) -> tuple[str, ...]:
    """The groups asked the theme statements: a group asked only other blocks (roles, burden) took
    part in the survey but has no theme scores."""
    per_group = (s.get("coverage") or {}).get("group_blocks")
    groups = asked_groups(s)
    return groups if per_group is None else tuple(g for g in groups if "theme" in per_group.get(g, ()))


def shown_groups(s: dict[str, Any]) -> tuple[str, ...]:
    """The rows a group table shows: ``alle`` and both groups where both were asked, else the one
    group asked (its ``alle`` row would repeat it)."""
    asked = asked_groups(s)
    return ("alle", *asked) if len(asked) != 1 else asked


def asked_ids(s: dict[str, Any], fw: Framework) -> dict[str, str]:
    """Domain and theme id → label, for the ids the survey asked (every id for an older summary)."""
    labels = id_labels(fw)
    cov = s.get("coverage")
    if cov is None:
        return labels
    asked = {*cov["domains"], *cov["themes"]}
    return {i: label for i, label in labels.items() if i in asked}


def asked_block(s: dict[str, Any], block: str) -> bool:
    """Whether the survey asked a block (``role``, ``burden``, ``importance`` …); true for an older
    summary without ``coverage``."""
    cov = s.get("coverage")
    return cov is None or block in cov["blocks"]


def skipped_text(s: dict[str, Any], name: str) -> str | None:
    """The Danish line saying why an analysis is missing (the summary's ``analyses``), or None."""
    entry = (s.get("analyses") or {}).get(name)
    return None if not entry or entry.get("done") else entry.get("text")


def national_cells(s: dict[str, Any], table: str) -> pd.DataFrame | None:
    """The summary's national averages of ``table`` (``scores``, ``subgroups``, ``roles``) as a
    DataFrame with ``mean``, or ``None`` where there are none (one kommune in the data, a summary
    written before schema 2.2)."""
    rows = (s.get("national_averages") or {}).get(table) or []
    return pd.DataFrame(rows) if rows else None


def colour_caption(national: pd.DataFrame | None, same: str) -> str:
    """What a heatmap's colour means: the deviation from the national average of ``same`` (e.g.
    «samme fagområde og tema»), or the scale's middle where there is no national average."""
    if national is None:
        return "Farven viser, om scoren ligger over (blå) eller under (rød) skalaens midte (50)."
    return (f"Farven viser, hvor mange point kommunen ligger over (blå) eller under (rød) landsgennemsnittet "
            f"for {same}; hvid er som landsgennemsnittet.")
