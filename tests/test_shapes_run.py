"""``fundament run`` end to end on 1, 2 and 3 kommuner, and a bad-data error without a stray traceback.

Slow: every briefing runs its notebook in a kernel. The data are demo surveys written into the
session's throw-away folder.
"""

from __future__ import annotations

import html
import json
import time
from pathlib import Path

import pytest

from fundament_lib.core.atomic import write_parquet
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.run.batch import run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def survey():
    return generate(DemoConfig(kommuner=("147", "707", "825"), size_factor=0.4)).tidy


def _run(project: Path, data: Path, out: Path, *, overview: bool, **kw):
    return run(data, out=out, params=project / "params", workers=2,
               notebook=project / "notebooks" / "kommune_briefing.ipynb", overview=overview,
               overview_notebook=project / "notebooks" / "national_overview.ipynb", **kw)


@pytest.mark.parametrize("codes", [["707"], ["147", "707"], ["147", "707", "825"]], ids=["1", "2", "3"])
def test_one_two_and_three_kommuner_give_briefings_and_say_what_they_cannot_compute(project, survey, tmp_path,
                                                                                    codes):
    data = tmp_path / "data.parquet"
    write_parquet(survey[survey["kommunekode"].astype(str).isin(codes)], data)
    # The overview is asked for where it can be made (it needs two kommuner or more).
    report = _run(project, data, tmp_path / "reports", overview=len(codes) >= 2)
    assert report.ok, [(o.kommunekode, o.error) for o in report.failed]
    assert [o.kommunekode for o in report.outcomes] == codes
    for code in codes:
        s = json.loads((tmp_path / "reports" / code / "summary.json").read_text(encoding="utf-8"))
        page = html.unescape((tmp_path / "reports" / code / "briefing.html").read_text(encoding="utf-8"))
        assert "Traceback" not in page
        if len(codes) == 1:
            assert s["analyses"]["benchmark"]["reason"] == "one_kommune"
            assert "Datagrundlaget rummer kun denne kommune" in page
            assert "Ingen kommuner scorer klart højere" not in page
        else:
            assert s["analyses"]["benchmark"]["done"] or s["analyses"]["benchmark"]["reason"] == "hidden"
            assert "placering blandt kommunerne (kun" in s["priority"]["rule"]  # fewer than 5 to compare with
    if len(codes) == 1:
        assert report.overview is None
        return
    assert report.overview is not None and report.overview.status == "ok"
    skipped = json.loads((tmp_path / "reports" / "landsoverblik" / "summary.json").read_text(encoding="utf-8"))["skipped"]
    assert skipped["icc"]["reason"] == "few_kommuner" and skipped["gap_models"]["reason"] == "few_kommuner"
    overview = html.unescape((tmp_path / "reports" / "landsoverblik" / "overview.html").read_text(encoding="utf-8"))
    assert "De nationale modeller kræver mindst 5 kommuner med viste grupper" in skipped["icc"]["text"]
    assert skipped["icc"]["text"] in overview and skipped["gap_models"]["text"] in overview


@pytest.mark.parametrize("workers", [1, 2])
def test_an_error_while_summarising_leaves_no_warm_up_traceback(project, survey, tmp_path, monkeypatch, capfd,
                                                                 workers):
    from fundament_lib.core.errors import DataValidationError, Problem
    from fundament_lib.results import pipeline

    def bad_data(*args, **kwargs):
        time.sleep(0.5)  # the workers' kernels are starting now
        raise DataValidationError([Problem("data.parquet", 3, "value", "9", "not on the scale")], file="data.parquet")

    monkeypatch.setattr(pipeline, "summarise", bad_data)
    data = tmp_path / "data.parquet"
    write_parquet(survey[survey["kommunekode"].astype(str) == "707"], data)
    with pytest.raises(DataValidationError):
        run(data, out=tmp_path / "reports", params=project / "params", workers=workers,
            notebook=project / "notebooks" / "kommune_briefing.ipynb")
    err = capfd.readouterr().err
    assert "CancelledError" not in err and "Exception in initializer" not in err
