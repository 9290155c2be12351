"""The briefing's link back to the run's index: put in once for the run's folder, taken out whole
for the kommune's bundle, hidden in print."""

from __future__ import annotations

from fundament_lib.run.backlink import INDEX_LINK_TEXT, with_index_link, without_index_link

PAGE = '<!DOCTYPE html><html><head><title>x</title></head><body class="jp">\n<h1>Briefing</h1></body></html>'


def test_the_link_follows_body_once_and_goes_out_leaving_the_page_as_it_was():
    linked = with_index_link(PAGE)
    assert linked.count('href="../index.html"') == 1 and INDEX_LINK_TEXT in linked
    assert linked.index("../index.html") > linked.index('<body class="jp">') and linked.index("../index.html") < \
        linked.index("<h1>")
    assert "@media print" in linked  # not on paper, where it could not be followed
    assert with_index_link(linked) == linked
    assert without_index_link(linked) == PAGE


def test_a_page_without_a_body_or_a_link_is_left_alone():
    assert with_index_link("<p>no body</p>") == "<p>no body</p>"
    assert without_index_link(PAGE) == PAGE
