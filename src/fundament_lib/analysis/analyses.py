"""Which of a briefing's analyses the data allow, and in plain Danish why not where they do not.

Every section of a briefing that rests on more than the kommune's own scores — the place among
the kommuner, the staff–frontline gap, the change since the last wave, the drivers of the
outcome, the reliability of the themes, the ranking of priorities, the fagområder, the roles,
the burden and the free text — may be impossible on the data at hand: the survey did not ask
it, only one kommune or one group is in the data, too few answered, or privacy hides it.
:func:`analyses` states for each whether it was made and, where not, a reason code for tools
and one sentence for readers; the summary carries it as ``analyses`` and the briefing prints
the sentence where the section would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fundament_lib.framework.model import Framework

from .coverage import BLOCK_TEXT, NOT_ASKED, Coverage
from .drivers import MIN_CASES, MIN_CASES_PER_THEME
from .priority_text import NO_THEMES
from .stats import MIN_MODEL_KOMMUNER

__all__ = ["analyses", "ANALYSES", "REASONS", "only_group_text", "GROUP_WHO", "national_skipped",
           "national_models_allowed", "MIN_MODEL_KOMMUNER"]

ANALYSES: tuple[str, ...] = ("benchmark", "gaps", "changes", "drivers", "reliability", "priority", "fagomraade",
                             "roles", "burden", "free_text")
# Reason codes (for tools); the Danish sentence for readers is built per analysis below.
REASONS: dict[str, str] = {
    NOT_ASKED: "the survey did not ask the questions (or not the group) it needs",
    "one_kommune": "the data hold no other kommune to compare with",
    "one_group": "only one respondent group was asked",
    "no_previous_wave": "there is no earlier survey round of the kommune",
    "few_respondents": "too few respondents for the analysis",
    "hidden": "the numbers it needs are hidden to protect small groups",
    "all_strong": "every theme is strong, so none is a priority",
    "few_kommuner": "too few kommuner for a national model",
    "not_estimable": "the model could not be fitted on these data (e.g. a singular design)",
}
GROUP_WHO = {"stab": "staben", "borgernaer": "de borgernære ledere"}
_RELIABILITY_MIN_N = 30
UNKNOWN_FAGOMRAADE = "uoplyst"  # the fagområde of a frontline leader who did not give one


def _done() -> dict[str, Any]:
    return {"done": True, "reason": None, "text": None}


def _skipped(reason: str, text: str) -> dict[str, Any]:
    return {"done": False, "reason": reason, "text": text}


def only_group_text(cov: Coverage) -> str | None:
    """'Kun staben er spurgt i denne måling' when one respondent group is, else None."""
    if len(cov.groups) != 1:
        return None
    return f"Kun {GROUP_WHO[cov.groups[0]]} er spurgt i denne måling"


def _block(cov: Coverage, fw: Framework, block: str, what: str) -> dict[str, Any] | None:
    """Skipped with a reason when the survey did not ask ``block`` (of the group that answers it)."""
    if cov.asked(block):
        return None
    cb = fw.codebook()
    audience = {str(a) for a in cb.loc[cb["block"] == block, "audience"]}
    audience = {a for a in audience if ";" not in a}  # a block put to one group only names it
    only = only_group_text(cov)
    if only and audience and cov.groups[0] not in audience:
        return _skipped(NOT_ASKED, f"{BLOCK_TEXT[block][0].upper()}{BLOCK_TEXT[block][1:]} stilles kun til "
                                   f"{GROUP_WHO.get(next(iter(audience)), 'den anden gruppe')}, og "
                                   f"{only[0].lower()}{only[1:]}, så {what} kan ikke vises.")
    return _skipped(NOT_ASKED, f"{BLOCK_TEXT[block][0].upper()}{BLOCK_TEXT[block][1:]} var ikke med i denne "
                               f"måling, så {what} kan ikke vises.")


def analyses(s: Mapping[str, Any], cov: Coverage, fw: Framework, *, n_kommuner: int,
             drivers_reason: str | None) -> dict[str, dict[str, Any]]:
    """Each analysis of :data:`ANALYSES`: ``done``, and where not, ``reason`` (a code of
    :data:`REASONS`) and ``text`` (one Danish sentence for the briefing).

    Parameters
    ----------
    s
        The kommune's summary so far (scores, gaps, changes … with privacy applied).
    cov
        What the kommune's survey asked.
    fw
        The framework.
    n_kommuner
        Kommuner in the data with a shown score to compare with (this one included).
    drivers_reason
        Why there is no national driver table (:meth:`fundament_lib.results.tables.Tables.drivers_skipped`),
        or ``None`` when there is one.
    """
    out = {name: _done() for name in ANALYSES}
    if n_kommuner < 2:
        out["benchmark"] = _skipped("one_kommune", "Datagrundlaget rummer kun denne kommune, så den kan ikke "
                                                   "sammenlignes med andre kommuner.")
    elif not s.get("benchmark"):
        out["benchmark"] = _skipped("hidden", "Kommunens samlede scorer er skjult for at beskytte små grupper, "
                                              "så placeringen blandt kommunerne vises ikke.")
    only = only_group_text(cov)
    themeless = [g for g in cov.groups if not cov.asked("theme", g)]
    if only:
        out["gaps"] = _skipped("one_group", f"{only}, så forskellen mellem stab og borgernære ledere kan ikke "
                                            "vises.")
    elif themeless and len(themeless) < len(cov.groups):
        # Both groups took part, one of them without the theme statements: nothing is hidden.
        who = GROUP_WHO[themeless[0]]
        out["gaps"] = _skipped(NOT_ASKED, f"{who[0].upper()}{who[1:]} blev ikke stillet temaernes udsagn, så "
                                          "forskellen mellem stab og borgernære ledere kan ikke vises.")
    elif not s.get("gaps"):
        out["gaps"] = _skipped("hidden", "Forskellen mellem stab og borgernære ledere vises ikke, fordi en af "
                                         "grupperne har for få svar.")
    if not s.get("previous_wave"):
        out["changes"] = _skipped("no_previous_wave", "Der er ingen tidligere måling at sammenligne med, så "
                                                      "udviklingen kan først vises efter næste måling.")
    elif not s.get("changes"):
        out["changes"] = _skipped("hidden", "Ændringerne kan ikke vises: for få svar i en af målingerne.")
    if drivers_reason is not None:
        need = max(MIN_CASES, MIN_CASES_PER_THEME * len(cov.themes))
        out["drivers"] = _skipped(drivers_reason, (
            "Spørgsmålet om tid og rum til at lede det faglige er ikke med i data, så temaernes sammenhæng med "
            "det kan ikke beregnes." if drivers_reason == NOT_ASKED else
            f"For få borgernære ledere har besvaret både spørgsmålet om tid og rum til at lede det faglige og "
            f"temaerne (mindst {need} skal til), så temaernes sammenhæng med det beregnes ikke."))
    rel = s.get("quality", {}).get("reliability", [])
    if not any(r.get("alpha") is not None for r in rel):
        out["reliability"] = _skipped("few_respondents", (
            f"Temaernes pålidelighed (Cronbachs alfa) beregnes kun, når mindst {_RELIABILITY_MIN_N} har besvaret "
            "alle temaets udsagn; det er ikke tilfældet her."))
    block = s.get("priority") or {}
    if not cov.themes:
        out["priority"] = _skipped(NOT_ASKED, NO_THEMES)
    elif not block.get("priorities"):
        strong = "Ingen temaer prioriteres" in str(block.get("note", ""))
        out["priority"] = _skipped("all_strong" if strong else "few_respondents", str(block.get("note", "")))
    out["fagomraade"] = _block(cov, fw, "theme", "opdelingen på fagområde") or _fagomraade(s, cov)
    out["roles"] = _block(cov, fw, "role", "vurderingen af stabenes roller") or _shown(s.get("roles"), "score")
    out["burden"] = _block(cov, fw, "burden", "den administrative byrde") or \
        _shown((s.get("burden") or {}).get("areas"), "share")
    out["free_text"] = _block(cov, fw, "free_text", "eksempler med ledernes egne ord") or \
        (_done() if not (s.get("free_text") or {}).get("suppressed") else
         _skipped("hidden" if "skjult" in str(s["free_text"].get("suppression")) else "few_respondents",
                  f"Ingen eksempler vises: {s['free_text']['suppression']}."))
    return out


def _fagomraade(s: Mapping[str, Any], cov: Coverage) -> dict[str, Any]:
    if "borgernaer" not in cov.groups:
        return _skipped(NOT_ASKED, f"{only_group_text(cov)}, så opdelingen af de borgernære ledere på fagområde "
                                   "kan ikke vises.")
    rows = s.get("subgroups", {}).get("fagomraade") or []
    if rows and all(r.get("group") == UNKNOWN_FAGOMRAADE for r in rows):
        return _skipped(NOT_ASKED, "Fagområdet er ikke oplyst i data, så de borgernære ledere kan ikke opdeles på "
                                   "fagområde.")
    return _shown(rows, "score")


def _shown(rows: list[dict[str, Any]] | None, value: str) -> dict[str, Any]:
    if rows and any(r.get(value) is not None for r in rows):
        return _done()
    return _skipped("hidden", "Tallene vises ikke for at beskytte små grupper.")


def national_models_allowed(scores: Any) -> str | None:
    """``None`` when the national models may be fitted on these respondents' scores (columns
    ``kommunekode``), else the reason code (``few_kommuner``)."""
    if scores is None or scores["kommunekode"].nunique() < MIN_MODEL_KOMMUNER:
        return "few_kommuner"
    return None


def national_skipped(extra: Mapping[str, Any], *, drivers_reason: str | None, scores: Any = None
                     ) -> dict[str, dict[str, Any]]:
    """The national analyses the overview lacks, each with ``reason`` (code) and ``text`` (Danish).

    Parameters
    ----------
    extra
        The national analyses made (``drivers``, ``reliability``, and ``icc``, ``gap_models`` when
        the models were asked for).
    drivers_reason
        Why there is no driver table, or ``None``.
    scores
        The respondent scores the models were fitted on (``None``: the models were not asked for).
    """
    out: dict[str, dict[str, Any]] = {}
    if drivers_reason is not None:
        out["drivers"] = _skipped(drivers_reason, (
            "Spørgsmålet om tid og rum til at lede det faglige er ikke med i data, så temaernes sammenhæng med det "
            "er ikke beregnet." if drivers_reason == NOT_ASKED else
            "For få borgernære ledere har besvaret både spørgsmålet om tid og rum til at lede det faglige og "
            "temaerne, så temaernes sammenhæng med det er ikke beregnet."))
    if not any(r.get("alpha") is not None for r in extra.get("reliability", [])):
        out["reliability"] = _skipped("few_respondents", (
            f"Temaernes pålidelighed beregnes kun, når mindst {_RELIABILITY_MIN_N} har besvaret alle temaets "
            "udsagn; det er ikke tilfældet i data."))
    if scores is None:
        return out
    n = int(scores["kommunekode"].nunique())
    if n < MIN_MODEL_KOMMUNER:
        text = (f"De nationale modeller kræver mindst {MIN_MODEL_KOMMUNER} kommuner med viste grupper; data rummer "
                f"{'kun én' if n == 1 else n}.")
        out["icc"] = _skipped("few_kommuner", "Variationen mellem kommunerne (ICC) er ikke beregnet. " + text)
        out["gap_models"] = _skipped("few_kommuner", "Den nationale forskel mellem stab og borgernære ledere er "
                                                     "ikke beregnet. " + text)
        return out
    if not extra.get("icc"):
        out["icc"] = _skipped("not_estimable", "Variationen mellem kommunerne (ICC) kunne ikke beregnes på disse "
                                               "data (modellen kan ikke estimeres).")
    if scores["group"].nunique() < 2:
        only = GROUP_WHO.get(str(scores["group"].iloc[0]), "én gruppe")
        out["gap_models"] = _skipped("one_group", f"Kun {only} er med i data, så den nationale forskel mellem stab "
                                                  "og borgernære ledere kan ikke beregnes.")
    elif not extra.get("gap_models"):
        out["gap_models"] = _skipped("not_estimable", "Den nationale forskel mellem stab og borgernære ledere "
                                                      "kunne ikke beregnes på disse data.")
    return out
