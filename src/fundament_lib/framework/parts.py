"""The parts a framework is made of: answer scales, domains (pejlemærker) → themes → Likert
items, and the instrument's other blocks (importance, outcome, roles, burden, prerequisites,
background).

Each part is a frozen pydantic model that refuses unknown keys, so a typo in a framework's
YAML is an error on load, not a silently missing block. :class:`~.model.Framework` puts
the parts together.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Scale",
    "Theme",
    "Domain",
    "Item",
    "GROUPS",
    "GROUP_LABELS",
    "BLOCKS",
    "Group",
    "FrozenModel",
    "both_groups",
    "frontline",
]

GROUPS: tuple[str, ...] = ("stab", "borgernaer")
GROUP_LABELS: dict[str, str] = {"alle": "Alle", "stab": "Stab og ledelse", "borgernaer": "Borgernære ledere"}
BLOCKS: tuple[str, ...] = (
    "theme", "importance", "outcome", "role", "burden", "prerequisite", "background", "free_text",
)
Group = Literal["stab", "borgernaer"]


def both_groups() -> list[Group]:
    """The default audience of a block both groups are asked (a new list each time)."""
    return ["stab", "borgernaer"]


def frontline() -> list[Group]:
    """The default audience of a block only the frontline leaders are asked."""
    return ["borgernaer"]


class FrozenModel(BaseModel):
    """A framework part: frozen, and a key it does not know is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(FrozenModel):
    """A response scale. ``likert`` and ``choice`` scales have integer codes and labels."""

    kind: Literal["likert", "choice", "numeric", "text"]
    labels: dict[int, str] = Field(default_factory=dict)
    nonsubstantive: list[str] = Field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Scale:
        if self.kind in ("likert", "choice") and len(self.labels) < 2:
            raise ValueError(f"a {self.kind} scale needs at least two labels")
        if self.kind == "likert":
            codes = sorted(self.labels)
            if codes != list(range(codes[0], codes[0] + len(codes))):
                raise ValueError(f"likert codes must be consecutive integers, got {codes}")
        return self

    @property
    def low(self) -> int:
        """Lowest substantive code."""
        return min(self.labels)

    @property
    def high(self) -> int:
        """Highest substantive code."""
        return max(self.labels)

    def labels_text(self) -> str:
        """Value labels as one string, e.g. ``1=Helt uenig | … | Ved ikke``."""
        parts = [f"{k}={v}" for k, v in sorted(self.labels.items())]
        parts += list(self.nonsubstantive)
        if self.kind == "numeric":
            parts.append(f"{self.minimum:g}–{self.maximum:g}")
        return " | ".join(parts)


class Question(FrozenModel):
    """A discussion question for the workshop, paraphrased, with its page."""

    text: str
    page: int


class Item(FrozenModel):
    """One Likert statement within a theme."""

    id: str
    text: str
    reverse: bool = False


class Theme(FrozenModel):
    """A theme: a set of Likert items scored together."""

    id: str
    title: str
    page: int
    summary: str = ""
    discussion: list[Question] = Field(default_factory=list)
    items: list[Item] = Field(min_length=2)


class Domain(FrozenModel):
    """A pejlemærke (or an area in another framework)."""

    id: str
    title: str
    goal: str = ""
    pages: str = ""
    themes: list[Theme] = Field(min_length=1)


class Importance(FrozenModel):
    scale: str
    text: str
    page: int | None = None
    audience: list[Group] = Field(default_factory=both_groups)


class Outcome(FrozenModel):
    id: str
    text: str
    scale: str
    page: int | None = None
    audience: list[Group] = Field(default_factory=frontline)


class Labelled(FrozenModel):
    id: str
    title: str
    short: str = ""
    example: str = ""


class Roles(FrozenModel):
    scale: str
    text: str
    page: int | None = None
    audience: list[Group] = Field(default_factory=frontline)
    functions: list[Labelled] = Field(min_length=1)
    roles: list[Labelled] = Field(min_length=1)


class FreeTextItem(FrozenModel):
    id: str
    text: str


class Burden(FrozenModel):
    text: str
    page: int | None = None
    audience: list[Group] = Field(default_factory=frontline)
    areas: list[Labelled] = Field(min_length=1)
    share: FreeTextItem | None = None
    free_text: FreeTextItem | None = None


class Prerequisite(FrozenModel):
    id: str
    title: str
    text: str


class Prerequisites(FrozenModel):
    scale: str
    page: int | None = None
    audience: list[Group] = Field(default_factory=both_groups)
    items: list[Prerequisite] = Field(min_length=1)


class Background(FrozenModel):
    id: str
    text: str
    options: dict[str, str]
    audience: list[Group] = Field(default_factory=both_groups)

