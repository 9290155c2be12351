"""Screened free-text examples for a kommune's summary — shown only where enough people wrote.

Free text is the one place a respondent's own words reach a briefing, so it is
held to the same threshold as every number (at least ``min_n`` writers), each
example is screened for names, e-mail addresses and phone numbers
(:mod:`fundament_lib.results.textscreen`), and a group whose respondent count is
hidden is not quoted at all.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from .privacy import reason_text
from .textscreen import ScreenedText, screen

__all__ = ["MAX_FREE_TEXTS", "free_text_section"]

MAX_FREE_TEXTS = 8


def free_text_section(texts: pd.DataFrame, code: str, wave: str, k: int, seed: int, *,
                      hidden: Collection[str] | None = None, total: int | None = None) -> dict[str, Any]:
    """Screened free-text examples — only where at least ``min_n`` people wrote one.

    Parameters
    ----------
    texts
        The free-text answers of every kommune (:func:`fundament_lib.analysis.descriptives.free_texts`).
    code, wave, k, seed
        The kommune, its wave, its threshold and its seed (the selection is reproducible).
    hidden
        The groups whose respondent count the kommune may not show (:meth:`Cells.hidden_groups`).
    total
        The kommune's shown number of respondents (``alle``), ``None`` where hidden.

    Returns
    -------
    dict
        ``n``
            Respondents who wrote an example — the count the threshold applies to; ``None``
            where fewer than ``min_n`` wrote or where it is withheld (below). It stays when
            every example was emptied by screening (nothing is shown then, but the count is safe).
        ``n_distinct``
            Different examples after screening: answers that read alike once names, numbers
            and tags are removed (whitespace and case aside) count once; ``None`` as ``n``.
        ``shown``
            A seeded random selection of at most :data:`MAX_FREE_TEXTS` of the distinct
            examples, in the order they were written — never two alike, so
            ``len(shown) <= n_distinct <= n``.
        ``removed``
            What screening removed from the shown examples: kind → how many times.
        ``suppressed``, ``suppression``
            Whether no example is shown, and why (Danish).

    Where the writers' group has its respondent count hidden (Læsø: 4 staff, 11 frontline
    leaders, both hidden), ``n`` and ``n_distinct`` are withheld — 11 writers would give
    15 − 11 = 4 staff away — and no example is shown: the briefing says the group's numbers
    are hidden, and quoting it would speak for it all the same (issue 13).
    """
    part = texts[(texts["kommunekode"] == code) & (texts["wave"] == wave)]
    n = int(part["respondent_id"].nunique())
    if n < k:
        return {"n": None, "n_distinct": None, "shown": [], "removed": {}, "suppressed": True,
                "suppression": f"færre end {k} har skrevet et eksempel" if n else "ingen har skrevet et eksempel"}
    distinct: dict[str, ScreenedText] = {}
    for s in (screen(t) for t in part["text"]):
        key = " ".join(s.text.split()).casefold()
        if key and key not in distinct:
            distinct[key] = s
    examples = list(distinct.values())
    withheld = bool(set(part["group"].astype(str)) & set(hidden or ()))
    # Quotes from a group whose count is hidden are not shown (a briefing that hides the group and then
    # quotes it would contradict itself, and the quotes are read as that group's voice).
    limit = MAX_FREE_TEXTS if not withheld else 0
    if limit < 1 or not examples:
        return {"n": None if withheld else n, "n_distinct": None if withheld else len(examples), "shown": [],
                "removed": {}, "suppressed": True,
                "suppression": reason_text("complement", k) if examples else "ingen eksempler tilbage efter rensning"}
    order = sorted(np.random.default_rng(seed).permutation(len(examples))[:limit])
    shown = [examples[i] for i in order]
    removed: dict[str, int] = {}
    for s in shown:
        for kind in s.removed:
            removed[kind] = removed.get(kind, 0) + 1
    return {"n": None if withheld else n, "n_distinct": None if withheld else len(examples),
            "shown": [s.text for s in shown], "removed": removed, "suppressed": False, "suppression": None}
