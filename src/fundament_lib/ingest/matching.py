"""Match a survey tool's column headers to codebook items.

Headers are compared after :func:`~.text.normalise_label` (case, whitespace,
punctuation and a trailing "?" do not matter). A header matches an item when
it is

1. the item id (``P1.1.1``, ``p1_1_1``), the item's full text, the matrix
   question and row joined (SurveyXact's ``"Question - Row"``), an alias from
   the codebook, or the row alone when no other item has the same row
   (Microsoft Forms' Likert statement alone); or
2. some question text followed by the item's statement (Forms'
   ``"Question.Statement"``), where the statement is

   a. the item's full text, or
   b. a row shared by no other item that follows a separator (``.``, ``-``,
      ``–``, ``:``, ``|``, a line break) in the header — whatever its length,
      so a theme's title ("Kultur og mindset", "Sikker drift") as a row of
      the importance matrix matches — or
   c. such a row of at least four words at the end of the header, separator
      or not;

   rows that several items share (a role, say) also need the item's own
   question in front.

A header that fits several items equally well is *ambiguous* and reported
with the candidates; nothing is guessed from column order. A header that fits
none is reported with the codebook text it comes closest to
(:meth:`HeaderMatcher.closest`: a similarity of at least 75 %, difflib's ratio
as rapidfuzz computes it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

from .text import normalise_label
from .waves import COMPLETION_HEADERS

__all__ = ["Entry", "Match", "HeaderMatcher", "id_role", "ROLE_NAMES", "NOT_IN_CODEBOOK", "DID_YOU_MEAN"]

ROLE_NAMES: dict[str, frozenset[str]] = {
    "respondent_id": frozenset({"respondent id", "respondentid", "respondent", "respondentnummer",
                                "respondent nr", "svar id", "svarid", "response id", "id"}),
    "kommunekode": frozenset({"kommunekode", "kommune", "kommunenr", "kommunenummer", "kommune kode",
                              "kommune nr", "kommunekode dst"}),
    "wave": frozenset({"wave", "runde", "bølge", "måling", "maaling", "survey wave", "måleperiode",
                       "maalerunde", "målerunde"}),
    "group": frozenset({"group", "gruppe", "respondentgruppe", "svargruppe", "respondent group"}),
    "completed": COMPLETION_HEADERS,
}
_MIN_WORDS_SUFFIX = 4
_SEPARATOR = re.compile(r"\.|\s[-–|]\s|:|\n|\?")
_CLOSE = 75.0  # percent: below, short texts look alike by chance ("Hvor ble du født?" ~ "Hvor er du leder?" is 70)
NOT_IN_CODEBOOK = "column is not in the codebook"
DID_YOU_MEAN = ("{base} — did you mean {item} ({text!r})? If it is that item, add the header to the item's "
                "aliases in the codebook and pass --codebook")


def id_role(header: str) -> str | None:
    """``respondent_id``, ``kommunekode``, ``wave``, ``group`` or ``completed`` (a response's completion time)
    when the header names one, else ``None``."""
    h = normalise_label(header)
    for role, names in ROLE_NAMES.items():
        if h in names:
            return role
    return None


@dataclass(frozen=True)
class Entry:
    """What the matcher knows about one item (texts as in the codebook, not normalised)."""

    item_id: str
    text: str
    block: str
    question: str = ""
    row: str = ""
    aliases: tuple[str, ...] = ()
    choice: bool = False  # one option of a multiple-choice question (tick box)


@dataclass(frozen=True)
class Match:
    """The result of matching one header."""

    kind: Literal["item", "background", "choices", "ambiguous", "none"]
    item_id: str | None = None
    items: tuple[str, ...] = field(default_factory=tuple)
    closest: tuple[str, str] | None = None  # (item id, text) a header that fits none comes closest to

    @property
    def message(self) -> str:
        """What to tell the user when the header is not usable."""
        if self.kind == "ambiguous":
            shown = ", ".join(self.items[:6]) + (" …" if len(self.items) > 6 else "")
            return (f"column matches several items of the codebook ({shown}); name it by its item id "
                    "or add the header to the item's aliases in the codebook")
        if self.closest is not None:
            return DID_YOU_MEAN.format(base=NOT_IN_CODEBOOK, item=self.closest[0], text=self.closest[1])
        return NOT_IN_CODEBOOK


class HeaderMatcher:
    """Match headers to items; build once per codebook and reuse.

    Parameters
    ----------
    entries
        One entry per item (several per item are allowed, e.g. the
        framework's wording and a kommune's own).
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        self.blocks = {e.item_id: e.block for e in self.entries}
        keys: dict[str, set[str]] = defaultdict(set)
        rows: dict[str, set[str]] = defaultdict(set)
        groups: dict[str, set[str]] = defaultdict(set)
        self.options: dict[str, set[str]] = defaultdict(set)
        for e in self.entries:
            for key in (e.item_id, e.text, *e.aliases):
                keys[normalise_label(key)].add(e.item_id)
            if e.question and e.row:
                keys[normalise_label(f"{e.question} {e.row}")].add(e.item_id)
            if e.row:
                rows[normalise_label(e.row)].add(e.item_id)
            if e.choice and e.question:
                groups[normalise_label(e.question)].add(e.item_id)
                self.options[e.item_id].update(_option_keys(e.row or e.text))
        keys.pop("", None)
        rows.pop("", None)
        for row, ids in rows.items():
            keys.setdefault(row, set()).update(ids)
        self._keys = {k: tuple(sorted(v)) for k, v in keys.items()}
        self._key_list = list(self._keys)
        self._rows = {k: tuple(sorted(v)) for k, v in rows.items()}
        self._groups = {k: tuple(sorted(v, key=self._order)) for k, v in groups.items()}
        self._suffixes = [(normalise_label(e.text), normalise_label(e.question), normalise_label(e.row),
                           e.item_id) for e in self.entries]
        self._texts = {e.item_id: e.text for e in self.entries}

    def _order(self, item_id: str) -> int:
        return next(i for i, e in enumerate(self.entries) if e.item_id == item_id)

    def _kind(self, item_id: str) -> Literal["item", "background"]:
        return "background" if self.blocks.get(item_id) == "background" else "item"

    def match(self, header: str) -> Match:
        """The item (or tick-box group) a header stands for."""
        h = normalise_label(header)
        if not h:
            return Match("none")
        found = self._keys.get(h)
        if found:
            return self._one(found)
        group = self._groups.get(h)
        if group:
            return Match("choices", items=group)
        return self._by_suffix(h, _tails(header))

    def closest(self, header: str) -> Match:
        """``Match("none")`` carrying the item whose wording comes closest to ``header`` (if any comes close).

        Closeness is rapidfuzz's normalised Indel similarity (difflib's ratio, computed fast) of the
        normalised texts; below :data:`_CLOSE` no item is suggested.
        """
        h = normalise_label(header)
        best = process.extractOne(h, self._key_list, scorer=fuzz.ratio, score_cutoff=_CLOSE) if h else None
        if best is None or len(self._keys[best[0]]) != 1:
            return Match("none")
        item = self._keys[best[0]][0]
        return Match("none", closest=(item, self._texts.get(item, item)))

    def _one(self, ids: tuple[str, ...]) -> Match:
        if len(ids) == 1:
            return Match(self._kind(ids[0]), item_id=ids[0])
        return Match("ambiguous", items=ids)

    def _by_suffix(self, h: str, tails: set[str]) -> Match:
        scored: dict[str, int] = {}
        for text, question, row, item in self._suffixes:
            score = 0
            if text and h.endswith(" " + text):
                score = len(text)
            elif row and h.endswith(" " + row):
                if question and h.startswith(question + " "):
                    score = 10_000 + len(question) + len(row)
                elif len(self._rows.get(row, ())) == 1 and (row in tails or len(row.split()) >= _MIN_WORDS_SUFFIX):
                    score = len(row)
            if score:
                scored[item] = max(score, scored.get(item, 0))
        if not scored:
            return Match("none")
        top = max(scored.values())
        best = tuple(sorted(i for i, s in scored.items() if s == top))
        return self._one(best)

    def option(self, items: Iterable[str], text: str) -> str | None:
        """The tick-box item among ``items`` whose option text is ``text`` (e.g. a Forms choice)."""
        key = normalise_label(text)
        hits = [i for i in items if key in self.options.get(i, set())]
        if len(hits) == 1:
            return hits[0]
        starts = [i for i in items if any(o and key.startswith(o + " ") for o in self.options.get(i, set()))]
        return starts[0] if len(starts) == 1 else None


def _tails(header: str) -> set[str]:
    """The normalised texts that follow a separator in a header ("Question.Statement" → {"statement"})."""
    return {normalise_label(header[m.end():]) for m in _SEPARATOR.finditer(header)} - {""}


def _option_keys(row: str) -> set[str]:
    """An option is recognised with or without its example in brackets."""
    keys = {normalise_label(row)}
    if "(" in row:
        keys.add(normalise_label(row.split("(")[0]))
    return keys
