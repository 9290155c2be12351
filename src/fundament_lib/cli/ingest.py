"""``fundament instrument`` and ``fundament ingest``: set a survey up and load what it exports."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

__all__ = ["register", "FormatOption", "GroupOption"]

_out = Console()
_err = Console(stderr=True)


class FormatOption(StrEnum):
    """Export formats ``fundament ingest`` reads."""

    auto = "auto"
    long = "long"
    wide = "wide"
    forms = "forms"
    surveyxact = "surveyxact"


class GroupOption(StrEnum):
    """Respondent groups."""

    stab = "stab"
    borgernaer = "borgernaer"


def instrument(
    framework: Annotated[str, typer.Option(help="Framework id, e.g. fundament2024 or mereledelse2023.")] = "fundament2024",
    out: Annotated[Path, typer.Option(help="Folder to write the questionnaire and the codebook into.")] = Path("instrument"),
) -> None:
    """Write the printable questionnaire (HTML) and the codebook (CSV, XLSX) a kommune sets its survey up with."""
    from fundament_lib.framework import load_framework
    from fundament_lib.framework.instrument import write_instrument

    written = write_instrument(load_framework(framework), out)
    for role, path in written.items():
        _out.print(f"{role:>14}: {escape(str(path))}", highlight=False)


def ingest(
    path: Annotated[Path | None, typer.Argument(help="The export: CSV/XLSX, a SurveyXact workbook, or SurveyXact's CSV files (folder or one of them).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output file (required), in a folder of the kommune's own, e.g. data/processed/norddjurs/borgernaer_2025.parquet.")] = None,
    format: Annotated[str, typer.Option("--format", help="Export format: auto (detects it), long, wide, forms or surveyxact.")] = "auto",
    codebook: Annotated[Path | None, typer.Option(help="Codebook written by `fundament instrument` (possibly edited).")] = None,
    framework: Annotated[str | None, typer.Option(help="Framework id (default: the codebook's, else fundament2024).")] = None,
    kommune: Annotated[str | None, typer.Option(help="Kommune code for an export without a kommune column.")] = None,
    group: Annotated[str | None, typer.Option(help="Respondent group for an export without a group column: stab or borgernaer.")] = None,
    wave: Annotated[str | None, typer.Option(help="Survey round, e.g. 2025, for an export without a wave column (default: the month of the responses' completion times, where the export has them).")] = None,
    strict: Annotated[bool, typer.Option("--strict/--lenient", help="Refuse the file on any problem (default), or drop only the bad cells and report them.")] = True,
) -> None:
    """Load a survey export, validate it against the codebook, and write tidy Parquet plus a provenance record.

    Nothing is written when the file is refused; every problem is listed with file, row, column and value.
    """
    from fundament_lib.core.errors import FundamentError
    from fundament_lib.ingest.load import ingest as run_ingest
    from fundament_lib.ingest.provenance import write_provenance

    # Checked here rather than by typer, so that every mistake exits with status 2 and one line.
    if path is None:
        raise FundamentError("give the export to load: fundament ingest PATH --out data/processed/KOMMUNE/NAME.parquet")
    if out is None:
        raise FundamentError("--out is required: the .parquet file to write, e.g. data/processed/norddjurs/stab_2025.parquet")
    if format not in {f.value for f in FormatOption}:
        raise FundamentError(f"--format must be one of {', '.join(f.value for f in FormatOption)}, got {format!r}")
    if group is not None and group not in {g.value for g in GroupOption}:
        raise FundamentError(f"--group must be stab or borgernaer, got {group!r}")
    if out.suffix != ".parquet":
        raise FundamentError(f"{out}: the output must be a .parquet file (e.g. data/processed/NAME.parquet)")
    # the tidy table streamed into the file as it is made: a national file's is never held whole
    result = run_ingest(path, format=format, framework=framework, codebook=codebook, kommune=kommune,
                        group=group, wave=wave, strict=strict, out=out)
    written = write_provenance(result, out)
    prov = result.provenance
    counts = prov["counts"]
    how = "detected" if prov["format_detected"] else "given"
    _out.print(f"format: {prov['format']} ({how}) · framework {prov['framework']['id']} · {prov['mode']}",
               highlight=False)
    _out.print(f"respondents: {counts['respondents']} kept, {counts['respondents_dropped']} dropped · "
               f"answers: {counts['answers']} · cells dropped: {counts['cells_dropped']}", highlight=False)
    for line in _about(prov):
        _out.print(escape(line), highlight=False)
    for col, why in prov.get("ignored_columns", {}).items():
        _out.print(f"ignored column {escape(repr(col))}: {escape(why)}", highlight=False)
    _report_dropped(result.dropped, prov, str(path))
    for role, p in written.items():
        _out.print(f"{role:>11}: {escape(str(p))}", highlight=False)


def _about(prov: dict[str, Any]) -> list[str]:
    """What the user should know about how the file was read: ids, wave, scales."""
    lines = []
    ids = prov["respondent_ids"]
    if ids["made_up"]:
        same = ids.get("identical_answer_patterns", 0)
        lines.append("respondent ids: made up (the export has no respondent id column)"
                     + (f"; {same} row(s) repeat an earlier row's answers and are kept as different respondents"
                        if same else ""))
    wave = prov.get("wave", {})
    if wave.get("from") == "completion times":
        lines.append(f"wave {wave['label']}: the file has no wave and --wave was not given, so the wave is the "
                     f"month of the median completion time in column {wave['column']!r} ({wave['responses']} "
                     f"responses, {wave['first']} … {wave['last']}); give --wave to set another")
    groups: dict[tuple[int, str, str, bool], list[str]] = {}
    for item, scale in prov.get("scales", {}).items():
        key = (scale["points"], " | ".join(scale["labels_worst_to_best"]), scale["from"], scale["codes_reversed"])
        groups.setdefault(key, []).append(item)
    for (points, labels, source, reversed_), items in groups.items():
        turned = "; the codes ran best-first and were turned" if reversed_ else ""
        lines.append(f"scale: {len(items)} item(s) asked on {points} points ({source}), worst → best: {labels}{turned}")
    if "few_match" in prov:
        lines.append(f"note: {prov['few_match']}")
    return lines


def _report_dropped(dropped: list[Any], prov: dict[str, Any], file: str) -> None:
    """--lenient: every dropped column on its own line with its reason; cells and respondents grouped."""
    from fundament_lib.core.errors import DataValidationError

    records = prov.get("dropped", [])
    for rec in records:
        if rec["dropped"] == "column":
            detail = f" ({rec['value']})" if rec["value"] is not None else ""
            _err.print(f"[yellow]dropped column[/] {escape(repr(rec['column']))}: {escape(rec['reason'])}"
                       f"{escape(detail)}", highlight=False, soft_wrap=True)
    rest = [p for p, rec in zip(dropped, records, strict=True) if rec["dropped"] != "column"]
    if rest:
        report = DataValidationError(rest, file=file)
        _err.print(f"[yellow]dropped (lenient):[/] {escape(str(report))}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the instrument and ingest commands to the ``fundament`` app."""
    app.command(name="instrument")(instrument)
    app.command(name="ingest")(ingest)
