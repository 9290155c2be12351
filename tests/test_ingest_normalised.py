"""Codes, ids and labels normalised once, the same way; control characters refused or removed (issue 14, 2/3/6).

* a kommune code is the ASCII digits 0–9: ``101²`` passes :meth:`str.isdigit` but is refused
  everywhere with one line (``ingest``: file column and ``--kommune``; ``run``; ``export``);
* a control character (NUL …) in a respondent id, kommune, group or wave is refused, naming the row,
  and removed from free text with a count in the provenance;
* ``103`` and ``103.0`` are one respondent id, as ``707``/``707.0`` are one kommune code.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from fundament_lib.core.atomic import write_parquet
from fundament_lib.core.errors import DataValidationError, FundamentError, UnknownKommuneError
from fundament_lib.core.kommuner import normalise_code
from fundament_lib.core.values import CONTROL_MESSAGE, clean_free_text, drop_decimal_zero
from fundament_lib.ingest import ingest
from fundament_lib.ingest.schema import DUPLICATE_ID
from fundament_lib.ingest.tidy_files import read_tidy

REPO = Path(__file__).resolve().parents[1]
FIX = REPO / "tests" / "fixtures" / "ingest"
LATE = 25  # a data row beyond the first 4 KB of the fixture (a NUL there reads as binary data): file row 27


def _wide(tmp_path: Path, mutate: Callable[[pd.DataFrame], None]) -> Path:
    df = pd.read_csv(FIX / "wide_707_cp1252.csv", sep=";", dtype=str, encoding="cp1252", keep_default_na=False)
    mutate(df)
    path = tmp_path / "wide.csv"
    path.write_text(df.to_csv(sep=";", index=False), encoding="utf-8")
    return path


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fundament_lib.cli.main", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


# ---- 101²: digits are ASCII digits -------------------------------------------------------------------
@pytest.mark.parametrize("code", ["101²", "10¹", "١٠١", "１０１", "1O1", "", "101.5"])
def test_a_code_of_other_digits_is_no_kommune_code(code):
    assert not code.isascii() or not code.isdigit()  # what the old isdigit() test let through: the first four
    with pytest.raises(UnknownKommuneError, match="is not a number"):
        normalise_code(code)


@pytest.mark.parametrize(("raw", "code"), [("101", "101"), (" 0101 ", "101"), ("101.0", "101"), (707.0, "707"),
                                           ("707.00", "707"), ("0707", "707")])
def test_a_kommune_code_as_a_spreadsheet_writes_it(raw, code):
    assert normalise_code(raw) == code


def test_a_superscript_code_in_the_file_is_reported_with_row_column_value(tmp_path):
    def spoil(df):
        df.loc[3, "kommunekode"] = "707²"

    with pytest.raises(DataValidationError) as info:
        ingest(_wide(tmp_path, spoil))
    [problem] = info.value.problems
    assert (problem.row, problem.column, problem.value) == (5, "kommunekode", "707²")


def test_run_export_and_ingest_refuse_a_superscript_kommune_with_one_line(tmp_path):
    data = tmp_path / "data" / "707.parquet"
    made = _cli("ingest", str(FIX / "wide_707_cp1252.csv"), "--out", str(data), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    calls = {
        "ingest": ["ingest", str(FIX / "forms_707_stab_en.xlsx"), "--kommune", "707²", "--out",
                   str(tmp_path / "out" / "x.parquet")],
        "run": ["run", "--data", str(data), "--kommune", "707²", "--out", str(tmp_path / "out")],
        "export": ["export", "--data", str(data), "--kommune", "707²", "--out", str(tmp_path / "out")],
    }
    for name, args in calls.items():
        done = _cli(*args, cwd=REPO)
        assert done.returncode == 2, (name, done.stderr)
        assert done.stderr.strip().splitlines() == ["fundament: error: kommune code '707²' is not a number "
                                                    "(the digits 0–9)"], name
        assert not (tmp_path / "out").exists(), name


# ---- control characters -------------------------------------------------------------------------------
@pytest.mark.parametrize("column", ["respondent_id", "kommunekode", "group", "wave"])
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f"])
def test_a_control_character_in_a_respondent_column_is_refused_naming_the_row(tmp_path, column, char):
    def spoil(df):
        df.loc[LATE, column] = df.loc[LATE, column][:2] + char + df.loc[LATE, column][2:]

    path = _wide(tmp_path, spoil)
    with pytest.raises(DataValidationError) as info:
        ingest(path)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (LATE + 2, column)
    assert char in str(problem.value) and CONTROL_MESSAGE in str(info.value)
    lenient = ingest(path, strict=False)
    people = lenient.data[["respondent_id", "kommunekode", "group", "wave"]].astype(str)  # categorical in the loader
    assert not people.map(lambda v: char in v).any().any()
    assert lenient.provenance["counts"]["respondents_dropped"] == 1


def test_a_wave_option_with_a_control_character_is_refused():
    with pytest.raises(FundamentError, match="--wave holds a control character"):
        ingest(FIX / "forms_707_stab_en.xlsx", kommune="707", wave="2025\x00")


def test_a_processed_file_with_a_nul_in_its_wave_is_refused(tmp_path):
    tidy = ingest(FIX / "wide_707_cp1252.csv").data
    tidy["wave"] = tidy["wave"].astype(str)  # the loader's categories hold no such wave
    tidy.loc[tidy.index[:3], "wave"] = "2025\x00"
    write_parquet(tidy, tmp_path / "bad.parquet")
    with pytest.raises(DataValidationError, match="control character"):
        read_tidy(tmp_path / "bad.parquet")


def test_free_text_loses_its_control_characters_and_the_provenance_counts_them(tmp_path):
    def spoil(df):
        df.loc[LATE, "BURDEN.text"] = "Fravær\x00 i to\x07 systemer\r\nog\ttab"
        df.loc[LATE + 1, "BURDEN.text"] = "\x00\x00"  # nothing but control characters: no answer
        df.loc[LATE + 2, "BURDEN.text"] = "Ren tekst"

    result = ingest(_wide(tmp_path, spoil))
    texts = result.data.loc[result.data["item_id"] == "BURDEN.text"].set_index("respondent_id")["text"]
    by_row = {rid.rsplit("-", 1)[-1]: t for rid, t in texts.items()}
    assert by_row["0012"] == "Fravær i to systemer\nog\ttab"
    assert pd.isna(by_row["0013"])  # nothing left: no answer
    assert by_row["0014"] == "Ren tekst"
    assert result.provenance["control_characters_removed"] == {"total": 4, "columns": {"BURDEN.text": 4}}


@pytest.mark.parametrize(("text", "clean", "removed"), [
    ("a\x00b", "ab", 1), ("a\r\nb\rc", "a\nb\nc", 0), ("a\tb\nc", "a\tb\nc", 0), ("\x1b[31mrød\x1b[0m", "[31mrød[0m", 2),
    ("x\x85y\x9f", "xy", 2), ("", "", 0),
])
def test_clean_free_text(text, clean, removed):
    assert clean_free_text(text) == (clean, removed)


# ---- 103 and 103.0 ------------------------------------------------------------------------------------
def test_ids_103_and_103_0_are_one_respondent(tmp_path):
    def spoil(df):
        df.loc[1, "respondent_id"] = "103"
        df.loc[4, "respondent_id"] = "103.0"

    with pytest.raises(DataValidationError) as info:
        ingest(_wide(tmp_path, spoil))
    [problem] = info.value.problems
    assert (problem.row, problem.column, problem.value) == (6, "respondent_id", "103.0")
    assert DUPLICATE_ID in str(info.value)


def test_an_id_written_as_a_spreadsheet_number_is_the_number(tmp_path):
    def spoil(df):
        df.loc[1, "respondent_id"] = "103.0"
        df.loc[2, "respondent_id"] = "103.5"

    ids = set(ingest(_wide(tmp_path, spoil)).data["respondent_id"])
    assert "707-stab-2025-103" in ids and "707-stab-2025-103.5" in ids
    assert drop_decimal_zero("0103.00") == "0103" and drop_decimal_zero("103.") == "103."
