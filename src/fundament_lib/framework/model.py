"""Frameworks as data: a framework and its instrument, put together from its parts
(:mod:`.parts`) and checked as a whole (every scale used is defined, every id unique).

The codebook (:func:`Framework.codebook`) lists every item a respondent can
answer; it drives the printable questionnaire and the loaders. A framework is
read from its YAML file by :func:`~.load.load_framework`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from pydantic import Field, field_validator, model_validator

from fundament_lib.core.safe_names import UnsafeNameError, check_name

from .parts import (
    Background,
    Burden,
    Domain,
    FrozenModel,
    Group,
    Importance,
    Outcome,
    Prerequisites,
    Roles,
    Scale,
    Theme,
    both_groups,
)

__all__ = ["Framework"]


class Framework(FrozenModel):
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
    theme_audience: list[Group] = Field(default_factory=both_groups)
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
