"""Reading processed tidy files back: one or more Parquet files (or a folder) as one dataset.

:func:`read_tidy` never pools demo data (``fundament demo``'s, marked in the
Parquet metadata, see :mod:`.parquet`) with a kommune's own data for the same
kommune, refuses the same export or the same respondent in two files, validates
the combined table against the schema (:mod:`.schema`), and returns the
kommuner whose rows are demo data in ``attrs["demo_kommuner"]``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from fundament_lib.core.errors import DataFileError, DataValidationError, Problem

from .parquet import Marks, read_marks
from .schema import BACKGROUND_COLUMNS, TIDY_COLUMNS, validate_tidy, with_str_columns

__all__ = ["read_tidy", "demo_codes", "DUPLICATE_ACROSS_FILES", "SAME_SOURCE", "DEMO_MIXED"]

_OPTIONAL = (*BACKGROUND_COLUMNS, "text", "points")
DUPLICATE_ACROSS_FILES = "respondent id also in another file (the same export ingested twice?)"
SAME_SOURCE = "ingested from the same export as another file (the same export ingested twice?) — remove one of them"
DEMO_MIXED = ("demo data (written by `fundament demo`) and a kommune's own data cover the same kommune, and they "
              "are never pooled — put the kommune's own files in a folder of their own (e.g. "
              "data/processed/norddjurs/) and give that folder with --data")

_CATEGORICAL = ("kommunekode", "group", "wave", "item_id", "status", *BACKGROUND_COLUMNS)


def read_tidy(path: str | Path | list[Path], *, item_ids: list[str] | None = None) -> pd.DataFrame:
    """Read one or more processed Parquet files (or a folder of them) and validate.

    Several files — one per ingested export — combine into one dataset.

    Returns
    -------
    pandas.DataFrame
        The tidy table, with a nullable integer ``points`` column (empty for
        files written before it existed) and ``attrs["demo_kommuner"]``: the
        sorted kommune codes whose rows are demo data (an empty list for a
        kommune's own data).

    Raises
    ------
    DataFileError
        When a path does not exist or holds no Parquet files.
    DataValidationError
        When the combined table breaks the schema; when demo data and a
        kommune's own data cover the same kommune; when two files come from
        the same export, or a respondent id occurs in more than one file.
    """
    paths = _expand(path)
    frames, marks = [], []
    for p in paths:
        try:
            frames.append(_read_coded(p))
            marks.append(read_marks(p))
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise DataFileError(f"{p}: not a readable Parquet file ({exc})") from None
    demo = _demo_kommuner(paths, frames, marks)
    if len(frames) > 1:
        _check_across_files(paths, frames, marks)
    df = pd.concat(_shared_categories(frames), ignore_index=True) if len(frames) > 1 else frames[0]
    # absent in older files: NaN after concat, or no column at all; a nullable integer here
    df["points"] = df["points"].astype("Int64") if "points" in df.columns else pd.array([pd.NA] * len(df),
                                                                                           dtype="Int64")
    missing = [c for c in TIDY_COLUMNS if c not in df.columns and c not in _OPTIONAL]
    if missing:
        raise DataFileError(f"{paths[0]}: not a tidy Fundament table, missing columns {missing}")
    # Validated as read (a categorical column is checked once per category, the answers' uniqueness on the
    # codes), then ids and free text as str and the columns of few values categorical with their categories
    # sorted (as ``astype("category")`` makes them), whatever dtype the file gave them.
    df = validate_tidy(df, file=_name(paths), item_ids=item_ids)
    df = df.assign(**{c: _decoded(df[c]) for c in ("respondent_id", "text")
                      if c in df.columns and isinstance(df[c].dtype, pd.CategoricalDtype)})
    df = with_str_columns(df, keep=_CATEGORICAL)
    for col in _CATEGORICAL:
        if col in df.columns:
            df[col] = _sorted_categories(df[col])
    df.attrs["demo_kommuner"] = demo
    return df


def _read_coded(path: Path) -> pd.DataFrame:
    """One Parquet file with every text column read as a dictionary (categorical: each distinct value
    decoded once, not one Python-visible string per row), whether the file stored it plain or not."""
    text = [f.name for f in pq.read_schema(path) if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    return pd.read_parquet(path, read_dictionary=text)


def _shared_categories(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """``frames`` with each categorical column on the union of its categories, so that they concatenate
    into one categorical column (frames whose column is not categorical are left as they are)."""
    names = {c for df in frames for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)}
    out = []
    for df in frames:
        cats = {c: sorted({str(v) for f in frames if c in f.columns and isinstance(f[c].dtype, pd.CategoricalDtype)
                           for v in f[c].cat.categories}) for c in names if c in df.columns}
        out.append(df.assign(**{c: df[c].cat.set_categories(v) for c, v in cats.items()
                                if isinstance(df[c].dtype, pd.CategoricalDtype)}))
    return out


def _decoded(values: pd.Series) -> pd.Series:
    """A categorical text column as ``str``, decoded by pyarrow (``astype("str")`` costs seconds on a
    national file's ids)."""
    codes = values.cat.codes.to_numpy()
    arrow = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0),
                                           pa.array(values.cat.categories.astype("str").array))
    decoded = arrow.dictionary_decode().cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(decoded, dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
                     index=values.index, name=values.name)


def _sorted_categories(values: pd.Series) -> pd.Series:
    """``values`` as a categorical of the values it holds, sorted (what ``astype("category")`` of the column
    as ``str`` gives), remapping the codes where it is categorical already (no pass over the strings)."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype("category")
    codes, cats = values.cat.codes.to_numpy(), values.cat.categories
    used = np.flatnonzero(np.bincount(codes.astype(np.intp) + 1, minlength=len(cats) + 1)[1:])  # +1: missing
    kept = cats[used]
    order = np.argsort(np.asarray(kept, dtype=object), kind="stable")
    if len(used) == len(cats) and (order == np.arange(len(order))).all() and cats.dtype == "str":
        return values  # as read: every category used, in order
    remap = np.full(len(cats) + 1, -1, dtype=codes.dtype)  # code -1 (missing) takes the last
    remap[used[order]] = np.arange(len(used))
    return pd.Series(pd.Categorical.from_codes(remap[codes], kept[order].astype("str")), index=values.index,
                     name=values.name)


def _name(paths: list[Path]) -> str:
    return str(paths[0]) if len(paths) == 1 else f"{len(paths)} files under {paths[0].parent}"


def demo_codes(tidy: pd.DataFrame) -> frozenset[str]:
    """The kommuner whose rows in a table from :func:`read_tidy` are demo data (none for a table
    made any other way)."""
    return frozenset(str(c) for c in tidy.attrs.get("demo_kommuner", []))


def _kommuner_of(df: pd.DataFrame) -> set[str]:
    return {str(k) for k in pd.unique(df["kommunekode"])} if "kommunekode" in df.columns else set()


def _demo_kommuner(paths: list[Path], frames: list[pd.DataFrame], marks: list[Marks]) -> list[str]:
    """Kommuner whose rows are demo data; refuse demo and own data for the same kommune."""
    demo: dict[str, list[Path]] = {}
    own: dict[str, list[Path]] = {}
    for p, df, mark in zip(paths, frames, marks, strict=True):
        for code in _kommuner_of(df):
            (demo if mark.demo else own).setdefault(code, []).append(p)
    both = sorted(set(demo) & set(own))
    if both:
        demo_files = sorted({q.name for code in both for q in demo[code]})
        problems = [Problem(str(p), None, "kommunekode",
                            f"{', '.join(c for c in both if p in own[c])} (demo data in {', '.join(demo_files)})",
                            DEMO_MIXED)
                    for p in sorted({q for code in both for q in own[code]})]
        raise DataValidationError(problems, file=_name(paths))
    return sorted(demo)


def _check_across_files(paths: list[Path], frames: list[pd.DataFrame], marks: list[Marks]) -> None:
    """Refuse two files of the same export, and respondent ids that occur in more than one file."""
    problems = []
    first_of: dict[str, Path] = {}
    twins: set[Path] = set()
    for p, mark in zip(paths, marks, strict=True):
        if mark.source_sha256 is None:
            continue
        first = first_of.setdefault(mark.source_sha256, p)
        if first != p:
            problems.append(Problem(str(p), None, None, f"also the source of {first.name}", SAME_SOURCE))
            twins.add(p)
    owner: dict[str, Path] = {}
    for p, df in zip(paths, frames, strict=True):
        if "respondent_id" not in df.columns or p in twins:
            continue
        for rid in pd.unique(df["respondent_id"].astype(str)):
            first = owner.setdefault(rid, p)
            if first != p:
                problems.append(Problem(str(p), None, "respondent_id", f"{rid} (also in {first.name})",
                                        DUPLICATE_ACROSS_FILES))
    if problems:
        raise DataValidationError(problems, file=_name(paths))


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
