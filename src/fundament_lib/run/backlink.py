"""The link from a briefing in a run's output folder back to the run's ``index.html``.

A briefing lives in ``OUT/<kode>/briefing.html`` beside ``OUT/index.html``, which every batch run
writes; there it opens with a link to ``../index.html``. The same page handed to the kommune (its
bundle, :mod:`fundament_lib.run.bundles`) must not carry it: the index is the data holder's alone and
would be a dead link there. So the link is put in when the run publishes the page
(:mod:`fundament_lib.run.publish`) and taken out when the bundle copies it, between two markers; a
briefing rendered by hand (JupyterLab, ``nbconvert``) never has one. It is not printed.
"""

from __future__ import annotations

import re

__all__ = ["with_index_link", "without_index_link", "INDEX_LINK_TEXT"]

INDEX_LINK_TEXT = "← Til oversigten over alle kommuners briefinger"
_START, _END = "<!-- fundament:index-link -->", "<!-- /fundament:index-link -->"
_LINK = (f'{_START}<nav class="index-link" aria-label="Oversigt" style="margin:0.5rem 1rem">'
         '<style>@media print { nav.index-link { display: none; } }</style>'
         f'<a href="../index.html">{INDEX_LINK_TEXT}</a></nav>{_END}')
_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)
_BLOCK = re.compile(re.escape(_START) + r".*?" + re.escape(_END), re.DOTALL)


def with_index_link(html: str) -> str:
    """``html`` with the link to ``../index.html`` right after ``<body>`` (once; unchanged
    without a ``<body>``)."""
    html = without_index_link(html)
    match = _BODY.search(html)
    return html if match is None else html[:match.end()] + _LINK + html[match.end():]


def without_index_link(html: str) -> str:
    """``html`` without the link :func:`with_index_link` put in."""
    return _BLOCK.sub("", html)
