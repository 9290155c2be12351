"""Real SurveyXact exports (``tests/fixtures/real_exports/``, MIT, sources in each ``SOURCE.txt``) load — or are
refused — as issue 12 says, and the answers equal the export's own codes mapped through its own labels.

References: the readSX package's test (``SOURCE.txt``) gives the counts of ``i_10`` (300, 35, 22, 18 and 624 NA);
the SDU workbook's ``Complete`` sheet holds the same answers as text. Everything else is read back here with plain
pandas/openpyxl, independently of the loader.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fundament_lib.core.errors import DataFileError, DataValidationError
from fundament_lib.ingest import ingest, write_ingested
from fundament_lib.ingest.answers import NUMBER_LABEL, SCALE_POINTS, UNKNOWN_LABEL
from fundament_lib.ingest.assemble import FEW_MATCH, NOTHING_LEFT
from fundament_lib.ingest.load import detect_format
from fundament_lib.ingest.surveyxact import NO_TEXTS, NOT_AN_ID
from fundament_lib.ingest.tidy_files import SAME_SOURCE, read_tidy

REAL = Path(__file__).parent / "fixtures" / "real_exports"
SX = REAL / "readsx_ex_survey2"
SDU = REAL / "sdu_surveyxact_demo"
FULL_LAYOUTS = ["ex_survey2.xlsx", "ex_survey2_semicolon_ansi", "ex_survey2_comma_ansi", "ex_survey2_tab_utf16"]
SUBSET_LAYOUTS = ["ex_survey2_{name}.xlsx", "semicolon_ansi", "comma_ansi_with_background", "tab_utf16"]
SCALES = {"up": ["Helt uenig", "Uenig", "Enig", "Helt enig"], "i": ["I liten grad", "2", "3", "I stor grad"]}
AS_707 = {"kommune": "707", "group": "borgernaer", "wave": "2025"}


def _subset(name: str, layout: str) -> Path:
    return SX / "derived" / name / layout.format(name=name)


def _codebook(tmp_path: Path, name: str, *, best_first: bool = False, labels: list[str] | None = None) -> Path:
    """The shipped codebook with the survey's own 4-point labels for the mapped items — the fix the message asks
    for (numbered best-first if asked: the labels, not the codes, say which end is best)."""
    table = pd.read_csv(SX / "derived" / f"codebook_{name}.csv", sep=";", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")
    points = list(labels or SCALES[name])
    if best_first:
        points.reverse()
    mapped = pd.read_csv(SX / "derived" / f"mapping_{name}.csv", sep=";", dtype=str)["item_id"]
    table.loc[table["item_id"].isin(mapped), "labels"] = " | ".join(
        f"{k}={label}" for k, label in enumerate(points, 1)) + " | Ved ikke"
    path = tmp_path / f"codebook_{name}{'_best_first' if best_first else ''}.csv"
    table.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


def _reference(name: str) -> pd.DataFrame:
    """Independently of the loader: every answered code of the subset as its position on the survey's own scale
    (worst = 1), by file row. The scale's order comes from the export's labels, its numbering from nowhere else."""
    folder = SX / "derived" / name / "semicolon_ansi"
    data = pd.read_csv(folder / "dataset.csv", sep=";", dtype=str, encoding="cp1252")
    labels = pd.read_csv(folder / "labels.csv", sep=";", dtype=str, encoding="cp1252", header=None,
                         names=["variable", "code", "label"])
    mapping = pd.read_csv(SX / "derived" / f"mapping_{name}.csv", sep=";", dtype=str)
    never = (data["stato_1"] == "1") | (data["stato_2"] == "1")
    rows = []
    for variable, item in zip(mapping["variable"], mapping["item_id"], strict=True):
        own = labels[labels["variable"] == variable].set_index("code")["label"].str.strip()
        position = {code: SCALES[name].index(label) + 1 for code, label in own.items()}
        answered = data[variable].notna() & ~never
        rows.append(pd.DataFrame({"row": data.index[answered] + 2, "item_id": item,
                                  "value": data.loc[answered, variable].map(position).astype(float)}))
    return pd.concat(rows, ignore_index=True).sort_values(["row", "item_id"]).reset_index(drop=True)


def _answers(tidy: pd.DataFrame) -> pd.DataFrame:
    answered = tidy[tidy["status"] == "svar"]
    out = pd.DataFrame({"row": answered["respondent_id"].str.extract(r"-r(\d+)$")[0].astype(int).to_numpy(),
                        "item_id": answered["item_id"].astype(str).to_numpy(),
                        "value": answered["value"].to_numpy()})
    return out.sort_values(["row", "item_id"]).reset_index(drop=True)


def test_the_copies_are_byte_identical_to_their_sources():
    listed = dict(line.split("  ", 1)[::-1] for line in (SX / "ORIGINAL_SHA256.txt").read_text().splitlines())
    for rel, digest in listed.items():
        if "(before redaction)" in rel:
            continue
        assert hashlib.sha256((SX / rel).read_bytes()).hexdigest() == digest, rel
    redacted = re.search(r"now\s+([0-9a-f]{64})", (SX / "SOURCE.txt").read_text()).group(1)
    assert hashlib.sha256((SX / "ex_survey2_comma_ansi" / "dataset.csv").read_bytes()).hexdigest() == redacted
    sdu = re.search(r"sha256\s*:\s*([0-9a-f]{64})", (SDU / "SOURCE.txt").read_text()).group(1)
    assert hashlib.sha256((SDU / "dataset.xlsx").read_bytes()).hexdigest() == sdu
    for folder in (SX, SDU):
        assert {"SOURCE.txt", "LICENSE", "LICENSE.md"} <= {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("layout", FULL_LAYOUTS)
def test_every_full_layout_is_detected_and_gives_the_readsx_reference_counts(tmp_path, layout):
    """The whole export (231 questions, 999 invitations) with the i-items' codebook: strict names the likely cause
    (few columns match) and refuses; lenient loads the 18 items and i_10 has readSX's counts."""
    assert detect_format(SX / layout)[0] == "surveyxact"
    codebook = _codebook(tmp_path, "i")
    if layout == "ex_survey2_semicolon_ansi":
        with pytest.raises(DataValidationError) as info:
            ingest(SX / layout, codebook=codebook, **AS_707)
        assert info.value.problems[0].message == FEW_MATCH.format(k=18, n=231, fw="fundament2024")
    result = ingest(SX / layout, codebook=codebook, strict=False, **AS_707)
    i10 = result.data[result.data["item_id"] == "ROLE.hr.forst"]
    counts = i10["value"].value_counts().sort_index()
    assert counts.to_dict() == {1.0: 300, 2.0: 35, 3.0: 22, 4.0: 18}
    assert 999 - int(counts.sum()) == 624  # NA: never answered, answered nothing of these, or skipped i_10
    prov = result.provenance
    assert prov["counts"]["not_responded"] == 574 and prov["counts"]["respondents"] == 392
    assert prov["few_match"].startswith("only 18 of 231 question columns match")
    assert prov["scales"]["ROLE.hr.forst"]["column"] == "i_10"
    if layout == "ex_survey2_comma_ansi":  # the respondent list's columns: names and e-mails never carried
        assert {"email", "forn", "ettern", "id", "orgnr"} <= set(prov["ignored_columns"])
        assert prov["respondent_ids"]["made_up"] is True
        written = write_ingested(result, tmp_path / "full.parquet")
        for path in written.values():
            assert not re.search(rb"example\.invalid|Fornavn|Etternavn|Strinda", path.read_bytes())


@pytest.mark.parametrize("name", ["up", "i"])
@pytest.mark.parametrize("layout", SUBSET_LAYOUTS)
def test_subsets_give_the_exports_own_codes_mapped_through_its_labels(tmp_path, name, layout):
    result = ingest(_subset(name, layout), codebook=_codebook(tmp_path, name), **AS_707)
    pd.testing.assert_frame_equal(_answers(result.data), _reference(name))
    assert set(result.data["points"]) == {4}
    if layout.startswith("comma"):  # "id" of the respondent list holds the pupil's school (an Open question)
        assert "free text" in result.provenance["ignored_columns"]["id"]
        assert result.provenance["respondent_ids"]["made_up"] is True
    scale = result.provenance["scales"]["P1.1.1" if name == "up" else "ROLE.oko.kontrol"]
    assert scale == {"column": f"{name}_01", "points": 4, "labels_worst_to_best": SCALES[name],
                     "numbered": "worst-first", "from": "codebook", "codes_reversed": False}


@pytest.mark.parametrize("name", ["up", "i"])
def test_a_best_first_codebook_gives_the_same_values(tmp_path, name):
    result = ingest(_subset(name, "tab_utf16"), codebook=_codebook(tmp_path, name, best_first=True), **AS_707)
    pd.testing.assert_frame_equal(_answers(result.data), _reference(name))
    assert {s["numbered"] for s in result.provenance["scales"].values()} == {"best-first"}


@pytest.mark.parametrize("name", ["up", "i"])
def test_the_shipped_five_point_codebook_is_refused_naming_item_column_and_both_scales(name):
    """A 4-point export is never put on positions of the codebook's 5 points: strict refuses every column, lenient
    drops them all (and so has nothing left)."""
    codebook = SX / "derived" / f"codebook_{name}.csv"
    with pytest.raises(DataValidationError) as info:
        ingest(_subset(name, "semicolon_ansi"), codebook=codebook, **AS_707)
    problems = info.value.problems
    assert {p.message for p in problems} == {SCALE_POINTS} and len(problems) == (14 if name == "up" else 18)
    first = problems[0]
    assert first.column == f"{name}_01"
    found = " | ".join(f"{k}={label}" for k, label in enumerate(SCALES[name], 1))
    item = "P1.1.1" if name == "up" else "ROLE.oko.kontrol"
    assert first.value.startswith(f"{item} · export: {found} (4 points) · codebook: 1=")
    assert first.value.endswith("| Ved ikke (5 points)")
    assert "write the survey's own labels into the codebook's labels column" in str(first)
    with pytest.raises(DataValidationError) as info:
        ingest(_subset(name, "semicolon_ansi"), codebook=codebook, strict=False, **AS_707)
    assert info.value.problems[0].message == NOTHING_LEFT


def test_a_label_that_is_only_a_number_or_unknown_is_refused_naming_label_and_code(tmp_path):
    """i_01 … i_18 are labelled 1='I liten grad', 2='2', 3='3', 4='I stor grad'."""
    words = _codebook(tmp_path, "i", labels=["I liten grad", "I lav grad", "I høj grad", "I stor grad"])
    with pytest.raises(DataValidationError) as info:
        ingest(_subset("i", "semicolon_ansi"), codebook=words, **AS_707)
    first = [p for p in info.value.problems if p.column == "i_10"]
    assert [(p.message, p.value.split(" · ")[1]) for p in first] == [
        (NUMBER_LABEL, "label '2' (code 2)"), (NUMBER_LABEL, "label '3' (code 3)")]
    other = _codebook(tmp_path, "i", labels=["I ringe grad", "2", "3", "I stor grad"])
    with pytest.raises(DataValidationError) as info:
        ingest(_subset("i", "semicolon_ansi"), codebook=other, **AS_707)
    first = [p for p in info.value.problems if p.column == "i_10"]
    assert [(p.message, p.value.split(" · ")[1]) for p in first] == [(UNKNOWN_LABEL, "label 'I liten grad' (code 1)")]


def test_lenient_drops_the_columns_it_cannot_read_whole_and_keeps_the_others(tmp_path):
    """Half the items' codebook rows keep the framework's five points: those columns go whole, listed."""
    codebook = _codebook(tmp_path, "up")
    table = pd.read_csv(codebook, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    framework = pd.read_csv(SX / "derived" / "codebook_up.csv", sep=";", dtype=str, keep_default_na=False,
                            encoding="utf-8-sig").set_index("item_id")["labels"]
    five = ["P1.1.2", "P1.3.1"]
    table.loc[table["item_id"].isin(five), "labels"] = table.loc[table["item_id"].isin(five), "item_id"].map(framework)
    table.to_csv(codebook, sep=";", index=False, encoding="utf-8-sig")
    result = ingest(_subset("up", "semicolon_ansi"), codebook=codebook, strict=False, **AS_707)
    assert {(r["column"], r["reason"], r["dropped"]) for r in result.provenance["dropped"]} == {
        ("up_02", SCALE_POINTS, "column"), ("up_08", SCALE_POINTS, "column")}
    assert not set(result.data["item_id"]) & set(five)
    reference = _reference("up")
    pd.testing.assert_frame_equal(_answers(result.data),
                                  reference[~reference["item_id"].isin(five)].reset_index(drop=True))


def test_anonymous_identical_answers_are_kept_and_the_same_export_twice_is_refused(tmp_path):
    """Rows 541, 962 and 996 of the up-subset repeat earlier pupils' answers: different pupils, all kept."""
    result = ingest(_subset("up", "semicolon_ansi"), codebook=_codebook(tmp_path, "up"), **AS_707)
    data = pd.read_csv(_subset("up", "semicolon_ansi") / "dataset.csv", sep=";", dtype=str)
    answered = data.filter(like="up_").notna().any(axis=1) & (data["stato_2"] != "1") & (data["stato_1"] != "1")
    assert result.provenance["counts"]["respondents"] == int(answered.sum()) == 344
    assert result.provenance["respondent_ids"]["identical_answer_patterns"] == 3
    rows = set(result.data["respondent_id"].str.extract(r"-r(\d+)$")[0].astype(int))
    assert {541, 962, 996} <= rows
    for name in ("a.parquet", "b.parquet"):
        write_ingested(result, tmp_path / "processed" / name)
    with pytest.raises(DataValidationError, match="ingested from the same export as another file") as info:
        read_tidy(tmp_path / "processed")
    assert {p.message for p in info.value.problems} == {SAME_SOURCE}


SDU_ITEMS = {"s_6": "P1.2.1", "s_7": "P1.2.2", "s_8": "P1.2.3"}
SDU_SCALE = ["Low (1)", "(2)", "Medium (3)", "(4)", "High (5)"]


@pytest.mark.parametrize("name", ["dataset.xlsx", "derived_without_structure.xlsx"])
def test_the_sdu_workbook_with_or_without_structure_agrees_with_its_complete_sheet(name):
    """Codes stored as 1.0; the Variables sheet carries the texts when Structure is missing; the three questions
    the codebook does not map refuse the file in strict mode and are dropped (listed) in lenient mode."""
    assert detect_format(SDU / name)[0] == "surveyxact"
    codebook = SDU / "codebook_demo.csv"
    with pytest.raises(DataValidationError) as info:
        ingest(SDU / name, codebook=codebook, **AS_707)
    assert {p.column for p in info.value.problems} == {"s_1", "s_2_1", "s_2_2", "s_2_3"}
    result = ingest(SDU / name, codebook=codebook, strict=False, **AS_707)
    with warnings.catch_warnings():  # "no default style"; read_only mode would see one column only (no dimension)
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(SDU / "dataset.xlsx")
    complete = list(book["Complete"].iter_rows(values_only=True))
    variables = {r[0]: r[1] for r in book["Variables"].iter_rows(min_row=2, values_only=True)}
    expected = pd.DataFrame([{"row": k, "item_id": item, "value": float(SDU_SCALE.index(answer[complete[0].index(
        variables[var])]) + 1)} for k, answer in enumerate(complete[1:], 2) for var, item in SDU_ITEMS.items()])
    pd.testing.assert_frame_equal(_answers(result.data), expected.sort_values(["row", "item_id"]).reset_index(
        drop=True))
    prov = result.provenance
    assert prov["counts"]["respondents"] == 3 and prov["counts"]["not_responded"] == 0
    assert "free text" in prov["ignored_columns"]["s_3"]
    assert {r["column"] for r in prov["dropped"]} == {"s_1", "s_2_1", "s_2_2", "s_2_3"}
    assert prov["scales"]["P1.2.1"]["labels_worst_to_best"] == SDU_SCALE


def test_a_workbook_with_labels_and_dataset_only_is_refused_never_read_as_a_wide_file(tmp_path):
    book = openpyxl.load_workbook(SDU / "derived_without_structure.xlsx")
    del book["Variables"]
    path = tmp_path / "no_texts.xlsx"
    book.save(path)
    assert detect_format(path)[0] == "surveyxact"
    with pytest.raises(DataFileError, match=re.escape(NO_TEXTS)):
        ingest(path, codebook=SDU / "codebook_demo.csv", **AS_707)


def test_the_cli_loads_the_sdu_workbook_without_a_third_party_warning(tmp_path):
    from test_ingest_cli import fundament

    out = tmp_path / "sdu.parquet"
    run = fundament("ingest", str(SDU / "dataset.xlsx"), "--codebook", str(SDU / "codebook_demo.csv"), "--kommune",
                    "707", "--group", "borgernaer", "--wave", "2018", "--lenient", "--out", str(out), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr and "warn(" not in run.stderr
    assert [line.split("'")[1] for line in run.stderr.splitlines() if line.startswith("dropped column")] == [
        "s_1", "s_2_1", "s_2_2", "s_2_3"]
    assert "scale: 3 item(s) asked on 5 points (codebook), worst → best: Low (1) | (2) | Medium (3) | (4) | High (5)" \
        in " ".join(run.stdout.split())
    assert json.loads(out.with_name("sdu.provenance.json").read_text(encoding="utf-8"))["demo"] is False


def test_statoverall_and_status_columns_drop_invitations_never_answered(tmp_path):
    """One ``statoverall`` column (1 Ny … 5 Frafaldet) instead of the dummies does the same job."""
    import shutil

    folder = tmp_path / "sx"
    shutil.copytree(_subset("up", "semicolon_ansi"), folder)
    data = pd.read_csv(folder / "dataset.csv", sep=";", dtype=str, encoding="cp1252")
    status = data.filter(like="stato_").astype(int).to_numpy().argmax(axis=1) + 1
    data = data.drop(columns=[c for c in data.columns if c.startswith("stato_")]).assign(statoverall=status)
    data.to_csv(folder / "dataset.csv", sep=";", index=False, encoding="cp1252")
    result = ingest(folder, codebook=_codebook(tmp_path, "up"), **AS_707)
    assert result.provenance["counts"]["not_responded"] == 574
    pd.testing.assert_frame_equal(_answers(result.data), _reference("up"))


def test_a_respondent_list_id_that_rows_share_is_not_used_as_the_respondent_id(tmp_path):
    """Without its Structure row, 'id' (the pupil's school) looks like a respondent id: 9 values for 344 pupils."""
    import shutil

    folder = tmp_path / "sx"
    shutil.copytree(_subset("up", "comma_ansi_with_background"), folder)
    lines = (folder / "structure.csv").read_bytes().split(b"\n")
    (folder / "structure.csv").write_bytes(b"\n".join(line for line in lines if not line.startswith(b"id,")))
    result = ingest(folder, codebook=_codebook(tmp_path, "up"), **AS_707)
    assert result.provenance["ignored_columns"]["id"] == NOT_AN_ID
    assert result.provenance["respondent_ids"]["made_up"] is True
    pd.testing.assert_frame_equal(_answers(result.data), _reference("up"))
