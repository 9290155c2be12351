"""Exploration across kommuner for researchers: the library behind ``notebooks/explore.ipynb``.

Every view is a plain function that returns a :class:`View` (a table and a
Matplotlib Axes; it unpacks as ``table, ax = view``), so it works in a script
and in tests as well as behind the widgets of :func:`dashboard`:

* :func:`distribution` — the answers to a theme's statements for a selection
  of kommuner, a respondent group and optionally a fagområde;
* :func:`gaps` — staff's and frontline leaders' scores side by side, with the
  gap and its interval;
* :func:`benchmark` — one kommune's scores against every other kommune's.

Privacy holds here as in the briefings. A selection is pooled from
**per-kommune cells** (kommune × wave × group, or × fagområde), and a cell
enters only when the briefing itself would show it: each cell is judged with
:func:`fundament_lib.privacy.suppress` under the kommune's own threshold
(``params/<kode>.yaml`` may raise it), with the complement rule. A kommune
whose cell is hidden is left out of the pool and named in a note, so the
difference between two selections never gives a hidden cell away. When
nothing is left, the view shows a message instead of numbers.

``wave=None`` takes each kommune's latest wave, as the briefings do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from scipy.stats import norm

from . import descriptives as desc
from . import plots
from .errors import FrameworkError, ParamsError, UnknownKommuneError
from .framework import GROUP_LABELS, Framework, available_frameworks, load_framework
from .ingest.schema import read_tidy, validate_tidy
from .kommuner import kommuner as kommune_table
from .params import load_params
from .paths import demo_data_path, params_dir
from .privacy import DEFAULT_MIN_N, GROUP_HIERARCHY, suppress
from .report import Html, esc, figure, fmt_int, fmt_num, note, table
from .scoring import respondent_scores, score_ids, score_table

__all__ = ["Dataset", "View", "load", "select_tidy", "distribution", "gaps", "benchmark", "dashboard",
           "GROUPS", "UNKNOWN_FAGOMRAADE"]

GROUPS: tuple[str, ...] = ("alle", "stab", "borgernaer")
UNKNOWN_FAGOMRAADE = "uoplyst"
_UNIT = list(desc.UNIT)


@dataclass
class Dataset:
    """Tidy answers, respondent scores and the framework, loaded once for exploration.

    Attributes
    ----------
    tidy
        The validated tidy answer table (all kommuner and waves).
    fw
        The framework the answers are scored on.
    scores
        :func:`fundament_lib.scoring.respondent_scores` of ``tidy``.
    min_n
        Privacy threshold per kommune: the larger of the default and the
        kommune's own ``params`` value.
    """

    tidy: pd.DataFrame
    fw: Framework
    scores: pd.DataFrame
    min_n: dict[str, int]
    default_min_n: int = DEFAULT_MIN_N
    source: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def kommuner(self) -> list[str]:
        """Kommune codes in the data, sorted."""
        return sorted(self.min_n)

    @property
    def fagomraader(self) -> list[str]:
        """Fagområder of the frontline leaders in the data (codes), sorted."""
        col = self.scores.get("fagomraade")
        if col is None:
            return []
        front = col[self.scores["group"] == "borgernaer"]
        return sorted({str(v) for v in front.dropna().unique()})

    def kommune_labels(self) -> dict[str, str]:
        """Kommune code → ``"707 Norddjurs"``."""
        names = kommune_table()["navn"]
        return {c: f"{c} {names.get(c, '')}".strip() for c in self.kommuner}

    def theme_labels(self, *, domains: bool = False) -> dict[str, str]:
        """Theme id → ``"P1.1 Kultur og mindset"`` (with the pejlemærker first when ``domains``)."""
        out = {d.id: f"{d.id} {d.title}" for d in self.fw.domains} if domains else {}
        return out | {t.id: f"{t.id} {t.title}" for t in self.fw.themes()}

    def fagomraade_labels(self) -> dict[str, str]:
        """Fagområde code → its label in the framework's background block."""
        options: dict[str, str] = {}
        for b in self.fw.background:
            if b.id == "fagomraade":
                options = dict(b.options)
        return {f: options.get(f, f) for f in self.fagomraader}


@dataclass
class View:
    """What a view function returns: a table, the Axes it drew on, and notes in Danish.

    Unpacks as ``table, ax = view``. In Jupyter it shows itself as HTML (notes,
    table and figure). ``suppressed`` is true when privacy left nothing to show;
    the table is then empty and the figure carries the message.
    """

    table: pd.DataFrame
    ax: Axes
    title: str
    notes: list[str] = field(default_factory=list)
    suppressed: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    _html: Html | None = field(default=None, repr=False)

    def __iter__(self) -> Any:
        return iter((self.table, self.ax))

    def html(self) -> Html:
        """The view as an HTML block (rendered once; the figure is closed afterwards)."""
        if self._html is None:
            parts = [f"<h3>{esc(self.title)}</h3>"]
            parts += [note(n, kind="warning" if self.suppressed else "note") for n in self.notes]
            parts.append(figure(self.ax, alt=self.notes[0] if self.suppressed else self.title))
            if not self.table.empty:
                parts.append(table(_formatted(self.table, self.labels), caption="Tallene bag figuren"))
            self._html = Html("".join(parts))
        return self._html

    def _repr_html_(self) -> str:
        return str(self.html())


# ---- loading -------------------------------------------------------------------------------

def load(data: str | Path | pd.DataFrame | None = None, *, framework: str | Framework | None = None,
         min_n: int = DEFAULT_MIN_N, params_root: Path | None = None) -> Dataset:
    """Load tidy answers for exploration.

    Parameters
    ----------
    data
        A processed Parquet file or folder (read and validated with
        :func:`fundament_lib.ingest.schema.read_tidy`), a tidy DataFrame
        (validated), or ``None`` for the demo data.
    framework
        Framework id, path or object; ``None`` takes the shipped framework
        whose codebook holds every item id in the data.
    min_n
        The privacy threshold; a kommune's own params may raise it, never lower it.
    params_root
        The ``params/`` folder (default: the project's; absent means defaults only).

    Returns
    -------
    Dataset

    Raises
    ------
    DataFileError, DataValidationError
        From the loaders, naming file, row and column.
    FrameworkError
        When no shipped framework fits the item ids.
    """
    if isinstance(data, pd.DataFrame):
        tidy, source = validate_tidy(data, file="<DataFrame>"), "<DataFrame>"
    else:
        path = Path(data) if data is not None else demo_data_path()
        tidy, source = read_tidy(path), str(path)
    if framework is None:
        fw = _detect_framework(tidy)
    else:
        fw = framework if isinstance(framework, Framework) else load_framework(framework)
        unknown = sorted({str(i) for i in tidy["item_id"].unique()} - set(fw.codebook()["item_id"]))
        if unknown:
            raise FrameworkError(f"{source}: item ids not in framework {fw.id}: {', '.join(unknown[:8])}")
    codes = sorted({str(c) for c in tidy["kommunekode"].unique()})
    return Dataset(tidy=tidy, fw=fw, scores=respondent_scores(tidy, fw),
                   min_n=_thresholds(codes, min_n, params_root), default_min_n=min_n, source=source)


def _detect_framework(tidy: pd.DataFrame) -> Framework:
    """The shipped framework whose codebook holds every item id in ``tidy``."""
    present = {str(i) for i in tidy["item_id"].unique()}
    for fid in available_frameworks():
        fw = load_framework(fid)
        if present <= set(fw.codebook()["item_id"]):
            return fw
    raise FrameworkError(f"data: its item ids fit no shipped framework ({', '.join(available_frameworks())}); "
                         "pass framework= with the framework's id or YAML file")


def _thresholds(codes: Sequence[str], min_n: int, root: Path | None) -> dict[str, int]:
    folder = root or params_dir()
    out = {}
    for code in codes:
        try:
            own = load_params(folder, code).min_n if folder.is_dir() else min_n
        except ParamsError:
            own = min_n
        out[code] = max(min_n, own)
    return out


# ---- selection and privacy -------------------------------------------------------------------

def _check_kommuner(ds: Dataset, kommuner: Sequence[str] | None) -> list[str]:
    if kommuner is None or len(kommuner) == 0:
        return ds.kommuner
    wanted = [str(k).zfill(3) for k in kommuner]
    unknown = [k for k in wanted if k not in ds.min_n]
    if unknown:
        raise UnknownKommuneError(f"kommuner: not in the data: {', '.join(unknown)} "
                                  f"(the data has {len(ds.min_n)} kommuner)")
    return wanted


def _check_choice(name: str, value: object, allowed: Sequence[object]) -> None:
    if value not in allowed:
        shown = ", ".join(map(str, allowed[:12])) + (" …" if len(allowed) > 12 else "")
        raise ValueError(f"{name}: expected one of {shown}, got {value!r}")


def select_tidy(ds: Dataset, *, kommuner: Sequence[str] | None = None, wave: str | None = None,
                frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows of ``frame`` (default the tidy table) for the kommuner, in the wave or each kommune's latest."""
    codes = _check_kommuner(ds, kommuner)
    rows = ds.tidy if frame is None else frame
    rows = rows[rows["kommunekode"].astype(str).isin(codes)]
    waves = rows["wave"].astype(str)
    if wave is not None:
        _check_choice("wave", str(wave), sorted(set(ds.tidy["wave"].astype(str))))
        return rows[waves == str(wave)]
    latest = waves.groupby(rows["kommunekode"].astype(str)).transform("max")
    return rows[waves == latest]


def _apply(cells: pd.DataFrame, ds: Dataset, *, keys: list[str], values: list[str],
           hierarchy: Mapping[str, Sequence[str]] = GROUP_HIERARCHY) -> pd.DataFrame:
    """:func:`~fundament_lib.privacy.suppress` with each kommune's own threshold."""
    if cells.empty:
        return cells.assign(suppressed=pd.Series(dtype=bool), suppression=pd.Series(dtype=object))
    code = cells["kommunekode"].astype(str)
    parts = []
    for k in sorted({ds.min_n[c] for c in code.unique()}):
        part = cells[code.map(ds.min_n) == k]
        parts.append(suppress(part, min_n=k, keys=[*_UNIT, *keys], values=values, hierarchy=hierarchy))
    return pd.concat(parts, ignore_index=True)


def _as_fagomraade(frame: pd.DataFrame) -> pd.DataFrame:
    """Frontline rows with ``group`` replaced by the fagområde (missing as ``uoplyst``)."""
    front = frame[frame["group"].astype(str) == "borgernaer"].copy()
    front["group"] = front["fagomraade"].astype("object").where(front["fagomraade"].notna(),
                                                                UNKNOWN_FAGOMRAADE).astype(str)
    return front


def _with_parent_rule(main: pd.DataFrame, sub: pd.DataFrame, key: str) -> pd.DataFrame:
    """Fagområde cells under ``borgernaer``: a parent hidden in the main table hides its children
    (as in :mod:`fundament_lib.summary`), so no fagområde split can give it away."""
    hidden = main[main["suppressed"] & (main["group"].astype(str) == "borgernaer")][[*_UNIT, key]]
    out = sub.merge(hidden.assign(_hidden=True), on=[*_UNIT, key], how="left")
    is_parent = out["group"] == "borgernaer"
    out["n"] = np.where(is_parent & out["_hidden"].eq(True), 0, out["n"])
    return out.drop(columns="_hidden")


def _pool_note(cells: pd.DataFrame, ds: Dataset, who: str) -> list[str]:
    """A note naming the kommuner left out of the pool because their cell is hidden."""
    left = sorted({str(c) for c in cells.loc[cells["suppressed"], "kommunekode"]})
    if not left:
        return []
    names = ds.kommune_labels()
    shown = ", ".join(names.get(c, c) for c in left[:8]) + (" …" if len(left) > 8 else "")
    return [f"{len(left)} kommune(r) indgår ikke for {who}, fordi deres tal er skjult "
            f"(færre end {min(ds.min_n[c] for c in left)} svar eller for at beskytte en lille gruppe): {shown}."]


def _who(group: str, fagomraade: str | None, ds: Dataset) -> str:
    if fagomraade is not None:
        return f"borgernære ledere inden for {ds.fagomraade_labels().get(fagomraade, fagomraade).lower()}"
    return GROUP_LABELS[group].lower()


def _nothing(title: str, message: str, ax: Axes | None) -> View:
    """A view that shows a message instead of numbers."""
    ax = plots._new_ax(ax, (8.0, 2.0))
    ax.axis("off")
    ax.text(0.5, 0.5, plots.wrap(message, 70), ha="center", va="center", fontsize=11,
            transform=ax.transAxes)
    return View(pd.DataFrame(), ax, title, [message], suppressed=True)


def _too_few(who: str, min_n: int) -> str:
    return (f"Ingen tal for {who} i dette udvalg: der er færre end {min_n} svar, "
            "eller tallene er skjult for at beskytte en lille gruppe.")


# ---- views ---------------------------------------------------------------------------------

def distribution(ds: Dataset, *, theme: str, kommuner: Sequence[str] | None = None, group: str = "alle",
                 fagomraade: str | None = None, wave: str | None = None, ax: Axes | None = None) -> View:
    """The answers to a theme's statements for a selection, as diverging bars and a table.

    Parameters
    ----------
    ds
        From :func:`load`.
    theme
        Theme id, e.g. ``"P1.3"``.
    kommuner
        Kommune codes to pool (default: all).
    group
        ``"alle"``, ``"stab"`` or ``"borgernaer"``.
    fagomraade
        A fagområde code: only frontline leaders of that area (``group`` must
        then be ``"borgernaer"`` or ``"alle"``; staff have no fagområde).
    wave
        A survey round (default: each kommune's latest).
    ax
        Axes to draw on.

    Returns
    -------
    View
        Table: one row per statement with ``item_id``, ``text``, ``n``, the
        count ``c<code>`` per answer, ``dont_know``, ``share_positive`` (top
        two levels) and ``score`` (0–100, reversed statements not turned),
        pooled over the shown per-kommune cells; ``n_kommuner`` counts them.
    """
    _check_choice("theme", theme, [t.id for t in ds.fw.themes()])
    _check_choice("group", group, GROUPS)
    cells, key = _item_cells(ds, theme=theme, kommuner=kommuner, fagomraade=fagomraade, wave=wave)
    label = fagomraade if fagomraade is not None else group
    if fagomraade is not None and group == "stab":
        raise ValueError("group: staff have no fagområde; with fagomraade use 'borgernaer', got 'stab'")
    mine = cells[cells["group"].astype(str) == label]
    who = _who(group, fagomraade, ds)
    title = f"Svarfordeling: {ds.theme_labels()[theme]} – {who}"
    notes = _pool_note(mine, ds, who)
    shown = mine[~mine["suppressed"]]
    min_n = max(ds.min_n[str(c)] for c in cells["kommunekode"].unique()) if not cells.empty else ds.default_min_n
    if shown.empty:
        return _nothing(title, _too_few(who, min_n), ax)
    scale = ds.fw.scales[ds.fw.theme_scale]
    counts = [f"c{c}" for c in sorted(scale.labels)]
    pooled = shown.groupby(key, observed=True)[[*counts, "dont_know", "missing", "n"]].sum()
    pooled["n_kommuner"] = shown.groupby(key, observed=True)["kommunekode"].nunique()
    order = ds.fw.theme_items()[theme]
    pooled = pooled.reindex([i for i in order if i in pooled.index]).reset_index()
    texts = ds.fw.codebook().set_index("item_id")["text"]
    pooled.insert(1, "text", pooled["item_id"].map(texts))
    codes = np.array(sorted(scale.labels), dtype=float)
    n = pooled["n"].to_numpy(dtype=float)
    mean = (pooled[counts].to_numpy(dtype=float) * codes).sum(axis=1) / np.where(n > 0, n, np.nan)
    pooled["share_positive"] = pooled[counts[-2:]].sum(axis=1) / np.where(n > 0, n, np.nan)
    pooled["score"] = (mean - scale.low) / (scale.high - scale.low) * 100
    pooled = pooled.astype(dict.fromkeys([*counts, "dont_know", "missing", "n", "n_kommuner"], "Int64"))
    pooled.columns.name = None
    labels = {i: f"{i} {texts[i]}" for i in pooled["item_id"]}
    ax = plots.likert_bars(pooled, labels=labels, scale=scale.labels, ax=ax)
    ax.set_title(plots.wrap(title, 80))
    return View(pooled, ax, title, notes, labels=_COLUMN_LABELS)


def _item_cells(ds: Dataset, *, theme: str, kommuner: Sequence[str] | None, fagomraade: str | None,
                wave: str | None) -> tuple[pd.DataFrame, str]:
    """Per-kommune answer counts of a theme's items, privacy applied (as in the briefing)."""
    items = ds.fw.theme_items()[theme]
    rows = select_tidy(ds, kommuner=kommuner, wave=wave)
    rows = rows[rows["item_id"].astype(str).isin(items)]
    counts = [c for c in _count_columns(ds)]
    main = _apply(desc.item_distributions(rows, ds.fw, blocks=("theme",)), ds, keys=["item_id"],
                  values=[*counts, "dont_know", "missing", "score"])
    if fagomraade is None:
        return main, "item_id"
    _check_choice("fagomraade", fagomraade, [*ds.fagomraader, UNKNOWN_FAGOMRAADE])
    sub = desc.item_distributions(_as_fagomraade(rows), ds.fw, blocks=("theme",))
    sub["group"] = sub["group"].replace({"alle": "borgernaer"})
    sub = _with_parent_rule(main, sub, "item_id")
    children = [g for g in sub["group"].unique() if g != "borgernaer"]
    cells = _apply(sub, ds, keys=["item_id"], values=[*counts, "dont_know", "missing", "score"],
                   hierarchy={"borgernaer": children})
    return cells[cells["group"] != "borgernaer"], "item_id"


def _count_columns(ds: Dataset) -> list[str]:
    return [f"c{c}" for c in sorted(ds.fw.scales[ds.fw.theme_scale].labels)]


def _score_cells(ds: Dataset, *, kommuner: Sequence[str] | None, wave: str | None,
                 fagomraade: str | None = None) -> pd.DataFrame:
    """Per-kommune scores (n, mean, sd) per group and id, privacy applied; with a
    fagområde, its frontline cells replace the ``borgernaer`` rows."""
    resp = select_tidy(ds, kommuner=kommuner, wave=wave, frame=ds.scores)
    main = _apply(score_table(resp, ds.fw), ds, keys=["id"], values=["score", "sd"])
    if fagomraade is None:
        return main
    _check_choice("fagomraade", fagomraade, [*ds.fagomraader, UNKNOWN_FAGOMRAADE])
    front = _as_fagomraade(resp)
    ids = [i for i, _ in score_ids(ds.fw)]
    parent = _cell_stats(front, _UNIT, ids).assign(group="borgernaer")
    cells = pd.concat([parent, _cell_stats(front, [*_UNIT, "group"], ids)], ignore_index=True)
    cells = _with_parent_rule(main, cells, "id")
    names = [g for g in cells["group"].unique() if g != "borgernaer"]
    sub_cells = _apply(cells, ds, keys=["id"], values=["score", "sd"], hierarchy={"borgernaer": names})
    front_cells = sub_cells[sub_cells["group"] == fagomraade].assign(group="borgernaer")
    return pd.concat([main[main["group"] != "borgernaer"], front_cells], ignore_index=True)


def _cell_stats(frame: pd.DataFrame, by: list[str], ids: list[str]) -> pd.DataFrame:
    """n, mean and s.d. of every score id per ``by`` cell, long."""
    g = frame.groupby(by, observed=True)[ids]
    wide = pd.concat({"n": g.count(), "score": g.mean(), "sd": g.std()}, axis=1)
    long = wide.stack(level=1, future_stack=True).reset_index()
    return long.rename(columns={f"level_{len(by)}": "id"})


def _pool(cells: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Pool shown per-kommune cells per ``id`` × ``group``: the respondent mean, its s.d.
    (within + between cells) and a normal-approximation interval."""
    shown = cells[~cells["suppressed"]].copy()
    shown["n"] = shown["n"].astype(float)
    shown["wx"] = shown["n"] * shown["score"]
    g = shown.groupby(["id", "group"], observed=True)
    out = g.agg(n=("n", "sum"), wx=("wx", "sum"), n_kommuner=("kommunekode", "nunique")).reset_index()
    out["score"] = out["wx"] / out["n"]
    shown = shown.merge(out[["id", "group", "score"]].rename(columns={"score": "m"}), on=["id", "group"])
    ss = (shown["n"] - 1) * shown["sd"].fillna(0) ** 2 + shown["n"] * (shown["score"] - shown["m"]) ** 2
    out = out.merge(ss.groupby([shown["id"], shown["group"]]).sum().rename("ss").reset_index(),
                    on=["id", "group"])
    out["sd"] = np.sqrt(out["ss"] / (out["n"] - 1).where(out["n"] > 1))
    z = norm.ppf(0.5 + confidence / 2)
    half = z * out["sd"] / np.sqrt(out["n"])
    out["ci_low"], out["ci_high"] = out["score"] - half, out["score"] + half
    out["n"] = out["n"].astype(int)
    return out.drop(columns=["wx", "ss"])


def gaps(ds: Dataset, *, kommuner: Sequence[str] | None = None, fagomraade: str | None = None,
         wave: str | None = None, confidence: float = 0.95, ax: Axes | None = None) -> View:
    """Staff's and frontline leaders' scores per pejlemærke and theme, and the gap between them.

    Parameters
    ----------
    ds
        From :func:`load`.
    kommuner
        Kommune codes to pool (default: all).
    fagomraade
        Compare staff with the frontline leaders of this fagområde only.
    wave
        A survey round (default: each kommune's latest).
    confidence
        Level of the intervals (normal approximation; respondents as independent,
        so the interval is narrow when kommuner differ much).
    ax
        Axes to draw on.

    Returns
    -------
    View
        Table: one row per id with ``n``, ``score`` and interval per group,
        ``gap`` (staff − frontline, points on 0–100) and its interval
        (Welch's standard error); a side whose cells are all hidden is blank.
    """
    cells = _score_cells(ds, kommuner=kommuner, wave=wave, fagomraade=fagomraade)
    front = _who("borgernaer", fagomraade, ds)
    title = f"Stab og ledelse over for {front}"
    notes = _pool_note(cells[cells["group"] == "stab"], ds, "stab og ledelse")
    notes += _pool_note(cells[cells["group"] == "borgernaer"], ds, front)
    pooled = _pool(cells[cells["group"].isin(["stab", "borgernaer"])], confidence)
    if set(pooled["group"]) != {"stab", "borgernaer"}:
        return _nothing(title, _too_few("en af de to grupper", ds.default_min_n), ax)
    wide = pooled.pivot(index="id", columns="group", values=["n", "score", "sd", "ci_low", "ci_high"])
    wide.columns = [f"{stat}_{grp}" for stat, grp in wide.columns]
    order = [i for i in ds.theme_labels(domains=True) if i in wide.index]
    wide = wide.reindex(order)
    wide["gap"] = wide["score_stab"] - wide["score_borgernaer"]
    se = np.sqrt(wide["sd_stab"] ** 2 / wide["n_stab"] + wide["sd_borgernaer"] ** 2 / wide["n_borgernaer"])
    z = norm.ppf(0.5 + confidence / 2)
    wide["gap_low"], wide["gap_high"] = wide["gap"] - z * se, wide["gap"] + z * se
    sides = [f"{stat}_{grp}" for grp in ("stab", "borgernaer") for stat in ("n", "score", "ci_low", "ci_high")]
    out = wide[[*sides, "gap", "gap_low", "gap_high"]].reset_index()
    for col in ("n_stab", "n_borgernaer"):
        out[col] = out[col].astype("Int64")
    themes = ds.theme_labels()
    long = pooled[pooled["id"].isin(themes)]
    ax = plots.theme_profile(long, labels=themes, ax=ax)
    ax.set_title(plots.wrap(title, 80))
    return View(out, ax, title, notes, labels=_COLUMN_LABELS)


def benchmark(ds: Dataset, *, kommune: str, theme: str | None = None, group: str = "alle",
              wave: str | None = None, confidence: float = 0.95, ax: Axes | None = None) -> View:
    """One kommune's scores against every other kommune's (each kommune's shown cell).

    Parameters
    ----------
    ds
        From :func:`load`.
    kommune
        The kommune to mark.
    theme
        One theme id; default: both pejlemærker and every theme.
    group
        The respondent group compared.
    wave
        A survey round (default: each kommune's latest).
    confidence
        Level of the kommune's interval (normal approximation).
    ax
        Axes to draw on.

    Returns
    -------
    View
        Table: one row per id with the kommune's ``n``, ``score`` and interval,
        ``rank`` (1 = highest) of ``n_kommuner`` kommuner with a shown score,
        ``percentile`` and the field's ``median``, ``min`` and ``max``.
    """
    code = _check_kommuner(ds, [kommune])[0]
    _check_choice("group", group, GROUPS)
    labels = ds.theme_labels(domains=True)
    if theme is not None:
        _check_choice("theme", theme, [t.id for t in ds.fw.themes()])
        labels = {theme: labels[theme]}
    cells = _score_cells(ds, kommuner=None, wave=wave)
    cells = cells[(cells["group"] == group) & cells["id"].isin(labels)]
    title = f"{ds.kommune_labels()[code]} mod de andre kommuner – {GROUP_LABELS[group].lower()}"
    own = _pool(cells[cells["kommunekode"].astype(str) == code], confidence)
    if own.empty:
        return _nothing(title, _too_few(f"{ds.kommune_labels()[code]} ({GROUP_LABELS[group].lower()})",
                                        ds.min_n[code]), ax)
    field_ = cells[~cells["suppressed"]].assign(kommunekode=lambda d: d["kommunekode"].astype(str))
    stats = field_.groupby("id")["score"].agg(median="median", min="min", max="max", n_kommuner="count")
    rank = field_.groupby("id")["score"].rank(ascending=False, method="min")
    field_ = field_.assign(rank=rank)
    mine = field_[field_["kommunekode"] == code].set_index("id")["rank"]
    out = own.set_index("id")[["n", "score", "ci_low", "ci_high"]].join(stats).join(mine)
    out["percentile"] = 100 * (out["n_kommuner"] - out["rank"]) / (out["n_kommuner"] - 1).where(
        out["n_kommuner"] > 1)
    out = out.reindex([i for i in labels if i in out.index]).reset_index()
    out["rank"] = out["rank"].astype("Int64")
    ax = plots.benchmark_strip(field_[["kommunekode", "id", "score"]], highlight=code, labels=labels,
                               own=out[["id", "score", "ci_low", "ci_high"]], ax=ax)
    ax.set_title(plots.wrap(title, 80))
    notes = [f"Feltet er {int(stats['n_kommuner'].max())} kommuner med viste tal; "
             "kommuner med skjulte tal indgår ikke."]
    return View(out, ax, title, notes, labels=_COLUMN_LABELS)


# ---- presentation --------------------------------------------------------------------------

_COUNT = re.compile(r"c\d+|n(_\w+)?|dont_know|missing|rank")
_COLUMN_LABELS = {
    "id": "Id", "item_id": "Udsagn", "text": "Tekst", "n": "n", "dont_know": "Ved ikke",
    "missing": "Ubesvaret", "share_positive": "Andel positive", "score": "Score", "n_kommuner": "Kommuner",
    "n_stab": "n stab", "score_stab": "Stab", "ci_low_stab": "Stab fra", "ci_high_stab": "Stab til",
    "n_borgernaer": "n borgernære", "score_borgernaer": "Borgernære", "ci_low_borgernaer": "Borgernære fra",
    "ci_high_borgernaer": "Borgernære til", "gap": "Forskel", "gap_low": "Forskel fra",
    "gap_high": "Forskel til", "ci_low": "Fra", "ci_high": "Til", "median": "Median", "min": "Laveste",
    "max": "Højeste", "rank": "Placering", "percentile": "Percentil",
}


def _formatted(frame: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """Cells as Danish text: one decimal for scores, percentages for shares."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        if col.startswith("share"):
            out[col] = [fmt_num(v * 100 if pd.notna(v) else v, 0) + (" %" if pd.notna(v) else "") for v in s]
        elif pd.api.types.is_integer_dtype(s) or _COUNT.fullmatch(col):
            out[col] = [fmt_int(v) for v in s]
        elif pd.api.types.is_float_dtype(s):
            out[col] = [fmt_num(v, 1) for v in s]
        else:
            out[col] = s.astype(str)
    return out.rename(columns=dict(labels))


def dashboard(ds: Dataset, *, kommuner: Sequence[str] | None = None, theme: str | None = None) -> Any:
    """The interactive explorer: widgets for kommuner, group, fagområde, theme and the
    benchmark kommune, and three tabs that call :func:`distribution`, :func:`gaps` and
    :func:`benchmark` (``ipywidgets.interactive_output``).

    Parameters
    ----------
    ds
        From :func:`load`.
    kommuner
        Kommuner selected at the start (default: the first five in the data).
    theme
        Theme selected at the start (default: the first).

    Returns
    -------
    ipywidgets.VBox
        Display it in a notebook.
    """
    import ipywidgets as w
    from IPython.display import display

    names = ds.kommune_labels()
    start = _check_kommuner(ds, kommuner) if kommuner else ds.kommuner[:5]
    themes = ds.theme_labels()
    pick = w.SelectMultiple(options=[(v, k) for k, v in names.items()], value=tuple(start), rows=8,
                            description="Kommuner")
    group = w.Dropdown(options=[(GROUP_LABELS[g], g) for g in GROUPS], value="alle", description="Gruppe")
    fag = w.Dropdown(options=[("Alle fagområder", ""), *((v, k) for k, v in ds.fagomraade_labels().items())],
                     value="", description="Fagområde")
    theme_w = w.Dropdown(options=[(v, k) for k, v in themes.items()], value=theme or next(iter(themes)),
                         description="Tema")
    bench = w.Dropdown(options=[(v, k) for k, v in names.items()], value=start[0], description="Benchmark")
    for control in (pick, group, fag, theme_w, bench):
        control.style.description_width = "90px"
        control.layout.width = "440px"

    def show(view_fn: Any, **kwargs: Any) -> None:
        try:
            display(view_fn(ds, **kwargs))
        except ValueError as exc:  # e.g. staff with a fagområde: say so instead of a traceback
            display(Html(str(note(str(exc), kind="warning"))))

    def show_distribution(kommuner: tuple[str, ...], group: str, fagomraade: str, theme: str) -> None:
        if fagomraade and group == "stab":
            display(Html(note("Stab og ledelse har intet fagområde: vælg 'Alle fagområder' eller en anden "
                              "gruppe.", kind="warning")))
            return
        show(distribution, kommuner=list(kommuner), group=group, fagomraade=fagomraade or None, theme=theme)

    def show_gaps(kommuner: tuple[str, ...], fagomraade: str) -> None:
        show(gaps, kommuner=list(kommuner), fagomraade=fagomraade or None)

    def show_benchmark(kommune: str, theme: str, group: str) -> None:
        show(benchmark, kommune=kommune, theme=theme, group=group)

    tabs = w.Tab(children=[
        w.interactive_output(show_distribution, {"kommuner": pick, "group": group, "fagomraade": fag,
                                                 "theme": theme_w}),
        w.interactive_output(show_gaps, {"kommuner": pick, "fagomraade": fag}),
        w.interactive_output(show_benchmark, {"kommune": bench, "theme": theme_w, "group": group}),
    ])
    for i, name in enumerate(("Svarfordeling", "Stab/borgernære", "Benchmark")):
        tabs.set_title(i, name)
    controls = w.HBox([pick, w.VBox([group, fag, theme_w, bench])])
    return w.VBox([w.HTML(f"<b>{esc(ds.fw.short_title or ds.fw.title)}</b> – {len(ds.kommuner)} kommuner, "
                          f"{fmt_int(len(ds.scores))} respondenter"), controls, tabs])
