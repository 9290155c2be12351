"""A warm run reads no rows: what a data file that passed covers is kept per its bytes
(:mod:`fundament_lib.results.datacheck`), and a changed or bad file is read and refused as before."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import demo_subset
from fundament_lib.core.atomic import json_text
from fundament_lib.core.errors import DataValidationError
from fundament_lib.ingest.tidy_files import read_tidy
from fundament_lib.results import datacheck, pipeline
from fundament_lib.results.tablecache import cache_folder

CODES = ["147", "707", "825"]
STARTED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _json(summaries: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {code: json_text(s) for code, s in summaries.items()}


@pytest.fixture
def data(project: Path, tmp_path: Path) -> Path:
    return demo_subset(project, CODES, tmp_path)


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Make every read of the rows through the pipeline fail the test (returns the paths asked for)."""
    asked: list[Path] = []

    def refuse(path: object, **_: object) -> pd.DataFrame:
        asked.append(Path(str(path)))
        raise AssertionError(f"the rows of {path} were read")

    monkeypatch.setattr(pipeline, "read_tidy", refuse)
    monkeypatch.setattr(datacheck, "read_tidy", refuse)
    return asked


def test_a_warm_run_reads_no_rows_and_gives_the_same_summaries(data, project, monkeypatch):
    params = project / "params"
    cold = pipeline.prepare(data, params_root=params, run_started=STARTED)
    with monkeypatch.context() as m:
        _no_reading(m)
        warm = pipeline.prepare(data, params_root=params, run_started=STARTED)
        one = pipeline.prepare(data, params_root=params, kommuner=["707"], run_started=STARTED)
        assert not warm.rows.is_read and not one.rows.is_read
    assert _json(warm.summaries) == _json(cold.summaries)
    assert _json(one.summaries) == {"707": _json(cold.summaries)["707"]}
    assert warm.data_id == cold.data_id and list(warm.params) == CODES
    pd.testing.assert_frame_equal(warm.tidy, read_tidy(data))  # asked for: read then, and valid
    assert warm.tidy.attrs == cold.tidy.attrs


def test_a_file_changed_after_a_kept_check_is_read_and_refused_with_file_row_and_column(data, project):
    pipeline.prepare(data, params_root=project / "params")
    assert list(cache_folder(data).glob("data-checked-*"))
    tidy = pd.read_parquet(data)
    tidy["kommunekode"] = tidy["kommunekode"].astype(str)
    tidy.loc[3, "kommunekode"] = "999"
    tidy.to_parquet(data)
    with pytest.raises(DataValidationError) as direct:
        read_tidy(data)
    with pytest.raises(DataValidationError) as caught:
        pipeline.prepare(data, params_root=project / "params")
    found = [(p.file, p.row, p.column, p.value, p.message) for p in caught.value.problems]
    assert found == [(p.file, p.row, p.column, p.value, p.message) for p in direct.value.problems]
    assert (str(data), "kommunekode", "999") in {(f, c, v) for f, _, c, v, _ in found}
    # refused: the next run reads the rows again, and is refused again
    with pytest.raises(DataValidationError):
        pipeline.load(data, params_root=project / "params")


def test_without_the_cache_or_with_another_library_the_rows_are_read(data, project, monkeypatch):
    params = project / "params"
    pipeline.load(data, params_root=params)
    asked = _no_reading(monkeypatch)
    with pytest.raises(AssertionError):
        pipeline.load(data, params_root=params, cache=False)
    monkeypatch.setattr(datacheck, "library_fingerprint", lambda: "another library")
    with pytest.raises(AssertionError):
        pipeline.load(data, params_root=params)
    assert asked == [data, data]


def test_the_lazy_table_pickles_before_and_after_it_is_read(data):
    import pickle

    lazy = datacheck.LazyTidy.of(data, datacheck.Checked(tuple(CODES), ()))
    again = pickle.loads(pickle.dumps(lazy))
    assert not again.is_read
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(datacheck.LazyTidy.ready(again.frame()))).frame(),
                                  read_tidy(data))
