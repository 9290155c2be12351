"""HTML fragments as Pandoc markdown: for document formats that drop raw HTML (Quarto's Typst PDF).

A briefing's cells display HTML. Quarto passes HTML through to an HTML page, but its
Typst (PDF) path renders only what Pandoc reads as document structure: markdown
headings, paragraphs, lists, pipe tables and images. :func:`html_to_markdown`
rewrites any HTML fragment as that markdown, with markdownify doing the walking:

* every ASCII punctuation character of the text is backslash-escaped, which Pandoc
  reads as the character itself (``all_symbols_escapable``) — so free text cannot
  turn into emphasis, a citation (``@``), math (``$``), a list, a table cell break or
  a Quarto shortcode (``{{<``);
* tables become pipe tables with their ``<caption>`` as Pandoc's table caption,
  right-aligned where the header cell says so (``class="num"`` or ``text-align``), and
  column widths in proportion to their content;
* what is hidden from screen readers as decoration (``aria-hidden``) is left out, and a cell
  spanning rows (``rowspan``) leaves an empty cell in the rows below it;
* images embedded as ``data:`` URIs (the briefing's figures) are written to files in
  a media folder and referenced by relative path; a ``<figure>``'s ``<figcaption>``
  becomes the figure's caption and the image's ``alt`` its ``fig-alt``; inline ``<svg>``
  becomes an SVG file. Images that would be fetched from elsewhere are left out (their
  alt text stays), so nothing is fetched when the document is typeset.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import string
from pathlib import Path
from typing import Any

from markdownify import ATX, BACKSLASH, MarkdownConverter

__all__ = ["html_to_markdown", "escape_markdown", "MediaFolder"]

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_DATA_URI = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)(?P<params>(?:;[^,;]*)*?);base64,(?P<data>.*)\Z",
                       re.DOTALL)
_SUFFIX = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/svg+xml": ".svg",
           "image/webp": ".webp"}
_RIGHT = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)
_TEXT_WIDTH = 24  # characters a text column may claim before it wraps
_PADDING = 3  # characters' worth of a cell's inner margins


def escape_markdown(text: str) -> str:
    """Backslash-escape every ASCII punctuation character, so Pandoc reads ``text`` literally.

    Examples
    --------
    >>> escape_markdown("5 * 3 = 15 $ @KL [s. 4]")
    '5 \\\\* 3 \\\\= 15 \\\\$ \\\\@KL \\\\[s\\\\. 4\\\\]'
    """
    return _PUNCTUATION.sub(r"\\\1", text)


class MediaFolder:
    """Where images taken out of HTML are written, named by their content's hash.

    Parameters
    ----------
    root
        The folder the markdown document lives in (paths in the markdown are relative to it).
    name
        The media folder's name inside ``root``.
    """

    def __init__(self, root: Path, name: str = "media") -> None:
        self.root = Path(root)
        self.name = name
        self.written: list[Path] = []

    def save(self, data: bytes, mime: str) -> str | None:
        """Write ``data`` once and return its path relative to ``root`` (``None`` for a non-image)."""
        suffix = _SUFFIX.get(mime.lower())
        if suffix is None:
            return None
        relative = f"{self.name}/{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
        path = self.root / relative
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            self.written.append(path)
        return relative

    def save_data_uri(self, uri: str) -> str | None:
        """Decode a base64 ``data:`` URI and save it; ``None`` when it is not one (or not an image)."""
        m = _DATA_URI.match(uri.strip())
        if m is None:
            return None
        try:
            data = base64.b64decode(re.sub(r"\s+", "", m["data"]), validate=True)
        except (binascii.Error, ValueError):
            return None
        return self.save(data, m["mime"])


def html_to_markdown(html: str, media: MediaFolder) -> str:
    """Rewrite an HTML fragment as Pandoc markdown (see the module docstring).

    Parameters
    ----------
    html
        Any HTML fragment (a cell's ``text/html`` output).
    media
        Where embedded images are written.

    Returns
    -------
    str
        Markdown that Pandoc reads back as the same headings, paragraphs, lists,
        tables (with captions) and figures, and the same text.
    """
    return _Converter(media).convert(html).strip() + "\n"


def _attr_value(text: str) -> str:
    """A Pandoc attribute value in double quotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _plain(text: str) -> str:
    """Whitespace collapsed, as a browser shows it."""
    return " ".join(text.split())


class _Converter(MarkdownConverter):
    """markdownify, writing Pandoc's dialect (see the module docstring)."""

    def __init__(self, media: MediaFolder) -> None:
        super().__init__(heading_style=ATX, bullets="-", newline_style=BACKSLASH, escape_misc=False)
        self.media = media
        self._captions: dict[int, str] = {}

    def convert_soup(self, soup: Any) -> str:
        """Leave out what a browser hides from screen readers as decoration (``aria-hidden``; the
        briefing says it again in text for them), and give every row below a ``rowspan`` cell an
        empty cell in its place, so pipe-table columns stay aligned."""
        for hidden in soup.find_all(attrs={"aria-hidden": "true"}):
            hidden.decompose()
        for cell in soup.find_all(["td", "th"], rowspan=True):
            row, span = cell.find_parent("tr"), int(cell.get("rowspan") or 1)
            at = row.find_all(["td", "th"], recursive=False).index(cell)
            for below in row.find_next_siblings("tr", limit=span - 1):
                below.insert(at, soup.new_tag("td"))
        return str(super().convert_soup(soup))

    # ---- text ---------------------------------------------------------------------------------
    def escape(self, text: str, parent_tags: Any) -> str:
        return escape_markdown(text) if text else ""

    def convert_title(self, el: Any, text: str, parent_tags: Any) -> str:
        return ""  # a page's <title> is metadata, not text on the page

    def convert_hN(self, n: int, el: Any, text: str, parent_tags: Any) -> str:
        """A heading keeps its id as a Pandoc attribute (``{#id}``): the briefing's table of contents
        links to it, and Typst refuses a link to a label no heading carries."""
        out = super().convert_hN(n, el, text, parent_tags)  # type: ignore[misc]
        ident = el.get("id")
        if not ident or "_inline" in parent_tags or not re.fullmatch(r"[A-Za-z][\w.-]*", ident):
            return out
        return out.rstrip("\n") + f" {{#{ident}}}\n\n"

    # ---- images and figures ---------------------------------------------------------------------
    def _image(self, src: str, *, description: str, alt: str) -> str:
        path = self.media.save_data_uri(src)
        if path is None:  # fetched from elsewhere, or not an image: keep what it says, fetch nothing
            return escape_markdown(alt or description)
        attr = f"{{fig-alt={_attr_value(alt)}}}" if alt else ""
        return f"![{escape_markdown(description)}]({path}){attr}"

    def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
        alt = _plain(el.attrs.get("alt") or "")
        return self._image(el.attrs.get("src") or "", description="", alt=alt)

    def convert_figure(self, el: Any, text: str, parent_tags: Any) -> str:
        images = el.find_all("img")
        if len(images) != 1:
            return f"\n\n{text}\n\n"
        caption = el.find("figcaption")
        alt = _plain(images[0].attrs.get("alt") or "")
        described = _plain(caption.get_text(" ")) if caption is not None else ""
        # A lone image with a description is a figure to Pandoc; without a caption the alt text describes it.
        image = self._image(images[0].attrs.get("src") or "", description=described or alt, alt=alt)
        return f"\n\n{image}\n\n"

    def convert_svg(self, el: Any, text: str, parent_tags: Any) -> str:
        label = _plain(el.attrs.get("aria-label") or (el.title.get_text(" ") if el.title else ""))
        path = self.media.save(str(el).encode("utf-8"), "image/svg+xml")
        return f"\n\n![{escape_markdown(label)}]({path})\n\n"

    # ---- tables ---------------------------------------------------------------------------------
    def convert_caption(self, el: Any, text: str, parent_tags: Any) -> str:
        if el.parent is not None:
            self._captions[id(el.parent)] = _plain(text)
        return ""

    def convert_table(self, el: Any, text: str, parent_tags: Any) -> str:
        lines = [line for line in text.strip().splitlines() if line.strip()]
        rule = next((i for i, line in enumerate(lines) if _is_rule(line)), None)
        if rule is None:
            return f"\n\n{text.strip()}\n\n"
        lines[rule] = _rule(lines, _right_aligned(el))
        caption = self._captions.pop(id(el), "")
        below = f"\n\n: {caption}" if caption else ""
        return "\n\n" + "\n".join(lines) + below + "\n\n"


_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> list[str]:
    """The cells of a pipe-table line (``\\|`` inside a cell is text)."""
    return [c.strip() for c in _CELL_SPLIT.split(line.strip().strip("|"))] if line.strip() != "|" else []


def _is_rule(line: str) -> bool:
    cells = _cells(line)
    return bool(cells) and all(re.fullmatch(r":?-{3,}:?", c) for c in cells)


def _right_aligned(table: Any) -> list[bool]:
    """Per column, whether its header cell asks for right alignment."""
    first = table.find("tr")
    if first is None:
        return []
    flags = []
    for cell in first.find_all(["th", "td"]):
        classes = cell.attrs.get("class") or []
        right = "num" in classes or bool(_RIGHT.search(cell.attrs.get("style") or "")) \
            or (cell.attrs.get("align") or "").lower() == "right"
        span = int(cell["colspan"]) if str(cell.attrs.get("colspan", "")).isdigit() else 1
        flags += [right] * max(1, span)
    return flags


def _rule(lines: list[str], right: list[bool]) -> str:
    """The header rule: colons for alignment, dashes in proportion to what each column must fit.

    Pandoc sizes a wide pipe table's columns by these dashes. Numbers should not wrap, so a
    right-aligned column gets its widest cell; a text column at most :data:`_TEXT_WIDTH`
    characters (it wraps); no column is narrower than its header's longest word.
    """
    at = next(i for i, line in enumerate(lines) if _is_rule(line))
    head = [_cells(line) for line in lines[:at]]
    body = [_cells(line) for line in lines[at + 1:]]
    n = max(len(r) for r in [_cells(lines[at]), *head, *body])
    parts = []
    for i in range(n):
        numeric = i < len(right) and right[i]
        widest = max((_shown_len(r[i]) for r in body if i < len(r)), default=0)
        words = max((_shown_len(w) for r in head if i < len(r) for w in r[i].split()), default=0)
        width = max(4, words, widest if numeric else min(widest, _TEXT_WIDTH)) + _PADDING
        parts.append("-" * width + ":" if numeric else ":" + "-" * width)
    return "|" + "|".join(parts) + "|"


def _shown_len(cell: str) -> int:
    """Characters a cell shows (its escapes' backslashes do not)."""
    return len(re.sub(r"\\(.)", r"\1", cell))
