"""What one kommune's files may show of the other kommuner.

A briefing compares its kommune with the others, but it is handed to that kommune alone
(see :mod:`fundament_lib.run.bundles`), so nothing in it may attach a value to another kommune:

* **The national distribution** (:func:`national_view`): per score id, the other kommuner's
  shown scores, rounded as the briefing prints them and sorted by value. The position of a
  value says nothing about whose it is, and nothing ties a value of one id to a value of
  another (no kommune's values are grouped or kept in a common order). The kommune's own
  value stands apart, marked as its own.
* **Comparisons among at least** ``min_n`` **others** (:func:`enough_others`): a rank, a
  percentile, a count or a distribution over a set of kommuner — all of them, the region,
  the kommunegruppe — is shown only where the set holds at least ``min_n`` kommuner besides
  this one. «Nr. 3 af 3 storbykommuner» says that both other storbykommuner score higher.
* **Names only by agreement** (:func:`nameable`): another kommune is named only where both
  have ``share_names`` (a data-sharing agreement), by the same rule everywhere (the
  national field, bench-learning), and only while the kommuner left anonymous on every
  score id are none or at least ``min_n`` — a distribution with all but one value named
  gives that one away.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = ["SCORE_DIGITS", "shown_value", "enough_others", "nameable", "national_view", "rounded_by_id",
           "mask_comparisons", "COMPARISON_SCOPES"]

SCORE_DIGITS = 0  # a briefing prints scores as whole numbers (fmt_num's default)
# Benchmark columns per set of kommuner compared with: the suffix and the column holding the set's size.
COMPARISON_SCOPES = (("", "n_kommuner"), ("_region", "n_region"), ("_kommunegruppe", "n_kommunegruppe"))


def shown_value(x: object) -> int | None:
    """A score as a briefing prints it (a whole number; ``None`` for a missing one).

    Rounds like :func:`fundament_lib.core.fmt.fmt_num` (Python's ``format``: half to even on the
    binary value), so a value here equals the printed one.
    """
    if x is None or pd.isna(x):
        return None
    return int(f"{float(x):.{SCORE_DIGITS}f}")  # type: ignore[arg-type]


def enough_others(n_in_set: object, min_n: int) -> bool:
    """Whether a comparison over a set of ``n_in_set`` kommuner (this one included) may be shown:
    only where at least ``min_n`` of them are other kommuner."""
    if n_in_set is None or pd.isna(n_in_set):
        return False
    return int(n_in_set) - 1 >= min_n  # type: ignore[call-overload]


def nameable(code: str, share_names: Mapping[str, bool]) -> frozenset[str]:
    """The other kommuner this kommune's files may name: none unless it has ``share_names``,
    and then those that have it too (both sides of a data-sharing agreement).

    Parameters
    ----------
    code
        The kommune whose files these are.
    share_names
        Kommune code → its ``share_names`` parameter (every kommune in the data).
    """
    if not share_names.get(code, False):
        return frozenset()
    return frozenset(c for c, share in share_names.items() if share and c != code)


Rounded = list[tuple[str, list[Any], list[int | None]]]


def rounded_by_id(national: pd.DataFrame) -> Rounded:
    """Per score id (in the order of ``national``): the kommuner and their shown values — what
    :func:`national_view` reads for every kommune, worked out once."""
    return [(str(sid), part["kommunekode"].tolist(), [shown_value(v) for v in part["score"].tolist()])
            for sid, part in national.groupby("id", sort=False)]


def national_view(national: pd.DataFrame, code: str, *, min_n: int, names: Collection[str] = (),
                  ref: pd.DataFrame | None = None, rounded: Rounded | None = None) -> dict[str, Any]:
    """The ``national`` field of one kommune's summary (see the module docstring).

    Parameters
    ----------
    national
        Every kommune's shown ``alle`` scores: ``kommunekode``, ``id``, ``score``, ids in the
        order to report them.
    code
        The kommune whose summary this is.
    min_n
        Its threshold: a distribution of fewer other kommuner is left out.
    names
        The other kommuner it may name (:func:`nameable`).
    ref
        The kommune reference table (``navn``), needed when ``names`` is not empty.
    rounded
        :func:`rounded_by_id` of ``national``, when the caller builds many kommuner's views.

    Returns
    -------
    dict
        ``n_kommuner`` (kommuner with a shown score, this one included), ``digits`` (the
        rounding), ``scores`` (per id: ``id``, ``own``, ``n_others``, ``others`` — ascending,
        empty where ``n_others < min_n``) and ``named`` (per named kommune: ``kommunekode``,
        ``kommune``, ``scores`` id → value; empty unless names may be shared).
    """
    rows = []
    for sid, codes, values in rounded if rounded is not None else rounded_by_id(national):
        own = [v for c, v in zip(codes, values, strict=True) if c == code]
        others = sorted(v for c, v in zip(codes, values, strict=True) if c != code and v is not None)
        shown = len(others) >= min_n
        rows.append({"id": sid, "own": own[0] if own else None, "n_others": len(others),
                     "others": others if shown else []})
    return {"n_kommuner": int(national["kommunekode"].nunique()), "digits": SCORE_DIGITS, "scores": rows,
            "named": _named(national, code, rows, min_n=min_n, names=names, ref=ref)}


def _named(national: pd.DataFrame, code: str, rows: list[dict[str, Any]], *, min_n: int, names: Collection[str],
           ref: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The named kommuner's values: only on ids whose distribution is shown, and none at all where
    some id would leave between 1 and ``min_n − 1`` kommuner anonymous."""
    if not names:
        return []
    shown_ids = [r["id"] for r in rows if r["others"]]
    part = national[national["id"].isin(shown_ids) & (national["kommunekode"] != code)]
    named = sorted(set(names) & set(part["kommunekode"]))
    if not named or ref is None:
        return []
    anonymous = part[~part["kommunekode"].isin(named)].groupby("id")["kommunekode"].nunique()
    if any(0 < anonymous.get(i, 0) < min_n for i in shown_ids):
        return []
    out = []
    for c in named:
        mine = part[part["kommunekode"] == c]
        out.append({"kommunekode": c, "kommune": str(ref.loc[c, "navn"]),
                    "scores": {str(r.id): shown_value(r.score) for r in mine.itertuples(index=False)}})
    return out


def mask_comparisons(rows: Iterable[dict[str, Any]], min_n: int) -> list[dict[str, Any]]:
    """Benchmark records with the rank, percentile and rank interval left out (``None``) for every
    set of kommuner holding fewer than ``min_n`` others; the set's size stays (it says why)."""
    out = []
    for row in rows:
        row = dict(row)
        for suffix, size in COMPARISON_SCOPES:
            if size in row and not enough_others(row[size], min_n):
                for key in (f"rank{suffix}", f"percentile{suffix}", f"rank{suffix}_ci_low", f"rank{suffix}_ci_high"):
                    if key in row:
                        row[key] = None
        out.append(row)
    return out
