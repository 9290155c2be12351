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
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from fundament_lib.core.atomic import write_json, write_text
from fundament_lib.core.kommuner import kommuner
from fundament_lib.core.params import DEMO_FOLDER
from fundament_lib.framework import Framework, load_framework

__all__ = ["DemoConfig", "DemoSurvey", "generate", "write_demo", "expected_item_mean", "THRESHOLDS", "local_pickups",
           "LOCAL_DRIVER_WEIGHT", "LOCAL_MARGIN"]

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

FREE_TEXT = [
    "Dobbeltregistrering af fravær i to systemer tager tid hver uge.",
    "Ansættelse af nye medarbejdere kræver mange papirer og flere systemer.",
    "Indkøbsaftalerne er svære at finde rundt i, så vi bruger tid på at lede.",
    "Når noget går i stykker i bygningen, skal jeg selv finde en håndværker.",
    "Nye medarbejdere venter ofte flere dage på it-adgang.",
    "Det er uklart, om økonomi eller forvaltningen skal svare på budgetspørgsmål.",
    "Indberetninger til forvaltningen kommer ofte med kort frist.",
    "iPads til medarbejderne virker ikke med det nye system.",
    "Rengøringen skal koordineres af mig, selv om det ligger i teknisk service.",
    "Opgaver falder mellem to stole, når en sag både er HR og jura.",
]
SENSITIVE_TEXT = [
    "Ring til Mette Jensen på 23 45 67 89, hun ved hvordan systemet virker.",
    "Skriv til lars.hansen@kommune.dk om adgang til lønsystemet.",
    "Jeg har spurgt Karin Holm i HR tre gange uden svar.",
]


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


def expected_item_mean(mu: np.ndarray | float, sd: float) -> np.ndarray:
    """Expected answer (1–5) when the latent answer is normal with mean ``mu`` and s.d. ``sd``."""
    mu = np.asarray(mu, dtype=float)[..., None]
    cdf = norm.cdf((THRESHOLDS - mu) / sd)                       # P(Y <= c), c = 1..4
    return 5.0 - cdf.sum(axis=-1)                                # E[Y] = 5 - sum_c P(Y <= c)


def _latent_sd() -> float:
    return float(np.sqrt(SD_RESPONDENT**2 + SD_RESP_THEME**2 + SD_ITEM**2))


def _to_category(latent: np.ndarray) -> np.ndarray:
    return 1 + (latent[..., None] > THRESHOLDS).sum(axis=-1)


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
                frames.append(_respondents(code, wave, group, sizes[group], mu, imp_eff.loc[code],
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
    sd = _latent_sd()
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


def _respondents(code: str, wave: str, group: str, n: int, mu: dict[str, float], imp_eff: pd.Series,
                 item_offset: dict[str, float], fw: Framework, cfg: DemoConfig,
                 rng: np.random.Generator) -> pd.DataFrame:
    """One kommune × wave × group as a wide table, one row per respondent."""
    themes = fw.themes()
    person = rng.normal(0, SD_RESPONDENT, n)
    theme_lat = {t.id: mu[t.id] + person + rng.normal(0, SD_RESP_THEME, n) for t in themes}
    answers: dict[str, np.ndarray] = {}
    for t in themes:
        for item in t.items:
            source = cfg.misfit_target if item.id == cfg.misfit_item else t.id
            lat = theme_lat[source] + item_offset[item.id] + rng.normal(0, SD_ITEM, n)
            category = _to_category(lat)
            answers[item.id] = 6 - category if item.reverse else category  # scored back in reverse
    if fw.importance and group in fw.importance.audience:
        for t in themes:
            answers[fw.importance_id(t.id)] = _to_category(0.6 + float(imp_eff[t.id]) + rng.normal(0, 0.8, n))
    if fw.prerequisites and group in fw.prerequisites.audience:
        for k, pre in enumerate(fw.prerequisites.items):
            answers[pre.id] = _to_category(person + 0.2 * k - 0.1 + rng.normal(0, 0.8, n))
    if group == "borgernaer":
        answers.update(_frontline_blocks(theme_lat, person, fw, cfg, rng, n, local=cfg.local_drivers.get(code)))
    tag = "S" if group == "stab" else "B"
    frame = pd.DataFrame({
        "respondent_id": [f"{code}-{tag}-{wave}-{r + 1:04d}" for r in range(n)],
        "kommunekode": code, "group": group, "wave": wave, **_background(fw, group, rng, n),
    })
    # Break-offs: the second half of the questionnaire is left blank.
    breakoff = rng.random(n) < cfg.p_breakoff
    half = len(answers) // 2
    cells = {}
    for k, (item_id, values) in enumerate(answers.items()):
        col = values.astype(object)
        if not item_id.startswith("BURDEN."):
            p_dk = cfg.p_dont_know * (3 if item_id.startswith("ROLE.jura.") else 1)
            col[rng.random(n) < p_dk] = "Ved ikke"
        col[(rng.random(n) < cfg.p_missing) | (breakoff & (k > half))] = None
        cells[item_id] = col
    if group == "borgernaer" and fw.burden and fw.burden.free_text:
        cells[fw.burden.free_text.id] = np.array([_free_text(rng) for _ in range(n)], dtype=object)
    return pd.concat([frame, pd.DataFrame(cells)], axis=1)


# How frontline leaders rate each staff function's roles (latent means), by function and role.
ROLE_PROFILE = {
    "oko": {"kontrol": 0.9, "raad": 0.3, "nysg": -0.2, "insp": -0.4, "forst": -0.1},
    "hr": {"kontrol": 0.4, "raad": 0.6, "nysg": 0.1, "insp": 0.0, "forst": 0.2},
    "it": {"kontrol": 0.2, "raad": 0.0, "nysg": -0.3, "insp": 0.1, "forst": -0.6},
    "ejd": {"kontrol": 0.1, "raad": 0.2, "nysg": -0.5, "insp": -0.6, "forst": -0.2},
    "jura": {"kontrol": 0.6, "raad": 0.7, "nysg": -0.1, "insp": -0.5, "forst": -0.3},
}
BURDEN_RATE = {"admin": 0.55, "it": 0.45, "indkob": 0.3, "teknisk": 0.35, "arbejdsdeling": 0.4}


def _frontline_blocks(theme_lat: dict[str, np.ndarray], person: np.ndarray, fw: Framework,
                      cfg: DemoConfig, rng: np.random.Generator, n: int, *,
                      local: tuple[str, float] | None = None) -> dict[str, np.ndarray]:
    """Outcome, role assessment and burden: answered by frontline leaders only; ``local`` (theme,
    weight) adds a driver of this kommune's own to the outcome."""
    out: dict[str, np.ndarray] = {}
    if fw.outcome:
        weights = dict(cfg.drivers)
        if local is not None and local[0] in theme_lat:
            weights[local[0]] = weights.get(local[0], 0.0) + local[1]
        drive = sum(w * theme_lat[t] for t, w in weights.items() if t in theme_lat)
        out[fw.outcome.id] = _to_category(-0.3 + drive + rng.normal(0, 0.7, n))
    if fw.roles:
        for f in fw.roles.functions:
            kommune_effect = rng.normal(0, 0.3)
            for role in fw.roles.roles:
                base = ROLE_PROFILE.get(f.id, {}).get(role.id, 0.0) + kommune_effect
                out[fw.role_id(f.id, role.id)] = _to_category(base + 0.5 * person + rng.normal(0, 0.8, n))
    if fw.burden:
        for a in fw.burden.areas:
            p = np.clip(BURDEN_RATE.get(a.id, 0.4) + rng.normal(0, 0.08), 0.05, 0.95)
            out[fw.burden_id(a.id)] = (rng.random(n) < p).astype(int)
        if fw.burden.share:
            workload = theme_lat.get("P1.4", person)
            share = np.clip(40 + 8 * workload + rng.normal(0, 14, n), 0, 100)
            out[fw.burden.share.id] = (np.round(share / 5) * 5).astype(int)
    return out


def _background(fw: Framework, group: str, rng: np.random.Generator, n: int) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for b in fw.background:
        if b.id == "group":
            continue
        if group not in b.audience:
            out[b.id] = [None] * n
            continue
        options = list(b.options)
        if b.id == "ledelsesniveau":
            probs = [0.6, 0.3, 0.1] if group == "stab" else [0.05, 0.25, 0.7]
            out[b.id] = list(rng.choice(options, size=n, p=probs[: len(options)]))
        else:
            out[b.id] = list(rng.choice(options, size=n))
    return out


def _free_text(rng: np.random.Generator) -> str | None:
    u = rng.random()
    if u < 0.04:
        return str(rng.choice(SENSITIVE_TEXT))
    if u < 0.35:
        return str(rng.choice(FREE_TEXT))
    return None


def wide_to_tidy_demo(wide: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """The tidy form of the generator's own wide table (before any file round trip), its text
    columns as ``str``: the loader keeps them categorical to save memory on national files, but a
    researcher's ``tidy["wave"].max()`` on a few demo kommuner should just work."""
    from fundament_lib.ingest.schema import with_str_columns
    from fundament_lib.ingest.wide import wide_to_tidy

    return with_str_columns(wide_to_tidy(wide, fw, file="<demo>").data)


def _demo_params(survey: DemoSurvey) -> dict[str, str]:
    """Small per-kommune overrides the demo ships: response-rate denominators for the
    kommuner with two waves, and a stricter privacy threshold for one kommune."""
    wide = survey.wide
    out = {}
    for code in survey.planted["second_wave"]["kommuner"]:  # type: ignore[index]
        latest = wide[(wide["kommunekode"] == code) & (wide["wave"] == wide["wave"].max())]
        sizes = latest.groupby("group").size()
        invited = {g: int(np.ceil(sizes.get(g, 0) / 0.72)) for g in ("stab", "borgernaer")}
        out[code] = (f"# Demo: {code} surveyed its leaders twice; invited counts give the response rate.\n"
                     f"invited:\n  stab: {invited['stab']}\n  borgernaer: {invited['borgernaer']}\n")
    out["147"] = "# Demo: Frederiksberg reports nothing about fewer than 8 respondents.\nmin_n: 8\n"
    return out


def write_demo(raw_dir: Path, processed_dir: Path, config: DemoConfig | None = None,
               params_dir: Path | None = None) -> dict[str, Path]:
    """Write the demo survey: the raw export, its tidy form and the planted truth.

    ``raw_dir`` receives ``fundament_demo_wide.csv`` (``;``-separated UTF-8, one
    row per respondent, as a survey tool exports it) plus the planted truth;
    ``processed_dir`` receives ``demo.parquet`` — the raw file read back
    through the wide loader and validated — and a copy of the planted truth.
    With ``params_dir``, the demo's per-kommune overrides (invited counts, one stricter
    threshold) are written to ``params_dir/demo/``, which only demo data read.

    Returns
    -------
    dict
        The paths written, by role.
    """
    from fundament_lib.ingest.parquet import write_tidy_parquet
    from fundament_lib.ingest.provenance import provenance_path
    from fundament_lib.ingest.wide import read_wide

    fw = load_framework()
    survey = generate(config, fw)
    raw_csv = raw_dir / "demo" / "fundament_demo_wide.csv"
    write_text(raw_csv, survey.wide.to_csv(sep=";", index=False))
    tidy = read_wide(raw_csv, fw).data
    out = {"raw": raw_csv, "processed": processed_dir / "demo.parquet"}
    # Marked as demo data in the Parquet metadata and the provenance: never pooled with a kommune's own data.
    write_tidy_parquet(tidy, out["processed"], demo=True)
    write_json(provenance_path(out["processed"]), _demo_provenance(config or DemoConfig(), tidy))
    for folder in (raw_dir / "demo", processed_dir):
        write_json(folder / "demo_planted_effects.json", survey.planted)
        write_text(folder / "demo_true_scores.csv", survey.true_scores.to_csv(index=False))
    out["planted"] = processed_dir / "demo_planted_effects.json"
    out["true_scores"] = processed_dir / "demo_true_scores.csv"
    if params_dir is not None:  # the demo's own folder: read only for demo data (params.load_params)
        for code, text in _demo_params(survey).items():
            target = params_dir / DEMO_FOLDER / f"{code}.yaml"
            write_text(target, text)
            out[f"params {code}"] = target
    return out


def _demo_provenance(config: DemoConfig, tidy: pd.DataFrame) -> dict[str, object]:
    """The provenance record of ``demo.parquet``: synthetic data, and how it was made."""
    return {"demo": True,
            "source": {"generator": "fundament demo", "seed": config.seed,
                       "note": "synthetic survey answers made by fundament_lib.demo — not a kommune's own data"},
            "kommuner": sorted({str(k) for k in tidy["kommunekode"]}),
            "output": {"rows": int(len(tidy))}}


def load_planted(processed_dir: Path) -> tuple[dict[str, object], pd.DataFrame]:
    """Read back the planted effects and true scores written by :func:`write_demo`."""
    planted = json.loads((processed_dir / "demo_planted_effects.json").read_text(encoding="utf-8"))
    truth = pd.read_csv(processed_dir / "demo_true_scores.csv", dtype={"kommunekode": str, "wave": str})
    return planted, truth


LOCAL_MARGIN = 0.18  # a shrunk correlation this far above the national one is a driver of the kommune's own


def local_pickups(local: pd.DataFrame, theme: str) -> set[str]:
    """The kommuner whose own frontline leaders' answers make ``theme`` a driver of their own: its
    own weight is at least ½ and its shrunk correlation with the outcome lies at least
    :data:`LOCAL_MARGIN` above the national one.

    ``local`` is :func:`fundament_lib.results.tables.local_driver_table`'s result."""
    rows = local[(local["id"] == theme) & (local["own_weight"] >= 0.5)
                 & (local["r"] >= local["r_national"] + LOCAL_MARGIN)]
    return {str(c) for c in rows["kommunekode"]}
