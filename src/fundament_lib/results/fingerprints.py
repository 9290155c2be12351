"""Fingerprints of the answers a summary rests on, for its provenance.

:func:`data_hash` fingerprints the data files of a run (the whole dataset, as
read), :func:`slice_hash` one kommune's own answers (whatever file or order
they came in), so a reader of ``summary.json`` can tell whether two briefings
were made from the same answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

__all__ = ["data_hash", "slice_hash", "slice_hashes"]

K = TypeVar("K", bound=Hashable)
SORT = ["respondent_id", "item_id"]


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
    return slice_hashes(tidy, {0: np.arange(len(tidy))})[0]


def slice_hashes(tidy: pd.DataFrame, slices: Mapping[K, np.ndarray]) -> dict[K, str]:
    """:func:`slice_hash` of several slices of ``tidy`` at once (each given by its row positions).

    A row's hash depends on that row alone, so the rows of every slice are cast and hashed in one
    pass (per slice, the cast and the hashing cost more than the rest of a kommune's summary); each
    slice's hashes are then put in one order (a stable sort by ``respondent_id``
    and ``item_id`` within the slice) and digested.
    """
    keys = list(slices)
    if not keys:
        return {}
    positions = [np.asarray(slices[k], dtype="int64") for k in keys]
    rows = tidy.iloc[np.concatenate(positions)]
    hashed = pd.util.hash_pandas_object(rows.astype("object"), index=False).to_numpy()
    lengths = [len(p) for p in positions]
    keyed = rows[SORT].reset_index(drop=True).assign(_slice=np.repeat(np.arange(len(keys)), lengths))
    ranked = hashed[keyed.sort_values(["_slice", *SORT]).index.to_numpy()]  # multi-key sorts are stable
    bounds = np.cumsum([0, *lengths])
    return {k: hashlib.sha256(ranked[bounds[i]:bounds[i + 1]].tobytes()).hexdigest()[:16]
            for i, k in enumerate(keys)}
