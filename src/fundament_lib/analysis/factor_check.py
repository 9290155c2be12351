"""Does the data group into the framework's themes? An exploratory factor analysis of the theme
items, checked against the intended themes.

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
from scipy.optimize import linear_sum_assignment

from fundament_lib.core.fmt import fmt_num
from fundament_lib.framework.model import Framework

from .scoring import scored_items

__all__ = ["FactorCheck", "factor_check", "flag_sentence", "items_matrix", "asked_themes", "ROTATIONS",
           "DEFAULT_THRESHOLD", "DEFAULT_SEED", "MIN_RESPONDENTS"]

ROTATIONS: tuple[str, ...] = ("oblimin", "promax", "biquartimin")
DEFAULT_THRESHOLD = 0.30
DEFAULT_SEED = 20251
MIN_RESPONDENTS = 100


def items_matrix(tidy: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Respondents × theme items answered by anyone, reversed items recoded: each answer on 0–100
    of the scale it was given on (a linear rescaling, which leaves correlations as they are)."""
    ids = [i for items in fw.theme_items().values() for i in items]
    matrix = scored_items(tidy, fw, ids)[0]
    return matrix.loc[:, matrix.notna().any()]


def asked_themes(matrix: pd.DataFrame, fw: Framework) -> dict[str, list[str]]:
    """Theme → its items in ``matrix`` (themes without any left out)."""
    out = {t: [i for i in ids if i in matrix.columns] for t, ids in fw.theme_items().items()}
    return {t: ids for t, ids in out.items() if ids}


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
        sentences = [flag_sentence(row, self) for row in self.flagged.itertuples(index=False)]
        head = (f"{len(sentences)} af {k} udsagn lader ikke, som rammen forventer:" if len(sentences) > 1
                else f"1 af {k} udsagn lader ikke, som rammen forventer:")
        return head + " " + " ".join(sentences)


def _theme_name(theme: str | None, check: FactorCheck) -> str:
    if theme is None or theme not in check.theme_titles:
        return "en faktor uden eget tema"
    return f"{theme} {check.theme_titles[theme]}"


def flag_sentence(row: Any, check: FactorCheck) -> str:
    """The Danish sentence on one flagged item (a row of :attr:`FactorCheck.flagged`)."""
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
    matrix = items_matrix(tidy, fw).dropna(how="all")
    themes = asked_themes(matrix, fw)
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
    themes = asked_themes(matrix, fw)
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
