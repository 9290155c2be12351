"""Wide exports: one row per respondent, one column per item (named by the codebook).

Also the shared step every loader ends with: :func:`wide_to_tidy` turns a wide
table whose item columns carry codebook ids into the tidy table, parsing
every cell against its item's scale and reporting each bad cell with its row
and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataFileError, DataValidationError, Problem, UnknownKommuneError
from ..framework import Framework
from ..kommuner import normalise_code
from .answers import normalise_label, parse_answers
from .schema import BACKGROUND_COLUMNS, TIDY_COLUMNS, validate_tidy

__all__ = ["IngestResult", "read_wide", "wide_to_tidy", "ID_COLUMNS"]

ID_COLUMNS: tuple[str, ...] = ("respondent_id", "kommunekode", "group", "wave")


@dataclass
class IngestResult:
    """A loaded file: the tidy data, the cells dropped (lenient mode), and provenance."""

    data: pd.DataFrame
    dropped: list[Problem] = field(default_factory=list)
    provenance: dict[str, object] = field(default_factory=dict)


def read_wide(path: Path, framework: Framework, *, strict: bool = True) -> IngestResult:
    """Read a wide CSV (``;`` or ``,``, UTF-8) whose item columns are codebook ids.

    Parameters
    ----------
    path
        The CSV file.
    framework
        The framework whose codebook names the columns.
    strict
        Refuse the file on any bad cell (default) or drop bad cells and report them.

    Raises
    ------
    DataFileError
        The file is missing, empty or unreadable.
    DataValidationError
        Bad cells (strict mode) or rows that cannot be kept in any mode.
    """
    try:
        table = pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    except (pd.errors.EmptyDataError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataFileError(f"{path}: cannot read as CSV ({exc})") from None
    return wide_to_tidy(table, framework, file=str(path), strict=strict)


def _row_number(index: object) -> int:
    return int(index) + 2  # type: ignore[call-overload]  # header is row 1, first data row 2


def wide_to_tidy(wide: pd.DataFrame, framework: Framework, *, file: str, strict: bool = True,
                 first_row: int = 2) -> IngestResult:
    """Turn a wide table with codebook-named columns into the validated tidy table.

    Parameters
    ----------
    wide
        One row per respondent. Must hold ``kommunekode`` and ``group``;
        ``respondent_id`` and ``wave`` are optional (made up and reported in
        the provenance when absent).
    framework
        Supplies the codebook: item ids, scales and audiences.
    file
        Name used in problem reports.
    strict
        Raise on any bad cell, or drop bad cells and list them in ``dropped``.
    first_row
        File row number of the first data row (header row + 1).

    Raises
    ------
    DataValidationError
        Listing every problem at once.
    """
    row_of = lambda idx: int(idx) + first_row  # noqa: E731
    cb = framework.codebook().set_index("item_id")
    wide = wide.reset_index(drop=True)
    problems: list[Problem] = []
    unknown = [c for c in wide.columns if c not in cb.index and c not in ID_COLUMNS]
    problems += [Problem(file, None, c, None, "column is not in the codebook") for c in unknown]
    missing = [c for c in ("kommunekode", "group") if c not in wide.columns]
    if missing:
        raise DataValidationError([Problem(file, None, c, None, "required column is missing")
                                   for c in missing], file=file)
    ids = _id_frame(wide, file, row_of, problems)
    items = [c for c in wide.columns if c in cb.index and cb.at[c, "block"] != "background"]
    parsed = []
    for item in items:
        col = parse_answers(wide[item], framework.scale_of(item))
        for idx in col.bad[col.bad].index:
            problems.append(Problem(file, row_of(idx), item, wide.at[idx, item], col.reason[idx]))
        audience = set(str(cb.at[item, "audience"]).split(";"))
        shown = ids["group"].isin(audience) | (col.status != "ubesvaret")
        part = ids[shown].assign(item_id=item, value=col.value[shown], status=col.status[shown],
                                 text=col.text[shown])
        parsed.append(part)
    if problems and strict:
        raise DataValidationError(problems, file=file)
    tidy = pd.concat(parsed, ignore_index=True) if parsed else pd.DataFrame(columns=list(TIDY_COLUMNS))
    tidy = tidy[[c for c in TIDY_COLUMNS if c in tidy.columns]]
    tidy = validate_tidy(tidy, file=file, item_ids=list(cb.index))
    prov = {"rows": len(wide), "items": len(items), "ignored_columns": unknown,
            "respondent_id_made_up": "respondent_id" not in wide.columns}
    return IngestResult(tidy, dropped=problems, provenance=prov)


def _id_frame(wide: pd.DataFrame, file: str, row_of, problems: list[Problem]) -> pd.DataFrame:
    """Respondent-level columns, normalised; bad values become problems."""
    out = pd.DataFrame(index=wide.index)
    if "respondent_id" in wide.columns:
        out["respondent_id"] = wide["respondent_id"].astype("str").str.strip()
    else:
        out["respondent_id"] = [f"r{row_of(i)}" for i in wide.index]
    out["kommunekode"] = [_code(v, file, row_of(i), problems) for i, v in wide["kommunekode"].items()]
    groups = wide["group"].map(lambda g: _GROUP_SYNONYMS.get(normalise_label(g)))
    for idx in groups[groups.isna()].index:
        problems.append(Problem(file, row_of(idx), "group", wide.at[idx, "group"],
                                "group must be stab or borgernaer"))
    out["group"] = groups
    out["wave"] = wide["wave"].astype("str").str.strip() if "wave" in wide.columns else "1"
    for col in BACKGROUND_COLUMNS:
        out[col] = wide[col].where(wide[col].astype("str").str.strip() != "") if col in wide else None
    return out


def _code(value: object, file: str, row: int, problems: list[Problem]) -> str | None:
    try:
        return normalise_code(value)
    except UnknownKommuneError as exc:
        problems.append(Problem(file, row, "kommunekode", value, str(exc).split(":")[0]))
        return None


_GROUP_SYNONYMS = {
    "stab": "stab", "stab ledelse": "stab", "ledelse": "stab", "stabs og støttefunktion": "stab",
    "borgernaer": "borgernaer", "borgernær": "borgernaer", "borgernære enheder": "borgernaer",
    "borgernaere enheder": "borgernaer", "frontline": "borgernaer",
}
