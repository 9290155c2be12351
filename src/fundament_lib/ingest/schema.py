"""The tidy answer table — the spine every later step reads — and its schema.

One row per respondent × item. Columns:

================  ==========================================================
respondent_id     unique per respondent across the whole dataset
kommunekode       3-digit kommune code ("101" … "860")
group             ``stab`` or ``borgernaer``
wave              survey round label, e.g. ``"2025"``
fagomraade        background (borgernære ledere), may be empty
stabsfunktion     background (stab), may be empty
ledelsesniveau    background, may be empty
item_id           an ``item_id`` of the framework's codebook
value             the substantive answer as a number; empty otherwise
status            ``svar`` (answered), ``ved_ikke`` (a non-substantive
                  answer such as "Ved ikke"/"Ikke relevant") or
                  ``ubesvaret`` (skipped)
text              free-text answers (block ``free_text``), else empty
points            optional: K, the number of substantive points of the scale
                  the answer was given on (3–11), for ordered (Likert) items;
                  empty for tick boxes, numbers, text and for files written
                  before the column existed — then the framework's own scale
                  applies. ``value`` of such items is always coded 1..K,
                  1 being the scale's worst end, whatever the export's order.
================  ==========================================================

"Ved ikke" is kept as its own status: it never counts as a number.

:func:`validate_tidy` checks a table against the schema and reports every
problem at once; :func:`~.tidy_files.read_tidy` reads processed files back.
"""

from __future__ import annotations

import functools
import itertools
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.compute as pc
from pandera.engines.pandas_engine import Engine

from fundament_lib.core.errors import DataValidationError, Problem
from fundament_lib.core.kommuner import kommuner
from fundament_lib.core.values import CONTROL_MESSAGE

__all__ = [
    "TIDY_COLUMNS",
    "BACKGROUND_COLUMNS",
    "STATUSES",
    "tidy_schema",
    "respondent_schema",
    "with_str_columns",
    "validate_tidy",
    "passes",
    "sorted_runs",
    "UNKNOWN_KOMMUNE",
    "BAD_GROUP",
    "EMPTY_ID",
    "DUPLICATE_ID",
    "BAD_WAVE",
    "POINTS",
    "VALUE_OFF_POINTS",
]

BACKGROUND_COLUMNS: tuple[str, ...] = ("fagomraade", "stabsfunktion", "ledelsesniveau")
TIDY_COLUMNS: tuple[str, ...] = (
    "respondent_id", "kommunekode", "group", "wave", *BACKGROUND_COLUMNS,
    "item_id", "value", "status", "text", "points",
)
STATUSES: tuple[str, ...] = ("svar", "ved_ikke", "ubesvaret")
UNKNOWN_KOMMUNE = "unknown kommune code: not one of the 98 kommuner (codes run from 101 København to 860 Hjørring)"
BAD_GROUP = "group must be stab or borgernaer"
EMPTY_ID = "respondent id is empty or longer than 200 characters"
DUPLICATE_ID = "respondent id already used on an earlier row (the same respondent twice?)"
BAD_WAVE = "wave label must be 1–50 characters"
POINTS = "scale points must be 3–11"
VALUE_OFF_POINTS = "value is not a point of the item's scale (1 to points)"


_CONTROL_RE2 = r"[\x00-\x1f\x7f-\x9f]"  # values.CONTROL, spelled for pyarrow's RE2


def _per_distinct(fn: Callable[[pd.Series], object]) -> Callable[[pd.Series], pd.Series]:
    """A row check decided once per distinct value and spread to the rows; a missing value passes.

    A categorical column's categories are its distinct values; any other column
    is factorized first. ``fn`` gets the distinct values as a ``str`` Series and
    returns one boolean each. A national table's 18 million rows thus cost a
    check of a few hundred thousand ids (or five statuses), not of every row.
    """
    last: list[Any] = [None, None]  # (weak reference to the categories checked last, their verdicts)

    def check(values: pd.Series) -> pd.Series:
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
        elif isinstance(values.dtype, pd.StringDtype) and not values.hasnans:
            # every row at once: factorizing a column of distinct ids would cost more (and hold more) than it saves
            return pd.Series(np.asarray(fn(pd.Series(values.array, copy=False)), dtype=bool), index=values.index)
        else:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)  # a str column's uniques stay str
        if last[0] is not None and last[0]() is uniques:
            ok = last[1]  # the same categories again: the loader's chunks share the respondents' categories
        else:
            if isinstance(uniques.dtype, pd.StringDtype):
                distinct = pd.Series(uniques.array, copy=False)
            else:  # not numpy's str, which drops a trailing NUL
                distinct = pd.Series([str(u) for u in uniques], dtype="str")
            ok = np.append(np.asarray(fn(distinct), dtype=bool), True)  # code -1 (missing) takes the last
            if isinstance(uniques, pd.Index):
                last[:] = [weakref.ref(uniques), ok]
        return pd.Series(ok[codes], index=values.index)
    return check


def _check(fn: Callable[[pd.Series], object], error: str) -> pa.Check:
    """A vectorised pandera check of :func:`_per_distinct` ``fn``; missing values are the schema's ``nullable``'s
    business (``ignore_na=False`` spares pandera copying the column without them)."""
    return pa.Check(_per_distinct(fn), ignore_na=False, error=error)


def _no_control_in(values: pd.Series) -> np.ndarray:
    found = pc.match_substring_regex(pa_arrow.array(values.array), _CONTROL_RE2)
    return ~found.to_numpy(zero_copy_only=False)


def _no_control() -> pa.Check:
    """Refuses a control character (NUL, the rest of C0, DEL, C1) in an id, code, wave or group."""
    return _check(_no_control_in, CONTROL_MESSAGE)


def _isin(allowed: list[str], error: str) -> pa.Check:
    return _check(lambda v: v.isin(allowed).to_numpy(), error)


def _length(low: int, high: int, error: str) -> pa.Check:
    return _check(lambda v: v.str.len().between(low, high).to_numpy(), error)


def _is_text(values: pd.Series) -> bool:
    """Whether a column holds text (and missing values): ``str``, object of strings, or categories of strings."""
    if isinstance(values.dtype, pd.StringDtype):
        return True
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.cat.categories.to_series()
    return pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def _text(checks: list[pa.Check] | pa.Check | None = None, **kwargs: object) -> pa.Column:
    """A text column of the tidy table, in any of the dtypes :func:`_is_text` allows (the loader's are categorical)."""
    more = [checks] if isinstance(checks, pa.Check) else list(checks or [])
    return pa.Column(None, [pa.Check(_is_text, ignore_na=False, error="must be text"), *more], **kwargs)  # type: ignore[arg-type]


def respondent_schema() -> pa.DataFrameSchema:
    """The pandera schema of the respondent columns of a file being loaded (one row per respondent).

    Kommune codes must be one of the 98, the group ``stab`` or ``borgernaer``,
    the wave a short label, and a respondent id non-empty and not used on an
    earlier row (the later copy is the one reported).
    """
    codes = list(kommuner()["kommunekode"])
    return pa.DataFrameSchema(
        {
            "respondent_id": pa.Column(str, [
                _no_control(),
                _length(1, 200, EMPTY_ID),
                pa.Check(_first_use, error=DUPLICATE_ID),
            ]),
            "kommunekode": pa.Column(str, [_no_control(), _isin(codes, UNKNOWN_KOMMUNE)]),
            "group": pa.Column(str, [_no_control(), _isin(["stab", "borgernaer"], BAD_GROUP)]),
            "wave": pa.Column(str, [_no_control(), _length(1, 50, BAD_WAVE)]),
        },
        coerce=False,
    )


def _first_use(ids: pd.Series) -> pd.Series:
    """``True`` where an id is not used on an earlier row (``~ids.duplicated(keep="first")``).

    A ``str`` column is sorted by pyarrow (stably: each run of equal ids in row order) and every id
    equal to the one before it in that order is a later use: no hash table of a national file's ids,
    which costs pyarrow five times the ids' own size.
    """
    if not isinstance(ids.dtype, pd.StringDtype) or ids.hasnans or len(ids) < 2:
        return ~ids.duplicated(keep="first")
    order, starts = sorted_runs(pa_arrow.array(ids.array))
    ok = np.empty(len(ids), dtype=bool)
    ok[order] = starts  # the first of each run of equal ids, in row order, is its first use
    return pd.Series(ok, index=ids.index)


def sorted_runs(values: pa_arrow.Array) -> tuple[np.ndarray, np.ndarray]:
    """``values`` sorted by pyarrow (stably: equal values keep their row order), and where each
    run of equal values begins in that order.

    Returns
    -------
    order, starts
        Row positions in sorted order, and ``True`` where the value at that position differs from
        the one before it (the first is always ``True``). No hash table: for a national file's
        ids pyarrow's costs five times the ids' own size.
    """
    order = pc.array_sort_indices(values)
    ranked = values.take(order)
    starts = np.ones(len(values), dtype=bool)
    if len(values) > 1:
        starts[1:] = pc.not_equal(ranked[1:], ranked[:-1]).to_numpy(zero_copy_only=False)
    return order.to_numpy(), starts


def tidy_schema(item_ids: list[str] | None = None, *, filter_columns: bool = True) -> pa.DataFrameSchema:
    """The pandera schema of the tidy table; with ``item_ids`` it also checks item ids.

    ``filter_columns``: columns the schema does not know are left out of what
    ``validate`` returns (else they are let through).
    """
    return _tidy_schema(tuple(item_ids) if item_ids else None, filter_columns)


@functools.lru_cache(maxsize=4)
def _tidy_schema(item_ids: tuple[str, ...] | None, filter_columns: bool) -> pa.DataFrameSchema:
    """:func:`tidy_schema`, made once per codebook (its checks remember the categories they saw last)."""
    codes = list(kommuner()["kommunekode"])
    item_checks = [_isin(list(item_ids), "item_id not in the codebook")] if item_ids else []
    nullable_str = {c: _text(nullable=True, required=False) for c in BACKGROUND_COLUMNS}
    return pa.DataFrameSchema(
        {
            "respondent_id": _text([_no_control(), _length(1, 200, EMPTY_ID)]),
            "kommunekode": _text(_isin(codes, UNKNOWN_KOMMUNE)),
            "group": _text(_isin(["stab", "borgernaer"], BAD_GROUP)),
            "wave": _text([_no_control(), _length(1, 50, BAD_WAVE)]),
            **nullable_str,
            "item_id": _text(item_checks),
            "value": pa.Column(float, nullable=True),
            "status": _text(_isin(list(STATUSES), "unknown status")),
            "text": _text(nullable=True, required=False),
            "points": pa.Column("Int64", pa.Check(_points_in_range, ignore_na=False, error=POINTS), nullable=True,
                                required=False),
        },
        checks=[
            pa.Check(_once_per_respondent_and_item, error="duplicate answer: the same respondent and item twice"),
            pa.Check(lambda df: (df["status"] == "svar") | df["value"].isna(),
                     error="a value is given although the answer is not substantive"),
            pa.Check(_on_points, error=VALUE_OFF_POINTS),
        ],
        coerce=False,
        strict="filter" if filter_columns else False,
    )


def _points_in_range(points: pd.Series) -> pd.Series:
    """3 ≤ points ≤ 11 where given (missing passes)."""
    return points.between(3, 11).fillna(True).astype(bool) | points.isna()


def _once_per_respondent_and_item(df: pd.DataFrame) -> pd.Series:
    """``False`` on every row whose respondent and item another row has too.

    The loader's table (categorical, one item after another) is checked item by
    item on the respondents' codes, without the hash table of 18 million pairs
    that ``DataFrame.duplicated`` builds for a national file; any other table so.
    """
    rid, item = df["respondent_id"], df["item_id"]
    if isinstance(rid.dtype, pd.CategoricalDtype) and isinstance(item.dtype, pd.CategoricalDtype):
        items = item.cat.codes.to_numpy()
        bounds = [0, *(np.flatnonzero(items[1:] != items[:-1]) + 1), len(items)]
        if len(items) and len(bounds) - 1 == len(np.unique(items)):  # each item's rows one slice
            people = rid.cat.codes.to_numpy().astype(np.int64) % (len(rid.cat.categories) + 1)  # missing: own bin
            ok = np.ones(len(df), dtype=bool)
            for start, end in itertools.pairwise(bounds):
                counts = np.bincount(people[start:end], minlength=len(rid.cat.categories) + 1)
                ok[start:end] = counts[people[start:end]] == 1
            return pd.Series(ok, index=df.index)
    return ~df.duplicated(["respondent_id", "item_id"], keep=False)


def _on_points(df: pd.DataFrame) -> pd.Series:
    """Values of an item with ``points`` K are whole numbers 1..K (coded worst-first)."""
    if "points" not in df.columns:
        return pd.Series(True, index=df.index)
    points = pd.to_numeric(df["points"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    value = df["value"].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ok = (value >= 1) & (value <= points) & (value == np.floor(value))
    return pd.Series(np.isnan(points) | np.isnan(value) | ok, index=df.index)


def validate_tidy(
    df: pd.DataFrame,
    *,
    file: str,
    item_ids: list[str] | None = None,
    row_of: Callable[[object], int | None] | None = None,
) -> pd.DataFrame:
    """Validate a tidy table lazily; report every problem at once.

    Parameters
    ----------
    df
        The tidy table.
    file
        Name of the source, used in every problem.
    item_ids
        Allowed item ids (the codebook's), or ``None`` not to check them.
    row_of
        Maps an index label of ``df`` to the row number in the source file.

    Raises
    ------
    DataValidationError
        With one :class:`~fundament_lib.core.errors.Problem` per failing cell.
    """
    try:
        known = [c for c in df.columns if c in TIDY_COLUMNS]
        df = df if len(known) == df.shape[1] else df[known]
        schema, checked = tidy_schema(item_ids, filter_columns=False), _as_str(df)
        if not passes(schema, checked):  # pandera again, for its report of every failing cell
            # inplace: the schema coerces nothing, and a copy of a national table costs hundreds of MB
            schema.validate(checked, lazy=True, inplace=True)
        return df
    except pa.errors.SchemaErrors as exc:
        raise DataValidationError(_problems(exc.failure_cases, file, row_of), file=file) from None


def passes(schema: pa.DataFrameSchema, df: pd.DataFrame) -> bool:
    """Whether ``df`` passes ``schema``: each check's own function on whole columns, no failure cases gathered.

    Pandera's machinery around the (vectorised) checks costs more than the checks on a loader's chunk of
    300,000 rows. ``True`` only where pandera's ``validate`` passes too: a check that pandera gives only the
    non-missing values (``ignore_na``) gets them all here, so it can only fail more; a kind of check not
    handled here fails. On ``False`` the caller validates with pandera, which reports every failing cell.
    """
    for name, column in schema.columns.items():
        if name not in df.columns:
            if column.required:
                return False
            continue
        values = df[name]
        if column.dtype is not None and not _all_true(column.dtype.check(Engine.dtype(values.dtype), values)):
            return False
        if not column.nullable and values.isna().any():
            return False
        if not all(_holds(check, values) for check in column.checks):
            return False
    return all(_holds(check, df) for check in schema.checks)


def _holds(check: pa.Check, data: pd.Series | pd.DataFrame) -> bool:
    """Whether a vectorised check is true of every row (or returns ``True``)."""
    if check.element_wise or check.groupby is not None:
        return False
    try:
        out = check._check_fn(data, **check._check_kwargs)
    except Exception:  # pandera reports what a check raises on: it decides
        return False
    return _all_true(out)


def _all_true(verdict: object) -> bool:
    """A check's verdict, one or one per row, is ``True`` throughout (a missing one, of dtype object: not)."""
    if isinstance(verdict, (bool, np.bool_)):
        return bool(verdict)
    found = np.asarray(verdict)
    return found.dtype == bool and bool(found.all())


def _as_str(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its object columns of text (and missing values) as ``str``: pandera checks those per column,
    object columns cell by cell (seconds on a national file). Other object columns stay, for the schema to refuse."""
    text = [c for c in df.columns if df[c].dtype == object
            and pd.api.types.infer_dtype(df[c], skipna=True) in ("string", "empty")]
    return df.astype(dict.fromkeys(text, "str")) if text else df


def _problems(cases: pd.DataFrame, file: str, row_of: Callable[[object], int | None] | None
              ) -> list[Problem]:
    out = []
    for case in cases.itertuples(index=False):
        idx = case.index
        row = row_of(idx) if (row_of and pd.notna(idx)) else None
        column = case.column if isinstance(case.column, str) else None
        message = str(case.check)
        out.append(Problem(file, row, column, case.failure_case, message))
    return out

def with_str_columns(df: pd.DataFrame, *, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """``df`` with its categorical columns (as the loader writes text columns) as ``str``, except ``keep``."""
    cats = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype) and c not in keep]
    return df.astype(dict.fromkeys(cats, "str")) if cats else df

