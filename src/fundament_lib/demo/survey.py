"""A seeded synthetic survey for all 98 kommuner that behaves like the real thing.

The generator plants effects the analysis must find, and writes them next to
the data (``planted_effects.json`` and ``true_scores.csv``):

* a latent-variable model per answer: national theme level + kommune × theme
  effect + group effect (staff answer more positively) + respondent
  positivity + respondent × theme noise + item noise, cut into 5 ordered
  categories;
* in about 70 % of kommuner a planted *strongest* and *weakest* theme, and in
  some a *decoy*: a low-scoring theme of low stated importance;
* in about 30 % a planted *gap* theme where staff rate themselves far above
  what frontline leaders report;
* national *drivers* of the outcome item ("tid og rum til at lede det faglige"), and in a few
  kommuner a *local driver*: a theme that matters much more for their frontline leaders' outcome
  than it does nationally (drawn without touching the random stream, so everything else is as
  without it);
* "Ved ikke", item non-response and a few break-offs; free text, some with
  names, e-mail addresses or phone numbers that the briefing must screen out;
* a second wave in a few kommuner, with a planted improvement;
* optionally one *misfitting* item that measures another theme.

``true_scores.csv`` holds the exact expected 0–100 score per kommune, wave,
group and theme under the model (computed from the normal CDF, not simulated).

The model and its knobs are :mod:`.model`, the respondents' answers
:mod:`.respondents`; :mod:`.files` writes the demo and :mod:`.truth` reads the
planted truth back.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd

from fundament_lib.core.kommuner import kommuner
from fundament_lib.framework import Framework, load_framework

from .model import (
    GAP_SHIFT,
    MARGIN,
    PLANTED_SHIFT,
    SD_KOMMUNE_THEME,
    STAB_SHIFT,
    WAVE_SHIFT,
    DemoConfig,
    DemoSurvey,
    expected_item_mean,
    latent_sd,
)
from .respondents import respondents

__all__ = ["generate", "wide_to_tidy_demo"]


def _theme_levels(fw: Framework) -> dict[str, float]:
    # National levels: systems and cross-cutting solutions weakest, safe operations strongest.
    base = {"P1.1": 0.15, "P1.2": -0.05, "P1.3": 0.0, "P1.4": -0.1, "P1.5": -0.2,
            "P2.1": 0.3, "P2.2": 0.05, "P2.3": 0.1, "P2.4": -0.05, "P2.5": -0.15}
    return {t.id: base.get(t.id, 0.0) for t in fw.themes()}


def _group_sizes(pop: int, rng: np.random.Generator, cfg: DemoConfig) -> dict[str, int]:
    if cfg.fixed_size is not None:
        return {"stab": cfg.fixed_size, "borgernaer": cfg.fixed_size}
    stab = 3 + 3.2 * np.log(pop / 2500) + rng.normal(0, 1.5)
    borg = 8 * (pop / 1000) ** 0.55 * rng.uniform(0.8, 1.2)
    return {"stab": int(np.clip(round(stab * cfg.size_factor), 3, 60)),
            "borgernaer": int(np.clip(round(borg * cfg.size_factor), 8, 600))}


def _plant(codes: list[str], levels: dict[str, float], rng: np.random.Generator, cfg: DemoConfig
           ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict[str, str]]]:
    """Kommune × theme effects on scores and on importance, and what was planted."""
    theme_ids = list(levels)
    eff = pd.DataFrame(rng.normal(0, SD_KOMMUNE_THEME, (len(codes), len(theme_ids))),
                       index=codes, columns=theme_ids)
    imp = pd.DataFrame(rng.normal(0, 0.2, (len(codes), len(theme_ids))), index=codes, columns=theme_ids)
    planted: dict[str, dict[str, str]] = {}
    for code in codes:
        info: dict[str, str] = {}
        if rng.random() < cfg.planted_share:
            weak, strong, decoy = rng.choice(theme_ids, size=3, replace=False)
            if rng.random() < cfg.decoy_share:
                eff.loc[code, decoy] = -0.6
                imp.loc[code, decoy] -= 1.6
                info["decoy"] = str(decoy)
            # Planted extremes stand clearly apart from every other theme of the kommune.
            level = pd.Series(levels) + eff.loc[code]
            rest = level.drop([weak, strong])
            eff.loc[code, weak] = min(-PLANTED_SHIFT, rest.min() - MARGIN - levels[weak])
            eff.loc[code, strong] = max(PLANTED_SHIFT, rest.max() + MARGIN - levels[strong])
            imp.loc[code, weak] += 1.0
            info.update(weakest=str(weak), strongest=str(strong))
        if rng.random() < cfg.gap_share:
            candidates = [t for t in theme_ids if t not in info.values()]
            info["gap"] = str(rng.choice(candidates))
        planted[code] = info
    return eff, imp, planted


def generate(config: DemoConfig | None = None, framework: Framework | None = None) -> DemoSurvey:
    """Generate the demo survey.

    Parameters
    ----------
    config
        Generator settings; the defaults give the built-in demo.
    framework
        The framework whose items are answered (default Fundament 2024).

    Returns
    -------
    DemoSurvey
    """
    cfg = config or DemoConfig()
    fw = framework or load_framework()
    rng = np.random.default_rng(cfg.seed)
    ref = kommuner()
    codes = list(cfg.kommuner) if cfg.kommuner is not None else list(ref["kommunekode"])
    theme_ids = [t.id for t in fw.themes()]
    levels = _theme_levels(fw)
    eff, imp_eff, planted = _plant(codes, levels, rng, cfg)
    item_offset = {i.id: rng.normal(0, 0.15) for t in fw.themes() for i in t.items}
    frames: list[pd.DataFrame] = []
    truth: list[dict[str, object]] = []
    for code in codes:
        waves = [cfg.wave] + ([cfg.second_wave] if code in cfg.second_wave_kommuner else [])
        sizes = _group_sizes(int(ref.loc[code, "indbyggere_2020"]), rng, cfg)
        for w_index, wave in enumerate(waves):
            shift = _wave_shift(planted[code], theme_ids, w_index)
            for group in ("stab", "borgernaer"):
                mu = _group_mu(code, group, levels, eff, planted[code], shift, theme_ids)
                truth += _truth_rows(code, wave, group, sizes[group], mu, item_offset, fw, cfg)
                frames.append(respondents(code, wave, group, sizes[group], mu, imp_eff.loc[code],
                                          item_offset, fw, cfg, rng))
    wide = pd.concat(frames, ignore_index=True)
    tidy = wide_to_tidy_demo(wide, fw)
    truth_df = _with_alle(pd.DataFrame(truth))
    meta = {
        "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(cfg).items()},
        "framework": fw.id,
        "kommuner": planted,
        "drivers": cfg.drivers,
        "local_drivers": {c: {"theme": t, "weight": w} for c, (t, w) in cfg.local_drivers.items() if c in codes},
        "stab_shift_latent": STAB_SHIFT,
        "second_wave": {"label": cfg.second_wave, "kommuner": list(cfg.second_wave_kommuner),
                        "improved_theme": "weakest", "shift_latent": WAVE_SHIFT},
        "misfit": {"item": cfg.misfit_item, "measures": cfg.misfit_target} if cfg.misfit_item else None,
    }
    return DemoSurvey(tidy=tidy, wide=wide, planted=meta, true_scores=truth_df)


def _wave_shift(info: dict[str, str], theme_ids: list[str], w_index: int) -> dict[str, float]:
    shift = dict.fromkeys(theme_ids, 0.0)
    if w_index > 0 and "weakest" in info:
        shift[info["weakest"]] = WAVE_SHIFT
    return shift


def _group_mu(code: str, group: str, levels: dict[str, float], eff: pd.DataFrame,
              info: dict[str, str], shift: dict[str, float], theme_ids: list[str]) -> dict[str, float]:
    mu = {}
    for t in theme_ids:
        m = levels[t] + float(eff.loc[code, t]) + shift[t]
        if group == "stab":
            m += STAB_SHIFT + (GAP_SHIFT if info.get("gap") == t else 0.0)
        mu[t] = m
    return mu


def _truth_rows(code: str, wave: str, group: str, n: int, mu: dict[str, float],
                item_offset: dict[str, float], fw: Framework, cfg: DemoConfig
                ) -> list[dict[str, object]]:
    out = []
    sd = latent_sd()
    for t in fw.themes():
        source = {i.id: cfg.misfit_target if i.id == cfg.misfit_item else t.id for i in t.items}
        means = expected_item_mean(np.array([mu[source[i.id]] + item_offset[i.id] for i in t.items]), sd)
        out.append({"kommunekode": code, "wave": wave, "group": group, "id": t.id, "n": n,
                    "true_score": float((means.mean() - 1) / 4 * 100)})
    return out


def _with_alle(truth: pd.DataFrame) -> pd.DataFrame:
    """Add the respondent-weighted 'alle' rows."""
    keys = ["kommunekode", "wave", "id"]
    w = truth.assign(wx=truth["true_score"] * truth["n"]).groupby(keys, as_index=False)[["wx", "n"]].sum()
    alle = w.assign(group="alle", true_score=w["wx"] / w["n"]).drop(columns="wx")
    return pd.concat([truth, alle], ignore_index=True).sort_values([*keys, "group"], ignore_index=True)


def wide_to_tidy_demo(wide: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """The tidy form of the generator's own wide table (before any file round trip), its text
    columns as ``str``: the loader keeps them categorical to save memory on national files, but a
    researcher's ``tidy["wave"].max()`` on a few demo kommuner should just work."""
    from fundament_lib.ingest.schema import with_str_columns
    from fundament_lib.ingest.wide import wide_to_tidy

    return with_str_columns(wide_to_tidy(wide, fw, file="<demo>").data)


