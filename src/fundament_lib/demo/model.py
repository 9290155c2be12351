"""The demo's latent-variable model: its constants, its knobs and the cut into answer categories.

Every demo answer is a latent normal value — national theme level + kommune ×
theme effect + group effect + respondent positivity + respondent × theme noise +
item noise — cut at :data:`THRESHOLDS` into five ordered categories. The same
model gives the exact expected score (:func:`expected_item_mean`), so the
planted truth is computed, not simulated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["DemoConfig", "DemoSurvey", "expected_item_mean", "latent_sd", "to_category", "THRESHOLDS",
           "LOCAL_DRIVER_WEIGHT"]

# Cut points of the latent scale into the five answer categories.
THRESHOLDS = np.array([-1.6, -0.6, 0.35, 1.3])
SD_RESPONDENT = 0.45   # a respondent's general positivity
SD_RESP_THEME = 0.35   # respondent × theme
SD_ITEM = 0.55         # item-level noise
SD_KOMMUNE_THEME = 0.22
STAB_SHIFT = 0.35      # staff answer more positively than frontline leaders
PLANTED_SHIFT = 0.9    # size of a planted strongest / weakest theme
MARGIN = 0.4           # a planted extreme lies at least this far beyond every other theme
GAP_SHIFT = 0.7        # extra staff optimism on a planted gap theme
WAVE_SHIFT = 0.5       # improvement on the weakest theme in a second wave
LOCAL_DRIVER_WEIGHT = 1.3  # a local driver's extra weight on the outcome (the national ones: 0.30–0.45)

@dataclass(frozen=True)
class DemoConfig:
    """Knobs of the demo generator. The defaults give the built-in demo data."""

    seed: int = 20251
    wave: str = "2025"
    second_wave: str = "2026"
    second_wave_kommuner: tuple[str, ...] = ("707", "101", "461", "751", "851")
    kommuner: tuple[str, ...] | None = None       # None: all 98
    size_factor: float = 1.0                      # scales every group's size
    fixed_size: int | None = None                 # respondents per group, overriding the size model
    planted_share: float = 0.7
    gap_share: float = 0.3
    decoy_share: float = 0.35
    p_dont_know: float = 0.05
    p_missing: float = 0.03
    p_breakoff: float = 0.03
    misfit_item: str | None = None                # e.g. "P1.1.4": measures P2.2 instead
    misfit_target: str = "P2.2"
    drivers: dict[str, float] = field(
        default_factory=lambda: {"P1.3": 0.45, "P1.4": 0.35, "P1.5": 0.30}
    )
    # kommune → (theme, extra weight on the outcome): a driver of that kommune's own
    local_drivers: dict[str, tuple[str, float]] = field(
        default_factory=lambda: {c: ("P2.2", LOCAL_DRIVER_WEIGHT) for c in ("101", "751", "851", "461", "147")}
    )


@dataclass
class DemoSurvey:
    """Generated data: the tidy table, the wide raw export and the planted truth."""

    tidy: pd.DataFrame
    wide: pd.DataFrame
    planted: dict[str, object]
    true_scores: pd.DataFrame


def expected_item_mean(mu: np.ndarray | float, sd: float) -> np.ndarray:
    """Expected answer (1–5) when the latent answer is normal with mean ``mu`` and s.d. ``sd``."""
    mu = np.asarray(mu, dtype=float)[..., None]
    cdf = norm.cdf((THRESHOLDS - mu) / sd)                       # P(Y <= c), c = 1..4
    return 5.0 - cdf.sum(axis=-1)                                # E[Y] = 5 - sum_c P(Y <= c)


def latent_sd() -> float:
    """The s.d. of a latent answer around its theme's mean (respondent, respondent × theme, item)."""
    return float(np.sqrt(SD_RESPONDENT**2 + SD_RESP_THEME**2 + SD_ITEM**2))


def to_category(latent: np.ndarray) -> np.ndarray:
    """Latent values cut at :data:`THRESHOLDS` into the answer categories 1–5."""
    return 1 + (latent[..., None] > THRESHOLDS).sum(axis=-1)


