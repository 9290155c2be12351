"""One kommune × wave × group of demo respondents as a survey tool exports it (one row each).

Theme statements from the latent model (:mod:`.model`), importance and
prerequisites, the frontline leaders' own blocks (outcome with its drivers,
roles, burden), background answers, "Ved ikke", skipped items and break-offs,
and free text — some of it with names, e-mail addresses or phone numbers that
a briefing must screen out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fundament_lib.framework import Framework

from .model import SD_ITEM, SD_RESP_THEME, SD_RESPONDENT, DemoConfig, to_category

__all__ = ["respondents", "FREE_TEXT", "SENSITIVE_TEXT", "ROLE_PROFILE", "BURDEN_RATE"]

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


def respondents(code: str, wave: str, group: str, n: int, mu: dict[str, float], imp_eff: pd.Series,
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
            category = to_category(lat)
            answers[item.id] = 6 - category if item.reverse else category  # scored back in reverse
    if fw.importance and group in fw.importance.audience:
        for t in themes:
            answers[fw.importance_id(t.id)] = to_category(0.6 + float(imp_eff[t.id]) + rng.normal(0, 0.8, n))
    if fw.prerequisites and group in fw.prerequisites.audience:
        for k, pre in enumerate(fw.prerequisites.items):
            answers[pre.id] = to_category(person + 0.2 * k - 0.1 + rng.normal(0, 0.8, n))
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
        out[fw.outcome.id] = to_category(-0.3 + drive + rng.normal(0, 0.7, n))
    if fw.roles:
        for f in fw.roles.functions:
            kommune_effect = rng.normal(0, 0.3)
            for role in fw.roles.roles:
                base = ROLE_PROFILE.get(f.id, {}).get(role.id, 0.0) + kommune_effect
                out[fw.role_id(f.id, role.id)] = to_category(base + 0.5 * person + rng.normal(0, 0.8, n))
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


