"""The per-kommune result, privacy applied: what a briefing shows and ``summary.json`` holds.

:func:`build_summaries` computes every table for all kommuner in one pass
(:mod:`fundament_lib.results.tables`), applies the privacy rules once
(:mod:`fundament_lib.results.cells`), works out the national parts once
(:mod:`.national_cells`), and cuts one JSON-ready mapping per kommune
(:mod:`.kommune_summary`), kept beside the data for the next run (:mod:`.summarycache`). The
mapping is the contract other tools read (documented in the README); later fields are added,
never renamed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from fundament_lib.analysis.verdicts import gap_norms
from fundament_lib.core.kommuner import kommuner
from fundament_lib.core.params import Params
from fundament_lib.core.sharing import nameable, national_view, rounded_by_id
from fundament_lib.framework import load_framework
from fundament_lib.framework.model import Framework

from .cells import Cells
from .datacheck import LazyTidy
from .fingerprints import slice_hashes
from .kommune_summary import kommune_summary
from .national_cells import (
    average_cells,
    current_gaps,
    national_analyses,
    national_averages,
    national_scores,
    shown_cells,
    shown_groups,
)
from .summarycache import KeptSummaries, keep_summaries, kept_summaries, stamped, summary_key
from .tablecache import cached_national_tables, table_key
from .tables import Tables, settings_from

__all__ = ["build_summaries", "Summaries"]


@dataclass
class Summaries:
    """What :func:`build_summaries` returns: one summary per selected kommune, and the
    national analyses (per framework) the overview shows."""

    kommuner: dict[str, dict[str, Any]]
    national: dict[str, dict[str, Any]]


def build_summaries(tidy: pd.DataFrame | LazyTidy, params: Mapping[str, Params], *, data_id: str,
                    selected: list[str] | None = None, run_started: datetime | None = None,
                    national_models: bool = False, cache: Path | None = None) -> Summaries:
    """Compute all tables once and build the selected kommuner's summaries.

    Parameters
    ----------
    tidy
        The validated tidy answers (all kommuner), or a :class:`~.datacheck.LazyTidy` read only when
        something is not kept in ``cache``.
    params
        Validated parameters of every kommune in ``tidy`` (each kommune's
        threshold applies to its own cells in the national comparison too).
    data_id
        Hash of the data files (the whole dataset), for the provenance.
    selected
        The kommuner to summarise (default: all in ``params``); the benchmark
        always compares against every kommune in the data.
    run_started
        Time stamp for the provenance line (default: now, UTC).
    national_models
        Also fit the national models the overview shows.
    cache
        The data file or folder ``tidy`` was read from: the national tables are kept beside it
        per fingerprint (:mod:`fundament_lib.results.tablecache`), and the summaries cut from them
        per that fingerprint and every kommune's parameters (:mod:`.summarycache`), so a later run
        cuts only the kommuner not kept yet; ``None`` computes everything every time.

    Returns
    -------
    Summaries
        Kommune code → JSON-ready summary, and framework id → national analyses.
    """
    started = (run_started or datetime.now(UTC)).isoformat(timespec="seconds")
    rows = tidy if isinstance(tidy, LazyTidy) else LazyTidy.ready(tidy)
    demo = rows.demo
    by_framework: dict[str, list[str]] = {}
    for code, p in params.items():
        by_framework.setdefault(p.framework, []).append(code)
    out: dict[str, dict[str, Any]] = {}
    national_extra: dict[str, dict[str, Any]] = {}
    for fw_id, codes in by_framework.items():
        chosen = [c for c in codes if selected is None or c in selected]
        kommune_part, national_extra[fw_id] = _one_framework(
            _subset(rows, codes), load_framework(fw_id), {c: params[c] for c in codes}, chosen,
            data_id=data_id, started=started, demo=demo, national_models=national_models, cache=cache)
        out.update(kommune_part)
    return Summaries(out, national_extra)


def _subset(rows: LazyTidy, codes: list[str]) -> Callable[[], pd.DataFrame]:
    """The rows of the kommuner ``codes``, read and cut when first asked for (never, when all is kept)."""

    @functools.cache
    def subset() -> pd.DataFrame:
        tidy = rows.frame()
        mine = tidy["kommunekode"].isin(codes)
        return tidy if mine.all() else tidy[mine]  # every row (one framework): no copy of them all
    return subset


def _one_framework(rows: Callable[[], pd.DataFrame], fw: Framework, params: Mapping[str, Params], chosen: list[str], *,
                   data_id: str, started: str, demo: frozenset[str], national_models: bool,
                   cache: Path | None) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The ``chosen`` kommuner's summaries and the national analyses of the kommuner scored with
    ``fw`` (``params`` holds every one of them), read back from the cache where kept, else computed
    and kept."""
    codes = list(params)
    settings = settings_from(params)
    key = table_key(data_id=data_id, fw=fw, settings=settings, codes=codes)
    tables = cached_national_tables(rows, fw, settings, data=cache, key=key)  # kept: the rows are not read
    skey = summary_key(key, params, demo=demo)
    kept = kept_summaries(cache, fw, skey) if cache is not None else KeptSummaries()
    missing = [c for c in chosen if c not in kept.kommuner]
    if missing:
        kept.kommuner.update(_cut(rows(), tables, params, missing, data_id=data_id, started=started, demo=demo))
    fit = national_models and kept.national_models is None
    if fit:  # the ICC and gap models take a while: fitted once per fingerprint
        kept.national_models = national_analyses(
            tables, shown_groups(rows(), Cells(tables, {c: params[c].min_n for c in codes})))
    if cache is not None and (missing or fit):
        keep_summaries(cache, fw, skey, kept)
    # Without the models, the national analyses are read off the tables (drivers, reliability).
    national = kept.national_models if national_models else national_analyses(tables)
    assert national is not None
    return {code: stamped(kept.kommuner[code], started) for code in chosen}, national


def _cut(subset: pd.DataFrame, tables: Tables, params: Mapping[str, Params], chosen: list[str], *,
         data_id: str, started: str, demo: frozenset[str]) -> dict[str, dict[str, Any]]:
    """The summaries of the ``chosen`` kommuner, cut from one framework's national tables (``params``
    holds every kommune scored with it: their thresholds and sharing choices shape the national parts)."""
    codes = list(params)
    ref = kommuner()
    cells = Cells(tables, {c: params[c].min_n for c in codes})
    waves = tables.respondents.groupby("kommunekode", observed=True)["wave"].unique()
    current = {c: _current_wave(list(waves[c]), params[c].wave) for c in codes}
    waves_now = {c: w for c, (w, _) in current.items()}
    national = national_scores(cells, waves_now)
    rounded = rounded_by_id(national)
    by_group = {g: {i: f.set_index("kommunekode") for i, f in national_scores(cells, waves_now, g).groupby("id")}
                for g in ("alle", "stab")}
    norms = gap_norms(current_gaps(cells, waves_now), min_kommuner=max(params[c].min_n for c in codes) + 1)
    slices = subset.groupby(["kommunekode", "wave"], observed=True).indices  # row positions; cut when used
    averages = average_cells(shown_cells(cells, waves_now))
    share = {c: params[c].share_names for c in codes}
    own_hash = slice_hashes(subset, {c: slices[(c, current[c][0])] for c in chosen})  # in one pass
    out: dict[str, dict[str, Any]] = {}
    for code in chosen:
        wave, previous = current[code]
        names = nameable(code, share)
        summary = kommune_summary(code, wave, previous, cells, params[code], ref.loc[code],
                                  subset.iloc[slices[(code, wave)]], data_id=data_id, started=started, national=by_group,
                                  demo=code in demo, names=names, gap_norms=norms, own_hash=own_hash[code])
        summary["national"] = national_view(national, code, min_n=params[code].min_n, names=names, ref=ref,
                                            rounded=rounded)
        summary["national_averages"] = national_averages(averages, code, min_n=params[code].min_n)
        out[code] = summary
    return out


def _current_wave(waves: list[str], wanted: str | None) -> tuple[str, str | None]:
    """The kommune's current wave (``wanted`` where it has it, else its latest) and the wave before."""
    ordered = sorted(str(w) for w in waves)
    current = wanted if wanted in ordered else ordered[-1]
    earlier = [w for w in ordered if w < current]
    return current, (earlier[-1] if earlier else None)

