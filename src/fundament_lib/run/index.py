"""``index.html``: the data holder's page over a run — every kommune, grouped by region.

Per kommune: its briefing (and PDF), the survey round, when the briefing was made, its
status in this run and the bundle that may be handed to it (:mod:`fundament_lib.run.bundles`).
The page names every kommune and links the national overview when one was written, so it
is for the data holder only and never goes into a bundle; it says so at the top.

A reader finds a kommune by name or code with the search field (a few lines of inline
script; without script the full list is still there). Failed briefings are marked and
link to the notebook kept for debugging.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape as esc  # report.html's esc would import Matplotlib into the run's parent
from pathlib import Path
from typing import TYPE_CHECKING

from fundament_lib.core import atomic
from fundament_lib.core.fmt import fmt_datetime
from fundament_lib.core.kommuner import danish_sort_key, kommuner

from .bundles import BUNDLES, bundle_name

if TYPE_CHECKING:
    from .outcome import Outcome

__all__ = ["write_index", "index_html", "Details", "details_on_disk", "OVERVIEW_PAGE"]

OVERVIEW_PAGE = "landsoverblik/overview.html"
_STATUS = {"ok": "ny", "skipped": "uændret", "failed": "fejlet"}

_STYLE = """
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1b1b1b; margin: 0; line-height: 1.5; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem; }
h1 { color: #0b4f8a; font-size: 1.8rem; } h2 { border-bottom: 2px solid #0b4f8a; font-size: 1.25rem; margin-top: 1.8rem; }
label { font-weight: 600; display: block; margin-top: 1rem; }
input { font-size: 1rem; padding: 0.4rem; width: 100%; max-width: 24rem; border: 1px solid #6b6b6b; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { text-align: left; padding: 0.25rem 0.6rem 0.25rem 0; border-bottom: 1px solid #d6d6d6; vertical-align: top; }
a { color: #0b4f8a; } .failed { color: #8a1c00; font-weight: 600; } .meta { color: #4a4a4a; font-size: 0.9rem; }
.holder { border-left: 4px solid #8a1c00; background: #fbf1ee; padding: 0.6rem 0.9rem; }
@media print { input, label { display: none; } }
"""

_SCRIPT = """
document.getElementById('find').addEventListener('input', function (e) {
  var q = e.target.value.trim().toLowerCase();
  document.querySelectorAll('tr[data-key]').forEach(function (tr) {
    tr.hidden = q !== '' && tr.getAttribute('data-key').indexOf(q) === -1;
  });
});
"""

_HOLDER_NOTE = ("Kun til den dataansvarlige: siden viser alle kommuner og må ikke gives videre.{overview} "
                "Hver kommune får kun sin egen pakke fra mappen {bundles}/ (en mappe og en zip-fil med kommunens "
                "kode og navn).")


@dataclass(frozen=True)
class Details:
    """What the index shows about a kommune's briefing besides its status."""

    wave: str | None = None  # the survey round reported
    made: str | None = None  # when the briefing's numbers were computed (ISO time)
    pdf: bool = False
    bundle: str | None = None  # the bundle's zip, relative to the index


def details_on_disk(out: Path, code: str) -> Details:
    """A kommune's details from its folder and its bundle in ``out``."""
    folder = out / code
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        summary = {}
    zip_name = f"{BUNDLES}/{bundle_name(code)}.zip"
    return Details(wave=summary.get("wave"), made=(summary.get("provenance") or {}).get("run_started"),
                   pdf=(folder / "briefing.pdf").is_file(), bundle=zip_name if (out / zip_name).is_file() else None)


def index_html(outcomes: Sequence[Outcome], *, title: str, overview: str | None = None,
               details: Mapping[str, Details] | None = None, run_date: str | None = None) -> str:
    """The index page as a string (see the module docstring).

    Parameters
    ----------
    outcomes
        One per kommune listed.
    title
        The page title.
    overview
        Link to the national overview, when one was written.
    details
        Kommune code → what the index shows besides the status (default: nothing more).
    run_date
        When the run was (ISO time; default: now).
    """
    ref = kommuner()
    details = details or {}
    by_region: dict[str, list[str]] = {}
    for o in sorted(outcomes, key=lambda o: danish_sort_key(o.kommune)):
        region = str(ref.loc[o.kommunekode, "region"]) if o.kommunekode in ref.index else "Ukendt"
        by_region.setdefault(region, []).append(_row(o, details.get(o.kommunekode, Details())))
    ok = sum(o.status != "failed" for o in outcomes)
    failed = len(outcomes) - ok
    waves = sorted({d.wave for d in details.values() if d.wave})
    meta = (f"Kørt {fmt_datetime(run_date or datetime.now(UTC).isoformat(timespec='seconds'))} · {ok} briefinger"
            + (f", {failed} fejlet" if failed else "") + (f" · måling {', '.join(waves)}" if waves else ""))
    link = (f' Det samme gælder <a href="{esc(overview)}">landsoverblikket</a>, som nævner alle kommuner ved navn.'
            if overview else "")
    parts = [f"<h1>{esc(title)}</h1>", f'<p class="meta">{esc(meta)}</p>',
             f'<p class="holder" role="note">{_HOLDER_NOTE.format(overview=link, bundles=esc(BUNDLES))}</p>',
             '<label for="find">Find en kommune (navn eller kode)</label>'
             '<input id="find" type="search" autocomplete="off">']
    head = "".join(f'<th scope="col">{h}</th>' for h in
                   ("Kommune", "Status", "Måling", "Lavet", "PDF", "Pakke til kommunen"))
    for region in sorted(by_region):
        parts.append(f"<h2>Region {esc(region)}</h2><table><thead><tr>{head}</tr></thead>"
                     f"<tbody>{''.join(by_region[region])}</tbody></table>")
    body = "".join(parts)
    return (f'<!DOCTYPE html><html lang="da"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{_STYLE}</style></head>"
            f"<body><main>{body}</main><script>{_SCRIPT}</script></body></html>")


def _row(o: Outcome, d: Details) -> str:
    key = esc(f"{o.kommunekode} {o.kommune}".lower())
    label = f"{esc(o.kommune)} ({esc(o.kommunekode)})"
    made = fmt_datetime(d.made) if d.made else "–"
    if o.status == "failed":
        refused = o.bundle == "refused"  # the briefing is there; the bundle to hand over is not
        name = (f'<a href="{esc(o.kommunekode)}/briefing.html">{label}</a>' if refused else
                f'<span class="failed">{label}</span> (<a href="{esc(o.kommunekode)}/briefing.failed.ipynb">'
                "notebook med fejlen</a>)")
        status = f'<span class="failed">{"pakken er ikke skrevet" if refused else "fejlet"}:</span> {esc(o.error)}'
    else:
        name = f'<a href="{esc(o.kommunekode)}/briefing.html">{label}</a>'
        status = _STATUS[o.status]
    pdf = f'<a href="{esc(o.kommunekode)}/briefing.pdf">PDF</a>' if d.pdf else "–"
    bundle = f'<a href="{esc(d.bundle)}">{esc(Path(d.bundle).name)}</a>' if d.bundle else "–"
    cells = "".join(f"<td>{c}</td>" for c in (status, esc(d.wave or "–"), esc(made), pdf, bundle))
    return f'<tr data-key="{key}"><th scope="row">{name}</th>{cells}</tr>'


def write_index(out: Path, outcomes: Sequence[Outcome], *, run_date: str | None = None) -> Path:
    """Write ``out/index.html`` atomically (details read from ``out``) and return its path."""
    overview = OVERVIEW_PAGE if (out / OVERVIEW_PAGE).exists() else None
    details = {o.kommunekode: details_on_disk(out, o.kommunekode) for o in outcomes}
    path = out / "index.html"
    atomic.write_text(path, index_html(outcomes, title="Fundament for velfærden – briefinger", overview=overview,
                                       details=details, run_date=run_date))
    return path
