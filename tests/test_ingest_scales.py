"""K-point scales as kommuner run them: any K from 3 to 11, numbered best-first or worst-first, in the codebook's
labels; the tidy table codes every answer 1..K worst-first with ``points`` = K — and one scale is never mapped onto
another silently.

Every test plants the answers (positions from the worst end), writes them as a survey tool would — codes in the
codebook's numbering, label texts, or a SurveyXact trio numbered its own way — and checks the loader gives back
exactly the planted positions.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundament_lib.core.errors import DataValidationError
from fundament_lib.framework import load_framework
from fundament_lib.framework.codebook import codebook_table
from fundament_lib.ingest import ingest
from fundament_lib.ingest.answers import SCALE_POINTS, SHARED_POINT, check_value_labels
from fundament_lib.ingest.codebook import BAD_SCALE
from fundament_lib.ingest.scales import (
    OrderedScale,
    ScaleError,
    codebook_scale,
    label_end,
    worst_first,
)
from fundament_lib.ingest.schema import with_str_columns

FW = load_framework("fundament2024")
ITEMS = ["P1.1.1", "P1.1.2", "P1.1.3", "P1.1.4"]
LABELS = {  # worst → best
    3: ["Uenig", "Hverken enig eller uenig", "Enig"],
    4: ["Helt uenig", "Uenig", "Enig", "Helt enig"],
    5: list(FW.scales["enighed"].labels.values()),
    7: ["Helt uenig", "Uenig", "Delvis uenig", "Hverken enig eller uenig", "Delvis enig", "Enig", "Helt enig"],
}
OPTIONS = {"kommune": "707", "group": "borgernaer", "wave": "2025"}


def _codebook(tmp_path, labels: list[str], best_first: bool, items: list[str] = ITEMS):
    """A kommune's codebook of a few items, their scale written in the labels column (codes 1..K)."""
    table = codebook_table(FW)
    table = table[table["item_id"].isin(items)].copy()
    numbered = labels[::-1] if best_first else labels
    table["labels"] = " | ".join(f"{k}={label}" for k, label in enumerate(numbered, 1)) + " | Ved ikke"
    path = tmp_path / f"codebook_{len(labels)}_{'best' if best_first else 'worst'}.csv"
    table.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


def _planted(points: int, n: int = 40, seed: int = 7) -> pd.DataFrame:
    """Positions 1..K (worst = 1) per respondent and item; 0 = "Ved ikke", -1 = blank."""
    rng = np.random.default_rng(seed + points)
    return pd.DataFrame(rng.choice(np.arange(-1, points + 1), size=(n, len(ITEMS)),
                                   p=[0.05, 0.05, *[0.9 / points] * points]), columns=ITEMS)


def _check(result, planted: pd.DataFrame, points: int) -> None:
    data = with_str_columns(result.data)  # the loader's text columns are categorical
    got = data.pivot(index="respondent_id", columns="item_id", values="value")
    number = got.index.str.extract(r"(r?)(\d+)$")
    got.index = number[1].astype(int).to_numpy() - (number[0] == "r").to_numpy()  # a made-up id is the file row
    got = got.sort_index()[ITEMS]
    want = planted.where(planted > 0).astype(float)
    want.index = range(1, len(planted) + 1)
    pd.testing.assert_frame_equal(got, want, check_names=False)
    status = data.pivot(index="respondent_id", columns="item_id", values="status")
    assert (status == "ved_ikke").to_numpy().sum() == int((planted == 0).to_numpy().sum())
    assert set(data["points"]) == {points}


def _wide(tmp_path, cells: pd.DataFrame):
    path = tmp_path / "export.csv"
    frame = cells.copy()
    frame.insert(0, "respondent_id", range(1, len(cells) + 1))
    frame.to_csv(path, sep=";", index=False)
    return path


def _as_codes(planted: pd.DataFrame, points: int, best_first: bool) -> pd.DataFrame:
    codes = planted.map(lambda p: "" if p < 0 else "Ved ikke" if p == 0 else str(points + 1 - p if best_first else p))
    return codes


def _as_labels(planted: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    return planted.map(lambda p: "" if p < 0 else "Ved ikke" if p == 0 else labels[p - 1])


def _surveyxact(tmp_path, planted: pd.DataFrame, labels: list[str], export_best_first: bool):
    """A SurveyXact CSV trio numbering the scale its own way, "Vet ikke" as code 99."""
    folder = tmp_path / "sx"
    folder.mkdir()
    k = len(labels)
    numbered = labels[::-1] if export_best_first else labels
    code_of = {label: str(c) for c, label in enumerate(numbered, 1)}
    names = [f"q_{j}" for j in range(1, len(ITEMS) + 1)]
    data = planted.map(lambda p: "" if p < 0 else "99" if p == 0 else code_of[labels[p - 1]])
    data.columns = names
    data.to_csv(folder / "dataset.csv", sep=";", index=False)
    texts = codebook_table(FW).set_index("item_id")["text"]
    structure = pd.DataFrame({"questionName": names, "variableName": names, "questionType": "Closed",
                              "subType": "Single", "questionText": [texts[i] for i in ITEMS],
                              "choiceValue": "", "choiceText": ""})
    structure.to_csv(folder / "structure.csv", sep=";", index=False)
    rows = [f"{v};{c};{label}" for v in names for c, label in [*((code_of[x], x) for x in labels), ("99", "Vet ikke")]]
    (folder / "labels.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert k == len(code_of)
    return folder


@pytest.mark.parametrize("best_first", [False, True], ids=["worst-first", "best-first"])
@pytest.mark.parametrize("points", [3, 4, 5, 7])
def test_codes_labels_and_surveyxact_give_the_planted_positions(tmp_path, points, best_first):
    labels = LABELS[points]
    planted = _planted(points)
    codebook = _codebook(tmp_path, labels, best_first)
    codes = ingest(_wide(tmp_path, _as_codes(planted, points, best_first)), codebook=codebook, **OPTIONS)
    _check(codes, planted, points)
    scale = codes.provenance["scales"]["P1.1.1"]
    assert scale["labels_worst_to_best"] == labels and scale["codes_reversed"] is best_first
    assert scale["numbered"] == ("best-first" if best_first else "worst-first")
    _check(ingest(_wide(tmp_path, _as_labels(planted, labels)), codebook=codebook, **OPTIONS), planted, points)
    sx = ingest(_surveyxact(tmp_path, planted, labels, export_best_first=not best_first), codebook=codebook,
                **OPTIONS)
    _check(sx, planted, points)
    assert sx.provenance["scales"]["P1.1.1"]["codes_reversed"] is (not best_first)  # the export's own codes


def test_the_framework_scale_gives_points_5_and_tick_boxes_numbers_and_text_none(fw):
    from pathlib import Path

    data = ingest(Path(__file__).parent / "fixtures" / "ingest" / "wide_707.xlsx").data
    block = data["item_id"].map(dict(zip(codebook_table(fw)["item_id"], codebook_table(fw)["scale"], strict=True)))
    likert = block.isin(["enighed", "grad", "vigtighed"])
    assert (data.loc[likert, "points"] == 5).all()
    assert data.loc[~likert, "points"].isna().all() and (~likert).any()


@given(points=st.integers(3, 11), best_first=st.booleans(), seed=st.integers(0, 10_000))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_k_point_scale_in_either_order_round_trips(tmp_path_factory, points, best_first, seed):
    tmp_path = tmp_path_factory.mktemp("k")
    labels = ["Helt uenig", *(str(k) for k in range(2, points)), "Helt enig"]
    planted = _planted(points, n=15, seed=seed)
    codebook = _codebook(tmp_path, labels, best_first)
    _check(ingest(_wide(tmp_path, _as_codes(planted, points, best_first)), codebook=codebook, **OPTIONS),
           planted, points)
    _check(ingest(_surveyxact(tmp_path, planted, labels, export_best_first=seed % 2 == 0), codebook=codebook,
                  **OPTIONS), planted, points)


def test_seven_labels_in_a_text_export_are_never_squeezed_onto_five_points(tmp_path):
    """'Uenig' and 'Delvis uenig' would both be synonyms of the framework's point 2: refused, naming both."""
    planted = _planted(7)
    path = _wide(tmp_path, _as_labels(planted, LABELS[7]))
    with pytest.raises(DataValidationError) as info:
        ingest(path, **OPTIONS)
    problems = [p for p in info.value.problems if p.column == "P1.1.1"]
    assert [p.message for p in problems] == [SHARED_POINT]
    assert "'delvis uenig' and 'uenig' all read as 2=Delvis uenig" in problems[0].value
    assert "'delvis enig' and 'enig' all read as 4=Delvis enig" in problems[0].value


def test_a_four_point_surveyxact_export_against_the_framework_codebook_is_refused(tmp_path):
    planted = _planted(4)
    with pytest.raises(DataValidationError) as info:
        ingest(_surveyxact(tmp_path, planted, LABELS[4], export_best_first=False), **OPTIONS)
    assert {p.message for p in info.value.problems} == {SCALE_POINTS}
    assert {p.column for p in info.value.problems} == {"q_1", "q_2", "q_3", "q_4"}


@pytest.mark.parametrize(("labels", "expected"), [
    (["Helt uenig", "Uenig", "Enig", "Helt enig"], True),
    (["Helt enig", "Enig", "Uenig", "Helt uenig"], False),
    (["I liten grad", "2", "3", "I stor grad"], True),
    (["Low (1)", "(2)", "Medium (3)", "(4)", "High (5)"], True),
    (["Slet ikke enig", "Lidt enig", "Nogenlunde enig", "Ret enig", "Fuldt og helt enig"], True),
    (["Meget vigtigt", "Noget vigtigt", "Lidt vigtigt", "Slet ikke vigtigt"], False),
    (["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], None),
    (["A", "B", "C"], None),
    (["Enig", "Uenig", "Enig igen"], None),  # the ends disagree
])
def test_which_end_is_best_is_read_from_the_labels(labels, expected):
    assert worst_first(labels) is expected


def test_label_ends_know_the_families_and_words():
    assert [label_end(x) for x in ("Helt uenig", "Hverken enig eller uenig", "I meget høj grad", "Ikke vigtigt",
                                   "ikke enig", "Neutral", "(3)")] == [-1, 0, 1, -1, -1, 0, 0]


@pytest.mark.parametrize(("coded", "bare", "message"), [
    ({"1": "Nej", "2": "Ja"}, [], "an ordered scale needs 3–11 points, the labels give 2"),
    ({str(k): f"Punkt {k}" for k in range(1, 13)}, [], "an ordered scale needs 3–11 points, the labels give 12"),
    ({"1": "A", "2": "B", "3": "C"}, [], "the labels do not tell which end of the scale is best"),
    ({"1": "Uenig", "x": "Hverken", "3": "Enig"}, [], "code 'x' is not a whole number"),
    ({"1": "Uenig", "2": "Uenig", "3": "Enig"}, [], "two points share a code or a label"),
    ({"1": "Uenig", "2": "Hverken", "3": "Enig"}, ["Måske"], "label(s) without a code: 'Måske'"),
])
def test_a_codebook_scale_that_cannot_be_read_is_refused(coded, bare, message):
    with pytest.raises(ScaleError, match=re.escape(message)):
        codebook_scale(coded, bare, FW.scales["enighed"])


def test_a_codebook_file_with_an_unreadable_scale_names_row_and_fix(tmp_path):
    table = codebook_table(FW)
    table.loc[table["item_id"] == "P1.1.1", "labels"] = "1=A | 2=B | 3=C | 4=D | Ved ikke"
    path = tmp_path / "cb.csv"
    table.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    with pytest.raises(DataValidationError) as info:
        ingest(_wide(tmp_path, _as_codes(_planted(4), 4, False)), codebook=path, **OPTIONS)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (6, "labels")
    assert problem.message.startswith(BAD_SCALE) and "name the ends in words" in problem.message


def test_value_labels_check_accepts_synonyms_only_on_a_scale_of_the_same_length():
    framework = OrderedScale(tuple(FW.scales["enighed"].labels.items()), ("Ved ikke",))
    five = {"1": "Meget uenig", "2": "Uenig", "3": "Hverken/eller", "4": "Enig", "5": "Meget enig", "9": "Vet ikke"}
    check = check_value_labels(five, framework, item_id="P1.1.1")
    assert check.problems == [] and check.codes == {"1": "1", "2": "2", "3": "3", "4": "4", "5": "5",
                                                    "9": "Vet ikke"}
    four = {"1": "Helt uenig", "2": "Uenig", "3": "Enig", "4": "Helt enig"}
    [(message, detail)] = check_value_labels(four, framework, item_id="P1.1.1").problems
    assert message == SCALE_POINTS and detail.startswith("P1.1.1 · export: 1=Helt uenig | 2=Uenig | 3=Enig | "
                                                         "4=Helt enig (4 points) · codebook: 1=Helt uenig")


def test_value_labels_check_refuses_two_export_labels_on_one_point():
    framework = OrderedScale(tuple(FW.scales["enighed"].labels.items()), ("Ved ikke",))
    labels = {"1": "Helt uenig", "2": "Uenig", "3": "Delvis uenig", "4": "Enig", "5": "Helt enig"}
    [(message, detail)] = check_value_labels(labels, framework, item_id="P1.1.1").problems
    assert message == SHARED_POINT
    assert detail.startswith("P1.1.1 · 'Uenig' (code 2) and 'Delvis uenig' (code 3) both mean 2 · codebook: 1=")
