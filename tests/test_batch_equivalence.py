"""Kernel reuse is only acceptable if it changes nothing: briefings from the fast path (warm
kernels in worker processes), from fresh kernels and from a Dask cluster equal those from a
plain fresh-kernel Papermill run."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import nbformat
import pytest

from fundament_lib.core.fmt import fmt_datetime
from fundament_lib.core.kommuner import official_name
from fundament_lib.run import kernels
from fundament_lib.run.backlink import with_index_link
from fundament_lib.run.batch import run
from fundament_lib.run.papermill_engine import execute
from fundament_lib.run.render import export_html

pytestmark = pytest.mark.slow
CODES = ["561", "707", "825"]  # a large kommune, the demo's reference kommune, one with a hidden staff group
_INJECTED_ID = re.compile(r'(celltag_injected-parameters" id=")[^"]*')
# The run's start, as ISO (summary) and as the briefing's Danish "2.12.2026 kl. 05.43 (UTC)"
# (fmt_datetime writes day and month without a leading zero).
_RUN_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"
                        r"|\d{1,2}\.\d{1,2}\.\d{4} kl\. \d\d\.\d\d \(UTC[^)]*\)")


def normalised(html: str) -> str:
    """The HTML without the run's time stamp and the id Papermill draws at random for the cell
    it inserts."""
    return _RUN_STAMP.sub("RUN", _INJECTED_ID.sub(r"\1X", html))


@pytest.mark.parametrize("when", ["2026-01-02T03:04:05+00:00", "2026-12-31T23:59:00+00:00",
                                  "2026-09-09T09:09:09+02:00", "2027-10-01T00:00:00+00:00"])
def test_the_run_stamp_is_masked_on_every_date(when):
    """The masking must not depend on the day the suite runs (it failed on days 1-9 and in
    months 1-9 when it expected two digits)."""
    page = f"<p>kørt {fmt_datetime(when)}</p><pre>{when}</pre>"
    assert normalised(page) == "<p>kørt RUN</p><pre>RUN</pre>"


def outputs(nb: nbformat.NotebookNode) -> list[list[dict]]:
    """Every code cell's outputs, without execution counts and metadata."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            cells.append([{k: v for k, v in o.items() if k not in ("execution_count", "metadata")}
                          for o in cell.outputs])
    return cells


def html_of(out: Path, code: str) -> str:
    return normalised((out / code / "briefing.html").read_text(encoding="utf-8"))


def summary_of(out: Path, code: str) -> dict:
    s = json.loads((out / code / "summary.json").read_text(encoding="utf-8"))
    s["provenance"].pop("run_started")
    return s


@pytest.fixture(scope="module")
def args(project):
    return dict(params=project / "params", notebook=project / "notebooks" / "kommune_briefing.ipynb")


@pytest.fixture(scope="module")
def data(project):
    return project / "data" / "processed" / "demo.parquet"


@pytest.fixture(scope="module")
def warm(data, args, tmp_path_factory):
    out = tmp_path_factory.mktemp("warm")
    report = run(data, kommuner=CODES, out=out, workers=2, **args)
    assert [o.status for o in report.outcomes] == ["ok"] * len(CODES), report.outcomes
    return out


def test_warm_briefings_equal_plain_papermill_in_fresh_kernels(warm, args, tmp_path):
    for code in CODES:
        reference = execute(args["notebook"], tmp_path / f"{code}.ipynb",
                                    {"kommunekode": code, "summary_path": str(warm / code / "summary.json")})
        html = export_html(reference, title=f"Fundament-briefing – {official_name(code)}")
        # the run's page is the export plus its link back to the run's index (backlink.py)
        assert html_of(warm, code) == normalised(with_index_link(html)), code
        published = nbformat.read(warm / code / "briefing.ipynb", as_version=4)
        assert outputs(published) == outputs(reference), code


def test_fresh_kernel_mode_gives_the_same_briefings(warm, data, args, tmp_path):
    report = run(data, kommuner=CODES, out=tmp_path, workers=2, warm=False, **args)
    assert [o.status for o in report.outcomes] == ["ok"] * len(CODES)
    for code in CODES:
        assert html_of(tmp_path, code) == html_of(warm, code), code


def test_an_unchanged_second_run_executes_nothing(warm, data, args):
    report = run(data, kommuner=CODES, out=warm, workers=2, **args)
    assert report.executed == [] and {o.status for o in report.outcomes} == {"skipped"}


def test_a_dask_cluster_gives_the_same_briefings(warm, data, args, tmp_path, monkeypatch):
    from distributed import LocalCluster

    monkeypatch.setenv("FUNDAMENT_TEST_MARK", uuid.uuid4().hex)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        report = run(data, kommuner=CODES, out=tmp_path, scheduler=cluster.scheduler_address, **args)
        assert kernels._REGISTRY.all() == []  # the run stopped the kernels on every worker
    assert [o.status for o in report.outcomes] == ["ok"] * len(CODES), report.outcomes
    for code in CODES:
        assert html_of(tmp_path, code) == html_of(warm, code), code
        assert summary_of(tmp_path, code) == summary_of(warm, code), code
    assert 'href="825/briefing.html"' in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_an_unreachable_scheduler_is_one_clear_error(data, args, tmp_path):
    import dask

    from fundament_lib.core.errors import RenderError

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
            pytest.raises(RenderError, match="cannot reach the Dask scheduler"):
        run(data, kommuner=["707"], out=tmp_path / "out", scheduler="tcp://127.0.0.1:9", **args)
    assert not (tmp_path / "out").exists()
