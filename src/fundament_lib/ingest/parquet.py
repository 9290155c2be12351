"""The tidy table on disk: Parquet with Fundament's own key-value metadata.

Two facts travel inside every file Fundament writes, in the Parquet footer
where no tool drops them:

``fundament.demo``
    ``"true"`` for data written by ``fundament demo`` (synthetic), ``"false"``
    otherwise. :func:`~.tidy_files.read_tidy` never pools demo data with a
    kommune's own data for the same kommune, and tells the briefing which
    kommuner's rows are demo data.
``fundament.source_sha256``
    The hash of the export(s) the file was ingested from, so that the same
    export ingested twice is recognised whatever the file names.

Files without the keys (written before they existed, or by other tools) read
as a kommune's own data with an unknown source.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from fundament_lib.core.atomic import write_file

__all__ = ["DEMO_KEY", "SOURCE_KEY", "Marks", "marked_schema", "write_tidy_parquet", "read_marks"]

DEMO_KEY = b"fundament.demo"
SOURCE_KEY = b"fundament.source_sha256"


@dataclass(frozen=True)
class Marks:
    """What a tidy Parquet file says about itself."""

    demo: bool = False
    source_sha256: str | None = None


def marked_schema(schema: pa.Schema, *, demo: bool, source_sha256: str | None) -> pa.Schema:
    """``schema`` with the :data:`DEMO_KEY` and :data:`SOURCE_KEY` metadata added."""
    meta = dict(schema.metadata or {})
    meta[DEMO_KEY] = b"true" if demo else b"false"
    if source_sha256:
        meta[SOURCE_KEY] = source_sha256.encode()
    return schema.with_metadata(meta)


def write_tidy_parquet(df: pd.DataFrame, path: Path, *, demo: bool = False, source_sha256: str | None = None
                       ) -> None:
    """Write a tidy table as Parquet, atomically, with the :data:`DEMO_KEY` and :data:`SOURCE_KEY` metadata.

    Parameters
    ----------
    df
        The tidy table.
    path
        The target ``.parquet`` file (parents are created).
    demo
        ``True`` only for ``fundament demo``'s synthetic data.
    source_sha256
        The hash of the source export(s), if there is one.
    """
    table = pa.Table.from_pandas(df, preserve_index=False)
    marked = table.replace_schema_metadata(marked_schema(table.schema, demo=demo, source_sha256=source_sha256).metadata)
    write_file(path, lambda tmp: pq.write_table(marked, tmp))  # streamed to disk: no copy of the bytes in memory


def read_marks(path: Path) -> Marks:
    """The metadata of a tidy Parquet file (defaults when it has none); reads only the footer."""
    meta = pq.read_schema(path).metadata or {}
    source = meta.get(SOURCE_KEY)
    return Marks(demo=meta.get(DEMO_KEY) == b"true", source_sha256=source.decode() if source else None)
