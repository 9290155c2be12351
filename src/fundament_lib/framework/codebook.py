"""The codebook as a file: what ``fundament instrument`` writes, made from the framework.

One row per item a respondent can answer, with the Danish wording as the
respondent sees it. Columns (``;``-separated UTF-8 with BOM, or .xlsx):

=========  ===================================================================
item_id    the framework's id of the item (``P1.1.1``, ``IMP.P1.1``, ``group``)
text       the full wording of the item
theme      the theme id, empty where the item belongs to no theme
domain     the theme's pejlemærke (or area)
block      theme, importance, outcome, role, burden, prerequisite, background,
           free_text
scale      the name of the answer scale (``enighed``, ``grad``, ``valgt`` …)
labels     value labels, e.g. ``1=Helt uenig | … | 5=Helt enig | Ved ikke``;
           for background items the options, ``code=label``
reverse    ``ja`` for an item scored in reverse (agreeing counts low), else empty
audience   who is asked: ``stab``, ``borgernaer`` or both (``;``-joined)
page       page of the publication the item rests on
question   the matrix question the item is a row of (empty for a single question)
row        the item's row text in that matrix (empty for a single question)
aliases    other headers the kommune's tool uses for the item (``|``-joined)
=========  ===================================================================

A kommune may edit ``text``, ``question``, ``row``, ``aliases`` and the label
*texts* to match its own survey; ``fundament ingest --codebook FILE`` reads the
edited file back and checks it against the framework
(:mod:`fundament_lib.ingest.codebook`). This module only makes the codebook,
so the framework's instrument needs nothing of the loaders.
"""

from __future__ import annotations

import io

import pandas as pd

from .model import Framework
from .parts import Scale

__all__ = ["CODEBOOK_COLUMNS", "codebook_table", "codebook_csv_bytes", "codebook_xlsx_bytes", "theme_question"]

CODEBOOK_COLUMNS: tuple[str, ...] = (
    "item_id", "text", "theme", "domain", "block", "scale", "labels", "reverse", "audience", "page",
    "question", "row", "aliases",
)


def theme_question(scale: Scale) -> str:
    """The question above a block of statements, worded for the scale's labels."""
    words = " ".join(scale.labels.values()).casefold()
    if "enig" in words:
        return "Hvor enig eller uenig er du i følgende udsagn?"
    if "grad" in words:
        return "I hvor høj grad passer følgende udsagn på din kommune?"
    return "Angiv dit svar for hvert udsagn."


def _matrix_parts(fw: Framework) -> dict[str, tuple[str, str]]:
    """item id → (question, row) for items shown as rows of a matrix question."""
    out: dict[str, tuple[str, str]] = {}
    stem = theme_question(fw.scales[fw.theme_scale])
    for t in fw.themes():
        for i in t.items:
            out[i.id] = (stem, i.text)
    if fw.importance:
        q = fw.importance.text.format(theme="…")
        for t in fw.themes():
            out[fw.importance_id(t.id)] = (q, t.title)
    if fw.roles:
        for f in fw.roles.functions:
            q = fw.roles.text.format(function=f.title, role="…")
            for r in fw.roles.roles:
                out[fw.role_id(f.id, r.id)] = (q, r.title)
    if fw.burden:
        for a in fw.burden.areas:
            out[fw.burden_id(a.id)] = (fw.burden.text, f"{a.title} ({a.example})" if a.example else a.title)
    if fw.prerequisites:
        q = theme_question(fw.scales[fw.prerequisites.scale])
        for p in fw.prerequisites.items:
            out[p.id] = (q, p.text)
    return out


def codebook_table(fw: Framework) -> pd.DataFrame:
    """The framework's codebook with the matrix layout (``question``/``row``) and empty ``aliases``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CODEBOOK_COLUMNS`, one row per item, in questionnaire order.
    """
    cb = fw.codebook().copy()
    parts = _matrix_parts(fw)
    cb["question"] = cb["item_id"].map(lambda i: parts.get(i, ("", ""))[0])
    cb["row"] = cb["item_id"].map(lambda i: parts.get(i, ("", ""))[1])
    cb["aliases"] = ""
    cb["page"] = cb["page"].astype("Int64")
    return cb[list(CODEBOOK_COLUMNS)].reset_index(drop=True)


def codebook_csv_bytes(table: pd.DataFrame) -> bytes:
    """The codebook as ``;``-separated UTF-8 with a byte-order mark (opens in Danish Excel)."""
    return table.to_csv(sep=";", index=False).encode("utf-8-sig")


def codebook_xlsx_bytes(table: pd.DataFrame, *, title: str = "Kodebog") -> bytes:
    """The codebook as an .xlsx workbook (one sheet, header frozen, wrapped text)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    ws.append(list(table.columns))
    for row in table.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = {"text": 70, "labels": 50, "question": 50, "row": 40, "aliases": 30}
    for j, name in enumerate(table.columns, 1):
        letter = ws.cell(row=1, column=j).column_letter
        ws.column_dimensions[letter].width = widths.get(str(name), 14)
        if str(name) in widths:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
