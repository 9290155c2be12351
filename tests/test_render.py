"""HTML export: self-contained, code hidden, nothing a reader must not see, small, Danish, printable."""

from __future__ import annotations

import re

import nbformat
import pytest

from fundament_lib.core.errors import RenderError
from fundament_lib.core.paths import templates_dir
from fundament_lib.run.render import export_html, external_references, scripts, strip_for_export

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
CSS_BUDGET = 12_000  # bytes of inline CSS per page; the lab template's is ≈ 264 kB


def _nb(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = list(cells)
    return nb


def _code(source: str, *outputs: nbformat.NotebookNode, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = list(outputs)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _html_out(html: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("execute_result", data={"text/html": html, "text/plain": "<Html>"},
                                  execution_count=1)


@pytest.fixture(scope="module")
def page() -> str:
    """A notebook with every kind of cell a briefing notebook may have, exported."""
    note = nbformat.v4.new_markdown_cell("# Skabelon\n\nSkabelonen, som kun analytikeren ser.")
    note.metadata["tags"] = ["remove_cell"]
    nb = _nb(
        note,
        _code('kommunekode = "707"  # PARAMETER_SOURCE', tags=("parameters",)),
        _code("briefing.title(s)  # SOURCE_WITH_OUTPUT",
              nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: STDERR_NOISE\n"),
              _html_out('<h1>Norddjurs Kommune</h1><table><caption>Score</caption><thead><tr>'
                        '<th scope="col">Tema</th></tr></thead><tbody><tr><td>61</td></tr></tbody></table>')),
        nbformat.v4.new_markdown_cell("## Et afsnit i markdown\n\nBrødtekst."),
        _code("print('ok')", nbformat.v4.new_output("stream", name="stdout", text="STDOUT_SHOWN\n")),
        _code("fig", nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})),
        _code("widget", nbformat.v4.new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2, "version_minor": 0},
            "text/plain": "WIDGET_FALLBACK"})),
        _code("js", nbformat.v4.new_output("display_data", data={
            "application/javascript": "alert('JS_OUTPUT')", "text/plain": "JS_FALLBACK"})),
    )
    return export_html(nb, title="Fundament-briefing – Norddjurs Kommune")


def test_page_is_danish_and_titled(page):
    assert re.search(r'<html lang="da">', page)
    assert "<title>Fundament-briefing – Norddjurs Kommune</title>" in page
    assert '<meta charset="utf-8"' in page and 'name="viewport"' in page


def test_code_is_hidden(page):
    for marker in ("PARAMETER_SOURCE", "SOURCE_WITH_OUTPUT", "print(", "cm-editor", "highlight"):
        assert marker not in page
    assert "jp-mod-noOutputs" not in page  # a cell without output leaves nothing behind


def test_stderr_and_remove_cell_are_removed(page):
    assert "STDERR_NOISE" not in page and "FutureWarning" not in page
    assert "Skabelonen, som kun analytikeren ser" not in page
    assert "STDOUT_SHOWN" in page and "Et afsnit i markdown" in page and "<h1>Norddjurs Kommune</h1>" in page


def test_nothing_is_loaded_from_elsewhere_and_nothing_runs(page):
    assert external_references(page) == []
    assert scripts(page) == 0
    assert "JS_OUTPUT" not in page and "JS_FALLBACK" in page  # script outputs fall back to text
    assert "WIDGET_FALLBACK" in page
    for cdn in ("require.js", "mathjax", "mermaid", "cdn.", "fonts.googleapis", "unpkg", "jsdelivr"):
        assert cdn not in page.lower()
    assert f'src="data:image/png;base64,{PNG}"' in page


def test_css_is_small_and_only_ours(page):
    styles = re.findall(r"<style[^>]*>(.*?)</style>", page, flags=re.DOTALL)
    assert len(styles) == 1
    assert len(styles[0].encode("utf-8")) < CSS_BUDGET
    assert "@font-face" not in styles[0] and "@import" not in styles[0]
    assert "--jp-" not in styles[0]  # none of JupyterLab's theme


def test_print_stylesheet_makes_clean_a4():
    css = (templates_dir() / "fundament" / "fundament.css").read_text(encoding="utf-8")
    assert re.search(r"@page\s*{[^}]*size:\s*A4", css)
    print_rules = css[css.index("@media print"):]
    assert re.search(r"h1, h2, h3, h4 {[^}]*break-after: avoid", print_rules)
    assert re.search(r"table, figure, img[^{]*{[^}]*break-inside: avoid", print_rules)
    assert 'a[href^="http"]::after' in print_rules  # links spelled out on paper


def test_strip_for_export_leaves_the_original_alone():
    cell = _code("x", nbformat.v4.new_output("stream", name="stderr", text="warn\n"))
    nb = _nb(cell)
    clean = strip_for_export(nb)
    assert clean.cells[0].outputs == [] and len(nb.cells[0].outputs) == 1


def test_export_refuses_a_page_that_would_fetch_from_a_cdn():
    nb = _nb(_code("x", _html_out('<img src="https://cdn.example.org/logo.png" alt="logo">')))
    with pytest.raises(RenderError, match=r"1 resource\(s\) from outside the file.*cdn\.example\.org"):
        export_html(nb, title="t")


def test_export_refuses_an_inline_script_in_an_html_output():
    nb = _nb(_code("x", _html_out("<p>hej</p><script>document.title = 'x'</script>")))
    with pytest.raises(RenderError, match=r"1 script element\(s\); briefings carry no script"):
        export_html(nb, title="t")


@pytest.mark.parametrize(("html", "expected"), [
    ('<script src="https://cdn.jsdelivr.net/npm/mermaid.js"></script>', ['<script src="https://cdn.jsdelivr.net/npm/mermaid.js">']),
    ('<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Lato">', ['<link href="//fonts.googleapis.com/css?family=Lato">']),
    ("<style>@import 'https://x.example/a.css'; body { color: red }</style>", ["@import https://x.example/a.css"]),
    ('<style>@font-face { font-family: X; src: url("https://x.example/f.woff2") }</style>', ["url(https://x.example/f.woff2)"]),
    ('<div style="background: url(https://x.example/bg.png)">x</div>', ["url(https://x.example/bg.png)"]),
    ('<img srcset="data:image/png;base64,AA== 1x, https://x.example/2x.png 2x" alt="">', ['<img srcset="https://x.example/2x.png">']),
    ('<img src=figures/local.png alt="">', ['<img src="figures/local.png">']),  # not embedded: breaks offline
    ('<iframe src="https://x.example/embed"></iframe>', ['<iframe src="https://x.example/embed">']),
    ('<svg><image href="https://x.example/i.png"/></svg>', ['<image href="https://x.example/i.png">']),
    ('<a href="https://www.kl.dk">KL</a><img src="data:image/png;base64,AA==" alt="">', []),
    ('<svg><use href="#mark"/><rect style="fill: url(#grad)"/></svg>', []),
])
def test_external_references(html, expected):
    assert external_references(html) == expected
