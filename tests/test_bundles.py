"""Each kommune's bundle: what may be handed to that kommune, checked before it is written.

Runs on the demo answers of ten kommuner (enough to compare with) — a tiny fixture notebook for
the mechanics (manifest, zip, resuming, a refused bundle, a notebook left out), and the real
briefing with a PDF for two kommuner: Aarhus, which agreed with Odense to share names, and
Norddjurs, which did not.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import demo_subset
from fundament_lib.core.kommuner import kommuner
from fundament_lib.results.tablecache import CACHE_FOLDER, cache_folder
from fundament_lib.run.backlink import without_index_link
from fundament_lib.run.batch import run
from fundament_lib.run.bundles import BUNDLES, MANIFEST, bundle_name
from fundament_lib.run.finish import REFUSED
from fundament_lib.run.leaks import pdf_text

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent / "fixtures"
LEAKY = FIXTURES / "bundles" / "leaky.ipynb"  # 707's page names Aarhus; 101's notebook (not its page) names Odense
CODES = ["101", "147", "151", "153", "157", "461", "707", "751", "825", "851"]
REF = kommuner()


@pytest.fixture(scope="module")
def ten(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_subset(project, CODES, tmp_path_factory.mktemp("ten"))


@pytest.fixture
def params(project: Path, tmp_path: Path) -> Path:
    """The project's params; Aarhus and Odense have agreed to share names."""
    folder = tmp_path / "params"
    shutil.copytree(project / "params", folder)
    for code in ("751", "461"):
        path = folder / f"{code}.yaml"
        path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + "\nshare_names: true\n",
                        encoding="utf-8")
    return folder


def _bundle(out: Path, code: str) -> Path:
    return out / BUNDLES / bundle_name(code)


def _check_manifest(out: Path, code: str) -> dict[str, Any]:
    """The manifest agrees with the files, the zip holds exactly the folder, the summary's round and date."""
    folder = _bundle(out, code)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    on_disk = {p.name for p in folder.iterdir()}
    assert on_disk == {f["name"] for f in manifest["files"]} | {MANIFEST}
    for f in manifest["files"]:
        data = (folder / f["name"]).read_bytes()
        assert f["bytes"] == len(data) and f["sha256"] == hashlib.sha256(data).hexdigest()
        run_file = (out / code / f["name"]).read_bytes()
        if f["name"] == "briefing.html":  # the run's page less its link back to the data holder's index
            assert b"../index.html" in run_file and (out / "index.html").is_file()
            assert b"index.html" not in data
            run_file = without_index_link(run_file.decode("utf-8")).encode("utf-8")
        assert data == run_file  # the very files of the run
    with zipfile.ZipFile(folder.with_suffix(".zip")) as zf:
        assert sorted(zf.namelist()) == sorted(f"{folder.name}/{n}" for n in on_disk)
        assert all(zf.read(f"{folder.name}/{n}") == (folder / n).read_bytes() for n in on_disk)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert manifest["kommunekode"] == code and manifest["survey_round"] == summary["wave"]
    assert manifest["run_date"] == summary["provenance"]["run_started"][:10]
    return manifest


def test_bundles_are_written_checked_refused_and_resumed(ten, params, tmp_path):
    out = tmp_path / "out"
    report = run(ten, out=out, params=params, notebook=LEAKY, kommuner=["707", "101", "147", "825"], workers=2)
    by_code = {o.kommunekode: o for o in report.outcomes}

    # 707's page names Aarhus: no bundle, the kommune fails with the reason, the briefing stays for the holder.
    assert not report.ok and [o.kommunekode for o in report.failed] == ["707"]
    assert by_code["707"].error.startswith("bundle not written: briefing.html: the name of 751 Aarhus")
    assert not _bundle(out, "707").exists() and not _bundle(out, "707").with_suffix(".zip").exists()
    assert "751 Aarhus" in (out / "707" / REFUSED).read_text(encoding="utf-8")
    assert (out / "707" / "briefing.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "pakken er ikke skrevet" in index and 'href="707/briefing.html"' in index

    # 101's notebook (not its page) names Odense: the bundle goes out without the notebook, and says why.
    manifest = _check_manifest(out, "101")
    assert {f["name"] for f in manifest["files"]} == {"briefing.html", "summary.json"}
    assert manifest["left_out"][0]["name"] == "briefing.ipynb" and "461 Odense" in manifest["left_out"][0]["reason"]
    for code in ("147", "825"):
        assert {f["name"] for f in _check_manifest(out, code)["files"]} == {"briefing.html", "briefing.ipynb",
                                                                          "summary.json"}
    assert sorted(p.name for p in (out / BUNDLES).iterdir()) == sorted(
        f"{bundle_name(c)}{ext}" for c in ("101", "147", "825") for ext in ("", ".zip"))
    for code in ("101", "147", "825"):
        assert f"{bundle_name(code)}.zip" in index
    # The national tables the run kept (unsuppressed) stay beside the data: not in the output, not in a bundle.
    assert any(cache_folder(ten).glob("*.pickle"))
    assert not [f for f in out.rglob("*") if CACHE_FOLDER in f.parts or f.suffix == ".pickle"]

    # Unchanged inputs: the bundles are left as they are, byte for byte.
    zips = {c: _bundle(out, c).with_suffix(".zip").read_bytes() for c in ("101", "147", "825")}
    again = run(ten, out=out, params=params, notebook=LEAKY, kommuner=["707", "101", "147", "825"], workers=2)
    assert [o.kommunekode for o in again.failed] == ["707"] and all(o.seconds == 0 for o in again.outcomes)
    assert {o.kommunekode: o.bundle for o in again.outcomes} == {"707": "refused", "101": "current",
                                                                 "147": "current", "825": "current"}
    assert all(_bundle(out, c).with_suffix(".zip").read_bytes() == z for c, z in zips.items())

    # What an interruption or a hand leaves behind is made whole again: no manifest, a changed file, no zip.
    (_bundle(out, "147") / MANIFEST).unlink()
    (_bundle(out, "825") / "summary.json").write_text("{}", encoding="utf-8")
    _bundle(out, "101").with_suffix(".zip").unlink()
    again = run(ten, out=out, params=params, notebook=LEAKY, kommuner=["101", "147", "825"], workers=2)
    assert again.executed == [] and {o.bundle for o in again.outcomes} == {"written"}
    for code in ("101", "147", "825"):
        _check_manifest(out, code)

    # Norddjurs agrees to share names too: Aarhus (agreed) may now be named in its bundle.
    (params / "707.yaml").write_text("share_names: true\n", encoding="utf-8")
    agreed = run(ten, out=out, params=params, notebook=LEAKY, kommuner=["707"], workers=1)
    assert agreed.ok and agreed.outcomes[0].bundle == "written" and not (out / "707" / REFUSED).exists()
    assert _check_manifest(out, "707")["names_shared_with"] == ["461", "751"]


def _visible_text(data: bytes, name: str) -> str:
    """What a reader of the file can read: page text and attributes, JSON, notebook, PDF (images left out)."""
    if name.endswith(".pdf"):
        return pdf_text(data)
    return html.unescape(re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+", "", data.decode("utf-8")))


@pytest.mark.browser
def test_no_bundle_names_another_kommune_unless_both_agreed(ten, params, project, tmp_path, chromium):
    out = tmp_path / "out"
    report = run(ten, out=out, params=params, notebook=project / "notebooks" / "kommune_briefing.ipynb",
                 kommuner=["707", "751"], workers=2, pdf=True)
    assert report.ok, report.outcomes
    agreed = {"707": set(), "751": {"461"}}  # Aarhus and Odense agreed; Norddjurs did not
    for code, allowed in agreed.items():
        manifest = _check_manifest(out, code)
        assert "briefing.pdf" in {f["name"] for f in manifest["files"]}
        for f in manifest["files"]:
            text = _visible_text((_bundle(out, code) / f["name"]).read_bytes(), f["name"])
            named = {c for c, name in REF["navn"].items() if c != code and re.search(rf"\b{re.escape(name)}s?\b", text)}
            coded = {c for c in REF.index if c != code and re.search(rf'"{c}"|\({c}\)|/{c}/', text)}
            assert named <= allowed and coded <= allowed, (code, f["name"], named, coded)
        assert REF.loc[code, "navn"] in _visible_text((_bundle(out, code) / "briefing.pdf").read_bytes(), ".pdf")
    national = json.loads((_bundle(out, "751") / "summary.json").read_text(encoding="utf-8"))["national"]
    assert [n["kommune"] for n in national["named"]] == ["Odense"]  # the agreement is used, and only it
    assert json.loads((_bundle(out, "707") / "summary.json").read_text(encoding="utf-8"))["national"]["named"] == []
