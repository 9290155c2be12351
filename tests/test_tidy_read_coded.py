"""``read_tidy`` reads text columns dictionary-encoded and checks them on their codes: the frame it returns
equals the plain read (every column as strings, then ids and free text ``str``, the rest categorical), and
bad data is refused with the same problems."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundament_lib.core.errors import DataValidationError
from fundament_lib.framework import load_framework
from fundament_lib.ingest.tidy_files import read_tidy

ITEMS = list(load_framework("fundament2024").codebook()["item_id"].head(6))
CATEGORICAL = ("kommunekode", "group", "wave", "fagomraade", "stabsfunktion", "ledelsesniveau", "item_id", "status")
IDS = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=6)
BACKGROUND = st.one_of(st.none(), st.sampled_from(["skole", "ældre", "jura", "It", "Ø"]))


@st.composite
def respondents(draw: st.DrawFn) -> list[dict[str, object]]:
    ids = draw(st.lists(IDS, min_size=1, max_size=6, unique=True))
    return [{"respondent_id": rid, "kommunekode": draw(st.sampled_from(["101", "707", "825", "860"])),
             "group": draw(st.sampled_from(["stab", "borgernaer"])), "wave": draw(st.sampled_from(["2025", "2024-2"])),
             "fagomraade": draw(BACKGROUND), "stabsfunktion": draw(BACKGROUND), "ledelsesniveau": draw(BACKGROUND)}
            for rid in ids]


@st.composite
def tidy_tables(draw: st.DrawFn) -> pd.DataFrame:
    """A valid tidy table: item after item (as the loader writes it) or in any order."""
    people = draw(respondents())
    items = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=4, unique=True))
    rows = []
    for item in items:
        for person in people:
            status = draw(st.sampled_from(["svar", "ved_ikke", "ubesvaret"]))
            points = draw(st.sampled_from([5, None]))
            value = float(draw(st.integers(1, 5))) if status == "svar" else np.nan
            rows.append({**person, "item_id": item, "value": value, "status": status,
                         "text": draw(st.one_of(st.none(), st.text(max_size=5))), "points": points})
    df = pd.DataFrame(rows).astype({"points": "Int64", "value": "float64"})
    if draw(st.booleans()):
        df = df.iloc[draw(st.permutations(range(len(df))))].reset_index(drop=True)
    text = [c for c in df.columns if c not in ("value", "points")]
    return df.astype(dict.fromkeys(text, "str"))


def plain_read(paths: list[Path]) -> pd.DataFrame:
    """What ``read_tidy`` returned before: every text column read as strings, validated, then ids and free text
    ``str`` and the columns of few values ``astype("category")``."""
    frames = [pd.read_parquet(p) for p in paths]
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    df = df.astype({c: "str" for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})
    df["points"] = df["points"].astype("Int64")
    return df.astype(dict.fromkeys(CATEGORICAL, "category"))


def _write(df: pd.DataFrame, path: Path, *, categorical: bool) -> None:
    """As plain strings (what ``fundament ingest`` streams) or as pandas categoricals (what the demo writes)."""
    out = df.astype({c: "category" for c in CATEGORICAL}) if categorical else df
    pq.write_table(pa.Table.from_pandas(out, preserve_index=False), path)


def _assert_same(found: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(found, expected, check_exact=True)
    for col in CATEGORICAL:  # the same categories in the same order: groupby and sort_values follow them
        assert list(found[col].cat.categories) == list(expected[col].cat.categories), col
        assert found[col].cat.categories.dtype == expected[col].cat.categories.dtype


@given(tidy_tables(), st.booleans(), st.integers(0, 3))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_dictionary_encoded_read_equals_the_plain_read(df, categorical, split):
    with tempfile.TemporaryDirectory() as tmp:
        cut = min(split * len(df) // 3, len(df))
        parts = [df] if split == 0 or cut in (0, len(df)) else [df.iloc[:cut], df.iloc[cut:]]
        ids = [set(p["respondent_id"]) for p in parts]
        if len(parts) > 1 and ids[0] & ids[1]:  # one respondent in two files is refused: keep one file
            parts = [df]
        paths = [Path(tmp) / f"{i}.parquet" for i in range(len(parts))]
        for part, path in zip(parts, paths, strict=True):
            _write(part.reset_index(drop=True), path, categorical=categorical)
        found = read_tidy(paths)
        _assert_same(found, plain_read(paths))
        assert found.attrs["demo_kommuner"] == []


def _national_like(tmp_path: Path) -> Path:
    people = [{"respondent_id": f"707-{i}", "kommunekode": "707", "group": "stab", "wave": "2025",
               "fagomraade": None, "stabsfunktion": "jura", "ledelsesniveau": None} for i in range(40)]
    rows = [{**p, "item_id": item, "value": 3.0, "status": "svar", "text": None, "points": 5}
            for item in ITEMS for p in people]
    df = pd.DataFrame(rows).astype({"points": "Int64"})
    df = df.astype({c: "str" for c in df.columns if c not in ("value", "points")})
    path = tmp_path / "national.parquet"
    _write(df, path, categorical=False)
    return path


def test_text_columns_are_read_as_dictionaries_and_answers_checked_without_hashing_rows(tmp_path, monkeypatch):
    path = _national_like(tmp_path)
    asked: list[list[str]] = []
    read_table = pq.read_table

    def spy(*args: object, **kwargs: object) -> pa.Table:
        asked.append(list(kwargs.get("read_dictionary") or []))  # type: ignore[call-overload]
        return read_table(*args, **kwargs)  # type: ignore[arg-type]

    def no_hashing(*args: object, **kwargs: object) -> pd.Series:
        raise AssertionError("a national file's (respondent, item) pairs hashed row by row")

    monkeypatch.setattr(pq, "read_table", spy)
    monkeypatch.setattr(pd.DataFrame, "duplicated", no_hashing)
    found = read_tidy(path)
    assert asked and set(asked[0]) == set(CATEGORICAL) | {"respondent_id", "text"}
    assert found["respondent_id"].dtype == "str" and len(found) == 40 * len(ITEMS)


@pytest.mark.parametrize("shuffled", [False, True])
def test_a_bad_file_is_refused_with_the_same_problems(tmp_path, shuffled):
    path = _national_like(tmp_path)
    df = pd.read_parquet(path)
    df.loc[5, "kommunekode"] = "999"
    df.loc[7, "status"] = "maybe"
    df.loc[9, ["respondent_id", "item_id"]] = df.loc[10, ["respondent_id", "item_id"]].to_numpy()
    df.loc[11, "wave"] = "a\x00b"
    if shuffled:
        df = df.sample(frac=1, random_state=3).reset_index(drop=True)
    _write(df, path, categorical=False)
    with pytest.raises(DataValidationError) as caught:
        read_tidy(path)
    found = {(p.file, p.row, p.column, p.value, p.message) for p in caught.value.problems}
    assert {p.file for p in caught.value.problems} == {str(path)}
    by_message = {m: {(c, v) for _, _, c, v, m2 in found if m2 == m} for m in {f[4] for f in found}}
    assert ("kommunekode", "999") in next(v for m, v in by_message.items() if m.startswith("unknown kommune"))
    assert ("status", "maybe") in by_message["unknown status"]
    assert ("wave", "a\x00b") in next(v for m, v in by_message.items() if "control character" in m)
    twice = by_message["duplicate answer: the same respondent and item twice"]
    assert ("respondent_id", "707-10") in twice and ("item_id", ITEMS[0]) in twice
