"""Frameworks as data, and the instrument a kommune sets its survey up with.

:mod:`.parts` (scales, domains → themes → items, the instrument's other
blocks), :mod:`.model` (:class:`Framework`, the parts put together, and its
codebook), :mod:`.load` (:func:`load_framework` from a shipped id or a YAML
file), :mod:`.codebook` (the codebook file ``fundament instrument`` writes) and
:mod:`.instrument` (the printable questionnaire).
"""

from .load import available_frameworks, load_framework
from .model import Framework
from .parts import BLOCKS, GROUP_LABELS, GROUPS, Domain, Item, Scale, Theme

__all__ = [
    "Framework",
    "Scale",
    "Theme",
    "Domain",
    "Item",
    "load_framework",
    "available_frameworks",
    "GROUPS",
    "GROUP_LABELS",
    "BLOCKS",
]
