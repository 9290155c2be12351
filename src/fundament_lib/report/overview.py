"""Sections of the national overview (landsoverblik), each a function of the national summary.

The notebook ``notebooks/national_overview.ipynb`` calls these one per cell.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fundament_lib.core.fmt import fmt_ci, fmt_datetime
from fundament_lib.framework import GROUP_LABELS, load_framework
from fundament_lib.report.briefing.common import id_labels

from . import plots
from .html import Html, esc, figure, fmt_int, fmt_num, heading, note, paragraph, table

__all__ = ["load", "title", "distribution", "groups", "kommune_table", "analyses", "provenance"]


def load(path: str | Path | None = None) -> dict[str, Any]:
    """The national summary from ``path`` (as ``fundament run`` writes it), or computed from the demo data."""
    if path:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    from fundament_lib.results.pipeline import national_from_data

    return national_from_data()


def title(n: dict[str, Any]) -> Html:
    """Title and what the overview covers."""
    fw = load_framework(n["framework"])
    return Html(heading(f"Landsoverblik: {fw.short_title or fw.title}", 1)
                + paragraph(f"{n['n_kommuner']} kommuner med {fmt_int(n['respondents'])} ledere i målingerne "
                            f"{', '.join(n['waves'])}. Hver kommune indgår med sin seneste måling.", cls="lede")
                + note(SHARING_NOTE)
                + paragraph("Tallene er kommunernes viste scorer: grupper med for få svar er skjult i kommunens "
                            "egen briefing og indgår heller ikke her. Landstal er gennemsnit af kommunernes "
                            "scorer, så hver kommune vejer lige meget."))


SHARING_NOTE = ("Overblikket nævner kommunerne ved navn og viser hver kommunes scorer. Det er lavet til den, der "
                "efter en aftale om datadeling har alle kommuners data, og det må kun deles, som aftalen tillader.")


def distribution(n: dict[str, Any]) -> Html:
    """How the kommuner spread on each pejlemærke and theme."""
    plots.set_style()
    fw = load_framework(n["framework"])
    labels = id_labels(fw)
    scores = pd.DataFrame(n["scores"], columns=["kommunekode", "id", "group", "score"])
    alle = scores[scores["group"] == "alle"]
    dist = pd.DataFrame(n["distribution"], columns=["id", "group", "kommuner", "mean", "q1", "median", "q3", "min",
                                                   "max"])
    d_alle = dist[dist["group"] == "alle"].set_index("id")
    if d_alle.empty:
        return Html(heading("1. Hvor står kommunerne?")
                    + note("Ingen kommune har en samlet score, der kan vises (for få svar)."))
    widest = (d_alle["max"] - d_alle["min"]).idxmax()
    ax = plots.distribution_box(alle, labels=labels)
    alt = (f"Boksplot af {n['n_kommuner']} kommuners score på hvert pejlemærke og tema. Størst spredning på "
           f"{labels[widest]}: fra {fmt_num(d_alle.loc[widest, 'min'])} til {fmt_num(d_alle.loc[widest, 'max'])}.")
    rows = [{"Tema": labels[i], "Kommuner": fmt_int(d_alle.loc[i, "kommuner"]), "Gennemsnit": fmt_num(d_alle.loc[i, "mean"]),
             "Median": fmt_num(d_alle.loc[i, "median"]), "Midterste halvdel": f"{fmt_num(d_alle.loc[i, 'q1'])}–"
             f"{fmt_num(d_alle.loc[i, 'q3'])}"} for i in labels if i in d_alle.index]
    return Html(heading("1. Hvor står kommunerne?")
                + figure(ax, alt=alt, caption="Hver prik er en kommune; boksen rummer den midterste halvdel.")
                + table(pd.DataFrame(rows), caption="Kommunernes score (alle ledere)",
                        numeric=["Kommuner", "Gennemsnit", "Median", "Midterste halvdel"], row_header="Tema"))


def groups(n: dict[str, Any]) -> Html:
    """Staff and frontline leaders across the country (the one group there is, when only one is)."""
    fw = load_framework(n["framework"])
    dist = pd.DataFrame(n["distribution"], columns=["id", "group", "mean"])
    wide = dist.pivot(index="id", columns="group", values="mean")
    asked = [g for g in ("stab", "borgernaer") if g in wide.columns]
    head = heading("2. Stab og borgernære ledere i hele landet")
    if not asked:
        return Html(head + note("Ingen af grupperne har scorer, der kan vises (for få svar)."))
    rows = []
    for t in fw.themes():
        if t.id not in wide.index:
            continue
        row = {"Tema": f"{t.id} {t.title}"}
        for g in asked:
            row[GROUP_LABELS[g]] = fmt_num(wide.loc[t.id].get(g))
        if len(asked) == 2:
            row["Forskel"] = fmt_num(wide.loc[t.id, "stab"] - wide.loc[t.id, "borgernaer"])
        rows.append(row)
    cols = [c for c in rows[0] if c != "Tema"] if rows else []
    parts = [head, paragraph("Gennemsnit af kommunernes scorer for hver gruppe (kun viste grupper).")]
    if len(asked) < 2:
        who = {"stab": "staben", "borgernaer": "de borgernære ledere"}[asked[0]]
        parts.append(note(f"Kun {who} er med i data, så de to grupper kan ikke sammenlignes."))
    parts.append(table(pd.DataFrame(rows), caption="Landsgennemsnit pr. gruppe", numeric=cols, row_header="Tema"))
    return Html("".join(parts))


BRIEFING_LINK = "../{code}/briefing.html"  # from OUT/landsoverblik/ to a kommune's briefing in the same run


def kommune_table(n: dict[str, Any], *, link: str | None = BRIEFING_LINK) -> Html:
    """Where each kommune sits on the pejlemærker, by region, each linked to its briefing.

    ``link`` is the briefing's address with ``{code}`` for the kommune code (``None``: no links).
    """
    fw = load_framework(n["framework"])
    labels = id_labels(fw)
    scores = pd.DataFrame(n["scores"])
    alle = scores[(scores["group"] == "alle")]
    domains = [d.id for d in fw.domains]
    wide = alle.pivot_table(index=["region", "navn", "kommunekode", "kommunegruppe"], columns="id", values="score")
    parts: list[str] = [heading("3. Kommunerne en for en"),
                        paragraph("Klik på en kommune for at åbne dens briefing.") if link else ""]
    for region, part in wide.groupby(level="region"):
        rows, hrefs = [], []
        for (_, name, code, group), vals in part.iterrows():
            themes = vals[[t.id for t in fw.themes() if t.id in vals.index]].dropna()
            rows.append({"Kommune": f"{name} ({code})", "Kommunegruppe": group,
                         **{labels[d]: fmt_num(vals.get(d)) for d in domains},
                         "Svagest tema": labels[str(themes.idxmin())] if not themes.empty else "–"})
            hrefs.append(link.format(code=code) if link else None)
        parts.append(table(pd.DataFrame(rows), caption=f"Region {region}", numeric=[labels[d] for d in domains],
                           row_header="Kommune", links={"Kommune": hrefs}))
    return Html("".join(parts))


def analyses(n: dict[str, Any]) -> Html:
    """National analyses for researchers: drivers of the outcome and variance between kommuner."""
    fw = load_framework(n["framework"])
    labels = id_labels(fw)
    parts: list[str] = [heading("4. Sammenhænge i hele landet")]
    drivers = pd.DataFrame(n.get("drivers") or [])
    if not drivers.empty:
        drivers = drivers.sort_values("rank")
        rows = [{"Tema": labels.get(r["id"], r["id"]), "Andel af forklaret variation": f"{fmt_num(r['share'] * 100)} %"}
                for _, r in drivers.iterrows()]
        parts.append(heading("Hvad hænger sammen med tid og rum til faglig ledelse?", 3)
                     + paragraph("Johnsons relative vægte: hvor stor en del af den forklarede variation i de "
                                 "borgernære lederes svar på «Jeg har tid og rum til at lede det faglige» hvert tema bærer.")
                     + table(pd.DataFrame(rows), caption="Temaer, der hænger sammen med tid og rum til at lede det faglige", numeric=["Andel af forklaret variation"],
                             row_header="Tema"))
    icc = pd.DataFrame(n.get("icc") or [])
    if not icc.empty:
        rows = [{"Tema": labels.get(r["id"], r["id"]), "ICC": fmt_num(r["icc"], 2)} for _, r in icc.iterrows()]
        parts.append(heading("Hvor meget afhænger svarene af kommunen?", 3)
                     + paragraph("Intraklassekorrelationen (ICC) er den del af variationen i lederes svar, der ligger "
                                 "mellem kommunerne (fra en flerniveaumodel).")
                     + table(pd.DataFrame(rows), caption="Variation mellem kommuner", numeric=["ICC"], row_header="Tema"))
    models = pd.DataFrame(n.get("gap_models") or [])
    if not models.empty:
        parts.append(_gap_models(models, labels))
    skipped = [v["text"] for k, v in (n.get("skipped") or {}).items() if k in ("drivers", "icc", "gap_models")]
    if skipped:
        parts.append(note("Ikke beregnet på disse data:", items=skipped))
    elif len(parts) == 1:
        parts.append(note("Ingen nationale analyser i dette datasæt."))
    return Html("".join(parts))


def _gap_models(models: pd.DataFrame, labels: dict[str, str]) -> str:
    """The national staff − frontline gap per theme from the two clustered models."""
    ols = models[models["model"] == "ols"].set_index("id")
    ordinal = models[models["model"] == "ordinal"].set_index("id")
    rows = []
    for id_, r in ols.iterrows():
        o = ordinal.loc[id_] if id_ in ordinal.index and pd.notna(ordinal.loc[id_, "estimate"]) else None
        rows.append({
            "Tema": labels.get(str(id_), str(id_)),
            "Forskel i point (95 %-KI)": f"{fmt_num(r['estimate'])} ({fmt_ci(r['ci_low'], r['ci_high'])})",
            "Oddsratio (95 %-KI)": "–" if o is None else
            f"{fmt_num(np.exp(o['estimate']), 2)} ({fmt_ci(np.exp(o['ci_low']), np.exp(o['ci_high']), 2)})",
        })
    n_k = int(ols["n_kommuner"].max())
    return (heading("Ser staben sig selv mere positivt end de borgernære ledere – i hele landet?", 3)
            + paragraph(f"Forskellen mellem stab og borgernære ledere inden for samme kommune, vægtet over "
                        f"{n_k} kommuner (grupper med for få svar indgår ikke). «Forskel i point»: lineær model "
                        "med kommune-effekter og standardfejl, der tager højde for, at svar fra samme kommune "
                        "ligner hinanden. «Oddsratio»: ordinal logistisk model af de enkelte svar; over 1 betyder, "
                        "at staben oftere svarer i de høje kategorier.")
            + table(pd.DataFrame(rows), caption="Stab minus borgernære ledere, nationalt",
                    numeric=["Forskel i point (95 %-KI)", "Oddsratio (95 %-KI)"], row_header="Tema"))


def provenance(n: dict[str, Any]) -> Html:
    """The provenance line."""
    p = n["provenance"]
    text = (f"Kilde: datasæt {p['dataset_hash']} · ramme {p['framework']} · fundament {p['library_version']} · "
            f"kørt {fmt_datetime(p['run_started'])}")
    return Html(f'<p class="provenance">{esc(text)}</p>')
