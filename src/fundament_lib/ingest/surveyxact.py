"""SurveyXact exports: an .xlsx with Dataset/Structure/Labels sheets, or three CSV files.

* ``Dataset`` (possibly split side by side into ``Dataset(1)``, ``Dataset(2)``
  …) holds numeric codes, one column per variable;
* ``Structure``: ``questionName; variableName; questionType; subType;
  questionText; choiceValue; choiceText`` (and an empty trailing column);
* ``Labels`` (no header row): ``variableName; value; valueLabel``.

Codes are turned into their labels before parsing, so "Ved ikke" is known by
its label whatever its code. Variables are matched to items by name when the
name is an item id (``P1_1_1``), else by their text through the codebook:
matrix rows are ``"Question - Row"``, a multiple-choice option is ``"Question
- Option"`` coded 0/1. Status dummies ``stato_1`` … ``stato_5`` (Ny,
Distribueret, Nogle svar, Gennemført, Frafaldet) drop invitations never
answered. An anonymous export has no respondent id; one is made up and the
provenance says so. Open (free-text) variables the codebook does not know,
such as "Andet, skriv", are not carried: they may name people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataFileError
from .assemble import IngestOptions, IngestResult, assemble
from .codebook import Codebook
from .matching import id_role
from .plan import ColumnPlan
from .readers import (
    Sheet,
    SourceTable,
    read_bytes,
    read_text_grid,
    read_workbook,
    table_from_sheet,
)
from .schema import BACKGROUND_COLUMNS
from .text import is_blank, normalise_label

__all__ = ["load_surveyxact", "is_surveyxact", "surveyxact_files", "STATUS_LABELS"]

STATUS_LABELS = {1: "Ny", 2: "Distribueret", 3: "Nogle svar", 4: "Gennemført", 5: "Frafaldet"}
_NOT_ANSWERED = ("stato_1", "stato_2")
_DATASET = re.compile(r"^dataset\s*(\(\d+\))?$", re.IGNORECASE)
_FILES = ("dataset.csv", "structure.csv", "labels.csv")


@dataclass
class _Export:
    dataset: SourceTable
    structure: pd.DataFrame
    labels: dict[str, dict[str, str]]
    files: list[Path]
    info: dict[str, Any]


def surveyxact_files(path: Path) -> list[Path] | None:
    """The three CSV files when ``path`` is one of them or their folder; ``None`` otherwise."""
    folder = path if path.is_dir() else path.parent
    if not path.is_dir() and path.name.casefold() not in _FILES:
        return None
    found = {p.name.casefold(): p for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}
    if all(f in found for f in _FILES):
        return [found[f] for f in _FILES]
    return None


def is_surveyxact(sheet_names: list[str]) -> bool:
    """``True`` for a workbook with Structure, Labels and Dataset sheets."""
    names = {n.casefold() for n in sheet_names}
    return {"structure", "labels"} <= names and any(_DATASET.match(n) for n in sheet_names)


def _read(path: Path) -> _Export:
    trio = surveyxact_files(path)
    if trio is not None:
        sheets = {p.name.casefold(): read_text_grid(p) for p in trio}
        dataset = table_from_sheet(sheets["dataset.csv"], file=str(trio[0]))
        info = {"files": {str(p): sheets[p.name.casefold()].info for p in trio}}
        return _Export(dataset, _structure(sheets["structure.csv"], str(trio[1])),
                       _labels(sheets["labels.csv"]), trio, info)
    if path.is_dir():
        raise DataFileError(f"{path}: a folder without SurveyXact's dataset.csv, structure.csv and labels.csv")
    book = read_workbook(path)
    if not is_surveyxact(list(book)):
        raise DataFileError(f"{path}: not a SurveyXact export — it needs sheets Dataset, Structure and "
                            f"Labels (found {', '.join(book)})")
    parts = [name for name in book if _DATASET.match(name)]
    tables = [table_from_sheet(book[name], file=f"{path} [{name}]") for name in parts]
    frames = [t.data.set_axis(t.rows.to_numpy()) for t in tables]  # align the parts on the sheet row
    data = frames[0]
    for extra in frames[1:]:
        data = data.join(extra[[c for c in extra.columns if c not in data.columns]], how="outer")
    data = data.sort_index()
    rows = pd.Series(data.index.to_numpy(), dtype="int64")
    dataset = SourceTable(data.reset_index(drop=True).astype(object), rows, file=str(path))
    structure = next(book[n] for n in book if n.casefold() == "structure")
    labels = next(book[n] for n in book if n.casefold() == "labels")
    return _Export(dataset, _structure(structure, f"{path} [Structure]"), _labels(labels), [path],
                   {"sheets": list(book), "dataset_sheets": parts})


def _structure(sheet: Sheet, file: str) -> pd.DataFrame:
    table = table_from_sheet(sheet, file=file).data
    table.columns = [normalise_label(c).replace(" ", "") for c in table.columns]
    need = ("variablename", "questiontext")
    if not all(c in table.columns for c in need):
        raise DataFileError(f"{file}: not a SurveyXact Structure sheet — it needs the columns "
                            f"variableName and questionText (found {list(table.columns)})")
    for c in ("questiontype", "subtype", "choicetext"):
        if c not in table.columns:
            table[c] = None
    return table.set_index("variablename", drop=False)


def _labels(sheet: Sheet) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for k, (_, cells) in enumerate(sheet.rows):
        cells = [*cells, None, None, None][:3]
        var, code, label = cells
        if k == 0 and normalise_label(var) == "variablename":
            continue  # a header row, although SurveyXact writes none
        if is_blank(var) or is_blank(code):
            continue
        out.setdefault(str(var).strip(), {})[_code(code)] = "" if label is None else str(label).strip()
    return out


def _code(value: object) -> str:
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].lstrip("-").isdigit() else text


def _header(row: pd.Series) -> str:
    text = "" if is_blank(row["questiontext"]) else str(row["questiontext"]).strip()
    if normalise_label(row["subtype"]) == "multiple" and not is_blank(row["choicetext"]):
        return f"{text} - {str(row['choicetext']).strip()}"
    return text


def _plan(export: _Export, codebook: Codebook) -> ColumnPlan:
    plan = ColumnPlan()
    structure = export.structure
    for col in export.dataset.data.columns:
        if re.fullmatch(r"stato_\d", col, re.IGNORECASE):
            plan.ignored[col] = "response status (stato_1 … stato_5)"
            continue
        if col not in structure.index:
            role = id_role(col)
            if role is not None:
                plan.add_role(col, role)
            else:
                plan.ignored[col] = "system variable (not in the Structure sheet) — not carried"
            continue
        row = structure.loc[col]
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        by_name = codebook.matcher.match(col)
        m = by_name if by_name.kind in ("item", "background") else codebook.matcher.match(_header(row))
        if m.kind == "item" and m.item_id and col not in export.labels \
                and codebook.scale(m.item_id).kind == "likert":
            plan.unknown[col] = (f"{m.item_id}: no value labels for this variable in the Labels sheet — its "
                                 "codes cannot be read safely (SurveyXact's codes need not be the codebook's; "
                                 "'Ved ikke' may be any code)")
        elif m.kind == "item" and m.item_id:
            plan.add_item(col, m.item_id)
            if col in export.labels:
                plan.value_labels[col] = export.labels[col]
        elif m.kind == "background" and m.item_id and (m.item_id == "group" or m.item_id in BACKGROUND_COLUMNS):
            plan.add_role(col, m.item_id)
        elif normalise_label(row["questiontype"]) == "open":
            plan.ignored[col] = "free text not in the codebook (e.g. \"Andet, skriv\") — not carried: it may name people"
        else:
            plan.unknown[col] = m.message
    return plan


def load_surveyxact(path: Path, codebook: Codebook, options: IngestOptions) -> IngestResult:
    """Load a SurveyXact export (the .xlsx, the folder of the three CSV files, or one of them).

    Raises
    ------
    DataFileError, DataValidationError
        See ``docs/ingest.md``.
    """
    export = _read(path)
    plan = _plan(export, codebook)
    data = export.dataset.data.copy()
    for role, col in plan.roles.items():  # respondent columns arrive as codes too
        if col in export.labels and role != "respondent_id":
            labels = export.labels[col]
            data[col] = data[col].map(lambda v, lab=labels: lab.get(_code(v), v) if not is_blank(v) else None)
    status = [c for c in data.columns if c.casefold() in _NOT_ANSWERED]
    never = data[status].map(lambda v: _code(v) == "1").any(axis=1) if status else pd.Series(False, index=data.index)
    table = SourceTable(data[~never], export.dataset.rows[~never], export.dataset.file, dict(export.info))
    result = assemble(table, plan, codebook, options)
    result.provenance["not_responded"] = int(never.sum())
    result.provenance["files"] = [str(p) for p in export.files]
    result.provenance["sheet_info"] = export.info
    return result


def source_bytes(path: Path) -> list[tuple[Path, bytes]]:
    """The files a SurveyXact source consists of, with their bytes (for the provenance hash)."""
    trio = surveyxact_files(path)
    return [(p, read_bytes(p)) for p in (trio or [path])]
