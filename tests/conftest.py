"""Shared fixtures: a seeded demo survey, a throw-away project folder, the Agg backend."""

from __future__ import annotations

import shutil
import stat
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from fundament_lib.demo import DemoConfig, DemoSurvey, generate, write_demo
from fundament_lib.framework import Framework, load_framework

REPO = Path(__file__).resolve().parents[1]
QUARTO_STAND_IN = REPO / "tests" / "fixtures" / "quarto" / "quarto"


def install_quarto_stand_in(bin_dir: Path) -> Path:
    """Copy the stand-in `quarto` into ``bin_dir``, run by this Python (it needs pypandoc and typst)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    exe = bin_dir / "quarto"
    body = QUARTO_STAND_IN.read_text(encoding="utf-8").split("\n", 1)[1]
    exe.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return exe


@pytest.fixture(scope="session")
def fw() -> Framework:
    return load_framework("fundament2024")


@pytest.fixture(scope="session")
def demo() -> DemoSurvey:
    """The built-in demo survey (all 98 kommuner, default seed), generated in memory."""
    return generate(DemoConfig())


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder with the demo data written by `fundament demo`'s code and the repo's
    params and notebooks: end-to-end tests write here, never into the repository."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(REPO / "params", root / "params")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    write_demo(root / "data" / "raw", root / "data" / "processed", DemoConfig())
    return root


def demo_subset(project: Path, codes: list[str], folder: Path) -> Path:
    """The project's demo answers of ``codes`` only, as ``folder/subset.parquet`` (a whole dataset)."""
    from fundament_lib.core.atomic import write_parquet
    from fundament_lib.ingest.tidy_files import read_tidy

    tidy = read_tidy(project / "data" / "processed" / "demo.parquet")
    path = folder / "subset.parquet"
    write_parquet(tidy[tidy["kommunekode"].isin(codes)], path)
    return path


@pytest.fixture(scope="session")
def demo_prepared(project: Path):
    """Every demo kommune's summary, computed once through the production path."""
    from fundament_lib.results.pipeline import prepare

    return prepare(project / "data" / "processed" / "demo.parquet", params_root=project / "params")


@pytest.fixture(scope="module")
def chromium() -> Path:
    """The Chromium executable; skip with the reason, or fail where a browser is required (CI)."""
    from fundament_lib.run import browser

    found = browser.find_chromium()
    if found is None:
        reason = browser.missing_reason()
        if browser.browser_required():
            pytest.fail(f"{reason} ({browser.REQUIRE_ENV} is set)")
        pytest.skip(reason)
    return found


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
