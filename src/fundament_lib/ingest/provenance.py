"""The provenance record written next to every ingested file, and the atomic write of both.

``NAME.provenance.json`` beside ``NAME.parquet`` says where the data came
from (path and sha256 of every source file), how it was read (format,
encoding, separator, sheets), what it was checked against (framework and
codebook), what the user supplied (kommune, group, wave, strict or lenient),
where the wave came from, which items were asked on which scale (points,
labels, numbered best- or worst-first), what was kept and dropped (counts,
and every dropped cell, respondent or column with its reason), how respondent
ids were made, and whether the data is demo data. The data file carries the
demo mark and the source's hash in its Parquet metadata too (:mod:`.parquet`).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from fundament_lib.core.atomic import write_json
from fundament_lib.core.errors import DataFileError, Problem

from .assemble import IngestResult
from .parquet import write_tidy_parquet

__all__ = ["sha256_hex", "provenance_path", "dropped_records", "write_ingested", "write_provenance",
           "library_version"]


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of some bytes, as hex."""
    return hashlib.sha256(data).hexdigest()


def library_version() -> str:
    """The installed version of Fundament (``"unknown"`` when not installed)."""
    try:
        return version("fundament")
    except PackageNotFoundError:
        return "unknown"


def provenance_path(out: Path) -> Path:
    """``data/processed/NAME.parquet`` → ``data/processed/NAME.provenance.json``."""
    stem = out.name[: -len(".parquet")] if out.name.endswith(".parquet") else out.stem
    return out.with_name(f"{stem}.provenance.json")


def _plain(value: object) -> object:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value else None
    return str(value)


def dropped_records(problems: list[Problem], scopes: list[str] | None = None) -> list[dict[str, Any]]:
    """Every dropped cell, row or column as a JSON-ready record."""
    scopes = scopes or ["cell"] * len(problems)
    return [{"row": p.row, "column": p.column, "value": _plain(p.value), "reason": p.message, "dropped": s}
            for p, s in zip(problems, scopes, strict=True)]


def write_ingested(result: IngestResult, out: Path) -> dict[str, Path]:
    """Write the tidy data and its provenance record, each atomically.

    Parameters
    ----------
    result
        What :func:`~fundament_lib.ingest.load.ingest` returned (with ``data``).
    out
        The target ``.parquet`` file; the record goes to ``NAME.provenance.json``.

    Returns
    -------
    dict
        ``{"data": …, "provenance": …}``.

    Raises
    ------
    DataFileError
        When ``out`` does not end in ``.parquet``.
    """
    _check_out(out)
    if result.data is None:
        raise ValueError("the result's table was streamed to a file: write only its provenance (write_provenance)")
    write_tidy_parquet(result.data, out, demo=bool(result.provenance.get("demo", False)),
                       source_sha256=result.provenance.get("source", {}).get("sha256"))
    return write_provenance(result, out, rows=len(result.data))


def write_provenance(result: IngestResult, out: Path, *, rows: int | None = None) -> dict[str, Path]:
    """Write the provenance record of ``out``, the tidy file written from ``result`` (atomically).

    Parameters
    ----------
    result
        What :func:`~fundament_lib.ingest.load.ingest` returned.
    out
        The ``.parquet`` file it was written to (``ingest(..., out=out)`` or :func:`write_ingested`).
    rows
        Rows of the file; default: the answers counted in the provenance.

    Returns
    -------
    dict
        ``{"data": …, "provenance": …}``.
    """
    _check_out(out)
    record = dict(result.provenance)
    record["output"] = {"path": str(out), "rows": int(rows if rows is not None else record["counts"]["answers"]),
                        "written": datetime.now(UTC).isoformat(timespec="seconds")}
    meta = provenance_path(out)
    write_json(meta, record)
    return {"data": out, "provenance": meta}


def _check_out(out: Path) -> None:
    if out.suffix != ".parquet":
        raise DataFileError(f"{out}: the output must be a .parquet file (e.g. data/processed/norddjurs_2025.parquet)")
