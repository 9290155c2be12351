"""The Quarto renderer, against a stand-in `quarto` (tests/fixtures/quarto/quarto).

Real Quarto is not installed here or in CI; the stand-in checks the command line and the
notebook it is handed, records both, and writes the output file as Quarto would.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import nbformat
import pytest

from fundament_lib import quarto
from fundament_lib.errors import RenderError

STAND_IN = Path(__file__).parent / "fixtures" / "quarto" / "quarto"
TITLE = "Fundament-briefing – Norddjurs Kommune"


@pytest.fixture
def fake_quarto(tmp_path, monkeypatch) -> Path:
    """The stand-in, first on PATH (run by this Python), logging to ``tmp_path/quarto.log``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "quarto"
    text = STAND_IN.read_text(encoding="utf-8").split("\n", 1)[1]
    exe.write_text(f"#!{sys.executable}\n{text}", encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(tmp_path / "quarto.log"))
    for name in ("FAKE_QUARTO_FAIL", "FAKE_QUARTO_EXTERNAL", "FAKE_QUARTO_NO_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    return exe


@pytest.fixture
def executed(tmp_path) -> Path:
    """A small executed notebook like Papermill's: a note for analysts, parameters, outputs, stderr."""
    nb = nbformat.v4.new_notebook()
    note = nbformat.v4.new_markdown_cell("Skabelonen, som kun analytikeren skal se.")
    note.metadata["tags"] = ["remove_cell"]
    params = nbformat.v4.new_code_cell('kommunekode = "707"')
    params.metadata["tags"] = ["parameters"]
    shown = nbformat.v4.new_code_cell("briefing.title(s)")
    shown.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: noise\n"),
        nbformat.v4.new_output("execute_result", data={"text/html": "<h1>Norddjurs Kommune</h1>",
                                                       "text/plain": "<h1>…"}, execution_count=1),
    ]
    nb.cells = [note, params, shown]
    path = tmp_path / "executed" / "briefing.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path


def _calls(tmp_path: Path) -> list[dict]:
    log = tmp_path / "quarto.log"
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def test_html_gets_the_expected_command_and_a_cleaned_notebook(fake_quarto, executed, tmp_path):
    out = tmp_path / "out"
    written = quarto.render(executed, out, title=TITLE)
    assert written == [out / "briefing.html"]
    [call] = _calls(tmp_path)
    assert call["argv"][:2] == ["render", "briefing.ipynb"]
    assert call["to"] == "html" and call["output"] == "briefing.html"
    assert "--no-execute" in call["flags"]
    assert "embed-resources:true" in call["metadata"] and "lang:da" in call["metadata"]
    assert Path(call["cwd"]) != executed.parent  # a scratch copy, never the published notebook
    seen = call["notebook"]
    assert seen["first_cell_type"] == "raw"
    front = seen["front_matter"]
    assert front.startswith("---") and "echo: false" in front and "lang: da" in front and TITLE in front
    assert "remove_cell" not in seen["tags"] and seen["cells"] == 3  # front matter + 2 of 3 cells
    assert seen["streams"] == []  # stderr removed before Quarto sees it
    assert seen["code_echo_false"]
    assert "<h1>Norddjurs Kommune</h1>" in written[0].read_text(encoding="utf-8")


def test_pdf_goes_through_typst_on_a4(fake_quarto, executed, tmp_path):
    written = quarto.render(executed, tmp_path / "out", formats=("html", "pdf"))
    assert [p.name for p in written] == ["briefing.html", "briefing.pdf"]
    assert written[1].read_bytes().startswith(b"%PDF")
    calls = _calls(tmp_path)
    assert [c["to"] for c in calls] == ["html", "typst"]
    assert calls[1]["output"] == "briefing.pdf" and "papersize:a4" in calls[1]["metadata"]
    assert "embed-resources:true" not in calls[1]["metadata"]


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

    from fundament_lib import cli, publish

    assert {r.value for r in cli.Renderer} == set(get_args(publish.Renderer))
