"""Statistics that say how sure they are.

Every function takes the data first and keyword-only options after, with the
same names everywhere (``n_boot``, ``confidence``, ``seed``, ``min_n``);
everything random is seeded.

==========================  ================================================================
:func:`score_intervals`      scores of every kommune × wave × group with bootstrap intervals
                             (:class:`ScoreIntervals` keeps the replicates)
:func:`benchmark`            rank and percentile among all kommuner, within region and
                             kommunegruppe, with rank intervals from the replicates
:func:`group_gaps`           staff − frontline gap per kommune: interval, Hedges' g, Welch
                             test, Holm-adjusted p
:func:`national_gap_models`  the national within-kommune gap: clustered OLS and ordinal logit
:func:`wave_changes`         change since the previous wave, with interval and test
:func:`cronbach_alpha`       alpha with Feldt's interval
:func:`mcdonald_omega`       omega total from a one-factor ML model
:func:`reliability_table`    alpha and omega per theme, pooled and per kommune
:func:`icc_table`            ICC(1) of kommune per theme from a REML random-intercept model
:func:`shrunk_correlations`  each kommune's theme–outcome correlations, shrunk toward the
                             national ones (empirical Bayes; derived importance)
==========================  ================================================================
"""

from ._common import (
    DEFAULT_CONFIDENCE,
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    MIN_MODEL_KOMMUNER,
    StatsArgumentError,
)
from .alpha import AlphaResult, cronbach_alpha
from .benchmark import benchmark, rank_scores
from .bootstrap import ScoreIntervals, bootstrap_means, score_intervals
from .gaps import group_gaps, holm
from .icc import IccResult, icc1, icc_table
from .local_drivers import shrunk_correlations
from .models import national_gap_models, ordinal_logit
from .omega import OmegaResult, mcdonald_omega, one_factor_ml
from .reliability import reliability_table
from .waves import wave_changes

__all__ = [
    "DEFAULT_CONFIDENCE",
    "DEFAULT_N_BOOT",
    "DEFAULT_SEED",
    "MIN_MODEL_KOMMUNER",
    "StatsArgumentError",
    "shrunk_correlations",
    "ScoreIntervals",
    "score_intervals",
    "bootstrap_means",
    "benchmark",
    "rank_scores",
    "group_gaps",
    "holm",
    "national_gap_models",
    "ordinal_logit",
    "wave_changes",
    "AlphaResult",
    "OmegaResult",
    "cronbach_alpha",
    "mcdonald_omega",
    "one_factor_ml",
    "reliability_table",
    "IccResult",
    "icc1",
    "icc_table",
]
