"""What each kommune's survey asked: respondent groups, blocks, themes and answer scales.

A kommune's survey is rarely the whole instrument: a staff-only pre-survey, the theme
statements without the role assessment, one pejlemærke only. Everything after the tidy
table asks this module what was there, so that a briefing shows a section where its data
is and says in one line what was not asked where it is not — never "hidden" for something
nobody was asked, never a crash on an empty table.

An item counts as *asked* in a kommune × wave × group when the data hold a row for it
there, answered or not (:func:`fundament_lib.analysis.scoring.asked_items`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fundament_lib.framework import GROUPS, Framework

from .scoring import answer_points, asked_items

__all__ = ["Coverage", "coverage_table", "scale_table", "BLOCK_TEXT", "NOT_ASKED"]

# The instrument's blocks as a reader knows them (used in the line saying a block was not asked).
BLOCK_TEXT: dict[str, str] = {
    "theme": "temaernes udsagn",
    "importance": "spørgsmålene om temaernes vigtighed",
    "outcome": "spørgsmålet om tid og rum til at lede det faglige",
    "role": "vurderingen af stabenes roller",
    "burden": "spørgsmålene om administrativ byrde",
    "prerequisite": "spørgsmålene om forudsætninger for processen",
    "background": "baggrundsspørgsmålene",
    "free_text": "spørgsmålet om konkrete eksempler",
}
NOT_ASKED = "not_asked"  # the reason code of an analysis whose questions the survey did not ask


@dataclass(frozen=True)
class Coverage:
    """What one kommune × wave's survey asked.

    Attributes
    ----------
    groups
        Respondent groups with respondents, in the framework's order.
    blocks
        Blocks with at least one item asked (of any group).
    group_blocks
        Group → the blocks its survey asked.
    themes
        Themes with at least one item asked, in framework order.
    domains
        Domains (pejlemærker) with at least one theme asked.
    """

    groups: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()
    group_blocks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    themes: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    def asked(self, block: str, group: str | None = None) -> bool:
        """Whether the survey asked ``block`` (of ``group``, or of anyone)."""
        return block in (self.blocks if group is None else self.group_blocks.get(group, ()))

    def record(self, fw: Framework) -> dict[str, Any]:
        """The summary's ``coverage`` field (JSON-ready); ``partial_domains`` maps a domain asked
        with only some of its themes to those themes."""
        partial = {d.id: [t.id for t in d.themes if t.id in self.themes] for d in fw.domains
                   if d.id in self.domains and not all(t.id in self.themes for t in d.themes)}
        return {"groups": list(self.groups), "blocks": list(self.blocks),
                "group_blocks": {g: list(b) for g, b in self.group_blocks.items()},
                "themes": list(self.themes), "domains": list(self.domains), "partial_domains": partial}


def coverage_table(tidy: pd.DataFrame, fw: Framework) -> dict[tuple[str, str], Coverage]:
    """The :class:`Coverage` of every kommune × wave in ``tidy``."""
    asked = asked_items(tidy)
    cb = fw.codebook().set_index("item_id")
    asked["block"] = asked["item_id"].map(cb["block"])
    asked["theme"] = asked["item_id"].map(cb["theme"]).where(asked["block"] == "theme")
    theme_order = [t.id for t in fw.themes()]
    out: dict[tuple[str, str], Coverage] = {}
    for (code, wave), part in asked.groupby(["kommunekode", "wave"], sort=False):
        blocks = [b for b in cb["block"].unique() if b in set(part["block"])]
        themes = [t for t in theme_order if t in set(part["theme"].dropna())]
        out[(str(code), str(wave))] = Coverage(
            groups=tuple(g for g in GROUPS if g in set(part["group"])),
            blocks=tuple(blocks),
            group_blocks={g: tuple(b for b in blocks if b in set(part.loc[part["group"] == g, "block"]))
                          for g in GROUPS if g in set(part["group"])},
            themes=tuple(themes),
            domains=tuple(d.id for d in fw.domains if any(t.id in themes for t in d.themes)))
    return out


def scale_table(tidy: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Which scales each theme and ordered block was asked on, per kommune × wave.

    Returns
    -------
    pandas.DataFrame
        ``kommunekode``, ``wave``, ``id`` (a theme id, or a block such as ``importance``),
        ``points`` (sorted list of K, the scales' numbers of points) and ``framework_points``
        (the points of the framework's own scale for it).
    """
    cb = fw.codebook().set_index("item_id")
    ordered = [i for i, s in cb["scale"].items() if fw.scales.get(str(s)) is not None
               and fw.scales[str(s)].kind == "likert"]
    rows = tidy[tidy["item_id"].astype(str).isin(ordered)]
    columns = ["kommunekode", "wave", "id", "points", "framework_points"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    item = rows["item_id"].astype(str)
    block = item.map(cb["block"])
    frame = pd.DataFrame({"kommunekode": rows["kommunekode"].astype(str), "wave": rows["wave"].astype(str),
                          "id": item.map(cb["theme"]).where(block == "theme", block),
                          "scale": item.map(cb["scale"]), "points": answer_points(rows, fw)})
    out = (frame.dropna(subset=["points"]).groupby(["kommunekode", "wave", "id", "scale"], sort=False)["points"]
           .agg(lambda s: sorted({int(k) for k in s})).reset_index())
    own = {name: s.high - s.low + 1 for name, s in fw.scales.items() if s.kind == "likert"}
    out["framework_points"] = out["scale"].map(own)
    order = {t.id: i for i, t in enumerate(fw.themes())}
    out["_order"] = out["id"].map(order).fillna(len(order))
    return out.sort_values(["kommunekode", "wave", "_order", "id"])[columns].reset_index(drop=True)
