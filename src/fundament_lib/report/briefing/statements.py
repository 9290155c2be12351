"""Bilag: every statement's answers as HTML bars — per statement one thin 100 % bar per group.

The bars are a table the browser lays out (no picture): each row is one group's answers to one
statement, its segments as wide as the answer levels' shares (worst level left, negative levels
hatched for a grayscale print), the percentage printed on segments of at least 8 %, and the
group's n and «ved ikke» at the right. A hidden cell says «skjult». Screen readers (and Quarto's
Typst path, which reads only the text) get every level's name and share, also where the bar is
too thin to print it. Drawing them with Matplotlib cost more than all the other figures together
(hundreds of text labels per figure).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fundament_lib.framework import Framework
from fundament_lib.report import plots
from fundament_lib.report.html import Html, esc, heading, paragraph
from fundament_lib.report.plots.style import _ink_on

from .common import asked_groups, frame, fw_of, sentence

__all__ = ["statement_answers", "statement_bars", "point_labels", "GROUP_SHORT"]

GROUP_SHORT = {"alle": "Alle", "stab": "Stab", "borgernaer": "Borgernære"}
MIN_LABEL = 8.0  # segments of at least this share (%) print their percentage
# Hatching as the figures had it: "///" dense, "//" sparse, white lines rising to the right.
_HATCH = {"///": 4, "//": 7}


def statement_answers(s: dict[str, Any]) -> Html:
    """Bilag: the distribution of all leaders' answers to every statement, one table of bars per
    pejlemærke and scale."""
    return Html(_likert_part(s, fw_of(s)))


def _likert_part(s: dict[str, Any], fw: Framework) -> str:
    items = frame(s["items"])
    own = fw.scales[fw.theme_scale]
    groups, hidden = _likert_groups(items, asked_groups(s))
    who = {"alle": "alle lederes", "stab": "stabens", "borgernaer": "de borgernære lederes"}
    lead = (f"Fordelingen af {' og '.join(who[g] for g in groups)} svar på hvert udsagn, i procent af dem, der "
            "tog stilling; mest negative svar til venstre. Procenter under 8 står ikke i bjælken. "
            "«Ved ikke» står for sig til højre og indgår ikke i scoren.")
    if hidden:
        lead += " " + hidden
    parts: list[str] = [heading("Svarene på de enkelte udsagn", 3), paragraph(lead)]
    part_items = items[items["group"].isin(groups)] if not items.empty else items
    points = part_items["points"] if "points" in part_items else pd.Series(pd.NA, index=part_items.index)
    scales = sorted({int(k) for k in points.dropna()}) or [own.high - own.low + 1]
    for d in fw.domains:
        labels = {i.id: f"{i.id} {i.text}" for t in d.themes for i in t.items}
        for k in scales:
            # One table per scale: answers on scales of different lengths are never stacked together.
            part = part_items[part_items["item_id"].isin(labels) & (points.fillna(own.high - own.low + 1) == k)]
            if part.empty:
                continue
            scale = own.labels if k == own.high - own.low + 1 else point_labels(k)
            caption = f"{d.id} {d.title}: svarfordeling pr. udsagn"
            if len(scales) > 1 or k != own.high - own.low + 1:
                by = _answered_by(items, list(labels), k, own.high - own.low + 1)
                caption += f" ({k}-trinsskala{f'; besvaret af {by}' if by else ''})"
            caption += "; tallene i bjælkerne er procent."
            alle = part[part["group"] == groups[-1]]
            parts.append(statement_bars(part, labels=labels, scale=scale, groups=groups, caption=caption,
                                        summary=_likert_alt(alle, labels, d.id, who[groups[-1]])))
    return "".join(parts)


def statement_bars(items: pd.DataFrame, *, labels: Mapping[str, str], scale: Mapping[int, str],
                   groups: Sequence[str], caption: str, summary: str = "", min_label: float = MIN_LABEL) -> Html:
    """Per statement one stacked 100 % bar per group, as an HTML table with a legend.

    Parameters
    ----------
    items
        One row per item × group: ``item_id``, ``group``, ``n``, ``c<code>`` for every code of
        ``scale``, ``dont_know``. A row whose ``n`` is missing (hidden) shows «skjult»; an item ×
        group without a row, «ikke spurgt».
    labels
        Item id → statement text, in drawing order (items not in ``items`` are left out).
    scale
        Code → label, worst first.
    groups
        The groups to show, in order (each statement gets one bar per group).
    caption
        The table's caption.
    summary
        The main finding in a sentence, for screen readers (``aria-describedby``).
    min_label
        The smallest share (%) whose percentage is printed on its segment.

    Raises
    ------
    ValueError
        When none of the items in ``labels`` is in ``items``.
    """
    codes = sorted(scale)
    order = [i for i in labels if i in set(items["item_id"])] if "item_id" in items else []
    if not order:
        raise ValueError("statement_bars: none of the items in `labels` is in `items` — nothing to show")
    colors, hatches = plots.likert_palette(len(codes))
    levels = [(scale[c], colors[j], hatches[j]) for j, c in enumerate(codes)]
    rows = items.set_index(["item_id", "group"])
    ident = "lk-" + "-".join(str(i) for i in (order[0], order[-1], len(codes))).replace(".", "_")
    body = []
    for item in order:
        cells = []
        for k, group in enumerate(groups):
            head = f'<th scope="rowgroup" rowspan="{len(groups)}">{esc(labels[item])}</th>' if k == 0 else ""
            row = rows.loc[(item, group)] if (item, group) in rows.index else None
            cells.append(f'<tr>{head}<td class="lk-group">{esc(GROUP_SHORT.get(group, group))}'
                         f"</td>{_bar_cells(row, codes, levels, min_label)}</tr>")
        body.append(f'<tbody>{"".join(cells)}</tbody>')
    described = f' aria-describedby="{ident}"' if summary else ""
    legend = "".join(f'<li><span class="lk-key" style="{_fill(color, hatch)}"></span>{esc(label)}</li>'
                     for label, color, hatch in levels)
    return Html('<div class="likert-figure">'
                + (f'<p class="sr-only" id="{ident}">{esc(summary)}</p>' if summary else "")
                + f'<table class="likert"{described}><caption>{esc(caption)}</caption>'
                '<colgroup><col class="lk-c-text"><col class="lk-c-group"><col class="lk-c-bar"><col class="lk-c-n">'
                '</colgroup><thead><tr><th scope="col">Udsagn</th><th scope="col">Gruppe</th>'
                '<th scope="col">Svar i procent</th><th scope="col">Antal svar</th></tr></thead>'
                + "".join(body) + f'</table><ul class="lk-legend" aria-label="Svarmuligheder">{legend}</ul></div>')


def _bar_cells(row: pd.Series | None, codes: list[int], levels: list[tuple[str, str, str]],
               min_label: float) -> str:
    """The bar and the n cell of one group's answers to one statement."""
    if row is None:
        return '<td class="lk-none">ikke spurgt</td><td class="lk-n"></td>'
    n = row["n"]
    if pd.isna(n) or float(n) <= 0:
        return '<td class="lk-none">skjult</td><td class="lk-n"></td>'
    counts = np.array([float(row.get(f"c{c}", 0) or 0) for c in codes])
    shares = counts / counts.sum() * 100 if counts.sum() > 0 else counts
    segments = []
    for share, (label, color, hatch) in zip(shares, levels, strict=True):
        if share <= 0:
            continue
        said = f"{esc(label)}: {share:.0f} %"
        if share >= min_label:
            badge = f" background-color:{color};" if hatch else ""  # the hatch stops at the number
            text = (f'<span class="lk-v" style="color:{_ink_on(color)};{badge}" aria-hidden="true">{share:.0f}</span>'
                    f'<span class="sr-only">{said}</span>')
        else:
            text = f'<span class="sr-only">{said}</span>'
        segments.append(f'<span class="lk-s" style="width:{share:.4f}%;{_fill(color, hatch)}">{text}</span>')
    dk = row.get("dont_know")
    end = f"n\u00a0=\u00a0{int(n)}" + (f" · {int(dk)}\u00a0ved\u00a0ikke" if dk is not None and pd.notna(dk) and dk > 0
                                       else "")
    # spaces between the segments: a flex box does not show them, text readers keep the levels apart
    return f'<td><span class="lk-bar">{" ".join(segments)}</span></td><td class="lk-n">{end}</td>'


def _fill(color: str, hatch: str) -> str:
    """The inline style of a segment or legend key: its colour, and white hatching where the level has it."""
    if not hatch:
        return f"background-color:{color};"
    gap = _HATCH.get(hatch, 5)
    return (f"background-color:{color};background-image:repeating-linear-gradient(135deg,"
            f"rgba(255,255,255,.85) 0 1px,transparent 1px {gap}px);")


def _likert_groups(items: pd.DataFrame, asked: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The groups the statement bars show (staff and frontline leaders where their answers are
    shown, else all leaders under one) and the one line saying which group is left out and why."""
    if items.empty:
        return ("alle",), ""
    shown = tuple(g for g in asked if items.loc[items["group"] == g, "n"].notna().any())
    if len(shown) == len(asked):
        return shown, ""
    if not shown:
        return ("alle",), ("Stab og borgernære ledere vises ikke hver for sig, fordi en af grupperne har for få "
                           "svar; figurerne viser alle ledere under ét.") if len(asked) == 2 else ""
    missing = next(g for g in asked if g not in shown)
    name = {"stab": "Stabens", "borgernaer": "De borgernære lederes"}[missing]
    return shown, f"{name} svar vises ikke: for få svar til at vise dem."


def _answered_by(items: pd.DataFrame, ids: list[str], k: int, own: int) -> str:
    """'staben' or 'de borgernære ledere' when only that group answered these items on the K-point
    scale (two surveys on different scales pooled), else ''."""
    points = items["points"].fillna(own) if "points" in items else pd.Series(own, index=items.index)
    rows = items[items["item_id"].isin(ids) & (points == k) & items["group"].isin(["stab", "borgernaer"])]
    groups = set(rows["group"])
    return {"stab": "staben", "borgernaer": "de borgernære ledere"}[groups.pop()] if len(groups) == 1 else ""


def point_labels(k: int) -> dict[int, str]:
    """Legend labels of a K-point scale the framework has no wording for: '1 (lavest)' … 'K (højest)'."""
    return {j: f"{j} (lavest)" if j == 1 else f"{j} (højest)" if j == k else str(j) for j in range(1, k + 1)}


def _likert_alt(part: pd.DataFrame, labels: dict[str, str], domain_id: str, who: str) -> str:
    scored = part.dropna(subset=["score"])
    if scored.empty:
        return f"Svarfordeling for udsagnene under {domain_id}: for få svar til at vise."
    low = scored.loc[scored["score"].idxmin()]
    high = scored.loc[scored["score"].idxmax()]
    return (f"Stablede bjælker med svarfordelingen for {part['item_id'].nunique()} udsagn under {domain_id}. "
            f"Mest positivt i {who} svar: {sentence(labels[high['item_id']])} "
            f"Mest kritisk: {sentence(labels[low['item_id']])}")
