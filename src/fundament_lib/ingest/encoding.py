"""Which encoding a text export is in, told without reading it into memory — and refused when it is not text.

:func:`scan_text` reads a file (or bytes) block by block and decides, in order:
a byte-order mark (UTF-8, UTF-16), UTF-16 without one (zero bytes in the
first 4 KB), UTF-8, Windows-1252; charset-normalizer is asked only when
Windows-1252 gives characters a Danish export would not hold. On the way it
refuses an empty or binary file, an old ``.xls`` workbook, and mojibake (UTF-8
read as Windows-1252 and saved again), naming the row. Nothing is decoded
silently into mojibake. :func:`decode_text` is the same for bytes held in memory.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from fundament_lib.core.errors import DataFileError

__all__ = ["TextScan", "scan_text", "scan_file", "decode_text", "EMPTY_FILE", "OLE2", "ZIP"]

EMPTY_FILE = "the file is empty: no header row and no answers"
ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0"
_BLOCK = 1 << 22
_HEAD = 1 << 16  # decoded characters kept for sniffing the separator and reading the header
_NOT_CONTENT = b"\x00 \t\r\n\xef\xbb\xbf\xff\xfe"
# Mojibake of UTF-8 read as Windows-1252: "Ã¸" for "ø", "Ã¦" for "æ", "â€“" for "–".
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                       "\u0192\u02c6\u02dc\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
                       "|\u00e2\u20ac[\u0080-\u00bf\u0153\u0161\u017e\u201c\u201d\u2122\u02dc\u2018\u2019]")
# Characters a Danish survey export plausibly holds beyond ASCII; anything else makes Windows-1252 doubtful.
_PLAUSIBLE = "\u00a0§°½¼¾«»£€–—‘’“”„…•´·×÷ª¹²³µ©®™" + "".join(chr(c) for c in range(0xC0, 0x100))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ODD = re.compile("[^\x00-\x7f" + re.escape(_PLAUSIBLE) + "]")


@dataclass
class TextScan:
    """What :func:`scan_text` found out about a text file.

    Attributes
    ----------
    encoding
        A Python codec name (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252`` …).
    head
        The first 64 K characters, decoded, without a byte-order mark.
    has_quote
        Whether the file holds a ``"`` at all (no quoted cells, no line breaks inside cells).
    text
        The whole text, only where charset-normalizer had to decode it.
    """

    encoding: str
    head: str
    has_quote: bool
    text: str | None = None
    info: dict[str, str] = field(default_factory=dict)


class _Decoding:
    """Decodes blocks incrementally and checks them as they come: mojibake, content, odd characters."""

    def __init__(self, encoding: str, file: str, *, watch_odd: bool = False) -> None:
        self.encoding, self.file = encoding, file
        self.decoder = codecs.getincrementaldecoder(encoding)()
        self.head: list[str] = []
        self.head_len = 0
        self.carry = ""
        self.lines = 0  # line breaks before ``carry``
        self.content = False
        self.watch_odd = watch_odd
        self.odd: set[str] = set()
        self.control = False
        self.consumed = 0  # bytes fed before the current block
        self.mojibake: tuple[int, str] | None = None  # (row, text) of the first mojibake seen

    def feed(self, block: bytes, final: bool = False) -> None:
        try:
            text = self.decoder.decode(block, final)
        except UnicodeDecodeError as exc:
            exc.start += self.consumed
            raise
        self.consumed += len(block)
        if self.head_len < _HEAD:
            self.head.append(text[: _HEAD - self.head_len])
            self.head_len += min(len(text), _HEAD - self.head_len)
        self.content = self.content or bool(text.strip().lstrip("\ufeff"))
        window = self.carry + text
        m = _MOJIBAKE.search(window) if self.mojibake is None else None
        if m:
            self.mojibake = (self.lines + window.count("\n", 0, m.start()) + 1, m.group())
        if self.watch_odd:
            self.control = self.control or _CONTROL.search(text) is not None
            if len(self.odd) < 8:
                self.odd.update(_ODD.findall(text))
        self.lines += window.count("\n", 0, max(0, len(window) - 2))
        self.carry = window[-2:]

    def check(self) -> None:
        """Refuse mojibake and a text without content, once the whole file decoded."""
        if self.mojibake is not None:
            _refuse_mojibake(self.file, *self.mojibake)
        if not self.content:
            raise DataFileError(f"{self.file}: {EMPTY_FILE}")

    def head_text(self) -> str:
        return "".join(self.head).lstrip("\ufeff")


def _refuse_mojibake(file: str, row: int, found: str) -> None:
    raise DataFileError(
        f"{file}: wrong encoding — row {row} holds {found!r}, which is how UTF-8 text looks "
        "after it was read as Windows-1252 and saved again (mojibake, e.g. 'Ã¸' for 'ø'). "
        "Export the file again from the survey tool (UTF-8 or Windows-1252) instead of re-saving it")


def _has_content(stream: BinaryIO) -> bool:
    """Whether the bytes hold anything but blanks, zero bytes and byte-order marks."""
    while block := stream.read(_BLOCK):
        if block.strip(_NOT_CONTENT):
            return True
    return False


def scan_text(stream: BinaryIO, file: str) -> TextScan:
    """Tell the encoding of a text export read from ``stream`` (positioned at its start), block by block.

    Raises
    ------
    DataFileError
        For an empty file, a binary file or an ``.xls`` workbook, mojibake,
        or an encoding that cannot be told.
    """
    if not _has_content(stream):
        raise DataFileError(f"{file}: {EMPTY_FILE}")
    stream.seek(0)
    head = stream.read(4096)
    if head.startswith(OLE2):
        raise DataFileError(f"{file}: an old Excel 97–2003 (.xls) workbook — open it in Excel and "
                            "save it as .xlsx (Excel-projektmappe)")
    encoding, strict_bom = _first_guess(head, file)
    try:
        decoding, has_quote = _decode_all(stream, head, encoding, file)
    except UnicodeDecodeError as exc:
        if strict_bom:
            raise DataFileError(f"{file}: wrong encoding — the file starts with a {encoding} "
                                f"byte-order mark but byte {exc.start} is not {encoding}") from None
        if encoding.startswith("utf-16"):
            raise DataFileError(f"{file}: not a text file (it holds binary data) — export the survey "
                                "as CSV or Excel (.xlsx)") from None
        decoding, has_quote, odd = _as_cp1252(stream, head, file)
        if odd is not None:
            stream.seek(0)
            return _ask_charset_normalizer(stream.read(), file, odd)
    decoding.check()
    return TextScan(encoding=decoding.encoding, head=decoding.head_text(), has_quote=has_quote)


def _first_guess(head: bytes, file: str) -> tuple[str, bool]:
    """(encoding, whether a byte-order mark fixes it) from the first bytes."""
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, enc in boms:
        if head.startswith(bom):
            return enc, True
    if b"\x00" in head:
        zeros_odd = head[1::2].count(0) / max(1, len(head[1::2]))
        zeros_even = head[0::2].count(0) / max(1, len(head[0::2]))
        enc = "utf-16-le" if zeros_odd > 0.3 else "utf-16-be" if zeros_even > 0.3 else ""
        if not enc:
            raise DataFileError(f"{file}: not a text file (it holds binary data) — export the survey "
                                "as CSV or Excel (.xlsx)")
        return enc, False
    return "utf-8", False


def _decode_all(stream: BinaryIO, head: bytes, encoding: str, file: str, *, watch_odd: bool = False
                ) -> tuple[_Decoding, bool]:
    decoding = _Decoding(encoding, file, watch_odd=watch_odd)
    has_quote = b'"' in head
    decoding.feed(head)
    while block := stream.read(_BLOCK):
        has_quote = has_quote or b'"' in block
        decoding.feed(block)
    decoding.feed(b"", final=True)
    return decoding, has_quote


def _as_cp1252(stream: BinaryIO, head: bytes, file: str) -> tuple[_Decoding, bool, str | None]:
    """Decode as Windows-1252; the third value says what makes it doubtful (``None``: plausible Danish text)."""
    stream.seek(len(head))
    try:
        decoding, has_quote = _decode_all(stream, head, "cp1252", file, watch_odd=True)
    except UnicodeDecodeError:
        return _Decoding("cp1252", file), False, "bytes undefined in Windows-1252"
    if decoding.control:
        return decoding, has_quote, "control characters"
    odd = "".join(sorted(decoding.odd)[:8])
    return decoding, has_quote, odd or None


def _ask_charset_normalizer(data: bytes, file: str, odd: str) -> TextScan:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        guess = str(best)
        if _CONTROL.search(guess) is None and not _ODD.search(guess) and not _MOJIBAKE.search(guess):
            text = guess.lstrip("\ufeff")
            if not text.strip():
                raise DataFileError(f"{file}: {EMPTY_FILE}")
            return TextScan(encoding=str(best.encoding), head=text[:_HEAD], has_quote='"' in text, text=text)
    raise DataFileError(
        f"{file}: wrong encoding — the file is neither UTF-8 nor Windows-1252 (read as Windows-1252 "
        f"it holds {odd!r}). Export it again from the survey tool as UTF-8 (CSV UTF-8) or as .xlsx"
    )


def scan_file(path: Path, file: str) -> TextScan:
    """:func:`scan_text` of a file on disk."""
    with path.open("rb") as stream:
        return scan_text(stream, file)


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """Decode a text export held in memory; return (text, encoding). See :func:`scan_text`.

    Raises
    ------
    DataFileError
        For an empty file, a binary file, mojibake (UTF-8 read as
        Windows-1252 and saved again), or an encoding that cannot be told.
    """
    scan = scan_text(io.BytesIO(data), file)
    text = scan.text if scan.text is not None else data.decode(scan.encoding)
    return text.lstrip("\ufeff"), scan.encoding
