"""Export for further work: score tables, item distributions and (on request) the
respondent-level data, as Parquet, CSV and XLSX, with a data dictionary.

What is exported
----------------
* ``scores`` — pejlemærke and theme scores per kommune × group, ``items`` —
  answer distributions per item, ``subgroup_scores`` — frontline leaders'
  scores per fagområde. They are cut from the same per-kommune summaries the
  briefings are made from (:func:`fundament_lib.results.pipeline.prepare`, i.e.
  :func:`fundament_lib.results.summary.build_summaries`), so a suppressed cell is
  suppressed here too: it keeps its key and the reason, never a number.
  Where a kommune's respondent count of a group is hidden, every cell about
  that group is hidden here as in the briefing — also the ``alle`` row of an
  item only that group was asked (the frontline leaders' role, burden and
  outcome items), whose n + ``dont_know`` + ``missing`` would otherwise count
  the group (:mod:`fundament_lib.results.cells`).
* With ``include_respondents=True``: ``FORTROLIGT_svar_pr_respondent`` (the
  tidy answers, free text screened with :func:`fundament_lib.results.textscreen.screen`)
  and ``FORTROLIGT_scorer_pr_respondent``. These are respondent-level data for
  researchers with access to the raw data and must never be published; the
  file names and the data dictionary say so.

Spreadsheet safety
------------------
Text that starts with ``=``, ``+``, ``-`` or ``@`` (also after leading
whitespace), or with a tab or carriage return, is prefixed with a single quote
in CSV and XLSX (OWASP, "CSV Injection"), so a spreadsheet never runs it as a
formula. CSV is UTF-8 with a byte-order mark (Excel then reads æøå) and, by
default, ``;``-separated with a decimal comma as Danish Excel expects.
Every file is written atomically.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from fundament_lib.analysis.scoring import respondent_scores
from fundament_lib.core.atomic import write_bytes, write_parquet
from fundament_lib.framework import Framework, load_framework

from .kommune_summary import COLUMNS
from .privacy import reason_text
from .textscreen import screen

__all__ = ["FORMATS", "CsvStyle", "DANISH", "INTERNATIONAL", "neutralise", "neutralise_frame",
           "score_tables", "respondent_tables", "data_dictionary", "write_table", "write_workbook",
           "export", "CONFIDENTIAL_PREFIX", "DICTIONARY"]

FORMATS: tuple[str, ...] = ("parquet", "csv", "xlsx")
CONFIDENTIAL_PREFIX = "FORTROLIGT_"
DICTIONARY = "dataordbog"
WORKBOOK = "fundament_export"
_FORMULA = re.compile(r"^(?:[\t\r]|\s*[=+\-@])")


@dataclass(frozen=True)
class CsvStyle:
    """How CSV files are written: field separator and decimal mark (always UTF-8 with BOM)."""

    sep: str = ";"
    decimal: str = ","

    def __post_init__(self) -> None:
        if self.sep == self.decimal:
            raise ValueError(f"decimal: must differ from the separator {self.sep!r}, got {self.decimal!r}")
        if self.sep not in (";", ",", "\t", "|"):
            raise ValueError(f"sep: expected one of ';', ',', tab, '|', got {self.sep!r}")
        if self.decimal not in (",", "."):
            raise ValueError(f"decimal: expected ',' or '.', got {self.decimal!r}")


DANISH = CsvStyle(";", ",")
INTERNATIONAL = CsvStyle(",", ".")


def neutralise(value: object) -> object:
    """Prefix a single quote to text a spreadsheet would read as a formula; other values unchanged.

    Examples
    --------
    >>> neutralise("=SUM(A1:A9)")
    "'=SUM(A1:A9)"
    >>> neutralise("  @cmd")
    "'  @cmd"
    >>> neutralise("Helt enig"), neutralise(-3)
    ('Helt enig', -3)
    """
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell passed through :func:`neutralise` (numbers untouched)."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s) or isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.astype(object).map(neutralise, na_action="ignore")
    return out


# ---- the tables ----------------------------------------------------------------------------

def _with_reason(frame: pd.DataFrame, min_n: pd.Series) -> pd.DataFrame:
    text = [reason_text(str(r), int(k)) if isinstance(r, str) else None
            for r, k in zip(frame["suppression"], min_n, strict=True)]
    return frame.assign(suppression_text=text)


def _flatten(summaries: Mapping[str, Mapping[str, Any]], pick: Any, columns: Sequence[str] = ()) -> pd.DataFrame:
    """One long table of every kommune's records; with no record at all (nothing of the kind was
    asked anywhere) the table still has its columns."""
    rows = []
    for code, s in sorted(summaries.items()):
        head = {"kommunekode": code, "kommune": s["kommune"], "wave": s["wave"], "min_n": s["min_n"]}
        rows += [{**head, **r} for r in pick(s)]
    frame = pd.DataFrame(rows, columns=None if rows else ["kommunekode", "kommune", "wave", "min_n", *columns])
    counts = [c for c in frame.columns if c in ("n", "min_n", "dont_know", "missing") or re.fullmatch(r"c\d+", c)]
    return frame.astype(dict.fromkeys(counts, "Int64"))


def score_tables(summaries: Mapping[str, Mapping[str, Any]], fw: Framework) -> dict[str, pd.DataFrame]:
    """The briefings' tables for every kommune, suppression as in the briefings.

    Parameters
    ----------
    summaries
        Kommune code → summary (``Prepared.summaries`` from :func:`fundament_lib.results.pipeline.prepare`).
    fw
        The framework (for labels).

    Returns
    -------
    dict
        ``scores``, ``items``, ``subgroup_scores``, ``gaps``, ``benchmark``, ``changes``,
        ``roles`` and ``burden`` as long tables; hidden cells have ``n`` and every number
        missing, ``suppressed`` true and the reason in ``suppression`` (code) and
        ``suppression_text`` (Danish). Gaps, benchmark positions and changes exist only
        where every cell behind them is shown, as in the briefings.
    """
    titles = {i: t for i, t in [(d.id, d.title) for d in fw.domains] + [(t.id, t.title) for t in fw.themes()]}
    scores = _flatten(summaries, lambda s: s["scores"], COLUMNS["scores"])
    scores.insert(scores.columns.get_loc("id") + 1, "title", scores["id"].map(titles))
    items = _flatten(summaries, lambda s: s["items"], COLUMNS["items"])
    codebook = fw.codebook().set_index("item_id")
    items.insert(items.columns.get_loc("item_id") + 1, "block", items["item_id"].map(codebook["block"]))
    items.insert(items.columns.get_loc("block") + 1, "theme", items["item_id"].map(codebook["theme"]))
    items.insert(items.columns.get_loc("theme") + 1, "text", items["item_id"].map(codebook["text"]))
    sub = _flatten(summaries, lambda s: s["subgroups"]["fagomraade"], COLUMNS["subgroups"]).rename(
        columns={"group": "fagomraade"})
    out = {"scores": scores, "items": items, "subgroup_scores": sub,
           "gaps": _flatten(summaries, lambda s: s["gaps"], COLUMNS["gaps"]),
           "benchmark": _flatten(summaries, lambda s: s["benchmark"], COLUMNS["benchmark"]),
           "changes": _flatten(summaries, lambda s: s["changes"], COLUMNS["changes"]),
           "roles": _flatten(summaries, lambda s: s["roles"], COLUMNS["roles"]),
           "burden": _flatten(summaries, lambda s: s["burden"]["areas"], COLUMNS["burden_areas"]),
           "scales": _flatten(summaries, lambda s: [{**r, "points": ",".join(map(str, r["points"]))}
                                                   for r in s.get("scales", [])], ["id", "points", "framework_points"]),
           "analyses": _flatten(summaries, lambda s: [{"analysis": k, **v} for k, v in s.get("analyses", {}).items()],
                                ["analysis", "done", "reason", "text"])}
    return {name: _with_reason(t, t["min_n"]) if "suppression" in t else t for name, t in out.items()}


def respondent_tables(tidy: pd.DataFrame, fw: Framework) -> dict[str, pd.DataFrame]:
    """The confidential respondent-level tables: the tidy answers with free text screened,
    and every respondent's scores."""
    answers = tidy.copy()
    for col in answers.columns:
        if isinstance(answers[col].dtype, pd.CategoricalDtype):
            answers[col] = answers[col].astype(object).where(answers[col].notna(), None)
    if "text" in answers.columns:
        answers["text"] = answers["text"].map(lambda t: screen(t).text if isinstance(t, str) else t)
    scores = respondent_scores(tidy, fw).reset_index()
    return {f"{CONFIDENTIAL_PREFIX}svar_pr_respondent": answers,
            f"{CONFIDENTIAL_PREFIX}scorer_pr_respondent": scores}


# ---- the data dictionary -------------------------------------------------------------------

_TABLES = {
    "scores": "Score (0–100) pr. kommune × gruppe × pejlemærke/tema i kommunens seneste runde, som "
              "briefingen viser den; skjulte celler har ingen tal.",
    "items": "Svarfordeling pr. kommune × gruppe × spørgsmål, som briefingen viser den; skjulte celler har ingen tal.",
    "subgroup_scores": "De borgernære lederes score pr. fagområde, som briefingen viser den.",
    "gaps": "Forskellen stab − borgernære ledere pr. kommune × pejlemærke/tema, kun hvor begge grupper vises.",
    "benchmark": "Kommunens placering blandt alle kommuner, i regionen og i kommunegruppen (alle ledere).",
    "changes": "Ændring siden forrige runde pr. kommune × gruppe × pejlemærke/tema, kun hvor begge runder vises.",
    "roles": "De borgernære lederes vurdering af hver stabsfunktions fem roller (0–100), som briefingen viser den.",
    "burden": "Andel borgernære ledere, der peger på hvert opgaveområde som tidsrøver, som briefingen viser den.",
    "scales": "Hvilken skala (antal trin) hvert tema og hver spørgsmålsblok er stillet på i kommunens måling.",
    "analyses": "Hvilke analyser kommunens data tillod, og hvorfor ikke, hvor en analyse mangler (som i briefingen).",
    f"{CONFIDENTIAL_PREFIX}svar_pr_respondent": "FORTROLIGT: svar på respondentniveau (ét svar pr. række). "
        "Kun til forskere med adgang til rådata. Må ikke offentliggøres eller deles. Fritekst er renset for navne, "
        "e-mail og telefonnumre.",
    f"{CONFIDENTIAL_PREFIX}scorer_pr_respondent": "FORTROLIGT: hver respondents scorer (0–100). Kun til forskere "
        "med adgang til rådata. Må ikke offentliggøres eller deles.",
}
_COLUMNS = {
    "kommunekode": "Kommunens 3-cifrede kode (Danmarks Statistik)",
    "kommune": "Kommunens navn",
    "wave": "Undersøgelsesrunde, fx 2025",
    "min_n": "Kommunens diskretionsgrænse: der vises intet om færre svar",
    "id": "Pejlemærke (P1, P2) eller tema (P1.1 …)",
    "title": "Pejlemærkets eller temaets titel",
    "level": "'pejlemaerke' eller 'theme' (tema)",
    "group": "Respondentgruppe: 'alle', 'stab' (stab og ledelse) eller 'borgernaer' (borgernære ledere)",
    "n": "Antal respondenter (scorer) eller substantielle svar (spørgsmål) bag tallet; tom når skjult",
    "score": "Gennemsnit på 0–100 (laveste svarmulighed = 0, højeste = 100); for afkrydsning andel valgt × 100",
    "top2": "Andel positive svar (de to øverste svarmuligheder), 0–1",
    "ci_low": "Nedre grænse af scorens konfidensinterval (bootstrap over respondenter, niveau som i briefingen)",
    "ci_high": "Øvre grænse af scorens konfidensinterval (bootstrap over respondenter, niveau som i briefingen)",
    "suppressed": "Sand, hvis cellen er skjult af diskretionshensyn",
    "suppression": "Hvorfor skjult: 'few' (for få svar), 'complement' (ville afsløre en mindre gruppe), 'empty'",
    "suppression_text": "Hvorfor skjult, på dansk",
    "item_id": "Spørgsmålets id i rammens kodebog",
    "block": "Spørgsmålets blok: theme, importance, outcome, role, burden, prerequisite …",
    "theme": "Temaet, spørgsmålet hører til (tom for spørgsmål uden tema)",
    "text": "Spørgsmålets ordlyd",
    "dont_know": "Antal 'Ved ikke'-svar (tæller ikke med i n eller gennemsnit)",
    "missing": "Antal ubesvarede",
    "fagomraade": "Fagområde (de borgernære lederes)",
    "respondent_id": "Respondentens id (entydigt i datasættet) – FORTROLIGT",
    "stabsfunktion": "Stabsfunktion (stabens respondenter)",
    "ledelsesniveau": "Ledelsesniveau",
    "value": "Svaret som tal (kun ved substantielt svar)",
    "status": "'svar', 'ved_ikke' eller 'ubesvaret'",
    "points": "Antal trin (K) på den skala, svaret er givet på; værdien går fra 1 (skalaens negative ende) til K; "
              "tom for afkrydsning, tal og tekst. I tabellen scales: temaets skalaer, adskilt af komma, hvis der "
              "er flere",
    "n_stab": "Antal respondenter i staben bag forskellen",
    "n_borgernaer": "Antal borgernære ledere bag forskellen",
    "diff": "Forskel i point: stabens score minus de borgernære lederes",
    "hedges_g": "Standardiseret forskel (Hedges' g)",
    "p": "p-værdi (Welch-test)",
    "p_holm": "p-værdi justeret for antallet af temaer (Holm)",
    "clear": "Sand, hvis forskellen/ændringen er klar (Holm-justeret p under 5 %) – samme dom som i briefingen",
    "norm": "Det normale på landsplan: medianen af forskellen stab − borgernære ledere over kommunerne",
    "large": "Sand, hvis forskellen er klar og større end det normale på landsplan",
    "rank": "Placering blandt alle kommuner (1 = højeste score)",
    "n_kommuner": "Antal kommuner i sammenligningen",
    "percentile": "Percentil blandt alle kommuner (100 = højeste)",
    "rank_ci_low": "Bedste placering i 95 %-intervallet for placeringen",
    "rank_ci_high": "Dårligste placering i 95 %-intervallet for placeringen",
    "rank_region": "Placering i regionen", "n_region": "Antal kommuner i regionen",
    "percentile_region": "Percentil i regionen",
    "rank_region_ci_low": "Bedste placering i regionen (95 %-interval)",
    "rank_region_ci_high": "Dårligste placering i regionen (95 %-interval)",
    "rank_kommunegruppe": "Placering i kommunegruppen", "n_kommunegruppe": "Antal kommuner i kommunegruppen",
    "percentile_kommunegruppe": "Percentil i kommunegruppen",
    "rank_kommunegruppe_ci_low": "Bedste placering i kommunegruppen (95 %-interval)",
    "rank_kommunegruppe_ci_high": "Dårligste placering i kommunegruppen (95 %-interval)",
    "wave_previous": "Forrige runde", "n_previous": "Antal respondenter i forrige runde",
    "n_latest": "Antal respondenter i seneste runde", "score_previous": "Score i forrige runde",
    "score_latest": "Score i seneste runde", "change": "Ændring i point (seneste minus forrige runde)",
    "function": "Stabsfunktion, der vurderes", "role": "Rollen, der vurderes",
    "area": "Opgaveområde", "share": "Andel (0–1)",
    "framework_points": "Antal trin på rammens egen skala for spørgsmålene",
    "analysis": "Analysen: benchmark, gaps, changes, drivers, reliability, priority, fagomraade, roles, burden, "
                "free_text",
    "done": "Sand, hvis analysen kunne laves på kommunens data",
    "reason": "Hvorfor ikke (kode): not_asked, one_kommune, one_group, no_previous_wave, few_respondents, hidden, "
              "all_strong",
}
_TEXT_IN = {"analyses": {"text": "Hvorfor analysen mangler, på dansk, som briefingen siger det"},
            f"{CONFIDENTIAL_PREFIX}svar_pr_respondent": {"text": "Fritekstsvar, renset for navne, e-mail og "
                                                                 "telefonnumre – FORTROLIGT"}}


def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "sand/falsk"
    if pd.api.types.is_integer_dtype(s):
        return "heltal"
    if pd.api.types.is_float_dtype(s):
        values = s.dropna()
        return "heltal" if len(values) and (values == values.round()).all() and s.name != "score" else "decimaltal"
    return "tekst"


def _meaning(table: str, col: str, fw: Framework) -> str:
    if col in _TEXT_IN.get(table, {}):
        return _TEXT_IN[table][col]
    if re.fullmatch(r"c\d+", col):
        code = int(col[1:])
        likert = fw.scales[fw.theme_scale].labels
        label = f" (fx '{likert[code]}' på temaudsagnene)" if code in likert else ""
        return f"Antal svar med kode {code} på spørgsmålets skala{label}; 0/1 for afkrydsning"
    titles = {i: t for i, t in [(d.id, d.title) for d in fw.domains] + [(t.id, t.title) for t in fw.themes()]}
    if col in titles:
        return f"Respondentens score (0–100) på {col} {titles[col]}; tom uden nok besvarede udsagn"
    return _COLUMNS.get(col, "")


def data_dictionary(tables: Mapping[str, pd.DataFrame], fw: Framework) -> pd.DataFrame:
    """One row per table (column ``"(tabel)"``) and per column: ``table``, ``column``, ``type``, ``meaning``.

    Raises
    ------
    ValueError
        If a column has no description (so a new column cannot slip out undocumented).
    """
    rows = []
    for name, frame in tables.items():
        rows.append({"table": name, "column": "(tabel)", "type": "", "meaning": _TABLES.get(name, "")})
        for col in frame.columns:
            meaning = _meaning(name, str(col), fw)
            if not meaning:
                raise ValueError(f"column {col!r} of table {name!r} has no entry in the data dictionary")
            rows.append({"table": name, "column": str(col), "type": _kind(frame[col]), "meaning": meaning})
    return pd.DataFrame(rows)


# ---- writing -------------------------------------------------------------------------------

def _csv_bytes(frame: pd.DataFrame, style: CsvStyle) -> bytes:
    text = neutralise_frame(frame).to_csv(sep=style.sep, decimal=style.decimal, index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def write_table(frame: pd.DataFrame, folder: Path, name: str, *, formats: Iterable[str] = ("parquet", "csv"),
                style: CsvStyle = DANISH) -> list[Path]:
    """Write one table as ``<name>.parquet`` and/or ``<name>.csv`` atomically; returns the paths."""
    written = []
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        if fmt == "parquet":
            write_parquet(frame, path)
        elif fmt == "csv":
            write_bytes(path, _csv_bytes(frame, style))
        else:
            continue
        written.append(path)
    return written


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """Write sheets (name → table) to one XLSX file atomically, text neutralised, header frozen.

    Rows are streamed (openpyxl's write-only mode), so a respondent-level table
    of half a million rows fits in modest memory.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.freeze_panes = "A2"
        for j, col in enumerate(frame.columns, start=1):
            width = min(60, max(8, len(str(col)) + 2, *(len(str(v)) for v in frame[col].head(50))))
            sheet.column_dimensions[get_column_letter(j)].width = width
        sheet.append([str(c) for c in frame.columns])
        for row in neutralise_frame(frame).astype(object).itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in row])
    buf = io.BytesIO()
    book.save(buf)
    write_bytes(path, buf.getvalue())
    return path


def _cell(value: object) -> object:
    """A value openpyxl can store: missing → empty cell, numpy scalars → Python."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def export(data: Path | None = None, *, out: Path, formats: Sequence[str] = FORMATS, style: CsvStyle = DANISH,
           include_respondents: bool = False, kommuner: list[str] | None = None,
           params_root: Path | None = None) -> dict[str, list[Path]]:
    """Score the data as ``fundament run`` does and export the tables (see the module docstring).

    Parameters
    ----------
    data
        Processed Parquet file or folder (default: the demo data).
    out
        Output folder.
    formats
        Any of ``"parquet"``, ``"csv"``, ``"xlsx"``.
    style
        CSV separator and decimal mark (:data:`DANISH` by default).
    include_respondents
        Also export the confidential respondent-level tables.
    kommuner
        Kommuner to export (default: all in the data).
    params_root
        The ``params/`` folder (each kommune's threshold).

    Returns
    -------
    dict
        Table name (and ``dataordbog``) → the files written.
    """
    from .pipeline import prepare

    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats: expected some of {', '.join(FORMATS)}, got {list(formats)!r}")
    prepared = prepare(data, kommuner=kommuner, params_root=params_root)
    fw = load_framework(next(iter(prepared.summaries.values()))["framework"]) if prepared.summaries \
        else load_framework()
    public = score_tables(prepared.summaries, fw)
    private = respondent_tables(_only(prepared.tidy, kommuner), fw) if include_respondents else {}
    dictionary = data_dictionary({**public, **private}, fw)
    written: dict[str, list[Path]] = {}
    for name, frame in {**public, **private}.items():
        written[name] = write_table(frame, out, name, formats=formats, style=style)
    written[DICTIONARY] = write_table(dictionary, out, DICTIONARY, formats=["csv"], style=style)
    if "xlsx" in formats:
        written[WORKBOOK] = [write_workbook({**public, DICTIONARY: _rows_of(dictionary, public)},
                                            out / f"{WORKBOOK}.xlsx")]
        for name, frame in private.items():
            written[name].append(write_workbook({name: frame, DICTIONARY: _rows_of(dictionary, {name: frame})},
                                                out / f"{name}.xlsx"))
    return written


def _only(tidy: pd.DataFrame, kommuner: list[str] | None) -> pd.DataFrame:
    if not kommuner:
        return tidy
    return tidy[tidy["kommunekode"].astype(str).isin([str(k).zfill(3) for k in kommuner])]


def _rows_of(dictionary: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    return dictionary[dictionary["table"].isin(list(tables))].reset_index(drop=True)
