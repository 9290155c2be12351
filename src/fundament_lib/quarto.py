"""Render executed briefing notebooks with the Quarto CLI (an alternative to nbconvert).

``fundament run --renderer quarto`` hands each executed notebook to
``quarto render`` in a subprocess. Quarto does not execute it again
(``--no-execute``); it renders what Papermill produced:

* ``"html"``: ``--to html -M embed-resources:true`` — one self-contained file (Quarto
  inlines its own scripts and styles); the result is checked for anything it would
  still fetch (:func:`fundament_lib.render.external_references`).
* ``"pdf"``: ``--to typst`` — an A4 PDF typeset by Typst (bundled with Quarto).

The notebook Quarto sees is a cleaned copy (:func:`fundament_lib.render.strip_for_export`:
no ``remove_cell`` cells, no stderr) with a front-matter cell that hides code
and sets the language to Danish, and ``#| echo: false`` atop every code cell. The copy is rendered in a temporary folder and
each result moved into ``out_dir`` atomically.

Quarto is not a Python package (the ``quarto-cli`` wheel downloads the binary
at build time); install it from https://quarto.org/docs/get-started/ and make
sure ``quarto`` is on ``PATH``. Fundament's tests exercise this wrapper against
a stand-in executable, not real Quarto.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import atomic
from .errors import RenderError
from .render import external_references, strip_for_export

__all__ = ["render", "find_quarto", "command", "FORMATS", "QuartoFormat", "INSTALL_HINT"]

INSTALL_HINT = ("install Quarto from https://quarto.org/docs/get-started/ and put `quarto` on PATH, "
                "or use the default renderer (nbconvert)")
_STDERR_LINES = 20
_CELL_OPTIONS = "#| echo: false\n#| warning: false\n"


@dataclass(frozen=True)
class QuartoFormat:
    """How one of Fundament's output formats maps onto ``quarto render``."""

    to: str
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
    nb = _prepared(Path(notebook_path), title)
    out = Path(out_dir)
    written = []
    with tempfile.TemporaryDirectory(prefix="fundament-quarto-") as scratch:
        work = Path(scratch)
        nbformat.write(nb, work / f"{stem}.ipynb")
        for fmt in dict.fromkeys(formats):
            name = f"{stem}{FORMATS[fmt].suffix}"
            _run(command(quarto, f"{stem}.ipynb", fmt, name), work, timeout)
            result = work / name
            if not result.is_file():
                raise RenderError(f"quarto render --to {FORMATS[fmt].to} exited 0 but wrote no {name}")
            if fmt == "html":
                _check_html(result.read_text(encoding="utf-8", errors="replace"))
            atomic.write_bytes(out / name, result.read_bytes())
            written.append(out / name)
    return written


def _prepared(path: Path, title: str | None) -> nbformat.NotebookNode:
    """The notebook as Quarto should see it: cleaned, with front matter first."""
    try:
        nb = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise RenderError(f"{path}: notebook not found") from None
    except Exception as exc:  # nbformat raises several types for a broken file
        raise RenderError(f"{path}: not a readable notebook ({type(exc).__name__})") from None
    clean = strip_for_export(nb)
    for cell in clean.cells:
        if cell.get("cell_type") == "code":  # per cell too: the option Quarto honours everywhere
            cell["source"] = _CELL_OPTIONS + cell.get("source", "")
    clean.cells.insert(0, nbformat.v4.new_raw_cell(_front_matter(title)))
    return clean


def _front_matter(title: str | None) -> str:
    """YAML front matter: code hidden, warnings dropped, Danish. JSON strings are valid YAML."""
    lines = ["---"]
    if title:
        lines.append(f"pagetitle: {json.dumps(title, ensure_ascii=False)}")
    lines += ["lang: da", "execute:", "  echo: false", "  warning: false", "---"]
    return "\n".join(lines)


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


def _check_html(html: str) -> None:
    found = external_references(html)
    if found:
        raise RenderError(f"Quarto's HTML would load {len(found)} resource(s) from outside the file, "
                          f"e.g. {found[:3]}")
