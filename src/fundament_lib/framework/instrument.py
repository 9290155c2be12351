"""What a kommune needs to set the survey up in its own tool: a printable questionnaire and a codebook.

``fundament instrument --framework ID --out DIR`` writes

* ``<id>_questionnaire.html`` — the questionnaire in Danish, one
  self-contained file (no scripts, no requests to other hosts) that prints
  cleanly on A4: grouped by block, each matrix with its answer scale and
  "Ved ikke", each item with its variable name (item id) and page;
* ``<id>_codebook.csv`` and ``<id>_codebook.xlsx`` — one row per item (see
  :mod:`fundament_lib.framework.codebook`); ``fundament ingest --codebook FILE``
  reads it back (:mod:`fundament_lib.ingest.codebook`).
"""

from __future__ import annotations

import html
from itertools import groupby
from pathlib import Path
from typing import Any

import pandas as pd

from fundament_lib.core.atomic import write_bytes
from fundament_lib.core.safe_names import child

from .codebook import codebook_csv_bytes, codebook_table, codebook_xlsx_bytes
from .model import Framework
from .parts import GROUP_LABELS

__all__ = ["questionnaire_html", "write_instrument", "instrument_paths", "BLOCK_TITLES"]

BLOCK_TITLES: dict[str, str] = {
    "background": "Om dig",
    "theme": "Udsagn",
    "importance": "Hvad er vigtigst?",
    "outcome": "Tid til at lede det faglige",
    "role": "Stabenes roller",
    "burden": "Administrative opgaver",
    "prerequisite": "Forudsætninger for arbejdet",
}
_SECTION_OF = {"free_text": "burden"}

_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Calibri, Arial, sans-serif; font-size: 10.5pt; color: #1a1a1a;
       line-height: 1.35; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 17pt; margin: 0 0 .3rem; }
h2 { font-size: 13.5pt; margin: 1.6rem 0 .4rem; border-bottom: 2px solid #1f4e79; padding-bottom: .15rem;
     break-after: avoid; }
h3 { font-size: 11.5pt; margin: 1.1rem 0 .3rem; break-after: avoid; }
p { margin: .3rem 0; }
.meta, .who, .id, .page { color: #555; font-size: 9pt; }
.guide { background: #eef3f8; border-left: 4px solid #1f4e79; padding: .5rem .8rem; margin: .8rem 0; }
.question { font-weight: 600; margin-top: .8rem; break-after: avoid; }
table.matrix { border-collapse: collapse; width: 100%; margin: .3rem 0 .6rem; }
table.matrix th, table.matrix td { border: 1px solid #b7c4d1; padding: .25rem .35rem; vertical-align: top; }
table.matrix thead th { background: #eef3f8; font-weight: 600; font-size: 8.5pt; text-align: center; }
table.matrix thead th.stmt { text-align: left; }
table.matrix tbody th { text-align: left; font-weight: normal; }
table.matrix td.box { text-align: center; width: 4.2rem; font-size: 12pt; }
table.matrix thead { display: table-header-group; }
tr, .single { break-inside: avoid; }
ul.options { list-style: none; padding-left: .3rem; margin: .2rem 0 .6rem; }
ul.options li::before { content: "\\2610\\00a0\\00a0"; font-size: 12pt; }
.field { border: 1px solid #b7c4d1; min-height: 4.5rem; margin: .3rem 0 .8rem; }
.field.short { min-height: 1.8rem; width: 8rem; display: inline-block; vertical-align: middle; }
footer { margin-top: 2rem; color: #555; font-size: 8.5pt; border-top: 1px solid #ccc; padding-top: .4rem; }
@media print { body { margin: 0; max-width: none; padding: 0; } .guide { break-inside: avoid; }
               a { color: inherit; text-decoration: none; } }
"""


def _e(text: object) -> str:
    return html.escape("" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text))


def _labels(text: str) -> list[str]:
    """``"1=Helt uenig | … | Ved ikke"`` → the labels as shown, codes dropped."""
    out = []
    for part in (p.strip() for p in str(text).split("|")):
        code, sep, label = part.partition("=")
        out.append(label.strip() if sep and code.strip() and " " not in code.strip() else part)
    return [x for x in out if x]


def _who(audience: str) -> str:
    groups = [g for g in str(audience).split(";") if g]
    if set(groups) >= {"stab", "borgernaer"}:
        return "Besvares af alle"
    return "Besvares af: " + ", ".join(GROUP_LABELS.get(g, g).lower() for g in groups)


def _only(audience: object) -> str:
    """A note after a question put to one group only (empty when both groups answer)."""
    groups = [g for g in str(audience).split(";") if g]
    if set(groups) >= {"stab", "borgernaer"}:
        return ""
    names = ", ".join(GROUP_LABELS.get(g, g).lower() for g in groups)
    return f' <span class="who">(kun {_e(names)})</span>'


def _page(page: object) -> str:
    return "" if page is None or pd.isna(page) else f' <span class="page">(s. {int(page)})</span>'  # type: ignore[call-overload]


def _matrix(rows: pd.DataFrame, *, first_col: str = "Udsagn") -> str:
    labels = _labels(rows["labels"].iloc[0])
    head = "".join(f"<th scope=\"col\">{_e(lab)}</th>" for lab in labels)
    body = []
    for r in rows.itertuples(index=False):
        text = r.row or r.text
        boxes = "".join('<td class="box">&#9744;</td>' for _ in labels)
        body.append(f'<tr><th scope="row" class="stmt">{_e(text)} <span class="id">[{_e(r.item_id)}]</span>'
                    f"</th>{boxes}</tr>")
    return (f'<table class="matrix"><thead><tr><th class="stmt" scope="col">{_e(first_col)}</th>{head}</tr>'
            f"</thead><tbody>{''.join(body)}</tbody></table>")


def _single(r: Any) -> str:
    item_id, text, scale, labels = r.item_id, r.text, r.scale, r.labels
    q = (f'<p class="question">{_e(text)} <span class="id">[{_e(item_id)}]</span>'
         f'{_only(r.audience)}</p>')
    if scale == "tekst":
        return f'<div class="single">{q}<div class="field"></div></div>'
    if scale == "procent":
        return f'<div class="single">{q}<p><span class="field short"></span> %</p></div>'
    options = "".join(f"<li>{_e(lab)}</li>" for lab in _labels(labels))
    return f'<div class="single">{q}<ul class="options">{options}</ul></div>'


def _choices(rows: pd.DataFrame) -> str:
    first = rows.iloc[0]
    opts = "".join(f'<li>{_e(r.row or r.text)} <span class="id">[{_e(r.item_id)}]</span></li>'
                   for r in rows.itertuples(index=False))
    return (f'<div class="single"><p class="question">{_e(first["question"])}{_only(first["audience"])}</p>'
            f'<ul class="options">{opts}</ul></div>')


def _theme_block(fw: Framework, cb: pd.DataFrame) -> str:
    parts = []
    theme_rows = cb[cb["block"] == "theme"]
    for d in fw.domains:
        pages = f' <span class="page">(s. {_e(d.pages)})</span>' if d.pages else ""
        parts.append(f"<h3>{_e(fw.domain_label)} {_e(d.id)}: {_e(d.title)}{pages}</h3>")
        for t in d.themes:
            rows = theme_rows[theme_rows["theme"] == t.id]
            if rows.empty:
                continue
            parts.append(f'<p class="question">{_e(t.id)} {_e(t.title)}{_page(t.page)} — '
                         f"{_e(rows['question'].iloc[0])}</p>")
            parts.append(_matrix(rows))
    return "".join(parts)


def _block(block: str, rows: pd.DataFrame) -> str:
    if rows["audience"].nunique() == 1:  # the section says who answers; no note per question
        rows = rows.assign(audience="stab;borgernaer")
    parts = []
    for question, grp in groupby(rows.itertuples(index=False), key=lambda r: r.question):
        frame = pd.DataFrame(list(grp), columns=rows.columns)
        if question and frame["scale"].iloc[0] == "valgt":
            parts.append(_choices(frame))
        elif question:
            first = "Tema" if block == "importance" else "Rolle" if block == "role" else "Udsagn"
            parts.append(f'<p class="question">{_e(question)}{_page(frame["page"].iloc[0])}'
                         f'{_only(frame["audience"].iloc[0])}</p>')
            parts.append(_matrix(frame, first_col=first))
        else:
            parts.extend(_single(r) for r in frame.itertuples(index=False))
    return "".join(parts)


def questionnaire_html(fw: Framework) -> str:
    """The printable questionnaire of a framework: one self-contained Danish HTML page.

    Parameters
    ----------
    fw
        The framework.

    Returns
    -------
    str
        An HTML document (``lang="da"``) with inline CSS only; every text is escaped.
    """
    cb = codebook_table(fw)
    cb["section"] = cb["block"].map(lambda b: _SECTION_OF.get(b, b))
    sections = []
    for number, (section, rows) in enumerate(
            ((s, cb[cb["section"] == s]) for s in dict.fromkeys(cb["section"])), 1):
        body = _theme_block(fw, rows) if section == "theme" else _block(section, rows)
        audiences = set(rows["audience"])
        who = _who(audiences.pop()) if len(audiences) == 1 else "Nogle spørgsmål besvares kun af én gruppe"
        sections.append(f'<section id="{_e(section)}"><h2>{number}. {_e(BLOCK_TITLES.get(section, section))}</h2>'
                        f'<p class="who">{_e(who)}</p>{body}</section>')
    n_items = int((cb["block"] != "background").sum())
    return f"""<!DOCTYPE html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Spørgeskema – {_e(fw.short_title or fw.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>Spørgeskema: {_e(fw.title)}</h1>
<p class="meta">Ramme <code>{_e(fw.id)}</code>, version {_e(fw.version)} · {n_items} spørgsmål · Kilde: {_e(fw.source)}</p>
<div class="guide">
<p><strong>Til den, der opsætter undersøgelsen.</strong> Opsæt spørgsmålene i kommunens eget
surveyværktøj (SurveyXact, Microsoft Forms, et regneark) med ordlyden her. Hvert spørgsmål har et
variabelnavn i firkantede klammer; brug det som variabelnavn eller kolonnenavn, eller behold
spørgsmålsteksten ordret — så kan <code>fundament ingest</code> genkende svarene. Spørgsmål, der
står sammen i en tabel, kan opsættes som ét matrixspørgsmål. «Ved ikke» er et selvstændigt svar og
tæller ikke med i scorerne. Kodebogen (<code>{_e(fw.id)}_codebook.csv</code> /
<code>.xlsx</code>) har de samme spørgsmål med koder.</p>
<p>Udsagnene er formuleret til dette projekt; sidetal henviser til publikationen.</p>
</div>
</header>
<main>
{''.join(sections)}
</main>
<footer>{_e(fw.title)} · {_e(fw.source)} · Skrevet af Fundament.</footer>
</body>
</html>
"""


def instrument_paths(fw: Framework, out: Path) -> dict[str, Path]:
    """Where :func:`write_instrument` writes: questionnaire and codebook (CSV, XLSX), all inside ``out``.

    Raises
    ------
    UnsafeNameError
        When the framework's id would put a file anywhere but directly in ``out``.
    """
    names = {"questionnaire": f"{fw.id}_questionnaire.html", "codebook_csv": f"{fw.id}_codebook.csv",
             "codebook_xlsx": f"{fw.id}_codebook.xlsx"}
    return {role: child(out, name, what="framework id") for role, name in names.items()}


def write_instrument(fw: Framework, out: Path) -> dict[str, Path]:
    """Write the questionnaire and the codebook of a framework into a folder, each atomically.

    Every file is built before the first is written, so a failure leaves nothing behind.

    Parameters
    ----------
    fw
        The framework.
    out
        The folder (created if needed).

    Returns
    -------
    dict
        The paths written, by role.

    Raises
    ------
    UnsafeNameError
        When the framework's id cannot name a file in ``out`` (nothing is written).
    """
    paths = instrument_paths(fw, out)
    table = codebook_table(fw)
    contents = {"questionnaire": questionnaire_html(fw).encode("utf-8"),
                "codebook_csv": codebook_csv_bytes(table),
                "codebook_xlsx": codebook_xlsx_bytes(table, title=f"Kodebog {fw.id}")}
    for role, data in contents.items():
        write_bytes(paths[role], data)
    return paths
