"""Property: any part of the instrument, any groups, any kommune sizes — ingest gives a briefing and a
valid summary.json for every kommune, never a traceback, and the scores equal an independent computation.

Each example draws kommuner (1–3, groups of 1–30 people, staff only, frontline only or both), themes
(none, some, all; some statements only), the other blocks, "Ved ikke" and blanks, and writes the wide
file an analyst would export. It goes through the wide-CSV ingest (``fundament_lib.ingest``), is saved
as Parquet and summarised by ``pipeline.prepare`` as ``fundament run`` does; the smallest kommune's
briefing is rendered section by section. The reference scores are computed straight from the wide
answers with numpy (:func:`reference_scores`), not with the library. A few examples go through
``fundament run`` with notebooks (slow). ``FUNDAMENT_SHAPE_EXAMPLES=200`` runs more examples.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundament_lib.core.atomic import write_parquet
from fundament_lib.core.errors import DataFileError
from fundament_lib.framework import load_framework
from fundament_lib.ingest import wide_to_tidy
from fundament_lib.report import briefing
from fundament_lib.results.kommune_summary import SCHEMA_VERSION
from fundament_lib.results.pipeline import prepare

FW = load_framework("fundament2024")
THEMES = {t.id: [i.id for i in t.items] for t in FW.themes()}
DOMAINS = {d.id: [t.id for t in d.themes] for d in FW.domains}
OTHER_BLOCKS = ("importance", "outcome", "role", "burden", "prerequisite", "free_text")
KOMMUNER = ("101", "147", "707", "825", "851")
FRONTLINE_ONLY = {"outcome", "role", "burden", "free_text"}
MIN_N = 5
SECTIONS = (briefing.title, briefing.status, briefing.profile, briefing.priorities, briefing.roles,
            briefing.burden, briefing.changes, briefing.quality, briefing.provenance)


@dataclass
class Shape:
    """What one example's survey asked, and of whom."""

    themes: dict[str, list[str]]  # theme → the statements asked
    blocks: frozenset[str]
    groups: dict[str, dict[str, int]]  # kommune → group → respondents
    p_blank: float
    p_dont_know: float
    fagomraade: bool
    wave: str
    seed: int


@st.composite
def shapes(draw: st.DrawFn) -> Shape:
    codes = draw(st.lists(st.sampled_from(KOMMUNER), min_size=1, max_size=3, unique=True))
    groups = {}
    for code in codes:
        asked = draw(st.sampled_from([("stab",), ("borgernaer",), ("stab", "borgernaer")]))
        groups[code] = {g: draw(st.integers(1, 30)) for g in asked}
    chosen = draw(st.lists(st.sampled_from(list(THEMES)), max_size=10, unique=True))
    themes = {}
    for t in chosen:
        items = THEMES[t]
        keep = draw(st.lists(st.sampled_from(items), min_size=1, max_size=len(items), unique=True))
        themes[t] = [i for i in items if i in keep] if draw(st.booleans()) else items
    blocks = frozenset(draw(st.sets(st.sampled_from(OTHER_BLOCKS))))
    if not themes and not blocks:
        blocks = frozenset({"role"})
    return Shape(themes=themes, blocks=blocks, groups=groups,
                 p_blank=draw(st.sampled_from([0.0, 0.1, 0.4])), p_dont_know=draw(st.sampled_from([0.0, 0.05, 0.3])),
                 fagomraade=draw(st.booleans()), wave=draw(st.sampled_from(["2025", "2025-08", "Forår 2026"])),
                 seed=draw(st.integers(0, 2**31 - 1)))


def _columns(shape: Shape) -> dict[str, str]:
    """Column → kind (``likert``, ``tick``, ``share``, ``text``) of the wide file."""
    cols = {i: "likert" for items in shape.themes.values() for i in items}
    if "importance" in shape.blocks:
        cols |= {FW.importance_id(t): "likert" for t in (shape.themes or THEMES)}
    if "outcome" in shape.blocks and FW.outcome is not None:
        cols[FW.outcome.id] = "likert"
    if "role" in shape.blocks and FW.roles is not None:
        cols |= {FW.role_id(f.id, r.id): "likert" for f in FW.roles.functions for r in FW.roles.roles}
    if "burden" in shape.blocks and FW.burden is not None:
        cols |= {FW.burden_id(a.id): "tick" for a in FW.burden.areas}
        if FW.burden.share is not None:
            cols[FW.burden.share.id] = "share"
    if "free_text" in shape.blocks and FW.burden is not None and FW.burden.free_text is not None:
        cols[FW.burden.free_text.id] = "text"
    if "prerequisite" in shape.blocks and FW.prerequisites is not None:
        cols |= {p.id: "likert" for p in FW.prerequisites.items}
    return cols


def _frontline_only(column: str) -> bool:
    return column.startswith(("ROLE.", "BURDEN.")) or (FW.outcome is not None and column == FW.outcome.id)


def wide_file(shape: Shape) -> pd.DataFrame:
    """The wide export: one row per respondent, a column per asked item; a staff member's cells in
    a frontline-only question are empty (they are not asked it)."""
    rng = np.random.default_rng(shape.seed)
    cols = _columns(shape)
    fag = ["skole", "dagtilbud", "aeldre", "social"]
    rows, seen = [], set()
    for code, groups in shape.groups.items():
        level = rng.normal(0, 0.8)
        for group, n in groups.items():
            for r in range(n):
                row: dict[str, Any] = {"respondent_id": f"{code}-{group}-{r}", "kommunekode": code, "group": group,
                                       "wave": shape.wave}
                if shape.fagomraade and group == "borgernaer":
                    row["fagomraade"] = fag[int(rng.integers(0, len(fag)))] if rng.random() > 0.2 else ""
                for col, kind in cols.items():
                    row[col] = None if group == "stab" and _frontline_only(col) else _cell(kind, rng, shape, level)
                _unique(row, cols, seen, rng)
                rows.append(row)
    return pd.DataFrame(rows)


def _cell(kind: str, rng: np.random.Generator, shape: Shape, level: float) -> object:
    u = rng.random()
    if u < shape.p_blank:
        return None
    if kind == "likert":
        return "Ved ikke" if u < shape.p_blank + shape.p_dont_know else int(np.clip(round(3 + level + rng.normal(0, 1.1)),
                                                                                        1, 5))
    if kind == "tick":
        return int(rng.random() < 0.4)
    if kind == "share":
        return int(rng.integers(0, 101))
    return f"Et eksempel nummer {int(rng.integers(0, 10**6))} om dobbeltregistrering."


def _unique(row: dict[str, Any], cols: dict[str, str], seen: set[tuple[object, ...]], rng: np.random.Generator
            ) -> None:
    """Make the row's answers differ from every earlier row's: the wide loader refuses a later row with
    the same answers as an earlier one (a respondent exported twice)."""
    likert = [c for c, k in cols.items() if k == "likert" and row[c] is not None]
    for _ in range(50):
        key = tuple(row[c] for c in cols)
        if key not in seen or not likert:
            break
        row[likert[int(rng.integers(0, len(likert)))]] = int(rng.integers(1, 6))
    seen.add(tuple(row[c] for c in cols))


# ---- the independent reference ----------------------------------------------------------------------
def _half(n: int) -> int:
    return math.ceil(n / 2)


def respondents(wide: pd.DataFrame, shape: Shape) -> pd.DataFrame:
    """The rows that are respondents: the loader skips a row with every answer cell blank."""
    answer_cols = [c for c in wide.columns if c in _columns(shape)]
    blank = wide[answer_cols].isna() | wide[answer_cols].astype(str).eq("")
    return wide[~blank.all(axis=1).to_numpy()]


def reference_scores(wide: pd.DataFrame, shape: Shape) -> dict[tuple[str, str, str], tuple[int, float]]:
    """(kommune, id, group) → (n, mean score) straight from the wide answers.

    A statement's answer v counts (v − 1)/4·100; a theme score needs half (rounded up) of the theme's
    asked statements answered; a pejlemærke score half of its asked themes scored; ``alle`` pools the
    groups.
    """
    people = respondents(wide, shape)
    out: dict[tuple[str, str, str], tuple[int, float]] = {}
    for code, part in people.groupby("kommunekode"):
        scores: dict[str, np.ndarray] = {}
        for theme, items in shape.themes.items():
            x = part[items].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
            s = (x - 1) / 4 * 100
            answered = ~np.isnan(s)
            mean = np.divide(np.nansum(s, axis=1), answered.sum(axis=1), out=np.full(len(s), np.nan),
                             where=answered.sum(axis=1) > 0)
            scores[theme] = np.where(answered.sum(axis=1) >= _half(len(items)), mean, np.nan)
        for domain, themes in DOMAINS.items():
            asked = [t for t in themes if t in shape.themes]
            if asked:
                block = np.column_stack([scores[t] for t in asked])
                have = (~np.isnan(block)).sum(axis=1)
                mean = np.divide(np.nansum(block, axis=1), have, out=np.full(len(block), np.nan), where=have > 0)
                scores[domain] = np.where(have >= _half(len(asked)), mean, np.nan)
        group = part["group"].to_numpy()
        for sid, values in scores.items():
            for g, mask in (("alle", np.ones(len(group), dtype=bool)), ("stab", group == "stab"),
                            ("borgernaer", group == "borgernaer")):
                if not mask.any():
                    continue
                v = values[mask & ~np.isnan(values)]
                out[(str(code), sid, g)] = (len(v), float(v.mean()) if len(v) else float("nan"))
    return out


# ---- running an example -------------------------------------------------------------------------------
def _params(root: Path) -> Path:
    folder = root / "params"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        (folder / "defaults.yaml").write_text("n_boot: 200\nmin_n: 5\n", encoding="utf-8")
    return folder


def ingest_and_save(shape: Shape, folder: Path) -> tuple[pd.DataFrame, Path]:
    wide = wide_file(shape)
    tidy = wide_to_tidy(wide, FW, file="egen_eksport.csv").data
    path = folder / "egen.parquet"
    write_parquet(tidy, path)
    return wide, path


def check_summary(s: dict[str, Any], shape: Shape, wide: pd.DataFrame) -> None:
    """A valid summary whose scores are the reference's, shown or hidden by the privacy rule."""
    code = s["kommunekode"]
    json.dumps(s, allow_nan=False)
    assert s["schema_version"] == SCHEMA_VERSION and s["wave"] == shape.wave
    people = respondents(wide, shape)
    present = set(people.loc[people["kommunekode"] == code, "group"])
    assert s["coverage"]["groups"] == [g for g in ("stab", "borgernaer") if g in present]
    mine = {(sid, g): v for (c, sid, g), v in reference_scores(wide, shape).items() if c == code}
    records = {(r["id"], r["group"]): r for r in s["scores"]}
    assert set(records) == set(mine)  # what was asked, of whom — nothing else
    for key, (n, score) in mine.items():
        r = records[key]
        if r["suppressed"]:
            assert r["score"] is None and r["n"] is None
        else:
            assert n >= MIN_N and r["n"] == n and r["score"] == pytest.approx(score, abs=1e-3), key
        if n < MIN_N:
            assert r["suppressed"], key
    for name, a in s["analyses"].items():
        assert a["done"] or (a["reason"] and a["text"]), name


def render(s: dict[str, Any]) -> str:
    markup = "".join(str(section(s)) for section in SECTIONS)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shapes")


@given(shape=shapes())
@settings(max_examples=int(os.environ.get("FUNDAMENT_SHAPE_EXAMPLES", "12")), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
def test_any_shape_gives_valid_summaries_with_the_reference_scores_and_a_briefing(shape, workdir):
    folder = workdir / "example"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    wide = wide_file(shape)
    present = sorted(set(respondents(wide, shape)["kommunekode"]))
    if not present:  # nobody answered anything: the loader's own one-line error, nothing else
        with pytest.raises(DataFileError, match="no respondent has answered"):
            ingest_and_save(shape, folder)
        return
    wide, path = ingest_and_save(shape, folder)
    prepared = prepare(path, params_root=_params(workdir))
    assert sorted(prepared.summaries) == present
    for s in prepared.summaries.values():
        check_summary(s, shape, wide)
    smallest = min(present, key=lambda c: sum(shape.groups[c].values()))
    text = render(prepared.summaries[smallest])
    assert "1. Status på pejlemærkerne" in text and "Traceback" not in text


@pytest.mark.slow
def test_a_few_shapes_through_fundament_run_with_notebooks(project, tmp_path):
    from fundament_lib.run.batch import run

    examples = [
        Shape(themes={t: THEMES[t] for t in ("P1.1", "P1.2", "P1.3")}, blocks=frozenset(), wave="2025",
              groups={"707": {"stab": 9}}, p_blank=0.1, p_dont_know=0.05, fagomraade=False, seed=1),
        Shape(themes={"P2.2": THEMES["P2.2"][:2], "P2.4": THEMES["P2.4"]}, blocks=frozenset({"role", "outcome"}),
              groups={"147": {"borgernaer": 25}, "825": {"stab": 3, "borgernaer": 4}}, p_blank=0.4,
              p_dont_know=0.3, fagomraade=True, wave="Forår 2026", seed=2),
    ]
    for k, shape in enumerate(examples):
        folder = tmp_path / f"ex{k}"
        folder.mkdir()
        wide, path = ingest_and_save(shape, folder)
        report = run(path, out=folder / "reports", params=_params(tmp_path), workers=2,
                     notebook=project / "notebooks" / "kommune_briefing.ipynb", overview=len(shape.groups) >= 2,
                     overview_notebook=project / "notebooks" / "national_overview.ipynb")
        assert report.ok and [o.kommunekode for o in report.outcomes] == sorted(shape.groups)
        for code in shape.groups:
            s = json.loads((folder / "reports" / code / "summary.json").read_text(encoding="utf-8"))
            check_summary(s, shape, wide)
            page = (folder / "reports" / code / "briefing.html").read_text(encoding="utf-8")
            assert "1. Status på pejlemærkerne" in page and "Traceback" not in page
        assert (report.overview is not None) == (len(shape.groups) >= 2)
