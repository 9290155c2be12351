"""``index.html``: one page linking every briefing of a run, grouped by region.

A reader finds a kommune by name or code with the search field (a few lines of
inline script; without script the full list is still there). Failed
briefings are marked and link to the notebook kept for debugging.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import atomic
from .kommuner import danish_sort_key, kommuner
from .report import esc

if TYPE_CHECKING:
    from .batch import Outcome

__all__ = ["write_index", "index_html"]

_STYLE = """
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1b1b1b; margin: 0; line-height: 1.5; }
main { max-width: 56rem; margin: 0 auto; padding: 1.5rem; }
h1 { color: #0b4f8a; font-size: 1.8rem; } h2 { border-bottom: 2px solid #0b4f8a; font-size: 1.25rem; margin-top: 1.8rem; }
label { font-weight: 600; display: block; margin-top: 1rem; }
input { font-size: 1rem; padding: 0.4rem; width: 100%; max-width: 24rem; border: 1px solid #6b6b6b; }
ul { list-style: none; padding: 0; columns: 2; } li { padding: 0.15rem 0; break-inside: avoid; }
a { color: #0b4f8a; } .failed { color: #8a1c00; font-weight: 600; } .meta { color: #4a4a4a; font-size: 0.9rem; }
@media print { input, label { display: none; } ul { columns: 3; } }
"""

_SCRIPT = """
document.getElementById('find').addEventListener('input', function (e) {
  var q = e.target.value.trim().toLowerCase();
  document.querySelectorAll('li[data-key]').forEach(function (li) {
    li.hidden = q !== '' && li.getAttribute('data-key').indexOf(q) === -1;
  });
});
"""


def index_html(outcomes: Sequence[Outcome], *, title: str, overview: str | None = None) -> str:
    """The index page as a string (see the module docstring)."""
    ref = kommuner()
    by_region: dict[str, list[str]] = {}
    for o in sorted(outcomes, key=lambda o: danish_sort_key(o.kommune)):
        region = str(ref.loc[o.kommunekode, "region"]) if o.kommunekode in ref.index else "Ukendt"
        by_region.setdefault(region, []).append(_item(o))
    ok = sum(o.status != "failed" for o in outcomes)
    failed = len(outcomes) - ok
    parts = [f"<h1>{esc(title)}</h1>",
             f'<p class="meta">{ok} briefinger' + (f", {failed} fejlet" if failed else "") + "</p>"]
    if overview:
        parts.append(f'<p><a href="{esc(overview)}">Landsoverblik: alle kommuner på hvert tema</a></p>')
    parts.append('<label for="find">Find en kommune (navn eller kode)</label>'
                 '<input id="find" type="search" autocomplete="off">')
    for region in sorted(by_region):
        parts.append(f"<h2>Region {esc(region)}</h2><ul>{''.join(by_region[region])}</ul>")
    body = "".join(parts)
    return (f'<!DOCTYPE html><html lang="da"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{_STYLE}</style></head>"
            f"<body><main>{body}</main><script>{_SCRIPT}</script></body></html>")


def _item(o: Outcome) -> str:
    key = esc(f"{o.kommunekode} {o.kommune}".lower())
    label = f"{esc(o.kommune)} ({esc(o.kommunekode)})"
    if o.status == "failed":
        return (f'<li data-key="{key}"><span class="failed">{label} – fejlet:</span> {esc(o.error)} '
                f'(<a href="{esc(o.kommunekode)}/briefing.failed.ipynb">notebook med fejlen</a>)</li>')
    return f'<li data-key="{key}"><a href="{esc(o.kommunekode)}/briefing.html">{label}</a></li>'


def write_index(out: Path, outcomes: Sequence[Outcome]) -> Path:
    """Write ``out/index.html`` atomically and return its path."""
    overview = "landsoverblik/overview.html" if (out / "landsoverblik" / "overview.html").exists() else None
    path = out / "index.html"
    atomic.write_text(path, index_html(outcomes, title="Fundament for velfærden – briefinger", overview=overview))
    return path
