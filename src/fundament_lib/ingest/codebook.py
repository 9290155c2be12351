"""Reading a kommune's codebook file back: what ``fundament ingest --codebook FILE`` reads.

The file is made from the framework by :mod:`fundament_lib.framework.codebook`
(``fundament instrument``), which lists its columns; this module reads a
kommune's copy back (``fundament ingest --codebook FILE``) and checks it.

A kommune may edit ``text``, ``question``, ``row``, ``aliases`` and the label
*texts* to match its own survey; scales, blocks and ``reverse`` must stay the
framework's (the loader checks and says where they differ; a file without a
``reverse`` column is read as before). An ordered (Likert) item's ``labels``
may give the scale the survey really asked: any number of points from 3 to 11,
numbered worst-first or best-first (see :mod:`.scales`); tick boxes and
background items keep the framework's codes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from fundament_lib.core.errors import DataFileError, DataValidationError, Problem
from fundament_lib.framework import BLOCKS, Framework, Scale
from fundament_lib.framework.codebook import codebook_table

from .matching import Entry, HeaderMatcher
from .readers import read_text_grid, read_workbook, table_from_sheet
from .scales import OrderedScale, ScaleError, codebook_scale, framework_scale
from .text import is_blank, normalise_label

__all__ = [
    "Codebook",
    "load_codebook",
    "read_codebook",
    "BAD_SCALE",
]

_REQUIRED = ("item_id", "text", "block", "scale", "labels")
BAD_SCALE = "the labels are not an ordered scale of 3–11 points"


class _Row(BaseModel):
    """One row of a codebook file, as read."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    item_id: str
    text: str
    block: str
    scale: str
    labels: str = ""
    reverse: str | None = None  # None: the file has no reverse column
    question: str = ""
    row: str = ""
    aliases: str = ""

    @field_validator("item_id", "text")
    @classmethod
    def _not_empty(cls, v: str) -> str:
        if not v:
            raise ValueError("must not be empty")
        return v

    @field_validator("block")
    @classmethod
    def _known_block(cls, v: str) -> str:
        if v not in BLOCKS:
            raise ValueError(f"must be one of {', '.join(BLOCKS)}")
        return v


@dataclass
class Codebook:
    """The items a loader may meet, their scales and their wording (framework's and kommune's).

    Build with :func:`load_codebook`.
    """

    framework: Framework
    table: pd.DataFrame  # index item_id, CODEBOOK_COLUMNS
    source: str
    sha256: str | None = None
    extra_labels: dict[str, dict[str, int]] = field(default_factory=dict)
    extra_nonsubstantive: dict[str, set[str]] = field(default_factory=dict)
    extra_options: dict[str, dict[str, str]] = field(default_factory=dict)
    kommune_entries: list[Entry] = field(default_factory=list)
    ordered_scales: dict[str, OrderedScale] = field(default_factory=dict)

    @property
    def item_ids(self) -> list[str]:
        """Every item id, in questionnaire order."""
        return list(self.table.index)

    def block(self, item_id: str) -> str:
        """The item's block."""
        return str(self.table.at[item_id, "block"])

    def audience(self, item_id: str) -> set[str]:
        """The groups asked this item."""
        return set(str(self.table.at[item_id, "audience"]).split(";"))

    @cached_property
    def _scales(self) -> dict[str, Scale]:
        out = {}
        for item, name in self.table["scale"].items():
            base = self.framework.scales.get(str(name), Scale(kind="text"))
            extra = self.extra_nonsubstantive.get(str(item))
            if extra:
                base = base.model_copy(update={"nonsubstantive": [*base.nonsubstantive, *sorted(extra)]})
            out[str(item)] = base
        return out

    def scale(self, item_id: str) -> Scale:
        """The item's scale (``text`` for background and free text)."""
        return self._scales[item_id]

    def ordered(self, item_id: str) -> OrderedScale | None:
        """The ordered scale a Likert item was asked on (the codebook file's, else the framework's); else ``None``."""
        own = self.ordered_scales.get(item_id)
        return own if own is not None else framework_scale(self.scale(item_id))

    def options(self, item_id: str) -> dict[str, str]:
        """A background item's answers (normalised label or code) → option code."""
        bg = {b.id: b for b in self.framework.background}
        if item_id not in bg:
            return {}
        out = {normalise_label(k): k for k in bg[item_id].options}
        out.update({normalise_label(v): k for k, v in bg[item_id].options.items()})
        out.update(self.extra_options.get(item_id, {}))
        return out

    @cached_property
    def matcher(self) -> HeaderMatcher:
        """The header matcher over the framework's wording and the kommune's own."""
        entries = [_entry(row) for row in codebook_table(self.framework).itertuples(index=False)
                   if row.item_id in self.table.index]
        return HeaderMatcher([*entries, *self.kommune_entries])

    def describe(self) -> dict[str, object]:
        """For the provenance record."""
        return {"source": self.source, "sha256": self.sha256, "framework": self.framework.id,
                "framework_version": self.framework.version, "items": len(self.table)}


def _entry(row: object) -> Entry:
    get = lambda name: "" if pd.isna(getattr(row, name, "")) else str(getattr(row, name, ""))  # noqa: E731
    aliases = tuple(a.strip() for a in get("aliases").split("|") if a.strip())
    return Entry(item_id=get("item_id"), text=get("text"), block=get("block"), question=get("question"),
                 row=get("row"), aliases=aliases, choice=get("block") == "burden" and get("scale") == "valgt")


def load_codebook(framework: Framework, path: Path | None = None) -> Codebook:
    """The codebook of a framework, or a kommune's codebook file checked against it.

    Parameters
    ----------
    framework
        The framework whose items and scales the data must use.
    path
        A codebook written by ``fundament instrument`` (CSV or XLSX), possibly
        edited by the kommune; ``None`` for the framework's own.

    Raises
    ------
    DataFileError
        The file cannot be read or lacks a required column.
    DataValidationError
        Rows whose item id, block, scale or codes differ from the framework.
    """
    table = codebook_table(framework).set_index("item_id", drop=False)
    if path is None:
        return Codebook(framework, table, source=f"framework {framework.id} {framework.version}")
    return read_codebook(path, framework)


def read_codebook(path: Path, framework: Framework) -> Codebook:
    """Read a codebook file (CSV or XLSX) and check it against the framework; see :func:`load_codebook`."""
    file = str(path)
    if not path.is_file():
        raise DataFileError(f"{file}: codebook file not found")
    raw = path.read_bytes()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = read_workbook(path, file=file)
        sheet = next((s for s in sheets.values() if s.rows), None)
        if sheet is None:
            raise DataFileError(f"{file}: the codebook workbook is empty")
    else:
        sheet = read_text_grid(path, file=file, data=raw)
    src = table_from_sheet(sheet, file=file)
    src.data.columns = [normalise_label(c).replace(" ", "_") for c in src.data.columns]
    missing = [c for c in _REQUIRED if c not in src.data.columns]
    if missing:
        raise DataFileError(f"{file}: not a Fundament codebook — missing column(s) {missing} "
                            f"(write one with `fundament instrument`)")
    own = codebook_table(framework).set_index("item_id", drop=False)
    problems: list[Problem] = []
    rows: list[_Row] = []
    scales: dict[str, OrderedScale] = {}
    seen: dict[str, int] = {}
    for idx, record in src.data.iterrows():
        line = src.row_of(idx)
        cells = {k: ("" if is_blank(v) else str(v)) for k, v in record.items()}
        try:
            row = _Row.model_validate(cells)
        except ValidationError as exc:
            for err in exc.errors():
                col = str(err["loc"][0]) if err["loc"] else None
                problems.append(Problem(file, line, col, cells.get(col or ""), err["msg"]))
            continue
        if row.item_id in seen:
            problems.append(Problem(file, line, "item_id", row.item_id,
                                    f"item listed twice (also row {seen[row.item_id]})"))
            continue
        seen[row.item_id] = line
        found, ordered = _check_row(row, own, framework, file, line)
        problems += found
        if ordered is not None:
            scales[row.item_id] = ordered
        rows.append(row)
    if problems:
        raise DataValidationError(problems, file=file)
    keep = [r.item_id for r in rows if r.item_id in own.index]
    table = own.loc[keep].copy()
    cb = Codebook(framework, table, source=file, sha256=hashlib.sha256(raw).hexdigest(), ordered_scales=scales)
    for r in rows:
        labels, nonsub = _parse_labels(r.labels)
        if r.block == "background":
            cb.extra_options[r.item_id] = {normalise_label(v): k for k, v in labels.items()}
        elif r.item_id not in scales:
            cb.extra_labels[r.item_id] = {normalise_label(v): int(k) for k, v in labels.items()}
            cb.extra_nonsubstantive[r.item_id] = {normalise_label(x) for x in nonsub}
        aliases = tuple(a.strip() for a in r.aliases.split("|") if a.strip())
        cb.kommune_entries.append(Entry(item_id=r.item_id, text=r.text, block=r.block, question=r.question,
                                        row=r.row, aliases=aliases,
                                        choice=r.block == "burden" and r.scale == "valgt"))
    return cb


def _parse_labels(text: str) -> tuple[dict[str, str], list[str]]:
    """``"1=Helt uenig | … | Ved ikke"`` → ({"1": "Helt uenig", …}, ["Ved ikke"])."""
    coded: dict[str, str] = {}
    bare: list[str] = []
    for part in (p.strip() for p in text.split("|")):
        if not part:
            continue
        code, sep, label = part.partition("=")
        if sep and code.strip() and label.strip():
            coded[code.strip()] = label.strip()
        else:
            bare.append(part)
    return coded, bare


def _check_row(row: _Row, own: pd.DataFrame, fw: Framework, file: str, line: int
               ) -> tuple[list[Problem], OrderedScale | None]:
    """Problems of one codebook row, and the ordered scale its labels give a Likert item."""
    if row.item_id not in own.index:
        return [Problem(file, line, "item_id", row.item_id, f"item id is not in framework {fw.id}")], None
    out = []
    want_block, want_scale = str(own.at[row.item_id, "block"]), str(own.at[row.item_id, "scale"])
    if row.block != want_block:
        out.append(Problem(file, line, "block", row.block, f"block differs from the framework's ({want_block})"))
    if row.scale != want_scale:
        out.append(Problem(file, line, "scale", row.scale, f"scale differs from the framework's ({want_scale})"))
    want_reverse = str(own.at[row.item_id, "reverse"])
    if row.reverse is not None and normalise_label(row.reverse) != want_reverse:
        out.append(Problem(file, line, "reverse", row.reverse,
                           f"reverse differs from the framework's ({want_reverse or 'empty'}): "
                           "the framework decides how an item is scored"))
    labels, bare = _parse_labels(row.labels)
    if row.block == "background":
        bg = {b.id: b for b in fw.background}[row.item_id]
        wrong = sorted(set(labels) - set(bg.options))
        if wrong:
            out.append(Problem(file, line, "labels", row.labels,
                               f"option codes {wrong} are not the framework's ({', '.join(bg.options)})"))
        return out, None
    scale = fw.scales.get(want_scale)
    if scale is not None and scale.kind == "likert" and labels and row.scale == want_scale:
        try:
            return out, codebook_scale(labels, bare, scale)
        except ScaleError as exc:
            out.append(Problem(file, line, "labels", row.labels, f"{BAD_SCALE}: {exc}"))
            return out, None
    if scale is not None and scale.kind == "choice" and labels:
        codes = {int(c) for c in labels if c.lstrip("-").isdigit()}
        if codes != set(scale.labels) or len(codes) != len(labels):
            out.append(Problem(file, line, "labels", row.labels,
                               "codes differ from the framework's scale "
                               f"({', '.join(str(c) for c in sorted(scale.labels))}); change the label "
                               "texts only, not the codes"))
    return out, None

