"""Export executed notebooks to self-contained HTML with the code hidden.

The HTML uses the shipped ``fundament`` nbconvert template: the lab template
without require.js, MathJax, Mermaid or widget scripts (the defaults load them
from a CDN), with a small inline stylesheet that prints cleanly on A4.
Figures are embedded as data URIs by the library, so a file opens offline.
"""

from __future__ import annotations

import copy
import re
from functools import cache

import nbformat
from nbconvert import HTMLExporter

from .errors import RenderError
from .paths import templates_dir

__all__ = ["export_html", "external_references", "strip_for_export"]

_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@cache
def _exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        template_name="fundament",
        extra_template_basedirs=[str(templates_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.language_code = "da"
    return exporter


def strip_for_export(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without what a reader must not see: cells tagged ``remove_cell`` (notes for
    the notebook's users) and stderr streams (warnings, log lines)."""
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

    Raises
    ------
    RenderError
        If the result would load anything from another host.
    """
    clean = strip_for_export(nb)
    clean.metadata["title"] = title
    html, _ = _exporter().from_notebook_node(clean)
    found = external_references(html)
    if found:
        raise RenderError(f"the briefing would load from another host: {found[:3]}")
    return html


def external_references(html: str) -> list[str]:
    """Tags or CSS ``url()`` in ``html`` that would fetch from another host."""
    hits = [m.group(0) for m in _EXTERNAL.finditer(html)]
    hits += [m.group(0) for m in _CSS_URL.finditer(html)]
    return hits
