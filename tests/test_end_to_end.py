"""The whole path: demo data → Papermill per kommune → HTML + summary.json + index.html."""

import json
import re
import subprocess
import sys

import pytest

from fundament_lib.run.batch import run

pytestmark = pytest.mark.slow
KOMMUNER = ["707", "825", "561"]


@pytest.fixture(scope="module")
def report(project, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return run(project / "data" / "processed" / "demo.parquet", kommuner=KOMMUNER, out=out, workers=2,
               params=project / "params", notebook=project / "notebooks" / "kommune_briefing.ipynb")


def test_every_kommune_gets_html_summary_and_index(report):
    assert [o.status for o in report.outcomes] == ["ok", "ok", "ok"]
    index = (report.out_dir / "index.html").read_text(encoding="utf-8")
    for code in KOMMUNER:
        folder = report.out_dir / code
        assert (folder / "briefing.html").stat().st_size > 10_000
        assert f'href="{code}/briefing.html"' in index
    assert 'lang="da"' in index


def test_html_hides_code_and_loads_nothing_from_other_hosts(report):
    html = (report.out_dir / "707" / "briefing.html").read_text(encoding="utf-8")
    assert "<h1>" in html and "Norddjurs Kommune" in html
    assert "briefing.load" not in html and "summary_path" not in html  # code cells hidden
    assert "Skabelonen, som" not in html  # the notebook's own explanation is removed
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", html)
    imgs = re.findall(r"<img\b[^>]*>", html)
    assert imgs
    for tag in imgs:
        assert 'src="data:image/png;base64,' in tag
        alt = re.search(r'alt="([^"]+)"', tag)
        assert alt and len(alt.group(1)) > 20


def test_summary_json_contract(report):
    s = json.loads((report.out_dir / "707" / "summary.json").read_text(encoding="utf-8"))
    assert s["kommunekode"] == "707" and s["framework"] == "fundament2024"
    ids = {(r["id"], r["group"]) for r in s["scores"]}
    for sid in ["P1", "P2"] + [f"P{d}.{t}" for d in (1, 2) for t in range(1, 6)]:
        for group in ("alle", "stab", "borgernaer"):
            assert (sid, group) in ids
    for rec in s["scores"]:
        assert rec["level"] in ("pejlemaerke", "theme")
        assert isinstance(rec["n"], int) or rec["n"] is None
        assert rec["score"] is None or 0 <= rec["score"] <= 100


def test_small_staff_group_is_suppressed_with_its_complement(report):
    s = json.loads((report.out_dir / "825" / "summary.json").read_text(encoding="utf-8"))
    p1 = {r["group"]: r for r in s["scores"] if r["id"] == "P1"}
    assert p1["stab"]["score"] is None and p1["stab"]["n"] is None
    # alle and borgernaer shown together would give the staff away
    assert p1["alle"]["score"] is None or p1["borgernaer"]["score"] is None
    html = (report.out_dir / "825" / "briefing.html").read_text(encoding="utf-8")
    assert "skjult" in html


def test_briefing_names_the_planted_weakest_theme(report, project):
    planted = json.loads((project / "data" / "processed" / "demo_planted_effects.json").read_text())
    second_wave = set(planted["second_wave"]["kommuner"])  # there the weakest theme was improved
    for code in KOMMUNER:
        weakest = planted["kommuner"][code].get("weakest")
        if not weakest or code in second_wave:
            continue
        s = json.loads((report.out_dir / code / "summary.json").read_text(encoding="utf-8"))
        themes = [r for r in s["scores"] if r["level"] == "theme" and r["group"] == "alle" and r["score"] is not None]
        assert min(themes, key=lambda r: r["score"])["id"] == weakest


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "fundament_lib.cli.main", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_unknown_kommune_code_is_one_clear_line(project, tmp_path):
    res = _cli("run", "--kommune", "999", "--out", str(tmp_path), cwd=project)
    assert res.returncode == 2
    assert "unknown kommune code '999'" in res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "index.html").exists()


def test_missing_data_file_is_one_clear_line(project, tmp_path):
    res = _cli("run", "--data", str(tmp_path / "nope.parquet"), cwd=project)
    assert res.returncode == 2 and "data file not found" in res.stderr and "Traceback" not in res.stderr
