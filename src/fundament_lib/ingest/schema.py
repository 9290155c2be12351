"""The tidy answer table — the spine every later step reads — and its schema.

One row per respondent × item. Columns:

================  ==========================================================
respondent_id     unique per respondent across the whole dataset
kommunekode       3-digit kommune code ("101" … "860")
group             ``stab`` or ``borgernaer``
wave              survey round label, e.g. ``"2025"``
fagomraade        background (borgernære ledere), may be empty
stabsfunktion     background (stab), may be empty
ledelsesniveau    background, may be empty
item_id           an ``item_id`` of the framework's codebook
value             the substantive answer as a number; empty otherwise
status            ``svar`` (answered), ``ved_ikke`` (a non-substantive
                  answer such as "Ved ikke"/"Ikke relevant") or
                  ``ubesvaret`` (skipped)
text              free-text answers (block ``free_text``), else empty
points            optional: K, the number of substantive points of the scale
                  the answer was given on (3–11), for ordered (Likert) items;
                  empty for tick boxes, numbers, text and for files written
                  before the column existed — then the framework's own scale
                  applies. ``value`` of such items is always coded 1..K,
                  1 being the scale's worst end, whatever the export's order.
================  ==========================================================

"Ved ikke" is kept as its own status: it never counts as a number.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ..errors import DataFileError, DataValidationError, Problem
from ..kommuner import kommuner

__all__ = [
    "TIDY_COLUMNS",
    "BACKGROUND_COLUMNS",
    "STATUSES",
    "tidy_schema",
    "respondent_schema",
    "validate_tidy",
    "read_tidy",
    "UNKNOWN_KOMMUNE",
    "BAD_GROUP",
    "EMPTY_ID",
    "DUPLICATE_ID",
    "BAD_WAVE",
    "DUPLICATE_ACROSS_FILES",
]

BACKGROUND_COLUMNS: tuple[str, ...] = ("fagomraade", "stabsfunktion", "ledelsesniveau")
TIDY_COLUMNS: tuple[str, ...] = (
    "respondent_id", "kommunekode", "group", "wave", *BACKGROUND_COLUMNS,
    "item_id", "value", "status", "text",
)
STATUSES: tuple[str, ...] = ("svar", "ved_ikke", "ubesvaret")
UNKNOWN_KOMMUNE = "unknown kommune code: not one of the 98 kommuner (codes run from 101 København to 860 Hjørring)"
BAD_GROUP = "group must be stab or borgernaer"
EMPTY_ID = "respondent id is empty or longer than 200 characters"
DUPLICATE_ID = "respondent id already used on an earlier row (the same respondent twice?)"
BAD_WAVE = "wave label must be 1–50 characters"
DUPLICATE_ACROSS_FILES = "respondent id also in another file (the same export ingested twice?)"


def respondent_schema() -> pa.DataFrameSchema:
    """The pandera schema of the respondent columns of a file being loaded (one row per respondent).

    Kommune codes must be one of the 98, the group ``stab`` or ``borgernaer``,
    the wave a short label, and a respondent id non-empty and not used on an
    earlier row (the later copy is the one reported).
    """
    codes = list(kommuner()["kommunekode"])
    return pa.DataFrameSchema(
        {
            "respondent_id": pa.Column(str, [
                pa.Check.str_length(1, 200, error=EMPTY_ID),
                pa.Check(lambda s: ~s.duplicated(keep="first"), error=DUPLICATE_ID),
            ]),
            "kommunekode": pa.Column(str, pa.Check.isin(codes, error=UNKNOWN_KOMMUNE)),
            "group": pa.Column(str, pa.Check.isin(["stab", "borgernaer"], error=BAD_GROUP)),
            "wave": pa.Column(str, pa.Check.str_length(1, 50, error=BAD_WAVE)),
        },
        coerce=False,
    )


def tidy_schema(item_ids: list[str] | None = None) -> pa.DataFrameSchema:
    """The pandera schema of the tidy table; with ``item_ids`` it also checks item ids."""
    codes = list(kommuner()["kommunekode"])
    item_checks = [pa.Check.isin(item_ids, error="item_id not in the codebook")] if item_ids else []
    nullable_str = {c: pa.Column(str, nullable=True, required=False) for c in BACKGROUND_COLUMNS}
    return pa.DataFrameSchema(
        {
            "respondent_id": pa.Column(str, pa.Check.str_length(1, 200)),
            "kommunekode": pa.Column(str, pa.Check.isin(codes, error=UNKNOWN_KOMMUNE)),
            "group": pa.Column(str, pa.Check.isin(["stab", "borgernaer"], error=BAD_GROUP)),
            "wave": pa.Column(str, pa.Check.str_length(1, 50)),
            **nullable_str,
            "item_id": pa.Column(str, item_checks),
            "value": pa.Column(float, nullable=True),
            "status": pa.Column(str, pa.Check.isin(list(STATUSES), error="unknown status")),
            "text": pa.Column(str, nullable=True, required=False),
            "points": pa.Column("Int64", pa.Check.in_range(3, 11, error="scale points must be 3–11"),
                                nullable=True, required=False),
        },
        checks=[
            pa.Check(lambda df: ~df.duplicated(["respondent_id", "item_id"], keep=False),
                     error="duplicate answer: the same respondent and item twice"),
            pa.Check(lambda df: (df["status"] == "svar") | df["value"].isna(),
                     error="a value is given although the answer is not substantive"),
        ],
        coerce=False,
        strict="filter",
    )


def validate_tidy(
    df: pd.DataFrame,
    *,
    file: str,
    item_ids: list[str] | None = None,
    row_of: Callable[[object], int | None] | None = None,
) -> pd.DataFrame:
    """Validate a tidy table lazily; report every problem at once.

    Parameters
    ----------
    df
        The tidy table.
    file
        Name of the source, used in every problem.
    item_ids
        Allowed item ids (the codebook's), or ``None`` not to check them.
    row_of
        Maps an index label of ``df`` to the row number in the source file.

    Raises
    ------
    DataValidationError
        With one :class:`~fundament_lib.errors.Problem` per failing cell.
    """
    try:
        return tidy_schema(item_ids).validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise DataValidationError(_problems(exc.failure_cases, file, row_of), file=file) from None


def _problems(cases: pd.DataFrame, file: str, row_of: Callable[[object], int | None] | None
              ) -> list[Problem]:
    out = []
    for case in cases.itertuples(index=False):
        idx = case.index
        row = row_of(idx) if (row_of and pd.notna(idx)) else None
        column = case.column if isinstance(case.column, str) else None
        message = str(case.check)
        out.append(Problem(file, row, column, case.failure_case, message))
    return out


def read_tidy(path: str | Path | list[Path], *, item_ids: list[str] | None = None) -> pd.DataFrame:
    """Read one or more processed Parquet files (or a folder of them) and validate.

    Several files — one per ingested export — combine into one dataset.

    Raises
    ------
    DataFileError
        When a path does not exist or holds no Parquet files.
    DataValidationError
        When the combined table breaks the schema, or a respondent id occurs
        in more than one file (the same export ingested twice, say).
    """
    paths = _expand(path)
    frames = []
    for p in paths:
        try:
            frames.append(pd.read_parquet(p))
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise DataFileError(f"{p}: not a readable Parquet file ({exc})") from None
    if len(frames) > 1:
        _check_across_files(paths, frames)
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if "points" in df.columns:  # absent in older files: NaN after concat, nullable integer here
        df["points"] = df["points"].astype("Int64")
    for col in df.columns:
        if isinstance(df[col].dtype, pd.CategoricalDtype):
            df[col] = df[col].astype("str")
    missing = [c for c in TIDY_COLUMNS if c not in df.columns and c not in (*BACKGROUND_COLUMNS, "text")]
    if missing:
        raise DataFileError(f"{paths[0]}: not a tidy Fundament table, missing columns {missing}")
    name = str(paths[0]) if len(paths) == 1 else f"{len(paths)} files under {paths[0].parent}"
    df = validate_tidy(df, file=name, item_ids=item_ids)
    for col in ("kommunekode", "group", "wave", "item_id", "status", *BACKGROUND_COLUMNS):
        if col in df.columns:
            df[col] = df[col].astype("category")
    return df


def _check_across_files(paths: list[Path], frames: list[pd.DataFrame]) -> None:
    """Refuse respondent ids that occur in more than one file, naming both files."""
    owner: dict[str, Path] = {}
    problems = []
    for p, df in zip(paths, frames, strict=True):
        if "respondent_id" not in df.columns:
            continue
        for rid in pd.unique(df["respondent_id"].astype(str)):
            first = owner.setdefault(rid, p)
            if first != p:
                problems.append(Problem(str(p), None, "respondent_id", f"{rid} (also in {first.name})",
                                        DUPLICATE_ACROSS_FILES))
    if problems:
        raise DataValidationError(problems, file=f"{len(paths)} files under {paths[0].parent}")


def _expand(path: str | Path | list[Path]) -> list[Path]:
    if isinstance(path, list):
        return [q for p in path for q in _expand(p)]
    p = Path(path)
    if p.is_dir():
        found = sorted(p.glob("*.parquet"))
        if not found:
            raise DataFileError(f"{p}: folder holds no .parquet files")
        return found
    if not p.exists():
        raise DataFileError(f"{p}: data file not found (run `fundament demo` for demo data)")
    return [p]
