"""The bilag: what a director does not need before the workshop, but an analyst may — the answers to
every statement, reliability and method, and what is hidden and why. It starts on a new page."""

from __future__ import annotations

from typing import Any

from fundament_lib.report.html import Html, heading, paragraph

from .frontline import quotes
from .profile import fagomraade
from .quality import change_table, hidden, method
from .statements import statement_answers

__all__ = ["appendix", "APPENDIX_TITLE"]

APPENDIX_TITLE = "Bilag: svarfordelinger, metode og skjulte tal"


def appendix(s: dict[str, Any]) -> Html:
    """The bilag on a new page: the answers to every statement, the frontline leaders by fagområde and
    the free-text examples (these two only where there are some; the main text says why not),
    reliability and method, and what is hidden and why."""
    return Html('<div class="page-break" aria-hidden="true"></div>'
                + heading(APPENDIX_TITLE, 2, anchor="bilag")
                + paragraph("Bilaget samler detaljerne bag hovedteksten.", cls="meta")
                + statement_answers(s) + fagomraade(s) + quotes(s) + change_table(s) + method(s) + hidden(s))
