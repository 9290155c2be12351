"""Bad input: the documented message, every problem at once, strict refuses, lenient drops exactly the bad cells."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from fundament_lib.core.errors import (
    DataFileError,
    DataValidationError,
    FundamentError,
    UnknownKommuneError,
)
from fundament_lib.ingest import ingest, write_ingested
from fundament_lib.ingest.assemble import NO_WAVE
from fundament_lib.ingest.columns import COLUMN_DROPPED
from fundament_lib.ingest.tidy_files import read_tidy

FIX = Path(__file__).parent / "fixtures" / "ingest"
BAD = FIX / "bad"

# The table in docs/ingest.md, checked here: fixture → (error type, message).
MALFORMED = [
    ("wrong_encoding.csv", DataFileError, r"wrong encoding — row 2 holds 'Ã¦'.*mojibake"),
    ("merged_header.xlsx", DataFileError, r"row 1 is not a single header row.*merged cells A1:H1"),
    ("text_in_numeric.csv", DataValidationError,
     r"row 3, column 'BURDEN.share': answer is neither a number nor a label of the scale.*'cirka halvdelen'"),
    ("out_of_range.csv", DataValidationError, r"row 5, column 'P1.1.1': answer outside the scale .*'7'"),
    ("empty.csv", DataFileError, r"the file is empty: no header row and no answers"),
    ("only_header.csv", DataFileError, r"the file has a header row but no answers"),
]


@pytest.mark.parametrize(("name", "kind", "message"), MALFORMED)
def test_malformed_fixture_gives_the_documented_message(name, kind, message):
    with pytest.raises(kind, match=message) as info:
        ingest(BAD / name)
    assert str(BAD / name) in str(info.value)


def test_docs_list_every_malformed_message():
    docs = (Path(__file__).resolve().parents[1] / "docs" / "ingest.md").read_text(encoding="utf-8")
    for name, _, _ in MALFORMED:
        assert f"`bad/{name}`" in docs, name


def _wide(tmp_path: Path, mutate: Callable[[pd.DataFrame], None], name: str = "wide.csv") -> Path:
    df = pd.read_csv(FIX / "wide_707_cp1252.csv", sep=";", dtype=str, encoding="cp1252",
                     keep_default_na=False)
    mutate(df)
    path = tmp_path / name
    path.write_text(df.to_csv(sep=";", index=False), encoding="utf-8")
    return path


def test_all_problems_at_once_with_file_row_column_value(tmp_path):
    def spoil(df):
        df.loc[0, "P1.1.1"] = "9"
        df.loc[3, "P2.1.2"] = "måske"
        df.loc[5, "kommunekode"] = "999"
        df.loc[7, "group"] = "elever"

    with pytest.raises(DataValidationError) as info:
        ingest(_wide(tmp_path, spoil))
    found = {(p.row, p.column, str(p.value)) for p in info.value.problems}
    assert found == {(2, "P1.1.1", "9"), (5, "P2.1.2", "måske"), (7, "kommunekode", "999"),
                     (9, "group", "elever")}
    assert "4 problem(s) in 4 kind(s)" in str(info.value)


@pytest.mark.parametrize(("column", "what"), [("kommunekode", "kommune"), ("group", "respondent group"),
                                              ("wave", "wave"), ("respondent_id", "respondent id")])
def test_a_blank_respondent_cell_says_it_is_blank(tmp_path, column, what):
    def spoil(df):
        df.loc[2, column] = ""

    with pytest.raises(DataValidationError) as info:
        ingest(_wide(tmp_path, spoil))
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (4, column)
    assert f"row 4, column '{column}': blank: every respondent needs a {what}" in str(info.value)


def test_lenient_drops_a_likert_column_whole_and_a_number_cell_alone():
    """'meget' is no label of P1.2.1's scale: dropping only that answer would shift the item, so the column goes;
    'cirka halvdelen' in the share of the week (a number) goes alone."""
    strict = ingest(FIX / "wide_707_cp1252.csv").data
    result = ingest(BAD / "text_in_numeric.csv", strict=False)
    records = {(r["column"], r["dropped"]): r for r in result.provenance["dropped"]}
    assert set(records) == {("BURDEN.share", "cell"), ("P1.2.1", "column")}
    assert (records[("BURDEN.share", "cell")]["row"], records[("BURDEN.share", "cell")]["value"]) == (
        3, "cirka halvdelen")
    column = records[("P1.2.1", "column")]
    assert column["reason"] == COLUMN_DROPPED
    assert "P1.2.1 · 1 answer(s) it cannot read, e.g. meget" in column["value"] and column["row"] == 4
    assert result.provenance["counts"]["cells_dropped"] == 1
    assert result.provenance["counts"]["respondents"] == 6
    pairs = lambda df: set(zip(df["respondent_id"], df["item_id"], strict=True))  # noqa: E731
    kept = strict[strict["respondent_id"].isin(result.data["respondent_id"])]
    lost = pairs(kept) - pairs(result.data)
    assert {item for _, item in lost} == {"P1.2.1"}  # the whole item, for every respondent …
    assert "P1.2.1" not in set(result.data["item_id"])
    assert not pairs(result.data) - pairs(kept)  # … and nothing else (the share cell was a staff row's: not asked)


def test_lenient_drops_a_respondent_whose_kommune_is_unknown(tmp_path):
    path = _wide(tmp_path, lambda df: df.__setitem__("kommunekode", ["707"] * 27 + ["999"]))
    with pytest.raises(DataValidationError, match="unknown kommune code"):
        ingest(path)
    result = ingest(path, strict=False)
    assert result.provenance["counts"]["respondents"] == 27
    assert [(r["row"], r["column"], r["dropped"]) for r in result.provenance["dropped"]] == [
        (29, "kommunekode", "row")]


def test_kommune_by_name_and_codes_with_leading_zero_or_decimals(tmp_path):
    names = ["Norddjurs", "norddjurs kommune", "0707", "707.0"] * 7
    data = ingest(_wide(tmp_path, lambda df: df.__setitem__("kommunekode", names))).data
    assert set(data["kommunekode"]) == {"707"}


def test_options_supply_missing_columns_and_a_file_column_wins(tmp_path):
    path = _wide(tmp_path, lambda df: df.__delitem__("kommunekode") or df.__delitem__("wave"))
    with pytest.raises(DataValidationError) as info:
        ingest(path)
    messages = {p.message for p in info.value.problems}
    assert messages == {"the file has no kommune column: give it with --kommune", NO_WAVE}
    data = ingest(path, kommune="707", wave="2025").data
    assert set(data["kommunekode"]) == {"707"} and set(data["wave"]) == {"2025"}
    with pytest.raises(DataValidationError, match="conflicts with --group stab"):
        ingest(path, kommune="707", wave="2025", group="stab")  # the file has both groups
    with pytest.raises(DataValidationError, match="conflicts with --kommune 101"):
        ingest(FIX / "wide_707_cp1252.csv", kommune="101")
    assert len(ingest(FIX / "wide_707_cp1252.csv", kommune="707").data) > 0  # agreeing option is fine


def test_unknown_kommune_option_and_group_option_are_refused():
    with pytest.raises(UnknownKommuneError, match="unknown kommune code '999'"):
        ingest(FIX / "forms_707_stab_en.xlsx", kommune="999", group="stab", wave="2025")
    with pytest.raises(FundamentError, match="--group must be stab or borgernaer"):
        ingest(FIX / "forms_707_stab_en.xlsx", kommune="707", group="elever", wave="2025")


def test_duplicate_respondent_ids_within_a_file(tmp_path):
    def twice(df):
        df.loc[5, "respondent_id"] = df.loc[2, "respondent_id"]

    path = _wide(tmp_path, twice)
    with pytest.raises(DataValidationError, match="respondent id already used on an earlier row") as info:
        ingest(path)
    assert [(p.row, p.column) for p in info.value.problems] == [(7, "respondent_id")]
    result = ingest(path, strict=False)
    assert result.provenance["counts"]["respondents"] == 27


def test_identical_answers_without_ids_are_different_respondents(tmp_path):
    """An anonymous export cannot tell two people who answered alike apart: both are kept, and counted."""
    def copy_row(df):
        del df["respondent_id"]
        df.loc[9, [c for c in df.columns]] = df.loc[4].to_numpy()

    result = ingest(_wide(tmp_path, copy_row))
    assert result.provenance["counts"]["respondents"] == 28
    ids = result.provenance["respondent_ids"]
    assert ids["made_up"] is True and ids["identical_answer_patterns"] == 1
    assert "kept as different respondents" in ids["how"]
    rows = result.data.groupby("respondent_id", observed=True)["value"].apply(tuple)
    assert rows.duplicated().sum() == 1


def test_duplicates_across_files_are_reported_by_read_tidy(tmp_path):
    out = tmp_path / "processed"
    for name in ("a.parquet", "b.parquet"):
        write_ingested(ingest(FIX / "forms_707_stab_en.xlsx", kommune="707", group="stab", wave="2025"),
                       out / name)
    with pytest.raises(DataValidationError, match=r"ingested from the same export as another file") as info:
        read_tidy(out)
    assert [(Path(p.file).name, p.value) for p in info.value.problems] == [("b.parquet", "also the source of a.parquet")]
    (out / "b.parquet").unlink()
    # the same respondents from another file (the xlsx and the CSV of one survey): caught by their ids
    write_ingested(ingest(FIX / "wide_707.xlsx"), out / "b.parquet")
    write_ingested(ingest(FIX / "wide_707_cp1252.csv"), out / "c.parquet")
    with pytest.raises(DataValidationError, match=r"respondent id also in another file") as info:
        read_tidy([out / "b.parquet", out / "c.parquet"])
    assert "also in b.parquet" in str(info.value.problems[0].value)
    (out / "b.parquet").unlink()
    (out / "c.parquet").unlink()
    write_ingested(ingest(FIX / "forms_707_borgernaer_da.xlsx", kommune="707", group="borgernaer",
                          wave="2025"), out / "b.parquet")
    combined = read_tidy(out)
    assert set(combined["group"]) == {"stab", "borgernaer"}


def test_same_raw_ids_in_two_exports_do_not_collide(tmp_path):
    """Forms numbers responses 1, 2, 3 … in every form: the prefix keeps them apart, even for two forms
    of the same kommune, group and wave."""
    a = ingest(FIX / "forms_707_stab_en.xlsx", kommune="707", group="stab", wave="2025").data
    b = ingest(FIX / "forms_707_borgernaer_da.xlsx", kommune="707", group="borgernaer", wave="2025").data
    c = ingest(FIX / "forms_707_borgernaer_custom.xlsx", kommune="707", group="borgernaer", wave="2025",
               codebook=FIX / "codebook_707_edited.csv").data
    assert a["respondent_id"].str.fullmatch(r"707-stab-2025-[0-9a-f]{8}-\d+").all()
    assert not set(a["respondent_id"]) & set(b["respondent_id"])
    assert not set(b["respondent_id"]) & set(c["respondent_id"])
    wide = ingest(FIX / "wide_707.xlsx").data  # the file's own ids: only kommune, group and wave in front
    assert "707-stab-2025-707-S-2025-0001" in set(wide["respondent_id"])


def test_unknown_and_ambiguous_columns(tmp_path):
    def extra(df):
        df["Hvad synes du om kantinen?"] = "god"
        df["rådgive på problemer"] = "3"

    path = _wide(tmp_path, extra)
    with pytest.raises(DataValidationError) as info:
        ingest(path)
    by_column = {p.column: p.message for p in info.value.problems}
    assert by_column["Hvad synes du om kantinen?"] == "column is not in the codebook"
    assert by_column["rådgive på problemer"].startswith("column matches several items of the codebook (ROLE.")
    result = ingest(path, strict=False)
    assert {r["column"] for r in result.provenance["dropped"]} == set(by_column)
    assert {r["dropped"] for r in result.provenance["dropped"]} == {"column"}


def test_blank_whitespace_ved_ikke_and_ikke_relevant(tmp_path):
    def cells(df):
        df.loc[0, "P1.1.1"] = "   "
        df.loc[0, "P1.1.2"] = "Ikke relevant"
        df.loc[0, "P1.1.3"] = " ved ikke "
        df.loc[0, "P1.1.4"] = "4,0"

    data = ingest(_wide(tmp_path, cells)).data
    first = data[data["respondent_id"] == data["respondent_id"].iloc[0]].set_index("item_id")
    assert first.loc["P1.1.1", "status"] == "ubesvaret"
    assert first.loc[["P1.1.2", "P1.1.3"], "status"].tolist() == ["ved_ikke", "ved_ikke"]
    assert first.loc[["P1.1.2", "P1.1.3"], "value"].isna().all()
    assert first.loc["P1.1.4", "value"] == 4.0


def test_surveyxact_code_without_a_label_is_refused(tmp_path):
    import shutil

    folder = tmp_path / "sx"
    shutil.copytree(FIX / "surveyxact_707_stab_ansi", folder)
    text = (folder / "dataset.csv").read_text(encoding="cp1252").splitlines()
    cells = text[1].split(";")
    header = text[0].split(";")
    k = next(i for i, c in enumerate(cells) if c in ("2", "3", "4", "5") and header[i].startswith("q_"))
    cells[k] = "7"
    text[1] = ";".join(cells)
    (folder / "dataset.csv").write_text("\r\n".join(text) + "\r\n", encoding="cp1252")
    with pytest.raises(DataValidationError, match="code has no label for this variable in the Labels sheet") as info:
        ingest(folder, kommune="707", group="stab", wave="2025")
    assert info.value.problems[0].row == 2 and info.value.problems[0].column == header[k]


def test_codebook_file_with_changed_codes_or_unknown_items_is_refused(tmp_path):
    table = pd.read_csv(FIX / "codebook_707_edited.csv", sep=";", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")
    table.loc[table["item_id"] == "P1.1.1", "labels"] = "0=Nej | 1=Ja"
    table.loc[table["item_id"] == "P1.1.2", "item_id"] = "P9.9.9"
    table.loc[table["item_id"] == "BURDEN.it", "labels"] = "1=Ikke valgt | 2=Valgt"
    path = tmp_path / "cb.csv"
    table.to_csv(path, sep=";", index=False)
    with pytest.raises(DataValidationError) as info:
        ingest(FIX / "forms_707_stab_en.xlsx", codebook=path, kommune="707", group="stab", wave="2025")
    messages = {(p.row, p.column): p.message for p in info.value.problems}
    assert messages[(6, "labels")] == ("the labels are not an ordered scale of 3–11 points: an ordered scale needs "
                                       "3–11 points, the labels give 2")
    assert messages[(7, "item_id")] == "item id is not in framework fundament2024"
    burden = table.index[table["item_id"] == "BURDEN.it"][0] + 2
    assert messages[(burden, "labels")].startswith("codes differ from the framework's scale (0, 1)")
    with pytest.raises(DataFileError, match="not a Fundament codebook"):
        ingest(FIX / "forms_707_stab_en.xlsx", codebook=FIX / "long_707.csv", kommune="707", group="stab",
               wave="2025")


def test_wrong_framework_is_named_as_the_likely_cause(tmp_path):
    with pytest.raises(DataValidationError, match=r"only 1 of 77 question columns match the codebook of "
                                                  r"mereledelse2023 — the right framework or codebook\?"):
        ingest(FIX / "wide_707.xlsx", framework="mereledelse2023")
    path = tmp_path / "nothing.csv"
    path.write_text("respondent_id;a;b\n1;2;3\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="no column matches an item of the codebook"):
        ingest(path, kommune="707", group="stab", wave="2025")


def test_long_format_problems(tmp_path):
    df = pd.read_csv(FIX / "long_707.csv", dtype=str, keep_default_na=False)
    df.loc[3, "item_id"] = "P7.7.7"
    df = pd.concat([df, df.iloc[[10]]], ignore_index=True)
    df.loc[20, "kommunekode"] = "101"
    path = tmp_path / "long.csv"
    df.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as info:
        ingest(path)
    messages = {(p.row, p.message) for p in info.value.problems}
    assert (5, "item_id is not in the codebook") in messages
    assert (len(df) + 1, "the same respondent and item twice (the first answer is kept)") in messages
    assert any(m == "the respondent's kommunekode differs between rows" for _, m in messages)


def test_surveyxact_likert_variable_without_labels_is_refused_not_guessed(tmp_path):
    # Without its Labels rows a variable's codes would be read as the codebook's codes: in this
    # export code 1 is "Ved ikke", so every answer would silently shift by one.
    import shutil

    folder = tmp_path / "sx"
    shutil.copytree(FIX / "surveyxact_707_stab_ansi", folder)
    lines = (folder / "labels.csv").read_text(encoding="cp1252").splitlines()
    variable = next(line.split(";")[0] for line in lines if line.startswith("q_"))
    kept = [line for line in lines if line.split(";")[0] != variable]
    (folder / "labels.csv").write_text("\r\n".join(kept) + "\r\n", encoding="cp1252")
    with pytest.raises(DataValidationError, match="no value labels for this variable in the Labels sheet") as info:
        ingest(folder, kommune="707", group="stab", wave="2025")
    assert any(p.column == variable for p in info.value.problems)



def test_a_group_column_headed_gruppe_is_read_in_every_wide_export(tmp_path):
    text = (FIX / "wide_707_cp1252.csv").read_bytes().decode("cp1252")
    header, rest = text.split("\n", 1)
    assert ";group;" in header
    renamed = tmp_path / "wide_gruppe.csv"
    renamed.write_bytes((header.replace(";group;", ";Gruppe;") + "\n" + rest).encode("cp1252"))
    original = ingest(FIX / "wide_707_cp1252.csv").data
    again = ingest(renamed).data
    assert again["group"].tolist() == original["group"].tolist()
