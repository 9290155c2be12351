"""The default wave: the year-month of the responses' median completion time, however the tool wrote the times."""

from __future__ import annotations

import pandas as pd
import pytest

from fundament_lib.ingest.waves import wave_from_times


@pytest.mark.parametrize(("times", "label"), [
    (["2025-08-20T14:03:00", "2025-08-21T09:00:00", "2025-09-02T10:00:00"], "2025-08"),   # ISO
    (["20-08-2025 14:03", "02-09-2025 10:00", "03-09-2025 11:00"], "2025-09"),           # Danish, day first
    (["05.01.2026", "06.01.2026", None, ""], "2026-01"),                                  # blanks skipped
    (["45889.5", "45890.25", "45891"], "2025-08"),                                        # Excel day numbers
])
def test_the_median_completion_month(times, label):
    found = wave_from_times(pd.Series(times, dtype=object), column="Completion time")
    assert found is not None and found.label == label


def test_no_default_where_the_times_cannot_be_read():
    assert wave_from_times(pd.Series(["i går", "sidste uge", "2025-08-20"], dtype=object), column="x") is None
    assert wave_from_times(pd.Series([None, ""], dtype=object), column="x") is None


def test_the_default_says_where_it_came_from():
    found = wave_from_times(pd.Series(["2025-08-31T23:00:00", "2025-09-01T08:00:00"], dtype=object),
                            column="Fuldførelsestidspunkt")
    assert found is not None
    assert found.describe() == {"label": "2025-08", "from": "completion times", "column": "Fuldførelsestidspunkt",
                                "rule": "year-month of the median completion time", "responses": 2,
                                "first": "2025-08-31", "last": "2025-09-01"}
