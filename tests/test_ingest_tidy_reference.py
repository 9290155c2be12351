"""The loader's tidy table equals a straightforward reference built cell by cell.

The loader reads a wide export column-wise on distinct values, builds the long
table by position and keeps its text columns categorical (for memory and speed
on a national file). Here the same files are turned long the obvious way —
``DataFrame.melt`` and a per-cell reading written out in this test from the
codebook's ``labels`` — and the two tables must hold the same rows with the
same values.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fundament_lib.demo import DemoConfig, generate
from fundament_lib.framework import load_framework
from fundament_lib.framework.codebook import codebook_table
from fundament_lib.ingest import ingest

FIX = Path(__file__).parent / "fixtures" / "ingest"
PEOPLE = ["respondent_id", "kommunekode", "group", "wave", "fagomraade", "stabsfunktion", "ledelsesniveau"]
ORDERED = {"enighed", "vigtighed", "grad"}  # the framework's five-point scales
NOT_AN_ANSWER = {"ved ikke", "ikke relevant"}


def _reference(path: Path, encoding: str) -> pd.DataFrame:
    """The tidy table of a wide ``;`` file with item-id headers, read one cell at a time."""
    wide = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding=encoding)
    book = codebook_table(load_framework("fundament2024")).set_index("item_id")
    items = [c for c in wide.columns if c in book.index and book.at[c, "block"] != "background"]
    long = wide.melt(id_vars=PEOPLE, value_vars=items, var_name="item_id", value_name="cell")
    rows = []
    for rec in long.itertuples(index=False):
        scale = book.at[rec.item_id, "scale"]
        cell = rec.cell.strip()
        value, status, text = np.nan, "svar", None
        if not cell:
            status = "ubesvaret"
        elif scale == "tekst":
            text = cell
        elif cell.casefold() in NOT_AN_ANSWER:
            status = "ved_ikke"
        else:
            labels = {lab.strip().casefold(): float(code) for code, lab in
                      re.findall(r"(\d+)=([^|]+)", book.at[rec.item_id, "labels"])}
            value = labels.get(cell.casefold(), np.nan)
            if np.isnan(value):
                value = float(cell.replace(",", "."))
        audience = book.at[rec.item_id, "audience"].split(";")
        if status == "ubesvaret" and rec.group not in audience:
            continue  # an item the respondent was not asked and did not answer
        rows.append({
            "respondent_id": f"{rec.kommunekode}-{rec.group}-{rec.wave}-{rec.respondent_id}",
            "kommunekode": rec.kommunekode, "group": rec.group, "wave": rec.wave,
            "fagomraade": rec.fagomraade or None, "stabsfunktion": rec.stabsfunktion or None,
            "ledelsesniveau": rec.ledelsesniveau or None, "item_id": rec.item_id, "value": value,
            "status": status, "text": text, "points": 5 if scale in ORDERED else None,
        })
    return pd.DataFrame(rows)


def _comparable(df: pd.DataFrame) -> pd.DataFrame:
    """Both tables as plain objects (text, ``None`` where missing), sorted by respondent and item."""
    out = df.astype(object).where(df.notna(), None)
    out["value"] = df["value"].astype(float)
    out["points"] = [None if pd.isna(p) else int(p) for p in df["points"]]
    return out.sort_values(["respondent_id", "item_id"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three kommuner of a small demo survey as an analyst's wide export, with ids made unique per file."""
    wide = generate(DemoConfig(fixed_size=12, p_breakoff=0.1)).wide
    wide = wide[wide["kommunekode"].isin(["101", "707", "860"])]
    path = tmp_path_factory.mktemp("ref") / "national.csv"
    wide.to_csv(path, sep=";", index=False)
    return path


@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_the_tidy_table_equals_a_melt_read_cell_by_cell(demo_export, which):
    path, encoding = (demo_export, "utf-8") if which == "demo" else (FIX / "wide_707_cp1252.csv", "cp1252")
    got = ingest(path).data
    want = _reference(path, encoding)
    assert len(got) == len(want) > 0
    pd.testing.assert_frame_equal(_comparable(got), _comparable(want[list(got.columns)]))
    assert isinstance(got["respondent_id"].dtype, pd.CategoricalDtype)  # compact: the ids once, a code per row


@pytest.mark.parametrize("dtype", ["category", "str"])
def test_the_same_respondent_and_item_twice_is_refused_whatever_the_dtypes(dtype):
    """The tidy schema's duplicate check: item by item on categorical codes, else by pandas; the same verdict."""
    from fundament_lib.core.errors import DataValidationError
    from fundament_lib.ingest.schema import validate_tidy

    data = ingest(FIX / "wide_707_cp1252.csv").data
    assert len(validate_tidy(data, file="t")) == len(data)
    twice = pd.concat([data, data.iloc[[5]]], ignore_index=True)  # a repeated row, at the end
    twice = twice.astype({"respondent_id": dtype, "item_id": dtype})
    for frame in (twice, twice.sort_values("item_id", kind="stable")):  # after another item, or beside its own
        with pytest.raises(DataValidationError, match="the same respondent and item twice") as info:
            validate_tidy(frame, file="t")
        named = [p.value for p in info.value.problems if "twice" in p.message and p.column == "respondent_id"]
        assert named == [str(data["respondent_id"].iloc[5])] * 2  # both rows, nothing else


# ---------------------------------------------------------------- the table streamed chunk by chunk


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    """Chunks of a few hundred rows, so that these small files are made, checked and written in many parts."""
    from fundament_lib.ingest import assemble

    monkeypatch.setattr(assemble, "_CHUNK_ROWS", 300)
    return 300


@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_the_streamed_file_and_the_joined_chunks_equal_the_reference(demo_export, which, small_chunks, tmp_path):
    """``fundament ingest``'s way (chunks appended to Parquet) and ``ingest()``'s (chunks joined) give the melt's rows."""
    import pyarrow.parquet as pq

    from fundament_lib.ingest import read_tidy

    path, encoding = (demo_export, "utf-8") if which == "demo" else (FIX / "wide_707_cp1252.csv", "cp1252")
    want = _reference(path, encoding)
    out = tmp_path / "out" / "tidy.parquet"
    streamed = ingest(path, out=out)
    assert streamed.data is None and streamed.provenance["counts"]["answers"] == len(want)
    assert pq.ParquetFile(out).metadata.num_row_groups > 3  # it was written in parts
    assert [p.name for p in out.parent.iterdir()] == ["tidy.parquet"]  # no temporary file left
    from_file = read_tidy(out)
    joined = ingest(path).data
    for got in (from_file, joined):
        pd.testing.assert_frame_equal(_comparable(got), _comparable(want[list(got.columns)]))
        assert isinstance(got["item_id"].dtype, pd.CategoricalDtype)
        assert set(got["item_id"].cat.categories) == set(want["item_id"])  # joined categories: no item lost
    assert isinstance(joined["respondent_id"].dtype, pd.CategoricalDtype)


def test_a_file_refused_late_leaves_nothing_although_parts_were_written(demo_export, small_chunks, tmp_path):
    """A bad cell in the last item column: earlier chunks went to a temporary file, which is removed."""
    from fundament_lib.core.errors import DataValidationError

    wide = pd.read_csv(demo_export, sep=";", dtype=str, keep_default_na=False)
    last = [c for c in wide.columns if c.startswith("P2.")][-1]
    wide.loc[len(wide) - 1, last] = "7"  # off the five-point scale
    bad = tmp_path / "bad.csv"
    wide.to_csv(bad, sep=";", index=False)
    out = tmp_path / "out" / "sub" / "tidy.parquet"
    with pytest.raises(DataValidationError, match="outside the scale"):
        ingest(bad, out=out)
    assert not (tmp_path / "out").exists()
    kept = ingest(bad, out=out, strict=False)  # lenient: the column is dropped whole, the rest streamed
    assert last not in set(pd.read_parquet(out)["item_id"].astype(str))
    assert kept.provenance["counts"]["answers"] == len(pd.read_parquet(out)) > 0
