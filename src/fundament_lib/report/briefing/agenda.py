"""Section 3: the priorities, the importance–performance matrix and the workshop agenda."""

from __future__ import annotations

from typing import Any

import pandas as pd

from fundament_lib.analysis.priority_text import NO_THEMES
from fundament_lib.core.fmt import fmt_num, fmt_pct
from fundament_lib.report import plots
from fundament_lib.report.html import Html, bullets, esc, figure, heading, note, paragraph, table

from .common import frame

__all__ = ["priorities"]


def priorities(s: dict[str, Any]) -> Html:
    """Section 3: which themes to take up first, why, and the workshop agenda."""
    plots.set_style()
    block = s.get("priority")
    parts: list[str] = [heading("3. Hvad skal workshoppen tage fat på først?", anchor="priorities")]
    if not block:
        return Html("".join(parts) + note("Prioriteringen kunne ikke beregnes for denne kommune."))
    if s.get("coverage") is not None and not s["coverage"]["themes"]:
        return Html("".join(parts) + note(NO_THEMES) + _agenda([], block.get("prerequisites", []), s))
    chosen = block["priorities"]
    parts.append(paragraph(block["note"], cls="lede" if chosen else None))
    if chosen:
        rows = [{"Nr.": str(p["rank"]), "Tema": f"{p['theme']} {p['title']}", "Begrundelse": p["reason"],
                 "Andel af beregningerne med temaet i top": "–" if p.get("p_top") is None else fmt_pct(p["p_top"])}
                for p in chosen]
        parts.append(table(pd.DataFrame(rows), caption="Prioriterede temaer",
                           numeric=["Nr.", "Andel af beregningerne med temaet i top"], row_header="Tema"))
    parts.append(paragraph("Reglen bag listen, med vægtene, står i bilaget.", cls="meta"))
    matrix = frame(block["matrix"])
    xcol = "x" if "x" in matrix.columns and matrix["x"].notna().any() else "importance"
    if not matrix.empty and xcol in matrix.columns and matrix[xcol].notna().any():
        ax = plots.importance_performance(matrix)
        parts.append(figure(ax, alt=matrix_alt(matrix, xcol), caption=(
            "Prioriteringskort: vigtighed, som reglen vejer den (ledernes egen vurdering og sammenhængen med tid "
            "til at lede det faglige), mod den score, reglen ser på. Ruder med nummer er prioriteterne i listens "
            "rækkefølge; de stiplede linjer er kommunens midterværdier. Reglen vejer også placeringen blandt "
            "kommunerne og forskellen til staben, så en prioritet kan ligge uden for hjørnet «tag fat her».")))
    parts.append(_agenda(chosen, block.get("prerequisites", []), s))
    return Html("".join(parts))


_CORNER = {(True, False): "vigtigt, lav score", (True, True): "vigtigt, høj score",
           (False, False): "mindre vigtigt, lav score", (False, True): "mindre vigtigt, høj score"}


def matrix_alt(matrix: pd.DataFrame, xcol: str = "x") -> str:
    """Alt text from what the map shows: each priority's importance, score and corner."""
    shown = matrix.dropna(subset=[xcol, "score"])
    mid_x, mid_y = shown[xcol].median(), shown["score"].median()
    prio = shown[shown["priority"].astype(bool)]
    if "rank" in prio:
        prio = prio.sort_values("rank")
    described = [f"{r['id']} (vigtighed {fmt_num(r[xcol])}, score {fmt_num(r['score'])}: "
                 f"{_CORNER[(bool(r[xcol] >= mid_x), bool(r['score'] >= mid_y))]})" for _, r in prio.iterrows()]
    return (f"Prioriteringskort med {len(shown)} temaer efter vigtighed og score. Prioriterede temaer: "
            + ("; ".join(described) if described else "ingen") + ".")


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
        split = [g for g in ("stab", "borgernaer") if any(x.get(f"score_{g}") is not None for x in prereq)]
        columns = {"stab": "Stab og ledelse", "borgernaer": "Borgernære ledere"}
        rows = [{"Forudsætning": x["title"], "Alle": "skjult" if x["score"] is None else fmt_num(x["score"]),
                 "Sandsynligvis mellem": _between(x),
                 **{columns[g]: fmt_num(x[f"score_{g}"]) if x.get(f"score_{g}") is not None else "skjult"
                    for g in split},
                 "Vurdering": _PREREQ_VERDICT.get(_prereq_verdict(x) or "", "–")}
                for x in prereq]
        parts.append(heading("Forudsætninger for en god proces (s. 15)", 4)
                     + table(pd.DataFrame(rows), caption="De tre forudsætninger: score (0–100) pr. gruppe; 50 er "
                                                      "midten af svarskalaen, og vurderingen gælder alle ledere",
                             numeric=["Alle", "Sandsynligvis mellem", *[columns[g] for g in split]],
                             row_header="Forudsætning")
                     + paragraph("En forudsætning er på plads, når alle lederes score sandsynligvis ligger over "
                                 "midten (50), og ser svag ud, når den sandsynligvis ligger under; spænder scoren "
                                 "over midten, kan det ikke afgøres.", cls="meta"))
        parts.append(_prereq_note(prereq))
    return "".join(parts)


_PREREQ_VERDICT = {"strong": "på plads", "weak": "ser svag ud", "uncertain": "kan ikke afgøres"}


def _prereq_verdict(x: dict[str, Any]) -> str | None:
    """The summary's verdict; for a summary written before 2.2 (no interval), the score alone."""
    if "verdict" in x:
        return x["verdict"]
    return None if x["score"] is None else "weak" if x["weak"] else "strong"


def _between(x: dict[str, Any]) -> str:
    low, high = x.get("ci_low"), x.get("ci_high")
    return "–" if low is None or high is None else f"{fmt_num(low)} og {fmt_num(high)}"


def _prereq_note(prereq: list[dict[str, Any]]) -> str:
    """One line on the prerequisites that look weak and one on those that cannot be decided."""
    weak = [x for x in prereq if _prereq_verdict(x) == "weak"]
    unsure = [x for x in prereq if _prereq_verdict(x) == "uncertain"]
    text = ""
    if weak:
        listed = " og ".join(f"«{x['title']}» ({fmt_num(x['score'])}, sandsynligvis mellem {_between(x)})"
                             for x in weak)
        text += f"Drøft også, hvordan processen sikres. Under midten af skalaen (50) ligger: {listed}."
    if unsure:
        listed = " og ".join(f"«{x['title']}»" for x in unsure)
        verb = "ligger" if len(unsure) == 1 else "ligger begge" if len(unsure) == 2 else "ligger alle"
        text += (f" {listed} {verb} så tæt på midten, at det ikke kan afgøres, om "
                 f"{'den' if len(unsure) == 1 else 'de'} er på plads.")
    return note(text.strip()) if text else ""


def _benchlearning_text(b: dict[str, Any] | None) -> str:
    """Who to learn from: the comparable kommuner (same kommunegruppe, same region) first, then all; the
    names where both sides agreed to share them, else how to ask for contact."""
    if not b or b.get("n_higher") is None:
        return ""
    if b["n_higher"] == 0:
        return paragraph("Ingen kommuner scorer klart højere på temaet.")
    # A count within the kommunegruppe or region is left out (None) where the set is too small to keep it anonymous.
    within = [f"{b[k]} i samme {what}" for k, what in (("same_group", "kommunegruppe"), ("same_region", "region"))
              if b.get(k)]
    total = f"{b['n_higher']} {'kommune' if b['n_higher'] == 1 else 'kommuner'}"
    text = (f"Kommuner at lære af: {' og '.join(within)} scorer klart højere ({total} i alt)." if within else
            f"{total.capitalize()} scorer klart højere, men ingen af dem er i samme kommunegruppe eller region.")
    if b.get("names"):
        text += " Tag fx kontakt til " + ", ".join(b["names"]) + "."
    else:
        text += (" Navnene deles kun efter aftale mellem kommunerne: bed den, der har indsamlet målingen, om at "
                 "formidle kontakten.")
    return paragraph(text)
