"""Putting a run's results in place: ``OUT/<kode>/`` (and ``OUT/landsoverblik/``).

A worker sends back the executed notebook and its nbconvert HTML; this process
writes the files a reader gets, each atomically, and the input fingerprint
(:data:`MARKER`) last — a folder with a fingerprint is complete, so an
interrupted run leaves nothing half-written and the next run redoes exactly what
is missing.

What the files are is chosen per run (:class:`Outputs`): the HTML from nbconvert
(default) or from the Quarto CLI, and an A4 PDF — printed by headless Chromium
from that very HTML, or typeset by Quarto's Typst. Both tools are checked before
anything runs (:meth:`Outputs.check`), so a missing one is one clear error, not 98
failed briefings.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from fundament_lib.core import atomic
from fundament_lib.core.errors import RenderError

from .backlink import with_index_link

if TYPE_CHECKING:
    from .outcome import Result
    from .pdf import PdfPrinter

__all__ = ["Outputs", "Publisher", "stored_fingerprint", "output_files", "failed_files", "MARKER",
           "SUMMARY_FILE", "Renderer"]

MARKER = ".fundament-inputs"
SUMMARY_FILE = "summary.json"
Renderer = Literal["nbconvert", "quarto"]


@dataclass(frozen=True)
class Outputs:
    """What a run writes for each briefing beside its notebook and ``summary.json``.

    Parameters
    ----------
    renderer
        ``"nbconvert"`` (the shipped offline template) or ``"quarto"`` (``quarto render``
        in a subprocess, see :mod:`fundament_lib.run.quarto`).
    pdf
        Also write an A4 PDF: printed by headless Chromium (nbconvert) or by Typst (Quarto).
    quarto
        The ``quarto`` executable (default: ``quarto`` on ``PATH``).
    """

    renderer: Renderer = "nbconvert"
    pdf: bool = False
    quarto: str | None = None

    def files(self, stem: str) -> tuple[str, ...]:
        """The files a complete output folder holds, e.g. ``briefing.html``, ``briefing.ipynb``, …"""
        return output_files(stem, pdf=self.pdf)

    def check(self) -> None:
        """Fail now, with what to install, when a tool this run needs is missing.

        Raises
        ------
        RenderError
            Quarto not on ``PATH`` (for ``renderer="quarto"``), or no headless Chromium (for a
            PDF from the nbconvert HTML).
        """
        if self.renderer not in ("nbconvert", "quarto"):
            raise RenderError(f"renderer must be 'nbconvert' or 'quarto'; got {self.renderer!r}")
        if self.renderer == "quarto":
            from .quarto import find_quarto

            find_quarto(self.quarto)
        elif self.pdf:
            from .browser import require_chromium

            require_chromium()


BRIEFING_STEM = "briefing"  # a kommune's page (the overview has its own stem)


def output_files(stem: str, *, pdf: bool = False) -> tuple[str, ...]:
    """The files of a complete output folder for documents named ``stem``."""
    return (f"{stem}.html", f"{stem}.ipynb", SUMMARY_FILE, *((f"{stem}.pdf",) if pdf else ()))


def failed_files(stem: str) -> tuple[str, str]:
    """What a failed document leaves for debugging: the executed notebook with the error, the traceback."""
    return f"{stem}.failed.ipynb", f"{stem}.failed.txt"


def stored_fingerprint(folder: Path, files: tuple[str, ...]) -> str | None:
    """The fingerprint stored with complete outputs in ``folder`` (``None`` when any file is missing)."""
    if not all((folder / name).is_file() for name in files):
        return None
    try:
        return str(json.loads((folder / MARKER).read_text(encoding="utf-8"))["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Publisher:
    """Writes finished and failed results into their folders (use as a context manager).

    One headless Chromium prints every PDF of the run; it starts when the first PDF is
    needed and stops when the ``with`` block ends.
    """

    def __init__(self, outputs: Outputs) -> None:
        self.outputs = outputs
        self._stack = ExitStack()
        self._printer: PdfPrinter | None = None

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.close()

    def finished(self, folder: Path, result: Result, *, summary_text: str, marker: dict[str, Any],
                 stem: str = "briefing", title: str = "") -> None:
        """Write a finished result's files; the fingerprint goes last.

        Raises
        ------
        RenderError
            When Quarto or the PDF printing fails; the folder then holds no fingerprint.
        """
        assert result.html is not None and result.notebook is not None
        (folder / MARKER).unlink(missing_ok=True)
        atomic.write_bytes(folder / f"{stem}.ipynb", result.notebook)
        atomic.write_text(folder / SUMMARY_FILE, summary_text)
        back = stem == BRIEFING_STEM  # a briefing sits beside the run's index.html (backlink.py)
        if self.outputs.renderer == "quarto":
            self._quarto(folder, stem, title)
            if back:
                page = folder / f"{stem}.html"
                atomic.write_text(page, with_index_link(page.read_text(encoding="utf-8")))
        else:
            atomic.write_text(folder / f"{stem}.html", with_index_link(result.html) if back else result.html)
            if self.outputs.pdf:
                self._printer_started().print(folder / f"{stem}.html", folder / f"{stem}.pdf")
        if not self.outputs.pdf:
            (folder / f"{stem}.pdf").unlink(missing_ok=True)  # a PDF of older inputs would mislead
        for name in failed_files(stem):
            (folder / name).unlink(missing_ok=True)
        atomic.write_text(folder / MARKER, json.dumps(marker, indent=2) + "\n")

    def failed(self, folder: Path, result: Result, *, stem: str = "briefing") -> None:
        """Keep the executed notebook with the error and the traceback; drop outputs of older inputs."""
        for name in (MARKER, *output_files(stem, pdf=True)):
            (folder / name).unlink(missing_ok=True)
        notebook, trace = failed_files(stem)
        if result.notebook is not None:
            atomic.write_bytes(folder / notebook, result.notebook)
        else:
            (folder / notebook).unlink(missing_ok=True)
        atomic.write_text(folder / trace, f"{result.error}\n\n{result.trace}")

    def _quarto(self, folder: Path, stem: str, title: str) -> None:
        from .quarto import render

        formats = ("html", "pdf") if self.outputs.pdf else ("html",)
        render(folder / f"{stem}.ipynb", folder, formats=formats, executable=self.outputs.quarto, title=title,
               stem=stem)

    def _printer_started(self) -> PdfPrinter:
        if self._printer is None:
            from .pdf import PdfPrinter

            self._printer = self._stack.enter_context(PdfPrinter())
        return self._printer
