"""The loader's fast paths give what the slow ones gave: the schema's checks run without pandera's machinery
(:func:`~fundament_lib.ingest.schema.passes`), ids checked for reuse and sorted by pyarrow, ids prefixed by
pyarrow. Bad tables must still be refused with pandera's own report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundament_lib.core.errors import DataValidationError
from fundament_lib.ingest.assemble import IngestOptions, _categorical, _codes, _sorted_categorical
from fundament_lib.ingest.respondents import prefixed_ids
from fundament_lib.ingest.schema import (
    _first_use,
    passes,
    respondent_schema,
    tidy_schema,
    validate_tidy,
)

IDS = st.lists(st.sampled_from(["a", "b", "103", "103.0", "Å", "æ", "ae", "a b", "x\x00", "zz", ""]) | st.text(max_size=4),
               max_size=40)


def _tidy(n: int = 6) -> pd.DataFrame:
    """A valid tidy table as the loader makes it: categorical text, free text as ``str``, points ``Int64``."""
    cat = lambda values: pd.Categorical(values, categories=sorted({v for v in values if v is not None}))  # noqa: E731
    return pd.DataFrame({
        "respondent_id": cat([f"101-stab-2025-r{k}" for k in range(n)]),
        "kommunekode": cat(["101"] * n), "group": cat(["stab"] * n), "wave": cat(["2025"] * n),
        "fagomraade": cat([None] * n), "stabsfunktion": cat(["hr"] * n), "ledelsesniveau": cat([None] * n),
        "item_id": cat(["P1.1.1"] * n),
        "value": [1.0, 2.0, 3.0, 4.0, 5.0, np.nan][:n],
        "status": cat(["svar"] * (n - 1) + ["ved_ikke"]),
        "text": pd.array([None] * n, dtype="str"),
        "points": pd.array([5] * n, dtype="Int64"),
    })


def _bad(name: str) -> pd.DataFrame:
    df = _tidy()
    fix = {
        "unknown kommune": lambda: df.assign(kommunekode=pd.Categorical(["999"] + ["101"] * 5)),
        "bad group": lambda: df.assign(group=pd.Categorical(["chef"] + ["stab"] * 5)),
        "control in id": lambda: df.assign(respondent_id=pd.Categorical(["a\x00", *df["respondent_id"][1:]])),
        "empty id": lambda: df.assign(respondent_id=pd.Categorical(["", *df["respondent_id"][1:]])),
        "missing id": lambda: df.assign(respondent_id=pd.Categorical([None, *df["respondent_id"][1:]])),
        "long wave": lambda: df.assign(wave=pd.Categorical(["x" * 51] * 6)),
        "unknown item": lambda: df.assign(item_id=pd.Categorical(["Q9"] * 6)),
        "unknown status": lambda: df.assign(status=pd.Categorical(["maybe"] * 6)),
        "value not svar": lambda: df.assign(status=pd.Categorical(["ved_ikke"] * 6)),
        "value off points": lambda: df.assign(value=[1.0, 2.0, 3.0, 4.0, 6.0, np.nan]),
        "half a point": lambda: df.assign(value=[1.5, 2.0, 3.0, 4.0, 5.0, np.nan]),
        "points out of range": lambda: df.assign(points=pd.array([12] * 6, dtype="Int64")),
        "twice": lambda: df.assign(respondent_id=pd.Categorical(["r"] * 6)),
        "value as text": lambda: df.assign(value=["1"] * 6),
        "id not text": lambda: df.assign(respondent_id=list(range(6))),
        "no status": lambda: df.drop(columns="status"),
    }
    return fix[name]()


BAD = ["unknown kommune", "bad group", "control in id", "empty id", "missing id", "long wave", "unknown item",
       "unknown status", "value not svar", "value off points", "half a point", "points out of range", "twice",
       "value as text", "id not text", "no status"]


def test_a_good_table_passes_without_pandera():
    assert passes(tidy_schema(["P1.1.1"], filter_columns=False), _tidy())
    assert validate_tidy(_tidy(), file="f", item_ids=["P1.1.1"]) is not None


@pytest.mark.parametrize("name", BAD)
def test_a_bad_table_fails_the_fast_check_and_gets_pandera_s_report(name):
    df = _bad(name)
    schema = tidy_schema(["P1.1.1"], filter_columns=False)
    assert not passes(schema, df)
    with pytest.raises(pa.errors.SchemaErrors) as direct:
        schema.validate(df, lazy=True)
    with pytest.raises(DataValidationError) as ours:
        validate_tidy(df, file="f.csv", item_ids=["P1.1.1"])
    cases = direct.value.failure_cases
    assert [(p.column, p.message) for p in ours.value.problems] == [
        (c if isinstance(c, str) else None, str(k)) for c, k in zip(cases["column"], cases["check"], strict=True)]
    assert all(p.file == "f.csv" for p in ours.value.problems)


@settings(max_examples=200, deadline=None)
@given(IDS)
def test_first_use_is_not_duplicated(ids):
    column = pd.Series(ids, dtype="str")
    assert _first_use(column).tolist() == (~column.duplicated(keep="first")).tolist()


@settings(max_examples=200, deadline=None)
@given(IDS)
def test_respondent_schema_passes_exactly_where_pandera_does(ids):
    frame = pd.DataFrame({"respondent_id": ids, "kommunekode": "101", "group": "stab", "wave": "2025"}).astype(str)
    try:
        respondent_schema().validate(frame, lazy=True)
        ok = True
    except pa.errors.SchemaErrors:
        ok = False
    assert passes(respondent_schema(), frame) == ok


@settings(max_examples=200, deadline=None)
@given(IDS.filter(bool))
def test_ids_sorted_by_pyarrow_as_pandas_sorts_them(ids):
    got = _sorted_categorical(pa_arrow.array(ids, type=pa_arrow.large_string()))
    want = _categorical(*_codes(np.asarray(ids, dtype=object)))
    assert got.dtype == want.dtype
    assert np.array_equal(np.asarray(got.codes), np.asarray(want.codes))
    assert got.codes.dtype == want.codes.dtype


@pytest.mark.parametrize("tag_ids", [False, True])
def test_prefixed_ids_join_as_strings_do(tag_ids):
    people = pd.DataFrame({"respondent_id": np.array(["1", "2.5", "ø x"], dtype=object),
                           "kommunekode": np.array(["101", "707", "101"], dtype=object), "group": "stab",
                           "wave": np.array(["2025", "2025-05", "2025"], dtype=object)})
    options = IngestOptions(tag_ids=tag_ids, source_tag="abcd1234")
    got = prefixed_ids(people, options, made_up=False)
    tag = "abcd1234-" if tag_ids else ""
    assert got.tolist() == [f"{k}-{g}-{w}-{tag}{i}" for i, k, g, w in people[
        ["respondent_id", "kommunekode", "group", "wave"]].itertuples(index=False)]
    assert got.index.equals(people.index)
