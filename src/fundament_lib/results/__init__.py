"""The results: every kommune's tables, privacy applied, as the summaries briefings are made from.

Everything a briefing, ``summary.json`` or an export shows passes through here, so nothing
about fewer respondents than the threshold leaves this stage.

=========================  ===================================================================
:mod:`.pipeline`           load, validate and summarise: the work done once per run
:mod:`.tables`             every table for every kommune, before privacy
:mod:`.tablecache`         those tables kept on disk between runs, per data fingerprint
:mod:`.privacy`            the threshold and complement rules
:mod:`.cells`              the tables with privacy applied, cut per kommune × wave
:mod:`.textscreen`         free text screened for names, e-mail addresses and numbers
:mod:`.free_text`          screened free-text examples, shown only where enough people wrote
:mod:`.national_cells`     the national parts every kommune is compared with
:mod:`.priority_block`     the priority rule's inputs, read from the cells
:mod:`.kommune_summary`    one kommune's summary: what its briefing shows
:mod:`.fingerprints`       fingerprints of the answers a summary rests on
:mod:`.summarycache`       the summaries kept on disk between runs, beside the tables
:mod:`.summary`            every kommune's summary in one pass
:mod:`.national`           the national overview's data, from shown cells only
:mod:`.export_tables`      what the export's tables hold
:mod:`.dictionary`         the export's data dictionary
:mod:`.spreadsheet`        CSV and XLSX that open safely in Excel
:mod:`.export`             ``fundament export``'s work: tables for further analysis
=========================  ===================================================================
"""

__all__ = ["pipeline", "tables", "tablecache", "privacy", "cells", "textscreen", "free_text",
           "national_cells", "priority_block", "kommune_summary", "fingerprints", "summarycache",
           "summary", "national", "export_tables", "dictionary", "spreadsheet", "export"]
