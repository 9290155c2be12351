"""Long exports: one row per respondent × item.

Columns (names compared tolerantly): ``respondent_id``, ``item_id``,
``value``, and optionally ``kommunekode``, ``group``, ``wave``, ``status``,
``text`` and the background columns. ``value`` holds a code, a label or
"Ved ikke"; a blank ``value`` with ``status`` ``ved_ikke`` is a "Ved ikke".

The rows are gathered per respondent into one wide row and loaded like any
wide file, each cell keeping its own file row for problem reports.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fundament_lib.core.errors import DataFileError, Problem

from .assemble import IngestOptions, IngestResult, assemble
from .codebook import Codebook
from .plan import ColumnPlan
from .problems import Scope
from .readers import SourceTable, read_table
from .schema import BACKGROUND_COLUMNS
from .sink import TidySink
from .text import is_blank, normalise_label

__all__ = ["load_long", "is_long", "LONG_COLUMNS", "TWICE", "INCONSISTENT", "UNKNOWN_ITEM"]

LONG_COLUMNS: tuple[str, ...] = ("respondent_id", "kommunekode", "group", "wave", *BACKGROUND_COLUMNS,
                                 "item_id", "value", "status", "text")
TWICE = "the same respondent and item twice (the first answer is kept)"
INCONSISTENT = "the respondent's {what} differs between rows"
UNKNOWN_ITEM = "item_id is not in the codebook"
_SYNONYMS = {"respondent id": "respondent_id", "respondentid": "respondent_id", "item": "item_id",
             "item id": "item_id", "itemid": "item_id", "kommune": "kommunekode", "svar": "value",
             "answer": "value", "værdi": "value", "gruppe": "group", "runde": "wave"}


def _canonical(header: str) -> str | None:
    key = normalise_label(header)
    key = _SYNONYMS.get(key, key.replace(" ", "_"))
    return key if key in LONG_COLUMNS else None


def is_long(columns: list[str]) -> bool:
    """``True`` when the headers are those of a long file (``item_id`` and ``value``)."""
    names = {_canonical(c) for c in columns}
    return {"item_id", "value"} <= names


def load_long(path: Path, codebook: Codebook, options: IngestOptions, *, table: SourceTable | None = None,
              sink: TidySink | None = None) -> IngestResult:
    """Load a long CSV or XLSX file (one row per respondent × item).

    Raises
    ------
    DataFileError
        The file is unreadable, or lacks ``respondent_id``, ``item_id`` or ``value``.
    DataValidationError
        Every problem at once; see ``docs/ingest.md``.
    """
    src = table or read_table(path)
    cols: dict[str, str] = {}
    plan = ColumnPlan()
    for c in src.data.columns:
        name = _canonical(c)
        if name is None or name in cols:
            plan.unknown[c] = "column is not a column of the long format"
        else:
            cols[name] = c
    missing = [c for c in ("respondent_id", "item_id", "value") if c not in cols]
    if missing:
        raise DataFileError(f"{src.file}: a long file needs the column(s) {missing} "
                            f"(found {list(src.data.columns)})")
    issues: list[tuple[Problem, Scope]] = []
    d = src.objects()  # answers are gathered and edited as strings below
    items = d[cols["item_id"]].map(lambda v: _item(v, codebook))
    for idx in items.index[items.isna()]:
        issues.append((Problem(src.file, src.row_of(idx), cols["item_id"], d.at[idx, cols["item_id"]],
                               UNKNOWN_ITEM), "cell"))
    value = d[cols["value"]].copy()
    if "status" in cols:
        dk = value.map(is_blank) & d[cols["status"]].map(lambda s: normalise_label(s) == "ved ikke")
        value[dk] = "Ved ikke"
    if "text" in cols:
        free = value.map(is_blank) & ~d[cols["text"]].map(is_blank)
        value[free] = d.loc[free, cols["text"]]
    rid = d[cols["respondent_id"]].map(lambda v: "" if is_blank(v) else str(v).strip())
    ok = items.notna()
    order = pd.unique(rid)
    people = pd.Index(order)
    wide = pd.DataFrame(index=range(len(people)), dtype=object)
    wide["respondent_id"] = list(order)
    cell_rows: dict[tuple[object, str], int] = {}
    first_row = rid.groupby(rid, sort=False).apply(lambda s: src.row_of(s.index[0]))
    twice = ok & pd.Series(list(zip(rid, items, strict=True)), index=d.index).duplicated(keep="first")
    for idx in twice[twice].index:
        issues.append((Problem(src.file, src.row_of(idx), cols["value"], d.at[idx, cols["value"]], TWICE),
                       "cell"))
    use = ok & ~twice
    pos = pd.Series(people.get_indexer(rid), index=d.index)
    for item, rows in d[use].groupby(items[use], sort=False).groups.items():
        column = pd.Series(None, index=wide.index, dtype=object)
        column[pos[rows].to_numpy()] = value[rows].to_numpy()
        wide[str(item)] = column
        if codebook.block(str(item)) == "background":
            plan.add_role(str(item), str(item))  # a background answer given as an item row
        else:
            plan.add_item(str(item), str(item))
        cell_rows.update({(int(pos[r]), str(item)): src.row_of(r) for r in rows})
    bad = pd.Series(False, index=wide.index)
    for role in ("kommunekode", "group", "wave", *BACKGROUND_COLUMNS):
        if role not in cols:
            continue
        per = d[cols[role]].where(~d[cols[role]].map(is_blank))
        grouped = per.groupby(pos)
        counts = grouped.nunique()
        for p in counts.index[counts > 1]:
            issues.append((Problem(src.file, int(first_row.iloc[p]), cols[role], None,
                                   INCONSISTENT.format(what=role)), "row"))
            bad.at[p] = True
        wide[cols[role]] = grouped.first().reindex(wide.index)
        plan.add_role(cols[role], role)
    plan.add_role("respondent_id", "respondent_id")
    rows_series = pd.Series(first_row.to_numpy(), index=wide.index, dtype="int64")
    long_table = SourceTable(data=wide, rows=rows_series, file=src.file, info=dict(src.info),
                             cell_rows=cell_rows)
    return assemble(long_table, plan, codebook, options, issues=issues, bad_rows=bad, sink=sink)


def _item(value: object, codebook: Codebook) -> str | None:
    if is_blank(value):
        return None
    text = str(value).strip()
    if text in codebook.table.index:
        return text if codebook.block(text) != "background" or text in _ROLE_ITEMS else None
    m = codebook.matcher.match(text)
    return m.item_id if m.kind == "item" else None


_ROLE_ITEMS = frozenset({"group", *BACKGROUND_COLUMNS})
