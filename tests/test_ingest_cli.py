"""``fundament ingest`` and ``fundament instrument`` in a subprocess: exit 0 with files, or exit 2 with one clear
message, no traceback and nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIX = Path(__file__).parent / "fixtures" / "ingest"
BAD = FIX / "bad"


def fundament(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fundament_lib.cli.main", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin",
                                                       "FUNDAMENT_ROOT": str(cwd)})


def test_ingest_writes_parquet_and_provenance(tmp_path):
    out = tmp_path / "data" / "processed" / "norddjurs_borgernaer_2025.parquet"
    run = fundament("ingest", str(FIX / "surveyxact_707_borgernaer.xlsx"), "--kommune", "707", "--group",
                    "borgernaer", "--wave", "2025", "--out", str(out), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "format: surveyxact (detected)" in run.stdout
    assert "respondent ids: made up" in run.stdout
    prov = json.loads((out.parent / "norddjurs_borgernaer_2025.provenance.json").read_text(encoding="utf-8"))
    assert prov["counts"]["respondents"] == 14 and prov["respondent_ids"]["made_up"] is True
    assert out.exists()


def test_lenient_reports_what_it_dropped(tmp_path):
    """7 on a five-point scale: the columns go whole, each listed on its own line with its reason."""
    out = tmp_path / "x.parquet"
    run = fundament("ingest", str(BAD / "out_of_range.csv"), "--lenient", "--out", str(out), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "cells dropped: 0" in run.stdout
    lines = [line for line in run.stderr.splitlines() if line.startswith("dropped column")]
    assert [line.split("'")[1] for line in lines] == ["P1.1.1", "OUT.1"]
    assert "column dropped whole (--lenient)" in lines[0] and "e.g. 7: answer outside the scale" in lines[0]
    prov = json.loads((tmp_path / "x.provenance.json").read_text(encoding="utf-8"))
    assert {r["column"]: (r["row"], r["dropped"]) for r in prov["dropped"]} == {
        "P1.1.1": (5, "column"), "OUT.1": (6, "column")}
    assert out.exists()


@pytest.mark.parametrize(("name", "message"), [
    ("wrong_encoding.csv", "wrong encoding"),
    ("merged_header.xlsx", "row 1 is not a single header row"),
    ("text_in_numeric.csv", "answer is neither a number nor a label of the scale"),
    ("out_of_range.csv", "answer outside the scale"),
    ("empty.csv", "the file is empty"),
    ("only_header.csv", "the file has a header row but no answers"),
])
def test_bad_file_exits_2_with_the_message_and_writes_nothing(tmp_path, name, message):
    out = tmp_path / "out" / "x.parquet"
    run = fundament("ingest", str(BAD / name), "--out", str(out), cwd=tmp_path)
    assert run.returncode == 2
    assert "fundament: error:" in run.stderr and message in " ".join(run.stderr.split())
    assert "Traceback" not in run.stderr + run.stdout
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--kommune", "999"], "unknown kommune code '999'"),
    (["--framework", "nope"], "unknown framework 'nope'"),
    (["--kommune", "101", "--group", "stab", "--wave", "2025", "--format", "long"],
     "a long file needs the column(s)"),
    (["--kommune", "707", "--group", "stab", "--format", "wide"], "the file has no wave column and no completion "
                                                                  "times to take the month from: give the survey "
                                                                  "round with --wave"),
])
def test_bad_options_exit_2(tmp_path, args, message):
    path = FIX / "forms_707_stab_en.xlsx"
    if "wide" in args:  # a hand-made file: no completion times to take a wave from
        path = tmp_path / "hand.csv"
        path.write_text("respondent_id;P1.1.1;P1.1.2;P1.1.3;P1.1.4;P1.2.1\n1;2;3;4;5;1\n", encoding="utf-8")
    run = fundament("ingest", str(path), *args, "--out", str(tmp_path / "x.parquet"), cwd=tmp_path)
    assert run.returncode == 2, run.stdout
    assert message in " ".join(run.stderr.split())
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "x.parquet").exists()


def test_usage_errors_exit_2(tmp_path):
    for args in (["--group", "elever"], ["--format", "spss"], []):
        run = fundament("ingest", str(FIX / "long_707.csv"), *args, cwd=tmp_path)
        assert run.returncode == 2
        assert "Traceback" not in run.stderr
    run = fundament("ingest", str(FIX / "long_707.csv"), "--out", str(tmp_path / "x.csv"), cwd=tmp_path)
    assert run.returncode == 2 and "must be a .parquet file" in run.stderr
    run = fundament("ingest", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "x.parquet"), cwd=tmp_path)
    assert run.returncode == 2 and "file not found" in run.stderr


def test_instrument_writes_questionnaire_and_codebook(tmp_path):
    run = fundament("instrument", "--framework", "mereledelse2023", "--out", str(tmp_path / "instr"),
                    cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in (tmp_path / "instr").iterdir())
    assert names == ["mereledelse2023_codebook.csv", "mereledelse2023_codebook.xlsx",
                     "mereledelse2023_questionnaire.html"]
    run = fundament("instrument", "--framework", "nope", "--out", str(tmp_path / "x"), cwd=tmp_path)
    assert run.returncode == 2 and "unknown framework 'nope'" in run.stderr
    assert not (tmp_path / "x").exists()


def test_a_default_wave_is_said_on_the_command_line(tmp_path):
    out = tmp_path / "forms.parquet"
    run = fundament("ingest", str(FIX / "forms_707_stab_en.xlsx"), "--kommune", "707", "--group", "stab", "--out",
                    str(out), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    said = " ".join(run.stdout.split())
    assert ("wave 2025-05: the file has no wave and --wave was not given, so the wave is the month of the median "
            "completion time in column 'Completion time' (14 responses, 2025-05-12 … 2025-05-12)") in said
    prov = json.loads(out.with_name("forms.provenance.json").read_text(encoding="utf-8"))
    assert prov["wave"]["from"] == "completion times" and prov["wave"]["label"] == "2025-05"


def test_a_usage_error_of_any_command_is_clicks_message_and_exit_2(tmp_path):
    """Typer's own copy of click raises usage errors click's classes do not catch (a traceback, exit 1)."""
    for args in (["run", "--kommune", "707", "825"], ["run", "--bogus"], ["export", "--nonsense", "1"]):
        run = fundament(*args, cwd=tmp_path)
        assert run.returncode == 2, (args, run.stderr)
        assert "Traceback" not in run.stderr and "Error:" in run.stderr and "--help" in run.stderr
    run = fundament("run", "--kommune", "707", "825", cwd=tmp_path)
    assert "Give --kommune once per kommune" in run.stderr
