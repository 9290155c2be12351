"""The national tables kept beside the data between runs (issue 16): computed once per fingerprint,
read back the same, recomputed when the data, the framework, the settings or the library change,
never written outside the data's cache folder, and shared by ``briefing.load``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from fundament_lib.core.atomic import write_parquet
from fundament_lib.core.params import Params
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.framework import load_framework
from fundament_lib.report import briefing
from fundament_lib.results import tablecache
from fundament_lib.results.fingerprints import data_hash
from fundament_lib.results.pipeline import data_files
from fundament_lib.results.summary import build_summaries
from fundament_lib.results.tables import StatsSettings

CODES = ("147", "707", "825")  # a medium kommune, one with an earlier wave, a small one
STARTED = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def tidy():
    return generate(DemoConfig(kommuner=CODES, size_factor=0.5)).tidy


def _params(n_boot: int = 100) -> dict[str, Params]:
    return {c: Params(n_boot=n_boot) for c in CODES}


def _summarise(tidy, path: Path, *, n_boot: int = 100) -> dict:
    """Every kommune's summary through the cache beside ``path`` (as JSON data)."""
    built = build_summaries(tidy, _params(n_boot), data_id=data_hash(data_files(path)), run_started=STARTED,
                            cache=path)
    return json.loads(json.dumps(built.kommuner))


def _entries(path: Path, kind: str = "national-tables-") -> list[Path]:
    return sorted(tablecache.cache_folder(path).glob(f"{kind}*.pickle"))


def _computing(capsys) -> bool:
    return "Beregner de nationale tabeller" in capsys.readouterr().err


def _no_computing(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the national tables were computed, not read from the cache")

    monkeypatch.setattr(tablecache, "national_tables", refuse)


def test_computed_once_then_read_back_the_same(tidy, tmp_path, capsys, monkeypatch):
    path = tmp_path / "data" / "survey.parquet"
    write_parquet(tidy, path)
    first = _summarise(tidy, path)
    assert _computing(capsys)  # the first time says what it computes
    assert len(_entries(path)) == 1
    _no_computing(monkeypatch)
    assert _summarise(tidy, path) == first
    assert not _computing(capsys)
    # Nothing but the data and its cache folder (the tables and the summaries cut from them) was written.
    kept = [_entries(path)[0], *_entries(path, "kommune-summaries-")]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == \
        sorted(["data/survey.parquet", *(f"data/.fundament-cache/{p.name}" for p in kept)])
    assert len(kept) == 2


def test_new_data_or_settings_compute_again_and_replace_the_old_entry(tidy, tmp_path, capsys):
    path = tmp_path / "survey.parquet"
    write_parquet(tidy, path)
    before = _summarise(tidy, path)
    old = _entries(path)
    capsys.readouterr()
    fewer = tidy[tidy["respondent_id"] != tidy["respondent_id"].iloc[0]]  # one respondent less
    write_parquet(fewer, path)
    after = _summarise(fewer, path)
    assert _computing(capsys)
    assert after["147"]["scores"] != before["147"]["scores"] or after["707"]["scores"] != before["707"]["scores"]
    assert len(_entries(path)) == 1 and _entries(path) != old  # one entry per data file: the old one is gone
    _summarise(fewer, path, n_boot=120)  # other bootstrap settings: other intervals
    assert _computing(capsys)


def test_the_key_follows_data_framework_settings_kommuner_and_library(monkeypatch):
    fw = load_framework("fundament2024")
    base = {"data_id": "abc", "fw": fw, "settings": StatsSettings(), "codes": CODES}
    key = tablecache.table_key(**base)
    assert tablecache.table_key(**base) == key
    assert tablecache.table_key(**{**base, "codes": reversed(CODES)}) == key  # order does not matter
    others = [{"data_id": "abd"}, {"fw": fw.model_copy(update={"version": "test"})},
              {"settings": StatsSettings(n_boot=999)}, {"settings": StatsSettings(seed=1)},
              {"codes": CODES[:2]}]
    for change in others:
        assert tablecache.table_key(**{**base, **change}) != key, change
    monkeypatch.setattr(tablecache, "library_fingerprint", lambda: "another library")
    assert tablecache.table_key(**base) != key


def test_an_unreadable_entry_is_computed_again(tidy, tmp_path, capsys):
    path = tmp_path / "survey.parquet"
    write_parquet(tidy, path)
    first = _summarise(tidy, path)
    _entries(path)[0].write_bytes(b"cut short")
    capsys.readouterr()
    assert _summarise(tidy, path) == first
    err = capsys.readouterr().err
    assert "kunne ikke læses" in err and "Beregner" in err


def test_a_cache_that_cannot_be_written_does_not_stop_the_run(tidy, tmp_path, capsys, monkeypatch):
    path = tmp_path / "survey.parquet"
    write_parquet(tidy, path)

    def full_disk(target: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tablecache.atomic, "write_bytes", full_disk)
    assert set(_summarise(tidy, path)) == set(CODES)
    assert "Kunne ikke gemme" in capsys.readouterr().err
    assert _entries(path) == []


def test_briefing_load_reads_the_tables_a_run_computed(demo_prepared, project, monkeypatch):
    """JupyterLab's path (no summary file): one kommune's summary, from the run's cached tables."""
    monkeypatch.setenv("FUNDAMENT_ROOT", str(project))
    _no_computing(monkeypatch)
    s = briefing.load("825")
    expected = demo_prepared.summaries["825"]
    assert s["kommunekode"] == "825"
    assert json.loads(json.dumps({**s, "provenance": None})) == \
        json.loads(json.dumps({**expected, "provenance": None}))


def test_explore_load_takes_the_scores_of_the_kept_tables(demo_prepared, project, monkeypatch):
    from fundament_lib import explore
    from fundament_lib.analysis.scoring import respondent_scores
    from fundament_lib.explore import data as explore_data

    path = project / "data" / "processed" / "demo.parquet"

    def refuse(*args, **kwargs):
        raise AssertionError("the explorer computed the scores, not read them from the cache")

    monkeypatch.setattr(explore_data, "respondent_scores", refuse)
    kept = explore.load(path, params_root=project / "params")
    pd.testing.assert_frame_equal(kept.scores, respondent_scores(kept.tidy, kept.fw))
