"""Ordered answer scales as a kommune ran them: K points, numbered worst-first or best-first.

The framework's Likert scales have five points numbered worst-first (1 = "Helt
uenig"). A kommune's survey may ask an item on any number of points K (3–11)
and number them either way; its codebook file says so in the ``labels``
column (``1=Helt enig | 2=Enig | 3=Uenig | 4=Helt uenig | Ved ikke``).

Which end is best is read from the label texts, never from the codes: a label
that is one of a familiar Danish scale's wordings (:data:`~.labels.FAMILIES`,
which include the framework's own labels) sits at that wording's end; other
labels are read word by word ("uenig", "lav", "low", "liten" … at the low
end; "enig", "høj", "high", "stor" … at the high end; "ikke"/"slet" turn a
high word low). Where the labels cannot tell, the codebook is refused.

The tidy table codes every answer to such an item ``1..K`` worst-first and
carries ``K`` in its ``points`` column (see :mod:`.schema`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from fundament_lib.framework import Scale

from .labels import FAMILIES, NONSUBSTANTIVE, synonym_codes
from .text import normalise_label, parse_number

__all__ = [
    "MIN_POINTS",
    "MAX_POINTS",
    "OrderedScale",
    "ScaleError",
    "framework_scale",
    "codebook_scale",
    "label_end",
    "worst_first",
    "is_number_label",
    "ordered_label_codes",
]

MIN_POINTS, MAX_POINTS = 3, 11

# Words that put a label at the low or the high end of a scale (normalised, Danish, Norwegian, English).
_LOW_WORDS = frozenset({
    "uenig", "lav", "lavt", "lille", "liten", "lite", "ringe", "low", "disagree", "dårlig", "dårligt",
    "utilfreds", "uvigtigt", "uvigtig", "aldrig", "never", "sjældent", "poor", "bad", "worst",
    "minimal", "minimalt", "uenige",
})
_HIGH_WORDS = frozenset({
    "enig", "enige", "høj", "højt", "stor", "high", "agree", "god", "godt", "tilfreds", "vigtigt",
    "vigtig", "afgørende", "altid", "always", "good", "excellent", "best", "fuld", "fuldt",
})
_NEGATIONS = frozenset({"ikke", "slet", "not", "ingen", "ej", "no"})


class ScaleError(ValueError):
    """A codebook's labels do not make an ordered scale (the message says why and what to do)."""


@dataclass(frozen=True)
class OrderedScale:
    """An ordered (Likert) scale: ``K`` substantive points, their codes and labels, and which end is best.

    Attributes
    ----------
    labels
        ``(code, label)`` of every substantive point, by ascending code.
    nonsubstantive
        Labels of answers that are no point of the scale ("Ved ikke" …).
    worst_first
        ``True`` when the lowest code is the scale's worst end.
    source
        ``"framework"`` or ``"codebook"`` (a kommune's codebook file).
    """

    labels: tuple[tuple[int, str], ...]
    nonsubstantive: tuple[str, ...] = ()
    worst_first: bool = True
    source: str = "framework"

    @property
    def points(self) -> int:
        """K, the number of substantive points."""
        return len(self.labels)

    @property
    def codes(self) -> tuple[int, ...]:
        """The substantive codes, ascending."""
        return tuple(c for c, _ in self.labels)

    def value(self, code: int) -> int:
        """The code's position on the scale, 1 = the worst end … K = the best end."""
        rank = self.codes.index(code)
        return rank + 1 if self.worst_first else self.points - rank

    @cached_property
    def by_label(self) -> dict[str, int]:
        """Normalised label → code."""
        return {normalise_label(label): code for code, label in self.labels}

    def worst_to_best(self) -> list[str]:
        """The labels from the worst end to the best."""
        ordered = [label for _, label in self.labels]
        return ordered if self.worst_first else ordered[::-1]

    def text(self) -> str:
        """The labels as a codebook writes them: ``1=Helt uenig | … | Ved ikke``."""
        return " | ".join([*(f"{c}={label}" for c, label in self.labels), *self.nonsubstantive])

    def describe(self) -> dict[str, object]:
        """For the provenance record."""
        return {"points": self.points, "labels_worst_to_best": self.worst_to_best(),
                "numbered": "worst-first" if self.worst_first else "best-first", "from": self.source}


def framework_scale(scale: Scale) -> OrderedScale | None:
    """The framework's own Likert scale as an :class:`OrderedScale` (``None`` for other kinds)."""
    if scale.kind != "likert":
        return None
    return OrderedScale(tuple(sorted(scale.labels.items())), tuple(scale.nonsubstantive), True, "framework")


@lru_cache(maxsize=256)
def ordered_label_codes(scale: OrderedScale) -> dict[str, int]:
    """Every wording (normalised) that maps to a code of an ordered scale.

    The scale's own labels, plus a family's synonyms where the family has
    exactly the scale's number of points and every own label belongs to it at
    its position (counted from the worst end): a synonym never moves an answer
    onto a scale of another length.
    """
    worst_first = sorted(scale.labels, reverse=not scale.worst_first)
    out = synonym_codes(dict(enumerate(label for _, label in worst_first)))
    out = {key: worst_first[k][0] for key, k in out.items()}
    out.update(scale.by_label)
    return out


def is_number_label(label: str) -> bool:
    """``True`` for a label that is only a number (``"2"``, ``"(4)"``): it does not say which answer it is."""
    return parse_number(normalise_label(label)) is not None


def _family_end(key: str) -> int | None:
    for name, positions in _FAMILY_KEYS.items():
        if name == "valgt":
            continue
        for p, words in enumerate(positions):
            if key in words:
                middle = (len(positions) - 1) / 2
                return 0 if p == middle else (-1 if p < middle else 1)
    return None


_FAMILY_KEYS = {name: [{normalise_label(w) for w in pos} for pos in positions]
                for name, positions in FAMILIES.items()}


def label_end(label: str) -> int:
    """Which end of a scale a label belongs to: -1 the low end, +1 the high end, 0 cannot tell (or the middle)."""
    key = normalise_label(label)
    known = _family_end(key)
    if known is not None:
        return known
    words = set(key.split())
    low, high, negated = bool(words & _LOW_WORDS), bool(words & _HIGH_WORDS), bool(words & _NEGATIONS)
    if high and negated and not low:
        return -1
    if low != high:
        return -1 if low else 1
    return 0


def worst_first(labels: Sequence[str]) -> bool | None:
    """Whether labels listed by ascending code run worst-first (``True``), best-first (``False``) or cannot tell.

    Every label known to sit at the low end must come before every label known
    to sit at the high end (or the other way round); where only one end is
    known, its labels must lie in that end's half of the scale.
    """
    ends = [label_end(label) for label in labels]
    lows = [i for i, e in enumerate(ends) if e < 0]
    highs = [i for i, e in enumerate(ends) if e > 0]
    middle = (len(labels) - 1) / 2
    if lows and highs:
        if max(lows) < min(highs):
            return True
        if max(highs) < min(lows):
            return False
        return None
    if highs:
        return True if all(i > middle for i in highs) else False if all(i < middle for i in highs) else None
    if lows:
        return True if all(i < middle for i in lows) else False if all(i > middle for i in lows) else None
    return None


def codebook_scale(coded: dict[str, str], bare: Sequence[str], base: Scale) -> OrderedScale:
    """The ordered scale a codebook file's ``labels`` cell gives an item.

    Parameters
    ----------
    coded
        ``code → label`` as written (``{"1": "Helt uenig", …}``).
    bare
        Labels without a code ("Ved ikke").
    base
        The framework's scale of the item, whose non-substantive labels count too.

    Raises
    ------
    ScaleError
        When the codes are no whole numbers, the scale has fewer than 3 or
        more than 11 points, two points share a label, a bare label is no
        "Ved ikke"-like answer, or the labels cannot tell which end is best.
    """
    nonsub_known = NONSUBSTANTIVE | {normalise_label(x) for x in base.nonsubstantive}
    nonsub = [label for label in bare if normalise_label(label) in nonsub_known]
    stray = [label for label in bare if normalise_label(label) not in nonsub_known]
    if stray:
        raise ScaleError(f"label(s) without a code: {', '.join(map(repr, stray))} — write every point as "
                         "code=label; only a \"Ved ikke\"-like answer may stand without a code")
    points: list[tuple[int, str]] = []
    for code, label in coded.items():
        if normalise_label(label) in nonsub_known:
            nonsub.append(label)
            continue
        number = parse_number(code)
        if number is None or not float(number).is_integer():
            raise ScaleError(f"code {code!r} is not a whole number")
        points.append((int(number), label))
    points.sort()
    if not MIN_POINTS <= len(points) <= MAX_POINTS:
        raise ScaleError(f"an ordered scale needs {MIN_POINTS}–{MAX_POINTS} points, the labels give {len(points)}")
    if len({c for c, _ in points}) < len(points) or len({normalise_label(x) for _, x in points}) < len(points):
        raise ScaleError("two points share a code or a label")
    order = worst_first([label for _, label in points])
    if order is None:
        raise ScaleError("the labels do not tell which end of the scale is best — name the ends in words, "
                         "e.g. '1=Helt uenig | … | 5=Helt enig' or '1=I meget lav grad | … | 5=I meget høj grad'")
    return OrderedScale(tuple(points), tuple(nonsub), order, "codebook")
