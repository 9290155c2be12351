"""Retake the README's JupyterLab screenshot (``docs/img/jupyterlab-explore.png``).

Runs ``notebooks/explore.ipynb`` in a real JupyterLab, as a researcher would,
and photographs the widget dashboard with headless Chromium. The notebook is
run from a copy in a temporary folder, so the committed notebook stays free of
outputs whatever JupyterLab autosaves. Needs the demo data (``fundament demo``)
and Chromium (``apt-get install chromium``)::

    .venv/bin/python scripts/screenshot_jupyterlab.py [--out docs/img/jupyterlab-explore.png]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

from fundament_lib.core.paths import demo_data_path
from fundament_lib.run.browser import LAUNCH_ARGS, require_chromium

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "explore.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_server(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if server.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            sys.exit(f"JupyterLab exited with {server.returncode} before it served {url}:\n{tail}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"JupyterLab did not answer on {url} within {timeout:.0f} s")


def _quiet_settings(folder: Path) -> Path:
    """User settings that keep JupyterLab's news and update toasts off the picture."""
    target = folder / "@jupyterlab" / "apputils-extension"
    target.mkdir(parents=True)
    (target / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    # Every cell in the page, not only those scrolled into view, so the script can wait for the last one.
    notebook = folder / "@jupyterlab" / "notebook-extension"
    notebook.mkdir(parents=True)
    (notebook / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}), encoding="utf-8")
    return folder


def _photograph(url: str, out: Path, code_cells: int) -> None:
    from playwright.sync_api import sync_playwright

    # The library's launch flags resolve no host at all; this page must reach the local server.
    args = [a for a in LAUNCH_ARGS if not a.startswith("--host-resolver-rules")]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(require_chromium()), args=args, headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 1250})
        page.goto(url)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
        open_panel = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if open_panel.count():  # the file browser would show only this temporary folder
            open_panel.first.click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_selector(f".jp-InputPrompt:has-text('[{code_cells}]')", state="attached",
                                   timeout=600_000)
        except Exception:
            page.screenshot(path=str(out.with_suffix(".failed.png")))
            raise
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=600_000)
        dashboard = page.locator(".jp-CodeCell", has_text="explore.dashboard(").first
        dashboard.evaluate("cell => cell.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(1500)  # let the widget views and images settle after the scroll
        page.screenshot(path=str(out))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img" / "jupyterlab-explore.png")
    args = parser.parse_args()
    if not demo_data_path(REPO).exists():
        sys.exit(f"{demo_data_path(REPO)}: no demo data — run `.venv/bin/fundament demo` first")
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(NOTEBOOK, work / "explore.ipynb")
        log = (work / "jupyterlab.log").open("wb")
        env = {**os.environ, "FUNDAMENT_ROOT": str(REPO), "JUPYTER_CONFIG_DIR": str(work / "config")}
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1",
             "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={work}",
             f"--LabApp.user_settings_dir={_quiet_settings(work / 'settings')}",
             f"--LabApp.workspaces_dir={work / 'workspaces'}"],
            env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            _wait_for_server(f"http://127.0.0.1:{port}/api", server, work / "jupyterlab.log")
            # The last code cell's execution count appears when the whole notebook has run.
            code_cells = sum(c.cell_type == "code" for c in nbformat.read(NOTEBOOK, as_version=4).cells)
            _photograph(f"http://127.0.0.1:{port}/lab/tree/explore.ipynb", args.out, code_cells)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
