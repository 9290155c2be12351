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
import pandera.pandas as pa

from ..errors import DataFileError, DataValidationError, Problem, UnknownKommuneError
from ..kommuner import kommuner, normalise_code
from .codebook import Codebook
from .columns import choice_parts, item_parts, read_background
from .plan import ColumnPlan
from .problems import Report, Scope
from .readers import SourceTable, blank_frame
from .schema import BACKGROUND_COLUMNS, TIDY_COLUMNS, respondent_schema, validate_tidy
from .text import is_blank, normalise_label
from .waves import wave_from_times

__all__ = ["IngestOptions", "IngestResult", "Scope", "assemble", "GROUP_SYNONYMS", "NO_MATCH", "FEW_MATCH",
           "NO_ANSWERS", "CONFLICT", "MISSING_INFO", "NO_WAVE", "NOTHING_LEFT"]

NO_MATCH = "no column matches an item of the codebook ({n} columns read) — the right framework or codebook?"
FEW_MATCH = ("only {k} of {n} question columns match the codebook of {fw} — the right framework or codebook? "
             "(--framework, --codebook)")
NO_ANSWERS = "no respondent has answered any item of the codebook"
CONFLICT = "conflicts with {option} {value}: the file's own column wins — leave the option out or correct the file"
MISSING_INFO = "the file has no {what} column: give it with {option}"
NO_WAVE = ("the file has no wave column and no completion times to take the month from: give the survey round "
           "with --wave (e.g. --wave 2025)")
NOTHING_LEFT = "--lenient dropped every answer column that matched the codebook: nothing is left to load"
_MIN_FOR_PATTERN = 5

GROUP_SYNONYMS: dict[str, str] = {
    "stab": "stab", "stab ledelse": "stab", "ledelse": "stab", "stabs og støttefunktion": "stab",
    "stabs og støttefunktioner": "stab", "direktion": "stab", "stab og ledelse": "stab",
    "borgernaer": "borgernaer", "borgernær": "borgernaer", "borgernære enheder": "borgernaer",
    "borgernaere enheder": "borgernaer", "frontline": "borgernaer", "borgernære ledere": "borgernaer",
    "borgernær enhed": "borgernaer", "faglige ledere": "borgernaer", "drift": "borgernaer",
}
_OPTIONS = {"kommunekode": "--kommune", "group": "--group", "wave": "--wave"}
_VALID = {"kommunekode": lambda: list(kommuner()["kommunekode"]), "group": lambda: ["stab", "borgernaer"],
          "wave": lambda: []}
_WHAT = {"kommunekode": "kommune", "group": "respondent group", "wave": "wave", "respondent_id": "respondent id"}


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
    ids, made_up = _respondents(table, data, plan, codebook, options, rep)
    row_bad = _respondent_problems(table, data, ids, plan, options, rep)
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
    if options.id_prefix:
        prefix = kept["kommunekode"] + "-" + kept["group"] + "-" + kept["wave"] + "-"
        if options.tag_ids and not made_up and options.source_tag:
            prefix = prefix + options.source_tag + "-"
        kept = kept.assign(respondent_id=prefix + kept["respondent_id"])
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


# ---- respondents ----------------------------------------------------------------------------------
def _kommune_code(value: object) -> object:
    try:
        return normalise_code(value)
    except UnknownKommuneError:
        return _kommune_names().get(normalise_label(value), value)


_NAMES: dict[str, str] = {}


def _kommune_names() -> dict[str, str]:
    if not _NAMES:
        ref = kommuner()
        _NAMES.update({normalise_label(n): c for c, n in zip(ref["kommunekode"], ref["navn"], strict=True)})
        _NAMES.update({normalise_label(f"{n} kommune"): c
                       for c, n in zip(ref["kommunekode"], ref["navn"], strict=True)})
    return _NAMES


def _group(value: object, options: dict[str, str]) -> object:
    key = normalise_label(value)
    return GROUP_SYNONYMS.get(key) or options.get(key) or value


def _wave(value: object) -> object:
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def _respondents(table: SourceTable, data: pd.DataFrame, plan: ColumnPlan, codebook: Codebook,
                 options: IngestOptions, rep: Report) -> tuple[pd.DataFrame, bool]:
    """Respondent-level columns, normalised (invalid values left as read for the schema to flag)."""
    ids = pd.DataFrame(index=data.index)
    col = plan.roles.get("respondent_id")
    if col is not None:
        ids["respondent_id"] = data[col].map(lambda v: "" if v is None else str(v).strip())
        made_up = False
    else:
        tag = f"{options.source_tag}-" if options.source_tag else ""
        ids["respondent_id"] = [f"{tag}r{table.row_of(i)}" for i in data.index]
        made_up = True
    group_options = codebook.options("group")
    fixes = {"kommunekode": _kommune_code, "group": lambda v: _group(v, group_options), "wave": _wave}
    supplied = {"kommunekode": options.kommune, "group": options.group, "wave": options.wave}
    for role, fix in fixes.items():
        col = plan.roles.get(role)
        option = supplied[role]
        if col is None:
            value = option if option is not None else (_default_wave(data, plan, options, rep)
                                                       if role == "wave" else None)
            if value is None:
                rep.fatal.append(Problem(table.file, None, None, None, NO_WAVE if role == "wave"
                                         else MISSING_INFO.format(what=_WHAT[role], option=_OPTIONS[role])))
            ids[role] = value if value is not None else ""
            continue
        ids[role] = data[col].map(lambda v, f=fix: "" if is_blank(v) else f(v))
        if option is not None:  # a value the schema will refuse anyway is no conflict
            valid = _VALID[role]()
            clash = ids[role].ne(option) & ids[role].ne("") & (ids[role].isin(valid) if valid else True)
            firsts = ids.index[clash].to_series().groupby(ids[role][clash].astype(str)).first()
            for first in firsts:
                rep.fatal.append(Problem(table.file, table.row_of(first, col), col, data.at[first, col],
                                         CONFLICT.format(option=_OPTIONS[role], value=option)))
    for bg in BACKGROUND_COLUMNS:
        ids[bg] = None
    return ids, made_up


def _default_wave(data: pd.DataFrame, plan: ColumnPlan, options: IngestOptions, rep: Report) -> str | None:
    """The wave of a file without one: the month of its completion times, else the caller's default."""
    col = plan.roles.get("completed")
    found = wave_from_times(data[col], column=col) if col is not None else None
    if found is not None:
        rep.notes["wave_default"] = found.describe()
        return found.label
    return options.default_wave


def _respondent_problems(table: SourceTable, data: pd.DataFrame, ids: pd.DataFrame, plan: ColumnPlan,
                         options: IngestOptions, rep: Report) -> pd.Series:
    """Validate the respondent columns with the pandera schema; return the rows to drop."""
    bad = pd.Series(False, index=ids.index)
    schema = respondent_schema()
    try:
        schema.validate(ids[["respondent_id", "kommunekode", "group", "wave"]].astype(str), lazy=True)
    except pa.errors.SchemaErrors as exc:
        for case in exc.failure_cases.itertuples(index=False):
            idx = case.index
            if idx is None or (isinstance(idx, float) and np.isnan(idx)):
                continue
            role = case.column if isinstance(case.column, str) else "respondent_id"
            col = plan.roles.get(role)
            value = data.at[idx, col] if col is not None else getattr(options, _ATTR[role], None)
            if role in ("kommunekode", "group", "wave") and col is None:
                continue  # an option: checked before loading; a missing one is already fatal
            check = f"blank: every respondent needs a {_WHAT[role]}" if is_blank(value) else str(case.check)
            rep.add("row", table.row_of(idx, col), col or role, value, check)
            bad.at[idx] = True
    return bad


_ATTR = {"respondent_id": "respondent_id", "kommunekode": "kommune", "group": "group", "wave": "wave"}


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


def _tidy(parts: list[pd.DataFrame], kept: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in TIDY_COLUMNS if c not in _ANSWER_COLUMNS]
    if not parts:
        return pd.DataFrame(columns=list(TIDY_COLUMNS))
    long = pd.concat(parts, ignore_index=True)
    long = long[long["_row"].isin(kept.index)]
    people = kept[cols]
    out = people.loc[long["_row"].to_numpy()].reset_index(drop=True)
    for c in _ANSWER_COLUMNS:
        out[c] = long[c].to_numpy()
    out["value"] = out["value"].astype("float64")
    out["points"] = pd.array(out["points"].to_numpy(), dtype="Int64")
    for c in BACKGROUND_COLUMNS:
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out[list(TIDY_COLUMNS)]
