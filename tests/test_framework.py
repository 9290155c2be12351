from pathlib import Path

import pytest
import yaml

from fundament_lib.core.errors import FrameworkError
from fundament_lib.core.paths import frameworks_dir
from fundament_lib.framework import BLOCKS, available_frameworks, load_framework


def test_fundament_2024_has_two_pejlemaerker_and_ten_themes(fw):
    assert [d.id for d in fw.domains] == ["P1", "P2"]
    ids = [t.id for t in fw.themes()]
    assert ids == [f"P1.{i}" for i in range(1, 6)] + [f"P2.{i}" for i in range(1, 6)]
    assert fw.theme("P1.3").title == "Klare arbejdsdelinger og forventninger"
    assert fw.domain_of("P2.4").id == "P2"


def test_every_theme_has_two_to_four_items_and_discussion_questions_with_pages(fw):
    for theme in fw.themes():
        assert 2 <= len(theme.items) <= 4, theme.id
        assert theme.discussion, theme.id
        assert all(6 <= q.page <= 13 for q in theme.discussion)


def test_codebook_covers_every_block_with_unique_ids(fw):
    cb = fw.codebook()
    assert cb["item_id"].is_unique
    assert set(cb["block"]) == set(BLOCKS)
    theme_rows = cb[cb["block"] == "theme"]
    assert len(theme_rows) == sum(len(t.items) for t in fw.themes())
    assert theme_rows["labels"].str.contains("Ved ikke").all()
    assert (cb.loc[cb["block"] == "outcome", "audience"] == "borgernaer").all()


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load((frameworks_dir() / "fundament2024.yaml").read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_malformed_framework_names_file_and_key(tmp_path):
    def one_item(raw):
        raw["domains"][0]["themes"][2]["items"] = raw["domains"][0]["themes"][2]["items"][:1]

    path = _write(tmp_path, one_item)
    with pytest.raises(FrameworkError, match=r"broken\.yaml.*domains\.0\.themes\.2\.items"):
        load_framework(path)


def test_undefined_scale_and_duplicate_ids_are_refused(tmp_path):
    path = _write(tmp_path, lambda raw: raw.update(theme_scale="nope"))
    with pytest.raises(FrameworkError, match="scale 'nope' is used but not defined"):
        load_framework(path)

    def dupe(raw):
        raw["domains"][1]["themes"][0]["items"][0]["id"] = "P1.1.1"

    with pytest.raises(FrameworkError, match=r"repeated: \['P1.1.1'\]"):
        load_framework(_write(tmp_path, dupe))


def test_unknown_framework_and_bad_yaml(tmp_path):
    with pytest.raises(FrameworkError, match="unknown framework 'nope'"):
        load_framework("nope")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(FrameworkError, match="not valid YAML"):
        load_framework(bad)
    assert "fundament2024" in available_frameworks()
