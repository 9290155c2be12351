"""Headless Chromium for Fundament: find it, start it with safe flags, keep it offline.

Used by :mod:`fundament_lib.run.pdf` to print briefings and by the browser tests to
check them as a reader's browser shows them. Chromium is the system's
(Debian: ``apt-get install chromium``), never a browser that Playwright downloads:
:func:`find_chromium` looks at ``$FUNDAMENT_CHROMIUM``, then
``/usr/bin/chromium``, then ``chromium`` / ``chromium-browser`` on ``PATH``.

Every page opened through :func:`offline_context` is cut off from the network:
a request for anything but a ``file:``, ``data:``, ``blob:`` or ``about:`` URL is
aborted and recorded, so a test can assert that a briefing asked for nothing.
The launch flags also send every host name to nowhere, a second fence.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fundament_lib.core.errors import RenderError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Route

__all__ = [
    "DEFAULT_CHROMIUM",
    "CHROMIUM_ENV",
    "REQUIRE_ENV",
    "LAUNCH_ARGS",
    "find_chromium",
    "missing_reason",
    "browser_required",
    "require_chromium",
    "launch",
    "offline_context",
    "block_network",
]

DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ENV = "FUNDAMENT_CHROMIUM"
REQUIRE_ENV = "FUNDAMENT_REQUIRE_BROWSER"
INSTALL_HINT = "apt-get install chromium"
_ON_PATH = ("chromium", "chromium-browser")
_LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

LAUNCH_ARGS: tuple[str, ...] = (
    "--no-sandbox",  # containers and CI run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no host name resolves: nothing leaves the machine
)


def find_chromium(executable: str | Path | None = None) -> Path | None:
    """The Chromium executable to use, or ``None`` when there is none.

    Parameters
    ----------
    executable
        A path or a command name to use instead of the search below.

    Returns
    -------
    Path or None
        ``executable`` if given (resolved on ``PATH`` when it is a bare name), else
        ``$FUNDAMENT_CHROMIUM`` if set, else ``/usr/bin/chromium``, else ``chromium``
        or ``chromium-browser`` on ``PATH`` — the first that is an executable file.
        An explicit choice (argument or variable) that does not exist gives ``None``
        rather than a silent fallback.
    """
    chosen = executable if executable is not None else os.environ.get(CHROMIUM_ENV) or None
    if chosen is not None:
        return _executable(str(chosen))
    if _is_executable(DEFAULT_CHROMIUM):
        return DEFAULT_CHROMIUM
    for name in _ON_PATH:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def _executable(name: str) -> Path | None:
    found = shutil.which(name)
    if found:
        return Path(found)
    path = Path(name)
    return path if _is_executable(path) else None


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def missing_reason(executable: str | Path | None = None) -> str:
    """One line saying where Chromium was expected and how to install it.

    Examples
    --------
    >>> missing_reason("/opt/none/chromium")
    'headless Chromium not found at /opt/none/chromium; apt-get install chromium'
    """
    chosen = executable if executable is not None else os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    hint = INSTALL_HINT if executable is not None or os.environ.get(CHROMIUM_ENV) else (
        f"{INSTALL_HINT} (or set {CHROMIUM_ENV} to a Chromium or Chrome executable)")
    return f"headless Chromium not found at {chosen}; {hint}"


def browser_required() -> bool:
    """Whether a missing browser is an error rather than a reason to skip
    (``$FUNDAMENT_REQUIRE_BROWSER`` set to anything but empty, ``0``, ``false`` or ``no``; CI sets it)."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() not in {"", "0", "false", "no"}


def require_chromium(executable: str | Path | None = None) -> Path:
    """The Chromium executable, or a :class:`RenderError` naming how to install it.

    Raises
    ------
    RenderError
        When :func:`find_chromium` finds none.
    """
    found = find_chromium(executable)
    if found is None:
        raise RenderError(missing_reason(executable))
    return found


@contextmanager
def launch(executable: str | Path | None = None) -> Iterator[Browser]:
    """Start headless Chromium with :data:`LAUNCH_ARGS`; close it on leaving the block.

    Parameters
    ----------
    executable
        See :func:`find_chromium`.

    Yields
    ------
    playwright.sync_api.Browser
        Use it from the thread that entered the block (Playwright's sync API is
        bound to one thread).

    Raises
    ------
    RenderError
        When Chromium is missing or does not start.
    """
    path = require_chromium(executable)
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=str(path), args=list(LAUNCH_ARGS), headless=True)
        except Error as exc:
            raise RenderError(f"headless Chromium at {path} did not start: {_first_line(exc.message)}") from None
        try:
            yield browser
        finally:
            browser.close()


def offline_context(browser: Browser, **options: Any) -> tuple[BrowserContext, list[str]]:
    """A new browser context with the network blocked (:func:`block_network`).

    Parameters
    ----------
    browser
        From :func:`launch`.
    **options
        Passed to ``Browser.new_context`` (e.g. ``viewport``, ``java_script_enabled``).

    Returns
    -------
    context, blocked
        The context, and the live list of URLs it refused to fetch.
    """
    context = browser.new_context(service_workers="block", **options)
    return context, block_network(context)


def block_network(context: BrowserContext) -> list[str]:
    """Abort every request of ``context`` that would leave the machine; record its URL.

    Returns
    -------
    list of str
        Filled as requests are blocked (the same list object throughout).
    """
    blocked: list[str] = []

    def handle(route: Route) -> None:
        url = route.request.url
        if url.startswith(_LOCAL_SCHEMES):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", handle)
    return blocked


def _first_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"
