"""Respondent columns: id, kommune, group and wave, from the file or the options, normalised once and validated.

Each column's distinct values are normalised once (:mod:`fundament_lib.core.values`:
NFC, stripped, a spreadsheet's ``.0`` dropped, ASCII digits, kommune names and
group wording understood) and spread to the rows. A file column wins over an
option; an option that says otherwise refuses the file. The pandera respondent
schema (:func:`~.schema.respondent_schema`) then refuses unknown kommuner and
groups, empty or over-long ids and waves, an id used twice (``103`` and
``103.0`` are one id), and control characters in any of the four.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.compute as pc
from pandas.arrays import ArrowStringArray

from fundament_lib.core.errors import Problem, UnknownKommuneError
from fundament_lib.core.kommuner import kommuner, normalise_code
from fundament_lib.core.values import CONTROL_MESSAGE, drop_decimal_zero, has_control

from .cells import cell_at, is_cells, map_cells, object_column
from .codebook import Codebook
from .plan import ColumnPlan
from .problems import Report
from .readers import SourceTable
from .schema import BACKGROUND_COLUMNS, passes, respondent_schema
from .text import normalise_label
from .waves import wave_from_times

__all__ = ["People", "read_respondents", "prefixed_ids", "GROUP_SYNONYMS", "CONFLICT", "MISSING_INFO", "NO_WAVE",
           "respondent_key", "wave_label"]

CONFLICT = "conflicts with {option} {value}: the file's own column wins — leave the option out or correct the file"
MISSING_INFO = "the file has no {what} column: give it with {option}"
NO_WAVE = ("the file has no wave column and no completion times to take the month from: give the survey round "
           "with --wave (e.g. --wave 2025)")

GROUP_SYNONYMS: dict[str, str] = {
    "stab": "stab", "stab ledelse": "stab", "ledelse": "stab", "stabs og støttefunktion": "stab",
    "stabs og støttefunktioner": "stab", "direktion": "stab", "stab og ledelse": "stab",
    "borgernaer": "borgernaer", "borgernær": "borgernaer", "borgernære enheder": "borgernaer",
    "borgernaere enheder": "borgernaer", "frontline": "borgernaer", "borgernære ledere": "borgernaer",
    "borgernær enhed": "borgernaer", "faglige ledere": "borgernaer", "drift": "borgernaer",
}
_OPTIONS = {"kommunekode": "--kommune", "group": "--group", "wave": "--wave"}
_ATTR = {"kommunekode": "kommune", "group": "group", "wave": "wave"}
_WHAT = {"kommunekode": "kommune", "group": "respondent group", "wave": "wave", "respondent_id": "respondent id"}


@dataclass
class People:
    """One row per answered source row (index as the source's): the respondent columns, normalised.

    ``bad`` marks rows whose kommune, group, wave or id is bad (dropped in
    lenient mode); ``made_up`` says the ids were made from the source's hash
    and the row, for an export without an id column.
    """

    table: pd.DataFrame
    bad: np.ndarray
    made_up: bool


def respondent_key(text: str) -> str:
    """A respondent id as compared: the cell's text with a spreadsheet's ``.0`` dropped (``103.0`` is ``103``)."""
    return drop_decimal_zero(text)


def wave_label(text: str) -> str:
    """A wave as compared: ``2025.0`` is ``2025``."""
    return drop_decimal_zero(text)


def _kommune_code(text: str) -> str:
    if has_control(text):
        return text  # refused as such below, never read past the control character
    try:
        return normalise_code(text)
    except UnknownKommuneError:
        return _kommune_names().get(normalise_label(text), text)


_NAMES: dict[str, str] = {}


def _kommune_names() -> dict[str, str]:
    if not _NAMES:
        ref = kommuner()
        _NAMES.update({normalise_label(n): c for c, n in zip(ref["kommunekode"], ref["navn"], strict=True)})
        _NAMES.update({normalise_label(f"{n} kommune"): c
                       for c, n in zip(ref["kommunekode"], ref["navn"], strict=True)})
    return _NAMES


def _group(text: str, options: dict[str, str]) -> str:
    if has_control(text):
        return text
    key = normalise_label(text)
    return GROUP_SYNONYMS.get(key) or options.get(key) or text


def read_respondents(table: SourceTable, data: pd.DataFrame, plan: ColumnPlan, codebook: Codebook,
                     options: object, rep: Report) -> People:
    """The respondent columns of the answered rows ``data``, normalised and validated.

    Parameters
    ----------
    table, data
        The source table and its answered rows.
    plan
        Which column holds which respondent column.
    codebook
        Gives the group question's own options.
    options
        An :class:`~.assemble.IngestOptions`: kommune, group and wave for a file
        without the column, and the source's short hash for made-up ids.
    rep
        Collects problems: fatal ones (a missing column, a conflicting option) and row ones.
    """
    ids = pd.DataFrame(index=data.index)
    col = plan.roles.get("respondent_id")
    made_up = col is None
    if col is not None:
        ids["respondent_id"] = map_cells(data[col], respondent_key, blank="")
    else:
        tag = f"{options.source_tag}-" if options.source_tag else ""  # type: ignore[attr-defined]
        ids["respondent_id"] = (tag + "r" + table.rows.loc[data.index].astype(str)).to_numpy(dtype=object)
    group_options = codebook.options("group")
    fixes = {"kommunekode": _kommune_code, "group": lambda v: _group(v, group_options), "wave": wave_label}
    for role, fix in fixes.items():
        ids[role] = _role_column(table, data, plan, role, fix, options, rep)
    for bg in BACKGROUND_COLUMNS:
        ids[bg] = None
    bad = _respondent_problems(table, data, ids, plan, rep)
    pa_arrow.default_memory_pool().release_unused()  # the checked columns' text: else the allocator keeps it
    return People(ids, bad, made_up)


def _role_column(table: SourceTable, data: pd.DataFrame, plan: ColumnPlan, role: str, fix: object,
                 options: object, rep: Report) -> pd.Series | str:
    """One of kommune, group and wave: the file's column (normalised) or the option, checked against each other."""
    col = plan.roles.get(role)
    option = getattr(options, _ATTR[role])
    if col is None:
        value = option if option is not None else (_default_wave(data, plan, options, rep) if role == "wave"
                                                   else None)
        if value is None:
            rep.fatal.append(Problem(table.file, None, None, None, NO_WAVE if role == "wave"
                                     else MISSING_INFO.format(what=_WHAT[role], option=_OPTIONS[role])))
        return value if value is not None else ""
    values = map_cells(data[col], fix, blank="")  # type: ignore[arg-type]
    if option is not None:  # a value the schema will refuse anyway is no conflict
        valid = list(kommuner()["kommunekode"]) if role == "kommunekode" else \
            ["stab", "borgernaer"] if role == "group" else None
        clash = values.ne(option) & values.ne("") & (values.isin(valid) if valid else True)
        firsts = values.index[clash].to_series().groupby(values[clash].astype(str)).first()
        for first in firsts:
            rep.fatal.append(Problem(table.file, table.row_of(first, col), col, cell_at(data, first, col),
                                     CONFLICT.format(option=_OPTIONS[role], value=option)))
    return values


def _default_wave(data: pd.DataFrame, plan: ColumnPlan, options: object, rep: Report) -> str | None:
    """The wave of a file without one: the month of its completion times, else the caller's default."""
    col = plan.roles.get("completed")
    found = None
    if col is not None:
        times = object_column(data[col]) if is_cells(data[col]) else data[col].astype(object)
        found = wave_from_times(times, column=col)
    if found is not None:
        rep.notes["wave_default"] = found.describe()
        return found.label
    return options.default_wave  # type: ignore[attr-defined]


def _respondent_problems(table: SourceTable, data: pd.DataFrame, ids: pd.DataFrame, plan: ColumnPlan,
                         rep: Report) -> np.ndarray:
    """Validate the respondent columns with the pandera schema; return the rows to drop.

    A cell that breaks several checks is reported once: for a control character, that one.
    """
    bad = np.zeros(len(ids), dtype=bool)
    columns, schema = ids[["respondent_id", "kommunekode", "group", "wave"]].astype(str), respondent_schema()
    if passes(schema, columns):
        return bad
    try:
        schema.validate(columns, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna()]
        cases = cases.assign(first=cases["check"].astype(str).ne(CONTROL_MESSAGE))
        cases = cases.sort_values(["first"], kind="stable").drop_duplicates(["index", "column"])
        cases = cases.sort_values(["index"], kind="stable")
        where = {idx: k for k, idx in enumerate(ids.index)}
        for case in cases.itertuples(index=False):
            role = case.column if isinstance(case.column, str) else "respondent_id"
            col = plan.roles.get(role)
            if role in ("kommunekode", "group", "wave") and col is None:
                continue  # an option: checked before loading; a missing one is already fatal
            value = cell_at(data, case.index, col) if col is not None else None
            check = f"blank: every respondent needs a {_WHAT[role]}" if value is None and col is not None \
                else str(case.check)
            rep.add("row", table.row_of(case.index, col), col or role, value, check)
            bad[where[case.index]] = True
    return bad


def prefixed_ids(people: pd.DataFrame, options: object, *, made_up: bool) -> pd.Series:
    """Respondent ids prefixed with kommune, group and wave (and, for Forms, the source's hash).

    Joined by pyarrow into a ``str`` column: a national file's ids never become Python strings.
    """
    if not options.id_prefix:  # type: ignore[attr-defined]
        return people["respondent_id"]
    dash = pa_arrow.scalar("-", pa_arrow.large_string())
    prefix: list[pa_arrow.Array | pa_arrow.Scalar] = [_arrow(people["kommunekode"]), dash, _arrow(people["group"]),
                                                      dash, _arrow(people["wave"]), dash]
    if options.tag_ids and not made_up and options.source_tag:  # type: ignore[attr-defined]
        prefix += [pa_arrow.scalar(options.source_tag, pa_arrow.large_string()), dash]  # type: ignore[attr-defined]
    joined = pc.binary_join_element_wise(*prefix, _arrow(people["respondent_id"]),
                                         pa_arrow.scalar("", pa_arrow.large_string()))
    return pd.Series(ArrowStringArray(joined, dtype=pd.StringDtype("pyarrow", na_value=np.nan)), index=people.index)


def _arrow(column: pd.Series) -> pa_arrow.Array:
    """A text column as a large-string arrow array."""
    return pa_arrow.array(column, type=pa_arrow.large_string(), from_pandas=True)
