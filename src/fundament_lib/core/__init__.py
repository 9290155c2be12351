"""The ground floor: what every stage uses and nothing here knows about surveys' meaning.

Nothing in ``core`` imports another stage, so any module may import it.

=====================  ======================================================================
:mod:`.errors`         the project's exception types (a file, row and column in every message)
:mod:`.values`         how a typed code, id or label becomes the value Fundament compares
:mod:`.safe_names`     names that become parts of paths; paths kept inside the user's folder
:mod:`.paths`          where data, params, templates and reports live
:mod:`.atomic`         atomic writes: nothing half-written
:mod:`.jsonready`      tables as JSON-ready records
:mod:`.fmt`            Danish number formatting
:mod:`.kommuner`       the 98 kommuner: codes, names, region, kommunegruppe
:mod:`.params`         run parameters: defaults and per-kommune overrides
:mod:`.sharing`        what one kommune's files may show of the other kommuner
:mod:`.interrupts`     Ctrl-C stops a run even where Python swallows it
:mod:`.libhash`        the library's fingerprint (cache and resume keys)
:mod:`.lazy_modules`   third-party import-time work a run never uses, put off until used
=====================  ======================================================================
"""

__all__ = ["errors", "values", "safe_names", "paths", "atomic", "jsonready", "fmt", "kommuner", "params",
           "sharing", "interrupts", "libhash", "lazy_modules"]
