"""Section 2: the theme profile of staff and frontline leaders, and the fagområder (in the bilag)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from fundament_lib.analysis.verdicts import is_clear
from fundament_lib.core.fmt import fmt_ci, fmt_num, fmt_pct
from fundament_lib.framework import GROUP_LABELS, Framework
from fundament_lib.report import plots
from fundament_lib.report.html import Html, figure, heading, note, paragraph, table

from .common import (
    GAP_COLUMN,
    GROUPS,
    KEY_HEADINGS,
    asked_ids,
    cell_index,
    colour_caption,
    frame,
    fw_of,
    is_shown,
    largest_gap,
    national_cells,
    score_text,
    section_number,
    sentence,
    shown_groups,
    signed,
    skipped_text,
    theme_groups,
    theme_labels,
)
from .heatmap import HeatLayout, heat_table
from .hidden import frontline_hidden_note, omitted_fagomraader_text

__all__ = ["profile", "fagomraade"]

POSITIVE_COLUMN = "Positive svar (alle)"
NORM_COLUMN = "Normalt"  # the national staff–frontline norm of the theme


_QUESTION = {("stab", "borgernaer"): "Hvordan vurderer staben sig selv, og hvordan oplever de borgernære ledere det?",
             ("stab",): "Hvordan vurderer staben sig selv på temaerne?",
             ("borgernaer",): "Hvordan oplever de borgernære ledere stabene på temaerne?"}
_CAPTION = {"stab": "stab (åben cirkel)", "borgernaer": "borgernære ledere (fyldt firkant)"}


def profile(s: dict[str, Any]) -> Html:
    """Section 2: the theme profile by respondent group, the gap, and the fagområde breakdown (of the
    groups and themes the survey asked; one line for what it did not)."""
    plots.set_style()
    fw = fw_of(s)
    groups = theme_groups(s)
    labels = {i: x for i, x in theme_labels(fw).items() if i in asked_ids(s, fw)}
    scores = frame(s["scores"])
    themes = scores[scores["level"] == "theme"] if not scores.empty else scores
    parts: list[str] = [heading(KEY_HEADINGS[1], anchor="profile"), paragraph(_QUESTION.get(groups, _QUESTION[("stab", "borgernaer")]))]
    if not labels:
        return Html("".join(parts) + note("Målingen stillede ingen af temaernes udsagn, så der er ingen temaprofil "
                                          "at vise."))
    only = skipped_text(s, "gaps") if len(groups) == 1 else None
    if only:
        parts.append(note(only))
    by_group = themes[themes["group"].isin(groups) & themes["score"].notna()]
    if by_group.empty and len(groups) == 2:
        parts.append(note("Stab og borgernære ledere kan ikke vises hver for sig: en af grupperne har for få svar, "
                          "og den anden skjules med, så den lille gruppe ikke kan regnes ud. Tabellen viser alle "
                          "ledere under ét."))
    elif not by_group.empty:
        n = {**by_group.groupby("group")["n"].max().astype(int).to_dict(), **_respondents(s)}
        ax = plots.theme_profile(themes, labels=labels, groups=groups, n=n)
        band = " Den grå bjælke mellem dem viser forskellen." if len(groups) == 2 else ""
        parts.append(figure(ax, alt=_profile_alt(by_group, labels, s), caption=(
            f"Score (0–100) pr. tema for {' og '.join(_CAPTION[g] for g in groups)}; stregerne viser, hvor "
            f"scoren sandsynligvis ligger.{band}")))
    gap = len(groups) == 2 and bool(s.get("gaps"))
    # A group hidden on every theme is said once (the note above), not as a column of «skjult».
    cells = cell_index(themes)
    shown = tuple(g for g in shown_groups(s) if g == "alle" or
                  any(is_shown(cells.get((t, g))) for t in labels))
    columns = [GROUP_LABELS[g] for g in shown] + ([GAP_COLUMN, NORM_COLUMN] if gap else [])
    parts += [table(_profile_table(themes, labels, frame(s.get("gaps", [])), shown, gap),
                    caption="Temascore pr. gruppe og forskellen mellem dem" if gap else "Temascore",
                    numeric=[*columns, POSITIVE_COLUMN], row_header="Tema"),
              paragraph(_table_note(fw, gap, len(labels)), cls="meta")]
    why_not = _subgroup_note(s, fw)  # the breakdown itself is drawn in the bilag only
    parts.append(why_not or "")  # a note on why there is no breakdown stays here
    where = "Opdelingen på fagområde og svarfordelingen" if why_not is None else "Svarfordelingen"
    parts.append(paragraph(f"{where} på hvert udsagn står i bilaget.", cls="meta"))
    return Html("".join(parts))


def fagomraade(s: dict[str, Any]) -> Html:
    """Bilag: the frontline leaders' theme scores by fagområde (heatmap), or '' where there is none (the
    main text then says why)."""
    plots.set_style()
    fw = fw_of(s)
    return Html(_subgroup_figure(s, fw) if _subgroup_note(s, fw) is None else "")


def _respondents(s: dict[str, Any]) -> dict[str, int]:
    """Group → the respondent count section 7's table shows (so the legend's n equals the table's)."""
    return {str(r["group"]): int(r["n"]) for r in s["quality"]["respondents"]
            if not r.get("suppressed") and r.get("n") is not None}


def _table_note(fw: Framework, gap: bool, n_themes: int) -> str:
    text = ("Hver celle viser scoren og i parentes, hvor den sandsynligvis ligger; antal svar pr. gruppe står i "
            f"afsnit {section_number(fw, 'quality')}.")
    if gap:
        text += (" Forskellen er stabens score minus de borgernære lederes.")
    text += " «Positive svar» er andelen af alle lederes svar i de to øverste svarkategorier."
    if gap:
        text += (f" * markerer en klar forskel: den holder, også når alle {_count_da(n_themes)} temaer ses på én "
                 "gang. Staben vurderer næsten overalt temaerne højere; «Normalt» er den typiske forskel blandt "
                 "alle kommuner.")
    return text


def _count_da(n: int) -> str:
    return {2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "syv", 8: "otte", 9: "ni", 10: "ti"}.get(n, str(n))


def _profile_table(themes: pd.DataFrame, labels: dict[str, str], gaps: pd.DataFrame,
                   groups: tuple[str, ...] = GROUPS, gap: bool = True) -> pd.DataFrame:
    by_id = gaps.set_index("id") if not gaps.empty else pd.DataFrame()
    index = cell_index(themes)
    rows = []
    for theme_id, label in labels.items():
        alle = index.get((theme_id, "alle"))
        cells = {GROUP_LABELS[g]: score_text(index.get((theme_id, g))) for g in groups}
        first = {k: cells.pop(k) for k in list(cells)[:1]}  # «Alle» (or the one group asked) first
        row = {"Tema": label, **first,
               POSITIVE_COLUMN: fmt_pct(alle.get("top2")) if alle is not None and is_shown(alle) else "–", **cells}
        if gap:
            row[GAP_COLUMN] = _gap_text(by_id.loc[theme_id]) if theme_id in by_id.index else "–"
            norm = by_id.loc[theme_id].get("norm") if theme_id in by_id.index else None
            row[NORM_COLUMN] = signed(norm) if norm is not None and pd.notna(norm) else "–"
        rows.append(row)
    return pd.DataFrame(rows)


def _gap_text(g: pd.Series) -> str:
    """E.g. '+11 (2–20)*': the star marks a clear difference (the summary's ``clear``,
    :mod:`fundament_lib.analysis.verdicts`)."""
    star = "*" if _clear(g) else ""
    return f"{signed(g['diff'])} ({fmt_ci(g['ci_low'], g['ci_high'])}){star}"


def _clear(row: pd.Series) -> bool:
    """The summary's verdict (``clear``); for a summary written before it, Holm's p below 5 %."""
    if "clear" in row and pd.notna(row["clear"]):
        return bool(row["clear"])
    return is_clear(row.get("p_holm"))


def _profile_alt(by_group: pd.DataFrame, labels: dict[str, str], s: dict[str, Any]) -> str:
    """Alt text from what the figure shows: the two groups' scores."""
    front = by_group[by_group["group"] == "borgernaer"]
    part = front if not front.empty else by_group
    best, worst = part.loc[part["score"].idxmax()], part.loc[part["score"].idxmin()]
    who = "de borgernære ledere" if not front.empty else "staben"
    groups = theme_groups(s)
    whose = "stab og borgernære ledere" if len(groups) != 1 else who
    text = (f"Prikdiagram over temaernes score for {whose}. Hos {who} ligger "
            f"{labels[best['id']]} højest ({fmt_num(best['score'])}) og {labels[worst['id']]} lavest "
            f"({fmt_num(worst['score'])}).")
    top = largest_gap(s)
    if top is not None:
        text += f" Størst forskel mellem grupperne: {labels[top['id']]}, {fmt_num(top['diff'])} point."
    return text


def _fagomraade_options(fw: Framework) -> dict[str, str]:
    return next((b.options for b in fw.background if b.id == "fagomraade"), {})


def _subgroup_note(s: dict[str, Any], fw: Framework) -> str | None:
    """Why there is no fagområde breakdown (a note), or ``None`` when there is one to draw."""
    cells = frame(s.get("subgroups", {}).get("fagomraade", []))
    not_asked = (s.get("analyses") or {}).get("fagomraade", {}).get("reason") == "not_asked"
    if not_asked:
        return note(str(skipped_text(s, "fagomraade")))
    if not cells.empty and not set(cells["group"]) & set(_fagomraade_options(fw)):  # a summary without ``analyses``
        return note("Fagområdet er ikke oplyst i data, så de borgernære ledere kan ikke opdeles på fagområde.")
    if cells.empty or cells["score"].notna().sum() == 0:
        return note(frontline_hidden_note(s, "Opdelingen på fagområde")
                    or "Opdelingen på fagområde vises ikke: for få borgernære ledere pr. fagområde.")
    return None


def _subgroup_figure(s: dict[str, Any], fw: Framework) -> str:
    """The fagområde heatmap with its heading (only where :func:`_subgroup_note` gives no note)."""
    cells = frame(s.get("subgroups", {}).get("fagomraade", []))
    options = _fagomraade_options(fw)
    shown_groups = [g for g in options if g in set(cells.loc[cells["score"].notna(), "group"])]
    columns = {g: options[g] for g in shown_groups}
    national = national_cells(s, "subgroups")
    layout = HeatLayout(row="id", column="group", rows=asked_ids(s, fw), columns=columns, corner="Tema",
                        n_format="({n})", missing="skjult")
    omitted = omitted_fagomraader_text(s)
    alt = sentence(f"Varmekort over de borgernære lederes score pr. tema opdelt på {len(columns)} fagområder. "
                   + omitted)
    grid = cells.pivot(index="id", columns="group", values="score").reindex(index=list(layout.rows),
                                                                           columns=shown_groups)
    hidden_cells = bool(grid.isna().to_numpy().any())
    caption = ("Tallet i hver celle er de borgernære lederes score (0–100) og antal svar i parentes. "
               + colour_caption(national, "samme fagområde og tema"))
    if hidden_cells:
        caption += " «skjult»: for få svar; skjult for at beskytte små grupper."
    if omitted:
        caption += " " + omitted
    return heading("Borgernære ledere pr. fagområde", 3) + heat_table(cells, national, layout, summary=alt,
                                                                      caption=caption)
