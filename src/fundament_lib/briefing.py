"""Sections of a kommune's briefing, each a function of the kommune's summary.

The notebook ``notebooks/kommune_briefing.ipynb`` calls these one per cell;
they return :class:`~fundament_lib.report.Html`, which Jupyter shows as HTML.
They read only the privacy-checked summary, never raw answers, and every
text from data is escaped (:func:`~fundament_lib.report.esc`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from . import plots
from .framework import GROUP_LABELS, Framework, load_framework
from .report import (
    Html,
    bullets,
    esc,
    figure,
    fmt_ci,
    fmt_int,
    fmt_num,
    fmt_pct,
    heading,
    note,
    paragraph,
    table,
)

__all__ = ["load", "title", "status", "profile", "priorities", "roles", "burden", "quality", "provenance",
           "KEY_HEADINGS"]

# Headings every briefing has (browser tests look for them).
KEY_HEADINGS: tuple[str, ...] = (
    "1. Status på pejlemærkerne",
    "2. Temaprofil: stab og borgernære ledere",
    "7. Datagrundlag og usikkerhed",
)
GROUPS = ("alle", "stab", "borgernaer")


def load(kommunekode: str, summary_path: str | Path | None = None) -> dict[str, Any]:
    """The kommune's summary: read from ``summary_path`` (as ``fundament run`` writes it),
    or — when no path is given, e.g. in JupyterLab — computed from the processed demo data.
    """
    if summary_path:
        return json.loads(Path(summary_path).read_text(encoding="utf-8"))
    from .pipeline import summarise_one

    return summarise_one(kommunekode)


# ---- helpers ------------------------------------------------------------------------------------
def _fw(s: dict[str, Any]) -> Framework:
    return load_framework(s["framework"])


def _df(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def _theme_labels(fw: Framework) -> dict[str, str]:
    return {t.id: f"{t.id} {t.title}" for t in fw.themes()}


def _domain_labels(fw: Framework) -> dict[str, str]:
    return {d.id: f"{d.id} {d.title}" for d in fw.domains}


def _score_text(row: pd.Series | None, *, with_n: bool = True) -> str:
    if row is None or bool(row.get("suppressed", False)) or pd.isna(row.get("score")):
        return "skjult"
    text = fmt_num(row["score"])
    if "ci_low" in row and pd.notna(row.get("ci_low")):
        text += f" (KI {fmt_ci(row['ci_low'], row['ci_high'])})"
    return f"{text}, n = {fmt_int(row['n'])}" if with_n else text


def _cell(scores: pd.DataFrame, sid: str, group: str) -> pd.Series | None:
    hit = scores[(scores["id"] == sid) & (scores["group"] == group)]
    return None if hit.empty else hit.iloc[0]


def _domain_name(fw: Framework, plural: bool = False) -> str:
    label = fw.domain_label.lower()
    return (label + "rne" if label.endswith("e") else label + "erne") if plural else label


# ---- sections -----------------------------------------------------------------------------------
def title(s: dict[str, Any]) -> Html:
    """The page title, an introduction and the key findings in three lines."""
    fw = _fw(s)
    intro = (
        f"Denne briefing samler svarene fra {s['kommune']} Kommunes ledere i stab og ledelse og i de "
        f"borgernære enheder i målingen {s['wave']}. Den viser, hvor kommunen står på "
        f"{_domain_name(fw, plural=True)} i «{fw.short_title or fw.title}», hvor staben og de "
        "borgernære ledere ser forskelligt på temaerne, og hvad workshoppen bør tage op først."
    )
    return Html(heading(f"{fw.short_title or fw.title}: {s['kommune']} Kommune", 1)
                + paragraph(intro, cls="lede")
                + paragraph(f"Region {s['region']} · {s['kommunegruppe']} · måling {s['wave']}", cls="meta")
                + heading("Kort fortalt", 2) + bullets(_key_findings(s, fw)))


def _key_findings(s: dict[str, Any], fw: Framework) -> list[str]:
    scores = _df(s["scores"])
    out = []
    for d in fw.domains:
        row = _cell(scores, d.id, "alle")
        out.append(f"{d.id} {d.title}: {_score_text(row, with_n=False)} på en skala fra 0 til 100.")
    themes = scores[(scores["level"] == "theme") & (scores["group"] == "alle") & scores["score"].notna()]
    if not themes.empty:
        labels = _theme_labels(fw)
        best, worst = themes.loc[themes["score"].idxmax()], themes.loc[themes["score"].idxmin()]
        out.append(f"Stærkest står {labels[best['id']]} ({fmt_num(best['score'])}); svagest "
                   f"{labels[worst['id']]} ({fmt_num(worst['score'])}).")
    gap = _gaps(scores)
    if not gap.empty:
        top = gap.loc[gap["gap"].abs().idxmax()]
        who = "staben" if top["gap"] > 0 else "de borgernære ledere"
        out.append(f"Størst forskel mellem stab og borgernære ledere ses i {_theme_labels(fw)[top['id']]}: "
                   f"{who} vurderer {fmt_num(abs(top['gap']))} point højere.")
    return out


def _gaps(scores: pd.DataFrame) -> pd.DataFrame:
    themes = scores[scores["level"] == "theme"]
    wide = themes.pivot(index="id", columns="group", values="score")
    if not {"stab", "borgernaer"} <= set(wide.columns):
        return pd.DataFrame(columns=["id", "gap"])
    gap = (wide["stab"] - wide["borgernaer"]).dropna()
    return gap.rename("gap").reset_index()


def status(s: dict[str, Any]) -> Html:
    """Section 1: where the kommune stands on each pejlemærke, and against the other kommuner."""
    plots.set_style()
    fw = _fw(s)
    scores = _df(s["scores"])
    rows = []
    for d in fw.domains:
        row: dict[str, str] = {fw.domain_label: f"{d.id} {d.title}"}
        for g in GROUPS:
            row[GROUP_LABELS[g]] = _score_text(_cell(scores, d.id, g))
        alle = _cell(scores, d.id, "alle")
        row["Positive svar"] = "skjult" if alle is None or alle["suppressed"] else fmt_pct(alle.get("top2"))
        rows.append(row)
    cols = [GROUP_LABELS[g] for g in GROUPS] + ["Positive svar"]
    parts: list[str] = [heading(KEY_HEADINGS[0]),
             paragraph("Score på 0–100, hvor højere er bedre, med 95 %-konfidensinterval (KI) og antal "
                       "svar (n). «Positive svar» er andelen af svarene i de to øverste svarkategorier."),
             table(pd.DataFrame(rows), caption=f"Score pr. {_domain_name(fw)} og gruppe", numeric=cols,
                   row_header=fw.domain_label)]
    national = s.get("national")
    if national:
        labels = _domain_labels(fw)
        nat = _df(national["scores"])
        own = scores[(scores["group"] == "alle") & scores["id"].isin(labels)]
        ax = plots.benchmark_strip(nat[nat["id"].isin(labels)], highlight=s["kommunekode"], labels=labels,
                                   own=own)
        parts.append(figure(ax, alt=_strip_alt(s, fw, nat, own), caption=(
            f"Hver grå prik er en kommune ({national['n_kommuner']} kommuner med data). Sort: "
            f"{s['kommune']} Kommune med 95 %-konfidensinterval.")))
    return Html("".join(parts))


def _strip_alt(s: dict[str, Any], fw: Framework, nat: pd.DataFrame, own: pd.DataFrame) -> str:
    parts: list[str] = []
    for d in fw.domains:
        mine = own[own["id"] == d.id]["score"]
        others = nat[nat["id"] == d.id]["score"]
        if mine.empty or pd.isna(mine.iloc[0]) or others.empty:
            continue
        lower = int((others < mine.iloc[0]).sum())
        parts.append(f"På {d.id} scorer {s['kommune']} {fmt_num(mine.iloc[0])}, højere end {lower} af "
                     f"{len(others)} kommuner.")
    return "Prikdiagram over alle kommuners score på " + _domain_name(fw, plural=True) + ". " + " ".join(parts)


def profile(s: dict[str, Any]) -> Html:
    """Section 2: the theme profile by respondent group, the gap, and the fagområde breakdown."""
    plots.set_style()
    fw = _fw(s)
    labels = _theme_labels(fw)
    scores = _df(s["scores"])
    themes = scores[scores["level"] == "theme"]
    ax = plots.theme_profile(themes, labels=labels)
    parts: list[str] = [heading(KEY_HEADINGS[1]),
             paragraph("Hvordan vurderer staben sig selv, og hvordan oplever de borgernære ledere det? "
                       "Den grå streg mellem prikkerne viser forskellen."),
             figure(ax, alt=_profile_alt(themes, labels),
                    caption="Score (0–100) pr. tema for stab (åben cirkel) og borgernære ledere (fyldt firkant)."),
             table(_profile_table(themes, labels), caption="Temascore pr. gruppe og forskellen mellem dem",
                   numeric=[*(GROUP_LABELS[g] for g in GROUPS), "Forskel (stab − borgernære)"],
                   row_header="Tema")]
    parts.append(_subgroup_part(s, fw, labels))
    parts.append(_likert_part(s, fw))
    return Html("".join(parts))


def _profile_table(themes: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    gaps = _gaps(themes).set_index("id")["gap"]
    rows = []
    for theme_id, label in labels.items():
        row = {"Tema": label, **{GROUP_LABELS[g]: _score_text(_cell(themes, theme_id, g)) for g in GROUPS}}
        row["Forskel (stab − borgernære)"] = fmt_num(gaps.get(theme_id)) if theme_id in gaps else "–"
        rows.append(row)
    return pd.DataFrame(rows)


def _profile_alt(themes: pd.DataFrame, labels: dict[str, str]) -> str:
    alle = themes[(themes["group"] == "alle") & themes["score"].notna()]
    if alle.empty:
        return "Temaprofil: for få svar til at vise scorer."
    best, worst = alle.loc[alle["score"].idxmax()], alle.loc[alle["score"].idxmin()]
    text = (f"Prikdiagram over temaernes score for stab og borgernære ledere. Højest ligger "
            f"{labels[best['id']]} ({fmt_num(best['score'])}), lavest {labels[worst['id']]} "
            f"({fmt_num(worst['score'])}).")
    gap = _gaps(themes)
    if not gap.empty:
        top = gap.loc[gap["gap"].abs().idxmax()]
        text += f" Størst forskel mellem grupperne: {labels[top['id']]}, {fmt_num(top['gap'])} point."
    return text


def _subgroup_part(s: dict[str, Any], fw: Framework, labels: dict[str, str]) -> str:
    cells = _df(s.get("subgroups", {}).get("fagomraade", []))
    if cells.empty or cells["score"].notna().sum() == 0:
        return note("Opdeling på fagområde vises ikke: for få borgernære ledere pr. fagområde.")
    options = next((b.options for b in fw.background if b.id == "fagomraade"), {})
    shown_groups = [g for g in options if g in set(cells.loc[cells["score"].notna(), "group"])]
    columns = {g: options[g] for g in shown_groups}
    ax = plots.subgroup_heatmap(cells, rows={**_domain_labels(fw), **labels}, columns=columns)
    hidden = sorted(set(cells.loc[cells["suppressed"], "group"]) - set(shown_groups))
    alt = (f"Varmekort over de borgernære lederes score pr. tema opdelt på {len(columns)} fagområder. "
           + (f"Fagområder med for få svar er udeladt: {', '.join(options.get(h, h) for h in hidden)}."
              if hidden else ""))
    return (heading("Borgernære ledere pr. fagområde", 3)
            + figure(ax, alt=alt, caption="Score (0–100) og antal svar i parentes. «–»: skjult for at "
                                          "beskytte små grupper."))


def _likert_part(s: dict[str, Any], fw: Framework) -> str:
    items = _df(s["items"])
    alle = items[items["group"] == "alle"]
    scale = fw.scales[fw.theme_scale].labels
    parts: list[str] = [heading("Svarene på de enkelte udsagn", 3),
             paragraph("Fordelingen af alle lederes svar. Negative svar til venstre, positive til højre for "
                       "midten; «Ved ikke» vises for sig til højre og indgår ikke i scoren.")]
    for d in fw.domains:
        labels = {i.id: f"{i.id} {i.text}" for t in d.themes for i in t.items}
        part = alle[alle["item_id"].isin(labels)]
        if part.empty:
            continue
        ax = plots.likert_bars(part, labels=labels, scale=scale)
        parts.append(figure(ax, alt=_likert_alt(part, labels, d.id), caption=f"{d.id} {d.title}: svarfordeling pr. udsagn."))
    return "".join(parts)


def _likert_alt(part: pd.DataFrame, labels: dict[str, str], domain_id: str) -> str:
    scored = part.dropna(subset=["score"])
    if scored.empty:
        return f"Svarfordeling for udsagnene under {domain_id}: for få svar til at vise."
    low = scored.loc[scored["score"].idxmin()]
    high = scored.loc[scored["score"].idxmax()]
    return (f"Stablede søjler med svarfordelingen for {len(part)} udsagn under {domain_id}. Mest positivt: "
            f"{labels[high['item_id']]}. Mest kritisk: {labels[low['item_id']]}.")


def priorities(s: dict[str, Any]) -> Html:
    """Section 3: which themes to take up first, why, and the workshop agenda."""
    plots.set_style()
    block = s.get("priority")
    parts: list[str] = [heading("3. Hvad skal workshoppen tage fat på først?")]
    if not block:
        return Html("".join(parts) + note("Prioriteringen kunne ikke beregnes for denne kommune."))
    parts += [paragraph(block["rule"]), paragraph(block["note"], cls="lede" if block["priorities"] else None)]
    chosen = block["priorities"]
    if chosen:
        rows = [{"Nr.": str(p["rank"]), "Tema": f"{p['theme']} {p['title']}", "Begrundelse": p["reason"],
                 "Sikkerhed": "–" if p.get("p_top") is None else f"{fmt_pct(p['p_top'])} i top {len(chosen)}"}
                for p in chosen]
        parts.append(table(pd.DataFrame(rows), caption="Prioriterede temaer", numeric=["Nr."], row_header="Tema"))
    matrix = _df(block["matrix"])
    if not matrix.empty and matrix["importance"].notna().any():
        ax = plots.importance_performance(matrix)
        parts.append(figure(ax, alt=_matrix_alt(matrix, chosen), caption=(
            "Prioriteringskort: vandret akse viser temaets vigtighed, lodret akse scoren. Sorte ruder er de prioriterede temaer; "
            "de stiplede linjer er kommunens medianer.")))
    parts.append(_agenda(chosen, block.get("prerequisites", []), s))
    return Html("".join(parts))


def _matrix_alt(matrix: pd.DataFrame, chosen: list[dict[str, Any]]) -> str:
    names = ", ".join(p["theme"] for p in chosen) or "ingen"
    return (f"Prioriteringskort med {len(matrix)} temaer efter vigtighed og score. Prioriterede temaer: {names}. "
            "De ligger, hvor vigtigheden er høj og scoren lav.")


def _agenda(chosen: list[dict[str, Any]], prereq: list[dict[str, Any]], s: dict[str, Any]) -> str:
    parts: list[str] = [heading("Dagsorden for workshoppen", 3)]
    for p in chosen:
        questions = [f"{q['text']} (s. {q['page']})" for q in p.get("questions", [])]
        parts.append(f"<h4>{esc(p['theme'])} {esc(p['title'])}</h4>" + bullets(questions))
        parts.append(_benchlearning_text(p.get("benchlearning")))
    if not chosen:
        parts.append(paragraph("Uden prioriterede temaer kan workshoppen tage udgangspunkt i forskellene mellem "
                               "staben og de borgernære ledere og i forudsætningerne nedenfor."))
    if prereq:
        rows = [{"Forudsætning": x["title"], "Score": "skjult" if x["score"] is None else fmt_num(x["score"]),
                 "Vurdering": "ser svag ud" if x["weak"] else ("–" if x["score"] is None else "på plads")}
                for x in prereq]
        parts.append(heading("Forudsætninger for en god proces (s. 15)", 4)
                     + table(pd.DataFrame(rows), caption="De tre forudsætninger: score (0–100) blandt alle ledere",
                             numeric=["Score"], row_header="Forudsætning"))
        weak = [x["title"] for x in prereq if x["weak"]]
        if weak:
            parts.append(note("Drøft også, hvordan processen sikres: " + "; ".join(weak).lower() + " ser svagt ud."))
    return "".join(parts)


def _benchlearning_text(b: dict[str, Any] | None) -> str:
    if not b or b.get("n_higher") is None:
        return ""
    if b["n_higher"] == 0:
        return paragraph("Ingen kommuner scorer klart højere på temaet (hvor konfidensintervallerne ikke overlapper).")
    text = (f"{b['n_higher']} kommuner scorer klart højere (konfidensintervallerne overlapper ikke), heraf "
            f"{b['same_group']} i samme kommunegruppe og {b['same_region']} i samme region.")
    if b.get("names"):
        text += " Tag fx kontakt til " + ", ".join(b["names"]) + "."
    else:
        text += " Navnene deles kun efter aftale mellem kommunerne."
    return paragraph(text)


def roles(s: dict[str, Any]) -> Html:
    """Section 4: how frontline leaders rate each staff function on the five roles."""
    plots.set_style()
    fw = _fw(s)
    cells = _df(s.get("roles", []))
    if fw.roles is None or cells.empty:
        return Html("")
    functions = {f.id: f.title for f in fw.roles.functions}
    roles_order = {r.id: (r.short or r.title).capitalize() for r in fw.roles.roles}
    ax = plots.role_heatmap(cells, functions=functions, roles_order=roles_order)
    shown = cells.dropna(subset=["score"])
    parts: list[str] = [heading("4. Stabenes roller set fra de borgernære enheder"),
             paragraph("De borgernære ledere har vurderet, hvor godt hver stabsfunktion udfylder fem roller "
                       "(0 = i meget lav grad, 100 = i meget høj grad).")]
    if shown.empty:
        return Html("".join(parts) + note("For få svar til at vise rollevurderingen."))
    best, worst = shown.loc[shown["score"].idxmax()], shown.loc[shown["score"].idxmin()]
    alt = (f"Varmekort over {len(functions)} stabsfunktioner og fem roller. Bedst vurderet: "
           f"{functions[best['function']]} til at {_role_title(fw, best['role'])} ({fmt_num(best['score'])}). "
           f"Svagest: {functions[worst['function']]} til at {_role_title(fw, worst['role'])} "
           f"({fmt_num(worst['score'])}).")
    parts.append(figure(ax, alt=alt, caption="Score (0–100) og antal svar pr. celle."))
    return Html("".join(parts))


def _role_title(fw: Framework, role_id: str) -> str:
    assert fw.roles is not None
    return next(r.title for r in fw.roles.roles if r.id == role_id)


def burden(s: dict[str, Any]) -> Html:
    """Section 5: where the frontline leaders' time goes, with screened free-text examples."""
    plots.set_style()
    fw = _fw(s)
    if fw.burden is None:
        return Html("")
    areas = _df(s["burden"]["areas"])
    labels = {a.id: a.title for a in fw.burden.areas}
    parts: list[str] = [heading("5. Administrativ byrde hos de borgernære ledere"),
             paragraph("Andelen af de borgernære ledere, der oplever, at opgaveområdet tager mere af deres tid, "
                       "end det burde, med 95 %-konfidensinterval.")]
    if not areas.empty and areas["share"].notna().any():
        order = areas.dropna(subset=["share"]).sort_values("share", ascending=False)["area"]
        ax = plots.share_bars(areas, labels={a: labels[a] for a in order})
        top = areas.loc[areas["share"].idxmax()]
        parts.append(figure(ax, alt=(f"Søjlediagram: {fmt_pct(top['share'])} af de borgernære ledere peger på "
                                     f"{labels[top['area']].lower()} som det område, der tager mest tid."),
                            caption="Andel, der peger på området (flere svar muligt)."))
    share = s["burden"].get("share")
    if share and not share["suppressed"]:
        parts.append(paragraph(
            f"De borgernære ledere bruger efter egen vurdering i gennemsnit {fmt_num(share['mean'])} % af "
            f"arbejdsugen på at lede det faglige (median {fmt_num(share['median'])} %, halvdelen mellem "
            f"{fmt_num(share['q1'])} og {fmt_num(share['q3'])} %; n = {fmt_int(share['n'])})."))
    parts.append(_free_text_part(s["free_text"]))
    return Html("".join(parts))


def _free_text_part(ft: dict[str, Any]) -> str:
    head = heading("Eksempler med lederens egne ord", 3)
    if ft["suppressed"]:
        return head + note(f"Ingen eksempler vises: {ft['suppression']}.")
    quotes = "".join(f'<p class="quote">{esc(t)}</p>' for t in dict.fromkeys(ft["shown"]))
    removed = ft.get("removed") or {}
    screening = ("Navne, e-mailadresser og telefonnumre er fjernet før visning"
                 + (f" ({', '.join(f'{v} × {k}' for k, v in removed.items())})." if removed else "."))
    return head + paragraph(f"Et udvalg på {len(ft['shown'])} af {fmt_int(ft['n'])} eksempler. {screening}") + quotes


def quality(s: dict[str, Any]) -> Html:
    """Section 7: responses per group, response rate, missingness and what was suppressed."""
    resp = _df(s["quality"]["respondents"]).set_index("group")
    rows = []
    for g in GROUPS:
        if g not in resp.index:
            continue
        r = resp.loc[g]
        rows.append({"Gruppe": GROUP_LABELS[g], "Svar": "skjult" if r["suppressed"] else fmt_int(r["n"]),
                     "Inviterede": fmt_int(r.get("invited")),
                     "Svarprocent": "skjult" if r["suppressed"] else fmt_pct(r.get("response_rate"))})
    miss = _df(s["quality"]["missingness"])
    alle = miss[(miss["group"] == "alle") & ~miss["suppressed"]] if not miss.empty else miss
    parts: list[str] = [heading(KEY_HEADINGS[2]),
             table(pd.DataFrame(rows), caption="Antal respondenter og svarprocent", numeric=["Svar", "Inviterede", "Svarprocent"],
                   row_header="Gruppe")]
    if not alle.empty:
        parts.append(paragraph(
            f"«Ved ikke» udgør {fmt_pct(alle['share_dont_know'].mean())} og ubesvarede udsagn "
            f"{fmt_pct(alle['share_missing'].mean())} af svarene på temaernes udsagn i gennemsnit; temaet med "
            f"flest «Ved ikke» er {alle.loc[alle['share_dont_know'].idxmax(), 'id']} "
            f"({fmt_pct(alle['share_dont_know'].max())})."))
    parts.append(paragraph(s["scoring_rule"]))
    hidden = s.get("suppressed", [])
    if hidden:
        parts.append(note(f"Af hensyn til anonymiteten vises intet om færre end {s['min_n']} personer. "
                          f"{len(hidden)} celler er skjult — enten fordi der er for få svar, eller fordi en "
                          "skjult gruppe ellers kunne regnes ud fra de viste tal."))
    else:
        parts.append(paragraph(f"Intet er skjult: alle viste grupper har mindst {s['min_n']} svar."))
    return Html("".join(parts))


def provenance(s: dict[str, Any]) -> Html:
    """Section 8: the provenance line — data hash, framework and library version, parameters, run time."""
    p = s["provenance"]
    params = ", ".join(f"{k}={v}" for k, v in p["parameters"].items() if not isinstance(v, dict))
    text = (f"Kilde: kommunens svar {p['data_hash']} (datasæt {p.get('dataset_hash', '–')}) · ramme "
            f"{p['framework']} · fundament {p['library_version']} · parametre: {params} · kørt {p['run_started']}")
    return Html(f'<p class="provenance">{esc(text)}</p>')
