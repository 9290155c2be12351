"""Sections of a kommune's briefing, each a function of the kommune's summary.

The notebook ``notebooks/kommune_briefing.ipynb`` calls these one per cell;
they return :class:`~fundament_lib.report.Html`, which Jupyter shows as HTML.
They read only the privacy-checked summary, never raw answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from .framework import GROUP_LABELS, load_framework
from .plots import set_style, theme_profile
from .report import Html, esc, figure, fmt_int, fmt_num, heading, note, paragraph, table

__all__ = ["load", "title", "status", "profile", "quality", "provenance", "KEY_HEADINGS"]

# Headings every briefing has (browser tests look for them).
KEY_HEADINGS: tuple[str, ...] = (
    "1. Status på pejlemærkerne",
    "2. Temaprofil: stab og borgernære ledere",
    "7. Datagrundlag og usikkerhed",
)


def load(kommunekode: str, summary_path: str | Path | None = None) -> dict[str, Any]:
    """The kommune's summary: read from ``summary_path`` (as ``fundament run`` writes it),
    or — when no path is given, e.g. in JupyterLab — computed from the processed demo data.
    """
    if summary_path:
        return json.loads(Path(summary_path).read_text(encoding="utf-8"))
    from .pipeline import summarise_one

    return summarise_one(kommunekode)


def _scores(s: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(s["scores"])


def _theme_labels(s: dict[str, Any]) -> dict[str, str]:
    fw = load_framework(s["framework"])
    return {t.id: f"{t.id} {t.title}" for t in fw.themes()}


def title(s: dict[str, Any]) -> Html:
    """The page title and a one-paragraph introduction."""
    fw = load_framework(s["framework"])
    intro = (
        f"Denne briefing samler svarene fra {s['kommune']} Kommunes ledere i stab og ledelse og i de "
        f"borgernære enheder i målingen {s['wave']}. Den viser, hvor kommunen står på de to "
        f"pejlemærker i «{fw.short_title or fw.title}», hvordan staben og de borgernære ledere ser "
        "forskelligt på temaerne, og hvilke temaer workshoppen bør tage op først."
    )
    return Html(heading(f"{fw.short_title or fw.title}: {s['kommune']} Kommune", 1)
                + paragraph(intro, cls="lede")
                + paragraph(f"Region {s['region']} · {s['kommunegruppe']} · måling {s['wave']}", cls="meta"))


def status(s: dict[str, Any]) -> Html:
    """Section 1: where the kommune stands on each pejlemærke."""
    fw = load_framework(s["framework"])
    df = _scores(s)
    rows = []
    for d in fw.domains:
        part = df[df["id"] == d.id].set_index("group")
        row = {fw.domain_label: f"{d.id} {d.title}"}
        for g in ("alle", "stab", "borgernaer"):
            row[GROUP_LABELS[g]] = _cell(part, g)
        rows.append(row)
    cols = [GROUP_LABELS[g] for g in ("alle", "stab", "borgernaer")]
    return Html(heading(f"1. Status på {fw.domain_label.lower()}rne")
                + paragraph("Score på 0–100 (højere er bedre) og antal svar (n).")
                + table(pd.DataFrame(rows), caption=f"Score pr. {fw.domain_label.lower()} og gruppe",
                        numeric=cols, row_header=fw.domain_label))


def _cell(part: pd.DataFrame, group: str) -> str:
    if group not in part.index:
        return "–"
    row = part.loc[group]
    if row["suppressed"]:
        return "skjult"
    return f"{fmt_num(row['score'])} (n = {fmt_int(row['n'])})"


def profile(s: dict[str, Any]) -> Html:
    """Section 2: the theme profile by respondent group."""
    set_style()
    labels = _theme_labels(s)
    df = _scores(s)
    themes = df[df["level"] == "theme"]
    ax = theme_profile(themes, labels=labels)
    alt = _profile_alt(themes, labels)
    return Html(heading("2. Temaprofil: stab og borgernære ledere")
                + figure(ax, alt=alt, caption="Score (0–100) pr. tema og gruppe. Skjulte grupper vises ikke.")
                + table(_profile_table(themes, labels), caption="Temascore pr. gruppe",
                        numeric=[GROUP_LABELS[g] for g in ("alle", "stab", "borgernaer")], row_header="Tema"))


def _profile_table(themes: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    rows = []
    for theme_id, label in labels.items():
        part = themes[themes["id"] == theme_id].set_index("group")
        rows.append({"Tema": label, **{GROUP_LABELS[g]: _cell(part, g) for g in ("alle", "stab", "borgernaer")}})
    return pd.DataFrame(rows)


def _profile_alt(themes: pd.DataFrame, labels: dict[str, str]) -> str:
    alle = themes[(themes["group"] == "alle") & themes["score"].notna()]
    if alle.empty:
        return "Temaprofil: for få svar til at vise scorer."
    best = alle.loc[alle["score"].idxmax()]
    worst = alle.loc[alle["score"].idxmin()]
    return (f"Prikdiagram over de ti temaers score for stab og borgernære ledere. Højest ligger "
            f"{labels[best['id']]} ({fmt_num(best['score'])}), lavest {labels[worst['id']]} "
            f"({fmt_num(worst['score'])}).")


def quality(s: dict[str, Any]) -> Html:
    """Section 7: responses per group and what was suppressed."""
    df = _scores(s)
    domain_rows = df[df["level"] != "theme"]
    counts = domain_rows.groupby("group")["n"].max()
    rows = [{"Gruppe": GROUP_LABELS[g], "Svar": fmt_int(counts.get(g)) if pd.notna(counts.get(g)) else "skjult"}
            for g in ("alle", "stab", "borgernaer")]
    parts = [heading("7. Datagrundlag og usikkerhed"),
             table(pd.DataFrame(rows), caption="Antal respondenter med en score", numeric=["Svar"]),
             paragraph(s["scoring_rule"])]
    hidden = s.get("suppressed", [])
    if hidden:
        parts.append(note(f"Af hensyn til anonymiteten vises intet om færre end {s['min_n']} personer. "
                          f"{len(hidden)} celle(r) er skjult, fx {hidden[0]['id']} for "
                          f"{GROUP_LABELS[hidden[0]['group']].lower()}: {hidden[0]['suppression']}."))
    return Html("".join(parts))


def provenance(s: dict[str, Any]) -> Html:
    """The provenance line: data hash, framework and library version, parameters, run time."""
    p = s["provenance"]
    params = ", ".join(f"{k}={v}" for k, v in p["parameters"].items() if not isinstance(v, dict))
    text = (f"Kilde: data {p['data_hash']} · ramme {p['framework']} · fundament {p['library_version']} · "
            f"parametre: {params} · kørt {p['run_started']}")
    return Html(f'<p class="provenance">{esc(text)}</p>')
