"""Privacy: never show data about fewer respondents than the threshold.

Two rules, applied to every table before it reaches a briefing, a figure,
``summary.json`` or the national overview:

1. **Primary suppression** — a cell about fewer than ``min_n`` respondents is hidden.
2. **Complementary suppression** — where a parent cell is the sum of its
   children (``alle`` = ``stab`` + ``borgernaer``; ``borgernaer`` = its
   fagområder), nothing hidden may be recovered by subtraction:

   * under a *shown* parent, the hidden children together must cover either
     nobody or at least ``min_n`` respondents (alle·n − borgernær·n = stab·n
     otherwise gives a 3-person staff group away);
   * under a *hidden* parent, the hidden children must cover at least
     ``min_n`` respondents — if every child were shown, their sum would give
     the parent, and with it whatever the parent was hiding.

   While a rule is broken, the smallest shown child is hidden too. This is the
   practice of the Danish leadership evaluations: a suppressed unit may roll
   up only when the hidden count is itself at least the threshold.

Hierarchies are applied top-down (``alle`` before ``borgernaer``), which is
enough: hiding a child never changes what its parent level shows.
A suppressed cell keeps its key and the reason, never its numbers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pandas as pd

__all__ = ["DEFAULT_MIN_N", "hidden_children", "suppress", "GROUP_HIERARCHY", "REASONS", "reason_text"]

DEFAULT_MIN_N = 5
GROUP_HIERARCHY: Mapping[str, Sequence[str]] = {"alle": ("stab", "borgernaer")}
REASONS = {
    "few": "færre end {min_n} svar",
    "complement": "skjult, så en mindre gruppe ikke kan regnes ud",
    "empty": "ingen svar",
}


def reason_text(reason: str, min_n: int) -> str:
    """The Danish sentence for a suppression reason."""
    return REASONS[reason].format(min_n=min_n)


def hidden_children(parent_n: int, children: Mapping[str, int], min_n: int, *,
                    parent_hidden: bool = False, already: Collection[str] = ()) -> dict[str, str]:
    """Which children of one parent cell to hide, and why.

    Parameters
    ----------
    parent_n
        Respondents in the parent cell (the sum of the children's).
    children
        Respondents per child cell.
    min_n
        The threshold.
    parent_hidden
        Whether the parent itself is hidden (by either rule).
    already
        Children hidden for another reason before (they count as hidden).

    Returns
    -------
    dict
        Child → reason (``"few"``, ``"empty"`` or ``"complement"``), for the hidden children only.

    Examples
    --------
    >>> hidden_children(43, {"stab": 3, "borgernaer": 40}, 5)
    {'stab': 'few', 'borgernaer': 'complement'}
    >>> hidden_children(60, {"stab": 3, "borgernaer": 40, "x": 17}, 5)
    {'stab': 'few', 'x': 'complement'}
    >>> hidden_children(40, {"skole": 25, "aeldre": 15}, 5, parent_hidden=True)
    {'aeldre': 'complement'}
    """
    hidden = {c: ("empty" if n == 0 else "few") for c, n in children.items() if n < min_n}
    hidden |= {c: "complement" for c in already if c in children and c not in hidden}
    if parent_n < min_n:
        return {c: hidden.get(c, "complement") for c in children}

    def broken() -> bool:
        total = sum(children[c] for c in hidden)
        return total < min_n if parent_hidden else 0 < total < min_n

    while broken():
        shown = sorted((n, c) for c, n in children.items() if c not in hidden)
        if not shown:
            break
        hidden[shown[0][1]] = "complement"
    return hidden


def suppress(table: pd.DataFrame, *, min_n: int, keys: Sequence[str], values: Sequence[str],
             child: str = "group", n: str = "n",
             hierarchy: Mapping[str, Sequence[str]] = GROUP_HIERARCHY) -> pd.DataFrame:
    """Apply primary and complementary suppression to a long table of cells.

    Parameters
    ----------
    table
        One row per cell: ``keys`` identify a family of cells that add up
        (e.g. kommune, wave and theme), ``child`` names the cell within it
        (e.g. the respondent group), ``n`` counts its respondents.
    min_n
        The threshold.
    keys, values
        Family columns; columns to blank out in hidden cells (``n`` is blanked too).
    child, n
        Column names of the cell label and its count.
    hierarchy
        Parent label → child labels, top level first. Children must partition
        their parent. A family without a parent row is judged cell by cell.

    Returns
    -------
    pandas.DataFrame
        A copy with ``suppressed`` (bool) and ``suppression`` (reason or
        ``None``); hidden cells have ``values`` and ``n`` set to missing.
    """
    out = table.copy()
    reason = pd.Series([None] * len(out), index=out.index, dtype="object")
    counts = out[n].fillna(0).astype(int)
    reason[counts < min_n] = "few"
    reason[counts == 0] = "empty"
    if not out.empty and hierarchy:
        # Only families with a hidden cell can need a complement.
        touched = reason.notna().groupby([out[k] for k in keys], observed=True, dropna=False).transform("any")
        candidates = out[touched.to_numpy()]
        for _, family in candidates.groupby(list(keys), observed=True, sort=False, dropna=False):
            _complement(family, child, counts, reason, hierarchy, min_n)
    out["suppressed"] = reason.notna()
    out["suppression"] = reason
    hide = out["suppressed"].to_numpy()
    for col in values:
        out[col] = out[col].astype("float64").where(~hide)
    out[n] = out[n].astype("Int64").where(~hide)
    return out


def _complement(family: pd.DataFrame, child: str, counts: pd.Series, reason: pd.Series,
                hierarchy: Mapping[str, Sequence[str]], min_n: int) -> None:
    labels = dict(zip(family[child], family.index, strict=True))
    for parent, kids in hierarchy.items():
        present = [k for k in kids if k in labels]
        if parent not in labels or not present:
            continue
        verdict = hidden_children(int(counts[labels[parent]]), {k: int(counts[labels[k]]) for k in present},
                                  min_n, parent_hidden=reason[labels[parent]] is not None,
                                  already=[k for k in present if reason[labels[k]] is not None])
        for kid, why in verdict.items():
            if reason[labels[kid]] is None:
                reason[labels[kid]] = why
