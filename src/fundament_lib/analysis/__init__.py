"""The analysis: from the tidy answers to scores, uncertainty, drivers and priorities — before privacy.

Works on every kommune at once and knows nothing of HTML or files; :mod:`fundament_lib.results`
applies privacy to what it computes, :mod:`fundament_lib.report` draws it.

=========================  ===================================================================
:mod:`.scoring`            theme and pejlemærke scores on 0–100, per respondent and kommune
:mod:`.coverage`           what each kommune's survey asked: groups, blocks, themes, scales
:mod:`.descriptives`       answer distributions, positive shares, roles, burden, fagområder
:mod:`.stats`              statistics that say how sure they are (intervals, gaps, models,
                           reliability, ICC, shrunk correlations)
:mod:`.verdicts`           when a gap or change is *clear* and a gap *large*
:mod:`.drivers`            key-driver analysis of the frontline leaders' room to lead
:mod:`.analyses`           which analyses the data allow, and why not where they do not
:mod:`.priority_needs`     the priority rule's five needs and their index
:mod:`.priority_text`      the priority rule in words
:mod:`.priority`           the priority rule: which themes first, and why
:mod:`.workshop`           a kommune's priorities and workshop agenda
:mod:`.factor_check`       does the data group into the framework's themes?
:mod:`.psychometrics`      item–rest correlations, reliability, ICC and the factor check
=========================  ===================================================================
"""

__all__ = ["scoring", "coverage", "descriptives", "stats", "verdicts", "drivers", "analyses",
           "priority_needs", "priority_text", "priority", "workshop", "factor_check", "psychometrics"]
