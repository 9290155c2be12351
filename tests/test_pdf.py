"""PDF printing: A4 pages from the print stylesheet, one browser for many files, offline, clear errors."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from fundament_lib.core.errors import RenderError
from fundament_lib.core.paths import templates_dir
from fundament_lib.run import browser as chromium_helpers
from fundament_lib.run.pdf import PdfPrinter, html_to_pdf

A4 = (595.28, 841.89)  # points


@pytest.fixture
def long_page(tmp_path) -> Path:
    """A page in the briefing's own stylesheet, long enough for several A4 pages."""
    css = (templates_dir() / "fundament" / "fundament.css").read_text(encoding="utf-8")
    sections = "".join(
        f"<h2>{i}. Afsnit</h2>" + "<p>Brødtekst om stabe og borgernære ledere. </p>" * 12
        + '<table><caption>Tabel</caption><thead><tr><th scope="col">Tema</th><th scope="col">Score</th>'
        + "</tr></thead><tbody>" + "<tr><td>P1.1</td><td>61</td></tr>" * 8 + "</tbody></table>"
        for i in range(1, 9))
    path = tmp_path / "side.html"
    path.write_text(f'<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Prøve</title>'
                    f"<style>{css}</style></head><body class=\"fundament\"><main><h1>Prøve</h1>{sections}"
                    "</main></body></html>", encoding="utf-8")
    return path


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


# ---- without a browser ----------------------------------------------------------------------------
def test_missing_chromium_is_a_clear_error(tmp_path, long_page, monkeypatch):
    target = tmp_path / "out" / "side.pdf"
    with pytest.raises(RenderError, match=r"headless Chromium not found at /nonexistent/chromium; "
                                          r"apt-get install chromium"):
        html_to_pdf(long_page, target, executable="/nonexistent/chromium")
    monkeypatch.setenv(chromium_helpers.CHROMIUM_ENV, "/nonexistent/chrome")
    with pytest.raises(RenderError, match=r"not found at /nonexistent/chrome; apt-get install chromium"):
        html_to_pdf(long_page, target)
    assert not target.parent.exists()


def test_default_reason_names_the_path_and_the_install_command(monkeypatch):
    monkeypatch.delenv(chromium_helpers.CHROMIUM_ENV, raising=False)
    assert chromium_helpers.missing_reason().startswith(
        "headless Chromium not found at /usr/bin/chromium; apt-get install chromium")


@pytest.mark.parametrize(("value", "required"), [("", False), ("0", False), ("false", False), ("1", True),
                                                  ("yes", True)])
def test_browser_required_follows_the_environment(monkeypatch, value, required):
    monkeypatch.setenv(chromium_helpers.REQUIRE_ENV, value)
    assert chromium_helpers.browser_required() is required


def test_explicit_executable_is_found_on_path_or_by_path(tmp_path, monkeypatch):
    exe = tmp_path / "my-chromium"
    exe.write_text("#!/bin/sh\n", encoding="utf-8")
    exe.chmod(0o755)
    assert chromium_helpers.find_chromium(exe) == exe
    monkeypatch.setenv("PATH", str(tmp_path))
    assert chromium_helpers.find_chromium("my-chromium") == exe
    assert chromium_helpers.find_chromium(tmp_path / "absent") is None


def test_missing_html_is_a_clear_error(tmp_path):
    with pytest.raises(RenderError, match=r"nope\.html: no such HTML file to print"):
        html_to_pdf(tmp_path / "nope.html", tmp_path / "nope.pdf")


# ---- with Chromium ------------------------------------------------------------------------------
@pytest.mark.browser
def test_one_printer_prints_many_multipage_a4_files(chromium, long_page, tmp_path):
    with PdfPrinter(executable=chromium) as printer:
        first = printer.print(long_page, tmp_path / "a" / "side.pdf")
        second = printer.print(long_page, tmp_path / "b" / "side.pdf")
    for path in (first, second):
        pdf = path.read_bytes()
        sizes = _pages(pdf)
        assert pdf.startswith(b"%PDF-") and len(sizes) >= 2
        assert all(abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1 for w, h in sizes), sizes
        assert b"/Lang (da)" in pdf and b"/StructTreeRoot" in pdf
        assert [p.name for p in path.parent.iterdir()] == ["side.pdf"]  # no temporary file left
    assert printer.seconds > 0


@pytest.mark.browser
def test_nothing_is_fetched_while_printing(chromium, long_page, tmp_path):
    html = long_page.read_text(encoding="utf-8").replace(
        "<h1>", '<img src="https://tracker.example.org/pixel.png" alt=""><h1>')
    leaky = tmp_path / "leaky.html"
    leaky.write_text(html, encoding="utf-8")
    with PdfPrinter(executable=chromium) as printer:
        printer.print(leaky, tmp_path / "leaky.pdf")
    assert printer.blocked == ["https://tracker.example.org/pixel.png"]
    assert (tmp_path / "leaky.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.browser
def test_html_to_pdf_works_inside_a_running_event_loop(chromium, long_page, tmp_path):
    async def in_jupyter() -> Path:
        return html_to_pdf(long_page, tmp_path / "side.pdf", executable=chromium)

    assert asyncio.run(in_jupyter()).read_bytes().startswith(b"%PDF-")


def test_printer_in_a_running_event_loop_says_what_to_do_instead(long_page, tmp_path):
    async def in_jupyter() -> None:
        with PdfPrinter():
            pass

    with pytest.raises(RenderError, match="inside a running event loop.*use html_to_pdf there"):
        asyncio.run(in_jupyter())


@pytest.mark.browser
def test_printer_outside_its_block_is_an_error(chromium, long_page, tmp_path):
    printer = PdfPrinter(executable=chromium)
    with pytest.raises(RenderError, match="outside its 'with' block"):
        printer.print(long_page, tmp_path / "x.pdf")
