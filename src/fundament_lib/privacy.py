"""Privacy: never show data about fewer respondents than the threshold.

Two rules, applied to every table before it reaches a briefing, a figure,
``summary.json`` or the national overview:

1. **Primary suppression** — a cell about fewer than ``min_n`` respondents is hidden.
2. **Complementary suppression** — where a parent cell is the sum of its
   children (``alle`` = ``stab`` + ``borgernaer``; ``borgernaer`` = its
   fagområder), the hidden children together must cover at least ``min_n``
   respondents, or arithmetic on what is shown gives them away
   (alle·n − borgernær·n = stab·n). While they do not, the smallest shown
   child is hidden too. This is the rule the Danish leadership-evaluation
   practice states: a suppressed unit may roll up only when the hidden count
   is itself at least the threshold.

A suppressed cell keeps its key and the reason, never its numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

__all__ = ["DEFAULT_MIN_N", "hidden_children", "suppress", "GROUP_HIERARCHY", "REASONS"]

DEFAULT_MIN_N = 5
GROUP_HIERARCHY: Mapping[str, Sequence[str]] = {"alle": ("stab", "borgernaer")}
REASONS = {
    "few": "færre end {min_n} svar",
    "complement": "skjult, så en skjult gruppe ikke kan regnes ud",
    "empty": "ingen svar",
}


def hidden_children(parent_n: int, children: Mapping[str, int], min_n: int) -> dict[str, str]:
    """Which children of one parent cell to hide, and why.

    Parameters
    ----------
    parent_n
        Respondents in the parent cell (the sum of the children's).
    children
        Respondents per child cell.
    min_n
        The threshold.

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
    """
    hidden = {c: ("empty" if n == 0 else "few") for c, n in children.items() if n < min_n}
    if parent_n < min_n:  # the parent is hidden too, so nothing can be subtracted from it
        return {c: hidden.get(c, "complement") for c in children}
    while 0 < sum(children[c] for c in hidden) < min_n:
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
        Parent label → child labels. A family without its parent row is treated
        as a flat list: each cell is judged on its own count.

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
    for _, family in out.groupby(list(keys), observed=True, sort=False, dropna=False):
        labels = dict(zip(family[child], family.index, strict=True))
        for parent, kids in hierarchy.items():
            present = [k for k in kids if k in labels]
            if parent not in labels or not present:
                continue
            parent_n = int(counts[labels[parent]])
            verdict = hidden_children(parent_n, {k: int(counts[labels[k]]) for k in present}, min_n)
            for kid, why in verdict.items():
                if reason[labels[kid]] is None:
                    reason[labels[kid]] = why
    out["suppressed"] = reason.notna()
    out["suppression"] = reason
    hide = out["suppressed"]
    for col in (*values, n):
        out[col] = out[col].astype("float64" if col != n else "Int64").where(~hide)
    return out
