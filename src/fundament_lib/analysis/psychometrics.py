"""Does the data support the framework? Item–rest correlations, reliability per theme,
an exploratory factor analysis checked against the intended themes, and the
variance between kommuner — with a report-ready section in Danish.

The factor check (:func:`factor_check`)
---------------------------------------
1. The theme items (reversed items recoded) are correlated pairwise
   (Pearson, every respondent who answered both items); a matrix that is not
   positive definite is replaced by the nearest correlation matrix
   (``statsmodels.stats.correlation_tools.corr_nearest``).
2. A maximum-likelihood factor analysis (``statsmodels.multivariate.factor.Factor``,
   ``method="ml"``, seeded start) extracts as many factors as the framework has
   themes (or ``n_factors``), rotated obliquely (``"oblimin"`` with γ = 0, i.e.
   quartimin — verified against R by statsmodels; or ``"promax"``), since the
   themes are expected to correlate.
3. Factors are matched one-to-one to themes by the Hungarian algorithm
   (``scipy.optimize.linear_sum_assignment``) on the theme × factor matrix of
   mean absolute loadings of each theme's items — the matching that makes the
   items load most on their own theme's factor overall. Each factor is then
   oriented so that its theme's loadings sum to a positive number.
4. An item is **flagged** when (a) its highest absolute loading is on another
   factor than its own theme's, or (b) its loading on its own theme's factor
   is below ``threshold`` (0.30 by default; a negative loading is below it), or
   (c) its theme got no factor (fewer factors than themes).

The rule is deterministic: same data, same seed, same flags.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from scipy.optimize import linear_sum_assignment

from fundament_lib.core.fmt import fmt_num
from fundament_lib.framework.model import Framework
from fundament_lib.report import plots
from fundament_lib.report.html import Html, bullets, figure, heading, note, paragraph, table

from .scoring import respondent_scores, scored_items
from .stats import MIN_MODEL_KOMMUNER

__all__ = ["FactorCheck", "Psychometrics", "item_rest", "factor_check", "loadings_heatmap",
           "reliability", "kommune_variance", "analyse", "section", "ROTATIONS", "DEFAULT_THRESHOLD",
           "DEFAULT_SEED"]

ROTATIONS: tuple[str, ...] = ("oblimin", "promax", "biquartimin")
DEFAULT_THRESHOLD = 0.30
DEFAULT_SEED = 20251
MIN_RESPONDENTS = 100


def _items(tidy: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Respondents × theme items answered by anyone, reversed items recoded: each answer on 0–100
    of the scale it was given on (a linear rescaling, which leaves correlations as they are)."""
    ids = [i for items in fw.theme_items().values() for i in items]
    matrix = scored_items(tidy, fw, ids)[0]
    return matrix.loc[:, matrix.notna().any()]


def _asked_themes(matrix: pd.DataFrame, fw: Framework) -> dict[str, list[str]]:
    """Theme → its items in ``matrix`` (themes without any left out)."""
    out = {t: [i for i in ids if i in matrix.columns] for t, ids in fw.theme_items().items()}
    return {t: ids for t, ids in out.items() if ids}


def item_rest(tidy: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Correlation of each item with the rest of its theme (corrected item–total correlation).

    The rest score is the mean of the respondent's other answered items in the
    theme; ``r`` is Pearson's correlation over respondents with both, ``n``
    their number. Below 0.30 is the usual sign that an item measures something
    else (Nunnally & Bernstein 1994).

    Returns
    -------
    pandas.DataFrame
        ``item_id``, ``theme``, ``n``, ``r``.
    """
    matrix = _items(tidy, fw)
    rows = []
    for theme, ids in _asked_themes(matrix, fw).items():
        for item in ids:
            rest = matrix[[i for i in ids if i != item]].mean(axis=1)
            both = matrix[item].notna() & rest.notna()
            r = float(np.corrcoef(matrix.loc[both, item], rest[both])[0, 1]) if both.sum() > 2 else np.nan
            rows.append({"item_id": item, "theme": theme, "n": int(both.sum()), "r": r})
    return pd.DataFrame(rows)


@dataclass
class FactorCheck:
    """The result of :func:`factor_check`.

    Attributes
    ----------
    loadings
        Items × factors (rotated, oriented); factor columns are named by the
        theme matched to them (``F<k>`` for an unmatched factor).
    items
        One row per item: ``item_id``, ``theme``, ``own_loading`` (on its
        theme's factor), ``max_factor`` and ``max_loading`` (its highest
        absolute loading), ``communality``, ``flagged`` and ``reason``.
    factor_corr
        Correlations between the factors (oblique rotation).
    n, n_factors, rotation, threshold
        Respondents, factors, rotation and the loading threshold used.
    """

    loadings: pd.DataFrame
    items: pd.DataFrame
    factor_corr: pd.DataFrame
    n: int
    n_factors: int
    rotation: str
    threshold: float
    theme_titles: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def flagged(self) -> pd.DataFrame:
        """The flagged items only."""
        return self.items[self.items["flagged"]].reset_index(drop=True)

    def statement(self) -> str:
        """Plain Danish: which items load where they should not (or that all load as intended)."""
        k = len(self.items)
        if self.flagged.empty:
            return (f"Alle {k} udsagn lader højest på deres eget temas faktor med en ladning på mindst "
                    f"{fmt_num(self.threshold, 2)}. Data understøtter rammens opdeling i temaer.")
        sentences = [_flag_sentence(row, self) for row in self.flagged.itertuples(index=False)]
        head = (f"{len(sentences)} af {k} udsagn lader ikke, som rammen forventer:" if len(sentences) > 1
                else f"1 af {k} udsagn lader ikke, som rammen forventer:")
        return head + " " + " ".join(sentences)


def _theme_name(theme: str | None, check: FactorCheck) -> str:
    if theme is None or theme not in check.theme_titles:
        return "en faktor uden eget tema"
    return f"{theme} {check.theme_titles[theme]}"


def _flag_sentence(row: Any, check: FactorCheck) -> str:
    text = check.texts.get(row.item_id, "")
    quoted = f" («{text}»)" if text else ""
    own = "ingen" if pd.isna(row.own_loading) else fmt_num(row.own_loading, 2)
    start = f"Udsagn {row.item_id}{quoted} hører til {_theme_name(row.theme, check)}, men"
    if row.max_factor != row.theme:
        return (f"{start} lader højest på faktoren for {_theme_name(row.max_factor, check)} "
                f"(ladning {fmt_num(row.max_loading, 2)}; på eget temas faktor {own}).")
    return (f"{start} lader kun {own} på sit eget temas faktor "
            f"(under grænsen på {fmt_num(check.threshold, 2)}).")


def _correlations(matrix: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Pairwise correlations (nearest correlation matrix if not positive definite) and the
    smallest pairwise n."""
    answered = matrix.notna().astype(float)
    pair_n = answered.T @ answered
    corr = matrix.corr(min_periods=3)
    if corr.isna().to_numpy().any():
        never = corr.columns[corr.isna().any()].tolist()
        raise ValueError(f"items: too few respondents answered both of some item pairs: {never[:5]}")
    c = corr.to_numpy()
    if np.linalg.eigvalsh(c).min() <= 1e-8:
        from statsmodels.stats.correlation_tools import corr_nearest

        c = corr_nearest(c, threshold=1e-6)
    return c, int(pair_n.to_numpy().min())


def factor_check(tidy: pd.DataFrame, fw: Framework, *, n_factors: int | None = None,
                 rotation: str = "oblimin", threshold: float = DEFAULT_THRESHOLD,
                 seed: int = DEFAULT_SEED) -> FactorCheck:
    """Exploratory factor analysis of the theme items, checked against the intended themes.

    Parameters
    ----------
    tidy
        Tidy answers (any kommuner and waves; every respondent counts once).
    fw
        The framework (themes, items, reversed items).
    n_factors
        Factors to extract (default: the number of themes).
    rotation
        Oblique rotation: ``"oblimin"`` (default), ``"promax"`` or ``"biquartimin"``.
    threshold
        Smallest acceptable loading on the item's own theme's factor.
    seed
        Seed of the ML start values.

    Returns
    -------
    FactorCheck
        See the module docstring for the rule behind ``flagged``.

    Raises
    ------
    ValueError
        With too few respondents (fewer than 100), an unknown rotation, or a
        number of factors the items cannot identify.
    """
    from statsmodels.multivariate.factor import Factor

    if rotation not in ROTATIONS:
        raise ValueError(f"rotation: expected one of {', '.join(ROTATIONS)}, got {rotation!r}")
    matrix = _items(tidy, fw).dropna(how="all")
    themes = _asked_themes(matrix, fw)
    p, k = matrix.shape[1], n_factors or len(themes)
    if len(matrix) < MIN_RESPONDENTS:
        raise ValueError(f"tidy: a factor analysis needs at least {MIN_RESPONDENTS} respondents, "
                         f"got {len(matrix)}")
    if k < 1 or (p - k) ** 2 < p + k:
        raise ValueError(f"n_factors: {p} items identify at most {_max_factors(p)} factors, got {k}")
    corr, n = _correlations(matrix)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' ConvergenceWarning on the inner EM steps
        res = Factor(corr=corr, n_factor=k, method="ml", nobs=n, endog_names=list(matrix.columns)).fit(
            rng=seed, opt={"maxiter": 2000}, em_iter=20)
        if k > 1:
            res.rotate(rotation)
    loadings = np.asarray(res.loadings, dtype=float)
    phi = res._corr_factors() if k > 1 else np.ones((1, 1))
    return _assess(matrix, loadings, np.asarray(phi), np.asarray(res.uniqueness, dtype=float), fw,
                   n=len(matrix), rotation=rotation, threshold=threshold)


def _max_factors(p: int) -> int:
    return max(k for k in range(1, p) if (p - k) ** 2 >= p + k)


def _assess(matrix: pd.DataFrame, loadings: np.ndarray, phi: np.ndarray, uniq: np.ndarray, fw: Framework,
            *, n: int, rotation: str, threshold: float) -> FactorCheck:
    """Match factors to themes, orient and order them, and flag items."""
    themes = _asked_themes(matrix, fw)
    names = list(themes)
    row = {item: j for j, item in enumerate(matrix.columns)}
    fit = np.array([[np.abs(loadings[[row[i] for i in themes[t]], f]).mean() for f in range(loadings.shape[1])]
                    for t in names])
    t_idx, f_idx = linear_sum_assignment(-fit)
    theme_of = {int(f): names[int(t)] for t, f in zip(t_idx, f_idx, strict=True)}
    order = [f for t in names for f, th in theme_of.items() if th == t]
    order += [f for f in range(loadings.shape[1]) if f not in theme_of]
    sign = np.array([_orientation(loadings, f, theme_of.get(f), themes, row) for f in order])
    ordered = loadings[:, order] * sign
    columns = [theme_of.get(f, f"F{j + 1}") for j, f in enumerate(order)]
    frame = pd.DataFrame(ordered, index=matrix.columns, columns=columns)
    corr = pd.DataFrame(phi[np.ix_(order, order)] * np.outer(sign, sign), index=columns, columns=columns)
    items = _flags(frame, themes, 1 - uniq, threshold)
    titles = {t.id: t.title for t in fw.themes() if t.id in themes}
    texts = {i.id: i.text for t in fw.themes() for i in t.items}
    return FactorCheck(frame, items, corr, n, loadings.shape[1], rotation, threshold, titles, texts)


def _orientation(loadings: np.ndarray, f: int, theme: str | None, themes: dict[str, list[str]],
                 row: dict[str, int]) -> float:
    rows = [row[i] for i in themes[theme]] if theme else list(range(loadings.shape[0]))
    return -1.0 if loadings[rows, f].sum() < 0 else 1.0


def _flags(frame: pd.DataFrame, themes: dict[str, list[str]], communality: np.ndarray, threshold: float
           ) -> pd.DataFrame:
    rows = []
    for j, item in enumerate(frame.index):
        theme = next(t for t, ids in themes.items() if item in ids)
        own = float(frame.at[item, theme]) if theme in frame.columns else np.nan
        top = str(frame.loc[item].abs().idxmax())
        if theme not in frame.columns:
            reason = "temaet fik ingen faktor"
        elif top != theme:
            reason = "lader højest på et andet temas faktor"
        elif own < threshold:
            reason = "lader svagt på sit eget temas faktor"
        else:
            reason = ""
        rows.append({"item_id": item, "theme": theme, "own_loading": own, "max_factor": top,
                     "max_loading": float(frame.at[item, top]), "communality": float(communality[j]),
                     "flagged": bool(reason), "reason": reason or None})
    return pd.DataFrame(rows)


def loadings_heatmap(check: FactorCheck, *, ax: Axes | None = None) -> Axes:
    """Items × factors heatmap of the loadings; each item's own theme's factor is outlined
    and flagged items are marked "(!)". Diverging colours, values printed (grayscale-safe)."""
    import seaborn as sns

    frame = check.loadings
    ax = plots._new_ax(ax, (1.0 + 0.75 * frame.shape[1], 0.32 * frame.shape[0] + 1.6))
    annot = np.vectorize(lambda v: fmt_num(v, 2))(frame.to_numpy())
    sns.heatmap(frame, ax=ax, vmin=-1, vmax=1, cmap="RdBu_r", center=0, annot=annot, fmt="",
                annot_kws={"fontsize": 7}, linewidths=0.5, linecolor="white",
                cbar_kws={"label": "Ladning (roteret)", "shrink": 0.6})
    flagged = set(check.flagged["item_id"])
    cols = list(frame.columns)
    for y, row in enumerate(check.items.itertuples(index=False)):
        if row.theme in cols:
            ax.add_patch(Rectangle((cols.index(row.theme), y), 1, 1, fill=False, edgecolor="#000000", lw=1.4))
    ax.set_yticks(np.arange(len(frame)) + 0.5,
                  [f"{i} (!)" if i in flagged else i for i in frame.index], rotation=0, fontsize=8)
    for tick in ax.get_yticklabels():
        if tick.get_text().endswith("(!)"):
            tick.set_fontweight("bold")
    ax.set_xticks(np.arange(len(cols)) + 0.5, cols, rotation=0, fontsize=8)
    ax.set_xlabel("Faktor (navngivet efter det tema, den er parret med)")
    ax.set_ylabel("Udsagn")
    ax.set_title(f"Faktorladninger ({check.rotation}-rotation, n = {check.n})")
    return ax


def reliability(tidy: pd.DataFrame, fw: Framework, *, confidence: float = 0.95) -> pd.DataFrame | None:
    """Cronbach's alpha (Feldt's interval) and McDonald's omega per theme, pooled over all
    respondents (``fundament_lib.analysis.stats.reliability_table``); ``None`` when the statistics
    package is not available."""
    try:
        from .stats import reliability_table
    except ImportError:
        return None
    table_ = reliability_table(tidy, fw, by=None, confidence=confidence)
    return table_.drop(columns=["scope"], errors="ignore").reset_index(drop=True)


def kommune_variance(scores: pd.DataFrame, fw: Framework) -> pd.DataFrame | None:
    """Share of the variance of each theme score that lies between kommuner (ICC, from
    ``fundament_lib.analysis.stats.icc_table``); ``None`` when that function is not available."""
    try:
        from .stats import icc_table
    except ImportError:
        return None
    return pd.DataFrame(icc_table(scores, fw))


@dataclass
class Psychometrics:
    """Everything :func:`section` reports: built by :func:`analyse`.

    ``factors`` and ``icc`` are ``None`` where the data do not allow them; ``skipped`` then
    holds the Danish line saying why (keys ``factors``, ``icc``, ``reliability``).
    """

    item_rest: pd.DataFrame
    reliability: pd.DataFrame | None
    factors: FactorCheck | None
    icc: pd.DataFrame | None
    n: int
    n_kommuner: int
    fw: Framework
    skipped: dict[str, str] = field(default_factory=dict)


def analyse(tidy: pd.DataFrame, fw: Framework, *, n_factors: int | None = None, rotation: str = "oblimin",
            threshold: float = DEFAULT_THRESHOLD, seed: int = DEFAULT_SEED) -> Psychometrics:
    """Run every check of this module on ``tidy`` (see each function) that the data allow: the
    factor analysis needs :data:`MIN_RESPONDENTS` respondents, the variance between kommuner
    :data:`~fundament_lib.analysis.stats.MIN_MODEL_KOMMUNER` kommuner, alpha and omega 30 complete
    answers; what is left out is said in ``skipped``."""
    scores = respondent_scores(tidy, fw)
    skipped: dict[str, str] = {}
    n_kommuner = int(scores["kommunekode"].nunique())
    factors = None
    try:
        factors = factor_check(tidy, fw, n_factors=n_factors, rotation=rotation, threshold=threshold, seed=seed)
    except ValueError as exc:
        skipped["factors"] = _factor_reason(str(exc), len(_items(tidy, fw).dropna(how="all")))
    icc = None
    if n_kommuner >= MIN_MODEL_KOMMUNER:
        icc = kommune_variance(scores, fw)
    else:
        skipped["icc"] = (f"Variansen mellem kommuner (ICC) beregnes kun med mindst {MIN_MODEL_KOMMUNER} kommuner; "
                          f"data rummer {'kun én' if n_kommuner == 1 else n_kommuner}.")
    rel = reliability(tidy, fw)
    if rel is not None and rel["alpha"].isna().all():
        skipped["reliability"] = ("Alfa og omega beregnes kun, når mindst 30 har besvaret alle temaets udsagn; "
                                  "det er ikke tilfældet for noget tema her.")
    return Psychometrics(item_rest=item_rest(tidy, fw), reliability=rel, factors=factors, icc=icc,
                         n=len(scores), n_kommuner=n_kommuner, fw=fw, skipped=skipped)


def _factor_reason(error: str, n: int) -> str:
    """The Danish line for a factor analysis the data do not allow."""
    if "needs at least" in error:
        return (f"Faktoranalysen er ikke lavet: den kræver mindst {MIN_RESPONDENTS} respondenter, og data har "
                f"{n}.")
    if "identify at most" in error:
        return "Faktoranalysen er ikke lavet: der er for få udsagn til at skelne temaerne fra hinanden."
    return "Faktoranalysen er ikke lavet: for få har besvaret de samme udsagn til at beregne sammenhængene."


METHOD = (
    "Metode. Udsagnene i hvert tema er scoret, så høje værdier er positive (omvendte udsagn vendt). "
    "Item–rest-korrelationen er korrelationen mellem et udsagn og gennemsnittet af temaets øvrige udsagn; "
    "under 0,30 tyder på, at udsagnet måler noget andet. Reliabiliteten er Cronbachs alfa med Feldts "
    "konfidensinterval og McDonalds omega (én-faktor-model), beregnet på respondenter, der har besvaret "
    "alle temaets udsagn. Faktoranalysen er en eksplorativ maximum likelihood-faktoranalyse "
    "(statsmodels) af de parvise Pearson-korrelationer med lige så mange faktorer som temaer og skrå "
    "rotation ({rotation}), fordi temaerne forventes at hænge sammen. Faktorerne parres én til én med "
    "temaerne med den ungarske metode, så udsagnene samlet set lader mest muligt på deres eget temas "
    "faktor. Et udsagn markeres, når dets største ladning ligger på et andet temas faktor, eller når "
    "ladningen på eget temas faktor er under {threshold}. Variansen mellem kommuner er intraklasse-"
    "korrelationen (ICC) fra en flerniveaumodel med kommunen som tilfældig effekt: den andel af "
    "forskellene mellem lederne, der ligger mellem kommunerne."
)


def section(result: Psychometrics) -> Html:
    """A report-ready HTML section in Danish: the statement, the tables, the heatmap and the method."""
    f = result.factors
    parts = [heading("Måler instrumentet det, det skal? (psykometri)", 2, anchor="psykometri"),
             paragraph(f"Grundlag: {result.n} respondenter i {result.n_kommuner} "
                       f"{'kommune' if result.n_kommuner == 1 else 'kommuner'}.")]
    if f is not None:
        parts.append(note(f.statement(), kind="warning" if not f.flagged.empty else "note"))
    parts.append(table(_reliability_rows(result), caption="Reliabilitet og item–rest-korrelation pr. tema",
                       numeric=["Udsagn", "n", "Alfa", "95 %-KI", "Omega", "Laveste item–rest"],
                       row_header="Tema"))
    parts += [note(result.skipped[k]) for k in ("reliability", "factors") if k in result.skipped]
    if f is not None:
        parts.append(figure(loadings_heatmap(f), alt=f.statement(),
                            caption="Faktorladninger. Den sorte ramme viser udsagnets eget tema; (!) markerer "
                                    "udsagn, der ikke lader som forventet."))
        if not f.flagged.empty:
            parts.append(bullets(_flag_sentence(r, f) for r in f.flagged.itertuples(index=False)))
        heywood = _heywood(f)
        if heywood:
            parts.append(note(heywood))
    if "icc" in result.skipped:
        parts.append(note(result.skipped["icc"]))
    elif result.icc is not None:
        titles = {d.id: d.title for d in result.fw.domains} | {t.id: t.title for t in result.fw.themes()}
        parts.append(table(_icc_rows(result.icc, titles), caption="Varians mellem kommuner (ICC(1), "
                           "seneste runde, begge grupper)", numeric=["ICC", "Kommuner", "Respondenter"],
                           row_header="Pejlemærke/tema"))
    else:
        parts.append(note("Variansen mellem kommuner kunne ikke beregnes (statistikmodulet mangler)."))
    parts.append(paragraph(METHOD.format(rotation=f.rotation if f is not None else "oblimin",
                                         threshold=fmt_num(f.threshold if f is not None else DEFAULT_THRESHOLD, 2)),
                           cls="method"))
    return Html("".join(parts))


def _reliability_rows(result: Psychometrics) -> pd.DataFrame:
    low = result.item_rest.groupby("theme")["r"].min()
    rel = result.reliability.set_index("id") if result.reliability is not None else None
    rows = []
    asked = set(result.item_rest["theme"])
    for theme, title in {t.id: t.title for t in result.fw.themes() if t.id in asked}.items():
        r = rel.loc[theme] if rel is not None and theme in rel.index else None
        rows.append({
            "Tema": f"{theme} {title}", "Udsagn": str(len(result.item_rest.query("theme == @theme"))),
            "n": "–" if r is None else str(int(r["n"])),
            "Alfa": "–" if r is None else fmt_num(r["alpha"], 2),
            "95 %-KI": "–" if r is None else f"{fmt_num(r['ci_low'], 2)}–{fmt_num(r['ci_high'], 2)}",
            "Omega": "–" if r is None else fmt_num(r["omega"], 2),
            "Laveste item–rest": fmt_num(low.get(theme), 2),
        })
    return pd.DataFrame(rows)


def _icc_rows(icc: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({
        "Pejlemærke/tema": [f"{i} {titles.get(i, '')}".strip() for i in icc["id"]],
        "ICC": [fmt_num(v, 3) for v in icc["icc"]],
        "Kommuner": [str(v) for v in icc.get("n_kommuner", pd.Series([""] * len(icc)))],
        "Respondenter": [str(v) for v in icc.get("n_respondents", pd.Series([""] * len(icc)))],
    })


def _heywood(check: FactorCheck) -> str | None:
    """A sentence on loadings at the boundary (communality ≈ 1), or None."""
    items = check.items[check.items["communality"] >= 0.995]
    if items.empty:
        return None
    ids = ", ".join(items["item_id"])
    return (f"Kommunaliteten af {ids} er ved grænsen 1 (et Heywood-tilfælde). Det ses typisk i temaer med "
            "kun to udsagn, hvor faktoren er svagt bestemt; læs de ladninger med forsigtighed.")
