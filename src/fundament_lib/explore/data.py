"""The explorer's dataset: load tidy answers, pick the framework, each kommune's threshold."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from fundament_lib.analysis import descriptives as desc
from fundament_lib.analysis.scoring import respondent_scores
from fundament_lib.core.errors import FrameworkError, ParamsError, UnknownKommuneError
from fundament_lib.core.fmt import fmt_int, fmt_num
from fundament_lib.core.kommuner import kommuner as kommune_table
from fundament_lib.core.params import load_params
from fundament_lib.core.paths import demo_data_path, params_dir
from fundament_lib.framework import Framework, available_frameworks, load_framework
from fundament_lib.ingest.schema import validate_tidy
from fundament_lib.ingest.tidy_files import demo_codes, read_tidy
from fundament_lib.report.html import Html, esc, figure, note, table
from fundament_lib.results.privacy import DEFAULT_MIN_N
from fundament_lib.results.tablecache import cached_tables, say, table_key
from fundament_lib.results.tables import settings_from

__all__ = ["GROUPS", "UNKNOWN_FAGOMRAADE", "Dataset", "View", "load", "select_tidy"]


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
        :func:`fundament_lib.analysis.scoring.respondent_scores` of ``tidy``.
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
        :func:`fundament_lib.ingest.tidy_files.read_tidy`), a tidy DataFrame
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
    scores = _kept_scores(tidy, fw, Path(source), params_root) if source != "<DataFrame>" else None
    if scores is None:
        scores = respondent_scores(tidy, fw)
    return Dataset(tidy=tidy, fw=fw, scores=scores,
                   min_n=_thresholds(codes, min_n, params_root, demo_codes(tidy)),
                   default_min_n=min_n, source=source)


def _kept_scores(tidy: pd.DataFrame, fw: Framework, path: Path, root: Path | None) -> pd.DataFrame | None:
    """The respondent scores of the national tables a run (or a briefing) kept beside the data
    (:mod:`fundament_lib.results.tablecache`), or ``None`` where there are none for these data, this
    framework and the kommuner's parameters; the explorer then computes the scores itself (quick:
    the bootstrap and the models are what the cache saves)."""
    from fundament_lib.results.fingerprints import data_hash
    from fundament_lib.results.pipeline import data_files

    codes = sorted({str(c) for c in tidy["kommunekode"].unique()})
    demo = demo_codes(tidy)
    try:
        params = {c: load_params(root or params_dir(), c, demo=c in demo) for c in codes}
    except ParamsError:
        return None
    if any(p.framework != fw.id for p in params.values()):  # the run scored some kommuner with another
        return None
    key = table_key(data_id=data_hash(data_files(path)), fw=fw, settings=settings_from(params), codes=codes)
    tables = cached_tables(path, fw, key)
    if tables is None:
        say(f"Beregner respondenternes scorer for {len(codes)} kommuner (ingen gemte nationale tabeller "
            "for disse data endnu; en kørsel eller briefing.load gemmer dem).")
        return None
    return tables.respondent_scores


def _detect_framework(tidy: pd.DataFrame) -> Framework:
    """The shipped framework whose codebook holds every item id in ``tidy``."""
    present = {str(i) for i in tidy["item_id"].unique()}
    for fid in available_frameworks():
        fw = load_framework(fid)
        if present <= set(fw.codebook()["item_id"]):
            return fw
    raise FrameworkError(f"data: its item ids fit no shipped framework ({', '.join(available_frameworks())}); "
                         "pass framework= with the framework's id or YAML file")


def _thresholds(codes: Sequence[str], min_n: int, root: Path | None, demo: frozenset[str]) -> dict[str, int]:
    folder = root or params_dir()
    out = {}
    for code in codes:
        try:
            own = load_params(folder, code, demo=code in demo).min_n if folder.is_dir() else min_n
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
