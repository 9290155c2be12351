"""Names that become file paths are plain names, and nothing is written outside the folder a user named.

Issue 14, item 1: a framework file with ``id: ../../zzpt`` given to ``fundament instrument
--out DIR/a/b/c`` used to write ``DIR/a/zzpt_*``, then crash on the XLSX sheet title.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fundament_lib.core.errors import FrameworkError
from fundament_lib.core.paths import frameworks_dir
from fundament_lib.core.safe_names import UnsafeNameError, check_name, child, inside
from fundament_lib.framework import instrument, load_framework


def _framework_file(folder: Path, framework_id: str) -> Path:
    raw = yaml.safe_load((frameworks_dir() / "fundament2024.yaml").read_text(encoding="utf-8"))
    raw["id"] = framework_id
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("framework_id", ["../../zzpt", "a/b", "ABSOLUTE"])
def test_instrument_refuses_a_framework_id_that_is_not_a_plain_name(tmp_path, framework_id):
    if framework_id == "ABSOLUTE":
        framework_id = str(tmp_path / "elsewhere" / "zzpt")
    source = _framework_file(tmp_path, framework_id)
    out = tmp_path / "DIR" / "a" / "b" / "c"
    res = subprocess.run([sys.executable, "-m", "fundament_lib.cli.main", "instrument", "--framework", str(source),
                          "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr
    assert "hostile.yaml" in lines[0] and "framework id" in lines[0] and "cannot be used in a file name" in lines[0]
    assert _files(tmp_path) == ["hostile.yaml"]  # nothing written, inside --out or anywhere else


@pytest.mark.parametrize("framework_id", ["..", ".hidden", "zz pt", "zz\x00pt", "æøå", "x" * 65])
def test_a_framework_file_whose_id_is_not_a_plain_name_does_not_load(tmp_path, framework_id):
    with pytest.raises(FrameworkError, match=r"hostile\.yaml: .* at id: .*cannot be used in a file name"):
        load_framework(_framework_file(tmp_path, framework_id))


def test_a_plain_framework_id_still_writes_its_instrument(tmp_path):
    source = _framework_file(tmp_path, "kommune-test_2026.1")
    written = instrument.write_instrument(load_framework(source), tmp_path / "out")
    assert sorted(p.name for p in written.values()) == [
        "kommune-test_2026.1_codebook.csv", "kommune-test_2026.1_codebook.xlsx",
        "kommune-test_2026.1_questionnaire.html"]
    assert all(p.parent == tmp_path / "out" for p in written.values())


def test_a_framework_id_given_by_name_is_checked_before_any_file_is_read(tmp_path):
    with pytest.raises(FrameworkError, match=r"framework id '\.\./\.\./etc/zzpt' cannot be used in a file name"):
        load_framework("../../etc/zzpt")


def test_instrument_writes_nothing_when_one_file_cannot_be_built(tmp_path, fw, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("the workbook cannot be built")

    monkeypatch.setattr(instrument, "codebook_xlsx_bytes", broken)
    with pytest.raises(ValueError, match="cannot be built"):
        instrument.write_instrument(fw, tmp_path / "out")
    assert _files(tmp_path) == []


def test_check_name_accepts_plain_names_only():
    for good in ("707", "fundament2024", "mere-ledelse_2023", "v1.2", "A"):
        assert check_name(good, what="navn") == good
    for bad in ("", ".", "..", "../x", "a/b", "a\\b", "/abs", "~", "a..b", "a.", " a", "a b", "a\nb", "101²",
                "a" * 65, None, 707):
        with pytest.raises(UnsafeNameError, match=r"navn .* cannot be used in a file name"):
            check_name(bad, what="navn")


def test_inside_resolves_before_it_compares(tmp_path):
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "link").symlink_to(tmp_path, target_is_directory=True)  # a symbolic link out of the folder
    assert inside(out, out / "sub" / "x.csv") == out / "sub" / "x.csv"
    assert child(out, "707", what="kommune code") == out / "707"
    for escape in (out / ".." / "x.csv", out / "link" / "x.csv", Path("/etc/passwd")):
        with pytest.raises(UnsafeNameError, match="would be written outside"):
            inside(out, escape)
