"""The kommune summaries kept beside the data (issue 16): a later run reads them back the same but
for its own time stamp, cuts only the kommuner not kept yet, and cuts again when any kommune's
parameters, the tables or the demo marks change."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fundament_lib.core.atomic import write_parquet
from fundament_lib.core.params import Params
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.results import summary as summary_module
from fundament_lib.results import summarycache, tablecache
from fundament_lib.results.summary import build_summaries

CODES = ("147", "707", "825")
FIRST, LATER = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def tidy():
    return generate(DemoConfig(kommuner=CODES, size_factor=0.5)).tidy


@pytest.fixture
def path(tidy, tmp_path) -> Path:
    path = tmp_path / "survey.parquet"
    write_parquet(tidy, path)
    return path


def _params(**change: object) -> dict[str, Params]:
    return {c: Params(n_boot=100, **(change if c == "825" else {})) for c in CODES}  # type: ignore[arg-type]


def _build(tidy, path: Path | None, *, started=FIRST, selected=None, params=None, models=False):
    built = build_summaries(tidy, params or _params(), data_id="survey-v1", run_started=started,
                            selected=selected, cache=path, national_models=models)
    return json.loads(json.dumps(built.national if models else built.kommuner))


def _counting(monkeypatch) -> list[str]:
    """Record which kommuner are cut from the tables (and still cut them)."""
    cut: list[str] = []
    real = summary_module.kommune_summary

    def counted(code, *args, **kwargs):
        cut.append(code)
        return real(code, *args, **kwargs)

    monkeypatch.setattr(summary_module, "kommune_summary", counted)
    return cut


def _without_stamp(summaries: dict) -> dict:
    return {c: {**s, "provenance": {k: v for k, v in s["provenance"].items() if k != "run_started"}}
            for c, s in summaries.items()}


def _summary_entries(path: Path) -> list[Path]:
    return sorted(tablecache.cache_folder(path).glob("kommune-summaries-*.pickle"))


def test_kept_summaries_equal_freshly_cut_ones_but_for_the_time_stamp(tidy, path, monkeypatch):
    first = _build(tidy, path)
    cut = _counting(monkeypatch)
    later = _build(tidy, path, started=LATER)
    assert cut == []  # nothing cut again
    assert _without_stamp(later) == _without_stamp(first)
    assert {s["provenance"]["run_started"] for s in later.values()} == {LATER.isoformat(timespec="seconds")}
    assert _without_stamp(_build(tidy, None, started=LATER)) == _without_stamp(later)  # no cache: the same


def test_only_the_kommuner_not_kept_yet_are_cut(tidy, path, monkeypatch):
    cut = _counting(monkeypatch)
    one = _build(tidy, path, selected=["707"])
    assert cut == ["707"] and list(one) == ["707"]
    two = _build(tidy, path, selected=["707", "825"])
    assert cut == ["707", "825"]  # 707 read back, 825 cut
    assert list(two) == ["707", "825"] and two["707"] == one["707"]
    _build(tidy, path, selected=["825", "707"])
    assert cut == ["707", "825"]  # both kept now, in one file
    assert len(_summary_entries(path)) == 1


@pytest.mark.parametrize("change", [{"min_n": 7}, {"share_names": True}, {"wave": "1"}])
def test_one_kommunes_parameters_changed_cut_every_kommune_again(tidy, path, monkeypatch, change):
    """Any kommune's threshold or sharing choice shapes every other kommune's national comparison."""
    before = _build(tidy, path)
    old = _summary_entries(path)
    cut = _counting(monkeypatch)
    after = _build(tidy, path, params=_params(**change))
    assert sorted(cut) == sorted(CODES)
    assert _summary_entries(path) != old and len(_summary_entries(path)) == 1  # the old entry replaced
    assert _without_stamp(after) == _without_stamp(_build(tidy, None, params=_params(**change)))
    if "min_n" in change:
        assert after["825"]["provenance"]["parameters"]["min_n"] == 7 != before["825"]["provenance"]["parameters"]["min_n"]


def test_the_national_models_are_fitted_once_and_kept_with_the_summaries(tidy, path, monkeypatch):
    fitted: list[bool] = []
    real = summary_module.national_analyses

    def counted(tables, tidy=None):
        fitted.append(tidy is not None)
        return real(tables, tidy)

    monkeypatch.setattr(summary_module, "national_analyses", counted)
    first = _build(tidy, path, models=True)
    assert fitted == [True] and "icc" in first["fundament2024"]  # the models were tried (3 kommuner: skipped, said why)
    assert _build(tidy, path, models=True) == first
    assert fitted == [True]  # read back, not fitted again
    plain = build_summaries(tidy, _params(), data_id="survey-v1", run_started=FIRST, cache=path).national
    assert "icc" not in plain["fundament2024"] and fitted == [True, False]  # without the models: not fitted
    assert _build(tidy, None, models=True) == first  # no cache: the same


def test_the_key_follows_the_tables_every_kommunes_parameters_and_the_demo_marks():
    key = summarycache.summary_key("tables-a", _params())
    assert summarycache.summary_key("tables-a", dict(reversed(_params().items()))) == key  # order does not matter
    for other in (summarycache.summary_key("tables-b", _params()),
                  summarycache.summary_key("tables-a", _params(min_n=6)),
                  summarycache.summary_key("tables-a", _params(), demo=["707"])):
        assert other != key


def test_an_unreadable_or_foreign_entry_is_cut_again(tidy, path, monkeypatch):
    first = _build(tidy, path)
    for junk in (b"cut short", b"\x80\x05N."):  # a broken pickle; a pickled None, not a mapping
        _summary_entries(path)[0].write_bytes(junk)
        cut = _counting(monkeypatch)
        assert _build(tidy, path) == first
        assert sorted(cut) == sorted(CODES)


def test_a_folder_that_cannot_be_written_is_said_and_the_run_goes_on(tidy, path, monkeypatch, capsys):
    def full_disk(target: Path, value: object, *, replaces: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(summarycache, "write_entry", full_disk)
    assert set(_build(tidy, path)) == set(CODES)
    assert "Kunne ikke gemme kommunernes resuméer" in capsys.readouterr().err
    assert _summary_entries(path) == []


def test_the_run_reads_kept_summaries_through_prepare(tidy, path, monkeypatch):
    """``pipeline.prepare`` (what ``fundament run`` and ``briefing.load`` call) reads them back too."""
    from fundament_lib.results.pipeline import prepare

    first = prepare(path, kommuner=["707"], run_started=FIRST).summaries
    cut = _counting(monkeypatch)
    again = prepare(path, kommuner=["707"], run_started=LATER).summaries
    assert cut == []
    assert _without_stamp(json.loads(json.dumps(again))) == _without_stamp(json.loads(json.dumps(first)))
