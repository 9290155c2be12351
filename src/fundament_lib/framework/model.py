"""Frameworks as data: domains (pejlemærker) → themes → Likert items, plus the
instrument's other blocks (importance, outcome, roles, burden, prerequisites,
background). A framework is a YAML file validated on load with pydantic.

The codebook (:func:`Framework.codebook`) lists every item a respondent can
answer; it drives the printable questionnaire and the loaders.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fundament_lib.core.errors import FrameworkError
from fundament_lib.core.paths import frameworks_dir
from fundament_lib.core.safe_names import UnsafeNameError, check_name

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

GROUPS: tuple[str, ...] = ("stab", "borgernaer")
GROUP_LABELS: dict[str, str] = {"alle": "Alle", "stab": "Stab og ledelse", "borgernaer": "Borgernære ledere"}
BLOCKS: tuple[str, ...] = (
    "theme", "importance", "outcome", "role", "burden", "prerequisite", "background", "free_text",
)
Group = Literal["stab", "borgernaer"]


def _both_groups() -> list[Group]:
    return ["stab", "borgernaer"]


def _frontline() -> list[Group]:
    return ["borgernaer"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Model):
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


class Question(_Model):
    """A discussion question for the workshop, paraphrased, with its page."""

    text: str
    page: int


class Item(_Model):
    """One Likert statement within a theme."""

    id: str
    text: str
    reverse: bool = False


class Theme(_Model):
    """A theme: a set of Likert items scored together."""

    id: str
    title: str
    page: int
    summary: str = ""
    discussion: list[Question] = Field(default_factory=list)
    items: list[Item] = Field(min_length=2)


class Domain(_Model):
    """A pejlemærke (or an area in another framework)."""

    id: str
    title: str
    goal: str = ""
    pages: str = ""
    themes: list[Theme] = Field(min_length=1)


class Importance(_Model):
    scale: str
    text: str
    page: int | None = None
    audience: list[Group] = Field(default_factory=_both_groups)


class Outcome(_Model):
    id: str
    text: str
    scale: str
    page: int | None = None
    audience: list[Group] = Field(default_factory=_frontline)


class Labelled(_Model):
    id: str
    title: str
    short: str = ""
    example: str = ""


class Roles(_Model):
    scale: str
    text: str
    page: int | None = None
    audience: list[Group] = Field(default_factory=_frontline)
    functions: list[Labelled] = Field(min_length=1)
    roles: list[Labelled] = Field(min_length=1)


class FreeTextItem(_Model):
    id: str
    text: str


class Burden(_Model):
    text: str
    page: int | None = None
    audience: list[Group] = Field(default_factory=_frontline)
    areas: list[Labelled] = Field(min_length=1)
    share: FreeTextItem | None = None
    free_text: FreeTextItem | None = None


class Prerequisite(_Model):
    id: str
    title: str
    text: str


class Prerequisites(_Model):
    scale: str
    page: int | None = None
    audience: list[Group] = Field(default_factory=_both_groups)
    items: list[Prerequisite] = Field(min_length=1)


class Background(_Model):
    id: str
    text: str
    options: dict[str, str]
    audience: list[Group] = Field(default_factory=_both_groups)


class Framework(_Model):
    """A framework and its instrument, validated on load.

    Attributes are the YAML's keys; the methods give flat views used everywhere.
    """

    id: str
    version: str
    title: str
    short_title: str = ""
    source: str = ""
    domain_level: str = "pejlemaerke"
    domain_label: str = "Pejlemærke"
    scales: dict[str, Scale]
    domains: list[Domain] = Field(min_length=1)
    theme_scale: str
    theme_audience: list[Group] = Field(default_factory=_both_groups)
    importance: Importance | None = None
    outcome: Outcome | None = None
    roles: Roles | None = None
    burden: Burden | None = None
    prerequisites: Prerequisites | None = None
    background: list[Background] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_names_files(cls, value: str) -> str:
        # The id names the instrument's files (``<id>_codebook.csv``): a plain name, never a path.
        try:
            return check_name(value, what="framework id")
        except UnsafeNameError as exc:
            raise ValueError(str(exc)) from None
    @model_validator(mode="after")
    def _check(self) -> Framework:
        used = [self.theme_scale]
        used += [b.scale for b in (self.importance, self.outcome, self.roles, self.prerequisites) if b]
        for name in used:
            if name not in self.scales:
                raise ValueError(f"scale {name!r} is used but not defined under 'scales'")
        if self.scales[self.theme_scale].kind != "likert":
            raise ValueError(f"theme_scale {self.theme_scale!r} must be a likert scale")
        ids = [d.id for d in self.domains] + [t.id for t in self.themes()]
        ids += list(self.codebook()["item_id"])
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"ids must be unique, repeated: {dupes}")
        return self

    # ---- flat views -------------------------------------------------------------------------
    def themes(self) -> list[Theme]:
        """All themes in framework order."""
        return [t for d in self.domains for t in d.themes]

    def theme(self, theme_id: str) -> Theme:
        """The theme with this id."""
        for t in self.themes():
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    def domain_of(self, theme_id: str) -> Domain:
        """The domain (pejlemærke) a theme belongs to."""
        for d in self.domains:
            if any(t.id == theme_id for t in d.themes):
                return d
        raise KeyError(theme_id)

    def theme_items(self) -> dict[str, list[str]]:
        """Mapping theme id → its item ids."""
        return {t.id: [i.id for i in t.items] for t in self.themes()}

    def reversed_items(self) -> set[str]:
        """Item ids scored in reverse."""
        return {i.id for t in self.themes() for i in t.items if i.reverse}

    def importance_id(self, theme_id: str) -> str:
        """Item id of the stated-importance question for a theme."""
        return f"IMP.{theme_id}"

    def role_id(self, function_id: str, role_id: str) -> str:
        """Item id of one cell of the role assessment."""
        return f"ROLE.{function_id}.{role_id}"

    def burden_id(self, area_id: str) -> str:
        """Item id of one task area in the burden block."""
        return f"BURDEN.{area_id}"

    def codebook(self) -> pd.DataFrame:
        """Every answerable item, one row each.

        Returns
        -------
        pandas.DataFrame
            Columns ``item_id``, ``text``, ``theme``, ``domain``, ``block``,
            ``scale``, ``labels``, ``reverse`` (``ja`` for an item scored in
            reverse), ``audience``, ``page``. ``theme`` is empty where
            an item belongs to no theme.
        """
        return _codebook(self)

    def single_audience(self) -> dict[str, str]:
        """The items only one group is asked, and that group.

        Returns
        -------
        dict of str to str
            Item id → the codebook's ``audience`` of every item whose audience is
            not ``;``-joined (items both groups are asked are left out).
        """
        cb = self.codebook()
        return {str(i): str(a) for i, a in zip(cb["item_id"], cb["audience"], strict=True) if ";" not in str(a)}

    def scale_of(self, item_id: str) -> Scale:
        """The scale of an item (background and free text have kind ``text``)."""
        name = self.codebook().set_index("item_id").at[item_id, "scale"]
        return self.scales.get(str(name), Scale(kind="text"))


def _row(fw: Framework, item_id: str, text: str, block: str, scale: str, audience: Sequence[str],
         page: int | None, theme: str = "", options: str = "", reverse: bool = False) -> dict[str, object]:
    labels = fw.scales[scale].labels_text() if scale in fw.scales else options
    domain = fw.domain_of(theme).id if theme else ""
    return {
        "item_id": item_id, "text": text, "theme": theme, "domain": domain, "block": block,
        "scale": scale, "labels": labels, "reverse": "ja" if reverse else "", "audience": ";".join(audience),
        "page": page if page is not None else pd.NA,
    }


def _codebook(fw: Framework) -> pd.DataFrame:
    rows = []
    for b in fw.background:
        opts = " | ".join(f"{k}={v}" for k, v in b.options.items())
        rows.append(_row(fw, b.id, b.text, "background", "kategori", b.audience, None, options=opts))
    for t in fw.themes():
        for i in t.items:
            rows.append(_row(fw, i.id, i.text, "theme", fw.theme_scale, fw.theme_audience, t.page, t.id,
                             reverse=i.reverse))
    if fw.importance:
        imp = fw.importance
        for t in fw.themes():
            rows.append(_row(fw, fw.importance_id(t.id), imp.text.format(theme=t.title), "importance",
                             imp.scale, imp.audience, imp.page, t.id))
    if fw.outcome:
        o = fw.outcome
        rows.append(_row(fw, o.id, o.text, "outcome", o.scale, o.audience, o.page))
    if fw.roles:
        r = fw.roles
        for f in r.functions:
            for role in r.roles:
                text = r.text.format(function=f.title, role=role.title)
                rows.append(_row(fw, fw.role_id(f.id, role.id), text, "role", r.scale, r.audience, r.page))
    if fw.burden:
        bd = fw.burden
        for a in bd.areas:
            text = f"{bd.text} – {a.title} ({a.example})" if a.example else f"{bd.text} – {a.title}"
            scale = "valgt" if "valgt" in fw.scales else "tekst"
            rows.append(_row(fw, fw.burden_id(a.id), text, "burden", scale, bd.audience, bd.page))
        if bd.share:
            scale = "procent" if "procent" in fw.scales else "tekst"
            rows.append(_row(fw, bd.share.id, bd.share.text, "burden", scale, bd.audience, bd.page))
        if bd.free_text:
            rows.append(_row(fw, bd.free_text.id, bd.free_text.text, "free_text", "tekst",
                             bd.audience, bd.page))
    if fw.prerequisites:
        p = fw.prerequisites
        for item in p.items:
            rows.append(_row(fw, item.id, item.text, "prerequisite", p.scale, p.audience, p.page))
    return pd.DataFrame(rows)


def available_frameworks() -> list[str]:
    """Ids of the frameworks shipped with the package."""
    return sorted(p.stem for p in frameworks_dir().glob("*.yaml"))


@cache
def _load(path: Path) -> Framework:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FrameworkError(f"{path}: framework file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise FrameworkError(f"{path}: expected a mapping at the top level")
    try:
        return Framework.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "(top level)"
        raise FrameworkError(
            f"{path}: {exc.error_count()} problem(s); first at {where}: {first['msg']}"
        ) from None


def load_framework(framework: str | Path = "fundament2024") -> Framework:
    """Load and validate a framework by id (shipped) or by path.

    Parameters
    ----------
    framework
        A shipped id such as ``"fundament2024"``, or a path to a YAML file.

    Raises
    ------
    FrameworkError
        If the id is unknown or the file is malformed; the message names the
        file and the first offending key.
    """
    path = Path(framework)
    if path.suffix not in (".yaml", ".yml"):
        try:
            check_name(str(framework), what="framework id")
        except UnsafeNameError as exc:
            raise FrameworkError(str(exc)) from None
        path = frameworks_dir() / f"{framework}.yaml"
        if not path.exists():
            raise FrameworkError(
                f"unknown framework {str(framework)!r}; shipped: {', '.join(available_frameworks())}"
            )
    return _load(path.resolve())
