"""The ``fundament`` command line.

Errors the user can fix (bad data, unknown kommune, invalid params) print one
clear message and exit with status 2 — never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import cli_ingest
from .errors import FundamentError

if TYPE_CHECKING:
    from .batch import RunReport

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Fundament: briefinger om stabs- og støttefunktioner pr. kommune.")
err = Console(stderr=True)
out = Console()


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Seed of the synthetic survey.")] = 20251,
    root: Annotated[Path | None, typer.Option(help="Project folder (default: this project).")] = None,
) -> None:
    """Write the seeded demo survey for all 98 kommuner: raw export, tidy data, planted truth."""
    from .demo import DemoConfig, write_demo
    from .paths import params_dir, processed_dir, raw_dir

    written = write_demo(raw_dir(root), processed_dir(root), DemoConfig(seed=seed), params_dir(root))
    for role, path in written.items():
        out.print(f"{role:>12}: {path}")


@app.command()
def run(
    data: Annotated[Path | None, typer.Option(help="Processed Parquet file or folder (default: the demo data).")] = None,
    kommune: Annotated[list[str] | None, typer.Option("--kommune", "-k", help="Kommune code; repeat for several (default: all in the data).")] = None,
    workers: Annotated[int | None, typer.Option(help="Parallel workers (default: the machine's cores).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder (default: reports/).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Re-render kommuner whose inputs are unchanged.")] = False,
    scheduler: Annotated[str | None, typer.Option(help="Address of a Dask distributed scheduler to run on.")] = None,
    fresh_kernels: Annotated[bool, typer.Option("--fresh-kernels", help="Start a fresh kernel per kommune (slower).")] = False,
) -> None:
    """Score the data and render one HTML briefing per kommune, plus index.html."""
    from .batch import run as run_batch

    with _Progress() as bar:
        report = run_batch(data, kommuner=kommune, out=out_dir, workers=workers, force=force,
                           scheduler=scheduler, warm=not fresh_kernels, progress=bar.notify)
    _print_report(report)
    if report.failed:
        raise typer.Exit(1)


class _Progress:
    """A progress bar showing done / failed / remaining and the kommune being rendered."""

    def __init__(self) -> None:
        self.counts = {"ok": 0, "failed": 0, "skipped": 0}
        self.current: list[str] = []
        self.bar = Progress(TextColumn("[bold]Briefinger"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[status]}"), TimeElapsedColumn(), console=err)
        self.task = self.bar.add_task("", total=None, status="")

    def __enter__(self) -> _Progress:
        return self  # the bar starts once the data are ready, so an input error prints alone

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def notify(self, kind: str, obj: object) -> None:
        """Called by the batch runner on every start, finish and skip."""
        if kind == "plan":
            self.bar.update(self.task, total=float(obj))  # type: ignore[arg-type]
            self.bar.start()
            return
        name = f"{getattr(obj, 'kommunekode', '')} {getattr(obj, 'kommune', '')}"
        if kind == "start":
            self.current.append(name)
        else:
            self.counts[getattr(obj, "status", "ok")] += 1
            if name in self.current:
                self.current.remove(name)
        c = self.counts
        self.bar.update(self.task, completed=sum(c.values()),
                        status=f"færdige {c['ok']} · fejlet {c['failed']} · uændrede {c['skipped']}"
                               f" · nu: {', '.join(self.current) or '–'}")


def _print_report(report: RunReport) -> None:
    table = Table(title=f"{len(report.outcomes)} kommuner på {report.total_seconds:.1f} s "
                  f"(data og scorer: {report.prepare_seconds:.1f} s)")
    for col in ("kommune", "status", "sekunder", "fejl (første linje)"):
        table.add_column(col)
    for o in report.outcomes:
        style = "bold red" if o.status == "failed" else None
        table.add_row(f"{o.kommunekode} {o.kommune}", o.status, f"{o.seconds:.1f}", o.error, style=style)
    out.print(table)
    counts = {s: sum(o.status == s for o in report.outcomes) for s in ("ok", "skipped", "failed")}
    out.print(f"ok: {counts['ok']}, uændrede: {counts['skipped']}, fejlet: {counts['failed']} → "
              f"{report.out_dir / 'index.html'}")


cli_ingest.register(app)


def main() -> None:
    """Entry point: run the app; a FundamentError becomes one clear message and exit code 2."""
    try:
        app(standalone_mode=False)
    except FundamentError as exc:
        err.print(f"[bold red]fundament: error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("fundament: interrupted — finished briefings are kept; run again to resume.")
        sys.exit(130)
    except Exception as exc:  # click's usage errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
