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
from .schema import BACKGROUND_COLUMNS, STATUSES, TIDY_COLUMNS, validate_tidy

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
    tidy = _tidy(long_parts, kept)
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
    """
    if answers.empty:
        return 0
    cells = answers.astype("string").apply(lambda s: s.str.strip().str.casefold()).to_numpy(dtype=object)
    codes, _ = pd.factorize(cells.ravel(), use_na_sentinel=True)
    codes = codes.reshape(cells.shape)
    codes[blank.to_numpy()] = -1
    filled = (codes >= 0).sum(axis=1)
    big = np.iinfo(codes.dtype).max
    varied = np.where(codes < 0, big, codes).min(axis=1) != np.where(codes < 0, -1, codes).max(axis=1)
    candidates = (filled >= _MIN_FOR_PATTERN) & varied
    return int(pd.DataFrame(codes[candidates]).duplicated(keep="first").sum())


_ANSWER_COLUMNS = ("item_id", "value", "status", "text", "points")


def _tidy(parts: list[LongPart], kept: pd.DataFrame) -> pd.DataFrame:
    """The long rows of the kept respondents with their respondent columns, by position (no label lookups).

    The parts are joined as numpy arrays (no per-row objects but the free
    text); text columns become pandas ``str`` through pyarrow's ``take`` of their
    distinct values — building them from millions of Python strings costs
    seconds and hundreds of MB on a national file.
    """
    cols = [c for c in TIDY_COLUMNS if c not in _ANSWER_COLUMNS]
    if not parts:
        return pd.DataFrame(columns=list(TIDY_COLUMNS))
    sizes = np.array([len(p) for p in parts])
    which = np.repeat(np.arange(len(parts), dtype=np.int32), sizes)
    pos = kept.index.get_indexer(np.concatenate([p.rows for p in parts]))
    keep = pos >= 0
    pos, which = pos[keep], which[keep]
    out = pd.DataFrame({c: _spread(kept[c].to_numpy(dtype=object), pos, text=c not in BACKGROUND_COLUMNS)
                        for c in cols})
    out["item_id"] = _str_take([p.item for p in parts], which)
    out["value"] = np.concatenate([p.value for p in parts])[keep]
    out["status"] = _str_take(list(STATUSES), np.concatenate([p.status for p in parts])[keep])
    out["text"] = pd.Series(np.concatenate([p.text if p.text is not None else np.full(len(p), None, dtype=object)
                                            for p in parts])[keep], dtype=object)
    points = np.array([np.nan if p.points is None else p.points for p in parts], dtype="float64")[which]
    out["points"] = pd.array(points, dtype="Int64")
    return out[list(TIDY_COLUMNS)]


def _str_take(distinct: list[str] | np.ndarray, at: np.ndarray) -> ArrowStringArray:
    """``distinct[at]`` as a pandas ``str`` array (missing where ``at`` is -1), taken by pyarrow."""
    taken = pc.take(pa.array(np.asarray(distinct, dtype=object), type=pa.large_string()),
                    pa.array(at, mask=at < 0))
    return ArrowStringArray(taken, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def _spread(values: np.ndarray, pos: np.ndarray, *, text: bool) -> Any:
    """``values[pos]`` via their distinct values: a ``str`` array (``text``), else objects with ``None``."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = np.asarray(uniques, dtype=object)
    if not text:
        return pd.Series(np.concatenate([distinct, np.array([None], dtype=object)])[codes[pos]], dtype=object)
    return _str_take(distinct, codes[pos])
