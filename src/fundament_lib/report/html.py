"""Small HTML building blocks for briefings: escaped text, accessible tables and
figures embedded as data URIs with Danish alt text.

Everything that reaches the page from data goes through :func:`esc`.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # never open a window; notebooks and tests render off-screen

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import cbook
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from fundament_lib.core.fmt import fmt_ci, fmt_int, fmt_num, fmt_pct

__all__ = ["esc", "fmt_num", "fmt_int", "fmt_ci", "fmt_pct", "table", "figure", "paragraph",
           "heading", "note", "bullets", "Html", "EMBED_DPI"]

EMBED_DPI = 110  # the resolution :func:`figure` embeds figures at (``plots.print_scale`` relies on it)


class Html(str):
    """A string of HTML that Jupyter displays as HTML (``_repr_html_``)."""

    def _repr_html_(self) -> str:
        return str(self)


def esc(text: object) -> str:
    """HTML-escape any value (quotes included)."""
    return html.escape("" if text is None else str(text), quote=True)


def heading(text: str, level: int = 2, *, anchor: str | None = None) -> Html:
    """A heading (the briefing's outline: h1 once, then h2 per section, h3 within)."""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return Html(f"<h{level}{ident}>{esc(text)}</h{level}>")


def paragraph(text: str, *, cls: str | None = None) -> Html:
    """An escaped paragraph."""
    klass = f' class="{esc(cls)}"' if cls else ""
    return Html(f"<p{klass}>{esc(text)}</p>")


def note(text: str, *, kind: str = "note", items: Iterable[str] = ()) -> Html:
    """A boxed remark (``note`` or ``warning``), optionally followed by a bullet list."""
    listed = list(items)
    return Html(f'<div class="{esc(kind)}" role="note"><p>{esc(text)}</p>'
                f'{bullets(listed) if listed else ""}</div>')


def bullets(items: Iterable[str]) -> Html:
    """An escaped bullet list."""
    return Html("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


def table(df: pd.DataFrame, *, caption: str, numeric: Sequence[str] = (), row_header: str | None = None,
          links: Mapping[str, Sequence[str | None]] | None = None) -> Html:
    """An accessible HTML table: caption, column headers with ``scope``, escaped cells.

    Parameters
    ----------
    df
        Cells already formatted as text.
    caption
        Shown above the table; screen readers announce it.
    numeric
        Columns to right-align and keep unbroken.
    row_header
        A column whose cells are row headers (``<th scope="row">``).
    links
        Column → one link target per row (``None``: no link); the cell's text becomes the link.
    """
    num = ' class="num"'  # right-aligned; fundament.css keeps "54 (50–58)" on one line
    head = "".join(f'<th scope="col"{num if c in numeric else ""}>{esc(c)}</th>' for c in df.columns)
    rows = []
    for i, (_, row) in enumerate(df.iterrows()):
        cells = []
        for c in df.columns:
            value = esc(row[c])
            href = links[c][i] if links and c in links else None
            if href:
                value = f'<a href="{esc(href)}">{value}</a>'
            if c == row_header:
                cells.append(f'<th scope="row">{value}</th>')
            else:
                cells.append(f'<td{num if c in numeric else ""}>{value}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return Html(f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")


def _laid_out_box(fig: Figure, dpi: float) -> Bbox:
    """Lay the figure out at ``dpi`` and return what ``savefig(bbox_inches="tight")`` crops to; the
    figure is left without a layout engine, so savefig draws it once, as laid out here.

    savefig would lay the figure out itself and then draw every artist unseen to find the box
    before the real draw; measuring the box directly gives the same box (the tests compare the
    PNGs) without that extra pass, which on a figure full of text costs as much as the picture."""
    engine = fig.get_layout_engine()
    with cbook._setattr_cm(fig, dpi=dpi):
        if engine is not None:
            engine.execute(fig)
        box = fig.get_tightbbox(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    if engine is not None:
        fig.set_layout_engine(None)  # laid out for good: the figure is saved and closed next
    return box.padded(matplotlib.rcParams["savefig.pad_inches"])


def figure(fig: Figure | Axes, *, alt: str, caption: str | None = None, dpi: int = EMBED_DPI) -> Html:
    """Embed a Matplotlib figure (or the figure of an Axes) as a PNG data URI with alt text,
    then close it. The alt text should state the figure's main finding in Danish.
    """
    if isinstance(fig, Axes):
        root = fig.get_figure(root=True)
        if root is None:
            raise ValueError("the Axes belongs to no figure")
        fig = root
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches=_laid_out_box(fig, dpi), metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return Html(f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}" />{cap}</figure>')
