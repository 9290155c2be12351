"""Match a survey tool's column headers to codebook items.

Headers are compared after :func:`~.text.normalise_label` (case, whitespace,
punctuation and a trailing "?" do not matter). A header matches an item when
it is

1. the item id (``P1.1.1``, ``p1_1_1``), the item's full text, the matrix
   question and row joined (SurveyXact's ``"Question - Row"``), an alias from
   the codebook, or the row alone when no other item has the same row
   (Microsoft Forms' Likert statement alone); or
2. some question text followed by the item's statement (Forms'
   ``"Question.Statement"``), where the statement is the item's full text or
   a row shared by no other item and at least four words long; rows that
   several items share (a role, say) also need the item's own question in
   front.

A header that fits several items equally well is *ambiguous* and reported
with the candidates; nothing is guessed from column order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .text import normalise_label

__all__ = ["Entry", "Match", "HeaderMatcher", "id_role", "ROLE_NAMES"]

ROLE_NAMES: dict[str, frozenset[str]] = {
    "respondent_id": frozenset({"respondent id", "respondentid", "respondent", "respondentnummer",
                                "respondent nr", "svar id", "svarid", "response id", "id"}),
    "kommunekode": frozenset({"kommunekode", "kommune", "kommunenr", "kommunenummer", "kommune kode",
                              "kommune nr", "kommunekode dst"}),
    "wave": frozenset({"wave", "runde", "bølge", "måling", "maaling", "survey wave", "måleperiode",
                       "maalerunde", "målerunde"}),
    "group": frozenset({"group", "gruppe", "respondentgruppe", "svargruppe", "respondent group"}),
}
_MIN_WORDS_SUFFIX = 4


def id_role(header: str) -> str | None:
    """``respondent_id``, ``kommunekode``, ``wave`` or ``group`` when the header names one, else ``None``."""
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

    @property
    def message(self) -> str:
        """What to tell the user when the header is not usable."""
        if self.kind == "ambiguous":
            shown = ", ".join(self.items[:6]) + (" …" if len(self.items) > 6 else "")
            return (f"column matches several items of the codebook ({shown}); name it by its item id "
                    "or add the header to the item's aliases in the codebook")
        return "column is not in the codebook"


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
        self._rows = {k: tuple(sorted(v)) for k, v in rows.items()}
        self._groups = {k: tuple(sorted(v, key=self._order)) for k, v in groups.items()}
        self._suffixes = [(normalise_label(e.text), normalise_label(e.question), normalise_label(e.row),
                           e.item_id) for e in self.entries]

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
        return self._by_suffix(h)

    def _one(self, ids: tuple[str, ...]) -> Match:
        if len(ids) == 1:
            return Match(self._kind(ids[0]), item_id=ids[0])
        return Match("ambiguous", items=ids)

    def _by_suffix(self, h: str) -> Match:
        scored: dict[str, int] = {}
        for text, question, row, item in self._suffixes:
            score = 0
            if text and h.endswith(" " + text):
                score = len(text)
            elif row and h.endswith(" " + row):
                if question and h.startswith(question + " "):
                    score = 10_000 + len(question) + len(row)
                elif len(self._rows.get(row, ())) == 1 and len(row.split()) >= _MIN_WORDS_SUFFIX:
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


def _option_keys(row: str) -> set[str]:
    """An option is recognised with or without its example in brackets."""
    keys = {normalise_label(row)}
    if "(" in row:
        keys.add(normalise_label(row.split("(")[0]))
    return keys
