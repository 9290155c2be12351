"""Answer columns: each item's column read against its scale, into long rows of the tidy table.

A SurveyXact variable's value labels are checked against the item's scale first
(:func:`~.answers.check_value_labels`) and its codes become the codebook's; every
cell is then parsed (:func:`~.answers.parse_answers`). Ordered items are coded
``1..K`` worst-first with ``points`` = K. In lenient mode a column whose labels
cannot be read is dropped *whole* — never part of an item's answers, which would
shift the item — while a bad cell of a number or free-text item is dropped alone.
Tick-box groups (Forms' one column of chosen options) and background answers are
read here too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .answers import SHARED_POINT, ParsedColumn, check_value_labels, parse_answers
from .cells import map_cells
from .codebook import Codebook
from .plan import ColumnPlan
from .problems import Report
from .readers import SourceTable
from .scales import OrderedScale
from .schema import BACKGROUND_COLUMNS, STATUSES
from .text import is_blank, normalise_label

__all__ = ["item_parts", "choice_parts", "read_background", "part", "LongPart", "UNKNOWN_OPTION", "NO_LABEL",
           "COLUMN_DROPPED"]

UNKNOWN_OPTION = "answer is not one of the question's options"
NO_LABEL = "code has no label for this variable in the Labels sheet"
COLUMN_DROPPED = ("column dropped whole (--lenient): some of its answers are not on the item's scale, and dropping "
                  "only those would shift the item's answers")


def _code_key(cell: object) -> str:
    text = str(cell).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].lstrip("-").isdigit() else text


def item_parts(table: SourceTable, data: pd.DataFrame, ids: pd.DataFrame, plan: ColumnPlan,
               codebook: Codebook, rep: Report, *, strict: bool) -> Iterator[LongPart]:
    """Every item column as long rows (``_row``, ``item_id``, ``value``, ``status``, ``text``, ``points``), one
    item at a time (so that a national file's items are never all held at once).

    A SurveyXact column's value labels are checked first (a scale in doubt drops or refuses the whole
    column); then its cells are parsed. With ``strict`` false, a Likert or tick-box column with an
    answer it cannot read is dropped whole; a number or text cell is dropped alone. The scale each
    ordered item was asked on goes into ``rep.notes["scales"]``.
    """
    scales: dict[str, dict[str, Any]] = {}
    removed: dict[str, int] = {}  # control characters taken out of free text, per column
    for col, item in plan.items.items():
        ordered = codebook.ordered(item)
        labels = plan.value_labels.get(col)
        to_codebook = None
        if labels and ordered is not None:
            check = check_value_labels(labels, ordered, item_id=item)
            for message, detail in check.problems:
                rep.add("column", None, col, detail, message)
            if check.problems:
                continue
            to_codebook = check.codes
        read = _read_column(data[col], labels, codebook, item, ordered, to_codebook)
        if read.shared:
            names = dict(ordered.labels) if ordered is not None else {}
            words = "; ".join(f"{' and '.join(map(repr, sorted(w)))} all read as {c}={names.get(c, c)}"
                              for c, w in sorted(read.shared.items()))
            rep.add("column", None, col, f"{item} · {words}", SHARED_POINT)
            continue
        bad = read.bad
        labelled = codebook.scale(item).kind in ("likert", "choice")
        if bad.any() and labelled and not strict:
            first = bad[bad].index[0]
            rep.add("column", table.row_of(first, col), col,
                    f"{item} · {int(bad.sum())} answer(s) it cannot read, e.g. {_shown(data.at[first, col], labels)}"
                    f": {read.reason.at[first]}", COLUMN_DROPPED)
            continue
        for idx in bad[bad].index:
            rep.add("cell", table.row_of(idx, col), col, _shown(data.at[idx, col], labels), read.reason.at[idx])
        yield part(ids, item, read.parsed, ~bad, codebook, ordered)
        if read.parsed.control_removed:
            removed[col] = removed.get(col, 0) + read.parsed.control_removed
        if ordered is not None:
            scales[item] = {"column": col, **ordered.describe(), "codes_reversed": _reversed(labels, ordered)}
    rep.notes["scales"] = scales
    rep.notes["control_characters_removed"] = {"total": sum(removed.values()), "columns": removed}


@dataclass
class _Read:
    parsed: ParsedColumn
    bad: pd.Series
    reason: pd.Series
    shared: dict[int, set[str]]


def _read_column(raw: pd.Series, labels: dict[str, str] | None, codebook: Codebook, item: str,
                 ordered: OrderedScale | None, to_codebook: dict[str, str] | None) -> _Read:
    """Parse one item's column; a SurveyXact column's codes go through its value labels first.

    For an ordered item the export's codes become the codebook's codes (as
    :func:`~.answers.check_value_labels` matched their labels); for a tick box
    they become their labels.
    """
    unlabelled = pd.Series(False, index=raw.index)
    if labels:
        keys = raw.map(lambda c: None if is_blank(c) else _code_key(c))
        unlabelled = keys.notna() & ~keys.isin(list(labels))
        lookup = to_codebook if to_codebook is not None else labels
        raw = keys.map(lambda k, lab=lookup: lab.get(k, k) if k is not None else None)
    parsed = parse_answers(raw, codebook.scale(item), ordered=ordered, label_codes=codebook.extra_labels.get(item))
    bad = parsed.bad | (unlabelled & (parsed.status == "svar"))
    reason = parsed.reason.where(~unlabelled, NO_LABEL)
    return _Read(parsed, bad, reason, parsed.shared)


def _shown(cell: object, labels: dict[str, str] | None) -> object:
    """A cell as the user saw it: a SurveyXact code with its label, ``'I liten grad' (code 1)``."""
    if not labels or is_blank(cell):
        return cell
    code = _code_key(cell)
    return f"{labels[code]!r} (code {code})" if code in labels else f"code {code} (no label)"


def _reversed(labels: dict[str, str] | None, ordered: OrderedScale) -> bool:
    """Whether the codes the answers came as ran best-first (the export's own codes where it has them)."""
    if not labels:
        return not ordered.worst_first
    known = {normalise_label(v): c for c, v in ordered.labels}
    pairs = sorted((float(code), ordered.value(known[normalise_label(v)])) for code, v in labels.items()
                   if normalise_label(v) in known and code.lstrip("-").isdigit())
    return len(pairs) > 1 and pairs[0][1] > pairs[-1][1]


@dataclass
class LongPart:
    """Long rows of one item, compact: positions of the respondents, values, status codes, text.

    ``rows`` are positions (``int32``) in the table of answered rows the part
    was read from, ``status`` indexes ``schema.STATUSES``; ``text`` is ``None``
    for an item without free text (no column of pointers for the 70-odd items
    of a national file that have none).
    """

    rows: np.ndarray
    item: str
    value: np.ndarray
    status: np.ndarray
    text: np.ndarray | None
    points: int | None

    def __len__(self) -> int:
        return len(self.rows)


def part(ids: pd.DataFrame, item: str, parsed: ParsedColumn, ok: pd.Series, codebook: Codebook,
         ordered: OrderedScale | None = None) -> LongPart:
    """Long rows of one item: the cells ``ok`` of respondents asked it, or who answered it anyway."""
    audience = codebook.audience(item)
    shown = (ok & (ids["group"].isin(audience) | (parsed.status != "ubesvaret"))).to_numpy(dtype=bool)
    codes = np.asarray(pd.Categorical(parsed.status, categories=STATUSES).codes, dtype=np.int8)[shown]
    text = parsed.text.to_numpy(dtype=object)[shown]
    has_text = bool(pd.notna(text).any())
    return LongPart(rows=np.flatnonzero(shown).astype(np.int32), item=item,
                    value=parsed.value.to_numpy(dtype="float64")[shown], status=codes,
                    text=text if has_text else None, points=ordered.points if ordered is not None else None)


def choice_parts(table: SourceTable, data: pd.DataFrame, ids: pd.DataFrame, plan: ColumnPlan,
                 codebook: Codebook, rep: Report) -> list[LongPart]:
    """Tick-box groups given as one column of chosen options (Forms) as long rows, 1 chosen / 0 not."""
    parts = []
    for col, items in plan.choices.items():
        chosen = {i: pd.Series(np.nan, index=data.index) for i in items}
        for idx, cell in data[col].items():
            if is_blank(cell):
                continue
            picked = set()
            for option in (p.strip() for p in str(cell).split(";")):
                if not option:
                    continue
                item = codebook.matcher.option(items, option)
                if item is None:
                    rep.add("cell", table.row_of(idx, col), col, option, UNKNOWN_OPTION)
                else:
                    picked.add(item)
            for i in items:
                chosen[i].at[idx] = 1.0 if i in picked else 0.0
        for i in items:
            v = chosen[i]
            status = pd.Series(np.where(v.notna(), "svar", "ubesvaret"), index=data.index, dtype=object)
            parsed = ParsedColumn(v, status, pd.Series(None, index=data.index, dtype=object),
                                  pd.Series(False, index=data.index), pd.Series("", index=data.index))
            parts.append(part(ids, i, parsed, pd.Series(True, index=data.index), codebook))
    return parts


def _option_code(options: dict[str, str], cell: str) -> str:
    """A background answer's option code, ``"\x00"`` for an answer that is none of the options."""
    return options.get(normalise_label(cell), "\x00")


def read_background(table: SourceTable, data: pd.DataFrame, ids: pd.DataFrame, plan: ColumnPlan,
                    codebook: Codebook, rep: Report) -> None:
    """Background answers (fagområde, stabsfunktion, ledelsesniveau) into ``ids`` as option codes."""
    for bg in BACKGROUND_COLUMNS:
        col = plan.roles.get(bg)
        if col is None:
            continue
        options = codebook.options(bg)
        values = map_cells(data[col], functools.partial(_option_code, options))  # once per distinct
        for idx in values.index[values == "\x00"]:
            rep.add("cell", table.row_of(idx, col), col, data.at[idx, col],
                    f"{UNKNOWN_OPTION} ({', '.join(sorted(set(options.values())))})")
        ids[bg] = values.where(values != "\x00", None)
