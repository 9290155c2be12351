"""The executed notebook as Quarto should get it: its outputs turned into document content.

Why not hand Quarto the executed notebook itself? Quarto (quarto-cli
``src/core/jupyter/widgets.ts``, ``extractJupyterWidgetDependencies``) treats *any* code-cell
output carrying ``text/html`` or ``application/javascript`` as a possible JavaScript widget and
writes require.js and jQuery ``<script src>`` tags from a CDN into the HTML head — every
briefing cell displays HTML, so every page would load from the internet (and fail Fundament's
offline check). Adding ``text/markdown`` beside ``text/html`` does not help: the scan looks at
the MIME keys present, and for HTML Quarto prefers ``text/html`` anyway
(``display-data.ts``). And Quarto's Typst (PDF) path drops raw HTML; only HTML tables are
parsed (``parsehtml.lua``), so headings, text and figures would be lost.

So each code cell becomes a markdown cell holding what nbconvert would show for it, chosen by
the same display priority (:data:`fundament_lib.run.render.DISPLAY_PRIORITY`):

* ``"html"``: the output's HTML verbatim in a raw block (```` ```{=html} ````), images as
  ``data:`` URIs — markdown cells are not scanned for widgets, and the page equals nbconvert's;
* ``"typst"``: Pandoc markdown (:func:`fundament_lib.run.pandoc_markdown.html_to_markdown`:
  headings, text, pipe tables with captions, figures as image files beside the notebook).

Markdown and raw cells the reader should see stay as they are; code is not shown in either.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import nbformat

from .pandoc_markdown import MediaFolder, html_to_markdown
from .render import DISPLAY_PRIORITY, strip_for_export

__all__ = ["document_notebook", "output_content", "front_matter", "raw_html", "DocFormat", "STYLESHEET"]

DocFormat = Literal["html", "typst"]
STYLESHEET = "fundament.css"  # copied beside the notebook for the HTML format
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_IMAGES = ("image/svg+xml", "image/png", "image/jpeg")


def document_notebook(nb: nbformat.NotebookNode, fmt: DocFormat, folder: Path, *,
                      title: str | None = None) -> nbformat.NotebookNode:
    """A copy of an executed notebook whose code cells are replaced by their shown outputs.

    Parameters
    ----------
    nb
        The executed notebook (not changed).
    fmt
        ``"html"`` (raw HTML blocks) or ``"typst"`` (Pandoc markdown and image files).
    folder
        Where the copy will be rendered: image files for ``"typst"`` go into ``folder/media``.
    title
        The HTML page title (``pagetitle``).

    Returns
    -------
    nbformat.NotebookNode
        Front matter (a raw cell), then markdown and raw cells only.
    """
    clean = strip_for_export(nb)
    media = MediaFolder(folder)
    cells = [nbformat.v4.new_raw_cell(front_matter(fmt, title))]
    for cell in clean.cells:
        if cell.get("cell_type") != "code":
            cells.append(cell)
            continue
        parts = [output_content(out, fmt, media) for out in cell.get("outputs", [])]
        text = "\n\n".join(p for p in parts if p)
        if text:
            cells.append(nbformat.v4.new_markdown_cell(text))
    doc = nbformat.v4.new_notebook(metadata=clean.metadata)
    doc.cells = cells
    return doc


def front_matter(fmt: DocFormat, title: str | None = None) -> str:
    """YAML front matter: Danish, code and warnings hidden, raw HTML tables left as built.

    ``html-table-processing: none`` (Quarto ≥ 1.4) keeps Quarto from re-parsing the
    briefing's tables (their captions, header scopes and number alignment stay); JSON
    strings are valid YAML, so titles need no further quoting.
    """
    lines = ["---"]
    if title:
        lines.append(f"pagetitle: {json.dumps(title, ensure_ascii=False)}")
    lines += ["lang: da", "execute:", "  echo: false", "  warning: false", "html-table-processing: none"]
    if fmt == "html":
        lines += [f"css: {STYLESHEET}"]
    else:
        lines += ["papersize: a4"]
    lines.append("---")
    return "\n".join(lines)


def output_content(output: Mapping[str, Any], fmt: DocFormat, media: MediaFolder) -> str:
    """One cell output as document content ("" for what nbconvert would not show either).

    Parameters
    ----------
    output
        A notebook output (stream, display data, execute result or error).
    fmt
        ``"html"`` or ``"typst"``.
    media
        Where ``"typst"`` writes images.
    """
    kind = output.get("output_type")
    if kind == "stream":
        return "" if output.get("name") == "stderr" else _preformatted(_text(output.get("text")), fmt)
    if kind == "error":
        return _preformatted(_ANSI.sub("", "\n".join(output.get("traceback") or [])), fmt)
    data = output.get("data") or {}
    mime = next((m for m in DISPLAY_PRIORITY if m in data), None)
    if mime is None:  # JavaScript, widget views: nbconvert's briefing shows nothing for them either
        return ""
    value = _text(data[mime])
    if mime == "text/markdown":
        return value
    if mime in _IMAGES:
        return _image(mime, value, fmt, media)
    if mime == "text/html":
        return raw_html(value) if fmt == "html" else html_to_markdown(value, media).strip()
    return _preformatted(value, fmt)  # text/latex, text/plain


def raw_html(fragment: str) -> str:
    """A Pandoc raw HTML block, fenced with more backticks than the fragment holds in a row."""
    longest = max((len(m) for m in re.findall(r"`+", fragment)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{=html}}\n{fragment.strip()}\n{fence}"


def _text(value: str | Iterable[str] | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else "".join(value)


def _preformatted(text: str, fmt: DocFormat) -> str:
    text = text.rstrip("\n")
    if not text.strip():
        return ""
    if fmt == "html":
        return raw_html(f"<pre>{html.escape(text)}</pre>")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def _image(mime: str, value: str, fmt: DocFormat, media: MediaFolder) -> str:
    svg = mime == "image/svg+xml"
    if fmt == "html":
        return raw_html(value if svg else f'<img src="data:{mime};base64,{value.strip()}" alt="">')
    data = value.encode("utf-8") if svg else base64.b64decode(value)
    return f"![]({media.save(data, mime)})"
