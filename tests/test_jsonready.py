"""Records for summary.json: plain Python values from every column type a table has (issue 16 made
:func:`records` column-wise; these pin what it must give)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from fundament_lib.core.jsonready import records


def test_every_column_type_gives_plain_json_values():
    df = pd.DataFrame({
        "score": [61.234567, np.nan],
        "n": [12, 7],
        "n_nullable": pd.array([3, None], dtype="Int64"),
        "suppressed": [False, True],
        "id": pd.array(["P1.1", None], dtype="string[pyarrow]"),
        "group": pd.Categorical(["stab", None]),
        "mixed": pd.Series([np.float64(0.5), np.int64(2)], dtype=object),  # numpy scalars in an object column
        "points": [[1, 2, 3], []],
    })
    rows = records(df)
    assert rows == [
        {"score": 61.2346, "n": 12, "n_nullable": 3, "suppressed": False, "id": "P1.1", "group": "stab",
         "mixed": 0.5, "points": [1, 2, 3]},
        {"score": None, "n": 7, "n_nullable": None, "suppressed": True, "id": None, "group": None,
         "mixed": 2, "points": []},
    ]
    assert [type(v) for v in rows[0].values()] == [float, int, int, bool, str, str, float, list]
    assert type(rows[1]["mixed"]) is int
    json.dumps(rows, allow_nan=False)  # what atomic.write_json demands


def test_no_rows_and_no_columns():
    assert records(pd.DataFrame({"a": pd.Series([], dtype=float)})) == []
    assert records(pd.DataFrame(index=[0, 1])) == [{}, {}]
