"""Fingerprints of the answers a summary rests on, for its provenance.

:func:`data_hash` fingerprints the data files of a run (the whole dataset, as
read), :func:`slice_hash` one kommune's own answers (whatever file or order
they came in), so a reader of ``summary.json`` can tell whether two briefings
were made from the same answers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

__all__ = ["data_hash", "slice_hash"]


def data_hash(paths: list[Path]) -> str:
    """SHA-256 over the bytes of the data files, in order (first 16 hex digits)."""
    h = hashlib.sha256()
    for p in paths:
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]


def slice_hash(tidy: pd.DataFrame) -> str:
    """Hash of a kommune's own answers (order-independent; first 16 hex digits)."""
    rows = tidy.sort_values(["respondent_id", "item_id"]).astype("object")
    digest = pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes()
    return hashlib.sha256(digest).hexdigest()[:16]
