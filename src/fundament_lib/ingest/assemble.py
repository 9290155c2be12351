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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.arrays import ArrowStringArray

from ..errors import DataFileError, DataValidationError, Problem
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
from .schema import STATUSES, TIDY_COLUMNS, validate_tidy

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
    """A loaded file: the tidy data, the cells dropped (lenient mode), and provenance."""

    data: pd.DataFrame
    dropped: list[Problem] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)


def assemble(table: SourceTable, plan: ColumnPlan, codebook: Codebook, options: IngestOptions, *,
             issues: list[tuple[Problem, Scope]] | None = None, bad_rows: pd.Series | None = None
             ) -> IngestResult:
    """Turn a planned source table into the validated tidy table.

    Parameters
    ----------
    table, plan, codebook, options
        The rows, what each column is, the items' scales, and the user's choices.
    issues, bad_rows
        Problems a format adapter found before (the long format's, say), and
        the rows they make unusable (a boolean Series on ``table.data.index``).

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
    data = data[answered]
    if data.empty:
        raise DataFileError(f"{table.file}: {NO_ANSWERS}")
    people = read_respondents(table, data, plan, codebook, options, rep)
    ids, made_up = people.table, people.made_up
    row_bad = pd.Series(people.bad, index=ids.index)
    if bad_rows is not None:
        row_bad |= bad_rows.reindex(row_bad.index, fill_value=False).astype(bool)
    long_parts = item_parts(table, data, ids, plan, codebook, rep, strict=options.strict)
    long_parts += choice_parts(table, data, ids, plan, codebook, rep)
    read_background(table, data, ids, plan, codebook, rep)
    rep.issues.sort(key=lambda x: (x[0].row is not None, x[0].row or 0))
    if not options.strict and not any(len(p) for p in long_parts):
        rep.fatal.append(Problem(table.file, None, None, None, NOTHING_LEFT))
    if rep.fatal or (options.strict and rep.issues):
        raise DataValidationError([*rep.fatal, *(p for p, _ in rep.issues)], file=table.file)
    kept = ids[~row_bad]
    kept = kept.assign(respondent_id=prefixed_ids(kept, options, made_up=made_up))
    tidy = _tidy(long_parts, kept, row_bad.to_numpy(dtype=bool))
    tidy = validate_tidy(tidy, file=table.file, item_ids=codebook.item_ids)
    dropped = [p for p, _ in rep.issues]
    prov: dict[str, Any] = {
        "rows_read": len(table.data), "empty_rows": empty_rows,
        "respondents": int(len(kept)), "respondents_dropped": int(row_bad.sum()),
        "answers": int(len(tidy)), "cells_dropped": sum(1 for _, s in rep.issues if s == "cell"),
        "columns": dict(plan.items), "choice_columns": {c: list(v) for c, v in plan.choices.items()},
        "respondent_columns": dict(plan.roles), "ignored_columns": dict(plan.ignored),
        "respondent_ids_made_up": made_up,
        "identical_answer_patterns": _identical_patterns(data.loc[kept.index, answer_cols], blank.loc[kept.index]),
        "supplied": {k: getattr(options, a) for k, a in (("kommunekode", "kommune"), ("group", "group"),
                                                           ("wave", "wave"))
                     if k not in plan.roles and getattr(options, a) is not None},
        "dropped_scope": [s for _, s in rep.issues],
        **rep.notes,
    }
    return IngestResult(tidy, dropped=dropped, provenance=prov)


def _identical_patterns(answers: pd.DataFrame, blank: pd.DataFrame) -> int:
    """Rows whose answers repeat an earlier row's exactly (at least five answers, not all alike).

    Only counted, for the provenance: in an anonymous export two people may
    well give the same answers, so such rows are kept as different respondents.
    Each column's distinct cells are compared once (stripped, case-folded), the
    rows then as rows of small codes.
    """
    if answers.empty:
        return 0
    cells = np.empty(answers.shape, dtype=np.int64)
    distinct: dict[str, int] = {}  # one code per text across columns: "not all alike" compares columns
    for j in range(answers.shape[1]):
        local, uniques = distinct_cells(answers.iloc[:, j])
        table = np.array([distinct.setdefault(str(u).strip().casefold(), len(distinct)) for u in uniques] + [-1],
                         dtype=np.int64)
        cells[:, j] = table[local]
    cells[blank.to_numpy()] = -1
    filled = (cells >= 0).sum(axis=1)
    big = np.iinfo(cells.dtype).max
    varied = np.where(cells < 0, big, cells).min(axis=1) != np.where(cells < 0, -1, cells).max(axis=1)
    rows = cells[(filled >= _MIN_FOR_PATTERN) & varied]
    if not len(rows):
        return 0
    key = np.zeros(len(rows), dtype=np.int64)  # the row so far, as a code: pairs (key, cell) factorized
    for j in range(rows.shape[1]):
        key, _ = pd.factorize(key * (len(distinct) + 1) + rows[:, j] + 1)
    return int(len(rows) - (key.max() + 1))


_ANSWER_COLUMNS = ("item_id", "value", "status", "text", "points")


def _tidy(parts: list[LongPart], kept: pd.DataFrame, dropped: np.ndarray) -> pd.DataFrame:
    """The long rows of the kept respondents with their respondent columns, filled part by part.

    ``parts`` is emptied as it is read, so that each item's part is freed once
    its rows are in the table. Every text column but the free text is a
    ``Categorical`` (the distinct values once, a small code per row), the free
    text a pandas ``str`` array taken by pyarrow: a national file's 18 million
    rows then cost about 25 bytes each rather than a Python string per cell.
    :func:`~.schema.read_tidy` gives the same columns back.

    Parameters
    ----------
    parts
        One part per item, its ``rows`` positions among the answered rows.
    kept
        The respondent columns of the answered rows that are kept.
    dropped
        For every answered row, whether it was dropped (``kept`` holds the others, in order).
    """
    if not parts:
        return pd.DataFrame(columns=list(TIDY_COLUMNS))
    position = np.where(dropped, -1, np.cumsum(~dropped) - 1).astype(np.int32)  # answered row → row of kept
    people = {c: _codes(kept[c].to_numpy(dtype=object)) for c in TIDY_COLUMNS if c not in _ANSWER_COLUMNS}
    n = sum(int((position[p.rows] >= 0).sum()) for p in parts)
    out = {c: np.empty(n, dtype=codes.dtype) for c, (codes, _) in people.items()}
    item = np.empty(n, dtype=np.int16)
    value = np.empty(n, dtype="float64")
    status = np.empty(n, dtype=np.int8)
    points = np.zeros(n, dtype=np.int8)
    texts = np.full(n, -1, dtype=np.int32)
    items: list[str] = []
    distinct_texts: list[object] = []
    start = 0
    while parts:
        p = parts.pop(0)
        at = position[p.rows]
        keep = at >= 0
        at = at[keep]
        rows = slice(start, start + len(at))
        for c, (codes, _) in people.items():
            out[c][rows] = codes[at]
        item[rows] = len(items)
        items.append(p.item)
        value[rows] = p.value[keep]
        status[rows] = p.status[keep]
        points[rows] = p.points or 0
        if p.text is not None:
            local, uniques = pd.factorize(p.text[keep], use_na_sentinel=True)
            texts[rows] = np.where(local >= 0, local + len(distinct_texts), -1)
            distinct_texts.extend(uniques)
        start += len(at)
    frame = {c: _categorical(out.pop(c), uniques) for c, (_, uniques) in people.items()}
    frame |= {"item_id": _categorical(item, items), "value": value, "status": _categorical(status, STATUSES),
              "text": _texts(texts, distinct_texts),
              "points": pd.arrays.IntegerArray(points.astype(np.int64), points == 0)}
    return pd.DataFrame({c: frame[c] for c in TIDY_COLUMNS}, copy=False)


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (sorted, missing left out) and each value's code in the smallest integer type."""
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    dtype = np.int8 if len(uniques) < 2**7 else np.int16 if len(uniques) < 2**15 else np.int32
    return codes.astype(dtype), np.asarray(uniques, dtype=object)


def _categorical(codes: np.ndarray, categories: Any) -> pd.Categorical:
    """``categories[codes]`` as a ``Categorical`` (missing where a code is -1); equal categories merged."""
    distinct, first = np.unique(np.asarray(categories, dtype=object).astype(str), return_inverse=True)
    if len(distinct) == len(first) and (distinct == np.asarray(categories, dtype=object)).all():
        return pd.Categorical.from_codes(codes, categories=pd.Index(distinct, dtype="str"))
    remap = np.append(first, -1).astype(np.int32)
    return pd.Categorical.from_codes(remap[codes], categories=pd.Index(distinct, dtype="str"))


def _texts(codes: np.ndarray, distinct: list[object]) -> ArrowStringArray:
    """``distinct[codes]`` as a pandas ``str`` array (missing where a code is -1), taken by pyarrow.

    Built from a code per row, not from an object array of millions of ``None``.
    """
    taken = pc.take(pa.array(distinct, type=pa.string()), pa.array(codes, mask=codes < 0))
    return ArrowStringArray(taken, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
