"""A4 PDFs of briefings for board papers, printed by headless Chromium.

Chromium prints the very page a director opens: the same HTML, the same
print stylesheet (``@page`` A4 and margins, figures and tables kept whole,
headings kept with what follows), checked by the same browser tests. The PDF is
tagged (a structure tree for screen readers), has bookmarks from the headings,
and a footer with the briefing's title and "Side N af M".

One file::

    html_to_pdf("reports/707/briefing.html", "reports/707/briefing.pdf")

Many files, one browser (starting Chromium costs about a second; a briefing
then prints in under one)::

    with PdfPrinter() as printer:
        for folder in folders:
            printer.print(folder / "briefing.html", folder / "briefing.pdf")

The page is opened with the network blocked and JavaScript off; nothing it
asks for leaves the machine. Each PDF is written atomically.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from fundament_lib.core import atomic
from fundament_lib.core.errors import RenderError

from .browser import launch, offline_context

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

__all__ = ["html_to_pdf", "PdfPrinter", "PDF_OPTIONS", "FOOTER_TEMPLATE"]

# Chromium fills the spans by class; it shows nothing of the page's own CSS here.
FOOTER_TEMPLATE = (
    '<div style="font-family: Arial, \'Liberation Sans\', sans-serif; font-size: 8pt; color: #4a4a4a; '
    'width: 100%; box-sizing: border-box; padding: 0 14mm; display: flex; justify-content: space-between;">'
    '<span class="title"></span><span>Side <span class="pageNumber"></span> af '
    '<span class="totalPages"></span></span></div>'
)

PDF_OPTIONS: dict[str, Any] = {
    "format": "A4",
    "prefer_css_page_size": True,  # the stylesheet's @page (A4, margins) rules
    "print_background": True,
    "display_header_footer": True,
    "header_template": "<span></span>",
    "footer_template": FOOTER_TEMPLATE,
    "tagged": True,
    "outline": True,
}


def html_to_pdf(html_path: str | Path, pdf_path: str | Path, *, executable: str | Path | None = None,
                timeout: float = 120.0) -> Path:
    """Print one HTML file to an A4 PDF (starts and stops a browser; for many files use :class:`PdfPrinter`).

    Parameters
    ----------
    html_path
        The page to print, e.g. ``reports/707/briefing.html``.
    pdf_path
        Where to write the PDF (atomically; parent folders are created).
    executable
        Chromium to use (default: see :func:`fundament_lib.run.browser.find_chromium`).
    timeout
        Seconds allowed for loading and printing the page.

    Returns
    -------
    Path
        ``pdf_path``.

    Raises
    ------
    RenderError
        When Chromium is missing (the message says how to install it), does not
        start, or cannot print the page; or when ``html_path`` does not exist.

    Notes
    -----
    Works inside a running event loop too (JupyterLab): it then prints from a
    thread of its own.
    """
    if _event_loop_running():  # e.g. in JupyterLab: Playwright's sync API needs a thread of its own
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(_print_one, html_path, pdf_path, executable, timeout).result()
    return _print_one(html_path, pdf_path, executable, timeout)


def _print_one(html_path: str | Path, pdf_path: str | Path, executable: str | Path | None,
               timeout: float) -> Path:
    if not Path(html_path).is_file():  # before starting a browser for nothing
        raise RenderError(f"{html_path}: no such HTML file to print")
    with PdfPrinter(executable=executable, timeout=timeout) as printer:
        return printer.print(html_path, pdf_path)


def _event_loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class PdfPrinter:
    """One headless Chromium that prints many HTML files to A4 PDF.

    Parameters
    ----------
    executable
        Chromium to use (default: see :func:`fundament_lib.run.browser.find_chromium`).
    timeout
        Seconds allowed for loading and printing one page.
    browser
        A browser already started with :func:`fundament_lib.run.browser.launch` to print
        with (it stays open); by default the printer starts its own and stops it.

    Notes
    -----
    Use it as a context manager, from one thread (Playwright's sync API is bound to
    the thread that started it, and one thread runs one Playwright at a time: pass
    ``browser`` to print while another part of the program has a browser open).
    ``seconds`` adds up the time spent printing; ``blocked`` lists requests refused.

    Examples
    --------
    >>> with PdfPrinter() as printer:  # doctest: +SKIP
    ...     printer.print("reports/707/briefing.html", "reports/707/briefing.pdf")
    """

    def __init__(self, *, executable: str | Path | None = None, timeout: float = 120.0,
                 browser: Browser | None = None) -> None:
        self.executable = executable
        self.timeout = timeout
        self.seconds = 0.0
        self.blocked: list[str] = []
        self._browser = browser
        self._stack: ExitStack | None = None
        self._context: BrowserContext | None = None

    def __enter__(self) -> PdfPrinter:
        if self._browser is None and _event_loop_running():
            raise RenderError("PdfPrinter cannot start inside a running event loop (e.g. a Jupyter cell); "
                              "use html_to_pdf there, or start the printer in a thread of its own")
        stack = ExitStack()
        try:
            browser = self._browser or stack.enter_context(launch(self.executable))
            self._context, self.blocked = offline_context(browser, java_script_enabled=False)
            stack.callback(self._context.close)
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop the browser (also done on leaving the ``with`` block)."""
        if self._stack is not None:
            self._stack.close()
        self._stack = self._context = None

    def print(self, html_path: str | Path, pdf_path: str | Path) -> Path:
        """Print ``html_path`` to ``pdf_path`` (A4, written atomically).

        Returns
        -------
        Path
            ``pdf_path``.

        Raises
        ------
        RenderError
            When the HTML file is missing or Chromium cannot print it.
        """
        if self._context is None:
            raise RenderError("PdfPrinter.print called outside its 'with' block")
        source, target = Path(html_path).resolve(), Path(pdf_path)
        if not source.is_file():
            raise RenderError(f"{html_path}: no such HTML file to print")
        start = time.perf_counter()
        data = self._pdf_bytes(source)
        atomic.write_bytes(target, data)
        self.seconds += time.perf_counter() - start
        return target

    def _pdf_bytes(self, source: Path) -> bytes:
        from playwright.sync_api import Error

        assert self._context is not None
        page = self._context.new_page()
        try:
            page.set_default_timeout(self.timeout * 1000)
            page.goto(source.as_uri(), wait_until="load")
            return page.pdf(**PDF_OPTIONS)
        except Error as exc:
            first = next((line for line in exc.message.splitlines() if line.strip()), "unknown error")
            raise RenderError(f"{source}: Chromium could not print it to PDF: {first}") from None
        finally:
            page.close()
