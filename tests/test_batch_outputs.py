"""What a run writes besides the HTML briefings: the national overview, PDFs, Quarto's HTML.

Briefings come from a tiny fixture notebook; the overview from the real one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import demo_subset, install_quarto_stand_in
from fundament_lib.core.atomic import write_parquet
from fundament_lib.core.errors import RenderError
from fundament_lib.ingest.tidy_files import read_tidy
from fundament_lib.run import browser
from fundament_lib.run.batch import run
from fundament_lib.run.bundles import BUNDLES
from fundament_lib.run.fingerprints import OVERVIEW
from fundament_lib.run.publish import MARKER
from fundament_lib.run.render import external_references, scripts

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent / "fixtures"
BRIEFING = FIXTURES / "batch" / "broken.ipynb"  # fails for 825 only, which is not in the data here
CODES = ["101", "147", "707"]


@pytest.fixture(scope="module")
def small(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo answers of three kommuner: a whole dataset, so a full run renders the overview."""
    return demo_subset(project, CODES, tmp_path_factory.mktemp("small"))


@pytest.fixture
def params(project: Path, tmp_path: Path) -> Path:
    """A copy of the project's params, free to change."""
    shutil.copytree(project / "params", tmp_path / "params")
    return tmp_path / "params"


def _run(small: Path, out: Path, params: Path, project: Path, **kw):
    kw.setdefault("workers", 2)
    return run(small, out=out, notebook=BRIEFING, params=params,
               overview_notebook=project / "notebooks" / "national_overview.ipynb", **kw)


# ---- the national overview -------------------------------------------------------------------------
def test_the_overview_is_written_only_when_asked_for(small, params, project, tmp_path):
    out = tmp_path / "out"
    report = _run(small, out, params, project)
    assert report.ok and report.overview is None and not (out / OVERVIEW).exists()
    assert "landsoverblik" not in (out / "index.html").read_text(encoding="utf-8")


def test_an_asked_for_overview_renders_once_links_the_briefings_and_is_linked_for_the_data_holder(
        small, params, project, tmp_path):
    out = tmp_path / "out"
    first = _run(small, out, params, project, overview=True)
    assert first.ok and first.overview is not None and first.overview.status == "ok"
    html = (out / OVERVIEW / "overview.html").read_text(encoding="utf-8")
    assert "Landsoverblik" in html and '<html lang="da"' in html
    assert external_references(html) == [] and scripts(html) == 0
    assert "def " not in html and "import " not in html  # code hidden
    national = json.loads((out / OVERVIEW / "summary.json").read_text(encoding="utf-8"))
    assert national["n_kommuner"] == 3
    assert (out / OVERVIEW / MARKER).is_file() and not (out / ".work").exists()
    for code in CODES:  # each kommune's row links its briefing, beside the overview's folder
        assert f'<a href="../{code}/briefing.html">' in html and (out / OVERVIEW / f"../{code}/briefing.html").is_file()
    assert "P2.5 Helhedsløsninger og -indsatser" in html  # theme names, not codes alone
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="landsoverblik/overview.html"' in index and "Kun til den dataansvarlige" in index
    for bundle in (out / BUNDLES).glob("*/*"):  # never in what a kommune is given
        assert "landsoverblik" not in bundle.read_text(encoding="utf-8", errors="replace"), bundle

    again = _run(small, out, params, project, overview=True)
    assert again.overview is None and again.executed == []

    (params / "707.yaml").write_text("min_n: 6\n", encoding="utf-8")  # one kommune's params change
    changed = _run(small, out, params, project, overview=True)
    assert [o.kommunekode for o in changed.executed] == ["707"]
    assert changed.overview is not None and changed.overview.status == "ok"


def test_an_overview_of_a_selection_is_a_clear_error_before_anything_is_written(small, params, project, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RenderError, match=r"needs a run over every kommune in the data.*covers 1 of 3"):
        _run(small, out, params, project, kommuner=["707"], overview=True)
    assert not out.exists()


# ---- PDF ---------------------------------------------------------------------------------------------
def test_a_missing_browser_stops_a_pdf_run_before_anything_is_written(small, params, project, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv(browser.CHROMIUM_ENV, "/nonexistent/chromium")
    with pytest.raises(RenderError, match="apt-get install chromium"):
        _run(small, tmp_path / "out", params, project, kommuner=["707"], pdf=True)
    assert not (tmp_path / "out").exists()


@pytest.mark.browser
def test_pdf_run_writes_an_a4_pdf_per_briefing_and_resumes_a_missing_one(small, params, project, tmp_path):
    if browser.find_chromium() is None:
        if browser.browser_required():
            pytest.fail(browser.missing_reason())
        pytest.skip(browser.missing_reason())
    out = tmp_path / "out"
    report = _run(small, out, params, project, kommuner=["707", "101"], pdf=True)
    assert report.ok
    for code in ("707", "101"):
        pdf = (out / code / "briefing.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-")
        box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
        assert box is not None and (round(float(box[1])), round(float(box[2]))) == (595, 842)  # A4
    (out / "707" / "briefing.pdf").unlink()
    again = _run(small, out, params, project, kommuner=["707", "101"], pdf=True)
    assert [o.kommunekode for o in again.executed] == ["707"] and (out / "707" / "briefing.pdf").is_file()


# ---- Quarto (a stand-in: real Quarto cannot be installed here) -----------------------------------------
@pytest.fixture
def fake_quarto(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The stand-in `quarto` first on PATH; returns the log of its calls."""
    bin_dir = install_quarto_stand_in(tmp_path / "bin").parent
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    log = tmp_path / "quarto.log"
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    return log


def test_quarto_renders_html_and_typst_pdf_of_the_executed_notebooks(small, params, project, tmp_path,
                                                                     fake_quarto):
    out = tmp_path / "out"
    report = _run(small, out, params, project, kommuner=["707", "101"], renderer="quarto", pdf=True)
    assert report.ok, report.outcomes
    calls = [json.loads(line) for line in fake_quarto.read_text(encoding="utf-8").splitlines()]
    assert sorted((c["to"], c["output"]) for c in calls) == [("html", "briefing.html")] * 2 + [
        ("typst", "briefing.pdf")] * 2
    assert all(c["notebook"]["code_echo_false"] for c in calls)
    html = (out / "707" / "briefing.html").read_text(encoding="utf-8")
    assert 'content="quarto-stand-in"' in html and external_references(html) == []  # Quarto's page, offline
    assert (out / "707" / "briefing.pdf").read_bytes().startswith(b"%PDF")
    # Switching back to nbconvert re-renders: the renderer is part of every fingerprint.
    back = _run(small, out, params, project, kommuner=["707", "101"])
    assert len(back.executed) == 2 and not (out / "707" / "briefing.pdf").exists()


def test_quarto_errors_fail_the_kommune_with_quartos_own_message(small, params, project, tmp_path,
                                                                 fake_quarto, monkeypatch):
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "ERROR: typst compile failed: unknown font")
    out = tmp_path / "out"
    report = _run(small, out, params, project, kommuner=["707"], renderer="quarto")
    assert not report.ok
    assert report.failed[0].error.startswith("quarto render --to html failed (exit 1)")
    trace = (out / "707" / "briefing.failed.txt").read_text(encoding="utf-8")
    assert "ERROR: typst compile failed: unknown font" in trace
    assert not (out / "707" / "briefing.html").exists() and not (out / "707" / MARKER).exists()


def test_missing_quarto_is_one_clear_line_and_nothing_is_written(small, project, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # python, no quarto
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "fundament_lib.cli.main", "run", "--data", str(small),
                          "--renderer", "quarto", "--out", str(out)],
                         cwd=project, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2, res.stderr
    assert "Quarto not found on PATH" in res.stderr and "quarto.org" in res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not out.exists()


# ---- fundament export on the command line ------------------------------------------------------------
def test_export_is_a_fundament_command(small, project, tmp_path):
    res = subprocess.run([sys.executable, "-m", "fundament_lib.cli.main", "export", "--data", str(small),
                          "--out", str(tmp_path / "export"), "--format", "csv"],
                         cwd=project, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    written = {p.name for p in (tmp_path / "export").iterdir()}
    assert any(name.endswith(".csv") for name in written), written


# ---- a kommune's own data alone ------------------------------------------------------------------
def test_a_dataset_of_one_kommune_gives_its_briefing_without_comparisons(project, params, tmp_path):
    # The usual case for a kommune's analyst: its own two exports, ingested, and nothing else.
    tidy = read_tidy(project / "data" / "processed" / "demo.parquet")
    one = tmp_path / "one.parquet"
    write_parquet(tidy[tidy["kommunekode"] == "707"], one)
    out = tmp_path / "out"
    report = run(one, out=out, params=params, workers=1,
                 notebook=project / "notebooks" / "kommune_briefing.ipynb")
    assert report.ok, report.outcomes
    assert report.overview is None and not (out / OVERVIEW).exists()  # no country to overview
    html = (out / "707" / "briefing.html").read_text(encoding="utf-8")
    assert "kan ikke sammenlignes med andre kommuner" in html and "nr. 1 af 1" not in html
    # A run of one kommune writes its index too, so the briefing's link back to it is not dead;
    # the copy for the kommune (its bundle) has no such link.
    assert 'href="../index.html"' in html and (out / "index.html").is_file()
    bundled = next((out / BUNDLES).glob("707-*/briefing.html")).read_text(encoding="utf-8")
    assert "index.html" not in bundled
