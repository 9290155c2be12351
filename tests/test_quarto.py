"""The Quarto renderer, against a stand-in `quarto` (tests/fixtures/quarto/quarto).

Real Quarto cannot be installed here or in CI. The stand-in checks the command line and the
files it is handed, records both, and renders as Quarto does as far as a test can see — with
Pandoc and Typst, the tools Quarto bundles: it writes Quarto's CDN require.js/jQuery tags into
the HTML head when a code cell displays ``text/html`` or ``application/javascript``
(quarto-cli ``widgets.ts``), and its Typst PDF drops raw HTML. Its behaviour is tested on its
own first, then the wrapper, then a real briefing side by side with nbconvert's.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pypandoc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from conftest import install_quarto_stand_in
from fundament_lib.core.errors import RenderError
from fundament_lib.run import quarto
from fundament_lib.run.pandoc_markdown import MediaFolder, html_to_markdown
from fundament_lib.run.quarto_input import document_notebook
from fundament_lib.run.render import external_references

TITLE = "Fundament-briefing – Norddjurs Kommune"
CDN_SCRIPTS = ("cdn.jsdelivr.net/npm/requirejs@2.3.6", "cdn.jsdelivr.net/npm/jquery@3.5.1")


@pytest.fixture
def fake_quarto(tmp_path, monkeypatch) -> Path:
    """The stand-in, first on PATH (run by this Python), logging to ``tmp_path/quarto.log``."""
    exe = install_quarto_stand_in(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(tmp_path / "quarto.log"))
    for name in ("FAKE_QUARTO_FAIL", "FAKE_QUARTO_EXTERNAL", "FAKE_QUARTO_NO_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    return exe


def _png() -> str:
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [1, 0])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _briefing_like_html() -> str:
    return ("<h2>1. Status</h2><p class=\"lede\">P1 scorer 61 (KI 58–65) &amp; P2 54 * 3 = $5 @KL.</p>"
            "<table><caption>Score pr. gruppe</caption><thead><tr><th scope=\"col\">Gruppe</th>"
            "<th scope=\"col\" class=\"num\">Score</th></tr></thead><tbody><tr><th scope=\"row\">Alle</th>"
            "<td class=\"num\">61</td></tr><tr><th scope=\"row\">Stab | ledelse</th><td class=\"num\">65</td>"
            "</tr></tbody></table>"
            f"<figure><img src=\"data:image/png;base64,{_png()}\" alt=\"Prikdiagram: &quot;P1&quot; højest.\" />"
            "<figcaption>Score pr. tema (0–100).</figcaption></figure>")


@pytest.fixture
def executed(tmp_path) -> Path:
    """An executed notebook like Papermill's: a note for analysts, parameters, HTML outputs, stderr."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    note = nbformat.v4.new_markdown_cell("Skabelonen, som kun analytikeren skal se.")
    note.metadata["tags"] = ["remove_cell"]
    params = nbformat.v4.new_code_cell('kommunekode = "707"')
    params.metadata["tags"] = ["parameters"]
    title = nbformat.v4.new_code_cell("briefing.title(s)")
    title.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: noise\n"),
        nbformat.v4.new_output("execute_result", data={"text/html": "<h1>Norddjurs Kommune</h1>",
                                                       "text/plain": "<h1>…"}, execution_count=1),
    ]
    status = nbformat.v4.new_code_cell("briefing.status(s)")
    status.outputs = [nbformat.v4.new_output("display_data", data={"text/html": _briefing_like_html(),
                                                                   "text/plain": "<Html>"})]
    nb.cells = [note, params, title, status]
    path = tmp_path / "executed" / "briefing.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path


def _calls(tmp_path: Path) -> list[dict]:
    log = tmp_path / "quarto.log"
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def _stand_in(exe: Path, nb: nbformat.NotebookNode, folder: Path, to: str, *extra: str) -> Path:
    """Run the stand-in on ``nb`` in ``folder``; return the output file."""
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "doc.ipynb")
    output = "doc.html" if to == "html" else "doc.pdf"
    meta = ["-M", "embed-resources:true"] if to == "html" else ["-M", "papersize:a4"]
    res = subprocess.run([str(exe), "render", "doc.ipynb", "--to", to, "--no-execute", "--output", output,
                          *meta, *extra], cwd=folder, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return folder / output


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _squash(text: str) -> str:
    """Letters and digits only: PDF text extraction breaks lines and hyphenates."""
    return re.sub(r"[\W_]+", "", text.lower())


def _notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _code(*outputs: dict) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("#| echo: false\nshow()")
    cell.outputs = [nbformat.v4.new_output("display_data", data=o) for o in outputs]
    return cell


# ---- the stand-in is honest about what Quarto does --------------------------------------------------
def test_stand_in_writes_quartos_cdn_scripts_when_a_code_cell_displays_html(fake_quarto, tmp_path):
    html_output = _stand_in(fake_quarto, _notebook(_code({"text/html": "<p>Hej</p>", "text/plain": "Hej"})),
                            tmp_path / "a", "html").read_text(encoding="utf-8")
    js_output = _stand_in(fake_quarto, _notebook(_code({"application/javascript": "1", "text/plain": "1"})),
                          tmp_path / "b", "html").read_text(encoding="utf-8")
    as_content = _stand_in(fake_quarto, _notebook(nbformat.v4.new_markdown_cell("```{=html}\n<p>Hej</p>\n```")),
                           tmp_path / "c", "html").read_text(encoding="utf-8")
    plain = _stand_in(fake_quarto, _notebook(_code({"text/plain": "Hej"})), tmp_path / "d", "html"
                      ).read_text(encoding="utf-8")
    for page in (html_output, js_output):
        head = page.split("</head>")[0]
        assert all(url in head for url in CDN_SCRIPTS)
        assert len(external_references(page)) == 2
    assert "<p>Hej</p>" in html_output and "<p>Hej</p>" in as_content
    assert external_references(as_content) == [] and external_references(plain) == []


def test_stand_in_typst_drops_raw_html_but_typesets_markdown_tables_and_images(fake_quarto, tmp_path):
    table = "<table><caption>Tabel fra HTML</caption><tr><th>Gruppe</th></tr><tr><td>Tabelcelle</td></tr></table>"
    nb = _notebook(
        nbformat.v4.new_markdown_cell("# Overskrift i markdown\n\n| a | b |\n|---|---|\n| 17 | 23 |\n\n: Pipetabel"),
        _code({"text/html": "<h2>Overskrift i HTML</h2><p>Afsnit i HTML</p>", "text/plain": "x"}),
        _code({"text/html": f"<p>Foran</p>{table}", "text/plain": "x"}),
        _code({"image/png": _png(), "text/plain": "<Figure>"}),
    )
    pdf = _stand_in(fake_quarto, nb, tmp_path / "pdf", "typst")
    reader = PdfReader(pdf)
    text = _pdf_text(pdf)
    assert "Overskrift i markdown" in text and "Pipetabel" in text and "17" in text
    assert "Overskrift i HTML" not in text and "Afsnit i HTML" not in text and "Foran" not in text
    assert "Tabelcelle" in text  # Quarto parses raw HTML tables into Pandoc tables (parsehtml.lua) ...
    assert sum(len(p.images) for p in reader.pages) == 1
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]  # A4
    front = nbformat.v4.new_raw_cell("---\nhtml-table-processing: none\n---")
    text = _pdf_text(_stand_in(fake_quarto, _notebook(front, *nb.cells), tmp_path / "none", "typst"))
    assert "Tabelcelle" not in text  # ... unless told not to


def test_stand_in_checks_what_it_is_given(fake_quarto, tmp_path):
    folder = tmp_path / "css"
    folder.mkdir()
    nbformat.write(_notebook(nbformat.v4.new_raw_cell("---\ncss: missing.css\n---")), folder / "doc.ipynb")
    res = subprocess.run([str(fake_quarto), "render", "doc.ipynb", "--to", "html", "--no-execute", "--output",
                          "doc.html", "-M", "embed-resources:true"], cwd=folder, capture_output=True, text=True)
    assert res.returncode == 1 and "missing.css not found" in res.stderr
    res = subprocess.run([str(fake_quarto), "render", "doc.ipynb", "--to", "html", "--output", "doc.html",
                          "-M", "embed-resources:true"], cwd=folder, capture_output=True, text=True)
    assert res.returncode == 2 and "--no-execute expected" in res.stderr


def test_the_executed_notebook_itself_would_load_from_a_cdn(fake_quarto, executed, tmp_path):
    # What fundament ran before issue 15: Quarto got the executed notebook and its text/html outputs.
    page = _stand_in(fake_quarto, nbformat.read(executed, as_version=4), tmp_path / "raw", "html")
    assert any("jquery" in ref for ref in external_references(page.read_text(encoding="utf-8")))


# ---- the notebook Quarto gets ------------------------------------------------------------------------
def test_document_notebook_shows_what_nbconvert_shows_as_content(tmp_path):
    png = _png()
    cell = nbformat.v4.new_code_cell("vis()")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="1 < 2\n"),
        nbformat.v4.new_output("stream", name="stderr", text="advarsel\n"),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(1)"}),
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("display_data", data={"text/html": "<p>```x```</p>", "text/markdown": "*md*"}),
    ]
    nb = _notebook(nbformat.v4.new_markdown_cell("Tekst"), cell)
    html_doc = document_notebook(nb, "html", tmp_path / "h", title=TITLE)
    assert [c.cell_type for c in html_doc.cells] == ["raw", "markdown", "markdown"]
    front = html_doc.cells[0].source
    assert "lang: da" in front and "echo: false" in front and "html-table-processing: none" in front
    assert "css: fundament.css" in front and json.dumps(TITLE, ensure_ascii=False) in front
    shown = html_doc.cells[2].source
    assert "<pre>1 &lt; 2</pre>" in shown and "advarsel" not in shown and "alert" not in shown
    assert f'src="data:image/png;base64,{png}"' in shown
    assert "````{=html}\n<p>```x```</p>\n````" in shown  # a fence longer than any run of backticks inside
    typst_doc = document_notebook(nb, "typst", tmp_path / "t")
    assert "papersize: a4" in typst_doc.cells[0].source
    body = typst_doc.cells[2].source
    assert "{=html}" not in body and "```\n1 < 2\n```" in body
    [image] = re.findall(r"!\[\]\((media/[0-9a-f]{16}\.png)\)", body)
    assert (tmp_path / "t" / image).read_bytes() == base64.b64decode(png)


def _pandoc_ast(markdown: str) -> dict:
    return json.loads(pypandoc.convert_text(markdown, "json", format="markdown"))


def _walk(node, kind):
    if isinstance(node, dict):
        if node.get("t") == kind:
            yield node
        for value in node.values():
            yield from _walk(value, kind)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, kind)


def _plain_text(node) -> str:
    words = []
    for el in _walk(node, "Str"):
        words.append(el["c"])
    return " ".join(words)


def test_html_to_markdown_reads_back_in_pandoc_as_the_same_document(tmp_path):
    markdown = html_to_markdown(_briefing_like_html(), MediaFolder(tmp_path))
    ast = _pandoc_ast(markdown)
    [header] = list(_walk(ast, "Header"))
    assert header["c"][0] == 2 and _plain_text(header) == "1. Status"
    [para] = [b for b in ast["blocks"] if b["t"] == "Para"]
    assert pypandoc.convert_text(json.dumps({**ast, "blocks": [para]}), "plain", format="json").strip() == \
        "P1 scorer 61 (KI 58–65) & P2 54 * 3 = $5 @KL."
    [table] = list(_walk(ast, "Table"))
    assert _plain_text(table["c"][1]) == "Score pr. gruppe"  # the caption
    aligns = [spec[0]["t"] for spec in table["c"][2]]
    assert aligns == ["AlignLeft", "AlignRight"]
    cells = pypandoc.convert_text(json.dumps({**ast, "blocks": [table]}), "plain", format="json")
    assert "Stab | ledelse" in cells and "65" in cells
    [figure] = list(_walk(ast, "Figure"))
    [image] = list(_walk(figure, "Image"))
    attrs, target = dict(image["c"][0][2]), image["c"][2][0]
    assert attrs["fig-alt"] == 'Prikdiagram: "P1" højest.'
    assert (tmp_path / target).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _plain_text(figure["c"][1]) == "Score pr. tema (0–100)."
    page = "<html><head><title>Side</title><style>p {}</style></head><body><p>Hej</p></body></html>"
    assert html_to_markdown(page, MediaFolder(tmp_path)) == "Hej\n"  # a page's head is not its text


def test_a_link_to_a_heading_keeps_its_target_in_typst(tmp_path):
    """The briefing's table of contents links to its sections: Typst refuses a link to a label no
    heading carries (``label `<status>` does not exist in the document``)."""
    import typst

    page = '<ul><li><a href="#status">1. Status</a></li></ul><h2 id="status">1. Status</h2><p>Tekst</p>'
    markdown = html_to_markdown(page, MediaFolder(tmp_path))
    [header] = list(_walk(_pandoc_ast(markdown), "Header"))
    assert header["c"][1][0] == "status"
    source = pypandoc.convert_text(markdown, "typst", format="markdown", extra_args=["--standalone"])
    assert typst.compile(source.encode("utf-8"))[:5] == b"%PDF-"


def test_statement_bars_become_an_aligned_table_with_every_share_in_words(tmp_path):
    """The bilag's statement bars (HTML): in Typst a table whose rows keep their columns under the
    statement that spans them, each bar as the levels' names and shares, the printed digits (decoration
    for screen readers) not said twice."""
    import pandas as pd

    from fundament_lib.report.briefing.statements import statement_bars

    items = pd.DataFrame([{"item_id": "i0", "group": g, "n": 10, "dont_know": 1, "c1": 1, "c2": 0, "c3": 9}
                          for g in ("stab", "borgernaer")])
    markup = statement_bars(items, labels={"i0": "Et udsagn"}, scale={1: "Nej", 2: "Måske", 3: "Ja"},
                            groups=("stab", "borgernaer"), caption="Svarene")
    ast = _pandoc_ast(html_to_markdown(markup, MediaFolder(tmp_path)))
    [tbl] = list(_walk(ast, "Table"))
    rows = [[_plain_text(cell[4]).replace("\u00a0", " ") for cell in row[1]] for body in tbl["c"][4] for row in body[3]]
    assert rows == [["Et udsagn", "Stab", "Nej: 10 % Ja: 90 %", "n = 10 · 1 ved ikke"],
                    ["", "Borgernære", "Nej: 10 % Ja: 90 %", "n = 10 · 1 ved ikke"]]


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")),
                min_size=1, max_size=40).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraph=_TEXT, cell=_TEXT)
def test_any_text_survives_as_literal_text(tmp_path, paragraph, cell):
    """Free text (quotes, $, @, *, |, {{< >}}, #, 1.) reaches Pandoc as text, never as markup."""
    import html as html_lib

    fragment = (f"<p>{html_lib.escape(paragraph)}</p><table><thead><tr><th>Kolonne</th></tr></thead>"
                f"<tbody><tr><td>{html_lib.escape(cell)}</td></tr></tbody></table>")
    ast = _pandoc_ast(html_to_markdown(fragment, MediaFolder(tmp_path)))
    kinds = {b["t"] for b in ast["blocks"]}
    assert kinds <= {"Para", "Table", "Plain"}, kinds
    plain = pypandoc.convert_text(json.dumps(ast), "plain", format="json", extra_args=["--wrap=none"])
    squashed = " ".join(plain.split())
    assert " ".join(paragraph.split()) in squashed and " ".join(cell.split()) in squashed


# ---- the wrapper ------------------------------------------------------------------------------------
def test_html_is_rendered_from_content_cells_and_passes_the_offline_check(fake_quarto, executed, tmp_path):
    out = tmp_path / "out"
    written = quarto.render(executed, out, title=TITLE)
    assert written == [out / "briefing.html"]
    [call] = _calls(tmp_path)
    assert call["argv"][:2] == ["render", "briefing.ipynb"]
    assert call["to"] == "html" and call["output"] == "briefing.html"
    assert "--no-execute" in call["flags"]
    assert "embed-resources:true" in call["metadata"] and "lang:da" in call["metadata"]
    assert Path(call["cwd"]).parent != executed.parent  # a scratch copy, never the published notebook
    assert "fundament.css" in call["files"]
    seen = call["notebook"]
    assert seen["cell_types"] == ["raw", "markdown", "markdown"]  # front matter + two cells shown
    assert seen["widget_outputs"] == 0 and seen["streams"] == [] and "remove_cell" not in seen["tags"]
    front = seen["front_matter"]
    assert front.startswith("---") and "echo: false" in front and "lang: da" in front and TITLE in front
    page = written[0].read_text(encoding="utf-8")
    assert external_references(page) == [] and '<html lang="da"' in page
    assert "<h1>Norddjurs Kommune</h1>" in page and "<caption>Score pr. gruppe</caption>" in page
    assert "FutureWarning" not in page and "briefing.status" not in page and "kommunekode" not in page


def test_pdf_goes_through_typst_on_a4_with_every_part(fake_quarto, executed, tmp_path):
    written = quarto.render(executed, tmp_path / "out", formats=("html", "pdf"))
    assert [p.name for p in written] == ["briefing.html", "briefing.pdf"]
    calls = _calls(tmp_path)
    assert [c["to"] for c in calls] == ["html", "typst"]
    assert calls[1]["output"] == "briefing.pdf" and "papersize:a4" in calls[1]["metadata"]
    assert "embed-resources:true" not in calls[1]["metadata"] and "media" in calls[1]["files"]
    reader = PdfReader(written[1])
    text = _squash(_pdf_text(written[1]))
    for part in ("Norddjurs Kommune", "1. Status", "Score pr. gruppe", "Stab | ledelse", "Score pr. tema (0–100)",
                 "P1 scorer 61 (KI 58–65)"):
        assert _squash(part) in text, part
    assert sum(len(p.images) for p in reader.pages) == 1
    assert "briefingstatus" not in text and "futurewarning" not in text


def test_explicit_executable_is_used(fake_quarto, executed, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    written = quarto.render(executed, tmp_path / "out", executable=fake_quarto, stem="alt")
    assert [p.name for p in written] == ["alt.html"]


def test_missing_quarto_is_a_clear_error(executed, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(RenderError, match=r"Quarto not found on PATH; install Quarto from https://quarto\.org"):
        quarto.render(executed, tmp_path / "out")
    with pytest.raises(RenderError, match=r"Quarto not found at /opt/quarto/bin/quarto"):
        quarto.render(executed, tmp_path / "out", executable="/opt/quarto/bin/quarto")
    assert not (tmp_path / "out").exists()


def test_quarto_failure_carries_its_own_message(fake_quarto, executed, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "ERROR: Invalid value for papersize: a4x")
    with pytest.raises(RenderError, match=r"failed \(exit 1\): ERROR: Invalid value for papersize: a4x"):
        quarto.render(executed, tmp_path / "out")
    assert not (tmp_path / "out" / "briefing.html").exists()


def test_html_that_would_load_from_a_cdn_is_refused(fake_quarto, executed, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_QUARTO_EXTERNAL", "1")
    with pytest.raises(RenderError, match=r"cdn\.example\.org"):
        quarto.render(executed, tmp_path / "out")
    assert not (tmp_path / "out" / "briefing.html").exists()


def test_quarto_writing_nothing_is_an_error(fake_quarto, executed, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_QUARTO_NO_OUTPUT", "1")
    with pytest.raises(RenderError, match=r"exited 0 but wrote no briefing\.html"):
        quarto.render(executed, tmp_path / "out")


def test_unknown_format_and_missing_notebook(fake_quarto, executed, tmp_path):
    with pytest.raises(RenderError, match=r"formats must be one or more of \['html', 'pdf'\]; got \['docx'\]"):
        quarto.render(executed, tmp_path / "out", formats=("docx",))
    with pytest.raises(RenderError, match=r"nope\.ipynb: notebook not found"):
        quarto.render(tmp_path / "nope.ipynb", tmp_path / "out")


def test_command_line_shape():
    args = quarto.command(Path("/usr/bin/quarto"), "briefing.ipynb", "html", "briefing.html")
    assert args == ["/usr/bin/quarto", "render", "briefing.ipynb", "--to", "html", "--no-execute",
                    "--output", "briefing.html", "-M", "embed-resources:true", "-M", "lang:da"]


def test_the_cli_offers_exactly_the_renderers_publish_knows():
    # Typer needs an Enum for its choices, publish a Literal for its type hints: keep them equal.
    from typing import get_args

    from fundament_lib.cli import main as cli
    from fundament_lib.run import publish

    assert {r.value for r in cli.Renderer} == set(get_args(publish.Renderer))


# ---- a real briefing, side by side with nbconvert's ---------------------------------------------------
_VOID = {"img", "br", "hr", "meta", "link", "input", "col", "source", "wbr", "area", "base", "embed", "track"}


class _Page(HTMLParser):
    """Headings, text, figures and tables of a page (script, style and head left out, and what is
    hidden from screen readers as decoration — the statement bars' printed digits, said again in
    words — as the Typst path leaves it out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.text: list[str] = []
        self.images = 0
        self.tables = 0
        self._skip = 0
        self._hidden = 0  # depth inside an aria-hidden element
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if self._hidden and tag not in _VOID:
            self._hidden += 1
        elif ("aria-hidden", "true") in attrs and tag not in _VOID:
            self._hidden = 1
        if tag in ("script", "style", "title"):
            self._skip += 1
        elif tag in ("h1", "h2", "h3", "h4"):
            self._heading = []
        self.images += tag == "img"
        self.tables += tag == "table"

    def handle_endtag(self, tag):
        if self._hidden:
            self._hidden -= 1
        if tag in ("script", "style", "title"):
            self._skip -= 1
        elif tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data):
        if self._skip or self._hidden:
            return
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _numbers(text: str) -> Counter[str]:
    return Counter(re.findall(r"\d+(?:[.,]\d+)?", text))


@pytest.mark.slow
def test_a_quarto_briefing_carries_what_the_nbconvert_briefing_does(project, tmp_path, monkeypatch):
    from fundament_lib.run.batch import run
    from fundament_lib.run.render import export_html

    exe = install_quarto_stand_in(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{exe.parent}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "out"
    report = run(project / "data" / "processed" / "demo.parquet", out=out, kommuner=["707"], workers=1,
                 params=project / "params", notebook=project / "notebooks" / "kommune_briefing.ipynb",
                 renderer="quarto", pdf=True)
    assert report.ok, report.outcomes
    folder = out / "707"
    quarto_html = (folder / "briefing.html").read_text(encoding="utf-8")
    assert 'content="quarto-stand-in"' in quarto_html and '<html lang="da"' in quarto_html
    assert external_references(quarto_html) == []
    nbconvert_html = export_html(nbformat.read(folder / "briefing.ipynb", as_version=4), title="x")
    ours, theirs = _page(nbconvert_html), _page(quarto_html)
    sections = [h for h in ours.headings if re.match(r"\d\. |Kort fortalt", h)]
    assert len(sections) >= 8  # every section of today's briefing, whatever the sections become
    assert theirs.headings == ours.headings
    assert _numbers(" ".join(theirs.text)) == _numbers(" ".join(ours.text))
    # four pictures (status, profile, priority map, burden); the two heatmaps are tables
    assert (theirs.images, theirs.tables) == (ours.images, ours.tables) and ours.images >= 4
    assert "briefing.status" not in quarto_html and "kommunekode" not in quarto_html  # code hidden

    pdf = folder / "briefing.pdf"
    reader = PdfReader(pdf)
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]
    text = _pdf_text(pdf)
    squashed = _squash(text)
    missing = [h for h in ours.headings if _squash(h) not in squashed]
    assert missing == []
    in_pdf = _numbers(text)
    assert [n for n, k in _numbers(" ".join(ours.text)).items() if in_pdf[n] < k] == []
    assert sum(len(p.images) for p in reader.pages) == ours.images
    assert "briefingstatus" not in squashed
