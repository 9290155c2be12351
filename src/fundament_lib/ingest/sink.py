"""Where the tidy table goes as the loader makes it: chunk by chunk, into memory or into a Parquet file.

:func:`~.assemble.assemble` builds the tidy table a few items at a time (about
a million rows), validates each chunk and hands it to a sink. A
:class:`FrameSink` keeps the chunks and joins them into one DataFrame (what
:func:`~.load.ingest` returns); a :class:`ParquetSink` appends each chunk to a
Parquet file as a row group and forgets it, so that ``fundament ingest`` of a
national file never holds its 18 million tidy rows at once. Both get the same
validated chunks: there is one way of making the table.
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api.types import union_categoricals

from .parquet import marked_schema

__all__ = ["TidySink", "FrameSink", "ParquetSink"]

# Written as plain text (Parquet still dictionary-encodes each row group's own ids): as a dictionary column every
# row group would carry all the file's ids. read_tidy reads it back as a dictionary.
_PLAIN = ("respondent_id",)


class TidySink(Protocol):
    """Receives the validated tidy table chunk by chunk; ``rows`` counts what it received."""

    rows: int

    def write(self, chunk: pd.DataFrame) -> None:
        """Take one chunk (whole items: no item spans two chunks)."""


class FrameSink:
    """Keeps the chunks; :meth:`frame` joins them into one table."""

    def __init__(self) -> None:
        self.chunks: list[pd.DataFrame] = []
        self.rows = 0

    def write(self, chunk: pd.DataFrame) -> None:
        """Keep ``chunk``."""
        self.chunks.append(chunk)
        self.rows += len(chunk)

    def frame(self) -> pd.DataFrame:
        """The chunks as one table; categorical columns stay categorical (their categories joined, sorted)."""
        chunks, self.chunks = self.chunks, []
        if len(chunks) == 1:
            return chunks[0]
        first = chunks[0]
        columns = {}
        for c in first.columns:
            parts = [ch[c] for ch in chunks]
            if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
                joined = union_categoricals([p.array for p in parts], sort_categories=True)
                columns[c] = pd.Series(joined, name=c)
            else:
                columns[c] = pd.concat(parts, ignore_index=True)
        return pd.DataFrame(columns, copy=False)


class ParquetSink:
    """Appends each chunk to a Parquet file as a row group (with Fundament's metadata, see :mod:`.parquet`).

    Parameters
    ----------
    path
        The file to write (a temporary file: :func:`~fundament_lib.core.atomic.write_file` moves it into place
        once the whole file is loaded, and removes it when the file is refused).
    demo, source_sha256
        The marks in the file's metadata.
    """

    def __init__(self, path: str, *, demo: bool = False, source_sha256: str | None = None) -> None:
        self.path = path
        self.demo, self.source_sha256 = demo, source_sha256
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None

    def write(self, chunk: pd.DataFrame) -> None:
        """Append ``chunk`` as one row group."""
        table = _plain_ids(pa.Table.from_pandas(chunk, preserve_index=False))
        if self._writer is None or self._schema is None:
            self._schema = marked_schema(table.schema, demo=self.demo, source_sha256=self.source_sha256)
            # no statistics: no reader filters row groups, and they cost a third of the writing
            self._writer = pq.ParquetWriter(self.path, self._schema, write_statistics=False)
        if not table.schema.equals(self._schema, check_metadata=False):
            table = table.cast(self._schema)  # e.g. a chunk whose text column is all missing
        self._writer.write_table(table.replace_schema_metadata(self._schema.metadata), row_group_size=len(table))
        self.rows += len(chunk)
        del table
        pa.default_memory_pool().release_unused()  # else the allocator keeps every chunk's buffers for itself

    def close(self) -> None:
        """Finish the file (its footer)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _plain_ids(table: pa.Table) -> pa.Table:
    """``table`` with its dictionary columns of :data:`_PLAIN` as plain text (only those cast: the rest is kept)."""
    for name in _PLAIN:
        j = table.schema.get_field_index(name)
        if j >= 0 and pa.types.is_dictionary(table.schema.field(j).type):
            column = table.column(j)
            table = table.set_column(j, table.schema.field(j).with_type(column.type.value_type),
                                     column.cast(column.type.value_type))
    return table
