"""From a source table and its column plan to the validated tidy table.

Every loader ends here. The steps, each reporting problems with file, row,
column and value:

1. respondent columns: kommune, group and wave come from the file or from
   the options (``--kommune``/``--group``/``--wave``); a file column wins and a
   conflicting option refuses the file. Without either, the wave is the month
   of the responses' completion times where the file has them (:mod:`.waves`).
   Values are normalised (kommune names, group wording), then validated by the
   pandera respondent schema (:func:`~.schema.respondent_schema`), which also
   refuses a respondent id used twice. Without an id column, ids are made up
   and rows with identical answers stay different respondents (an anonymous
   export cannot tell them apart; the provenance counts them);
2. answer columns are read against their items' scales (:mod:`.columns`):
   ordered items coded ``1..K`` worst-first with ``points`` = K, tick-box
   groups (Forms) and background answers mapped to codes;
3. the tidy table is validated by the pandera tidy schema.

In strict mode any problem refuses the file. In lenient mode a column whose
labels cannot be read — an unknown or doubtful label, an answer off its scale —
is dropped *whole*, never part of an item's answers (dropping only the answers
it cannot read would shift the item's distribution); a bad cell of a number or
free-text item is dropped alone; a respondent whose kommune, group, wave or id
is bad is dropped whole; and every drop is listed in
:attr:`IngestResult.dropped`. A conflict between an option and the file, or
missing kommune/group (or a wave that cannot be found), refuses the file in
both modes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.arrays import ArrowStringArray

from fundament_lib.core.errors import DataFileError, DataValidationError, Problem

from .cells import as_cells, distinct_cells
from .codebook import Codebook
from .columns import LongPart, choice_parts, item_parts, read_background
from .plan import ColumnPlan
from .problems import Report, Scope
from .readers import SourceTable, blank_frame
from .respondents import (
    CONFLICT,
    GROUP_SYNONYMS,
    MISSING_INFO,
    NO_WAVE,
    prefixed_ids,
    read_respondents,
)
from .schema import STATUSES, TIDY_COLUMNS, sorted_runs, validate_tidy
from .sink import FrameSink, TidySink

__all__ = ["IngestOptions", "IngestResult", "Scope", "assemble", "GROUP_SYNONYMS", "NO_MATCH", "FEW_MATCH",
           "NO_ANSWERS", "CONFLICT", "MISSING_INFO", "NO_WAVE", "NOTHING_LEFT"]

NO_MATCH = "no column matches an item of the codebook ({n} columns read) — the right framework or codebook?"
FEW_MATCH = ("only {k} of {n} question columns match the codebook of {fw} — the right framework or codebook? "
             "(--framework, --codebook)")
NO_ANSWERS = "no respondent has answered any item of the codebook"
NOTHING_LEFT = "--lenient dropped every answer column that matched the codebook: nothing is left to load"
_MIN_FOR_PATTERN = 5


@dataclass(frozen=True)
class IngestOptions:
    """What the user supplied beside the file.

    Attributes
    ----------
    kommune, group, wave
        Values for files without such a column (already normalised).
    strict
        Refuse the file on any problem (default) or drop what is bad.
    default_wave
        A wave to use when neither the file nor ``wave`` gives one (``None``:
        refuse such a file).
    id_prefix
        Prefix respondent ids with kommune, group and wave so that ids from
        several files cannot collide.
    source_tag
        Short hash of the source, part of made-up respondent ids.
    tag_ids
        Put ``source_tag`` into every id as well: for tools that number each
        survey's responses 1, 2, 3 … (Microsoft Forms), so that two forms for
        the same kommune, group and wave cannot collide.
    """

    kommune: str | None = None
    group: str | None = None
    wave: str | None = None
    strict: bool = True
    default_wave: str | None = None
    id_prefix: bool = True
    source_tag: str = ""
    tag_ids: bool = False


@dataclass
class IngestResult:
    """A loaded file: the tidy data, the cells dropped (lenient mode), and provenance.

    ``data`` is ``None`` when the table went to a sink of its own (a Parquet file, see :mod:`.sink`).
    """

    data: pd.DataFrame | None
    dropped: list[Problem] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)


def assemble(table: SourceTable, plan: ColumnPlan, codebook: Codebook, options: IngestOptions, *,
             issues: list[tuple[Problem, Scope]] | None = None, bad_rows: pd.Series | None = None,
             sink: TidySink | None = None) -> IngestResult:
    """Turn a planned source table into the validated tidy table.

    Parameters
    ----------
    table, plan, codebook, options
        The rows, what each column is, the items' scales, and the user's choices.
    issues, bad_rows
        Problems a format adapter found before (the long format's, say), and
        the rows they make unusable (a boolean Series on ``table.data.index``).
    sink
        Where the validated tidy table goes, chunk by chunk (:mod:`.sink`); by
        default it is kept in memory and returned as ``data``. With a sink of
        its own (a :class:`~.sink.ParquetSink`), ``data`` is ``None``.

    Raises
    ------
    DataFileError
        When no column matches the codebook or no respondent answered anything.
    DataValidationError
        With every problem at once (strict mode), or the problems that refuse
        a file in any mode.
    """
    rep = Report(table.file, issues=list(issues or []))
    data = table.data
    for col, message in plan.unknown.items():
        rep.add("column", None, col, None, message)
    answer_cols = [*plan.items, *plan.choices]
    if not answer_cols:
        raise DataFileError(f"{table.file}: " + NO_MATCH.format(n=data.shape[1]))
    if len(plan.unknown) >= 5 and len(plan.unknown) > 2 * len(answer_cols):
        few = FEW_MATCH.format(k=len(answer_cols), n=len(answer_cols) + len(plan.unknown),
                               fw=codebook.framework.id)
        if options.strict:  # the likely cause of the unknown columns, said first
            rep.fatal.append(Problem(table.file, None, None, None, few))
        else:
            rep.notes["few_match"] = few
    data = data.copy(deep=False)
    for col in dict.fromkeys(answer_cols):  # each answer column's distinct cells once: codes per row from here on
        data[col] = as_cells(data[col])
    blank = blank_frame(data[answer_cols])
    answered = ~blank.all(axis=1)
    empty_rows = int((~answered).sum())
    if empty_rows:  # else no copy of every column: all rows stay
        data, blank = data[answered], blank[answered]
    if data.empty:
        raise DataFileError(f"{table.file}: {NO_ANSWERS}")
    people = read_respondents(table, data, plan, codebook, options, rep)
    ids, made_up = people.table, people.made_up
    row_bad = pd.Series(people.bad, index=ids.index)
    if bad_rows is not None:
        row_bad |= bad_rows.reindex(row_bad.index, fill_value=False).astype(bool)
    background = Report(table.file)  # its problems are listed after the items', as they always were
    read_background(table, data, ids, plan, codebook, background)
    keep = ~row_bad.to_numpy(dtype=bool)
    identical = _identical_patterns(data[answer_cols], blank, keep)
    del blank  # a bool per cell: not to be held while the chunks are made
    kept = ids[keep]
    rows = _People(kept.assign(respondent_id=prefixed_ids(kept, options, made_up=made_up)), ~keep)
    n_kept = len(kept)
    del kept  # its prefixed ids live on as the chunks' categories
    pa.default_memory_pool().release_unused()  # the ids joined and sorted: else the allocator keeps them
    out = sink if sink is not None else FrameSink()
    parts = itertools.chain(item_parts(table, data, ids, plan, codebook, rep, strict=options.strict),
                            choice_parts(table, data, ids, plan, codebook, rep))
    answers = _stream(parts, rows, out, rep, file=table.file, item_ids=codebook.item_ids, strict=options.strict)
    rep.issues.extend(background.issues)
    rep.issues.sort(key=lambda x: (x[0].row is not None, x[0].row or 0))
    if not options.strict and not answers:
        rep.fatal.append(Problem(table.file, None, None, None, NOTHING_LEFT))
    if rep.fatal or (options.strict and rep.issues):
        raise DataValidationError([*rep.fatal, *(p for p, _ in rep.issues)], file=table.file)
    if out.rows == 0:  # every respondent dropped: an empty table, as a table
        out.write(_tidy([], rows))
    tidy = out.frame() if isinstance(out, FrameSink) else None
    dropped = [p for p, _ in rep.issues]
    prov: dict[str, Any] = {
        "rows_read": len(table.data), "empty_rows": empty_rows,
        "respondents": n_kept, "respondents_dropped": int(row_bad.sum()),
        "answers": int(out.rows), "cells_dropped": sum(1 for _, s in rep.issues if s == "cell"),
        "columns": dict(plan.items), "choice_columns": {c: list(v) for c, v in plan.choices.items()},
        "respondent_columns": dict(plan.roles), "ignored_columns": dict(plan.ignored),
        "respondent_ids_made_up": made_up,
        "identical_answer_patterns": identical,
        "supplied": {k: getattr(options, a) for k, a in (("kommunekode", "kommune"), ("group", "group"),
                                                           ("wave", "wave"))
                     if k not in plan.roles and getattr(options, a) is not None},
        "dropped_scope": [s for _, s in rep.issues],
        **rep.notes,
    }
    return IngestResult(tidy, dropped=dropped, provenance=prov)


def _identical_patterns(answers: pd.DataFrame, blank: pd.DataFrame, keep: np.ndarray) -> int:
    """Rows ``keep`` whose answers repeat an earlier such row's exactly (at least five answers, not all alike).

    Only counted, for the provenance: in an anonymous export two people may
    well give the same answers, so such rows are kept as different respondents.
    Each column's distinct cells are compared once (stripped, case-folded), the
    rows then column by column as codes (never a matrix of every cell: a
    national file's would be hundreds of MB).
    """
    if not keep.any():
        return 0
    distinct: dict[str, int] = {}  # one code per text across columns: "not all alike" compares columns

    def column(j: int) -> np.ndarray:  # the kept rows' cells as codes, -1 where blank
        local, uniques = distinct_cells(answers.iloc[:, j])
        table = np.array([distinct.setdefault(str(u).strip().casefold(), len(distinct)) for u in uniques] + [-1],
                         dtype=np.int64)
        return np.where(blank.iloc[:, j].to_numpy(dtype=bool), -1, table[local])[keep]

    n = int(keep.sum())
    filled = np.zeros(n, dtype=np.int32)
    low = np.full(n, np.iinfo(np.int64).max)
    high = np.full(n, -1, dtype=np.int64)
    for j in range(answers.shape[1]):
        cells = column(j)
        filled += cells >= 0
        low = np.minimum(low, np.where(cells < 0, low, cells))
        high = np.maximum(high, cells)
    rows = np.flatnonzero((filled >= _MIN_FOR_PATTERN) & (low != high))
    if not len(rows):
        return 0
    key = np.zeros(len(rows), dtype=np.int64)  # the row so far, as a code: pairs (key, cell) factorized
    for j in range(answers.shape[1]):
        key, _ = pd.factorize(key * (len(distinct) + 1) + column(j)[rows] + 1)
    return int(len(rows) - (key.max() + 1))


_ANSWER_COLUMNS = ("item_id", "value", "status", "text", "points")
_CHUNK_ROWS = 1 << 18  # rows of the tidy table made, validated and handed on at once


class _People:
    """The kept respondents' columns as categorical codes, made once and taken by every chunk.

    ``position`` maps each answered row to its row among the kept ones (-1: dropped).
    """

    def __init__(self, kept: pd.DataFrame, dropped: np.ndarray) -> None:
        self.position = np.where(dropped, -1, np.cumsum(~dropped) - 1).astype(np.int32)
        self.codes: dict[str, np.ndarray] = {}
        self.dtypes: dict[str, pd.CategoricalDtype] = {}
        for c in TIDY_COLUMNS:
            if c in _ANSWER_COLUMNS:
                continue
            if isinstance(kept[c].dtype, pd.StringDtype) and kept[c].array.dtype.storage == "pyarrow" \
                    and not kept[c].hasnans:
                column = _sorted_categorical(pa.array(kept[c].array))  # the prefixed ids: never Python strings
            else:
                codes, uniques = _codes(kept[c].to_numpy(dtype=object))
                column = _categorical(codes, uniques)
            self.codes[c], self.dtypes[c] = np.asarray(column.codes), column.dtype


def _stream(parts: Iterator[LongPart], people: _People, sink: TidySink, rep: Report, *, file: str,
            item_ids: list[str], strict: bool) -> int:
    """Read every part; hand the tidy rows on in validated chunks of whole items while the file is still good.

    Once a problem refuses the file (any problem in strict mode), the parts are
    still read — every problem is reported at once — but no longer handed on.
    Returns the number of answer rows read (of kept and dropped respondents).
    """
    batch: list[LongPart] = []
    size = answers = 0

    def flush() -> None:
        nonlocal batch, size
        if size:
            sink.write(validate_tidy(_tidy(batch, people), file=file, item_ids=item_ids))
        batch, size = [], 0

    for p in parts:
        answers += len(p)
        if rep.fatal or (strict and rep.issues):
            batch, size = [], 0
            continue
        batch.append(p)
        size += int((people.position[p.rows] >= 0).sum())
        if size >= _CHUNK_ROWS:
            flush()
    if not (rep.fatal or (strict and rep.issues)):
        flush()
    return answers


def _tidy(parts: list[LongPart], people: _People) -> pd.DataFrame:
    """The long rows of the kept respondents in ``parts`` with their respondent columns: one chunk.

    Every text column but the free text is a ``Categorical`` (the distinct
    values once, a small code per row), the free text a pandas ``str`` array
    taken by pyarrow: a national file's rows then cost about 25 bytes each
    rather than a Python string per cell. :func:`~.tidy_files.read_tidy` gives the
    same columns back.
    """
    if not parts:
        return pd.DataFrame(columns=list(TIDY_COLUMNS))
    keeps = [people.position[p.rows] >= 0 for p in parts]
    at = np.concatenate([people.position[p.rows][k] for p, k in zip(parts, keeps, strict=True)])
    sizes = [int(k.sum()) for k in keeps]
    frame: dict[str, Any] = {c: pd.Categorical.from_codes(people.codes[c][at], dtype=people.dtypes[c])
                             for c in people.codes}
    points = np.repeat(np.array([p.points or 0 for p in parts], dtype=np.int64), sizes)
    frame |= {
        "item_id": _categorical(np.repeat(np.arange(len(parts), dtype=np.int16), sizes), [p.item for p in parts]),
        "value": np.concatenate([p.value[k] for p, k in zip(parts, keeps, strict=True)]),
        "status": _categorical(np.concatenate([p.status[k] for p, k in zip(parts, keeps, strict=True)]), STATUSES),
        "text": _texts(parts, keeps),
        "points": pd.arrays.IntegerArray(points, points == 0),
    }
    return pd.DataFrame({c: frame[c] for c in TIDY_COLUMNS}, copy=False)


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (sorted, missing left out) and each value's code in the smallest integer type."""
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    dtype = np.int8 if len(uniques) < 2**7 else np.int16 if len(uniques) < 2**15 else np.int32
    return codes.astype(dtype), np.asarray(uniques, dtype=object)


def _sorted_categorical(values: pa.Array) -> pd.Categorical:
    """Arrow text without missing values as a ``Categorical`` of its distinct values, sorted as :func:`_codes`
    sorts them (UTF-8 bytes sort as code points).

    Sorted by pyarrow (:func:`~.schema.sorted_runs`): no hash table of a national file's ids.
    """
    order, starts = sorted_runs(values)
    codes = np.empty(len(values), dtype=np.int64)
    codes[order] = np.cumsum(starts) - 1
    n = int(starts.sum())
    dtype = np.int8 if n < 2**7 else np.int16 if n < 2**15 else np.int32
    categories = ArrowStringArray(values.take(order[starts]).cast(pa.large_string()),
                                  dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    # distinct by construction: pandas' check of that would keep a Python string of every id in a hash table
    return pd.Categorical.from_codes(codes.astype(dtype),
                                     dtype=pd.CategoricalDtype._from_fastpath(pd.Index(categories), ordered=False))


def _categorical(codes: np.ndarray, categories: Any) -> pd.Categorical:
    """``categories[codes]`` as a ``Categorical`` (missing where a code is -1); equal categories merged."""
    index = pd.Index(np.asarray(categories, dtype=object))
    if index.inferred_type in ("string", "empty") and index.is_unique and index.is_monotonic_increasing:
        # already distinct sorted text (the respondents' ids, factorized sorted): no numpy str copy to sort
        return pd.Categorical.from_codes(codes, categories=pd.Index(index, dtype="str"))
    distinct, first = np.unique(np.asarray(categories, dtype=object).astype(str), return_inverse=True)
    if len(distinct) == len(first) and (distinct == np.asarray(categories, dtype=object)).all():
        return pd.Categorical.from_codes(codes, categories=pd.Index(distinct, dtype="str"))
    remap = np.append(first, -1).astype(np.int32)
    return pd.Categorical.from_codes(remap[codes], categories=pd.Index(distinct, dtype="str"))


def _texts(parts: list[LongPart], keeps: list[np.ndarray]) -> ArrowStringArray:
    """The parts' free text as a pandas ``str`` array (missing where none), taken by pyarrow.

    Built from a code per row, not from an object array of a million ``None``.
    """
    distinct: list[object] = []
    codes = []
    for p, keep in zip(parts, keeps, strict=True):
        if p.text is None:
            codes.append(np.full(int(keep.sum()), -1, dtype=np.int32))
            continue
        local, uniques = pd.factorize(p.text[keep], use_na_sentinel=True)
        codes.append(np.where(local >= 0, local + len(distinct), -1).astype(np.int32))
        distinct.extend(uniques)
    at = np.concatenate(codes)
    taken = pc.take(pa.array(distinct, type=pa.string()), pa.array(at, mask=at < 0))
    return ArrowStringArray(taken, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
