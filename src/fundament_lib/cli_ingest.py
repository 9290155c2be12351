"""``fundament instrument`` and ``fundament ingest``: set a survey up and load what it exports."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the instrument and ingest commands to the ``fundament`` app."""
