import numpy as np
import pandas as pd

from fundament_lib.results.privacy import hidden_children, suppress


def test_a_small_group_hides_its_complement():
    assert hidden_children(43, {"stab": 3, "borgernaer": 40}, 5) == {"stab": "few", "borgernaer": "complement"}


def test_hidden_total_of_at_least_the_threshold_needs_no_complement():
    assert hidden_children(60, {"a": 3, "b": 2, "c": 55}, 5) == {"a": "few", "b": "few"}
    assert hidden_children(60, {"a": 6, "b": 54}, 5) == {}


def test_parent_below_threshold_hides_everything():
    assert hidden_children(4, {"stab": 1, "borgernaer": 3}, 5) == {"stab": "few", "borgernaer": "few"}


def test_empty_group_needs_no_complement():
    assert hidden_children(40, {"stab": 0, "borgernaer": 40}, 5) == {"stab": "empty"}


def test_suppress_blanks_numbers_and_states_the_reason():
    cells = pd.DataFrame({
        "id": ["T"] * 3 + ["U"] * 3,
        "group": ["alle", "stab", "borgernaer"] * 2,
        "n": [43, 3, 40, 46, 6, 40],
        "score": [50.0, 70.0, 48.0, 51.0, 60.0, 49.0],
    })
    out = suppress(cells, min_n=5, keys=["id"], values=["score"])
    t = out[out["id"] == "T"].set_index("group")
    assert t.loc["stab", "suppression"] == "few" and t.loc["borgernaer", "suppression"] == "complement"
    assert np.isnan(t.loc["stab", "score"]) and pd.isna(t.loc["borgernaer", "n"])
    assert t.loc["alle", "score"] == 50.0 and not t.loc["alle", "suppressed"]
    assert not out[out["id"] == "U"]["suppressed"].any()


def test_no_hidden_group_can_be_recomputed_from_what_is_shown(rng):
    """Try every family: if a hidden child's n or sum could be derived from shown cells, fail."""
    for _ in range(500):
        stab, borg = int(rng.integers(0, 12)), int(rng.integers(0, 40))
        cells = pd.DataFrame({"id": "T", "group": ["alle", "stab", "borgernaer"],
                              "n": [stab + borg, stab, borg], "score": [1.0, 2.0, 3.0]})
        out = suppress(cells, min_n=5, keys=["id"], values=["score"]).set_index("group")
        shown = out[~out["suppressed"]]
        hidden = out[out["suppressed"]]
        if "alle" in shown.index and not hidden.empty:
            # alle minus every shown child = the hidden children together: must cover >= 5 people
            kids_shown = [g for g in ("stab", "borgernaer") if g in shown.index]
            recovered_n = shown.loc["alle", "n"] - sum(shown.loc[g, "n"] for g in kids_shown)
            assert recovered_n == 0 or recovered_n >= 5


def test_screen_removes_markup_names_and_contacts():
    from fundament_lib.results.textscreen import screen

    out = screen("<script>alert(1)</script> Spørg Karin Holm på 12 34 56 78 eller k@x.dk. HR svarer sent.")
    assert "<" not in out.text and "Karin" not in out.text and "12 34" not in out.text and "@" not in out.text
    assert "HR svarer sent" in out.text  # abbreviations and ordinary words stay
    assert sorted(set(out.removed)) == ["e-mail", "kode", "navn", "telefon"]
    assert screen("Når Økonomi svarer sent, går det galt.").removed == []
