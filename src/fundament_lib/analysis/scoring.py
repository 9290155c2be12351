"""Theme and pejlemærke scores on 0–100, per respondent and per kommune × group.

Scoring rule (stated in every briefing):

* An answer ``v`` on a scale of ``K`` points coded ``1..K`` (1 the worst end)
  counts as ``(v − 1) / (K − 1) × 100``; on the framework's own scale
  (the tidy table's ``points`` empty) ``(v − low) / (high − low) × 100``.
  Each answer is scored on the scale it was given on, so the items of one theme
  may come from scales of different lengths. Reversed items are turned round on
  their own scale first. "Ved ikke" and blanks do not count (they are neither 0
  nor the midpoint).
* A respondent's **theme score** is the mean of the theme's answered items,
  provided at least half (rounded up) of the theme's items *that their survey
  asked* are answered; otherwise the respondent has no score on that theme.
  The survey is the kommune × wave × group: an item is asked when the data hold a
  row for it there, answered or not.
* A respondent's **pejlemærke score** is the mean of their theme scores within
  the pejlemærke, provided at least half (rounded up) of the pejlemærke's themes
  that their survey asked have one.
* A kommune's score for a group is the mean of its respondents' scores, ``n``
  the number of respondents with a score. ``alle`` pools both groups, so it
  weighs each respondent equally.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fundament_lib.framework.model import Framework

__all__ = [
    "SCORING_RULE",
    "RESPONDENT_COLUMNS",
    "SURVEY",
    "respondents",
    "item_matrix",
    "to_0_100",
    "answer_points",
    "answer_scores",
    "scored_items",
    "asked_items",
    "respondent_scores",
    "score_ids",
    "score_table",
]

SCORING_RULE = (
    "Svarene omregnes til 0–100 på den skala, de er givet på (laveste svarmulighed = 0, højeste = 100; på "
    "en skala med K trin tæller trin v som (v − 1)/(K − 1) × 100). En respondents temascore er "
    "gennemsnittet af de besvarede udsagn i temaet, hvis mindst halvdelen af de udsagn, målingen stillede, "
    "er besvaret; pejlemærkescoren er gennemsnittet af respondentens temascorer, hvis mindst halvdelen af "
    "de temaer, målingen stillede, har en score. «Ved ikke» og ubesvarede udsagn indgår ikke. Kommunens "
    "score er gennemsnittet af de enkelte lederes scorer; «alle» vægter hver leder ens."
)
RESPONDENT_COLUMNS: tuple[str, ...] = (
    "kommunekode", "group", "wave", "fagomraade", "stabsfunktion", "ledelsesniveau",
)
SURVEY: tuple[str, ...] = ("kommunekode", "wave", "group")  # who was asked the same questions


def respondents(tidy: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent (index ``respondent_id``) with kommune, group, wave and background."""
    cols = [c for c in RESPONDENT_COLUMNS if c in tidy.columns]
    first = tidy.drop_duplicates("respondent_id").set_index("respondent_id")[cols]
    for col in cols:
        first[col] = first[col].astype("object").where(first[col].notna(), None)
    return first


def item_matrix(tidy: pd.DataFrame, item_ids: list[str], *, values: pd.Series | None = None) -> pd.DataFrame:
    """Respondents × items of substantive answers (NaN where not answered substantively).

    Every respondent in ``tidy`` gets a row, and every requested item a column,
    even when nobody answered it.

    Parameters
    ----------
    tidy
        The tidy answer table.
    item_ids
        The columns, in order.
    values
        Per row of ``tidy``, the number to put in the matrix (default ``tidy["value"]``),
        e.g. :func:`answer_scores`.
    """
    index = pd.Index(pd.unique(tidy["respondent_id"]), name="respondent_id")
    out = np.full((len(index), len(item_ids)), np.nan)
    column = _positions(tidy["item_id"], pd.Index(item_ids))
    keep = column >= 0
    row = index.get_indexer(tidy["respondent_id"][keep])
    source = tidy["value"] if values is None else values
    out[row, column[keep]] = source.to_numpy(dtype="float64", na_value=np.nan)[keep]
    return pd.DataFrame(out, index=index, columns=pd.Index(item_ids, name="item_id"))


def to_0_100(values: pd.DataFrame | np.ndarray, low: int, high: int) -> pd.DataFrame | np.ndarray:
    """Rescale answers on ``low``…``high`` to 0–100."""
    return (values - low) / (high - low) * 100.0


def _ordered_scales(fw: Framework) -> pd.DataFrame:
    """Per ordered (Likert) item of the codebook: its framework scale's ``low`` and ``high`` and
    whether it is scored in reverse."""
    cb = fw.codebook()
    likert = {name for name, s in fw.scales.items() if s.kind == "likert"}
    cb = cb[cb["scale"].isin(likert)]
    return pd.DataFrame({"low": [fw.scales[s].low for s in cb["scale"]],
                         "high": [fw.scales[s].high for s in cb["scale"]],
                         "reverse": cb["reverse"].eq("ja").to_numpy()}, index=pd.Index(cb["item_id"]))


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each row's code (−1 for a missing value) and the labels the codes point to: a categorical's
    own codes, else a factorisation — so a lookup per row is one lookup per distinct value."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), pd.Index(column.cat.categories.astype(str))
    codes, labels = pd.factorize(column)
    return np.asarray(codes), pd.Index(labels.astype(str))


def _take(codes: np.ndarray, table: np.ndarray, missing: float | int) -> np.ndarray:
    """``table[codes]`` with ``missing`` where a code is −1."""
    if not len(table):
        return np.full(len(codes), missing)
    return np.where(codes >= 0, table[np.maximum(codes, 0)], missing)


def _positions(column: pd.Series, labels: pd.Index) -> np.ndarray:
    """Each row's position in ``labels`` (−1 where absent)."""
    codes, own = _codes(column)
    return _take(codes, np.asarray(labels.get_indexer(own)), -1)


def _per_row(item: pd.Series, values: pd.Series, codes: tuple[np.ndarray, pd.Index] | None = None) -> pd.Series:
    """``values`` (indexed by item id) looked up for every row's item; NaN for other items.
    ``codes`` reuses :func:`_codes` of ``item`` across lookups."""
    row_codes, labels = codes if codes is not None else _codes(item)
    table = values.reindex(labels).to_numpy(dtype="float64")
    return pd.Series(_take(row_codes, table, np.nan), index=item.index)


def answer_points(tidy: pd.DataFrame, fw: Framework) -> pd.Series:
    """K, the number of points of the scale each row's item was asked on (NaN for items that are
    not ordered): the ``points`` column where given, else the framework's own scale."""
    scales = _ordered_scales(fw)
    own = _per_row(tidy["item_id"], scales["high"] - scales["low"] + 1)
    if "points" not in tidy.columns:
        return own.rename("points")
    given = tidy["points"].astype("Float64").astype("float64")
    if given.notna().any():  # a blank or "Ved ikke" row without points: the scale its survey asked on
        keys = [tidy[c].astype("object") for c in (*SURVEY, "item_id")]
        given = given.fillna(given.groupby(keys, observed=True, dropna=False).transform("max"))
    return given.where(given.notna() & own.notna(), own).rename("points")


def answer_scores(tidy: pd.DataFrame, fw: Framework) -> pd.Series:
    """Each substantive answer to an ordered item on 0–100, on the scale it was given on.

    ``(v − 1)/(K − 1)·100`` for a row with ``points`` ``K`` (values coded 1..K, worst
    first), ``(v − low)/(high − low)·100`` on the framework's own scale; reversed items
    are turned round on that same scale (``low + high − v``) first. NaN for rows that
    are not a substantive answer to an ordered item.
    """
    scales = _ordered_scales(fw)
    codes = _codes(tidy["item_id"])
    low = _per_row(tidy["item_id"], scales["low"].astype("float64"), codes)
    high = _per_row(tidy["item_id"], scales["high"].astype("float64"), codes)
    if "points" in tidy.columns:
        k = tidy["points"].astype("Float64").astype("float64")
        given = k.notna() & low.notna()
        low, high = low.where(~given, 1.0), high.where(~given, k)
    value = tidy["value"].astype("float64").where((tidy["status"] == "svar").to_numpy())
    reverse = _per_row(tidy["item_id"], scales["reverse"].astype("float64"), codes).fillna(0).astype(bool)
    value = value.where(~reverse, low + high - value)
    return ((value - low) / (high - low) * 100.0).rename("score")


def asked_items(tidy: pd.DataFrame) -> pd.DataFrame:
    """The items each survey (kommune × wave × group) asked: one row per survey × item with a row
    in the data, answered or not."""
    cols = [*SURVEY, "item_id"]
    out = tidy[cols].drop_duplicates().astype({c: "object" for c in cols})
    return out.reset_index(drop=True)


def scored_items(tidy: pd.DataFrame, fw: Framework, item_ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondents × items on 0–100 (:func:`answer_scores`), and whether each respondent's
    survey (kommune × wave × group) asked each item.

    Returns
    -------
    scores, asked
        Two frames indexed by ``respondent_id`` (every respondent in ``tidy``, in order of first
        appearance) with ``item_ids`` as columns: the 0–100 scores (NaN where not answered
        substantively) and booleans.
    """
    person, ids = pd.factorize(tidy["respondent_id"])
    column = _positions(tidy["item_id"], pd.Index(item_ids))
    keep = column >= 0
    values = np.full((len(ids), len(item_ids)), np.nan)
    values[person[keep], column[keep]] = answer_scores(tidy, fw).to_numpy()[keep]
    # The survey of every row as one code; a survey asked an item when any of its rows is the item's.
    survey = np.zeros(len(tidy), dtype=np.int64)
    for col in SURVEY:
        codes, labels = _codes(tidy[col])
        survey = survey * (len(labels) + 1) + (codes + 1)
    survey_code, surveys = pd.factorize(survey)
    asked = np.zeros((len(surveys), len(item_ids)), dtype=bool)
    asked[survey_code[keep], column[keep]] = True
    first = np.full(len(ids), -1)
    first[person[::-1]] = np.arange(len(tidy))[::-1]  # each respondent's first row
    mask = asked[survey_code[first]] if len(ids) else np.zeros((0, len(item_ids)), dtype=bool)
    index = pd.Index(ids, name="respondent_id")
    columns = pd.Index(item_ids, name="item_id")
    return pd.DataFrame(values, index=index, columns=columns), pd.DataFrame(mask, index=index, columns=columns)


def score_ids(fw: Framework) -> list[tuple[str, str]]:
    """(id, level) of every score: the domains first, then the themes."""
    return [(d.id, fw.domain_level) for d in fw.domains] + [(t.id, "theme") for t in fw.themes()]


def respondent_scores(tidy: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Theme and domain scores (0–100) per respondent, with the respondent columns.

    Parameters
    ----------
    tidy
        The tidy answer table (an optional ``points`` column gives each answer's scale).
    fw
        The framework that defines themes, items and the scales.

    Returns
    -------
    pandas.DataFrame
        Index ``respondent_id``; the :data:`RESPONDENT_COLUMNS` present in
        ``tidy``; one float column per domain and theme id (NaN where the
        respondent has no score by the rule in the module docstring).
    """
    items = fw.theme_items()
    scores, asked = scored_items(tidy, fw, [i for ids in items.values() for i in ids])
    values, mask = scores.to_numpy(), asked.to_numpy()
    position = {i: j for j, i in enumerate(scores.columns)}
    theme_values, theme_asked = {}, {}
    for t, ids in items.items():
        cols = [position[i] for i in ids]
        theme_values[t] = _mean_if_enough(values[:, cols], mask[:, cols])
        theme_asked[t] = mask[:, cols].any(axis=1)
    domains = {d.id: _mean_if_enough(np.column_stack([theme_values[t.id] for t in d.themes]),
                                     np.column_stack([theme_asked[t.id] for t in d.themes])) for d in fw.domains}
    return pd.concat([respondents(tidy).loc[scores.index],
                      pd.DataFrame({**domains, **theme_values}, index=scores.index)], axis=1)


def _mean_if_enough(block: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """Row means of ``block`` where at least half (rounded up) of the asked columns have a value."""
    n_asked = asked.sum(axis=1)
    answered = (~np.isnan(block)).sum(axis=1)
    enough = (n_asked > 0) & (answered >= np.ceil(n_asked / 2))
    mean = np.divide(np.nansum(block, axis=1), answered, out=np.full(len(block), np.nan), where=answered > 0)
    return np.where(enough, mean, np.nan)


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
