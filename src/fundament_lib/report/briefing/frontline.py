"""Sections 4 and 5: the staff functions' roles and the frontline leaders' administrative burden."""

from __future__ import annotations

from typing import Any

from fundament_lib.core.fmt import fmt_int, fmt_num, fmt_pct
from fundament_lib.framework.model import Framework
from fundament_lib.report import plots
from fundament_lib.report.html import Html, esc, figure, heading, note, paragraph

from .common import (
    asked_block,
    colour_caption,
    frame,
    fw_of,
    national_cells,
    section_number,
    skipped_text,
)
from .heatmap import HeatLayout, heat_table
from .hidden import frontline_hidden_note

__all__ = ["roles", "burden", "quotes"]


def roles(s: dict[str, Any]) -> Html:
    """Section 4: how frontline leaders rate each staff function on the five roles."""
    plots.set_style()
    fw = fw_of(s)
    cells = frame(s.get("roles", []))
    if fw.roles is None:
        return Html("")
    if not asked_block(s, "role"):
        return Html(heading(f"{section_number(fw, 'roles')}. Stabenes roller set fra de borgernære enheder", anchor="roles")
                    + note(str(skipped_text(s, "roles"))))
    functions = {f.id: f.title for f in fw.roles.functions}
    roles_order = {r.id: (r.short or r.title).capitalize() for r in fw.roles.roles}
    parts: list[str] = [heading(f"{section_number(fw, 'roles')}. Stabenes roller set fra de borgernære enheder",
                                anchor="roles"),
             paragraph("De borgernære ledere har vurderet, hvor godt hver stabsfunktion udfylder fem roller "
                       "(0 = i meget lav grad, 100 = i meget høj grad).")]
    shown = cells.dropna(subset=["score"]) if not cells.empty else cells
    if shown.empty:
        return Html("".join(parts) + note(frontline_hidden_note(s, "Rollevurderingen")
                                          or "For få svar til at vise rollevurderingen."))
    national = national_cells(s, "roles")
    layout = HeatLayout(row="function", column="role", rows=functions, columns=roles_order,
                        corner="Stabsfunktion", n_format="n = {n}")
    best, worst = shown.loc[shown["score"].idxmax()], shown.loc[shown["score"].idxmin()]
    alt = (f"Varmekort over {len(functions)} stabsfunktioner og fem roller. Bedst vurderet: "
           f"{functions[best['function']]} til at {_role_title(fw, best['role'])} ({fmt_num(best['score'])}). "
           f"Svagest: {functions[worst['function']]} til at {_role_title(fw, worst['role'])} "
           f"({fmt_num(worst['score'])}).")
    caption = ("Tallet i hver celle er kommunens score (0–100) og antal svar. "
               + colour_caption(national, "samme stabsfunktion og rolle"))
    parts.append(heat_table(cells, national, layout, summary=alt, caption=caption))
    return Html("".join(parts))


def _role_title(fw: Framework, role_id: str) -> str:
    assert fw.roles is not None
    return next(r.title for r in fw.roles.roles if r.id == role_id)


def burden(s: dict[str, Any]) -> Html:
    """Section 5: where the frontline leaders' time goes, with screened free-text examples."""
    plots.set_style()
    fw = fw_of(s)
    if fw.burden is None:
        return Html("")
    heading_text = f"{section_number(fw, 'burden')}. Administrativ byrde hos de borgernære ledere"
    if not asked_block(s, "burden") and not asked_block(s, "free_text"):
        return Html(heading(heading_text, anchor="burden") + note(str(skipped_text(s, "burden"))))
    areas = frame(s["burden"]["areas"])
    labels = {a.id: a.title for a in fw.burden.areas}
    parts: list[str] = [heading(heading_text, anchor="burden"),
             paragraph("Andelen af de borgernære ledere, der oplever, at opgaveområdet tager mere af deres tid, "
                       "end det burde; stregen viser, hvor andelen sandsynligvis ligger.")]
    if not asked_block(s, "burden"):
        parts = [heading(heading_text, anchor="burden"), note(str(skipped_text(s, "burden")))]
    elif not areas.empty and areas["share"].notna().any():
        order = areas.dropna(subset=["share"]).sort_values("share", ascending=False)["area"]
        ax = plots.share_bars(areas, labels={a: labels[a] for a in order})
        top = areas.loc[areas["share"].idxmax()]
        parts.append(figure(ax, alt=(f"Søjlediagram: {fmt_pct(top['share'])} af de borgernære ledere peger på "
                                     f"{labels[top['area']].lower()} som det område, der tager mest tid."),
                            caption="Andel, der peger på området (flere svar muligt)."))
    else:
        parts.append(note(frontline_hidden_note(s, "Byrden") or "For få svar til at vise byrden."))
    share = s["burden"].get("share")
    if share and not share["suppressed"]:
        parts.append(paragraph(
            f"De borgernære ledere bruger efter egen vurdering i gennemsnit {fmt_num(share['mean'])} % af "
            f"arbejdsugen på at lede det faglige (median {fmt_num(share['median'])} %, halvdelen mellem "
            f"{fmt_num(share['q1'])} og {fmt_num(share['q3'])} %; n = {fmt_int(share['n'])})."))
    if asked_block(s, "free_text"):
        ft = s["free_text"]
        parts.append(paragraph("Eksempler med ledernes egne ord står i bilaget." if not ft["suppressed"] else
                               f"Ingen eksempler med ledernes egne ord vises: {ft['suppression']}."))
    else:
        parts.append(note(str(skipped_text(s, "free_text"))))
    return Html("".join(parts))


def quotes(s: dict[str, Any]) -> Html:
    """Bilag: the screened free-text examples ('' where none are shown; section 5 then says why)."""
    if not asked_block(s, "free_text") or s["free_text"]["suppressed"]:
        return Html("")
    return Html(_free_text_part(s["free_text"]))


def _free_text_part(ft: dict[str, Any]) -> str:
    head = heading("Eksempler med ledernes egne ord", 3)
    if ft["suppressed"]:
        return head + note(f"Ingen eksempler vises: {ft['suppression']}.")
    shown = ft["shown"]
    quotes = "".join(f'<p class="quote">{esc(t)}</p>' for t in shown)
    removed = ft.get("removed") or {}
    screening = ("Navne, e-mailadresser og telefonnumre er fjernet før visning"
                 + (f" ({', '.join(f'{v} × {k}' for k, v in removed.items())})." if removed else "."))
    if ft.get("n") is None:  # the writers' group is hidden: its size is not shown
        count = f"Et udvalg på {len(shown)} eksempler."
    else:
        count = (f"Et udvalg på {len(shown)} af {fmt_int(ft.get('n_distinct', ft['n']))} forskellige eksempler "
                 f"(skrevet af {fmt_int(ft['n'])} ledere).")
    return head + paragraph(f"{count} {screening}") + quotes
