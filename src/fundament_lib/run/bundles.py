"""Bundles: for each kommune, exactly what may be handed to that kommune.

A run's output folder belongs to the data holder (every kommune's briefing, the index of all
kommuner, the national overview, exports). What may go to one kommune is copied out of it
into ``OUT/til-kommunerne/``::

    OUT/til-kommunerne/707-norddjurs/       briefing.html, briefing.pdf (with --pdf), summary.json,
                                            briefing.ipynb (when it passes the check), manifest.json
    OUT/til-kommunerne/707-norddjurs.zip    the same folder as one file

The files are first read by the leak check (:mod:`fundament_lib.run.leaks`). A bundle that would
hold another kommune's code, name or a value that can be tied to it is not written (an older
one is removed) and the reasons are returned. The executed notebook is optional: one that
fails the check is left out, and the manifest says why.

``manifest.json`` lists every file with its size and SHA-256, the survey round and the run
date. It is written last: a bundle folder with a manifest whose hashes match is complete
(an interrupted run leaves none, and the next run writes the bundle again). A bundle whose
inputs have not changed since it was written is left as it is.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from fundament_lib import __version__
from fundament_lib.core import atomic, sharing
from fundament_lib.core.kommuner import kommune_name, official_name, slug

from . import leaks
from .backlink import without_index_link
from .leaks import Leak, check_files

__all__ = ["BUNDLES", "MANIFEST", "Bundle", "bundle_name", "write_bundle", "remove_bundle", "read_manifest",
           "bundle_files"]

BUNDLES = "til-kommunerne"  # beside the data holder's files in the output folder
MANIFEST = "manifest.json"
NOTEBOOK = "briefing.ipynb"
_REQUIRED = ("briefing.html", "summary.json")
_OPTIONAL = ("briefing.pdf", NOTEBOOK)

Status = Literal["written", "current", "refused"]


@dataclass
class Bundle:
    """What :func:`write_bundle` did for one kommune."""

    kommunekode: str
    status: Status
    folder: Path
    zip: Path
    leaks: list[Leak] = field(default_factory=list)  # why a refused bundle was not written
    left_out: dict[str, str] = field(default_factory=dict)  # optional file → why it is not in the bundle

    def reason(self) -> str:
        """One line on why the bundle was not written (empty when it was)."""
        if not self.leaks:
            return ""
        more = f" (and {len(self.leaks) - 1} more)" if len(self.leaks) > 1 else ""
        return f"bundle not written: {self.leaks[0]}{more}"


def bundle_name(code: str) -> str:
    """The bundle's folder name, e.g. ``"707-norddjurs"``, ``"825-laesoe"`` (plain ASCII for any zip tool)."""
    return f"{code}-{slug(kommune_name(code))}"


def bundle_files(source: Path) -> dict[str, bytes]:
    """The files of a briefing folder that a bundle may hold, by name (those that exist)."""
    files = {name: (source / name).read_bytes() for name in (*_REQUIRED, *_OPTIONAL) if (source / name).is_file()}
    if "briefing.html" in files:  # the link back to the run's index is the data holder's, not the kommune's
        files["briefing.html"] = without_index_link(files["briefing.html"].decode("utf-8")).encode("utf-8")
    return files


def write_bundle(source: Path, root: Path, code: str, *, inputs: str, allowed: Collection[str] = (),
                 min_n: int = 5, pdf: bool = False) -> Bundle:
    """Check a kommune's finished briefing folder and copy what may be handed over into its bundle.

    Parameters
    ----------
    source
        The kommune's folder of the run (``OUT/<kode>/``), complete.
    root
        The bundles' folder (``OUT/til-kommunerne/``).
    code
        The kommune.
    inputs
        The fingerprint of the briefing's inputs (:func:`fundament_lib.run.fingerprints.fingerprint`): with
        ``allowed``, ``min_n``, the files themselves and the checking code it decides whether an
        existing bundle is current.
    allowed
        Other kommuner it may name (:func:`fundament_lib.core.sharing.nameable`).
    min_n
        The kommune's threshold.
    pdf
        Whether the run made a PDF (then the bundle must hold it).

    Returns
    -------
    Bundle
        ``written``, ``current`` (left as it was) or ``refused`` (with the leaks; nothing of the
        bundle is left on disk).
    """
    name = bundle_name(code)
    result = Bundle(code, "current", root / name, root / f"{name}.zip")
    files = bundle_files(source)
    missing = [n for n in (*_REQUIRED, *(("briefing.pdf",) if pdf else ())) if n not in files]
    if missing:
        raise FileNotFoundError(f"{source}: no {', '.join(missing)} to bundle")
    if not pdf:
        files.pop("briefing.pdf", None)  # a PDF of an earlier run would not match the briefing
    stamp = _stamp(inputs, allowed, min_n, files)
    if _is_current(result, stamp):
        return result
    leaks = check_files(files, kommunekode=code, allowed=allowed, min_n=min_n, names=(name, f"{name}.zip"))
    in_notebook = [leak for leak in leaks if leak.file.startswith(NOTEBOOK)]
    if len(in_notebook) < len(leaks):
        remove_bundle(root, code)
        result.status, result.leaks = "refused", [leak for leak in leaks if leak not in in_notebook]
        return result
    if in_notebook:
        files.pop(NOTEBOOK)
        result.left_out[NOTEBOOK] = f"holds something about another kommune: {in_notebook[0]}"
    manifest = _manifest(code, name, files, json.loads(files["summary.json"]), result.left_out, stamp, allowed)
    _write(result, files, manifest)
    result.status = "written"
    return result


def remove_bundle(root: Path, code: str) -> None:
    """Remove a kommune's bundle (folder and zip), e.g. when its briefing failed or would leak."""
    name = bundle_name(code)
    (root / name / MANIFEST).unlink(missing_ok=True)  # first: a folder without a manifest is incomplete
    shutil.rmtree(root / name, ignore_errors=True)
    (root / f"{name}.zip").unlink(missing_ok=True)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """A bundle's manifest, or ``None`` where there is none (or it cannot be read)."""
    try:
        data: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def _stamp(inputs: str, allowed: Collection[str], min_n: int, files: dict[str, bytes]) -> str:
    """What a bundle is made from: the briefing's inputs, the agreement, the threshold, the source files
    and the code that checks and packs them."""
    checker = b"".join(Path(m).read_bytes() for m in (__file__, leaks.__file__, sharing.__file__))
    parts = {"inputs": inputs, "allowed": sorted(allowed), "min_n": min_n, "library": __version__,
             "checker": _sha256(checker), "files": {n: _sha256(data) for n, data in sorted(files.items())}}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _is_current(b: Bundle, stamp: str) -> bool:
    """A bundle made from the same inputs whose files are all there, unchanged, and zipped."""
    manifest = read_manifest(b.folder)
    if manifest is None or manifest.get("stamp") != stamp or not b.zip.is_file():
        return False
    for f in manifest.get("files", []):
        path = b.folder / f["name"]
        if not path.is_file() or _sha256(path.read_bytes()) != f["sha256"]:
            return False
    return True


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(code: str, name: str, files: dict[str, bytes], summary: dict[str, Any], left_out: dict[str, str],
              stamp: str, allowed: Collection[str]) -> dict[str, Any]:
    started = str(summary.get("provenance", {}).get("run_started", ""))
    return {
        "bundle": name,
        "kommunekode": code,
        "kommune": official_name(code),
        "survey_round": summary.get("wave"),
        "previous_round": summary.get("previous_wave"),
        "run_date": started[:10],
        "run_started": started,
        "framework": f"{summary.get('framework')} {summary.get('framework_version')}",
        "schema_version": summary.get("schema_version"),
        "library_version": __version__,
        "names_shared_with": sorted(allowed),
        "files": [{"name": n, "bytes": len(data), "sha256": _sha256(data)} for n, data in sorted(files.items())],
        "left_out": [{"name": n, "reason": why} for n, why in left_out.items()],
        "checked": ("Ingen anden kommunes kode eller navn og ingen værdi, der kan knyttes til en anden kommune "
                    "(fundament_lib.run.leaks)."),
        "stamp": stamp,
    }


def _write(b: Bundle, files: dict[str, bytes], manifest: dict[str, Any]) -> None:
    """Files first, each atomically; files of an earlier bundle that this one lacks removed; the zip;
    the manifest last."""
    (b.folder / MANIFEST).unlink(missing_ok=True)
    for n, data in files.items():
        atomic.write_bytes(b.folder / n, data)
    for old in b.folder.iterdir():  # e.g. a notebook now left out, a PDF of an earlier run, a temporary file
        if old.name in files or old.name == MANIFEST:
            continue
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink()
    text = atomic.json_text(manifest).encode("utf-8")
    atomic.write_bytes(b.zip, _zip(b.folder.name, {**files, MANIFEST: text}, manifest["run_started"]))
    atomic.write_bytes(b.folder / MANIFEST, text)


def _zip(name: str, files: dict[str, bytes], started: str) -> bytes:
    """The bundle as a zip of one folder; the same files give the same bytes (entries dated by the run)."""
    try:
        when = datetime.fromisoformat(started).timetuple()[:6]
    except ValueError:
        when = (1980, 1, 1, 0, 0, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n in sorted(files):
            info = zipfile.ZipInfo(f"{name}/{n}", date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[n])
    return buf.getvalue()
