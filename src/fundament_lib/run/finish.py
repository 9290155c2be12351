"""Finishing a kommune in the parent process: publish its result, then write its bundle.

:func:`publish_result` puts a worker's result in place in ``OUT/<kode>/`` with the run's
:class:`~fundament_lib.run.publish.Publisher` (a failure to publish fails the kommune);
:func:`write_bundles` writes what may be handed to each finished kommune, after the leak check
(:mod:`fundament_lib.run.bundles`) — a bundle that would leak fails its kommune, with the
reasons in ``OUT/<kode>/bundle.refused.txt``.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from fundament_lib.core import atomic
from fundament_lib.core.errors import RenderError

from .fingerprints import OVERVIEW
from .outcome import Outcome, Result, first_line

if TYPE_CHECKING:
    from .planning import Plan
    from .publish import Publisher

__all__ = ["publish_result", "briefing_title", "write_bundles", "REFUSED"]

REFUSED = "bundle.refused.txt"  # why a kommune's bundle was not written (in its folder)


def publish_result(p: Plan, publisher: Publisher, result: Result, summary_text: str, *,
            stem: str = "briefing", title: str | None = None) -> Outcome:
    """Put one result in place in ``OUT/<code>/``; a failure to publish (Quarto, PDF) fails it."""
    code = result.kommunekode
    folder = p.out / code
    marker = p.overview_fingerprint if code == OVERVIEW else p.fingerprints[code]
    assert marker is not None  # the overview is rendered only when it was planned, fingerprint and all
    if result.status == "ok":
        try:
            publisher.finished(folder, result, summary_text=summary_text, marker=marker, stem=stem,
                               title=title or briefing_title(code))
        except RenderError as exc:
            result.status, result.error, result.trace = "failed", first_line(str(exc)), str(exc)
    if result.status == "ok":
        shutil.rmtree(p.out / ".work" / code, ignore_errors=True)
    else:
        publisher.failed(folder, result, stem=stem)
    return result.outcome()


def briefing_title(code: str) -> str:
    """The ``<title>`` of kommune ``code``'s briefing page."""
    from fundament_lib.core.kommuner import official_name

    return f"Fundament-briefing – {official_name(code)}"


def write_bundles(p: Plan, outcomes: list[Outcome]) -> None:
    """Write (or keep) the bundle of every kommune whose briefing is complete; remove a failed one's.

    A bundle the leak check refuses fails its kommune: the first reason is the outcome's error,
    all of them are in ``OUT/<kode>/bundle.refused.txt``.
    """
    from fundament_lib.core.sharing import nameable

    from .bundles import BUNDLES, remove_bundle, write_bundle

    share = {code: params.share_names for code, params in p.params.items()}
    for o in outcomes:
        refused = p.out / o.kommunekode / REFUSED
        if o.status == "failed":
            remove_bundle(p.out / BUNDLES, o.kommunekode)
            continue
        b = write_bundle(p.out / o.kommunekode, p.out / BUNDLES, o.kommunekode,
                         inputs=p.fingerprints[o.kommunekode]["fingerprint"], allowed=nameable(o.kommunekode, share),
                         min_n=p.params[o.kommunekode].min_n, pdf=p.outputs.pdf)
        o.bundle = b.status
        if b.status == "refused":
            o.status, o.error = "failed", b.reason()
            atomic.write_text(refused, "".join(f"{leak}\n" for leak in b.leaks))
        else:
            refused.unlink(missing_ok=True)

