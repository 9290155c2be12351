"""The priority rule in words: the rule, each theme's reasons, and the notes a director reads.

Every text is plain Danish and cites only figures the summary holds (score and
interval, gap, change, reliability), so a reader can check each reason
against the briefing's tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fundament_lib.core.fmt import fmt_num
from fundament_lib.core.params import PriorityParams

from .priority_needs import COMPONENTS

__all__ = ["rule_text", "reason_parts", "reason_text", "note_too_few", "note_all_strong", "note_ranked",
           "note_weakest_left_out", "RULE_TEXT", "COMPONENT_TEXT", "WHO", "NO_THEMES", "STRONG_DERIVED", "LOW_ALPHA"]

WHO = {"borgernaer": "de borgernære ledere", "stab": "staben", "alle": "alle ledere"}
# Each need as the rule's text names it ({who}: the group whose score the rule looks at).
COMPONENT_TEXT = {
    "performance": "lav score hos {who}",
    "benchmark": "placering blandt kommunerne",
    "stated_importance": "den vigtighed lederne selv tillægger temaet",
    "derived_importance": "hvor meget temaet hænger sammen med de borgernære lederes tid og rum til at lede det faglige",
    "gap": "hvor meget forskellen mellem stabens og de borgernære lederes vurdering overstiger det normale "
           "på landsplan",
}
RULE_TEXT = (
    "Prioriteringen lægger fem hensyn sammen med faste vægte: lav score hos de borgernære ledere "
    "({performance:.0f} %), placering blandt kommunerne ({benchmark:.0f} %), den vigtighed lederne selv "
    "tillægger temaet ({stated_importance:.0f} %), hvor meget temaet hænger sammen med de borgernære "
    "lederes tid og rum til at lede det faglige ({derived_importance:.0f} %) og forskellen mellem stabens "
    "og de borgernære lederes vurdering ud over det normale på landsplan ({gap:.0f} %; kun hvor forskellen "
    "er klar). Kommunens klart svageste tema kommer altid med, hvis det kan prioriteres. Temaer "
    "med en score på mindst {strong:.0f} prioriteres ikke."
)
NO_THEMES = "Målingen stillede ingen af temaernes udsagn, så der er intet at prioritere."
STRONG_DERIVED = 0.9  # derived importance (share of the strongest link) the reasons call a close link
LOW_ALPHA = 0.7  # a theme whose items agree less than this (Cronbach's alpha) is read with care
_NUMBERS = {1: "ét", 2: "to", 3: "tre", 4: "fire", 5: "fem"}


def rule_text(weights: Mapping[str, float], *, strong: float, used: Sequence[str] = COMPONENTS,
              basis: str = "borgernaer", left_out: Mapping[str, str] | None = None) -> str:
    """The rule in plain Danish: the needs it weighs, with their weights as shares of the weights
    used, the bar for a strong theme, and each need left out with the reason.

    Parameters
    ----------
    weights
        The weights of :data:`COMPONENTS` (params).
    strong
        A theme scoring at least this is never a priority.
    used
        The needs the data allow (the others get no weight).
    basis
        Whose score the performance need looks at (``borgernaer``, ``stab`` or ``alle``).
    left_out
        Need → why it is left out (Danish, e.g. "datagrundlaget rummer kun denne kommune").
    """
    used = [c for c in COMPONENTS if c in used]
    if list(used) == list(COMPONENTS) and basis == "borgernaer":
        total = sum(weights.values())
        return RULE_TEXT.format(**{k: 100 * v / total for k, v in weights.items()}, strong=strong)
    total = sum(weights[c] for c in used) or 1.0
    parts = []
    for c in used:
        text = COMPONENT_TEXT[c].format(who=WHO.get(basis, WHO["alle"]))
        share = f"{100 * weights[c] / total:.0f} %"
        parts.append(f"{text} ({share}; kun hvor forskellen er klar)" if c == "gap"
                     else f"{text} ({share})")
    listed = ", ".join(parts[:-1]) + (" og " if len(parts) > 1 else "") + (parts[-1] if parts else "")
    count = _NUMBERS.get(len(used), str(len(used)))
    text = (f"Prioriteringen lægger {count} hensyn sammen med faste vægte: {listed}." if len(used) > 1 else
            f"Prioriteringen bygger på ét hensyn: {listed}.")
    text += (" Kommunens klart svageste tema kommer altid med, hvis det kan prioriteres. Temaer med en score på "
             f"mindst {strong:.0f} prioriteres ikke.")
    missing = [c for c in COMPONENTS if c not in used]
    if missing:
        why = [f"{COMPONENT_TEXT[c].format(who=WHO['borgernaer'])} ({(left_out or {}).get(c, 'ingen data')})"
               for c in missing]
        text += " Uden for reglen her: " + "; ".join(why) + "."
    return text


def reason_parts(row: pd.Series, comp: pd.Series, themes: pd.DataFrame, *, weakest: bool = False) -> list[str]:
    """The plain-Danish reasons for one theme, most important first; each cites the figures the
    summary holds for it (score and interval, gap, change) and nothing the data did not show.

    ``row`` may carry, besides :func:`~.priority.prioritise`'s columns, ``driver_national`` (the theme's
    correlation is national rather than the kommune's own where ``driver_own_weight`` < ½),
    ``gap_large`` and ``gap_norm``, ``change``/``change_clear``/``change_since`` and
    ``alpha`` (reliability)."""
    who = WHO.get(str(row.get("basis")), WHO["alle"])
    parts = []
    ci = (f", sandsynligvis mellem {fmt_num(row['ci_low'])} og {fmt_num(row['ci_high'])}"
          if pd.notna(row.get("ci_low")) and pd.notna(row.get("ci_high")) else "")
    if weakest:
        parts.append(f"kommunens klart svageste tema hos {who} (score {fmt_num(row['score'])}{ci})")
    elif row["score"] < 50 or themes["score"].rank(method="min").get(row.name, 99) <= 3:
        parts.append(f"lav score hos {who} ({fmt_num(row['score'])}{ci})")
    if pd.notna(row.get("change")) and bool(row.get("change_clear")):
        since = f" siden {row['change_since']}" if row.get("change_since") else ""
        word = "klart fald" if row["change"] < 0 else "klar fremgang"
        parts.append(f"{word}{since} ({_signed(row['change'])} point)")
    if pd.notna(row.get("percentile")) and row["percentile"] < 25:
        parts.append(f"blandt de laveste {max(5, int(np.ceil(row['percentile'] / 5) * 5))} % af kommunerne")
    if pd.notna(row.get("importance")) and row["importance"] >= 65:
        parts.append(f"lederne kalder selv temaet vigtigt ({fmt_num(row['importance'])} af 100)")
    if pd.notna(comp.get("derived_importance")) and comp["derived_importance"] >= STRONG_DERIVED:
        where = ("på landsplan hænger temaet tæt sammen med" if _leans_national(row) else
                 "blandt kommunens egne borgernære ledere hænger temaet tæt sammen med")
        parts.append(f"{where} tiden til at lede det faglige")
    if pd.notna(row.get("gap")) and comp.get("gap", 0) > 0:
        norm = row.get("gap_norm")
        usual = f"; det normale på landsplan er {_signed(norm)}" if pd.notna(norm) else ""
        parts.append(f"staben vurderer temaet klart højere end de borgernære ledere ({_signed(row['gap'])} "
                     f"point{usual})")
    if not parts:
        parts.append(f"samlet set det største behov blandt temaerne (score {fmt_num(row['score'])})")
    if pd.notna(row.get("alpha")) and row["alpha"] < LOW_ALPHA:
        parts.append("bemærk: udsagnene under temaet hænger svagt sammen, så scoren er mindre sikker")
    return parts


def reason_text(row: pd.Series, comp: pd.Series, themes: pd.DataFrame, *, weakest: bool = False) -> str:
    """The reasons of :func:`reason_parts` as one sentence, e.g. "Lav score hos de borgernære
    ledere (42, sandsynligvis mellem 37 og 47) og klart fald siden 2024 (−8 point)"."""
    parts = reason_parts(row, comp, themes, weakest=weakest)
    text = ", ".join(parts[:-1]) + (" og " if len(parts) > 1 else "") + parts[-1]
    return text[0].upper() + text[1:]


def note_weakest_left_out(themes: pd.DataFrame, i: int, params: PriorityParams, min_n: int) -> str:
    """Why the kommune's clearly weakest theme (position ``i``) is not among the priorities."""
    row = themes.iloc[i]
    name = f"{themes.index[i]} {row['title']}"
    if row["score"] >= params.strong_score:
        why = f"scoren er {fmt_num(row['score'])}, og temaer med mindst {fmt_num(params.strong_score)} prioriteres ikke"
    elif pd.isna(row["n"]) or row["n"] < max(min_n, 10):
        why = "der er for få svar bag scoren"
    else:
        why = "dets behov kan ikke beregnes"
    return f"Kommunens svageste tema, {name}, er ikke med, fordi {why}."


def _leans_national(row: pd.Series) -> bool:
    weight = row.get("driver_own_weight")
    return weight is None or pd.isna(weight) or float(weight) < 0.5


def _signed(x: float) -> str:
    text = fmt_num(x)
    return f"+{text}" if x > 0 and text != "0" else text


def _order_sentence(pairs: list[tuple[str, str]]) -> str:
    """'Rækkefølgen af P2.1, P1.1 og P1.5 er usikker …': neighbouring uncertain pairs joined into runs."""
    runs: list[list[str]] = []
    for a, b in pairs:
        if runs and runs[-1][-1] == a:
            runs[-1].append(b)
        else:
            runs.append([a, b])
    named = [", ".join(r[:-1]) + " og " + r[-1] for r in runs]
    text = "Rækkefølgen af " + "; og af ".join(named) if len(named) > 1 else "Rækkefølgen af " + named[0]
    return text + " er usikker: forskellen er mindre, end målingen kan skelne."


def note_too_few(min_n: int) -> str:
    """The note where too few answered to rank the themes."""
    return (f"Der er for få svar til at rangordne temaerne (under {max(min_n, 10)} respondenter bag "
            "scorerne). Brug i stedet drøftelsesspørgsmålene til alle temaer.")


def note_all_strong(strong: float) -> str:
    """The note where every theme scores at least ``strong`` (nothing is a priority)."""
    return (f"Ingen temaer prioriteres: alle temaer har en score på mindst {fmt_num(strong)}. Workshoppen kan "
            "bruge tiden på at fastholde det, der virker, og på de temaer, hvor staben og de borgernære "
            "ledere ser forskelligt på tingene.")


def note_ranked(priorities: list[dict[str, Any]], uncertain: list[tuple[str, str]], stability: float,
                params: PriorityParams, titles: Mapping[str, str]) -> str:
    """The note of a ranking: the priorities, the order the data cannot tell apart, and the stability."""
    def name(theme: str) -> str:
        title = titles.get(theme, "")
        return f"{theme} {title}" if title and title != theme else theme

    names = ", ".join(name(p["theme"]) for p in priorities)
    text = f"De {len(priorities)} temaer med størst behov efter reglen: {names}."
    listed = {p["theme"] for p in priorities}
    within = [(a, b) for a, b in uncertain if b in listed]
    at_cut = [b for a, b in uncertain if b not in listed]
    if within:
        text += f" {_order_sentence(within)}"
    if at_cut:
        text += (f" Målingen kan heller ikke sikkert skelne nr. {len(priorities)} fra det næste tema, "
                 f"{name(at_cut[0])}, som derfor også er værd at drøfte.")
    share = f"{stability * 100:.0f} %".replace(".", ",")
    text += (f" Ændres hver vægt med op til ±{params.weight_perturbation * 100:.0f} %, er de samme "
             f"{len(priorities)} temaer øverst i {share} af tilfældene.")
    return text
