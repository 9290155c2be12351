"""The leak check finds other kommuners' codes, names and linkable values wherever a reader would see
them — page text, alt text, links, JSON, the notebook, the PDF, file names — and nothing else."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from fundament_lib.run.leaks import check_files, check_summary

FIXTURES = Path(__file__).parent / "fixtures"


def _page(body: str) -> bytes:
    return (f'<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Norddjurs</title></head>'
            f"<body><main>{body}</main></body></html>").encode()


def _leaks(files: dict[str, bytes], code: str = "707", **kw: Any) -> list[str]:
    return [str(leak) for leak in check_files(files, kommunekode=code, **kw)]


# ---- names and codes in pages ----------------------------------------------------------------------
@pytest.mark.parametrize(("body", "found"), [
    ("<p>Tag kontakt til Aarhus om temaet.</p>", "the name of 751 Aarhus"),
    ("<p>Københavns Kommune scorer højere.</p>", "the name of 101 København"),  # the genitive
    ('<figure><img src="data:image/png;base64,AAAA" alt="Prikdiagram: Odense scorer 71." /></figure>',
     "the name of 461 Odense"),
    ("<td>Lyngby-Taarbæk</td>", "the name of 173 Lyngby-Taarbæk"),
    ("<p>Placering: (751)</p>", "the code of 751 Aarhus"),
    ("<p>kommunekode 751</p>", "the code of 751 Aarhus"),
    ('<a href="../751/briefing.html">se her</a>', "the code or name of 751 Aarhus in a link"),
    ('<a href="til-kommunerne/461-odense.zip">pakke</a>', "the code or name of 461 Odense in a link"),
])
def test_another_kommune_in_a_page_is_found(body, found):
    leaks = _leaks({"briefing.html": _page(body)})
    assert leaks and all(found in leak for leak in leaks), leaks


@pytest.mark.parametrize("body", [
    "<p>Norddjurs Kommune (707) står stærkest på P2.1; se 707/briefing.html.</p>",  # its own name and code
    "<td>751</td><td>n = 101</td><p>nr. 147 af 98 (6–85)</p>",  # counts and ranks are numbers, not codes
    '<img src="data:image/png;base64,QWFyaHVzIDc1MSBPZGVuc2U=" alt="Prikdiagram over 97 andre kommuner">',
    "<p>vejen frem går gennem de borgernære ledere; en skive brød</p>",  # Danish words in lower case
    "<p>Sundhedsstyrelsen og Aarhusianerne</p>",  # a name only as a whole word
])
def test_own_code_counts_images_and_ordinary_words_are_not_leaks(body):
    assert _leaks({"briefing.html": _page(body)}) == []


def test_agreed_names_are_allowed_and_no_others():
    page = _page("<p>Tag kontakt til Aarhus eller Odense.</p>")
    assert _leaks({"briefing.html": page}, allowed={"751", "461"}) == []
    assert ["the name of 461 Odense" in leak for leak in _leaks({"briefing.html": page}, allowed={"751"})] == [True]


def test_file_and_bundle_names_are_checked():
    leaks = _leaks({"751_summary.json": b"{}", "summary.json": b"{}"}, names=("707-norddjurs", "707-aarhus.zip"))
    assert any("751 Aarhus in the name" in leak and "707-aarhus.zip" in leak for leak in leaks)
    assert any("751 Aarhus in the file name" in leak for leak in leaks)
    assert _leaks({"summary.json": b"{}"}, names=("707-norddjurs", "707-norddjurs.zip")) == []


# ---- JSON --------------------------------------------------------------------------------------------
def test_codes_and_names_in_json_values_are_found_but_numbers_are_not():
    doc = {"kommunekode": "707", "n": 751, "rank": 101, "items": [{"id": "x", "note": "som i Aarhus"}],
           "rows": [{"kommunekode": "461", "score": 55}], "path": "/data/reports/851/summary.json"}
    leaks = _leaks({"summary.json": json.dumps(doc).encode()})
    assert any("751 Aarhus" in x and "items[0].note" in x for x in leaks)
    assert any("the code of 461 Odense (rows[0].kommunekode)" in x for x in leaks)
    assert any("851 Aalborg in a path" in x for x in leaks)
    assert not any("101" in x or "(n)" in x for x in leaks)


def _summary() -> dict[str, Any]:
    return {"kommunekode": "707", "min_n": 5,
            "national": {"n_kommuner": 98, "digits": 0, "named": [],
                         "scores": [{"id": "P1", "own": 56, "n_others": 6, "others": [41, 50, 50, 58, 60, 72]}]},
            "benchmark": [{"id": "P1", "rank": 3, "n_kommuner": 7, "rank_region": None, "n_region": 19,
                           "rank_kommunegruppe": None, "n_kommunegruppe": 3}],
            "priority": {"priorities": [{"theme": "P1", "benchlearning": {"n_higher": 2, "same_group": None,
                                                                          "same_region": 1, "names": []}}]}}


def test_a_summary_with_the_anonymous_field_passes():
    assert check_summary(_summary(), min_n=5) == []


@pytest.mark.parametrize(("change", "what"), [
    (lambda s: s["national"].update(scores=[{"kommunekode": "", "id": "P1", "score": 55.1}]), "linkable"),
    (lambda s: s["national"]["scores"][0].update(others=[50, 41, 50, 58, 60, 72]), "ascending order"),
    (lambda s: s["national"]["scores"][0].update(others=[41.3, 50, 50, 58, 60, 72]), "not rounded"),
    (lambda s: s["national"]["scores"][0].update(others=[41, 50], n_others=2), "fewer than 5"),
    (lambda s: s["national"].update(named=[{"kommunekode": "751", "kommune": "Aarhus", "scores": {}}]),
     "without an agreement"),
    (lambda s: s["national"].update(order=list(range(6))), "fields beside"),
    (lambda s: s["benchmark"][0].update(rank_kommunegruppe=2), "a rank among 3 kommuner"),
    (lambda s: s["priority"]["priorities"][0]["benchlearning"].update(same_group=1), "a count among 3 kommuner"),
])
def test_linkable_values_in_a_summary_are_found(change, what):
    s = copy.deepcopy(_summary())
    change(s)
    problems = check_summary(s, min_n=5)
    assert problems and any(what in p[0] for p in problems), problems
    assert _leaks({"summary.json": json.dumps(s).encode()})  # check_files runs it on summary.json


# ---- notebooks and PDFs --------------------------------------------------------------------------------
def _notebook(source: str, output: str = "", metadata: dict[str, Any] | None = None) -> bytes:
    cell = {"cell_type": "code", "metadata": {}, "source": source, "execution_count": 1,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": output},
                        {"output_type": "display_data", "metadata": {},
                         "data": {"image/png": "QWFyaHVzIE9kZW5zZQ==", "text/plain": "<Figure>"}}]}
    return json.dumps({"cells": [cell], "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def test_a_notebook_is_read_in_its_code_outputs_and_metadata():
    assert _leaks({"briefing.ipynb": _notebook("s = load('707')", "Norddjurs: 56")}) == []
    assert any("cell 1" in x and "751 Aarhus" in x for x in
               _leaks({"briefing.ipynb": _notebook("# sammenlign med Aarhus", "")}))
    assert any("461 Odense" in x for x in _leaks({"briefing.ipynb": _notebook("x = 1", "Odense: 71")}))
    meta = {"papermill": {"parameters": {"kommunekode": "707", "summary_path": "/r/.work/751/summary.json"}}}
    assert any("751 Aarhus in a path" in x for x in _leaks({"briefing.ipynb": _notebook("x = 1", "", meta)}))
    meta["papermill"]["parameters"]["summary_path"] = "/tmp/pytest-147/reports/.work/707/summary.json"
    assert _leaks({"briefing.ipynb": _notebook("x = 1", "", meta)}) == []  # a number in a folder name is no code


def _pdf(text: str) -> bytes:
    """A one-page PDF showing ``text``, made by Typst as the Quarto stand-in (and Quarto) make theirs."""
    import typst

    return bytes(typst.compile(text.encode("utf-8")))


def test_a_pdf_is_read_as_text_and_an_unreadable_one_is_refused():
    assert _leaks({"briefing.pdf": _pdf("Norddjurs Kommune: P1 56")}) == []
    assert any("461 Odense" in x for x in _leaks({"briefing.pdf": _pdf("Odense Kommune: P1 71")}))
    assert any("cannot be read" in x for x in _leaks({"briefing.pdf": b"%PDF-1.7\n%%EOF\n"}))
