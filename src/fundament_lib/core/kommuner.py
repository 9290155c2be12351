"""The 98 Danish kommuner: codes, names, region, population and kommunegruppe.

Source: Danmarks Statistik (codes, names, regions, kommunegrupper 2018) and
FOLK1A 2020K1 (population), shipped as ``data/kommuner.csv``.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from .errors import UnknownKommuneError
from .paths import package_data
from .values import drop_decimal_zero, is_ascii_number, plain_text

__all__ = ["kommuner", "normalise_code", "kommune_name", "official_name", "danish_sort_key", "check_codes", "slug"]

# The two kommuner whose official name is not "<navn> Kommune".
_OFFICIAL = {"101": "Københavns Kommune", "400": "Bornholms Regionskommune"}


@cache
def _table() -> pd.DataFrame:
    df = pd.read_csv(package_data() / "kommuner.csv", dtype={"kommunekode": str})
    df["kommunekode"] = df["kommunekode"].str.zfill(3)
    return df.set_index("kommunekode", drop=False)


def kommuner() -> pd.DataFrame:
    """Return the reference table, one row per kommune, indexed by ``kommunekode``.

    Returns
    -------
    pandas.DataFrame
        Columns ``kommunekode`` (3-digit string), ``navn``, ``region``,
        ``indbyggere_2020``, ``kommunegruppe``.
    """
    return _table().copy()


def normalise_code(code: object) -> str:
    """Turn 101, "101", "0101" or 101.0 into the 3-digit string "101".

    The code is read as every code and id is (:mod:`fundament_lib.core.values`):
    NFC, stripped, a spreadsheet's ``.0`` dropped, and only the ASCII digits
    0–9 count as digits — ``101²`` is no code.

    Raises
    ------
    UnknownKommuneError
        When the value is not a number, or not one of the 98 kommune codes.
    """
    text = drop_decimal_zero(plain_text(code))
    if not is_ascii_number(text):
        raise UnknownKommuneError(f"kommune code {code!r} is not a number (the digits 0–9)")
    norm = text.lstrip("0").zfill(3)
    if norm not in _table().index:
        raise UnknownKommuneError(
            f"unknown kommune code {code!r}: not one of the 98 kommuner "
            "(codes run from 101 København to 860 Hjørring)"
        )
    return norm


def kommune_name(code: str) -> str:
    """Name of a kommune, e.g. ``kommune_name("707") == "Norddjurs"``."""
    return str(_table().loc[normalise_code(code), "navn"])


_DANISH_LAST = str.maketrans({"æ": "{", "ø": "|", "å": "}"})  # after z, in the Danish order æ, ø, å


def danish_sort_key(name: str) -> str:
    """Sort key for Danish names: æ, ø, å after z, and a leading "Aa" as "Å" (Aarhus after Ærø)."""
    low = name.casefold()
    if low.startswith("aa"):
        low = "å" + low[2:]
    return low.translate(_DANISH_LAST)


_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u"})


def slug(name: str) -> str:
    """A name as a plain file name: lower case, ASCII, words joined by ``-`` (``"Læsø"`` → ``"laesoe"``,
    ``"Lyngby-Taarbæk"`` → ``"lyngby-taarbaek"``)."""
    return "-".join(re.findall(r"[a-z0-9]+", name.casefold().translate(_ASCII)))


def official_name(code: str) -> str:
    """The kommune's official name, e.g. ``"Norddjurs Kommune"``, ``"Københavns Kommune"``."""
    norm = normalise_code(code)
    return _OFFICIAL.get(norm, f"{kommune_name(norm)} Kommune")


def check_codes(codes: list[str], present: set[str]) -> list[str]:
    """Normalise requested codes and check that each is present in the data.

    Raises
    ------
    UnknownKommuneError
        For the first code that is not a kommune, or has no answers in the data.
    """
    out = []
    for code in codes:
        norm = normalise_code(code)
        if norm not in present:
            raise UnknownKommuneError(
                f"kommune {norm} ({kommune_name(norm)}) has no answers in the data"
            )
        out.append(norm)
    return out
