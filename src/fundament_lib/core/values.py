"""How a code, an id or a label typed into a file becomes the value Fundament compares: one place, one way.

Every loader, option parser and reader calls these, so that ``103`` and
``103.0``, ``Norddjurs`` typed with a decomposed ``ø`` and a composed one, or a
code with a superscript digit are treated the same everywhere:

* text is Unicode NFC and stripped (:func:`plain_text`);
* the ``.0`` a spreadsheet adds to a whole number is dropped — for kommune
  codes, respondent ids, waves and answer codes alike (:func:`drop_decimal_zero`);
* digits mean the ASCII digits 0–9 only (:func:`is_ascii_number`): ``101²``
  or ``١٠١`` pass :meth:`str.isdigit` but are no kommune code;
* control characters (:data:`CONTROL`: C0, DEL and C1) are refused in ids,
  codes, waves and groups (:func:`has_control`) and removed from free text,
  where tab and line breaks stay (:func:`clean_free_text`).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CONTROL", "plain_text", "drop_decimal_zero", "is_ascii_number", "has_control", "clean_free_text",
           "CONTROL_MESSAGE"]

# C0 (NUL … US), DEL and C1: never part of a code, an id or a label a person typed.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_FREE_TEXT_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tab (\x09) and newline (\x0a) stay
_LINE_BREAK = re.compile("\r\n?")
_DECIMAL_ZERO = re.compile(r"([+-]?[0-9]+)\.0+")
_ASCII_NUMBER = re.compile(r"[0-9]+")
CONTROL_MESSAGE = "holds a control character (e.g. NUL), which no code, id, wave or group may hold"


def plain_text(value: object) -> str:
    """``value`` as text: Unicode NFC, no-break spaces as spaces, stripped.

    Examples
    --------
    >>> plain_text(" Norddjurs\\u00a0")
    'Norddjurs'
    """
    return unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ").strip()


def drop_decimal_zero(text: str) -> str:
    """A whole number as a spreadsheet writes it (``103.0``, ``707.00``) without the decimals; else unchanged.

    Examples
    --------
    >>> drop_decimal_zero("103.0"), drop_decimal_zero("0707.0"), drop_decimal_zero("4.5")
    ('103', '0707', '4.5')
    """
    m = _DECIMAL_ZERO.fullmatch(text)
    return m.group(1) if m else text


def is_ascii_number(text: str) -> bool:
    """``True`` when ``text`` is one or more of the ASCII digits 0–9 and nothing else (``101²`` is not)."""
    return _ASCII_NUMBER.fullmatch(text) is not None


def has_control(text: str) -> bool:
    """``True`` when ``text`` holds a control character (C0, DEL or C1; tab and newline included)."""
    return CONTROL.search(text) is not None


def clean_free_text(text: str) -> tuple[str, int]:
    """Free text without control characters, and how many were removed.

    Line breaks become ``\\n`` (a Windows ``\\r\\n`` is one line break, not a
    control character); tab and newline stay; every other C0 character, DEL
    and C1 is removed and counted.

    Examples
    --------
    >>> clean_free_text("Fravær\\x00 i to\\r\\nsystemer")
    ('Fravær i to\\nsystemer', 1)
    """
    text = _LINE_BREAK.sub("\n", text)
    cleaned, removed = _FREE_TEXT_CONTROL.subn("", text)
    return cleaned, removed
