"""Sections of a kommune's briefing, each a function of the kommune's summary.

The notebook ``notebooks/kommune_briefing.ipynb`` calls these one per cell;
they return :class:`~fundament_lib.report.html.Html`, which Jupyter shows as HTML.
They read only the privacy-checked summary, never raw answers, and every
text from data is escaped (:func:`~fundament_lib.report.html.esc`).
"""

from .agenda import priorities
from .appendix import appendix
from .common import KEY_HEADINGS, load
from .frontline import burden, roles
from .profile import profile
from .quality import changes, provenance, quality
from .status import status, title

__all__ = ["load", "title", "status", "profile", "priorities", "roles", "burden", "changes", "quality",
           "provenance", "appendix", "KEY_HEADINGS"]
