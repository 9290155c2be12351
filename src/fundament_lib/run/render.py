"""Export executed notebooks to self-contained HTML with the code hidden.

The HTML uses the shipped ``fundament`` nbconvert template: the lab template's
page structure with a head written in full by Fundament (charset, viewport,
title and one small inline stylesheet that also prints cleanly on A4), so none of
the scripts, fonts and styles the default templates load from a CDN can come
back. Outputs are never rendered as script. Figures are embedded as data URIs
by the library, so a file opens offline; :func:`export_html` refuses to return
a page that would fetch anything (:func:`external_references`) or run a script.
"""

from __future__ import annotations

import copy
import re
import threading
from functools import cache
from html.parser import HTMLParser

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

from fundament_lib.core.errors import RenderError
from fundament_lib.core.paths import templates_dir

__all__ = ["export_html", "external_references", "scripts", "strip_for_export", "DISPLAY_PRIORITY"]

# What an output may be shown as, best first. No JavaScript, widget views or Mermaid:
# they would need script, often from a CDN. An output that has only those shows nothing.
DISPLAY_PRIORITY: tuple[str, ...] = (
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/latex",
    "text/plain",
)

# Attributes whose value the browser fetches, on any element.
_FETCHED = frozenset({"src", "srcset", "imagesrcset", "poster", "data", "background", "lowsrc", "dynsrc"})
# ``href`` fetches on these elements (on ``<a>`` it is a link a reader follows, not a load).
_HREF_FETCHES = frozenset({"link", "image", "use", "feimage", "script", "base"})
_CSS_REF = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE | re.DOTALL)
_SCRIPT_TAG = re.compile(r"<script\b", re.IGNORECASE)
_EXPORTER_LOCK = threading.Lock()  # the one cached exporter is shared by the threads of a process


@cache
def _exporter() -> HTMLExporter:
    config = Config({"NbConvertBase": {"display_data_priority": list(DISPLAY_PRIORITY)}})
    exporter = HTMLExporter(
        config=config,
        template_name="fundament",
        extra_template_basedirs=[str(templates_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.language_code = "da"
    return exporter


def strip_for_export(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without what a reader must not see.

    Removes cells tagged ``remove_cell`` (notes for the notebook's users) and
    stderr streams (warnings, log lines) from code cells' outputs.

    Parameters
    ----------
    nb
        An executed notebook; it is not changed.

    Returns
    -------
    nbformat.NotebookNode
        The cleaned copy.
    """
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if "remove_cell" not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return nb


def export_html(nb: nbformat.NotebookNode, *, title: str) -> str:
    """Render an executed notebook as one self-contained HTML page.

    Parameters
    ----------
    nb
        The executed notebook.
    title
        The page title (``<title>``).

    Returns
    -------
    str
        The page: ``<html lang="da">``, code hidden, no script, nothing fetched.

    Raises
    ------
    RenderError
        If the page would load anything from outside itself or contain a script.
    """
    clean = strip_for_export(nb)
    clean.metadata["title"] = title
    with _EXPORTER_LOCK:
        html, _ = _exporter().from_notebook_node(clean)
    found = external_references(html)
    if found:
        raise RenderError(f"the briefing would load {len(found)} resource(s) from outside the file, "
                          f"e.g. {found[:3]}")
    if scripts(html):
        raise RenderError(f"the briefing would contain {scripts(html)} script element(s); "
                          "briefings carry no script")
    return html


def external_references(html: str) -> list[str]:
    """Everything in ``html`` that a browser would fetch instead of finding it in the file.

    Looks at fetching attributes (``src``, ``srcset``, ``poster``, ``data``, …;
    ``href`` on ``<link>``, ``<script>``, SVG ``<image>``/``<use>``), inline
    ``style`` attributes and ``<style>`` blocks (``url(…)``, ``@import``).
    ``data:`` URIs and same-document ``#fragments`` are embedded, not fetched.
    Links a reader follows (``<a href>``) are not loads and are not listed.

    Parameters
    ----------
    html
        A whole page or a fragment.

    Returns
    -------
    list of str
        One short description per reference, e.g. ``'<script src="https://cdn…">'``.

    Examples
    --------
    >>> external_references('<img src="data:image/png;base64,AA=="><a href="https://kl.dk">KL</a>')
    []
    >>> external_references('<link rel="stylesheet" href="https://cdn.example/x.css">')
    ['<link href="https://cdn.example/x.css">']
    >>> external_references('<style>@font-face { src: url(//fonts.example/a.woff2) }</style>')
    ['url(//fonts.example/a.woff2)']
    """
    finder = _ReferenceFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def scripts(html: str) -> int:
    """How many ``<script`` elements ``html`` contains."""
    return len(_SCRIPT_TAG.findall(html))


def _embedded(url: str) -> bool:
    url = url.strip()
    return not url or url.lower().startswith("data:") or url.startswith("#")


def _css_references(css: str) -> list[str]:
    hits = []
    for m in _CSS_REF.finditer(css):
        url = m.group(2) if m.group(2) is not None else m.group(4)
        if not _embedded(url):
            hits.append(f"url({url.strip()})" if m.group(2) is not None else f"@import {url.strip()}")
    return hits


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` (a URL runs to the next space and may hold commas, as data URIs do)."""
    urls, i, n = [], 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        j = i
        while j < n and not value[j].isspace():
            j += 1
        url = value[i:j]
        if url.endswith(","):
            url, i = url.rstrip(","), j
        else:
            nxt = value.find(",", j)
            i = n if nxt < 0 else nxt + 1
        if url:
            urls.append(url)
    return urls


class _ReferenceFinder(HTMLParser):
    """Collects what :func:`external_references` reports."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.found += _css_references(value)
            elif name in _FETCHED or (name in {"href", "xlink:href"} and tag in _HREF_FETCHES):
                urls = _srcset_urls(value) if name.endswith("srcset") else [value]
                self.found += [f'<{tag} {name}="{u.strip()}">' for u in urls if not _embedded(u)]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += _css_references(data)
