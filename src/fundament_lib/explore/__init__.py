"""Exploration across kommuner for researchers: the library behind ``notebooks/explore.ipynb``.

Every view is a plain function that returns a :class:`View` (a table and a
Matplotlib Axes; it unpacks as ``table, ax = view``), so it works in a script
and in tests as well as behind the widgets of :func:`dashboard`:

* :func:`distribution` — the answers to a theme's statements for a selection
  of kommuner, a respondent group and optionally a fagområde;
* :func:`gaps` — staff's and frontline leaders' scores side by side, with the
  gap and its interval;
* :func:`benchmark` — one kommune's scores against every other kommune's.

Privacy holds here as in the briefings. A selection is pooled from
**per-kommune cells** (kommune × wave × group, or × fagområde), and a cell
enters only when the briefing itself would show it: each cell is judged with
:func:`fundament_lib.results.privacy.suppress` under the kommune's own threshold
(``params/<kode>.yaml`` may raise it), with the complement rule. A kommune
whose cell is hidden is left out of the pool and named in a note, so the
difference between two selections never gives a hidden cell away. When
nothing is left, the view shows a message instead of numbers.

``wave=None`` takes each kommune's latest wave, as the briefings do.
"""

from .dashboard import dashboard
from .data import GROUPS, UNKNOWN_FAGOMRAADE, Dataset, View, load, select_tidy
from .views import benchmark, distribution, gaps

__all__ = ["Dataset", "View", "load", "select_tidy", "distribution", "gaps", "benchmark", "dashboard",
           "GROUPS", "UNKNOWN_FAGOMRAADE"]
