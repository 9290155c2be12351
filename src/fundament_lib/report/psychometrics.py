"""The psychometric check as a report section in Danish: does the instrument measure what it should?

:func:`section` turns :func:`fundament_lib.analysis.psychometrics.analyse`'s result into HTML:
the factor check's statement, reliability and item–rest per theme, the loadings heatmap, the
flagged items, the variance between kommuner and the method in plain Danish.
"""

from __future__ import annotations

import pandas as pd

from fundament_lib.analysis.factor_check import DEFAULT_THRESHOLD, FactorCheck, flag_sentence
from fundament_lib.analysis.psychometrics import Psychometrics
from fundament_lib.core.fmt import fmt_num

from .html import Html, bullets, figure, heading, note, paragraph, table
from .plots import loadings_heatmap

__all__ = ["section", "METHOD"]


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
            parts.append(bullets(flag_sentence(r, f) for r in f.flagged.itertuples(index=False)))
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
