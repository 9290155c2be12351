"""Every export format round-trips: demo data → a tool's export → ``ingest`` → the same scores as the long file.

The fixtures are written by ``tests/fixtures/ingest/make_fixtures.py`` from seeded demo data
(Norddjurs, 707, wave 2025, 14 respondents per group).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from fundament_lib.analysis.scoring import respondent_scores, score_table
from fundament_lib.core.errors import DataValidationError
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.framework import Framework, load_framework
from fundament_lib.framework.instrument import write_instrument
from fundament_lib.ingest import detect_format, ingest, write_ingested
from fundament_lib.ingest.tidy_files import read_tidy

FIX = Path(__file__).parent / "fixtures" / "ingest"
AS_707 = {"kommune": "707", "wave": "2025"}


def scores(tidy: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    table = score_table(respondent_scores(tidy, fw), fw)
    return table.sort_values(["kommunekode", "wave", "id", "group"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(fw: Framework) -> pd.DataFrame:
    return ingest(FIX / "long_707.csv").data


@pytest.mark.parametrize(("frontline", "staff"), [
    (("forms_707_borgernaer_da.xlsx", {}), ("forms_707_stab_en.xlsx", {})),
    (("surveyxact_707_borgernaer.xlsx", {}), ("surveyxact_707_stab_utf16", {})),
    (("forms_707_borgernaer_custom.xlsx", {"codebook": FIX / "codebook_707_edited.csv"}),
     ("surveyxact_707_stab_ansi/dataset.csv", {})),
])
def test_one_export_per_group_gives_the_scores_of_the_long_file(fw, reference, frontline, staff):
    parts = [ingest(FIX / name, group=group, **AS_707, **extra).data
             for (name, extra), group in ((frontline, "borgernaer"), (staff, "stab"))]
    combined = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(scores(combined, fw), scores(reference, fw))
    assert combined["respondent_id"].nunique() == reference["respondent_id"].nunique() == 28


@pytest.mark.parametrize("name", ["wide_707_cp1252.csv", "wide_707.xlsx"])
def test_wide_csv_and_xlsx_give_the_scores_of_the_long_file(fw, reference, name):
    result = ingest(FIX / name)
    pd.testing.assert_frame_equal(scores(result.data, fw), scores(reference, fw))
    share = result.data.loc[result.data["item_id"] == "BURDEN.share", "value"].dropna()
    assert len(share) > 0 and share.between(0, 100).all()  # "45,0" read with a decimal comma


def test_instrument_codebook_drives_the_loader(fw, reference, tmp_path):
    """instrument → codebook file → ingest --codebook gives the same scores."""
    paths = write_instrument(fw, tmp_path)
    parts = [ingest(FIX / name, group=group, codebook=paths[key], **AS_707).data
             for name, group, key in (("forms_707_borgernaer_da.xlsx", "borgernaer", "codebook_xlsx"),
                                      ("forms_707_stab_en.xlsx", "stab", "codebook_csv"))]
    pd.testing.assert_frame_equal(scores(pd.concat(parts), fw), scores(reference, fw))


@pytest.mark.parametrize(("name", "expected"), [
    ("long_707.csv", "long"), ("wide_707_cp1252.csv", "wide"), ("wide_707.xlsx", "wide"),
    ("forms_707_borgernaer_da.xlsx", "forms"), ("forms_707_stab_en.xlsx", "forms"),
    ("surveyxact_707_borgernaer.xlsx", "surveyxact"), ("surveyxact_707_stab_utf16", "surveyxact"),
    ("surveyxact_707_stab_ansi/labels.csv", "surveyxact"),
])
def test_format_is_detected(name, expected):
    assert detect_format(FIX / name)[0] == expected


def test_forms_never_carries_email_or_name_and_notes_an_anonymous_form(tmp_path):
    result = ingest(FIX / "forms_707_borgernaer_da.xlsx", group="borgernaer", **AS_707)
    prov = result.provenance
    assert prov["ignored_columns"]["Mail"].startswith("personal data")
    assert prov["ignored_columns"]["Navn"].startswith("personal data")
    assert prov["anonymous_form"] is True
    written = write_ingested(result, tmp_path / "forms.parquet")
    assert b"anonymous" not in written["data"].read_bytes()
    assert '"anonymous"' not in written["provenance"].read_text(encoding="utf-8")  # no e-mail value


def test_forms_matches_statement_alone_and_question_dot_statement():
    prov = ingest(FIX / "forms_707_borgernaer_da.xlsx", group="borgernaer", **AS_707).provenance
    by_item = {item: header for header, item in prov["columns"].items()}
    assert by_item["P1.1.1"].startswith("Stabs- og støttefunktionerne")        # statement alone
    assert by_item["P1.2.1"].startswith("P1.2 Samstemte stabs- og støttefunktioner.")  # Question.Statement
    assert by_item["ROLE.hr.raad"].endswith("rolle i forhold til at …?.rådgive på problemer")
    assert set(prov["choice_columns"][next(iter(prov["choice_columns"]))]) == {
        "BURDEN.admin", "BURDEN.it", "BURDEN.indkob", "BURDEN.teknisk", "BURDEN.arbejdsdeling"}


def test_forms_maps_a_kommunes_own_label_wording(reference):
    """The staff export says "Meget enig", "Enig", "Afgørende" … instead of the codebook's labels."""
    data = ingest(FIX / "forms_707_stab_en.xlsx", group="stab", **AS_707).data
    ref = reference[reference["group"] == "stab"]
    # compared as text: each file's categorical columns list only the items and statuses it holds
    counts = [frame.astype({"item_id": str, "status": str}).groupby(["item_id", "status"]).size()
              for frame in (data, ref)]
    pd.testing.assert_series_equal(*counts)


def test_surveyxact_knows_ved_ikke_by_its_label_whatever_its_code(reference):
    data = ingest(FIX / "surveyxact_707_borgernaer.xlsx", group="borgernaer", **AS_707).data
    ref = reference[reference["group"] == "borgernaer"]
    for item in ("P1.2.1", "P1.1.1", "ROLE.jura.insp"):  # "Ved ikke" coded 1, 6 and 9
        got = data.loc[data["item_id"] == item, "status"].value_counts()
        want = ref.loc[ref["item_id"] == item, "status"].value_counts()
        pd.testing.assert_series_equal(got, want, check_names=False)
    assert set(data.loc[data["item_id"].str.match(r"P\d"), "value"].dropna()) <= {1, 2, 3, 4, 5}


def test_surveyxact_anonymous_export_gets_made_up_ids_said_in_the_provenance():
    result = ingest(FIX / "surveyxact_707_stab_utf16", group="stab", **AS_707)
    prov = result.provenance
    assert prov["respondent_ids"]["made_up"] is True
    assert "no respondent id column" in prov["respondent_ids"]["how"]
    assert result.data["respondent_id"].str.startswith("707-stab-2025-").all()
    assert prov["counts"]["not_responded"] == 2  # stato_2 (Distribueret): invited, never answered
    assert "Andet, skriv" in prov["ignored_columns"]["s_99"] or "free text" in prov["ignored_columns"]["s_99"]
    assert not result.data["text"].fillna("").str.contains("Kopiering").any()
    assert {f["path"].rsplit("/", 1)[-1] for f in prov["source"]["files"]} == {
        "dataset.csv", "structure.csv", "labels.csv"}


def test_surveyxact_csv_trio_in_utf16_tabs_and_in_windows_1252_semicolons_agree():
    a = ingest(FIX / "surveyxact_707_stab_utf16", group="stab", **AS_707)
    b = ingest(FIX / "surveyxact_707_stab_ansi", group="stab", **AS_707)
    read = {Path(k).name: v for k, v in b.provenance["read"]["files"].items()}
    assert read["labels.csv"] == {"encoding": "cp1252", "separator": "semicolon"}
    cols = ["item_id", "value", "status", "text", "stabsfunktion", "ledelsesniveau"]
    pd.testing.assert_frame_equal(a.data[cols], b.data[cols])


def test_provenance_names_source_hash_format_codebook_and_counts(tmp_path):
    path = FIX / "wide_707_cp1252.csv"
    result = ingest(path)
    written = write_ingested(result, tmp_path / "wide.parquet")
    assert written["provenance"].name == "wide.provenance.json"
    import json

    prov = json.loads(written["provenance"].read_text(encoding="utf-8"))
    assert prov["source"]["files"][0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert prov["format"] == "wide" and prov["format_detected"] is True
    assert prov["read"]["encoding"] == "cp1252" and prov["read"]["separator"] == "semicolon"
    assert prov["framework"] == {"id": "fundament2024", "version": "2024.1"}
    assert prov["counts"]["respondents"] == 28 and prov["dropped"] == []
    assert prov["output"]["rows"] == len(result.data)
    assert len(read_tidy(written["data"])) == len(result.data)


def test_the_second_framework_loads_through_the_same_path(tmp_path):
    fw = load_framework("mereledelse2023")
    survey = generate(DemoConfig(kommuner=("707",), fixed_size=12, second_wave_kommuner=()), fw)
    path = tmp_path / "mereledelse.csv"
    survey.wide.to_csv(path, sep=";", index=False)
    data = ingest(path, framework="mereledelse2023").data
    pd.testing.assert_frame_equal(scores(data, fw), scores(survey.tidy, fw))


def test_fixtures_are_what_the_script_writes(tmp_path, monkeypatch):
    """The committed fixtures are reproducible from seeded demo data (byte for byte)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", FIX / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    monkeypatch.setattr(module, "BAD", tmp_path / "bad")
    module.main()
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(FIX) for p in FIX.rglob("*") if p.is_file() and p.suffix != ".py"
                       and "__pycache__" not in p.parts)
    assert written == committed
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (FIX / rel).read_bytes(), rel


def _forms_with_headers(tmp_path: Path, rename) -> Path:
    """The Danish Forms fixture with some headers as a kommune wrote them (cells unchanged)."""
    import openpyxl

    book = openpyxl.load_workbook(FIX / "forms_707_borgernaer_da.xlsx")
    sheet = book.active
    assert sheet is not None
    for cell in sheet[1]:
        cell.value = rename(str(cell.value))
    path = tmp_path / "forms.xlsx"
    book.save(path)
    return path


def test_forms_matrix_rows_that_are_theme_titles_match_their_items(fw, tmp_path):
    """A kommune's own importance question whose rows are the themes' titles ("Sikker drift" is two words)."""
    own = "Hvor vigtige er disse temaer for jer?"
    path = _forms_with_headers(tmp_path, lambda h: h.replace(
        "Hvor vigtigt er det for kommunen at styrke dette tema i de kommende år: …?.", own + "."))
    prov = ingest(path, group="borgernaer", **AS_707).provenance
    by_item = {item: header for header, item in prov["columns"].items()}
    assert {by_item[fw.importance_id(t.id)] for t in fw.themes()} == {f"{own}.{t.title}" for t in fw.themes()}


def test_a_short_row_without_a_separator_in_front_is_not_matched(tmp_path):
    """ "… om sikker drift" merely ends with a theme's title: only a row after a separator (".", " - ", ":") counts."""
    path = _forms_with_headers(tmp_path, lambda h: "Vi taler om sikker drift" if h.endswith("?.Sikker drift") else h)
    with pytest.raises(DataValidationError) as info:
        ingest(path, group="borgernaer", **AS_707)
    assert [p.column for p in info.value.problems] == ["Vi taler om sikker drift"]


def test_a_refused_column_says_which_codebook_row_it_came_closest_to(tmp_path):
    header = "Kommunen udnytter sine systemer godt"  # the kommune's rewording of P1.5.2
    path = _forms_with_headers(tmp_path, lambda h: header if h.startswith("Kommunen udnytter") else h)
    with pytest.raises(DataValidationError) as info:
        ingest(path, group="borgernaer", **AS_707)
    [problem] = info.value.problems
    assert problem.column == header
    assert problem.message == ("column is not in the codebook — did you mean P1.5.2 ('Kommunen udnytter de "
                               "systemer, den allerede har, godt.')? If it is that item, add the header to the "
                               "item's aliases in the codebook and pass --codebook")


def test_a_forms_export_without_wave_takes_the_month_of_its_completion_times(tmp_path):
    result = ingest(FIX / "forms_707_stab_en.xlsx", kommune="707", group="stab")
    assert set(result.data["wave"]) == {"2025-05"}
    assert result.provenance["wave"] == {"label": "2025-05", "from": "completion times", "column": "Completion time",
                                         "rule": "year-month of the median completion time", "responses": 14,
                                         "first": "2025-05-12", "last": "2025-05-12"}
    given = ingest(FIX / "forms_707_stab_en.xlsx", kommune="707", group="stab", wave="2025")
    assert set(given.data["wave"]) == {"2025"} and given.provenance["wave"] == {"label": "2025", "from": "--wave"}
    assert ingest(FIX / "wide_707.xlsx").provenance["wave"] == {"from": "column 'wave'"}
