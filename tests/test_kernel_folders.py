"""Kernel folders in the temporary folder: a killed run leaves none behind (issue 14, item 7).

Each worker keeps its kernel's connection file and IPC sockets in ``fundament-kernel-<pid>-…``.
Killing ``fundament run`` with SIGKILL used to leave its workers waiting for tasks forever, with
their kernels and folders; now a worker notices that its run is gone and ends with its kernel,
and every run removes folders whose owning process is dead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from fundament_lib.core.atomic import write_parquet
from fundament_lib.ingest.tidy_files import read_tidy
from fundament_lib.run.kernel_folders import DIR_PREFIX, clean_stale_folders

FIXTURES = Path(__file__).parent / "fixtures" / "batch"


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_only_folders_of_dead_processes_are_removed(tmp_path):
    dead = tmp_path / f"{DIR_PREFIX}{_dead_pid()}-abc"
    live = tmp_path / f"{DIR_PREFIX}{os.getpid()}-def"
    odd = tmp_path / f"{DIR_PREFIX}notapid-ghi"
    other = tmp_path / "someone-elses-folder"
    for folder in (dead, live, odd, other):
        (folder / "ipc").mkdir(parents=True)
        (folder / "kernel.json").write_text("{}", encoding="utf-8")
    assert clean_stale_folders(tmp_path) == [dead]
    assert not dead.exists() and live.is_dir() and odd.is_dir() and other.is_dir()


@pytest.fixture
def short_tmp():
    """A private temporary folder with a short path: kernels' IPC socket paths must fit in 107 bytes."""
    folder = Path(tempfile.mkdtemp(prefix="fk-", dir="/tmp" if Path("/tmp").is_dir() else None))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_a_run_killed_with_sigkill_leaves_no_workers_kernels_or_folders(project, tmp_path, short_tmp):
    tmp = short_tmp
    env = {**os.environ, "TMPDIR": str(tmp)}  # the run's temporary folder, seen by this test alone
    tidy = read_tidy(project / "data" / "processed" / "demo.parquet")
    data = tmp_path / "four.parquet"
    write_parquet(tidy[tidy["kommunekode"].isin(["101", "147", "151", "707"])], data)
    args = [sys.executable, "-m", "fundament_lib.cli.main", "run", "--data", str(data), "--notebook",
            str(FIXTURES / "slow.ipynb"), "--out", str(tmp_path / "out"), "--workers", "2"]
    proc = subprocess.Popen(args, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: len(list(tmp.glob(f"{DIR_PREFIX}*"))) >= 2 or proc.poll() is not None, 180,
                  "two workers with their kernels")
        assert proc.poll() is None
        workers = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGKILL)  # the run only, as `kill -9 PID` does: its workers are orphaned
        proc.wait(timeout=10)
        _wait_for(lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in workers), 30,
                  "the workers and kernels to end")
        assert list(tmp.glob(f"{DIR_PREFIX}*")) == []
    finally:
        if proc.poll() is None:
            proc.kill()

    # A folder whose process died without cleaning up (SIGKILL to the whole group) goes on the next run.
    stale, live = tmp / f"{DIR_PREFIX}{_dead_pid()}-xyz", tmp / f"{DIR_PREFIX}{os.getpid()}-xyz"
    stale.mkdir()
    live.mkdir()
    small = [sys.executable, "-m", "fundament_lib.cli.main", "run", "--data", str(data), "-k", "707", "--notebook",
             str(FIXTURES / "broken.ipynb"), "--out", str(tmp_path / "out2"), "--workers", "1"]
    again = subprocess.run(small, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp.glob(f"{DIR_PREFIX}*")) == [live.name]
