"""``fundament export``: score tables (and, on request, respondent-level data) for further work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``export`` command to the ``fundament`` app."""

    @app.command("export")
    def export_command(
        data: Annotated[Path | None, typer.Option(help="Processed Parquet file or folder (default: the demo data).")] = None,
        out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder (default: reports/export/).")] = None,
        fmt: Annotated[list[str] | None, typer.Option("--format", "-f", help="parquet, csv or xlsx; repeat for several (default: all three).")] = None,
        sep: Annotated[str, typer.Option(help="CSV field separator (Danish Excel: ';').")] = ";",
        decimal: Annotated[str, typer.Option(help="CSV decimal mark (Danish Excel: ',').")] = ",",
        respondents: Annotated[bool, typer.Option("--respondents", help="Also export the CONFIDENTIAL respondent-level answers and scores (never to be published).")] = False,
        kommune: Annotated[list[str] | None, typer.Option("--kommune", "-k", help="Kommune code; repeat for several (default: all in the data).")] = None,
    ) -> None:
        """Export scores, item distributions and a data dictionary as Parquet, CSV and XLSX.

        Suppressed cells stay suppressed, exactly as in the briefings.
        """
        from rich.console import Console

        from fundament_lib.core.paths import reports_dir
        from fundament_lib.results.export import FORMATS, export
        from fundament_lib.results.spreadsheet import CsvStyle

        try:
            style = CsvStyle(sep="\t" if sep == "\\t" else sep, decimal=decimal)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        formats = fmt or list(FORMATS)
        bad = [f for f in formats if f not in FORMATS]
        if bad:
            raise typer.BadParameter(f"expected some of {', '.join(FORMATS)}, got {', '.join(bad)}",
                                     param_hint="--format")
        target = out_dir or reports_dir() / "export"
        written = export(data, out=target, formats=formats, style=style, include_respondents=respondents,
                         kommuner=kommune)
        console = Console()
        for name, paths in written.items():
            console.print(f"{name:>32}: {', '.join(p.name for p in paths)}", highlight=False)
        console.print(f"→ {target}", highlight=False)
        if respondents:
            console.print("[bold]FORTROLIGT:[/] filerne FORTROLIGT_* indeholder svar på respondentniveau "
                          "og må ikke offentliggøres.")
