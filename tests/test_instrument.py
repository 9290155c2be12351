"""The instrument: both frameworks complete, the printable questionnaire, the codebook, and the second
framework scored by the same engine."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from fundament_lib.analysis.scoring import respondent_scores, score_table
from fundament_lib.core.errors import DataValidationError
from fundament_lib.core.params import load_params
from fundament_lib.core.paths import frameworks_dir
from fundament_lib.demo import DemoConfig, generate
from fundament_lib.framework import BLOCKS, Framework, load_framework
from fundament_lib.framework.codebook import CODEBOOK_COLUMNS
from fundament_lib.framework.instrument import questionnaire_html, write_instrument
from fundament_lib.ingest.codebook import load_codebook


@pytest.fixture(scope="module")
def ml() -> Framework:
    return load_framework("mereledelse2023")


def test_fundament_2024_instrument_is_complete(fw):
    cb = fw.codebook()
    assert set(cb["block"]) == set(BLOCKS)
    assert len(fw.themes()) == 10 and all(2 <= len(t.items) <= 4 for t in fw.themes())
    assert [f.id for f in fw.roles.functions] == ["oko", "hr", "it", "ejd", "jura"]
    assert len(fw.roles.roles) == 5 and (cb["block"] == "role").sum() == 25
    assert [a.title for a in fw.burden.areas] == ["Administration", "It", "Indkøb", "Teknisk service",
                                                  "Arbejdsdeling"]
    assert fw.burden.share is not None and fw.burden.free_text is not None
    assert (cb["block"] == "importance").sum() == 10 and (cb["block"] == "prerequisite").sum() == 3
    assert [b.id for b in fw.background] == ["group", "fagomraade", "stabsfunktion", "ledelsesniveau"]
    asked = cb[cb["block"] != "background"]
    assert asked["page"].notna().all(), "every item is tied to a page of the publication"
    theme_pages = {t.id: t.page for t in fw.themes()}
    assert all(6 <= p <= 9 for t, p in theme_pages.items() if t.startswith("P1"))
    assert all(10 <= p <= 13 for t, p in theme_pages.items() if t.startswith("P2"))


def test_mereledelse_has_four_areas_and_twenty_recommendations(ml):
    assert ml.domain_level == "omraade" and ml.domain_label == "Område"
    assert [d.title for d in ml.domains] == [
        "Styrk fokus på kvalitet og resultater", "Skru op for helhedsløsninger", "Skru op for faglig ledelse",
        "Styrk samspillet med civilsamfundet"]
    assert [len(d.themes) for d in ml.domains] == [6, 5, 5, 4]
    for t in ml.themes():
        assert 2 <= len(t.items) <= 4, t.id
        assert 6 <= t.page <= 21 and t.discussion and all(6 <= q.page <= 21 for q in t.discussion), t.id
        potential = [i for i in t.items if i.text.startswith("Der er potentiale i vores kommune for ")]
        assert potential and all(i.reverse for i in potential), t.id
        assert not any(i.reverse for i in t.items if i not in potential), t.id
    assert set(ml.codebook()["block"]) == {"background", "theme", "outcome"}


def test_a_kommune_chooses_the_framework_in_its_params(tmp_path):
    (tmp_path / "707.yaml").write_text("framework: mereledelse2023\n", encoding="utf-8")
    params = load_params(tmp_path, "707")
    assert load_framework(params.framework).id == "mereledelse2023"


def test_the_same_engine_scores_the_second_framework(ml):
    survey = generate(DemoConfig(kommuner=("707", "101"), second_wave_kommuner=()), framework=ml)
    scores = score_table(respondent_scores(survey.tidy, ml), ml)
    assert set(scores["level"]) == {"omraade", "theme"}
    assert set(scores["id"]) == {"KR", "HL", "FL", "CS"} | {t.id for t in ml.themes()}
    merged = scores.merge(survey.true_scores, on=["kommunekode", "wave", "group", "id"])
    assert len(merged) == 2 * 3 * 20
    assert np.corrcoef(merged["score"], merged["true_score"])[0, 1] > 0.9
    # a "potential" statement runs against the status statements of its recommendation (scored in reverse)
    answers = survey.tidy[survey.tidy["status"] == "svar"]
    wide = answers.pivot_table(index="respondent_id", columns="item_id", values="value")
    assert wide["KR.1.1"].corr(wide["KR.1.3"]) < -0.2 < wide["KR.1.1"].corr(wide["KR.1.2"])


def test_questionnaire_is_self_contained_danish_and_printable(fw):
    page = questionnaire_html(fw)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="da">' in page
    assert "<script" not in page and not re.search(r"(src|href)=[\"']?(https?:)?//", page)
    assert "@media print" in page and "@page" in page
    for label in ("Helt uenig", "Delvis uenig", "Hverken enig eller uenig", "Delvis enig", "Helt enig",
                  "Ved ikke", "I meget høj grad", "Helt afgørende"):
        assert label in page
    for item in fw.codebook()["item_id"]:
        assert f"[{item}]" in page, item
    sections = re.findall(r"<h2>\d+\. ([^<]+)</h2>", page)
    assert sections == ["Om dig", "Udsagn", "Hvad er vigtigst?", "Tid til at lede det faglige", "Stabenes roller",
                        "Administrative opgaver", "Forudsætninger for arbejdet"]
    assert "(kun borgernære ledere)" in page and "(s. 7)" in page


def test_questionnaire_escapes_every_text(tmp_path):
    raw = yaml.safe_load((frameworks_dir() / "fundament2024.yaml").read_text(encoding="utf-8"))
    raw["domains"][0]["themes"][0]["items"][0]["text"] = 'Stabene <script>alert("x")</script> & co'
    raw["domains"][0]["themes"][0]["title"] = "Kultur <b>og</b> mindset"
    page = questionnaire_html(Framework.model_validate(raw))
    assert "<script>" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page
    assert "Kultur &lt;b&gt;og&lt;/b&gt; mindset" in page


@pytest.mark.parametrize("framework", ["fundament2024", "mereledelse2023"])
def test_codebook_files_have_the_columns_and_read_back(tmp_path, framework):
    fw = load_framework(framework)
    paths = write_instrument(fw, tmp_path)
    csv = pd.read_csv(paths["codebook_csv"], sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    xlsx = pd.read_excel(paths["codebook_xlsx"], dtype=str, keep_default_na=False)
    for table in (csv, xlsx):
        assert tuple(table.columns) == CODEBOOK_COLUMNS
        assert list(table["item_id"]) == list(fw.codebook()["item_id"])
        likert = table[table["block"].isin(["theme", "importance", "outcome", "role", "prerequisite"])]
        assert likert["labels"].str.endswith("| Ved ikke").all()
        assert (table.loc[table["block"] != "theme", "theme"].isin(["", *[t.id for t in fw.themes()]])).all()
    for key in ("codebook_csv", "codebook_xlsx"):
        back = load_codebook(fw, paths[key])
        assert back.item_ids == list(fw.codebook()["item_id"])
        assert back.sha256 and back.source == str(paths[key])
    html = paths["questionnaire"].read_text(encoding="utf-8")
    assert fw.title in html


def test_codebook_marks_the_reverse_scored_items_and_refuses_a_changed_mark(tmp_path):
    ml = load_framework("mereledelse2023")
    paths = write_instrument(ml, tmp_path)
    table = pd.read_csv(paths["codebook_csv"], sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    marked = set(table.loc[table["reverse"] == "ja", "item_id"])
    assert marked == ml.reversed_items() and len(marked) == 21
    assert set(table["reverse"]) == {"ja", ""}

    edited = table.copy()
    first = edited.index[edited["reverse"] == "ja"][0]
    edited.loc[first, "reverse"] = ""
    changed = tmp_path / "changed.csv"
    changed.write_bytes(edited.to_csv(sep=";", index=False).encode("utf-8-sig"))
    with pytest.raises(DataValidationError) as info:
        load_codebook(ml, changed)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (first + 2, "reverse")
    assert "reverse differs from the framework's (ja)" in str(info.value)

    older = tmp_path / "without_reverse.csv"  # a codebook written before the column existed
    older.write_bytes(table.drop(columns="reverse").to_csv(sep=";", index=False).encode("utf-8-sig"))
    assert load_codebook(ml, older).item_ids == table["item_id"].tolist()


def test_codebook_question_and_row_describe_the_matrix_layout(fw):
    from fundament_lib.framework.codebook import codebook_table

    cb = codebook_table(fw).set_index("item_id")
    assert cb.at["ROLE.hr.raad", "question"] == (
        "I hvor høj grad oplever du, at HR udfylder sin rolle i forhold til at …?")
    assert cb.at["ROLE.hr.raad", "row"] == "rådgive på problemer"
    assert cb.at["P1.1.1", "question"] == "Hvor enig eller uenig er du i følgende udsagn?"
    assert cb.at["BURDEN.admin", "row"].startswith("Administration (fx")
    assert cb.at["OUT.1", "question"] == "" and cb.at["group", "block"] == "background"


def test_instrument_paths_are_named_for_the_framework(tmp_path, fw):
    written = write_instrument(fw, tmp_path / "sub")
    assert {p.name for p in written.values()} == {
        "fundament2024_questionnaire.html", "fundament2024_codebook.csv", "fundament2024_codebook.xlsx"}
    assert all(isinstance(p, Path) and p.exists() for p in written.values())
