"""Section 3: the priorities, the importance–performance matrix and the workshop agenda."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import plots
from ..fmt import fmt_num, fmt_pct
from ..priority import NO_THEMES
from ..report import Html, bullets, esc, figure, heading, note, paragraph, table
from .common import (
    frame,
)

__all__ = ["priorities"]


def priorities(s: dict[str, Any]) -> Html:
    """Section 3: which themes to take up first, why, and the workshop agenda."""
    plots.set_style()
    block = s.get("priority")
    parts: list[str] = [heading("3. Hvad skal workshoppen tage fat på først?")]
    if not block:
        return Html("".join(parts) + note("Prioriteringen kunne ikke beregnes for denne kommune."))
    if s.get("coverage") is not None and not s["coverage"]["themes"]:
        return Html("".join(parts) + note(NO_THEMES) + _agenda([], block.get("prerequisites", []), s))
    parts += [paragraph(block["rule"]), paragraph(block["note"], cls="lede" if block["priorities"] else None)]
    chosen = block["priorities"]
    if chosen:
        rows = [{"Nr.": str(p["rank"]), "Tema": f"{p['theme']} {p['title']}", "Begrundelse": p["reason"],
                 "Sikkerhed": "–" if p.get("p_top") is None else f"{fmt_pct(p['p_top'])} i top {len(chosen)}"}
                for p in chosen]
        parts.append(table(pd.DataFrame(rows), caption="Prioriterede temaer", numeric=["Nr."], row_header="Tema"))
    matrix = frame(block["matrix"])
    if not matrix.empty and matrix["importance"].notna().any():
        ax = plots.importance_performance(matrix)
        parts.append(figure(ax, alt=_matrix_alt(matrix, chosen), caption=(
            "Prioriteringskort: vandret akse viser temaets vigtighed, lodret akse scoren. Sorte ruder er de prioriterede temaer; "
            "de stiplede linjer er kommunens medianer.")))
    parts.append(_agenda(chosen, block.get("prerequisites", []), s))
    return Html("".join(parts))


def _matrix_alt(matrix: pd.DataFrame, chosen: list[dict[str, Any]]) -> str:
    names = ", ".join(p["theme"] for p in chosen) or "ingen"
    return (f"Prioriteringskort med {len(matrix)} temaer efter vigtighed og score. Prioriterede temaer: {names}. "
            "De ligger, hvor vigtigheden er høj og scoren lav.")


def _agenda(chosen: list[dict[str, Any]], prereq: list[dict[str, Any]], s: dict[str, Any]) -> str:
    parts: list[str] = [heading("Dagsorden for workshoppen", 3)]
    alone = (s.get("analyses") or {}).get("benchmark", {}).get("reason") == "one_kommune"
    if chosen and alone:
        parts.append(note("Der er ingen andre kommuner i datagrundlaget, så briefingen kan ikke pege på kommuner at "
                          "lære af."))
    for p in chosen:
        questions = [f"{q['text']} (s. {q['page']})" for q in p.get("questions", [])]
        parts.append(f"<h4>{esc(p['theme'])} {esc(p['title'])}</h4>" + bullets(questions))
        parts.append(_benchlearning_text(p.get("benchlearning")))
    if not chosen:
        both = (s.get("analyses") or {}).get("gaps", {}).get("reason") != "one_group"
        parts.append(paragraph("Uden prioriterede temaer kan workshoppen tage udgangspunkt i "
                               + ("forskellene mellem staben og de borgernære ledere og i " if both else "")
                               + ("forudsætningerne nedenfor." if prereq else "drøftelsesspørgsmålene til temaerne.")))
    if prereq:
        rows = [{"Forudsætning": x["title"], "Score": "skjult" if x["score"] is None else fmt_num(x["score"]),
                 "Vurdering": "ser svag ud" if x["weak"] else ("–" if x["score"] is None else "på plads")}
                for x in prereq]
        parts.append(heading("Forudsætninger for en god proces (s. 15)", 4)
                     + table(pd.DataFrame(rows), caption="De tre forudsætninger: score (0–100) blandt alle ledere",
                             numeric=["Score"], row_header="Forudsætning"))
        weak = [x["title"] for x in prereq if x["weak"]]
        if weak:
            parts.append(note("Drøft også, hvordan processen sikres: " + "; ".join(weak).lower() + " ser svagt ud."))
    return "".join(parts)


def _benchlearning_text(b: dict[str, Any] | None) -> str:
    if not b or b.get("n_higher") is None:
        return ""
    if b["n_higher"] == 0:
        return paragraph("Ingen kommuner scorer klart højere på temaet (hvor konfidensintervallerne ikke overlapper).")
    # A count within the kommunegruppe or region is left out (None) where the set is too small to keep it anonymous.
    within = [f"{b[k]} i samme {what}" for k, what in (("same_group", "kommunegruppe"), ("same_region", "region"))
              if b.get(k) is not None]
    text = (f"{b['n_higher']} {'kommune scorer' if b['n_higher'] == 1 else 'kommuner scorer'} klart højere "
            "(konfidensintervallerne overlapper ikke)" + (", heraf " + " og ".join(within) if within else "") + ".")
    if b.get("names"):
        text += " Tag fx kontakt til " + ", ".join(b["names"]) + "."
    else:
        text += " Navnene deles kun efter aftale mellem kommunerne."
    return paragraph(text)
