"""Which themes first, and why: a transparent priority rule a director can follow.

For every theme the rule scores five kinds of need on 0–1 and takes their
weighted mean (weights in ``params/defaults.yaml``, overridable per kommune):

==================  =====================================================================
performance         (100 − score) / 100, the frontline leaders' score (``alle`` where
                    their own cell is hidden)
benchmark           (100 − percentile) / 100: low against the other kommuner
stated importance   the importance respondents give the theme (0–100) / 100
derived importance  how closely the theme goes with the outcome ("tid og rum til at lede
                    det faglige") among the kommune's own frontline leaders — their
                    correlation, shrunk toward the national one where they are few
                    (:mod:`fundament_lib.analysis.stats.local_drivers`) — relative to the strongest
gap                 how much the staff–frontline gap exceeds the national norm (the median
                    gap of the theme), 0 at the norm and 1 at 25 points above it; 0 unless
                    the gap is clear (:mod:`fundament_lib.analysis.verdicts`)
==================  =====================================================================

A theme scoring at least ``strong_score`` is never a priority. The kommune's
clearly weakest theme (its interval lies below every other theme's) is always
among the priorities when it may be one: national patterns alone do not
displace it. Uncertainty is respected: the index is recomputed in every
bootstrap replicate of the scores and of the gaps (the benchmark percentile
and the importances are held fixed), each theme gets the probability of being
in the top ``top``, and a theme whose place the data cannot tell apart from
the next is called uncertain in the text. The stability of the top list under
±25 % changes of each weight is reported too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fundament_lib.core.fmt import fmt_num
from fundament_lib.core.params import PriorityParams

__all__ = ["COMPONENTS", "PriorityResult", "prioritise", "components", "priority_index",
           "weight_stability", "reason_text", "rule_text", "RULE_TEXT", "COMPONENT_TEXT", "WHO", "NO_THEMES"]

COMPONENTS = ("performance", "benchmark", "stated_importance", "derived_importance", "gap")
GAP_FULL = 25.0  # points of staff–frontline gap that count as the full need
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
_INPUT = {"benchmark": "percentile", "stated_importance": "importance", "derived_importance": "driver",
          "gap": "gap"}  # the column of ``themes`` each need is computed from
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


@dataclass
class PriorityResult:
    """The ranked themes of one kommune, or why there are none."""

    priorities: list[dict[str, Any]]
    ranking: pd.DataFrame
    note: str
    uncertain: bool = False
    stability: float | None = None
    rule: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def components(themes: pd.DataFrame) -> pd.DataFrame:
    """The five needs (0–1) per theme; NaN where the input is missing.

    ``themes`` has ``score``, ``percentile``, ``importance``, ``driver`` and ``gap`` columns,
    and optionally ``gap_significant`` (where it is false the gap counts as 0; without the
    column every gap counts as given) and ``gap_norm`` (the national norm the gap is measured
    from; 0 without it).
    """
    driver = themes["driver"].astype(float)
    return pd.DataFrame({
        "performance": (100 - themes["score"].astype(float)) / 100,
        "benchmark": (100 - themes["percentile"].astype(float)) / 100,
        "stated_importance": themes["importance"].astype(float) / 100,
        "derived_importance": derived_need(driver),
        "gap": gap_need(themes["gap"].astype(float).to_numpy() - _gap_norm(themes), _gap_counts(themes)),
    }, index=themes.index)


def derived_need(driver: pd.Series) -> pd.Series:
    """Derived importance on 0–1: each theme's link to the outcome relative to the kommune's
    strongest (a negative link counts as none)."""
    high = driver.max()
    if pd.isna(high) or high <= 0:
        return pd.Series(np.nan, index=driver.index)
    return driver.clip(lower=0) / high


def _gap_norm(themes: pd.DataFrame) -> np.ndarray:
    """The national staff–frontline norm per theme (0 where there is none)."""
    if "gap_norm" not in themes:
        return np.zeros(len(themes))
    return themes["gap_norm"].astype(float).fillna(0.0).clip(lower=0).to_numpy()


def gap_need(gap: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The gap component: 0 at no gap, 1 at :data:`GAP_FULL` points or more; 0 where the gap does
    not count (its interval includes 0); NaN where there is no gap (a group hidden)."""
    need = np.clip(gap, 0, GAP_FULL) / GAP_FULL
    return np.where(np.isnan(gap), np.nan, np.where(counts, need, 0.0))


def _gap_counts(themes: pd.DataFrame) -> np.ndarray:
    if "gap_significant" not in themes:
        return np.ones(len(themes), dtype=bool)
    return themes["gap_significant"].fillna(False).astype(bool).to_numpy()


def priority_index(comp: pd.DataFrame | np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
    """Weighted mean of the available components (a missing one's weight is left out).

    ``comp`` is themes × components (or replicates × themes × components).
    """
    values = np.asarray(comp, dtype=float)
    w = np.array([weights[c] for c in COMPONENTS], dtype=float)
    present = ~np.isnan(values)
    total = (np.where(present, values, 0) * w).sum(axis=-1)
    norm = (present * w).sum(axis=-1)
    return np.divide(total, norm, out=np.full(total.shape, np.nan), where=norm > 0)


def weight_stability(comp: pd.DataFrame, weights: Mapping[str, float], eligible: np.ndarray, *, top: int,
                     spread: float, seed: int, draws: int = 400) -> float:
    """Share of weight settings (each weight × U(1 − spread, 1 + spread), plus every
    single weight at ±spread) that give the same top list as the stated weights."""
    rng = np.random.default_rng(seed)
    base = np.array([weights[c] for c in COMPONENTS])
    single = np.repeat(base[None, :], 2 * len(base), axis=0)
    for i in range(len(base)):
        single[2 * i, i] *= 1 - spread
        single[2 * i + 1, i] *= 1 + spread
    settings = np.vstack([base * rng.uniform(1 - spread, 1 + spread, (draws, len(base))), single])
    values = comp.to_numpy(dtype=float)
    present = ~np.isnan(values)
    index = (np.where(present, values, 0) @ settings.T) / np.where(present @ settings.T > 0, present @ settings.T, np.nan)
    reference = _top_set(priority_index(values, weights), eligible, top)
    same = [_top_set(index[:, s], eligible, top) == reference for s in range(settings.shape[0])]
    return float(np.mean(same))


def _top_set(index: np.ndarray, eligible: np.ndarray, top: int) -> frozenset[int]:
    order = [i for i in np.argsort(-np.where(eligible, index, -np.inf), kind="stable") if eligible[i]]
    return frozenset(order[:top])


def _replicate_index(themes: pd.DataFrame, comp: pd.DataFrame, replicates: np.ndarray,
                     weights: Mapping[str, float], gap_replicates: np.ndarray | None = None) -> np.ndarray:
    """Priority index in every bootstrap replicate of the scores and gaps (replicates × themes)."""
    rep = np.repeat(comp.to_numpy()[None, :, :], replicates.shape[0], axis=0)
    rep[:, :, COMPONENTS.index("performance")] = (100 - replicates) / 100
    if gap_replicates is not None:
        counts = _gap_counts(themes) & ~np.isnan(comp["gap"].to_numpy())
        excess = gap_replicates - _gap_norm(themes)[None, :]
        rep[:, :, COMPONENTS.index("gap")] = np.where(counts[None, :], gap_need(excess, counts[None, :]),
                                                      rep[:, :, COMPONENTS.index("gap")])
    return priority_index(rep, weights)


def prioritise(themes: pd.DataFrame, params: PriorityParams, *, min_n: int, seed: int,
               replicates: np.ndarray | None = None, gap_replicates: np.ndarray | None = None,
               left_out: Mapping[str, str] | None = None) -> PriorityResult:
    """Rank one kommune's themes by the priority rule.

    Parameters
    ----------
    themes
        One row per theme (index = theme id) with ``title``, ``score``,
        ``ci_low``, ``ci_high``, ``n``, ``basis`` (``"borgernaer"`` or ``"alle"``),
        ``percentile``, ``importance``, ``driver``, ``gap`` and optionally
        ``gap_significant`` (bool), ``gap_ci_low`` and ``gap_ci_high``. Missing inputs are NaN.
    params
        Weights, how many to name, the strong-score bar and the perturbation.
    min_n
        Fewer respondents behind the scores than this (or than 10): no ranking.
    seed
        For the weight perturbation draws.
    replicates
        Bootstrap replicates of ``score`` (replicates × themes, in ``themes`` order).
    gap_replicates
        Bootstrap replicates of ``gap`` (same shape), from the same resampling.
    left_out
        Needs the data cannot inform → why (Danish); they get no weight, and the rule's text
        says so. A need without a value for any theme is left out too.

    Returns
    -------
    PriorityResult
    """
    weights = params.weights.model_dump()
    inputs = {c: col for c, col in _INPUT.items() if c in (left_out or {}) and col in themes}
    themes = themes.assign(**dict.fromkeys(inputs.values(), np.nan))  # the reasons must not cite them either
    comp = components(themes)
    used = [c for c in COMPONENTS if comp[c].notna().any()]
    basis = str(themes["basis"].mode().iloc[0]) if "basis" in themes and not themes.empty else "borgernaer"
    rule = rule_text(weights, strong=params.strong_score, used=used, basis=basis, left_out=left_out)
    if themes.empty:
        return PriorityResult([], pd.DataFrame(), NO_THEMES, rule=rule)
    enough = themes["n"].fillna(0) >= max(min_n, 10)
    if not enough.any():
        return PriorityResult([], pd.DataFrame(), _note_too_few(min_n), rule=rule)
    index = priority_index(comp, weights)
    eligible = (themes["score"] < params.strong_score).to_numpy() & enough.to_numpy() & ~np.isnan(index)
    ranking = themes.assign(index=index, eligible=eligible, **{f"c_{c}": comp[c] for c in COMPONENTS})
    if not eligible.any():
        return PriorityResult([], ranking, _note_all_strong(params.strong_score), rule=rule)
    order = sorted((int(i) for i in np.flatnonzero(eligible)), key=lambda i: (-round(float(index[i]), 9),
                                                                              str(themes.index[i])))
    chosen = order[: params.top]
    weakest = clearly_weakest(themes)
    forced = False
    if weakest is not None and eligible[weakest] and weakest not in chosen:
        # the kommune's own clearest need is not displaced by the other needs
        forced, chosen = True, [*chosen[: params.top - 1], weakest]
        order = [*chosen, *[i for i in order if i not in chosen]]
    rep_index = (_replicate_index(themes, comp, replicates, weights, gap_replicates)
                 if replicates is not None and replicates.size else None)
    p_top = _p_top(rep_index, eligible, params.top)
    ranking["p_top"] = p_top
    uncertain_pairs = _uncertain_pairs(order, themes, rep_index, params.top)
    stability = weight_stability(comp, weights, eligible, top=params.top, spread=params.weight_perturbation,
                                 seed=seed)
    priorities = []
    for rank, i in enumerate(chosen, start=1):
        row = ranking.iloc[i]
        priorities.append({
            "theme": str(themes.index[i]), "rank": rank, "index": round(float(index[i]), 4),
            "reason": reason_text(row, comp.iloc[i], themes, weakest=i == weakest),
            "reasons": reason_parts(row, comp.iloc[i], themes, weakest=i == weakest),
            "forced": bool(forced and i == weakest),
            "p_top": None if p_top is None else round(float(p_top[i]), 3),
            "tied_with": _ties(i, order, index, themes),
            "components": {c: (None if pd.isna(comp.iloc[i][c]) else round(float(comp.iloc[i][c]), 4))
                           for c in COMPONENTS},
        })
    titles = themes["title"].astype(str).to_dict()
    note = _note_ranked(priorities, uncertain_pairs, stability, params, titles)
    if weakest is not None and weakest not in chosen:
        note += " " + _note_weakest_left_out(themes, weakest, params, min_n)
    extra = {"weakest": None if weakest is None else str(themes.index[weakest])}
    return PriorityResult(priorities, ranking, note, uncertain=bool(uncertain_pairs), stability=stability,
                          rule=rule, extra=extra)


def clearly_weakest(themes: pd.DataFrame) -> int | None:
    """The position of the theme whose interval lies wholly below every other theme's interval, or
    ``None`` where no theme is clearly the weakest (or intervals are missing)."""
    scored = themes.reset_index(drop=True)
    scored = scored[scored["score"].notna() & scored["ci_low"].notna() & scored["ci_high"].notna()]
    if len(scored) < 2:
        return None
    low = int(scored["score"].idxmin())
    others = scored.drop(index=low)
    return low if float(scored.loc[low, "ci_high"]) < float(others["ci_low"].min()) else None


def _note_weakest_left_out(themes: pd.DataFrame, i: int, params: PriorityParams, min_n: int) -> str:
    row = themes.iloc[i]
    name = f"{themes.index[i]} {row['title']}"
    if row["score"] >= params.strong_score:
        why = f"scoren er {fmt_num(row['score'])}, og temaer med mindst {fmt_num(params.strong_score)} prioriteres ikke"
    elif pd.isna(row["n"]) or row["n"] < max(min_n, 10):
        why = "der er for få svar bag scoren"
    else:
        why = "dets behov kan ikke beregnes"
    return f"Kommunens svageste tema, {name}, er ikke med, fordi {why}."


def _p_top(rep_index: np.ndarray | None, eligible: np.ndarray, top: int) -> np.ndarray | None:
    """Each theme's share of replicates in which it is among the ``top``."""
    if rep_index is None:
        return None
    rep_index = np.where(eligible[None, :] & ~np.isnan(rep_index), rep_index, -np.inf)
    ranks = (-rep_index).argsort(axis=1).argsort(axis=1)  # 0 = highest need in that replicate
    return ((ranks < top) & eligible[None, :]).mean(axis=0)


def _uncertain_pairs(order: list[int], themes: pd.DataFrame, rep: np.ndarray | None,
                     top: int) -> list[tuple[str, str]]:
    """Neighbours around the cut (and within the list) whose order the data cannot tell apart:
    the 90 % interval of their index difference over the replicates includes 0."""
    if rep is None:
        return []
    pairs = []
    for a, b in zip(order[: top], order[1: top + 1], strict=False):
        diff = rep[:, a] - rep[:, b]
        diff = diff[~np.isnan(diff)]
        if diff.size and np.quantile(diff, 0.05) <= 0:
            pairs.append((str(themes.index[a]), str(themes.index[b])))
    return pairs


def _ties(i: int, order: list[int], index: np.ndarray, themes: pd.DataFrame) -> list[str]:
    return [str(themes.index[j]) for j in order if j != i and round(float(index[j]), 9) == round(float(index[i]), 9)]


def reason_parts(row: pd.Series, comp: pd.Series, themes: pd.DataFrame, *, weakest: bool = False) -> list[str]:
    """The plain-Danish reasons for one theme, most important first; each cites the figures the
    summary holds for it (score and interval, gap, change) and nothing the data did not show.

    ``row`` may carry, besides :func:`prioritise`'s columns, ``driver_national`` (the theme's
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


def _note_too_few(min_n: int) -> str:
    return (f"Der er for få svar til at rangordne temaerne (under {max(min_n, 10)} respondenter bag "
            "scorerne). Brug i stedet drøftelsesspørgsmålene til alle temaer.")


def _note_all_strong(strong: float) -> str:
    return (f"Ingen temaer prioriteres: alle temaer har en score på mindst {fmt_num(strong)}. Workshoppen kan "
            "bruge tiden på at fastholde det, der virker, og på de temaer, hvor staben og de borgernære "
            "ledere ser forskelligt på tingene.")


def _note_ranked(priorities: list[dict[str, Any]], uncertain: list[tuple[str, str]], stability: float,
                 params: PriorityParams, titles: Mapping[str, str]) -> str:
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
