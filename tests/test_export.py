"""Export for further work: formula neutralisation, Danish CSV round trips, suppression kept,
a data dictionary that covers every column, and the `fundament export` command."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from conftest import REPO
from fundament_lib.analysis.scoring import respondent_scores
from fundament_lib.cli import export as cli_export
from fundament_lib.core.atomic import write_parquet
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.results import dictionary, export, spreadsheet

CODES = ("707", "825", "400")  # Læsø (825): 3 staff respondents, so staff and frontline are hidden
HOSTILE = ["=HYPERLINK(\"http://x\";\"klik\")", "+45 tal", "-1+2", "@SUM(A1)", "  =1+1", "\t=1", "\rx"]
HARMLESS = ["Helt enig", "a=b", "", "E-mail: fjernet", "50 %"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_a_quote(text):
    assert spreadsheet.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [*HARMLESS, -3, 2.5, None, True])
def test_other_values_are_unchanged(value):
    assert spreadsheet.neutralise(value) == value


@pytest.fixture(scope="module")
def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame({"text": HOSTILE + HARMLESS[:2], "value": [-1.5] + [0.25] * 8})


def test_csv_reads_back_as_quoted_text(hostile_frame, tmp_path):
    [path] = spreadsheet.write_table(hostile_frame, tmp_path, "t", formats=["csv"])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads æøå
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False)
    assert list(back["text"][:7]) == ["'" + t for t in HOSTILE]
    assert list(back["text"][7:]) == HARMLESS[:2]
    assert back["value"].tolist() == hostile_frame["value"].tolist()
    assert b"-1,5" in raw  # numbers are never quoted


def test_xlsx_holds_text_not_formulas(hostile_frame, tmp_path):
    path = spreadsheet.write_workbook({"ark": hostile_frame}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["ark"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(hostile_frame))]
    assert all(c.data_type == "s" for c in cells)
    # XML stores a carriage return as a line feed; the quote is what matters
    assert [c.value for c in cells[:7]] == ["'" + t.replace("\r", "\n") for t in HOSTILE]
    assert sheet.cell(row=2, column=2).value == -1.5


@pytest.mark.parametrize("style", [spreadsheet.DANISH, spreadsheet.INTERNATIONAL], ids=["dansk", "international"])
def test_csv_style_round_trips(style, tmp_path):
    frame = pd.DataFrame({"id": ["P1", "P2"], "score": [48.26, 61.0], "n": pd.array([12, None], "Int64")})
    [path] = spreadsheet.write_table(frame, tmp_path, "s", formats=["csv"], style=style)
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[1] == style.sep.join(["P1", f"48{style.decimal}26", "12"])
    back = pd.read_csv(path, sep=style.sep, decimal=style.decimal, encoding="utf-8-sig",
                       dtype={"n": "Int64"})
    pd.testing.assert_frame_equal(back, frame)


def test_bad_csv_style():
    with pytest.raises(ValueError, match="decimal: must differ"):
        spreadsheet.CsvStyle(sep=",", decimal=",")


# ---- the full export ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def survey():
    s = generate(DemoConfig(kommuner=CODES))
    tidy = s.tidy.copy()
    texts = tidy.index[tidy["text"].notna()]
    tidy.loc[texts[0], "text"] = "=HYPERLINK(\"http://x\";\"klik\")"
    tidy.loc[texts[1], "text"] = "Ring til Mette Jensen på 23 45 67 89"
    return tidy


@pytest.fixture(scope="module")
def exported(survey, tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    data = root / "tidy.parquet"
    write_parquet(survey, data)
    shutil.copytree(REPO / "params", root / "params")
    written = export.export(data, out=root / "out", include_respondents=True, params_root=root / "params")
    return root / "out", written


def test_every_table_in_every_format(exported):
    out, written = exported
    names = {"scores", "items", "subgroup_scores", "FORTROLIGT_svar_pr_respondent",
             "FORTROLIGT_scorer_pr_respondent"}
    for name in names:
        assert {p.suffix for p in written[name]} >= {".parquet", ".csv"}
    assert (out / "fundament_export.xlsx").exists() and (out / "dataordbog.csv").exists()
    assert (out / "FORTROLIGT_svar_pr_respondent.xlsx").exists()
    assert not list(out.glob(".*.tmp"))  # atomic writes leave nothing behind


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"kommunekode": str, "wave": str})


def test_csv_and_xlsx_equal_parquet(exported):
    out, _ = exported
    parquet = pd.read_parquet(out / "scores.parquet")
    csv = _read_csv(out / "scores.csv")
    xlsx = pd.read_excel(out / "fundament_export.xlsx", sheet_name="scores", dtype={"kommunekode": str, "wave": str})
    for other in (csv, xlsx):
        assert list(other.columns) == list(parquet.columns)
        pd.testing.assert_series_equal(other["score"], parquet["score"], check_dtype=False, atol=1e-9)
        assert other["suppressed"].tolist() == parquet["suppressed"].tolist()


def test_suppressed_cells_stay_suppressed(exported, survey, fw):
    out, _ = exported
    true_stab = respondent_scores(survey, fw).query("kommunekode == '825' and group == 'stab'")
    for frame in (pd.read_parquet(out / "scores.parquet"), _read_csv(out / "scores.csv"),
                  pd.read_excel(out / "fundament_export.xlsx", sheet_name="scores", dtype={"kommunekode": str})):
        hidden = frame[frame["suppressed"]]
        assert set(hidden["kommunekode"]) == {"825"}
        assert set(hidden["group"]) == {"stab", "borgernaer"}
        assert hidden[["n", "score", "top2"]].isna().all().all()
        assert hidden["suppression_text"].notna().all()
        shown = frame[~frame["suppressed"]]
        assert shown["n"].min() >= 5
        laeso = frame[frame["kommunekode"] == "825"]
        for theme in ("P1.1", "P2.2"):  # the 3 staff members' mean appears nowhere
            assert not (laeso["score"].round(6) == round(true_stab[theme].mean(), 6)).any()
    items = pd.read_parquet(out / "items.parquet")
    hidden = items[items["suppressed"]]
    assert hidden[["n", "c1", "c5", "dont_know", "score"]].isna().all().all()


def test_exported_items_do_not_give_a_hidden_group_away(exported, fw):
    """Attack the items table alone: an item put to everybody counts all respondents
    (n + «ved ikke» + unanswered), one put only to the frontline leaders counts them; the
    difference is the staff group, which must stay hidden."""
    out, _ = exported
    items = pd.read_parquet(out / "items.parquet")
    audience = items["item_id"].map(fw.codebook().set_index("item_id")["audience"])
    asked = (items["n"] + items["dont_know"] + items["missing"]).astype("Float64")
    recovered = {}
    for code, part in items.groupby("kommunekode"):
        everybody = asked[part.index][(part["group"] == "alle") & audience[part.index].str.contains(";")].max()
        frontline = asked[part.index][audience[part.index] == "borgernaer"].dropna()
        rest = everybody - frontline
        min_n = int(part["min_n"].iloc[0])
        if ((rest > 0) & (rest < min_n)).any():
            recovered[code] = sorted(set(rest[(rest > 0) & (rest < min_n)]))
    assert recovered == {}
    laeso = items[(items["kommunekode"] == "825") & (audience == "borgernaer")]
    assert len(laeso) and laeso["suppressed"].all() and laeso[["n", "dont_know", "missing", "c1"]].isna().all().all()
    assert set(laeso["suppression"]) == {"complement"}


def test_data_dictionary_covers_every_column(exported):
    out, _ = exported
    dictionary = _read_csv(out / "dataordbog.csv")
    sheet = pd.read_excel(out / "fundament_export.xlsx", sheet_name="dataordbog")
    shared = {"scores", "items", "subgroup_scores", "gaps", "benchmark", "changes", "roles", "burden", "scales",
              "analyses"}
    for name in (*sorted(shared), "FORTROLIGT_svar_pr_respondent", "FORTROLIGT_scorer_pr_respondent"):
        columns = pd.read_parquet(out / f"{name}.parquet").columns
        documented = dictionary[dictionary["table"] == name]
        assert set(columns) <= set(documented["column"])
        assert documented["meaning"].notna().all() and (documented["meaning"].str.len() > 3).all()
    assert set(sheet["table"]) == shared
    confidential = dictionary[(dictionary["table"] == "FORTROLIGT_svar_pr_respondent")
                              & (dictionary["column"] == "(tabel)")]["meaning"].iloc[0]
    assert "respondentniveau" in confidential and "Må ikke offentliggøres" in confidential


def test_respondent_text_is_screened_and_neutralised(exported):
    out, _ = exported
    csv = _read_csv(out / "FORTROLIGT_svar_pr_respondent.csv")
    texts = csv["text"].dropna()
    assert "'=HYPERLINK(\"http://x\";\"klik\")" in set(texts)
    assert not texts.str.contains("Mette Jensen|23 45 67 89").any()
    assert texts.str.contains("[navn fjernet]", regex=False).any()
    parquet = pd.read_parquet(out / "FORTROLIGT_svar_pr_respondent.parquet")
    assert "=HYPERLINK(\"http://x\";\"klik\")" in set(parquet["text"].dropna())  # typed data: as written
    sheet = openpyxl.load_workbook(out / "FORTROLIGT_svar_pr_respondent.xlsx", read_only=True)
    assert sheet.sheetnames == ["FORTROLIGT_svar_pr_respondent", "dataordbog"]


def test_dictionary_refuses_an_undocumented_column(fw):
    with pytest.raises(ValueError, match="column 'mystery' of table 'x' has no entry"):
        dictionary.data_dictionary({"x": pd.DataFrame({"mystery": [1]})}, fw)


def test_cli_export(survey, tmp_path, monkeypatch):
    app = typer.Typer()
    cli_export.register(app)

    @app.callback()
    def _root() -> None:  # keep `export` a subcommand
        """Test app."""

    shutil.copytree(REPO / "params", tmp_path / "params")
    (tmp_path / "notebooks").mkdir()
    write_parquet(survey, tmp_path / "tidy.parquet")
    monkeypatch.setenv("FUNDAMENT_ROOT", str(tmp_path))
    runner = CliRunner()
    result = runner.invoke(app, ["export", "--data", str(tmp_path / "tidy.parquet"), "--format", "csv",
                                 "--sep", ",", "--decimal", "."])
    assert result.exit_code == 0, result.output
    out = tmp_path / "reports" / "export"
    assert (out / "scores.csv").exists() and not (out / "scores.parquet").exists()
    assert not list(out.glob("FORTROLIGT_*"))  # respondent-level data only on request
    scores = pd.read_csv(out / "scores.csv", encoding="utf-8-sig")
    assert scores["score"].dtype == float
    bad = runner.invoke(app, ["export", "--format", "pdf"])
    assert bad.exit_code == 2 and "parquet, csv, xlsx" in bad.output
