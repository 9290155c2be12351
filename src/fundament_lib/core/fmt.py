"""Danish number formatting for every text a briefing shows: decimal comma, a real
minus sign, '–' for a missing value."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

__all__ = ["fmt_num", "fmt_int", "fmt_ci", "fmt_pct", "fmt_datetime"]


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def fmt_num(x: object, digits: int = 0) -> str:
    """Danish number: decimal comma, '–' for missing (e.g. ``fmt_num(48.26, 1) == '48,3'``)."""
    if _missing(x):
        return "–"
    text = f"{float(x):.{digits}f}"  # type: ignore[arg-type]
    if text.lstrip("-").strip("0.") == "":  # -0.2 rounds to "-0": show "0"
        text = text.lstrip("-")
    return text.replace(".", ",").replace("-", "−")


def fmt_int(x: object) -> str:
    """Integer with a Danish thousands separator, '–' for missing."""
    return "–" if _missing(x) else f"{int(x):,}".replace(",", ".")  # type: ignore[call-overload]


def fmt_ci(low: object, high: object, digits: int = 0) -> str:
    """A confidence interval: ``37–47``, or ``−14 til −2`` when a bound is negative
    (an en dash next to a minus sign is hard to read)."""
    if _missing(low) or _missing(high):
        return "–"
    a, b = fmt_num(low, digits), fmt_num(high, digits)
    sep = " til " if a.startswith("−") or b.startswith("−") else "–"
    return f"{a}{sep}{b}"


def fmt_pct(x: object, digits: int = 0) -> str:
    """A share 0–1 as a Danish percentage (``0.425 → '43 %'``)."""
    return "–" if _missing(x) else f"{fmt_num(float(x) * 100, digits)} %"  # type: ignore[arg-type]


def fmt_datetime(iso: object) -> str:
    """An ISO time stamp in Danish (``2026-11-28T05:27:00+00:00 → '28.11.2026 kl. 05.27 (UTC)'``);
    text that is no time stamp is shown as it is."""
    if _missing(iso):
        return "–"
    try:
        t = datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    offset, z = t.utcoffset(), t.strftime("%z")
    zone = "" if offset is None else " (UTC)" if not offset else f" (UTC{z[:3]}.{z[3:5]})"
    return f"{t.day}.{t.month}.{t.year} kl. {t:%H.%M}{zone}"
