"""Which column of an export is which: items, tick-box groups, respondent columns, ignored ones.

A :class:`ColumnPlan` is what every format adapter produces and
:func:`~.assemble.assemble` consumes. :func:`plan_columns` makes one from the
headers alone (wide files, Microsoft Forms); SurveyXact's adapter adds the
value labels of its Labels sheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .codebook import Codebook
from .matching import id_role
from .schema import BACKGROUND_COLUMNS
from .text import normalise_label

__all__ = ["ColumnPlan", "plan_columns", "SAME_ITEM_TWICE"]

SAME_ITEM_TWICE = "a second column for an item that an earlier column already holds"


@dataclass
class ColumnPlan:
    """The role of every column of a source table.

    Attributes
    ----------
    items
        Column → item id (one answer per cell).
    choices
        Column → item ids of a multiple-choice question whose cells list the
        chosen options (Forms: ``"Administration;It;"``).
    roles
        ``respondent_id``, ``kommunekode``, ``group``, ``wave``, the
        background columns and ``completed`` (a response's completion time,
        for a default wave; never carried) → the column that holds them.
    ignored
        Column → why it is not carried (metadata, personal data …).
    unknown
        Column → why it could not be matched (reported as a problem).
    value_labels
        Column → code → label, applied before parsing (SurveyXact).
    """

    items: dict[str, str] = field(default_factory=dict)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def add_item(self, column: str, item_id: str) -> None:
        """Map a column to an item, unless another column already holds the item."""
        if item_id in self.items.values():
            first = next(c for c, i in self.items.items() if i == item_id)
            self.unknown[column] = f"{SAME_ITEM_TWICE} ({item_id}, column {first!r})"
        else:
            self.items[column] = item_id

    def add_role(self, column: str, role: str) -> None:
        """Map a column to a respondent-level role, unless one already holds it."""
        if role in self.roles:
            self.unknown[column] = f"a second column for {role} (the first is {self.roles[role]!r})"
        else:
            self.roles[role] = column


def plan_columns(columns: Iterable[str], codebook: Codebook, *,
                 metadata: Mapping[str, str] | None = None,
                 roles: Mapping[str, str] | None = None) -> ColumnPlan:
    """Match every header to its role.

    Parameters
    ----------
    columns
        The headers, in file order.
    codebook
        Supplies the items and the header matcher.
    metadata
        Normalised header → reason, for columns a tool adds that are never
        carried (e.g. Forms' ``Email``).
    roles
        Normalised header → role, for a tool's own names of respondent
        columns (e.g. Forms' ``ID``).
    """
    meta = {normalise_label(k): v for k, v in (metadata or {}).items()}
    own_roles = {normalise_label(k): v for k, v in (roles or {}).items()}
    plan = ColumnPlan()
    for col in columns:
        key = normalise_label(col)
        if key in own_roles:
            plan.add_role(col, own_roles[key])
            continue
        if key in meta:
            plan.ignored[col] = meta[key]
            continue
        role = id_role(col)
        if role is not None:
            plan.add_role(col, role)
            continue
        m = codebook.matcher.match(col)
        if m.kind == "item" and m.item_id:
            plan.add_item(col, m.item_id)
        elif m.kind == "background" and m.item_id:
            if m.item_id == "group" or m.item_id in BACKGROUND_COLUMNS:
                plan.add_role(col, m.item_id)
            else:
                plan.ignored[col] = "background question with no column in the tidy data"
        elif m.kind == "choices":
            plan.choices[col] = m.items
        else:
            plan.unknown[col] = (codebook.matcher.closest(col) if m.kind == "none" else m).message
    return plan
