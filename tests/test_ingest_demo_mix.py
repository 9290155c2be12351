"""Demo data is never mixed with a kommune's own data: ``fundament demo`` marks its Parquet file (key-value
metadata) and its provenance, ``read_tidy`` refuses demo and own data for the same kommune, and tells which
kommuner's rows are demo data in ``attrs["demo_kommuner"]``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from fundament_lib.core.errors import DataValidationError
from fundament_lib.demo import DemoConfig, write_demo
from fundament_lib.ingest import ingest, write_ingested
from fundament_lib.ingest.parquet import read_marks
from fundament_lib.ingest.tidy_files import DEMO_MIXED, read_tidy

FIX = Path(__file__).parent / "fixtures" / "ingest"
SMALL = DemoConfig(kommuner=("707", "101"), fixed_size=6, second_wave_kommuner=())


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    write_demo(root / "raw", root / "processed", SMALL)
    return root / "processed"


def test_demo_data_is_marked_in_the_parquet_metadata_and_the_provenance(demo_dir):
    assert read_marks(demo_dir / "demo.parquet").demo is True
    prov = json.loads((demo_dir / "demo.provenance.json").read_text(encoding="utf-8"))
    assert prov["demo"] is True and prov["kommuner"] == ["101", "707"]
    assert prov["source"]["generator"] == "fundament demo"
    data = read_tidy(demo_dir / "demo.parquet")
    assert data.attrs["demo_kommuner"] == ["101", "707"]


def test_own_data_is_marked_as_own_and_read_alone_has_no_demo_kommuner(tmp_path):
    written = write_ingested(ingest(FIX / "wide_707_cp1252.csv"), tmp_path / "own" / "norddjurs.parquet")
    marks = read_marks(written["data"])
    assert marks.demo is False and marks.source_sha256 is not None
    assert json.loads(written["provenance"].read_text(encoding="utf-8"))["demo"] is False
    assert read_tidy(tmp_path / "own").attrs["demo_kommuner"] == []


def test_demo_and_own_data_of_the_same_kommune_are_refused_naming_the_files(demo_dir, tmp_path):
    folder = tmp_path / "processed"
    folder.mkdir()
    (folder / "demo.parquet").write_bytes((demo_dir / "demo.parquet").read_bytes())
    write_ingested(ingest(FIX / "wide_707_cp1252.csv"), folder / "norddjurs.parquet")
    with pytest.raises(DataValidationError) as info:
        read_tidy(folder)
    [problem] = info.value.problems
    assert problem.message == DEMO_MIXED
    assert Path(problem.file).name == "norddjurs.parquet" and problem.value == "707 (demo data in demo.parquet)"
    assert "data/processed/norddjurs/" in str(info.value) and "--data" in str(info.value)


def test_demo_and_own_data_of_different_kommuner_combine_and_say_which_are_demo(demo_dir, tmp_path):
    own = ingest(FIX / "wide_707_cp1252.csv").data
    own = own.assign(kommunekode="147", respondent_id=own["respondent_id"].str.replace("707-", "147-"))
    own.to_parquet(tmp_path / "frederiksberg.parquet", index=False)  # written by another tool: no marks at all
    data = read_tidy([demo_dir / "demo.parquet", tmp_path / "frederiksberg.parquet"])
    assert data.attrs["demo_kommuner"] == ["101", "707"]
    assert set(data["kommunekode"]) == {"101", "147", "707"}


def test_a_file_written_before_points_existed_reads_with_empty_points(tmp_path):
    old = ingest(FIX / "wide_707_cp1252.csv").data.drop(columns="points")
    old.to_parquet(tmp_path / "old.parquet", index=False)
    data = read_tidy(tmp_path / "old.parquet")
    assert str(data["points"].dtype) == "Int64" and data["points"].isna().all()


def test_a_value_off_its_scale_points_is_refused_by_the_schema(tmp_path):
    data = ingest(FIX / "wide_707_cp1252.csv").data
    spoilt = data.copy()
    row = spoilt.index[(spoilt["points"] == 5) & (spoilt["status"] == "svar")][0]
    spoilt.loc[row, "points"] = 4
    spoilt.loc[row, "value"] = 5.0
    spoilt.to_parquet(tmp_path / "spoilt.parquet", index=False)
    with pytest.raises(DataValidationError, match=r"value is not a point of the item's scale"):
        read_tidy(tmp_path / "spoilt.parquet")
    spoilt.loc[row, "points"] = 2
    spoilt.loc[row, "value"] = 1.0
    spoilt.to_parquet(tmp_path / "spoilt.parquet", index=False)
    with pytest.raises(DataValidationError, match=r"scale points must be 3–11"):
        read_tidy(tmp_path / "spoilt.parquet")
    assert pd.api.types.is_integer_dtype(data["points"])


def test_the_demo_invited_counts_reach_demo_data_only(tmp_path):
    """A kommune's own survey never gets the demo's response rate (params/demo/ is the demo's)."""
    from fundament_lib.results.pipeline import load

    params = tmp_path / "params"
    config = DemoConfig(kommuner=("707", "101"), fixed_size=6, second_wave_kommuner=("707",))
    write_demo(tmp_path / "raw", tmp_path / "processed", config, params)
    assert not (params / "707.yaml").exists()  # the kommune's own file is never written by the demo
    demo_invited = load(tmp_path / "processed" / "demo.parquet", params_root=params).params["707"].invited
    assert demo_invited and set(demo_invited) == {"stab", "borgernaer"}
    written = write_ingested(ingest(FIX / "wide_707_cp1252.csv"), tmp_path / "own" / "norddjurs.parquet")
    assert load(written["data"], params_root=params).params["707"].invited is None
