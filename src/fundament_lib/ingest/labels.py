"""Synonym label sets: a kommune's own wording of a scale, mapped to the codebook's codes.

A kommune that builds the survey in its own tool often words the answer
categories its own way ("Meget enig" for "Helt enig", "I stor grad" for
"I høj grad"). A *family* lists, for each position of a familiar Danish
scale, the wordings seen in practice. A family applies to a scale when every
one of the scale's own labels belongs to the family at its position; then
every synonym maps to that position's code. Nothing is guessed from the
order or number of codes: a label that is in no family stays unknown and is
reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fundament_lib.framework import Scale

from .text import normalise_label

__all__ = ["FAMILIES", "NONSUBSTANTIVE", "synonym_codes", "label_codes"]

# Non-substantive answers seen in Danish (and Norwegian/English) survey exports: kept as
# status ``ved_ikke``, never a number, whatever code the tool gave them.
NONSUBSTANTIVE: frozenset[str] = frozenset({
    "ved ikke", "ved ikke ikke relevant", "ikke relevant", "kan ikke svare", "ønsker ikke at svare",
    "vil ikke svare", "vet ikke", "ikke aktuelt", "ikke aktuel", "dont know", "don t know",
    "not applicable", "n a", "ved ikke kan ikke svare", "ikke relevant for mig", "kan ikke vurdere",
    "ved ikke ønsker ikke at svare",
})

# Each family: one tuple of wordings per scale position, lowest first.
FAMILIES: dict[str, tuple[tuple[str, ...], ...]] = {
    "enighed": (
        ("Helt uenig", "Meget uenig", "Fuldstændig uenig", "Helt uenig i udsagnet"),
        ("Delvis uenig", "Delvist uenig", "Uenig", "Overvejende uenig", "Lidt uenig", "Noget uenig"),
        ("Hverken enig eller uenig", "Hverken enig el. uenig", "Hverken/eller", "Hverken eller",
         "Neutral", "Både og"),
        ("Delvis enig", "Delvist enig", "Enig", "Overvejende enig", "Lidt enig", "Noget enig"),
        ("Helt enig", "Meget enig", "Fuldstændig enig", "Helt enig i udsagnet"),
    ),
    "grad": (
        ("I meget lav grad", "I meget ringe grad", "I meget lille grad", "Slet ikke",
         "I ingen grad"),
        ("I lav grad", "I ringe grad", "I mindre grad", "I lille grad"),
        ("I nogen grad", "I nogen grad/delvist", "Delvist"),
        ("I høj grad", "I stor grad"),
        ("I meget høj grad", "I meget stor grad", "I særdeles høj grad", "I fuld grad"),
    ),
    "vigtighed": (
        ("Slet ikke vigtigt", "Ikke vigtigt", "Uvigtigt", "Slet ikke vigtig", "Ikke vigtig"),
        ("Lidt vigtigt", "Mindre vigtigt", "Ikke særlig vigtigt", "Lidt vigtig", "Mindre vigtig"),
        ("Noget vigtigt", "Nogenlunde vigtigt", "Noget vigtig", "Middel vigtigt"),
        ("Meget vigtigt", "Meget vigtig"),
        ("Helt afgørende", "Afgørende", "Særdeles vigtigt", "Ekstremt vigtigt",
         "Altafgørende"),
    ),
    "valgt": (
        ("Ikke valgt", "Nej", "Ikke markeret", "Ikke afkrydset", "0"),
        ("Valgt", "Ja", "Markeret", "Afkrydset", "X", "1"),
    ),
}


def _families() -> dict[str, list[set[str]]]:
    return {name: [{normalise_label(w) for w in pos} for pos in positions]
            for name, positions in FAMILIES.items()}


_NORMALISED = _families()


def synonym_codes(labels: Mapping[int, str],
                  families: Mapping[str, Sequence[set[str]]] | None = None) -> dict[str, int]:
    """Synonyms (normalised) → code for a scale whose own labels belong to a known family.

    Parameters
    ----------
    labels
        The scale's code → label mapping.
    families
        Normalised families (default: :data:`FAMILIES`).

    Returns
    -------
    dict
        Empty when no family fits every label at its position.
    """
    fams = families if families is not None else _NORMALISED
    codes = sorted(labels)
    out: dict[str, int] = {}
    for positions in fams.values():
        if len(positions) != len(codes):
            continue
        if all(normalise_label(labels[c]) in positions[k] for k, c in enumerate(codes)):
            for k, c in enumerate(codes):
                out.update(dict.fromkeys(positions[k], c))
    return out


def label_codes(scale: Scale, extra: Mapping[str, int] | None = None) -> dict[str, int]:
    """Every wording (normalised) that maps to a code of ``scale``.

    The scale's own labels win over synonyms; ``extra`` (a codebook file's
    own labels, say) wins over both.
    """
    if scale.kind not in ("likert", "choice"):
        return dict(extra or {})
    out = synonym_codes(scale.labels)
    out.update({normalise_label(v): k for k, v in scale.labels.items()})
    out.update(extra or {})
    return out
