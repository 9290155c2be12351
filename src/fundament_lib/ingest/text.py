"""Tolerant comparison of texts and numbers as survey tools write them."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["normalise_label", "parse_number", "is_blank"]

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s%]")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")


def normalise_label(text: object) -> str:
    """Compare labels tolerantly: Unicode NFC, case-folded, punctuation and extra spaces removed.

    Examples
    --------
    >>> normalise_label("  Helt  ENIG? ")
    'helt enig'
    >>> normalise_label("Kultur og mindset.Stabene samarbejder")
    'kultur og mindset stabene samarbejder'
    """
    s = unicodedata.normalize("NFC", str(text)).casefold().replace("_", " ")
    s = _PUNCT.sub(" ", s)
    return _SPACE.sub(" ", s).strip()


def parse_number(text: object) -> float | None:
    """Parse ``4``, ``"4"``, ``"4,0"``, ``"40 %"`` or ``"1.234,5"``; ``None`` if not a number."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float, np.integer, np.floating)):
        return None if pd.isna(text) or not np.isfinite(text) else float(text)
    s = str(text).strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    if _THOUSANDS.fullmatch(s):  # Danish thousands separator
        s = s.replace(".", "")
    s = s.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
        return None
    value = float(s)
    return value if np.isfinite(value) else None


def is_blank(value: object) -> bool:
    """``True`` for ``None``, NaN and strings of whitespace only."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
