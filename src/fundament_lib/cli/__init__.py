"""The ``fundament`` command line: the top floor, which may use every stage below it.

=====================  ======================================================================
:mod:`.main`           ``fundament``, ``fundament demo`` and ``fundament run``; adds the others
:mod:`.ingest`         ``fundament instrument`` and ``fundament ingest``
:mod:`.export`         ``fundament export``
=====================  ======================================================================

The console script is ``fundament_lib.cli.main:main`` (``pyproject.toml``).
"""

__all__ = ["main", "ingest", "export"]
