"""The ``fundament`` command line.

Errors the user can fix (bad data, unknown kommune, invalid params) print one
clear message and exit with status 2 — never a traceback.
"""

from __future__ import annotations

import signal
import sys
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fundament_lib.core.errors import DataValidationError, FundamentError

from . import export as cli_export
from . import ingest as cli_ingest


def _usage_error_types() -> tuple[type[Exception], ...]:
    """Click's usage-error class, and the copy of it a newer Typer carries (``typer._click``): a
    usage error raised by Typer's copy is not an instance of click's."""
    types: list[type[Exception]] = [click.exceptions.ClickException]
    try:
        from typer._click import exceptions as vendored
    except ImportError:  # an older Typer that uses click itself
        return tuple(types)
    return (*types, vendored.ClickException)


_USAGE_ERRORS = _usage_error_types()
_ABORTS = (KeyboardInterrupt, click.exceptions.Abort, typer.Abort)

if TYPE_CHECKING:
    from fundament_lib.run.outcome import RunReport

class Renderer(StrEnum):
    """The choices of ``--renderer``."""

    nbconvert = "nbconvert"
    quarto = "quarto"


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
    from fundament_lib.core.paths import params_dir, processed_dir, raw_dir
    from fundament_lib.demo import DemoConfig, write_demo

    written = write_demo(raw_dir(root), processed_dir(root), DemoConfig(seed=seed), params_dir(root))
    for role, path in written.items():
        out.print(f"{role:>12}: {path}")


@app.command()
def run(
    data: Annotated[Path | None, typer.Option(help="Processed Parquet file or folder (default: the demo data).")] = None,
    kommune: Annotated[list[str] | None, typer.Option("--kommune", "-k", help="Kommune code; repeat for several (default: all in the data).")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Parallel workers (default: the machine's cores).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder (default: reports/).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Re-render kommuner whose inputs are unchanged.")] = False,
    scheduler: Annotated[str | None, typer.Option(help="Address of a Dask distributed scheduler to run on, e.g. tcp://host:8786.")] = None,
    notebook: Annotated[Path | None, typer.Option(help="Briefing notebook (default: notebooks/kommune_briefing.ipynb).")] = None,
    fresh_kernels: Annotated[bool, typer.Option("--fresh-kernels", help="Start a fresh kernel per kommune (slower).")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write an A4 PDF of each briefing (headless Chromium, or Typst with Quarto).")] = False,
    renderer: Annotated[Renderer, typer.Option(help="What turns the executed notebooks into HTML: nbconvert, or the quarto CLI on PATH.")] = Renderer.nbconvert,
    overview: Annotated[bool, typer.Option("--overview", help="Also render the national overview for the data holder (it names every kommune); needs every kommune in the data.")] = False,
) -> None:
    """Score the data once and render one HTML briefing per kommune, each kommune's bundle, and index.html.

    Each kommune's bundle (OUT/til-kommunerne/<kode>-<navn>/ and .zip) is what may be handed to that
    kommune; everything else in OUT is for the data holder. Kommuner whose inputs are unchanged since
    their briefing was written are skipped; a kommune whose notebook fails, or whose bundle would
    hold something about another kommune, does not stop the others (exit status 1 at the end).
    """
    from fundament_lib.run.batch import run as run_batch

    try:
        with _Progress() as bar:
            report = run_batch(data, kommuner=kommune, out=out_dir, workers=workers, force=force,
                               scheduler=scheduler, notebook=notebook, warm=not fresh_kernels, pdf=pdf,
                               renderer=renderer.value, overview=overview, progress=bar.notify)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see main): the workers and kernels are stopped
        err.print(_INTERRUPTED)
        raise typer.Exit(130) from None
    _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


_INTERRUPTED = "fundament: interrupted — finished briefings are kept; run again to resume."
_STATUS = {"ok": "ok", "failed": "fejlet", "skipped": "uændret"}


class _Progress:
    """A progress bar on stderr: done, failed, unchanged and remaining, and the kommuner being rendered."""

    def __init__(self) -> None:
        self.counts = {"ok": 0, "failed": 0, "skipped": 0}
        self.total = 0
        self.current: dict[str, str] = {}
        self.bar = Progress(TextColumn("[bold]Briefinger"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[status]}"), TimeElapsedColumn(), console=err,
                            transient=False)
        self.task = self.bar.add_task("", total=None, status="")

    def __enter__(self) -> _Progress:
        return self  # the bar starts once the inputs are checked, so an input error prints alone

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def notify(self, kind: str, obj: Any) -> None:
        """Called by the batch runner: ``plan``, then ``skip``, ``start`` and ``done`` events."""
        if kind == "plan":
            self.total = int(obj)
            self.bar.update(self.task, total=self.total)
            self.bar.start()
        elif kind == "start":
            self.current[obj.kommunekode] = f"{obj.kommunekode} {obj.kommune}"
        elif kind in ("done", "skip"):
            self.counts[obj.status] += 1
            self.current.pop(obj.kommunekode, None)
        self.bar.update(self.task, completed=sum(self.counts.values()), status=self.status())

    def status(self) -> str:
        """The line next to the bar."""
        c = self.counts
        left = self.total - sum(c.values())
        now = ", ".join(self.current.values()) or "–"
        return (f"færdige {c['ok']} · fejlet {c['failed']} · uændrede {c['skipped']} · tilbage {left}"
                f" · nu: {now}")


def _print_report(report: RunReport) -> None:
    """The summary table: one row per kommune rendered (ok or failed), unchanged ones counted."""
    from fundament_lib.run.bundles import BUNDLES

    counts = Counter(o.status for o in report.outcomes)
    table = Table(title=f"{len(report.outcomes)} kommuner på {report.total_seconds:.1f} s "
                  f"(data og scorer: {report.prepare_seconds:.1f} s)")
    for col, justify in (("kommune", "left"), ("status", "left"), ("sekunder", "right"),
                         ("fejl (første linje)", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for o in report.outcomes:
        if o.status != "skipped":
            style = "bold red" if o.status == "failed" else None
            table.add_row(f"{o.kommunekode} {o.kommune}", _STATUS[o.status], f"{o.seconds:.1f}", o.error,
                          style=style)
    if counts["skipped"]:
        table.add_row(f"{counts['skipped']} kommuner", _STATUS["skipped"], "", "inputs uændrede (--force kører dem igen)")
    if report.overview is not None:
        o = report.overview
        table.add_row("landsoverblik", _STATUS[o.status], f"{o.seconds:.1f}", o.error,
                      style="bold red" if o.status == "failed" else None)
    out.print(table)
    out.print(f"ok: {counts['ok']}, uændrede: {counts['skipped']}, fejlet: {counts['failed']} → "
              f"{report.out_dir / 'index.html'} (den dataansvarliges side); til kommunerne: "
              f"{report.out_dir / BUNDLES}", highlight=False, soft_wrap=True)


cli_ingest.register(app)
cli_export.register(app)


def _one_line(exc: FundamentError) -> str:
    """The message on one line (a data validation report keeps its list of problems)."""
    text = str(exc).strip()
    return text if isinstance(exc, DataValidationError) else " ".join(text.split())


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Entry point: run the app; a FundamentError becomes one clear message and exit code 2."""
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops workers and kernels like Ctrl-C does
    try:
        code = app(standalone_mode=False)  # click returns (not raises) the code of typer.Exit here
    except FundamentError as exc:
        err.print(f"[bold red]fundament: error:[/] {escape(_one_line(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except _ABORTS:
        err.print(_INTERRUPTED)
        sys.exit(130)
    except _USAGE_ERRORS as exc:  # a usage error: click's own message and «Try … --help», exit 2
        exc.show()  # type: ignore[attr-defined]
        if "extra argument" in str(exc) and "--kommune" in sys.argv:
            err.print("Give --kommune once per kommune: --kommune 707 --kommune 825", highlight=False)
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
