"""The leak check: what a kommune's bundle must not hold about any other kommune.

Before a bundle is written (:mod:`fundament_lib.run.bundles`) every file in it is read as
its reader would read it and searched for

* **other kommuners' names** — the short name and its genitive («Aarhus», «Københavns»),
  as whole words, in the page text, attributes (a figure's alt text, a link), JSON strings,
  the notebook's cells, outputs and metadata, and the PDF's text;
* **other kommuners' codes** where a code can stand for a kommune: a JSON string or a
  ``kommunekode`` field, a number in parentheses («(751)»), after «kommune»/«kode», in a link
  or a path, and in file names. A bare number in a table is a count, not a code;
* **linkable values** in ``summary.json``: the ``national`` field must be the anonymous
  distribution of :mod:`fundament_lib.core.sharing` (per id, whole numbers in ascending order, no
  per-kommune records), and a rank, percentile or count over a set of kommuner may be given
  only where the set holds at least ``min_n`` others.

Kommuner both sides agreed to name (``share_names``) are allowed. A figure's pixels are not
read: figures are drawn from the summary, which is checked, and their alt text is.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from fundament_lib.core.kommuner import kommuner, slug
from fundament_lib.core.sharing import COMPARISON_SCOPES, enough_others

__all__ = ["Leak", "check_files", "check_summary", "pdf_text"]

_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")
_WORD = r"[\wæøåÆØÅéü]"
_CODE_CONTEXTS = (
    re.compile(r"\((\d{3})\)"),  # «Aarhus (751)»
    re.compile(r"(?i)\b(?:kommune|kommunekode|kode)\W{0,3}(\d{3})(?!\d)"),
)
_LINK = re.compile(r"(?:href|src)\s*=\s*[\"']([^\"']*)[\"']")
# A path component that is a kommune's folder or file: "751", "751-aarhus", "751_summary.json".
_PATH_CODE = re.compile(r"^(\d{3})(?:$|[-_ .])")


@dataclass(frozen=True)
class Leak:
    """One thing in a file that belongs to another kommune."""

    file: str
    what: str  # e.g. "the name of 751 Aarhus"
    where: str  # a JSON path or a snippet of the text around it

    def __str__(self) -> str:
        return f"{self.file}: {self.what} ({self.where})"


class _Others:
    """Patterns for the kommuner a bundle may not mention: all but its own and the agreed ones."""

    def __init__(self, code: str, allowed: Collection[str]) -> None:
        ref = kommuner()
        self.code = code
        self.codes = {c: str(n) for c, n in ref["navn"].items() if c != code and c not in set(allowed)}
        self.by_name = {n: c for c, n in self.codes.items()}
        names = sorted(self.by_name, key=len, reverse=True)  # "Frederikssund" before "Frederiks…"
        self.name_re = re.compile(rf"(?<!{_WORD})({'|'.join(map(re.escape, names))})s?(?!{_WORD})") if names else None
        self.by_slug = {slug(n): c for c, n in self.codes.items()}
        slugs = sorted(self.by_slug, key=len, reverse=True)
        self.slug_re = re.compile(rf"(?<![a-z0-9])({'|'.join(map(re.escape, slugs))})s?(?![a-z0-9])") if slugs else None

    def label(self, code: str) -> str:
        return f"{code} {self.codes[code]}"

    def names_in(self, text: str) -> Iterator[tuple[str, str]]:
        """(code, snippet) for each other kommune's name in ``text``."""
        if self.name_re is None:
            return
        for m in self.name_re.finditer(text):
            yield self.by_name[m.group(1)], _snippet(text, m.start(), m.end())

    def codes_in(self, text: str) -> Iterator[tuple[str, str]]:
        """(code, snippet) for each other kommune's code where a code can stand for a kommune."""
        for pattern in _CODE_CONTEXTS:
            for m in pattern.finditer(text):
                if m.group(1) in self.codes:
                    yield m.group(1), _snippet(text, m.start(), m.end())

    def in_path(self, text: str) -> Iterator[tuple[str, str]]:
        """Other kommuners' codes and names as parts of a path, a link or a file name."""
        for part in re.split(r"[/\\]", text):
            m = _PATH_CODE.match(part)
            if m and m.group(1) in self.codes:
                yield m.group(1), text
            plain = slug(part)  # "751-Aarhus_Kommune.zip" → "751-aarhus-kommune-zip"
            for hit in (self.slug_re.finditer(plain) if self.slug_re is not None else ()):
                yield self.by_slug[hit.group(1)], text


def _snippet(text: str, start: int, end: int, width: int = 40) -> str:
    """The words around a find, without markup (a tag cut at either end included)."""
    part = text[max(0, start - width):end + width]
    return " ".join(re.sub(r"<[^<>]*>|^[^<>]*>|<[^<>]*$", " ", part).split())


def check_files(files: Mapping[str, bytes], *, kommunekode: str, allowed: Collection[str] = (),
                min_n: int = 5, names: Collection[str] = ()) -> list[Leak]:
    """Everything in a bundle's files that belongs to another kommune (see the module docstring).

    Parameters
    ----------
    files
        File name → content, as the bundle would hold them (``.html``, ``.json``, ``.ipynb``,
        ``.pdf``; other kinds are searched as text).
    kommunekode
        The kommune the bundle is for.
    allowed
        Other kommuner it may name (:func:`fundament_lib.core.sharing.nameable`).
    min_n
        The kommune's threshold, for the comparisons in ``summary.json``.
    names
        Further names to check as file names (the bundle's folder and zip).

    Returns
    -------
    list of Leak
        Empty when the files may be handed to the kommune.
    """
    others = _Others(kommunekode, allowed)
    leaks = [Leak(name, f"the code or name of {others.label(c)} in the name", name)
             for name in names for c, _ in others.in_path(name)]
    for name, data in files.items():
        leaks += [Leak(name, f"the code or name of {others.label(c)} in the file name", name)
                  for c, _ in others.in_path(name)]
        if name.endswith(".json"):
            leaks += _json_leaks(name, json.loads(data.decode("utf-8")), others)
            if name == "summary.json":
                leaks += [Leak(name, what, where) for what, where in
                          check_summary(json.loads(data.decode("utf-8")), allowed=allowed, min_n=min_n)]
        elif name.endswith(".ipynb"):
            leaks += _notebook_leaks(name, json.loads(data.decode("utf-8")), others)
        elif name.endswith(".pdf"):
            try:
                text = pdf_text(data)
            except Exception as exc:  # pypdf raises several types for a broken file
                leaks.append(Leak(name, "a PDF that cannot be read, so it cannot be checked", type(exc).__name__))
                continue
            leaks += _text_leaks(name, text, others)
        else:
            leaks += _text_leaks(name, data.decode("utf-8", errors="replace"), others)
    return list(dict.fromkeys(leaks))  # each leak once, in the order found


def _text_leaks(file: str, text: str, others: _Others) -> list[Leak]:
    """Names and codes in a page or document (HTML markup and attributes included, images left out)."""
    plain = html.unescape(_DATA_URI.sub("data:", text))
    found = [Leak(file, f"the name of {others.label(c)}", where) for c, where in others.names_in(plain)]
    found += [Leak(file, f"the code of {others.label(c)}", where) for c, where in others.codes_in(plain)]
    found += [Leak(file, f"the code or name of {others.label(c)} in a link", where)
              for m in _LINK.finditer(plain) for c, where in others.in_path(m.group(1))]
    return found


def _walk(obj: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(path, key, value) of every scalar in a JSON document (``key`` is the dict key or ``None``)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, dict | list):
                yield from _walk(v, f"{path}.{k}" if path else str(k))
            else:
                yield f"{path}.{k}" if path else str(k), k, v
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            if isinstance(v, dict | list):
                yield from _walk(v, f"{path}[{i}]")
            else:
                yield f"{path}[{i}]", None, v


def _json_leaks(file: str, doc: Any, others: _Others) -> list[Leak]:
    """Other kommuners' codes (as a string value, or any value of a ``kommunekode`` field) and names."""
    found = []
    for path, key, value in _walk(doc):
        text = str(value) if value is not None else ""
        if text in others.codes and (isinstance(value, str) or key == "kommunekode"):
            found.append(Leak(file, f"the code of {others.label(text)}", path))
        if isinstance(value, str):
            found += [Leak(file, f"the name of {others.label(c)}", f"{path}: {where}")
                      for c, where in others.names_in(value)]
            found += [Leak(file, f"the code of {others.label(c)}", f"{path}: {where}")
                      for c, where in others.codes_in(value)]
            if "/" in value or "\\" in value:
                found += [Leak(file, f"the code or name of {others.label(c)} in a path", f"{path}: {where}")
                          for c, where in others.in_path(value)]
    return found


def _notebook_leaks(file: str, nb: dict[str, Any], others: _Others) -> list[Leak]:
    """The notebook's metadata (Papermill's parameters and paths), cell sources and outputs."""
    found = _json_leaks(file, nb.get("metadata", {}), others)
    for i, cell in enumerate(nb.get("cells", [])):
        where = f"{file} cell {i + 1}"
        found += _text_leaks(where, _joined(cell.get("source", "")), others)
        found += [Leak(where, f"the code or name of {others.label(c)} in a path", p)
                  for c, p in _paths(cell.get("source", ""), others)]
        found += _json_leaks(where, cell.get("metadata", {}), others)
        for out in cell.get("outputs", []):
            texts = [_joined(out.get("text", ""))] + [_joined(v) for k, v in out.get("data", {}).items()
                                                      if not k.startswith("image/")]
            texts += [str(out.get("evalue", "")), "\n".join(out.get("traceback", []))]
            for text in texts:
                found += _text_leaks(where, text, others)
    return found


def _paths(source: Any, others: _Others) -> Iterator[tuple[str, str]]:
    """Codes in quoted strings that look like paths (``"/…/reports/751/summary.json"``)."""
    for m in re.finditer(r"[\"']([^\"']*/[^\"']*)[\"']", _joined(source)):
        yield from others.in_path(m.group(1))


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


@cache
def _pdf_reader() -> Any:
    from pypdf import PdfReader

    return PdfReader


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF (pypdf), as a reader could copy it."""
    reader = _pdf_reader()(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


# ---- linkable values in a summary ------------------------------------------------------------------
_NATIONAL_KEYS = {"n_kommuner", "digits", "scores", "named"}
_NATIONAL_ROW_KEYS = {"id", "own", "n_others", "others"}


def check_summary(s: Mapping[str, Any], *, allowed: Collection[str] = (), min_n: int = 5) -> list[tuple[str, str]]:
    """Values in a summary that could be tied to another kommune: (what, JSON path) for each.

    The ``national`` field must be the anonymous distribution (:func:`fundament_lib.core.sharing.
    national_view`), naming only ``allowed`` kommuner; benchmark ranks and bench-learning
    counts must cover at least ``min_n`` other kommuner (:func:`fundament_lib.core.sharing.enough_others`).
    """
    found = _national_problems(s.get("national"), allowed, min_n)
    bench = pd.DataFrame(s.get("benchmark") or [])
    for i, row in enumerate(s.get("benchmark") or []):
        for suffix, size in COMPARISON_SCOPES:
            if row.get(f"rank{suffix}") is not None and not enough_others(row.get(size), min_n):
                found.append((f"a rank among {row.get(size)} kommuner (fewer than {min_n} others)",
                              f"benchmark[{i}].rank{suffix}"))
    sizes = bench.set_index("id") if not bench.empty else None
    for i, p in enumerate((s.get("priority") or {}).get("priorities") or []):
        b = p.get("benchlearning") or {}
        for key, size in (("n_higher", "n_kommuner"), ("same_group", "n_kommunegruppe"), ("same_region", "n_region")):
            n = sizes.loc[p["theme"], size] if sizes is not None and p["theme"] in sizes.index else None
            if b.get(key) is not None and not enough_others(n, min_n):
                found.append((f"a count among {n} kommuner (fewer than {min_n} others)",
                              f"priority.priorities[{i}].benchlearning.{key}"))
    return found


def _national_problems(national: Any, allowed: Collection[str], min_n: int) -> list[tuple[str, str]]:
    if national is None:
        return []
    if not isinstance(national, dict) or set(national) - _NATIONAL_KEYS:
        return [("fields beside the anonymous distribution", "national")]
    found = []
    for i, row in enumerate(national.get("scores") or []):
        where = f"national.scores[{i}]"
        if not isinstance(row, dict) or set(row) - _NATIONAL_ROW_KEYS:
            found.append(("a record with more than id, own and the sorted values (linkable)", where))
            continue
        values = row.get("others") or []
        if any(not isinstance(v, int) for v in values) or values != sorted(values):
            found.append(("values not rounded as shown or not in ascending order (the order could link them)",
                          f"{where}.others"))
        if values and (len(values) < min_n or row.get("n_others") != len(values)):
            found.append((f"a distribution of {len(values)} other kommuner (fewer than {min_n}, or not all)",
                          f"{where}.others"))
    for i, named in enumerate(national.get("named") or []):
        if named.get("kommunekode") not in set(allowed):
            found.append((f"{named.get('kommunekode')} named without an agreement on both sides",
                          f"national.named[{i}]"))
    return found
