"""The report: a kommune's summary as briefing sections, figures and HTML, in Danish.

Reads only privacy-applied summaries (:mod:`fundament_lib.results`); every text from data is
escaped. The notebooks call these: ``from fundament_lib.report import briefing`` (the kommune's
briefing), ``overview`` (the national overview) and ``psychometrics`` (the explorer's check).

=========================  ===================================================================
:mod:`.html`               HTML building blocks: escaped text, accessible tables, figures
:mod:`.plots`              figures, labelled in Danish and readable in grayscale
:mod:`.briefing`           the sections of a kommune's briefing, and :func:`~.briefing.load`
:mod:`.overview`           the sections of the national overview
:mod:`.psychometrics`      the psychometric check as a section
=========================  ===================================================================
"""

__all__ = ["html", "plots", "briefing", "overview", "psychometrics"]
