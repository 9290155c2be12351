"""Screen free-text answers before anyone reads them in a briefing.

Respondents write names, e-mail addresses and phone numbers into free text
("Ring til Mette Jensen på 23 45 67 89"), and a pasted answer may carry HTML.
A briefing must not pass them on: ``summary.json`` is read by other tools too.
:func:`screen` replaces them with a bracketed note; the text is HTML-escaped
later, like every other text, when it is put on the page.

Names are found by rules that err on the side of removing: a common Danish
first name (Danmarks Statistik's most frequent names) together with the
capitalised words after it ("Karin Holm ringer", "Jens-Peter Hansen" — also at
the start of a sentence), these first names and the surnames below written in
lower case (except those that are also Danish words — the first names hans, per,
bo, line, kim, svend, lise, helle and the surnames lund, holm, nissen, møller,
dahl: see ``AMBIGUOUS_LOWER``), two or more
capitalised words in a row that do not start a sentence ("Karin Holm"), and a
surname on its own: a common Danish surname anywhere ("Jensen", "Møller"), any
capitalised word ending in -sen inside a sentence ("Kommunaldirektør Lauritsen").
All-capital abbreviations (HR, IT) are not names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["ScreenedText", "screen", "FIRST_NAMES"]

MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!][^<>]{0,300}>")  # an HTML/XML tag: never passed on, not even escaped
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Danish numbers: 8 digits, often in pairs or 4+4, optionally with +45 / 0045.
# A year span ("2024-2025") has the shape of a number but is none.
PHONE = re.compile(r"(?<!\d)(?!(?:19|20)\d\d\s?[-–/]\s?(?:19|20)\d\d(?!\d))"
                   r"(?:(?:\+|00)\s?45[\s-]?)?(?:\d{2}[\s.-]?){3}\d{2}(?!\d)")
CPR = re.compile(r"(?<!\d)\d{6}[-\s]?\d{4}(?!\d)")
TITLE_WORD = r"[A-ZÆØÅ][a-zæøåéü]+(?:-[A-ZÆØÅ][a-zæøåéü]+)?"
# Not where a sentence, a line, a bullet or a parenthesis starts (there every word is capitalised).
NOT_START = r"(?<![.!?:]\s)(?<![-–•]\s)(?<!\()(?<!\n)(?<!^)"
NAME_RUN = re.compile(rf"{NOT_START}\b{TITLE_WORD}(?:\s+{TITLE_WORD})+\b")
# A capitalised word in -sen inside a sentence; not the nouns in -elsen/-essen ("Ledelsen",
# "Processen", "Sundhedsstyrelsen"): the surnames among them (Mikkelsen) are in SURNAMES.
SEN_INSIDE = re.compile(rf"{NOT_START}\b[A-ZÆØÅ][a-zæøå]+(?<!el)(?<!es)sen\b")

FIRST_NAMES: frozenset[str] = frozenset(["Anne", "Kirsten", "Hanne", "Mette", "Anna", "Helle", "Susanne", "Lene", "Maria", "Marianne", "Lone", "Camilla", "Pia", "Louise", "Charlotte", "Tina", "Gitte", "Inge", "Bente", "Karen", "Jette", "Sofie", "Julie", "Ida", "Emma", "Laura", "Christina", "Birgitte", "Heidi", "Karin", "Annette", "Lise", "Eva", "Rikke", "Ulla", "Tanja", "Sanne", "Malene", "Maja", "Mia", "Caroline", "Katrine", "Line", "Jane", "Dorthe", "Vibeke", "Merete", "Peter", "Jens", "Michael", "Lars", "Henrik", "Thomas", "Søren", "Jan", "Niels", "Christian", "Martin", "Anders", "Morten", "Jesper", "Rasmus", "Mads", "Per", "Hans", "Ole", "Poul", "Erik", "Kim", "Mikkel", "Frederik", "Kasper", "Jørgen", "Torben", "Carsten", "Steen", "Brian", "Bo", "Allan", "Kenneth", "Anders", "Jacob", "Jakob", "Simon", "Nikolaj", "Kristian", "Johannes", "Emil", "Mathias", "Magnus", "Oliver", "William", "Lasse", "Claus", "Flemming", "Finn", "Bent", "Jonas", "Tobias", "Andreas", "Daniel", "Mogens", "Karsten", "Kurt", "Preben", "Svend"])

# First names and surnames that are also ordinary Danish words ("hans", "lund", "nissen"): matched
# only when capitalised. The first names among them are names at the start of a sentence only
# before another capitalised word (_WORDLIKE below).
AMBIGUOUS_LOWER: frozenset[str] = frozenset(["hans", "per", "bo", "line", "kim", "svend", "lund", "holm", "lise",
                                             "helle", "nissen", "møller", "dahl"])
SURNAMES: frozenset[str] = frozenset(["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen", "Jacobsen", "Mikkelsen", "Olesen", "Frederiksen", "Laursen", "Henriksen", "Lund", "Schmidt", "Holm", "Eriksen", "Kristiansen", "Nørgaard", "Clausen", "Simonsen", "Svendsen", "Andreasen", "Iversen", "Østergaard", "Jeppesen", "Vestergaard", "Nissen", "Lauridsen", "Kjær", "Jepsen", "Mogensen", "Carlsen", "Bertelsen", "Dahl", "Friis", "Juhl"])
# First names that open a sentence as ordinary words ("Per ansat …", "Hans indsats …"): there they
# count as names only before another capitalised word ("Hans Jensen").
_WORDLIKE = sorted(n for n in FIRST_NAMES if n.lower() in AMBIGUOUS_LOWER)
_FIRST = "|".join(sorted(FIRST_NAMES - set(_WORDLIKE)))
_AMBIG = "|".join(_WORDLIKE)
# Not before a hyphen and a small letter: "Bo-tilbuddet", "Line-ledelsen" are words, "Jens-Peter" a name.
FIRST_NAME = re.compile(rf"(?:\b(?:{_FIRST})\b|{NOT_START}\b(?:{_AMBIG})\b|\b(?:{_AMBIG})\b(?=\s+{TITLE_WORD}))"
                        rf"(?!-[a-zæøå])(?:-{TITLE_WORD})?(?:\s+{TITLE_WORD})*")
_LOWER = sorted({n.lower() for n in FIRST_NAMES | SURNAMES} - AMBIGUOUS_LOWER)
NAME_LOWER = re.compile(r"\b(?:" + "|".join(_LOWER) + r")(?:\s+(?:" + "|".join(_LOWER) + r"))*\b")
SURNAME = re.compile(r"\b(?:" + "|".join(sorted(SURNAMES)) + r")\b")


@dataclass
class ScreenedText:
    """A free-text answer after screening, and what was removed (kinds only, never the values)."""

    text: str
    removed: list[str] = field(default_factory=list)


def screen(text: str) -> ScreenedText:
    """Replace e-mail addresses, phone and CPR numbers and names in ``text``.

    Parameters
    ----------
    text
        One free-text answer.

    Returns
    -------
    ScreenedText
        The cleaned text and the kinds removed (``"kode"`` for HTML tags,
        ``"e-mail"``, ``"telefon"``, ``"cpr"``, ``"navn"``).

    Examples
    --------
    >>> screen("Ring til Mette Jensen på 23 45 67 89.").text
    'Ring til [navn fjernet] på [telefonnummer fjernet].'
    >>> screen("Skriv til lars.hansen@kommune.dk om HR.").text
    'Skriv til [e-mail fjernet] om HR.'
    """
    removed: list[str] = []

    def sub(pattern: re.Pattern[str], note: str, kind: str, s: str) -> str:
        new, count = pattern.subn(note, s)
        removed.extend([kind] * count)
        return new

    out = sub(MARKUP, "[kode fjernet]", "kode", text)
    out = sub(EMAIL, "[e-mail fjernet]", "e-mail", out)
    out = sub(CPR, "[cpr-nummer fjernet]", "cpr", out)
    out = sub(PHONE, "[telefonnummer fjernet]", "telefon", out)
    out = sub(FIRST_NAME, "[navn fjernet]", "navn", out)
    out = sub(NAME_RUN, "[navn fjernet]", "navn", out)
    out = sub(SURNAME, "[navn fjernet]", "navn", out)
    out = sub(SEN_INSIDE, "[navn fjernet]", "navn", out)
    out = sub(NAME_LOWER, "[navn fjernet]", "navn", out)
    return ScreenedText(out.strip(), removed)
