"""Theme and pejlemærke scores on 0–100, per respondent and per kommune × group.

Scoring rule (stated in every briefing):

* A Likert answer ``v`` on a 1–5 scale counts as ``(v − 1) / 4 × 100``;
  "Ved ikke" and blanks do not count (they are neither 0 nor the midpoint).
* A respondent's **theme score** is the mean of the theme's answered items,
  provided at least half of its items (rounded up) are answered; otherwise
  the respondent has no score on that theme.
* A respondent's **pejlemærke score** is the mean of their theme scores within
  the pejlemærke, provided at least half of its themes (rounded up) have one.
* A kommune's score for a group is the mean of its respondents' scores, ``n``
  the number of respondents with a score. ``alle`` pools both groups, so it
  weighs each respondent equally.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .framework import Framework

__all__ = [
    "SCORING_RULE",
    "RESPONDENT_COLUMNS",
    "respondents",
    "item_matrix",
    "to_0_100",
    "respondent_scores",
    "score_ids",
    "score_table",
]

SCORING_RULE = (
    "Svarene omregnes til 0–100 (laveste svarmulighed = 0, højeste = 100). En respondents temascore "
    "er gennemsnittet af de besvarede udsagn i temaet, hvis mindst halvdelen af udsagnene er besvaret; "
    "pejlemærkescoren er gennemsnittet af respondentens temascorer, hvis mindst halvdelen af temaerne "
    "har en score. «Ved ikke» og ubesvarede udsagn indgår ikke. Kommunens score er gennemsnittet over "
    "respondenterne; «alle» vægter hver respondent ens."
)
RESPONDENT_COLUMNS: tuple[str, ...] = (
    "kommunekode", "group", "wave", "fagomraade", "stabsfunktion", "ledelsesniveau",
)


def respondents(tidy: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent (index ``respondent_id``) with kommune, group, wave and background."""
    cols = [c for c in RESPONDENT_COLUMNS if c in tidy.columns]
    first = tidy.drop_duplicates("respondent_id").set_index("respondent_id")[cols]
    for col in cols:
        first[col] = first[col].astype("object").where(first[col].notna(), None)
    return first


def item_matrix(tidy: pd.DataFrame, item_ids: list[str]) -> pd.DataFrame:
    """Respondents × items of substantive answers (NaN where not answered substantively).

    Every respondent in ``tidy`` gets a row, and every requested item a column,
    even when nobody answered it.
    """
    rows = tidy[tidy["item_id"].isin(item_ids)]
    wide = rows.pivot_table(index="respondent_id", columns="item_id", values="value",
                            aggfunc="first", observed=True, dropna=False)
    index = pd.Index(tidy["respondent_id"].unique(), name="respondent_id")
    return wide.reindex(index=index, columns=item_ids).astype("float64")


def to_0_100(values: pd.DataFrame | np.ndarray, low: int, high: int) -> pd.DataFrame | np.ndarray:
    """Rescale answers on ``low``…``high`` to 0–100."""
    return (values - low) / (high - low) * 100.0


def score_ids(fw: Framework) -> list[tuple[str, str]]:
    """(id, level) of every score: the domains first, then the themes."""
    return [(d.id, fw.domain_level) for d in fw.domains] + [(t.id, "theme") for t in fw.themes()]


def respondent_scores(tidy: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Theme and domain scores (0–100) per respondent, with the respondent columns.

    Parameters
    ----------
    tidy
        The tidy answer table.
    fw
        The framework that defines themes, items and the scale.

    Returns
    -------
    pandas.DataFrame
        Index ``respondent_id``; the :data:`RESPONDENT_COLUMNS` present in
        ``tidy``; one float column per domain and theme id (NaN where the
        respondent has no score by the rule in the module docstring).
    """
    scale = fw.scales[fw.theme_scale]
    items = fw.theme_items()
    matrix = item_matrix(tidy, [i for ids in items.values() for i in ids])
    rev = [c for c in matrix.columns if c in fw.reversed_items()]
    matrix[rev] = scale.low + scale.high - matrix[rev]
    scaled = to_0_100(matrix, scale.low, scale.high)
    themes = pd.DataFrame({t: _mean_if_enough(scaled[ids]) for t, ids in items.items()})
    domains = pd.DataFrame({d.id: _mean_if_enough(themes[[t.id for t in d.themes]]) for d in fw.domains})
    return pd.concat([respondents(tidy).loc[matrix.index], domains, themes], axis=1)


def _mean_if_enough(block: pd.DataFrame) -> pd.Series:
    need = math.ceil(block.shape[1] / 2)
    enough = block.notna().sum(axis=1) >= need
    return block.mean(axis=1).where(enough)


def score_table(scores: pd.DataFrame, fw: Framework, *, by: tuple[str, ...] = ("kommunekode", "wave")
                ) -> pd.DataFrame:
    """Mean score and n per ``by`` × group (``alle``, ``stab``, ``borgernaer``) × score id.

    Parameters
    ----------
    scores
        Output of :func:`respondent_scores`.
    fw
        The framework (for the ids and levels).
    by
        Columns that identify a unit (kommune and wave by default).

    Returns
    -------
    pandas.DataFrame
        Long table: ``by`` columns, ``id``, ``level``, ``group``, ``n``,
        ``score``, ``sd``; ``score`` is NaN where ``n == 0``.
    """
    ids = score_ids(fw)
    cols = [i for i, _ in ids]
    level = dict(ids)
    parts = []
    for group, frame in (("alle", scores), *((g, scores[scores["group"] == g]) for g in ("stab", "borgernaer"))):
        grouped = frame.groupby(list(by), observed=True)[cols]
        stats = pd.concat({"n": grouped.count(), "score": grouped.mean(), "sd": grouped.std()}, axis=1)
        long = stats.stack(level=1, future_stack=True).reset_index()
        long = long.rename(columns={f"level_{len(by)}": "id"})
        parts.append(long.assign(group=group))
    table = pd.concat(parts, ignore_index=True)
    table["level"] = table["id"].map(level)
    table["n"] = table["n"].fillna(0).astype(int)
    return table[[*by, "id", "level", "group", "n", "score", "sd"]]
