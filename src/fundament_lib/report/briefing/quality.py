"""Sections 6–8: change since the last wave, data quality and uncertainty, provenance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from fundament_lib.analysis.verdicts import CLEAR_P
from fundament_lib.core.fmt import fmt_ci, fmt_datetime, fmt_int, fmt_num, fmt_pct
from fundament_lib.framework import GROUP_LABELS
from fundament_lib.report.html import Html, esc, heading, note, paragraph, table

from .common import (
    QUALITY_TITLE,
    asked_groups,
    frame,
    fw_of,
    id_labels,
    section_number,
    shown_groups,
    signed,
    skipped_text,
    theme_labels,
)
from .hidden import hidden_lines, join_da

__all__ = ["changes", "change_table", "quality", "method", "hidden", "provenance", "interval_text", "parameter_text", "scales_text"]


def changes(s: dict[str, Any]) -> Html:
    """Section 6: what has moved since the previous wave (one line saying so when there is none)."""
    fw = fw_of(s)
    number = section_number(fw, "changes")
    if not s.get("previous_wave"):
        return Html(heading(f"{number}. Udvikling siden sidste måling", anchor="changes")
                    + paragraph("Der er ingen tidligere måling at sammenligne med, så udviklingen kan først "
                                "vises efter næste måling."))
    labels = id_labels(fw)
    parts: list[str] = [heading(f"{number}. Udvikling siden målingen {s['previous_wave']}", anchor="changes")]
    moved = frame(s.get("changes", []))
    if moved.empty:
        return Html("".join(parts) + note("Ændringerne kan ikke vises: for få svar i en af målingerne."))
    whole = "alle" if len(asked_groups(s)) != 1 else asked_groups(s)[0]
    sure = moved[(moved["group"] == whole) & moved.apply(_clear, axis=1) & (moved["level"] == "theme")]
    summary = ("Ingen temaer har flyttet sig mere, end målingens usikkerhed kan skelne." if sure.empty else
               f"Klare ændringer ({_all_asked(s)}{' under ét' if len(asked_groups(s)) != 1 else ''}): " + "; ".join(
                   f"{labels[r['id']]} {signed(r['change'])} point"
                   for _, r in sure.iterrows()) + ".")
    parts += [paragraph(summary),
              paragraph("Ændringen for hvert tema og hver gruppe står i bilaget.", cls="meta")]
    return Html("".join(parts))


def change_table(s: dict[str, Any]) -> Html:
    """Bilag: the change of every score id and group since the previous round, with interval and the
    clear verdict ('' without an earlier round or shown changes)."""
    moved = frame(s.get("changes", []))
    if not s.get("previous_wave") or moved.empty:
        return Html("")
    rows = []
    for sid, label in id_labels(fw_of(s)).items():
        part = moved[moved["id"] == sid].set_index("group")
        if part.empty:
            continue
        row = {"Tema": label}
        for g in shown_groups(s):
            row[GROUP_LABELS[g]] = _change_text(part.loc[g]) if g in part.index else "skjult"
        rows.append(row)
    return Html(heading(f"Ændringer siden {s['previous_wave']}", 3)
                + table(pd.DataFrame(rows), caption=f"Ændring i score fra {s['previous_wave']} til {s['wave']} "
                        "(i parentes: hvor ændringen sandsynligvis ligger)", numeric=[GROUP_LABELS[g] for g in shown_groups(s)],
                        row_header="Tema")
                + paragraph("De to målinger har forskellige respondenter, så intervallet bygger på to uafhængige "
                            "stikprøver. * markerer en klar ændring: den holder, også når alle temaer ses på én "
                            "gang.", cls="meta"))


def _all_asked(s: dict[str, Any]) -> str:
    """'alle ledere', or the one group asked ('staben')."""
    groups = asked_groups(s)
    return "alle ledere" if len(groups) != 1 else {"stab": "staben", "borgernaer": "de borgernære ledere"}[groups[0]]


def _clear(c: pd.Series) -> bool:
    """The summary's verdict on a change (``clear``); for a summary written before it, p below 5 %."""
    if "clear" in c and pd.notna(c["clear"]):
        return bool(c["clear"])
    return pd.notna(c.get("p")) and float(c["p"]) < CLEAR_P


def _change_text(c: pd.Series) -> str:
    star = "*" if _clear(c) else ""
    return f"{signed(c['change'])} ({fmt_ci(c['ci_low'], c['ci_high'])}){star}"


def quality(s: dict[str, Any]) -> Html:
    """Section 7: responses per group, response rate, missingness and what was suppressed."""
    resp = frame(s["quality"]["respondents"]).set_index("group")
    rows = []
    for g in shown_groups(s):
        if g not in resp.index:
            continue
        r = resp.loc[g]
        rows.append({"Gruppe": GROUP_LABELS[g], "Svar": "skjult" if r["suppressed"] else fmt_int(r["n"]),
                     "Inviterede": fmt_int(r.get("invited")),
                     "Svarprocent": "skjult" if r["suppressed"] else fmt_pct(r.get("response_rate"))})
    miss = frame(s["quality"]["missingness"])
    alle = miss[(miss["group"] == "alle") & ~miss["suppressed"]] if not miss.empty else miss
    parts: list[str] = [heading(f"{section_number(fw_of(s), 'quality')}. {QUALITY_TITLE}", anchor="quality"),
             table(pd.DataFrame(rows), caption="Antal respondenter og svarprocent", numeric=["Svar", "Inviterede", "Svarprocent"],
                   row_header="Gruppe")]
    missing = [GROUP_LABELS[g] for g in ("stab", "borgernaer") if g not in asked_groups(s)]
    if missing:
        parts.append(paragraph(f"{' og '.join(missing)} er ikke spurgt i denne måling."))
    if not alle.empty:
        parts.append(paragraph(
            f"«Ved ikke» udgør {fmt_pct(alle['share_dont_know'].mean())} og ubesvarede udsagn "
            f"{fmt_pct(alle['share_missing'].mean())} af svarene på temaernes udsagn i gennemsnit; temaet med "
            f"flest «Ved ikke» er {alle.loc[alle['share_dont_know'].idxmax(), 'id']} "
            f"({fmt_pct(alle['share_dont_know'].max())})."))
    parts.append(_reliability_line(s))
    if s.get("suppressed"):
        parts.append(paragraph(f"Af hensyn til anonymiteten vises intet om færre end {s['min_n']} personer; "
                               "bilaget siger, hvad der er skjult og hvorfor."))
    else:
        parts.append(paragraph(f"Intet er skjult: alle viste grupper har mindst {s['min_n']} svar."))
    return Html("".join(parts))


def method(s: dict[str, Any]) -> Html:
    """Bilag: reliability, the scoring rule, the scales, how intervals and verdicts were made."""
    parts: list[str] = [heading("Pålidelighed og metode", 3), _reliability_part(s),
                        paragraph(s["scoring_rule"])]
    scales = scales_text(s)
    if scales:
        parts.append(paragraph(scales))
    parts.append(paragraph(interval_text(s.get("interval"), both_groups=len(asked_groups(s)) == 2)))
    parts.append(paragraph(
        "En forskel mellem staben og de borgernære ledere, eller en ændring siden sidste måling, kaldes klar, når "
        "Welchs t-test giver p under 5 % efter Holms korrektion for, at alle temaer (og for sig pejlemærkerne) "
        "testes på én gang. Det normale på landsplan er medianen af forskellen over de kommuner, hvor begge "
        "grupper vises. Sammenhængen med tid til at lede det faglige er korrelationen blandt kommunens egne "
        "borgernære ledere, trukket mod landsgennemsnittet efter, hvor mange de er (empirisk Bayes, "
        "DerSimonian–Lairds varianskomponent); under halv egen vægt står der «på landsplan»."))
    block = s.get("priority") or {}
    if block.get("rule"):
        parts.append(paragraph(block["rule"]))
    return Html("".join(parts))


def hidden(s: dict[str, Any]) -> Html:
    """Bilag: what was suppressed and why, one line per group, fagområde, role or area."""
    parts: list[str] = [heading("Skjulte tal", 3)]
    if s.get("suppressed"):
        lines = hidden_lines(s)
        parts.append(note(f"Af hensyn til anonymiteten vises intet om færre end {s['min_n']} personer. "
                          + ("Derfor er dette skjult:" if lines else
                             "Nogle tal er skjult, enten fordi der er for få svar, eller fordi en skjult gruppe "
                             "ellers kunne regnes ud fra de viste tal."), items=lines))
    else:
        parts.append(paragraph(f"Intet er skjult: alle viste grupper har mindst {s['min_n']} svar."))
    return Html("".join(parts))


def _reliability_line(s: dict[str, Any]) -> str:
    """One plain line on the themes whose statements agree too little to read their score with confidence."""
    rel = frame(s["quality"].get("reliability", []))
    if rel.empty or rel["alpha"].notna().sum() == 0:
        return ""
    labels = theme_labels(fw_of(s))
    low = [labels.get(i, i) for i in rel.loc[rel["alpha"] < 0.7, "id"]]
    return paragraph("Temaernes udsagn hænger godt sammen, så scorerne kan læses, som de står." if not low else
                     "Læs disse temaer med forsigtighed, da udsagnene under dem hænger svagere sammen: "
                     + ", ".join(low) + " (detaljer i bilaget).")


def scales_text(s: dict[str, Any]) -> str:
    """Which scale each theme was asked on, in Danish, e.g. 'Temaernes udsagn er stillet på rammens
    5-trinsskala.' or '… P1.1 og P1.2 på en 4-trinsskala; …' ('' for an older summary)."""
    rows = [r for r in s.get("scales", []) if not str(r["id"]).islower()]
    if not rows:
        return ""
    by_scale: dict[tuple[int, ...], list[str]] = {}
    for r in rows:
        by_scale.setdefault(tuple(r["points"]), []).append(str(r["id"]))
    own = rows[0]["framework_points"]
    rule = ("Et svar på trin v af K tæller (v − 1)/(K − 1) × 100, så 0 er skalaens laveste og 100 dens højeste "
            "svarmulighed.")
    if list(by_scale) == [(own,)]:
        return f"Temaernes udsagn er stillet på rammens {own}-trinsskala."
    if len(by_scale) == 1 and len(next(iter(by_scale))) == 1:
        k = next(iter(by_scale))[0]
        return f"Temaernes udsagn er stillet på en {k}-trinsskala (rammens egen skala har {own} trin). {rule}"
    parts = []
    for points, ids in by_scale.items():
        where = join_da(ids)
        if len(points) == 1:
            parts.append(f"{where} på {'rammens' if points[0] == own else 'en'} {points[0]}-trinsskala")
        else:
            parts.append(f"{where} på flere skalaer ({join_da([f'{k} trin' for k in points])}; hvert svar er "
                         "omregnet på sin egen skala)")
    return "Temaernes udsagn er stillet på forskellige skalaer: " + "; ".join(parts) + ". " + rule


def _reliability_part(s: dict[str, Any]) -> str:
    rel = frame(s["quality"].get("reliability", []))
    if rel.empty or rel["alpha"].notna().sum() == 0:
        return paragraph(skipped_text(s, "reliability") or
                         "Temaernes pålidelighed (Cronbachs alfa) beregnes kun, når mindst 30 har besvaret alle "
                         "temaets udsagn; det er ikke tilfældet her.")
    labels = theme_labels(fw_of(s))
    shown = rel.dropna(subset=["alpha"])
    rows = [{"Tema": labels.get(r["id"], r["id"]), "Udsagn": fmt_int(r["k"]), "n": fmt_int(r["n"]),
             "Cronbachs alfa": f"{fmt_num(r['alpha'], 2)} ({fmt_ci(r['ci_low'], r['ci_high'], 2)})",
             "McDonalds omega": fmt_num(r["omega"], 2)} for _, r in shown.iterrows()]
    low = [labels.get(i, i) for i in shown.loc[shown["alpha"] < 0.7, "id"]]
    text = ("Alle temaer måles pålideligt (alfa mindst 0,70)." if not low else
            "Læs disse temaer med forsigtighed, da udsagnene hænger svagere sammen (alfa under 0,70): "
            + ", ".join(low) + ".")
    return (heading("Pålidelighed", 4) + paragraph(text)
            + table(pd.DataFrame(rows), caption="Temaernes pålidelighed (alfa med 95 %-interval, Feldt)",
                    numeric=["Udsagn", "n", "Cronbachs alfa", "McDonalds omega"], row_header="Tema"))


def interval_text(interval: Mapping[str, Any] | None, *, both_groups: bool = True) -> str:
    """The summary's ``interval`` record (how the intervals were made) as a Danish sentence.

    Summaries written before the record existed get a general sentence; ``both_groups`` false (a
    survey of one group) leaves out how ``alle`` is resampled.
    """
    if not interval:
        return "Konfidensintervallerne er beregnet ved bootstrap over respondenterne."
    kind = ("bootstrap-percentilintervaller" if interval["kind"] == "bootstrap_percentile"
            else "udvidede bootstrap-percentilintervaller (Hesterberg)")
    level = _level_text(interval["level"])
    text = (f"Konfidensintervallerne er {kind} på {level}-niveau: respondenterne er trukket om "
            f"{fmt_int(int(interval['resamples']))} gange med tilbagelægning")
    if interval.get("alle_stratified_by") == "group" and both_groups:
        text += ", og for «alle» er stab og borgernære ledere trukket hver for sig"
    return text + "."


def _level_text(level: object) -> str:
    """A confidence level as a percentage, e.g. '95 %' or '99,5 %'."""
    return fmt_pct(level, 1).replace(",0 %", " %")


_PARAMETERS = {"framework": "ramme", "wave": "måling", "min_n": "mindste viste gruppe", "confidence": "konfidensniveau",
               "n_boot": "bootstrap-træk", "seed": "startværdi for tilfældige træk", "language": "sprog",
               "share_names": "andre kommuners navne vises", "invited": "inviterede"}


def parameter_text(name: str, value: Any) -> str:
    """One run parameter in Danish, e.g. ``måling: «seneste»`` or ``andre kommuners navne vises: nej``."""
    if name == "wave" and value is None:
        shown = "«seneste»"
    elif value is None:
        shown = "–"
    elif isinstance(value, bool):
        shown = "ja" if value else "nej"
    elif name == "confidence":
        shown = _level_text(value)
    elif name == "min_n":
        shown = f"{value} personer"
    elif name == "n_boot":
        shown = fmt_int(value)
    elif name == "language":
        shown = {"da": "dansk"}.get(str(value), str(value))
    elif isinstance(value, dict):
        shown = ", ".join(f"{GROUP_LABELS.get(str(k), str(k)).lower()} {v}" for k, v in value.items())
    else:
        shown = str(value)
    return f"{_PARAMETERS.get(name, name)}: {shown}"


def provenance(s: dict[str, Any]) -> Html:
    """Section 8: the provenance line — data hash, framework and library version, parameters, run time."""
    p = s["provenance"]
    params = "; ".join(parameter_text(k, v) for k, v in p["parameters"].items()
                       if k != "framework" and not (isinstance(v, dict) and k != "invited"))
    text = ("DEMODATA · " if p.get("demo") else "") + (
            f"Kilde: kommunens svar {p['data_hash']} (datasæt {p.get('dataset_hash', '–')}) · ramme "
            f"{p['framework']} · fundament {p['library_version']} · parametre: {params} · "
            f"kørt {fmt_datetime(p['run_started'])}")
    return Html(f'<p class="provenance">{esc(text)}</p>')
