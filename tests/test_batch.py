"""Batch runs without kernels: fingerprints, planning, input errors, index and progress line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import psutil
import pytest

from fundament_lib.cli.main import _Progress
from fundament_lib.core.errors import ParamsError, RenderError, UnknownKommuneError
from fundament_lib.core.params import Params
from fundament_lib.run.batch import run
from fundament_lib.run.fingerprints import fingerprint, kommune_hashes
from fundament_lib.run.index import Details, index_html
from fundament_lib.run.on_disk import OUTPUT_FILES
from fundament_lib.run.outcome import Outcome
from fundament_lib.run.planning import check_notebook, plan
from fundament_lib.run.publish import MARKER

FIXTURES = Path(__file__).parent / "fixtures" / "batch"


def _tidy() -> pd.DataFrame:
    return pd.DataFrame({
        "respondent_id": ["a1", "a1", "b1", "b2"],
        "kommunekode": ["707", "707", "101", "101"],
        "item_id": ["P1.1.a", "P1.1.b", "P1.1.a", "P1.1.a"],
        "value": [1.0, 2.0, 3.0, 4.0],
    })


def test_slice_hash_depends_only_on_the_kommunes_own_rows():
    tidy = _tidy()
    before = kommune_hashes(tidy, ["707", "101"])
    changed = tidy.copy()
    changed.loc[changed["kommunekode"] == "101", "value"] = [3.0, 5.0]
    after = kommune_hashes(changed, ["707", "101"])
    assert after["707"] == before["707"]
    assert after["101"] != before["101"]


def test_slice_hash_ignores_row_order_but_not_content():
    tidy = _tidy()
    assert kommune_hashes(tidy.iloc[::-1], ["707"]) == kommune_hashes(tidy, ["707"])
    moved = tidy.copy()
    moved.loc[0, "value"], moved.loc[1, "value"] = 2.0, 1.0  # same values, other items
    assert kommune_hashes(moved, ["707"]) != kommune_hashes(tidy, ["707"])


def test_fingerprint_changes_with_each_input_and_nothing_else():
    base = dict(data_slice="abc", params=Params(), notebook=b"{}")
    fp = fingerprint("707", **base)["fingerprint"]
    assert fingerprint("707", **base)["fingerprint"] == fp
    assert fingerprint("101", **base)["fingerprint"] != fp
    assert fingerprint("707", **{**base, "data_slice": "abd"})["fingerprint"] != fp
    assert fingerprint("707", **{**base, "params": Params(min_n=6)})["fingerprint"] != fp
    assert fingerprint("707", **{**base, "notebook": b"{ }"})["fingerprint"] != fp
    assert fingerprint("707", **base, renderer="quarto")["fingerprint"] != fp
    assert set(fingerprint("707", **base)["parts"]) == {"kommunekode", "data", "params", "notebook", "framework",
                                                        "library", "renderer"}


def test_check_notebook_requires_a_parameters_cell(tmp_path):
    with pytest.raises(RenderError, match="no cell is tagged 'parameters'"):
        check_notebook(FIXTURES / "no_parameters.ipynb")
    with pytest.raises(RenderError, match="notebook not found"):
        check_notebook(tmp_path / "nope.ipynb")
    (tmp_path / "bad.ipynb").write_text("{not json", encoding="utf-8")
    with pytest.raises(RenderError, match="not a readable notebook"):
        check_notebook(tmp_path / "bad.ipynb")
    check_notebook(FIXTURES / "broken.ipynb")


def _data(project: Path) -> Path:
    return project / "data" / "processed" / "demo.parquet"


def test_plan_renders_what_has_no_current_outputs(project, tmp_path):
    p = plan(_data(project), kommuner=["707", "101"], params_root=project / "params",
             notebook=FIXTURES / "broken.ipynb", out=tmp_path)
    assert p.stale == ["707", "101"] and p.current == []
    assert not any(tmp_path.iterdir())  # planning writes nothing
    folder = tmp_path / "707"  # pretend 707 was rendered with these inputs
    folder.mkdir()
    for name in OUTPUT_FILES:
        (folder / name).write_text("x", encoding="utf-8")
    (folder / MARKER).write_text(json.dumps(p.fingerprints["707"]), encoding="utf-8")
    again = plan(_data(project), kommuner=["707", "101"], params_root=project / "params",
                 notebook=FIXTURES / "broken.ipynb", out=tmp_path)
    assert again.stale == ["101"] and again.current == ["707"]
    (folder / "briefing.html").unlink()  # an output missing: render again
    assert plan(_data(project), kommuner=["707"], params_root=project / "params",
                notebook=FIXTURES / "broken.ipynb", out=tmp_path).stale == ["707"]
    forced = plan(_data(project), kommuner=["707", "101"], params_root=project / "params",
                  notebook=FIXTURES / "broken.ipynb", out=tmp_path, force=True)
    assert forced.stale == ["707", "101"]


def test_plan_rejects_bad_input_before_anything_is_written(project, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(UnknownKommuneError, match="unknown kommune code '999'"):
        plan(_data(project), kommuner=["999"], params_root=project / "params", out=out)
    params = tmp_path / "params"
    shutil.copytree(project / "params", params)
    (params / "751.yaml").write_text("min_n: 1\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="751.yaml"):
        plan(_data(project), kommuner=["707"], params_root=params, out=out,
             notebook=project / "notebooks" / "kommune_briefing.ipynb")
    assert not out.exists()


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fundament_lib.cli.main", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _one_clear_line(res: subprocess.CompletedProcess[str], needle: str) -> None:
    assert res.returncode == 2, res.stderr
    assert needle in res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_cli_notebook_without_parameters_cell(project, tmp_path):
    res = _cli("run", "--notebook", str(FIXTURES / "no_parameters.ipynb"), "--out", str(tmp_path / "out"),
               cwd=project)
    _one_clear_line(res, "no cell is tagged 'parameters'")
    assert not (tmp_path / "out").exists()


def test_cli_params_that_do_not_validate(project, tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    shutil.copytree(project / "params", root / "params")
    shutil.copytree(project / "notebooks", root / "notebooks")
    (root / "params" / "707.yaml").write_text("min_n: two\nframework: fundament2024\n", encoding="utf-8")
    res = _cli("run", "--data", str(_data(project)), "--out", str(root / "reports"), cwd=root)
    _one_clear_line(res, "707.yaml")
    assert "min_n" in res.stderr
    assert not (root / "reports").exists()


def test_cli_unknown_kommune_and_missing_data_write_nothing(project, tmp_path):
    out = tmp_path / "out"
    _one_clear_line(_cli("run", "-k", "999", "--out", str(out), cwd=project), "unknown kommune code '999'")
    _one_clear_line(_cli("run", "--data", str(tmp_path / "nope.parquet"), "--out", str(out), cwd=project),
                    "data file not found")
    assert not out.exists()


def test_cli_overview_of_a_selection_is_one_clear_line(project, tmp_path):
    out = tmp_path / "out"
    _one_clear_line(_cli("run", "--overview", "-k", "707", "--out", str(out), cwd=project),
                    "the national overview (--overview) needs a run over every kommune in the data")
    assert not out.exists()


def test_index_marks_failed_kommuner_and_links_their_notebook():
    html = index_html([Outcome("707", "Norddjurs", "ok"),
                       Outcome("825", "Læsø", "failed", error="RuntimeError: planted <failure>")],
                      title="t")
    assert 'href="707/briefing.html"' in html
    assert 'class="failed"' in html and "Læsø (825)" in html
    assert 'href="825/briefing.failed.ipynb"' in html and 'href="825/briefing.html"' not in html
    assert "planted &lt;failure&gt;" in html


def test_index_shows_round_date_status_pdf_and_bundle_and_whom_it_is_for():
    details = {"707": Details(wave="2026", made="2026-11-28T05:27:00+00:00", pdf=True,
                              bundle="til-kommunerne/707-norddjurs.zip"),
               "101": Details(wave="2025", made="2026-11-20T09:00:00+00:00"),
               "825": Details(wave="2025", made="2026-11-28T05:27:00+00:00", pdf=True)}
    html = index_html([Outcome("707", "Norddjurs", "ok"), Outcome("101", "København", "skipped"),
                       Outcome("825", "Læsø", "failed", error="bundle not written: briefing.html: the name of "
                               "751 Aarhus", bundle="refused")],
                      title="t", overview="landsoverblik/overview.html", details=details,
                      run_date="2026-11-28T05:20:00+00:00")
    rows = {re.search(r'data-key="(\d{3})', r)[1]: r for r in html.split("<tr ")[1:] if "data-key" in r}
    assert "ny" in rows["707"] and "2026" in rows["707"] and "28.11.2026 kl. 05.27" in rows["707"]
    assert 'href="707/briefing.pdf"' in rows["707"] and 'href="til-kommunerne/707-norddjurs.zip"' in rows["707"]
    assert "uændret" in rows["101"] and "20.11.2026" in rows["101"] and ".pdf" not in rows["101"]
    assert "pakken er ikke skrevet" in rows["825"] and "751 Aarhus" in rows["825"]
    assert 'href="825/briefing.html"' in rows["825"] and "failed.ipynb" not in rows["825"]  # the briefing is fine
    head = html.split("<table>")[0]
    assert "Kørt 28.11.2026 kl. 05.20" in head and "måling 2025, 2026" in head
    assert "Kun til den dataansvarlige" in head and 'href="landsoverblik/overview.html"' in head


def test_progress_line_counts_done_failed_unchanged_and_remaining():
    class T:
        def __init__(self, code, name):
            self.kommunekode, self.kommune = code, name

    bar = _Progress()
    bar.notify("plan", 4)
    bar.notify("skip", Outcome("101", "København", "skipped"))
    bar.notify("start", T("707", "Norddjurs"))
    bar.notify("start", T("825", "Læsø"))
    assert bar.status().endswith("tilbage 3 · nu: 707 Norddjurs, 825 Læsø")
    bar.notify("done", Outcome("825", "Læsø", "failed"))
    assert bar.status() == "færdige 0 · fejlet 1 · uændrede 1 · tilbage 2 · nu: 707 Norddjurs"
    bar.bar.stop()


def test_workers_start_before_the_plan_only_when_the_run_will_render(tmp_path):
    from fundament_lib.run.batch import _early_workers

    first = _early_workers(tmp_path, ["707"], force=False, workers=1, warm=False, overview=False)
    assert first is not None  # no earlier run here: every kommune will be rendered
    first.close()
    (tmp_path / "run.json").write_text("{}", encoding="utf-8")
    assert _early_workers(tmp_path, ["707"], force=False, workers=1, warm=False, overview=False) is None
    forced = _early_workers(tmp_path, ["707", "101"], force=True, workers=4, warm=False, overview=False)
    assert forced is not None and forced.capacity == 2  # no more workers than kommuner
    forced.close()


def test_a_bad_input_found_by_the_plan_stops_the_workers_started_before_it(project, tmp_path):
    children = {p.pid for p in psutil.Process().children(recursive=True)}
    with pytest.raises(UnknownKommuneError, match="unknown kommune code '999'"):
        run(_data(project), kommuner=["999", "707"], params=project / "params", out=tmp_path / "out",
            force=True, workers=2, warm=False)
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in children and p.is_running()
            and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, [p.cmdline() for p in left]
    assert not (tmp_path / "out").exists()
