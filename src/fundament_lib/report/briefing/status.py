"""Title, key findings and section 1: where the kommune stands, and against the others."""

from __future__ import annotations

from typing import Any

import pandas as pd

from fundament_lib.core.fmt import fmt_ci, fmt_int, fmt_num, fmt_pct
from fundament_lib.core.kommuner import official_name
from fundament_lib.framework import GROUP_LABELS, Framework
from fundament_lib.report import plots
from fundament_lib.report.html import Html, bullets, figure, heading, note, paragraph, table

from .common import (
    asked_groups,
    asked_ids,
    cell_of,
    domain_labels,
    domain_name,
    frame,
    fw_of,
    is_shown,
    shown_groups,
    skipped_text,
    theme_groups,
)
from .decision import contents, how_to_read, key_findings
from .hidden import join_da

__all__ = ["title", "status", "DEMO_NOTICE"]


DEMO_NOTICE = ("Demodata: tallene i denne briefing er syntetiske data fra «fundament demo», ikke svar fra "
               "kommunens egne ledere. Brug dem kun til at se, hvordan en briefing ser ud.")
_WHO_ASKED = {("stab", "borgernaer"): "ledere i stab og ledelse og i de borgernære enheder",
              ("stab",): "ledere i stab og ledelse", ("borgernaer",): "ledere i de borgernære enheder"}
_ONLY = {("stab",): ("Kun staben er spurgt i denne måling, så briefingen viser, hvor staben selv mener, den står. "
                     "De borgernære lederes oplevelse og forskellen mellem grupperne kan først vises, når de "
                     "borgernære ledere er spurgt."),
         ("borgernaer",): ("Kun de borgernære ledere er spurgt i denne måling, så briefingen viser deres oplevelse "
                           "af stabene. Stabens egen vurdering og forskellen mellem grupperne indgår ikke.")}


def title(s: dict[str, Any]) -> Html:
    """The page title, an introduction (what the survey asked) and the key findings in three lines;
    a visible notice first when the briefing is made from demo data."""
    fw = fw_of(s)
    groups, both = asked_groups(s), len(theme_groups(s)) == 2  # both asked the themes: their views compared
    intro = (
        f"Denne briefing samler svarene fra {official_name(s['kommunekode'])}s "
        f"{_WHO_ASKED.get(groups, _WHO_ASKED[('stab', 'borgernaer')])} i målingen fra {s['wave']}. Den viser, hvor "
        f"kommunen står på {domain_name(fw, plural=True)} i «{fw.short_title or fw.title}»"
        + (", hvor staben og de borgernære ledere ser forskelligt på temaerne," if both else "")
        + " og hvad workshoppen bør tage op først."
    )
    parts = [heading(f"{fw.short_title or fw.title}: {official_name(s['kommunekode'])}", 1)]
    if s.get("demo"):
        parts.append(note(DEMO_NOTICE, kind="warning"))
    parts += [paragraph(intro, cls="lede")]
    scope = [_ONLY[groups]] if groups in _ONLY else []
    scope += [line for line in [_themes_line(s, fw)] if line]
    if scope:
        parts.append(note(" ".join(scope)))
    parts += [paragraph(f"Region {s['region']} · {s['kommunegruppe']} · måling {s['wave']}", cls="meta"),
              heading("Kort fortalt", 2, anchor="kort"), bullets(key_findings(s, fw)),
              how_to_read(int(s["min_n"]), both_groups=both), contents(s)]
    return Html("".join(parts))


def _not_asked_line(group: str) -> str:
    """Why a group that took part has no rows: it was not asked the theme statements (it is not hidden),
    so «Alle» is the other group's answers."""
    who, other = {"stab": ("Staben", "de borgernære lederes"), "borgernaer": ("De borgernære ledere", "stabens")}[group]
    return (f"{who} blev ikke stillet temaernes udsagn i denne måling, så «Alle» er {other} svar. "
            "Deres øvrige svar indgår i de afsnit, de blev spurgt om.")


def _themes_line(s: dict[str, Any], fw: Framework) -> str | None:
    """'Målingen stillede 5 af de 10 temaer …' when the survey asked only some themes, else None."""
    cov = s.get("coverage")
    if not cov:
        return None
    themes = [t for t in fw.themes() if t.id in cov["themes"]]
    if len(themes) == len(fw.themes()):
        return None
    if not themes:
        return "Målingen stillede ingen af temaernes udsagn, så der er ingen scorer at vise."
    missing = [d for d in fw.domains if d.id not in cov["domains"]]
    text = f"Målingen stillede {len(themes)} af de {len(fw.themes())} temaer"
    if missing:
        text += f"; {join_da([f'{d.id} {d.title}' for d in missing])} er ikke med"
    for d, ids in (cov.get("partial_domains") or {}).items():
        text += (f". {d} bygger kun på {len(ids)} af sine {len(fw.domain_of(ids[0]).themes)} temaer "
                 f"({', '.join(ids)})")
    return text + "."


def status(s: dict[str, Any]) -> Html:
    """Section 1: where the kommune stands on each pejlemærke, and against the other kommuner."""
    plots.set_style()
    fw = fw_of(s)
    scores = frame(s["scores"])
    asked = asked_ids(s, fw)
    partial = (s.get("coverage") or {}).get("partial_domains") or {}
    cols = ["Score", BETWEEN, "n", "Positive svar"]
    parts: list[str] = [heading(f"1. Status på {domain_name(fw, plural=True)}", anchor="status"),
                        paragraph("Score på 0–100, hvor højere er bedre, hvor scoren sandsynligvis ligger, og antal "
                                  "svar (n). «Positive svar» er andelen af svarene i de to øverste svarkategorier.")]
    rows = []
    domains = [d for d in fw.domains if d.id in asked]
    # A group hidden on every pejlemærke is said once, not as rows of «skjult».
    shown, themed = shown_groups(s), theme_groups(s)
    hidden_groups = [g for g in shown if g != "alle" and domains and g in themed
                     and not any(is_shown(cell_of(scores, d.id, g)) for d in domains)]
    not_asked = [g for g in shown if g != "alle" and domains and g not in themed]
    for d in domains:
        name = f"{d.id} {d.title}" + (f" (bygger på {len(partial[d.id])} af {len(d.themes)} temaer)"
                                      if d.id in partial else "")
        rows += [{fw.domain_label: name if i == 0 else "", **_status_row(cell_of(scores, d.id, g), GROUP_LABELS[g])}
                 for i, g in enumerate(g for g in shown if g not in hidden_groups + not_asked)]
    if rows:
        parts.append(table(pd.DataFrame(rows), caption=f"Score pr. {domain_name(fw)} og gruppe", numeric=cols,
                           row_header="Gruppe"))
    if hidden_groups:
        names = " og ".join(GROUP_LABELS[g].lower() if i else GROUP_LABELS[g] for i, g in enumerate(hidden_groups))
        parts.append(paragraph(f"{names} vises ikke for sig for at beskytte en lille gruppe (se «Skjulte tal» i "
                               "bilaget).", cls="meta"))
    if not_asked:
        parts.append(paragraph(_not_asked_line(not_asked[0]), cls="meta"))
    if not any(d.id in asked for d in fw.domains):
        parts.append(note("Målingen stillede ingen af temaernes udsagn, så der er ingen scorer at vise."))
    bench = frame(s.get("benchmark", []))
    lacking = skipped_text(s, "benchmark")
    if lacking:
        parts.append(note(lacking + (" Med et nationalt datasæt viser afsnittet kommunens placering."
                                     if (s.get("analyses") or {})["benchmark"]["reason"] == "one_kommune" else "")))
    elif not bench.empty and bench["n_kommuner"].max() < 2:  # a summary written before ``analyses``
        parts.append(note("Data rummer kun denne kommune, så den kan ikke sammenlignes med andre kommuner. "
                          "Med et nationalt datasæt viser afsnittet kommunens placering."))
    elif not bench.empty and bench["rank"].isna().all():
        parts.append(note(f"Data rummer kun {fmt_int(bench['n_kommuner'].max())} kommuner. Kommunens placering "
                          f"vises først, når der er mindst {s['min_n']} andre kommuner at sammenligne med; ellers "
                          "ville placeringen sige noget om de enkelte kommuner."))
    elif not bench.empty:
        group = s.get("benchmark_group", "alle")
        whose = "" if group == "alle" else f" på {'stabens' if group == 'stab' else 'de borgernære lederes'} score"
        parts.append(table(_rank_table(bench, {i: x for i, x in domain_labels(fw).items() if i in asked}, s,
                                       fw.domain_label),
                           caption=f"Placering blandt kommunerne{whose} (1 = højeste score) med 95 %-interval for "
                                   "placeringen",
                           numeric=["Alle kommuner", f"Region {s['region']}", s["kommunegruppe"]],
                           row_header=fw.domain_label))
        hidden = _hidden_comparisons(bench, s)
        if hidden:
            parts.append(note(hidden))
    labels = {i: x for i, x in domain_labels(fw).items() if i in asked}
    others = _others(s.get("national"), labels)
    if not others.empty and len(asked_groups(s)) == 1:
        # The national field holds all leaders' scores; a one-group survey is not comparable with them.
        who = "staben" if asked_groups(s) == ("stab",) else "de borgernære ledere"
        parts.append(note(f"Prikdiagrammet over alle kommuners scorer vises ikke, fordi kun {who} er spurgt her. "
                          + ("Placeringen ovenfor sammenligner med de andre kommuners "
                             f"{'stab' if who == 'staben' else 'borgernære ledere'}." if not bench.empty else "")))
    elif not others.empty:  # a strip needs at least min_n other kommuner (sharing.enough_others)
        own = scores[(scores["group"] == "alle") & scores["id"].isin(labels)]
        own_n = own["n"].dropna()
        n_others = int(others.groupby("id").size().max())
        ax = plots.benchmark_strip(others, highlight=s["kommunekode"], labels=labels, own=own, n_others=n_others,
                                   n_own=int(own_n.max()) if not own_n.empty else None)
        parts.append(figure(ax, alt=_strip_alt(s, fw, others), caption=(
            f"Hver grå prik er en anden kommune ({n_others} med data; navnene vises ikke). "
            f"Sort: {official_name(s['kommunekode'])}; stregen viser, hvor scoren sandsynligvis ligger.")))
    return Html("".join(parts))


BETWEEN = "Sandsynligvis mellem"  # the interval's column, in words (the method is explained in the bilag)


def _status_row(cell: pd.Series | None, label: str) -> dict[str, str]:
    if not is_shown(cell):
        return {"Gruppe": label, "Score": "skjult", BETWEEN: "–", "n": "–", "Positive svar": "–"}
    assert cell is not None
    return {"Gruppe": label, "Score": fmt_num(cell["score"]), BETWEEN: fmt_ci(cell["ci_low"], cell["ci_high"]),
            "n": fmt_int(cell["n"]), "Positive svar": fmt_pct(cell.get("top2"))}


def _rank_text(row: pd.Series, suffix: str = "") -> str:
    rank, n = row.get(f"rank{suffix}"), row.get(f"n{suffix or '_kommuner'}")
    if pd.isna(rank) or pd.isna(n):
        return "–"
    low, high = row.get(f"rank{suffix}_ci_low"), row.get(f"rank{suffix}_ci_high")
    interval = f" ({fmt_num(low)}–{fmt_num(high)})" if pd.notna(low) and low != high else ""
    return f"nr. {fmt_num(rank)} af {fmt_num(n)}{interval}"


def _rank_table(bench: pd.DataFrame, labels: dict[str, str], s: dict[str, Any], first: str) -> pd.DataFrame:
    rows = []
    for sid, label in labels.items():
        hit = bench[bench["id"] == sid]
        if not hit.empty:
            row = hit.iloc[0]
            rows.append({first: label, "Alle kommuner": _rank_text(row),
                         f"Region {s['region']}": _rank_text(row, "_region"),
                         s["kommunegruppe"]: _rank_text(row, "_kommunegruppe")})
    return pd.DataFrame(rows)


def _others(national: dict[str, Any] | None, labels: dict[str, str]) -> pd.DataFrame:
    """The other kommuner's values from the anonymous national field (``kommunekode`` blank, as
    :func:`plots.benchmark_strip` expects), for the ids in ``labels``; empty where none may be shown."""
    rows = [{"kommunekode": "", "id": r["id"], "score": float(v)}
            for r in (national or {}).get("scores", []) if r["id"] in labels for v in r["others"]]
    return pd.DataFrame(rows, columns=["kommunekode", "id", "score"])


def _hidden_comparisons(bench: pd.DataFrame, s: dict[str, Any]) -> str:
    """Why a placement column shows «–»: its set of kommuner is too small to keep the others anonymous."""
    which = [name for suffix, name in (("_region", f"i region {s['region']}"),
                                       ("_kommunegruppe", f"i kommunegruppen ({s['kommunegruppe']})"))
             if f"rank{suffix}" in bench.columns and bench[f"rank{suffix}"].isna().all()
             and bench[f"n{suffix}"].notna().any()]
    if not which:
        return ""
    return (f"Placeringen {' og '.join(which)} vises ikke: der er færre end {s['min_n']} andre kommuner med data "
            "at sammenligne med, og så ville placeringen sige noget om de enkelte kommuner.")


def _strip_alt(s: dict[str, Any], fw: Framework, nat: pd.DataFrame) -> str:
    parts: list[str] = []
    shown = {r["id"]: r["own"] for r in s["national"]["scores"]}
    for d in fw.domains:
        mine = shown.get(d.id)
        others = nat[nat["id"] == d.id]["score"]
        if mine is None or others.empty:
            continue
        lower = int((others < mine).sum())  # as printed: whole numbers on both sides
        parts.append(f"På {d.id} scorer {s['kommune']} {fmt_num(mine)}, højere end {lower} af "
                     f"{len(others)} andre kommuner.")
    return "Prikdiagram over alle kommuners score på " + domain_name(fw, plural=True) + ". " + " ".join(parts)
