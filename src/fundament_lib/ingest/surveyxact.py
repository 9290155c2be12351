"""SurveyXact exports: an .xlsx with Dataset/Structure/Labels sheets, or three CSV files.

* ``Dataset`` (possibly split side by side into ``Dataset(1)``, ``Dataset(2)``
  …) holds numeric codes, one column per variable (codes may be stored as
  ``1.0``);
* ``Structure``: ``questionName; variableName; questionType; subType;
  questionText; choiceValue; choiceText`` (and an empty trailing column);
  some workbooks have no Structure sheet but a ``Variables`` sheet
  (``variableName; variableDescription``) whose description carries the
  same text (``"Question battery - Element one"``);
* ``Labels`` (no header row): ``variableName; value; valueLabel`` (labels may
  end in a line break).

A workbook is SurveyXact's when it has a Labels sheet and a Dataset sheet; it
is never read as a wide file. Codes are turned into their labels before parsing,
after the labels are checked against the item's scale (see
:func:`~.answers.check_value_labels`), so "Ved ikke" is known by its label
whatever its code and a 4-point scale is never put on the codebook's 5 points.
Variables are matched to items by name when the name is an item id
(``P1_1_1``), else by their text through the codebook: matrix rows are
``"Question - Row"``, a multiple-choice option is ``"Question - Option"`` coded
0/1. Status dummies ``stato_1`` … ``stato_5`` (Ny, Distribueret, Nogle svar,
Gennemført, Frafaldet; or one ``statoverall`` column coded 1–5) drop
invitations never answered. A respondent-list column named like an id
(``id``) is the respondent id only when every answered row has its own;
otherwise (a school's name, say) it is not carried. An anonymous export has no
respondent id; one is made up and the provenance says so. Open (free-text)
variables the codebook does not know, such as "Andet, skriv", are not carried:
they may name people (without a Structure sheet: variables without value
labels whose answers are not numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from fundament_lib.core.errors import DataFileError

from .assemble import IngestOptions, IngestResult, assemble
from .codebook import Codebook
from .matching import id_role
from .plan import ColumnPlan
from .readers import Sheet, SourceTable, read_text_grid, read_workbook, table_from_sheet
from .schema import BACKGROUND_COLUMNS
from .sink import TidySink
from .text import is_blank, normalise_label, parse_number

__all__ = ["load_surveyxact", "is_surveyxact", "surveyxact_files", "STATUS_LABELS"]

STATUS_LABELS = {1: "Ny", 2: "Distribueret", 3: "Nogle svar", 4: "Gennemført", 5: "Frafaldet"}
_NOT_ANSWERED = ("stato_1", "stato_2")
_STATUS = re.compile(r"^stato(_\d+|verall)$", re.IGNORECASE)
_DATASET = re.compile(r"^dataset\s*(\(\d+\))?$", re.IGNORECASE)
_FILES = ("dataset.csv", "structure.csv", "labels.csv")
NO_TEXTS = ("a SurveyXact workbook (sheets Labels and Dataset) without a Structure or Variables sheet: its variables "
            "have no question texts to match against the codebook — export it again with the Structure sheet")
NOT_AN_ID = "respondent-list column, not a respondent id (answered rows share its values) — not carried"


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
    """``True`` for a workbook with Labels and Dataset sheets (and, to be loadable, Structure or Variables)."""
    names = {n.strip().casefold() for n in sheet_names}
    return "labels" in names and any(_DATASET.match(n.strip()) for n in sheet_names)


def _sheet(book: dict[str, Sheet], name: str) -> Sheet | None:
    return next((book[n] for n in book if n.strip().casefold() == name), None)


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
    structure, variables = _sheet(book, "structure"), _sheet(book, "variables")
    if structure is None and variables is None:
        raise DataFileError(f"{path}: {NO_TEXTS} (found {', '.join(book)})")
    parts = [name for name in book if _DATASET.match(name.strip())]
    tables = [table_from_sheet(book[name], file=f"{path} [{name}]") for name in parts]
    frames = [t.data.set_axis(t.rows.to_numpy()) for t in tables]  # align the parts on the sheet row
    data = frames[0]
    for extra in frames[1:]:
        data = data.join(extra[[c for c in extra.columns if c not in data.columns]], how="outer")
    data = data.sort_index()
    rows = pd.Series(data.index.to_numpy(), dtype="int64")
    dataset = SourceTable(data.reset_index(drop=True).astype(object), rows, file=str(path))
    labels = _sheet(book, "labels")
    assert labels is not None  # is_surveyxact
    read: dict[str, Any] = {"sheets": list(book), "dataset_sheets": parts}
    if structure is not None:
        texts = _structure(structure, f"{path} [Structure]")
    else:
        assert variables is not None
        texts = _variables(variables, f"{path} [Variables]")
        read["texts"] = "Variables sheet (no Structure sheet)"
    return _Export(dataset, texts, _labels(labels), [path], read)


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


def _variables(sheet: Sheet, file: str) -> pd.DataFrame:
    """A Variables sheet (``variableName``, ``variableDescription``) as a Structure table without types."""
    table = table_from_sheet(sheet, file=file).data
    table.columns = [normalise_label(c).replace(" ", "") for c in table.columns]
    if not {"variablename", "variabledescription"} <= set(table.columns):
        raise DataFileError(f"{file}: not a SurveyXact Variables sheet — it needs the columns variableName and "
                            f"variableDescription (found {list(table.columns)})")
    out = pd.DataFrame({"variablename": table["variablename"], "questiontext": table["variabledescription"],
                        "questiontype": None, "subtype": None, "choicetext": None})
    return out.set_index("variablename", drop=False)


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


def _unique_id(values: pd.Series) -> bool:
    """Whether a candidate id column gives every answered row its own id."""
    filled = values[~values.map(is_blank)].astype(str).str.strip()
    return len(filled) == len(values) and not filled.duplicated().any()


def _plan(export: _Export, codebook: Codebook, answered: pd.Series) -> ColumnPlan:
    plan = ColumnPlan()
    structure = export.structure
    typed = structure["questiontype"].notna().any()
    data = export.dataset.data
    for col in data.columns:
        if _STATUS.match(col.strip()):
            plan.ignored[col] = "response status (stato_1 … stato_5)"
            continue
        if col not in structure.index:
            role = id_role(col)
            if role == "respondent_id" and not _unique_id(data.loc[answered, col]):
                plan.ignored[col] = NOT_AN_ID
            elif role is not None:
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
        elif normalise_label(row["questiontype"]) == "open" or (
                not typed and col not in export.labels and _free_text(data.loc[answered, col])):
            plan.ignored[col] = "free text not in the codebook (e.g. \"Andet, skriv\") — not carried: it may name people"
        else:
            plan.unknown[col] = (codebook.matcher.closest(_header(row)) if m.kind == "none" else m).message
    return plan


def _free_text(values: pd.Series) -> bool:
    """Without a Structure sheet: a variable whose answers are not all numbers is free text."""
    filled = values[~values.map(is_blank)]
    return bool(len(filled)) and filled.map(lambda v: parse_number(v) is None).any()


def load_surveyxact(path: Path, codebook: Codebook, options: IngestOptions, *, sink: TidySink | None = None
                    ) -> IngestResult:
    """Load a SurveyXact export (the .xlsx, the folder of the three CSV files, or one of them).

    Raises
    ------
    DataFileError, DataValidationError
        See ``docs/ingest.md``.
    """
    export = _read(path)
    never = _never_answered(export.dataset.data)
    plan = _plan(export, codebook, ~never)
    data = export.dataset.data.copy()
    for role, col in plan.roles.items():  # respondent columns arrive as codes too
        if col in export.labels and role != "respondent_id":
            labels = export.labels[col]
            data[col] = data[col].map(lambda v, lab=labels: lab.get(_code(v), v) if not is_blank(v) else None)
    table = SourceTable(data[~never], export.dataset.rows[~never], export.dataset.file, dict(export.info))
    result = assemble(table, plan, codebook, options, sink=sink)
    result.provenance["not_responded"] = int(never.sum())
    result.provenance["files"] = [str(p) for p in export.files]
    result.provenance["sheet_info"] = export.info
    return result


def _never_answered(data: pd.DataFrame) -> pd.Series:
    """Invitations never answered: ``stato_1``/``stato_2`` (Ny, Distribueret) ticked, or ``statoverall`` 1 or 2."""
    never = pd.Series(False, index=data.index)
    for col in data.columns:
        name = col.strip().casefold()
        if name in _NOT_ANSWERED:
            never |= data[col].map(lambda v: _code(v) == "1")
        elif name == "statoverall":
            never |= data[col].map(lambda v: _code(v) in ("1", "2"))
    return never
