"""One entry point for every export: detect the format, load, validate, describe.

:func:`ingest` is what ``fundament ingest`` calls; :func:`write_ingested`
(in :mod:`.provenance`) writes its result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from fundament_lib.core.atomic import write_file
from fundament_lib.core.errors import DataFileError, FundamentError
from fundament_lib.core.kommuner import normalise_code
from fundament_lib.core.values import CONTROL_MESSAGE, has_control, plain_text
from fundament_lib.framework import Framework, available_frameworks, load_framework

from .assemble import IngestOptions, IngestResult
from .codebook import load_codebook
from .forms import is_forms, load_forms
from .long import is_long, load_long
from .provenance import dropped_records, library_version
from .readers import SourceTable, file_sha256, is_workbook, read_bytes, read_table, sheet_names
from .respondents import wave_label
from .sink import ParquetSink, TidySink
from .surveyxact import is_surveyxact, load_surveyxact, surveyxact_files
from .wide import load_wide

__all__ = ["FORMATS", "Format", "detect_format", "ingest", "infer_framework"]

Format = Literal["auto", "long", "wide", "forms", "surveyxact"]
FORMATS: tuple[str, ...] = ("auto", "long", "wide", "forms", "surveyxact")


def detect_format(path: Path) -> tuple[str, SourceTable | None]:
    """The export format of a file (and the table, when it had to be read to tell).

    SurveyXact: a workbook with Labels and Dataset sheets (see
    :func:`~.surveyxact.is_surveyxact`; never read as a wide file), or its three
    CSV files (the folder or any one of them). Forms: ID, start and completion
    time first. Long: ``item_id`` and ``value`` columns. Anything else: wide.
    """
    if surveyxact_files(path) is not None:
        return "surveyxact", None
    if path.is_dir():
        raise DataFileError(f"{path}: a folder — give the export file (a folder is read only as "
                            "SurveyXact's dataset.csv, structure.csv and labels.csv)")
    if is_workbook(read_bytes(path, 8)) and is_surveyxact(sheet_names(path)):
        return "surveyxact", None
    table = read_table(path)
    columns = list(table.data.columns)
    if is_forms(columns):
        return "forms", table
    if is_long(columns):
        return "long", table
    return "wide", table


def infer_framework(codebook: Path) -> str:
    """The shipped framework whose item ids a codebook file uses (``fundament2024`` if unsure)."""
    table = read_table(codebook)
    ids = {str(v).strip() for v in table.objects().iloc[:, 0] if v is not None}
    for fid in available_frameworks():
        if ids and ids <= set(load_framework(fid).codebook()["item_id"]):
            return fid
    return "fundament2024"


def _options(kommune: str | None, group: str | None, wave: str | None, strict: bool, tag: str
             ) -> IngestOptions:
    code = normalise_code(kommune) if kommune is not None else None
    if group is not None and group not in ("stab", "borgernaer"):
        raise FundamentError(f"--group must be stab or borgernaer, got {group!r}")
    label = wave_label(plain_text(wave)) if wave is not None else None
    if label is not None and has_control(label):
        raise FundamentError(f"--wave {CONTROL_MESSAGE}: {wave!r}")
    if label is not None and not 1 <= len(label) <= 50:
        raise FundamentError(f"--wave must be a label of 1–50 characters, got {wave!r}")
    return IngestOptions(kommune=code, group=group, wave=label, strict=strict, id_prefix=True, source_tag=tag)


def ingest(path: str | Path, *, format: str = "auto", framework: str | Framework | None = None,
           codebook: str | Path | None = None, kommune: str | None = None, group: str | None = None,
           wave: str | None = None, strict: bool = True, out: str | Path | None = None) -> IngestResult:
    """Load a survey export into the validated tidy table, with its provenance.

    Parameters
    ----------
    path
        The export: a CSV or XLSX file, a SurveyXact workbook, or SurveyXact's
        three CSV files (their folder or any one of them).
    format
        ``auto`` (default), ``long``, ``wide``, ``forms`` or ``surveyxact``.
    framework
        Framework id (or object) the data answers; default: the one whose
        items the codebook file uses, else ``fundament2024``.
    codebook
        A codebook file written by ``fundament instrument`` (possibly edited).
    kommune, group, wave
        For exports without such a column; a column in the file wins and a
        conflicting option is an error.
    strict
        Refuse the file on any problem (default), or drop only the bad cells
        (and respondents whose kommune, group, wave or id is bad) and report them.
    out
        A ``.parquet`` file to stream the tidy table into, a few items at a
        time, instead of returning it (``fundament ingest``: a national file's
        table is never held whole). Written atomically: a refused file leaves
        nothing behind. The provenance record is not written here (see
        :func:`~.provenance.write_provenance`).

    Returns
    -------
    IngestResult
        ``data`` (tidy, validated; respondent ids prefixed with kommune, group
        and wave so that files never collide; ``None`` when written to
        ``out``), ``dropped`` and ``provenance``.

    Raises
    ------
    DataFileError, DataValidationError, UnknownKommuneError, FrameworkError
        Nothing is written unless ``out`` is given, and then only a whole file;
        see ``docs/ingest.md`` for the messages.
    """
    path = Path(path)
    if out is not None and Path(out).suffix != ".parquet":
        raise DataFileError(f"{out}: the output must be a .parquet file (e.g. data/processed/NAME.parquet)")
    if format not in FORMATS:
        raise FundamentError(f"--format must be one of {', '.join(FORMATS)}, got {format!r}")
    cb_path = Path(codebook) if codebook is not None else None
    if isinstance(framework, Framework):
        fw = framework
    else:
        fw = load_framework(framework or (infer_framework(cb_path) if cb_path else "fundament2024"))
    cb = load_codebook(fw, cb_path)
    # each source's hash and size only: a national file's bytes are not kept while it is loaded
    sources = [(p, *file_sha256(p)) for p in surveyxact_files(path) or [path]]
    digest = hashlib.sha256(b"".join(h.encode() for _, h, _ in sources)).hexdigest()
    options = _options(kommune, group, wave, strict, digest[:8])
    fmt, table = detect_format(path) if format == "auto" else (format, None)

    def load(sink: TidySink | None) -> IngestResult:
        if fmt == "surveyxact":
            return load_surveyxact(path, cb, options, sink=sink)
        if fmt == "forms":
            return load_forms(path, cb, options, table=table, sink=sink)
        if fmt == "long":
            return load_long(path, cb, options, table=table, sink=sink)
        return load_wide(path, cb, options, table=table, sink=sink)

    result = load(None) if out is None else _load_into(Path(out), load, digest)
    result.provenance = _record(result, path, sources, digest, fmt, format == "auto", cb.describe(), options,
                                table)
    return result


def _load_into(out: Path, load: Callable[[TidySink], IngestResult], digest: str) -> IngestResult:
    """``load`` with its tidy table streamed into ``out`` (atomically: a temporary file until it is whole)."""
    done: list[IngestResult] = []

    def write(tmp: str) -> None:
        sink = ParquetSink(tmp, source_sha256=digest)
        try:
            done.append(load(sink))
        finally:
            sink.close()

    write_file(out, write)
    return done[0]


def _wave(prov: dict[str, Any], options: IngestOptions) -> dict[str, Any]:
    """Where the wave came from: the file's column, --wave, or the completion times."""
    default = prov.pop("wave_default", None)
    column = prov.get("respondent_columns", {}).get("wave")
    if column is not None:
        return {"from": f"column {column!r}"}
    if options.wave is not None:
        return {"label": options.wave, "from": "--wave"}
    return default or {"label": options.default_wave, "from": "default"}


def _ids(prov: dict[str, Any], fmt: str) -> dict[str, Any]:
    made_up = bool(prov.pop("respondent_ids_made_up", False))
    identical = int(prov.pop("identical_answer_patterns", 0))
    how = (f"from column {prov.get('respondent_columns', {}).get('respondent_id')!r}" if not made_up else
           "made up from the source's hash and the row number: the export has no respondent id column. "
           "Rows with identical answers are kept as different respondents (in an anonymous export two people "
           "may well answer alike); the same export ingested twice is still recognised by its hash")
    return {"made_up": made_up, "how": how, "identical_answer_patterns": identical,
            "prefix": ("kommunekode-group-wave-" + ("source hash-" if fmt == "forms" else "")
                       + ", so that ids from several files cannot collide")}


def _record(result: IngestResult, path: Path, sources: list[tuple[Path, str, int]], digest: str, fmt: str,
            detected: bool, codebook: dict[str, Any], options: IngestOptions, table: SourceTable | None
            ) -> dict[str, Any]:
    prov = dict(result.provenance)
    scopes = prov.pop("dropped_scope", None)
    info = dict(table.info) if table is not None else {}
    info.update(prov.pop("sheet_info", {}) or {})
    return {
        "demo": False,
        "source": {"path": str(path), "sha256": digest,
                   "files": [{"path": str(p), "sha256": h, "bytes": n} for p, h, n in sources]},
        "format": fmt,
        "format_detected": detected,
        "read": {k: v for k, v in info.items() if k in ("encoding", "separator", "sheet", "sheets",
                                                          "dataset_sheets", "files", "header_row", "texts")},
        "framework": {"id": codebook["framework"], "version": codebook["framework_version"]},
        "codebook": {k: codebook[k] for k in ("source", "sha256", "items")},
        "mode": "strict" if options.strict else "lenient",
        "supplied": prov.pop("supplied", {}),
        "wave": _wave(prov, options),
        "respondent_ids": _ids(prov, fmt),
        "scales": prov.pop("scales", {}),
        "counts": {k: prov.pop(k) for k in ("rows_read", "empty_rows", "respondents", "respondents_dropped",
                                            "answers", "cells_dropped") if k in prov}
                  | ({"not_responded": prov.pop("not_responded")} if "not_responded" in prov else {}),
        "dropped": dropped_records(result.dropped, scopes),
        **prov,
        "library_version": library_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
