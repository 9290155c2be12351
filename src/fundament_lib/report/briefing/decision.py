"""The first screen that decides: Kort fortalt, a table of contents and how to read the briefing.

Kort fortalt gives, per pejlemærke, the score with its uncertainty, the placing in words and the
national average; the priorities each with one plain reason; the clear changes since the last
round; the staff–frontline gap against the national norm; and one line on how sure the page is.
Every verdict ("klar", "klart højere") is read from the summary's ``clear``/``large`` fields
(:mod:`fundament_lib.analysis.verdicts`), the same fields the tables and reasons use.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fundament_lib.core.fmt import fmt_int, fmt_num
from fundament_lib.framework.model import Framework
from fundament_lib.report.html import Html, esc

from .appendix import APPENDIX_TITLE
from .common import (
    SECTION_TITLES,
    asked_groups,
    asked_ids,
    cell_of,
    frame,
    fw_of,
    present_sections,
    section_number,
    signed,
    theme_labels,
)

__all__ = ["key_findings", "rank_words", "national_average", "contents", "how_to_read", "uncertain_text"]


def uncertain_text(row: pd.Series | dict[str, Any] | None) -> str:
    """'54 (sandsynligvis mellem 50 og 58)': a score with its 95 % interval in plain words."""
    if row is None or row.get("score") is None or pd.isna(row.get("score")):
        return "skjult"
    text = fmt_num(row["score"])
    if pd.notna(row.get("ci_low")) and pd.notna(row.get("ci_high")):
        text += f" (sandsynligvis mellem {fmt_num(row['ci_low'])} og {fmt_num(row['ci_high'])})"
    return text


def rank_words(row: pd.Series | dict[str, Any]) -> str | None:
    """The placing among all kommuner in words, from the rank's 95 % interval: «blandt de 10
    bedste», «i den bedste fjerdedel», «over midten» … or «placeringen kan ikke bestemmes
    sikkert»; ``None`` without a placing."""
    values = [row.get("n_kommuner"), row.get("rank_ci_low"), row.get("rank_ci_high")]
    if any(v is None or pd.isna(v) for v in values):
        return None
    n, low, high = int(values[0]), float(values[1]), float(values[2])  # type: ignore[arg-type]
    span = f"et sted mellem nr. {fmt_num(low)} og {fmt_num(high)} af {n}"
    if high <= 10:
        return f"blandt de 10 bedste af {n} kommuner"
    if low > n - 10:
        return f"blandt de 10 svageste af {n} kommuner"
    if high <= n / 4:
        return f"i den bedste fjerdedel af {n} kommuner"
    if low > 3 * n / 4:
        return f"i den svageste fjerdedel af {n} kommuner"
    if high < n / 2:
        return f"over midten blandt {n} kommuner ({span})"
    if low > n / 2:
        return f"under midten blandt {n} kommuner ({span})"
    return f"placeringen kan ikke bestemmes sikkert ({span})"


def national_average(s: dict[str, Any], sid: str) -> float | None:
    """The mean score of all kommuner with a shown score on ``sid`` (all leaders), this one included;
    ``None`` where the other kommuner's scores may not be shown."""
    for r in (s.get("national") or {}).get("scores", []):
        if r["id"] == sid and r["others"]:
            values = [*r["others"], *([r["own"]] if r.get("own") is not None else [])]
            return float(np.mean(values))
    return None


def key_findings(s: dict[str, Any], fw: Framework) -> list[str]:
    """Kort fortalt: one line per pejlemærke, the priorities, the clear changes, the gap, and how sure."""
    scores = frame(s["scores"])
    if scores.empty:
        return ["Der er ingen scorer at vise: målingen stillede ingen af temaernes udsagn."]
    groups = asked_groups(s)
    group = groups[0] if len(groups) == 1 else "alle"
    bench = frame(s.get("benchmark", [])).set_index("id") if s.get("benchmark") else pd.DataFrame()
    asked = asked_ids(s, fw)
    out = [_domain_line(s, d.id, f"{d.id} {d.title}", cell_of(scores, d.id, group), bench, group)
           for d in fw.domains if d.id in asked]
    out += _priority_lines(s)
    out += [line for line in (_change_line(s, fw), _gap_line(s, fw), _sure_line(s)) if line]
    return out


def _domain_line(s: dict[str, Any], sid: str, label: str, cell: pd.Series | None, bench: pd.DataFrame,
                 group: str) -> str:
    text = f"{label}: {_score_of_100(cell)}"
    avg = national_average(s, sid) if group == "alle" else None
    if avg is not None:
        text += f"; landsgennemsnittet er {fmt_num(avg)}"
    words = rank_words(bench.loc[sid]) if not bench.empty and sid in bench.index else None
    if words:
        text += f"; kommunen ligger {words}" if not words.startswith("placeringen") else f"; {words}"
    return text + "."


def _score_of_100(cell: pd.Series | None) -> str:
    """'61 af 100 (sandsynligvis mellem 58 og 65)'."""
    text = uncertain_text(cell)
    return text if text == "skjult" else text.replace(" (", " af 100 (", 1) if "(" in text else text + " af 100"


def _priority_lines(s: dict[str, Any]) -> list[str]:
    """One line per priority: its place, name and first (plain) reason."""
    chosen = (s.get("priority") or {}).get("priorities") or []
    return [f"Prioritet {p['rank']}: {p['theme']} {p['title']}. {_first_reason(p)}." for p in chosen]


def _first_reason(p: dict[str, Any]) -> str:
    text = str((p.get("reasons") or [p["reason"]])[0])
    return text[0].upper() + text[1:]


def _change_line(s: dict[str, Any], fw: Framework) -> str | None:
    previous = s.get("previous_wave")
    if not previous:
        return None
    changes = frame(s.get("changes", []))
    groups = asked_groups(s)
    group = groups[0] if len(groups) == 1 else "alle"
    if changes.empty:
        return f"Udviklingen siden {previous} kan ikke vises: for få svar i en af målingerne."
    labels = {**{d.id: f"{d.id} {d.title}" for d in fw.domains}, **theme_labels(fw)}
    clear = changes[(changes["group"] == group) & changes["clear"].astype(bool)]
    if clear.empty:
        return f"Siden {previous} har ingen score flyttet sig mere, end målingens usikkerhed kan skelne."
    moved = [f"{labels.get(r['id'], r['id'])} {signed(r['change'])} point" for _, r in clear.iterrows()]
    return f"Klare ændringer siden {previous}: " + "; ".join(moved) + "."


def _gap_line(s: dict[str, Any], fw: Framework) -> str | None:
    gaps = frame(s.get("gaps", []))
    if gaps.empty:
        return None
    themes = gaps[gaps["level"] == "theme"]
    if themes.empty:
        return None
    labels = theme_labels(fw)
    norms = themes["norm"].dropna() if "norm" in themes else pd.Series(dtype=float)
    usual = (f" (på landsplan er forskellen typisk {signed(norms.min())} til {signed(norms.max())} point)"
             if not norms.empty else "")
    large = themes[themes["large"].astype(bool)] if "large" in themes else themes.iloc[0:0]
    # Without other kommuner there is no national norm: «large» then means clear and positive,
    # and the text must not claim a comparison it did not make.
    beyond = " og mere end det normale på landsplan" if not norms.empty else ""
    if large.empty:
        none = "ingen forskel er klart større end det normale" if not norms.empty else "ingen af forskellene er klare"
        return ("Forskellen mellem stabens og de borgernære lederes vurdering er " + _range(themes["diff"])
                + " point" + usual + "; " + none + ".")
    top = large.loc[large["diff"].idxmax()]
    norm = f", mod normalt {signed(top['norm'])}" if pd.notna(top.get("norm")) else ""
    if len(large) == 1:
        return (f"Staben vurderer {labels.get(top['id'], top['id'])} klart højere end de borgernære ledere"
                f"{beyond} ({signed(top['diff'])} point{norm}).")
    return (f"Staben vurderer {len(large)} temaer klart højere end de borgernære ledere{beyond}; størst er "
            f"forskellen i {labels.get(top['id'], top['id'])} ({signed(top['diff'])} point{norm}).")


def _range(values: pd.Series) -> str:
    """'+2 til +11' or '−4 til +11': a range of signed differences."""
    low, high = signed(values.min()), signed(values.max())
    return low if low == high else f"{low} til {high}"


def _sure_line(s: dict[str, Any]) -> str:
    resp = frame(s["quality"]["respondents"])
    shown = resp[(resp["group"] == "alle") & ~resp["suppressed"]] if not resp.empty else resp
    n = f"{fmt_int(shown['n'].iloc[0])} ledere" if not shown.empty and pd.notna(shown["n"].iloc[0]) else \
        "de ledere, der svarede"
    text = (f"Hvor sikre er tallene? De bygger på {n}. «Sandsynligvis mellem» viser usikkerheden: med 95 % "
            "sikkerhed ligger den sande score i det interval.")
    block = s.get("priority") or {}
    if block.get("priorities") and block.get("stability") is not None:
        text += (" Prioriteterne står fast, når reglens vægte ændres, i "
                 f"{fmt_num(100 * block['stability'])} % af tilfældene.")
    return text


def contents(s: dict[str, Any]) -> Html:
    """A table of contents with links to the sections' anchors (and the bilag)."""
    fw = fw_of(s)
    links = [f'<li><a href="#{key}">{section_number(fw, key)}. {esc(SECTION_TITLES[key])}</a></li>'
             for key in present_sections(fw)]
    links.append(f'<li><a href="#bilag">{esc(APPENDIX_TITLE)}</a></li>')
    return Html('<nav class="toc" aria-label="Indhold"><p><strong>Indhold</strong></p><ol class="plain">'
                + "".join(links) + "</ol></nav>")


HOW_TO_READ = (
    "Sådan læser du briefingen",
    ["Alle scorer går fra 0 til 100, hvor højere er bedre. 50 er midten af svarskalaen.",
     "«Sandsynligvis mellem 50 og 58» betyder, at målingen ikke kan sige det mere præcist: med 95 % "
     "sikkerhed ligger den sande score der. Tal i parentes som 54 (50–58) og de vandrette streger i "
     "figurerne viser det samme.",
     "En forskel eller ændring kaldes «klar», når den er for stor til at skyldes tilfældige udsving, også når "
     "alle temaer ses på én gang. Kun klare forskelle og ændringer nævnes som begrundelser.",
     "Staben vurderer næsten overalt temaerne højere end de borgernære ledere. Briefingen kalder derfor kun "
     "en forskel stor, når den er klart større end det normale på landsplan.",
     "Intet vises om færre end {min_n} personer. Skjulte tal står som «skjult».",
     "Svarfordelinger, pålidelighed, metode og datakilde står i bilaget bagest."],
)


def how_to_read(min_n: int, *, both_groups: bool = True) -> Html:
    """The «Sådan læser du briefingen» box, in plain Danish (no method words); ``min_n`` is the
    kommune's privacy threshold; the line on the staff–frontline norm only where both groups were asked."""
    title, lines = HOW_TO_READ
    lines = [x.format(min_n=min_n) for x in lines if both_groups or not x.startswith("Staben vurderer")]
    return Html(f'<div class="note howto" role="note"><p><strong>{esc(title)}</strong></p><ul>'
                + "".join(f"<li>{esc(x)}</li>" for x in lines) + "</ul></div>")
