import pytest

from conftest import REPO
from fundament_lib.core.errors import ParamsError, UnknownKommuneError
from fundament_lib.core.params import deep_merge, load_params


def test_defaults_and_override(tmp_path):
    (tmp_path / "defaults.yaml").write_text("min_n: 5\npriority:\n  top: 3\n", encoding="utf-8")
    (tmp_path / "707.yaml").write_text("min_n: 7\npriority:\n  top: 2\ninvited: {stab: 20}\n",
                                       encoding="utf-8")
    p = load_params(tmp_path, "707")
    assert p.min_n == 7 and p.priority.top == 2 and p.invited == {"stab": 20}
    assert load_params(tmp_path, "101").min_n == 5


def test_invalid_params_name_file_and_key(tmp_path):
    (tmp_path / "707.yaml").write_text("min_n: 2\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"707\.yaml: invalid parameters — min_n: .*greater than or equal to 3"):
        load_params(tmp_path, "707")
    (tmp_path / "101.yaml").write_text("mystery: 1\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"101\.yaml.*mystery: Extra inputs are not permitted"):
        load_params(tmp_path, "101")
    (tmp_path / "825.yaml").write_text("kommunekode: 707\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="does not match the file name"):
        load_params(tmp_path, "825")
    with pytest.raises(UnknownKommuneError):
        load_params(tmp_path, "999")


def test_repository_params_validate():
    for path in [*(REPO / "params").glob("*.yaml"), *(REPO / "params" / "demo").glob("*.yaml")]:
        if path.stem.isdigit():
            load_params(REPO / "params", path.stem, demo=True)


def test_demo_overrides_reach_demo_data_only(tmp_path):
    """The demo's invited counts never give a kommune's own survey a response rate, and a kommune's
    own counts never reach the demo's briefing; its choices (min_n) apply to both."""
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "707.yaml").write_text("invited: {stab: 16, borgernaer: 84}\n", encoding="utf-8")
    assert load_params(tmp_path, "707").invited is None
    assert load_params(tmp_path, "707", demo=True).invited == {"stab": 16, "borgernaer": 84}
    (tmp_path / "707.yaml").write_text("min_n: 7\ninvited: {stab: 9, borgernaer: 40}\n", encoding="utf-8")
    own, demo = load_params(tmp_path, "707"), load_params(tmp_path, "707", demo=True)
    assert own.invited == {"stab": 9, "borgernaer": 40} and own.min_n == 7
    assert demo.invited == {"stab": 16, "borgernaer": 84} and demo.min_n == 7
    (tmp_path / "demo" / "707.yaml").unlink()
    assert load_params(tmp_path, "707", demo=True).invited is None


def test_the_committed_params_hold_no_demo_facts():
    """params/<kode>.yaml is a kommune's own: the demo's overrides live in params/demo/."""
    assert sorted(p.name for p in (REPO / "params").glob("*.yaml")) == ["defaults.yaml"]


def test_deep_merge_keeps_unrelated_keys():
    assert deep_merge({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}}) == {"a": {"x": 1, "y": 3}, "b": 1}
