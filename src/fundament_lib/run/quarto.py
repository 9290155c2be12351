"""Render executed briefing notebooks with the Quarto CLI (an alternative to nbconvert).

``fundament run --renderer quarto`` hands each executed notebook to
``quarto render`` in a subprocess. Quarto does not execute it again
(``--no-execute``); it renders what Papermill produced:

* ``"html"``: ``--to html -M embed-resources:true`` — one self-contained file (Quarto
  inlines its own scripts and styles, and Fundament's stylesheet); the result is checked
  for anything it would still fetch (:func:`fundament_lib.run.render.external_references`).
* ``"pdf"``: ``--to typst`` — an A4 PDF typeset by Typst (bundled with Quarto).

Quarto gets a copy of the notebook whose code cells are replaced by the content they show
(:func:`fundament_lib.run.quarto_input.document_notebook`): raw HTML blocks for the HTML page,
Pandoc markdown with pipe tables and image files for Typst. Handed the executed notebook
itself, Quarto would write require.js and jQuery from a CDN into every page (it does so for
any ``text/html`` output) and Typst would drop the briefing's HTML; the module docstring of
:mod:`fundament_lib.run.quarto_input` gives the details and the Quarto sources they come from.
Each format is rendered in a temporary folder and the result moved into ``out_dir`` atomically.

Relies on Quarto ≥ 1.4 (Typst output and ``html-table-processing`` arrived in 1.4). The
behaviours worked around are read from quarto-cli's sources (``src/core/jupyter/widgets.ts``,
``display-data.ts``, ``src/resources/filters/normalize/parsehtml.lua``) and were seen with
Quarto 1.10.18 (issue 15). Quarto is not a Python package (the ``quarto-cli``
wheel downloads the binary at build time); install it from https://quarto.org/docs/get-started/
and make sure ``quarto`` is on ``PATH``. Fundament's tests exercise this wrapper against a
stand-in executable (``tests/fixtures/quarto/quarto``) that reproduces those behaviours with
Pandoc and Typst, not against real Quarto.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from fundament_lib.core import atomic
from fundament_lib.core.errors import RenderError
from fundament_lib.core.paths import templates_dir

from .quarto_input import STYLESHEET, DocFormat, document_notebook
from .render import external_references

__all__ = ["render", "find_quarto", "command", "FORMATS", "QuartoFormat", "INSTALL_HINT"]

INSTALL_HINT = ("install Quarto from https://quarto.org/docs/get-started/ and put `quarto` on PATH, "
                "or use the default renderer (nbconvert)")
_STDERR_LINES = 20


@dataclass(frozen=True)
class QuartoFormat:
    """How one of Fundament's output formats maps onto ``quarto render``."""

    to: DocFormat
    suffix: str
    metadata: tuple[str, ...]


FORMATS: dict[str, QuartoFormat] = {
    "html": QuartoFormat("html", ".html", ("embed-resources:true", "lang:da")),
    "pdf": QuartoFormat("typst", ".pdf", ("papersize:a4", "lang:da")),
}


def find_quarto(executable: str | Path | None = None) -> Path:
    """The ``quarto`` executable: ``executable`` (a path or a name on ``PATH``) or ``quarto`` on ``PATH``.

    Raises
    ------
    RenderError
        When it is not found; the message says how to install Quarto.
    """
    name = str(executable) if executable is not None else "quarto"
    found = shutil.which(name)
    if found is None:
        where = f"at {name}" if executable is not None else "on PATH"
        raise RenderError(f"Quarto not found {where}; {INSTALL_HINT}")
    return Path(found)


def command(quarto: Path, notebook_name: str, fmt: str, output_name: str) -> list[str]:
    """The ``quarto render`` command line for one format (run in the notebook's folder).

    Parameters
    ----------
    quarto
        The executable.
    notebook_name
        The notebook's file name.
    fmt
        A key of :data:`FORMATS`.
    output_name
        The output's file name (Quarto wants a name, not a path).
    """
    spec = FORMATS[fmt]
    args = [str(quarto), "render", notebook_name, "--to", spec.to, "--no-execute", "--output", output_name]
    for item in spec.metadata:
        args += ["-M", item]
    return args


def render(notebook_path: str | Path, out_dir: str | Path, *, formats: Sequence[str] = ("html",),
           executable: str | Path | None = None, title: str | None = None, stem: str = "briefing",
           timeout: float = 600.0) -> list[Path]:
    """Render an executed notebook with ``quarto render``, one call per format.

    Parameters
    ----------
    notebook_path
        The executed notebook (as ``fundament run`` writes it: ``briefing.ipynb``).
    out_dir
        Folder for the results (created if missing).
    formats
        Keys of :data:`FORMATS`: ``"html"`` (self-contained HTML) and/or ``"pdf"`` (A4 via Typst).
    executable
        The ``quarto`` executable (default: ``quarto`` on ``PATH``).
    title
        The document's title (HTML ``<title>``; the briefing's own heading is its visible title).
    stem
        File name of the results without suffix: ``briefing`` gives ``briefing.html``, ``briefing.pdf``.
    timeout
        Seconds allowed for each ``quarto render``.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Raises
    ------
    RenderError
        When Quarto is missing, a format is unknown, the notebook cannot be read,
        Quarto fails (its own message is included), or the HTML would load anything
        from outside the file.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise RenderError(f"formats must be one or more of {sorted(FORMATS)}; got {list(formats)}")
    quarto = find_quarto(executable)
    nb = _read(Path(notebook_path))
    out = Path(out_dir)
    written = []
    with tempfile.TemporaryDirectory(prefix="fundament-quarto-") as scratch:
        for fmt in dict.fromkeys(formats):
            spec = FORMATS[fmt]
            work = Path(scratch) / fmt
            work.mkdir()
            _prepare(nb, spec.to, work, stem=stem, title=title)
            name = f"{stem}{spec.suffix}"
            _run(command(quarto, f"{stem}.ipynb", fmt, name), work, timeout)
            result = work / name
            if not result.is_file():
                raise RenderError(f"quarto render --to {spec.to} exited 0 but wrote no {name}")
            _check(result, fmt)
            atomic.write_bytes(out / name, result.read_bytes())
            written.append(out / name)
    return written


def _read(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise RenderError(f"{path}: notebook not found") from None
    except Exception as exc:  # nbformat raises several types for a broken file
        raise RenderError(f"{path}: not a readable notebook ({type(exc).__name__})") from None


def _prepare(nb: nbformat.NotebookNode, to: DocFormat, work: Path, *, stem: str, title: str | None) -> None:
    """Write the notebook Quarto renders (and, for HTML, Fundament's stylesheet) into ``work``."""
    nbformat.write(document_notebook(nb, to, work, title=title), work / f"{stem}.ipynb")
    if to == "html":
        shutil.copyfile(templates_dir() / "fundament" / "fundament.css", work / STYLESHEET)


def _run(args: list[str], cwd: Path, timeout: float) -> None:
    try:
        proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"quarto render did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise RenderError(f"could not run {args[0]}: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        raise RenderError(f"quarto render --to {args[4]} failed (exit {proc.returncode}): {_tail(proc)}")


def _tail(proc: subprocess.CompletedProcess[str]) -> str:
    text = (proc.stderr or "").strip() or (proc.stdout or "").strip() or "no message"
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return "\n".join(lines[-_STDERR_LINES:])


def _check(result: Path, fmt: str) -> None:
    """Refuse HTML that would fetch anything, and a "PDF" that is not one."""
    if fmt == "html":
        found = external_references(result.read_text(encoding="utf-8", errors="replace"))
        if found:
            raise RenderError(f"Quarto's HTML would load {len(found)} resource(s) from outside the file, "
                              f"e.g. {found[:3]}")
    elif result.read_bytes()[:5] != b"%PDF-":
        raise RenderError(f"quarto render --to typst wrote {result.name}, but it is not a PDF")
