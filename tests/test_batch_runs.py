"""Batch runs with kernels, on tiny fixture notebooks: fault isolation, resuming, interruption,
dying workers and kernels, kernel hygiene, and the isolation between notebooks in a warm kernel."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from fundament_lib.ingest.parquet import write_tidy_parquet
from fundament_lib.ingest.tidy_files import read_tidy
from fundament_lib.run import kernels
from fundament_lib.run.batch import run
from fundament_lib.run.kernel_folders import DIR_PREFIX
from fundament_lib.run.papermill_engine import execute
from fundament_lib.run.publish import MARKER

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent / "fixtures" / "batch"
MARK = "FUNDAMENT_TEST_MARK"  # kernels inherit it: a test finds its own kernels among others'


# ---- helpers ------------------------------------------------------------------------------------
@pytest.fixture
def mark(monkeypatch: pytest.MonkeyPatch) -> str:
    value = uuid.uuid4().hex
    monkeypatch.setenv(MARK, value)
    return value


def kernels_marked(value: str) -> list[psutil.Process]:
    """Running kernel processes started under this test's mark."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if "ipykernel_launcher" not in cmd:
            continue
        try:
            if proc.environ().get(MARK) == value:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def no_kernels_left(value: str, timeout: float = 6.0) -> None:
    wait_for(lambda: not kernels_marked(value), timeout, "the kernels to end")


def data(project: Path) -> Path:
    return project / "data" / "processed" / "demo.parquet"


def render(project: Path, out: Path, codes: list[str], notebook: str = "broken.ipynb", **kw):
    kw.setdefault("params", project / "params")
    kw.setdefault("workers", 2)
    return run(kw.pop("data", data(project)), kommuner=codes, out=out, notebook=FIXTURES / notebook, **kw)


def done_codes(out: Path) -> set[str]:
    return {p.parent.name for p in out.glob(f"*/{MARKER}")}


def cli(project: Path, *args: str, mark: str) -> subprocess.Popen[str]:
    """``fundament run`` in its own process group, as a shell would start it."""
    env = {**os.environ, MARK: mark}
    return subprocess.Popen([sys.executable, "-m", "fundament_lib.cli.main", "run", *args], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def assert_no_partial_briefing(out: Path) -> None:
    for html in out.glob("*/briefing.html"):
        text = html.read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>"), html
    for folder in out.iterdir():
        if folder.is_dir() and (folder / MARKER).exists():
            assert (folder / "briefing.html").exists() and (folder / "summary.json").exists()


# ---- fault isolation ----------------------------------------------------------------------------
CODES = ["707", "825", "851"]


@pytest.fixture(scope="module")
def broken_run(project, tmp_path_factory):
    out = tmp_path_factory.mktemp("broken")
    return render(project, out, CODES), out


def test_a_failing_kommune_does_not_stop_the_others(broken_run):
    report, out = broken_run
    status = {o.kommunekode: o.status for o in report.outcomes}
    assert status == {"707": "ok", "825": "failed", "851": "ok"}
    failed = report.failed[0]
    assert failed.error == "RuntimeError: planted failure for 825"
    for code in ("707", "851"):
        assert (out / code / "briefing.html").exists() and (out / code / MARKER).exists()


def test_the_failed_notebook_is_kept_with_its_error(broken_run):
    _, out = broken_run
    folder = out / "825"
    assert not (folder / "briefing.html").exists() and not (folder / MARKER).exists()
    nb = json.loads((folder / "briefing.failed.ipynb").read_text(encoding="utf-8"))
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0]["evalue"] == "planted failure for 825"
    text = (folder / "briefing.failed.txt").read_text(encoding="utf-8")
    assert text.startswith("RuntimeError: planted failure for 825")
    assert not (out / ".work" / "707").exists()  # the work files of finished kommuner are cleaned up
    assert (out / ".work" / "825" / "summary.json").exists()  # the failed one can be re-run by hand


def test_index_and_run_record_mark_the_failure(broken_run):
    _, out = broken_run
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="707/briefing.html"' in index and 'href="851/briefing.html"' in index
    assert 'class="failed">Læsø (825)' in index and 'href="825/briefing.failed.ipynb"' in index
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert [o["status"] for o in record["outcomes"]] == ["ok", "failed", "ok"]


def test_the_command_line_summarises_and_exits_non_zero(project, tmp_path, mark):
    proc = cli(project, "-k", "707", "-k", "825", "--notebook", str(FIXTURES / "broken.ipynb"),
               "--out", str(tmp_path), "--workers", "2", mark=mark)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr and "TCP without encryption" not in stderr
    row = next(line for line in stdout.splitlines() if "825 Læsø" in line)
    assert "fejlet" in row and "RuntimeError: planted failure for 825" in row
    assert "707 Norddjurs" in stdout and "fejlet: 1" in stdout
    no_kernels_left(mark)


def test_a_dead_kernel_fails_its_kommune_and_is_replaced(project, tmp_path, mark):
    report = render(project, tmp_path, CODES, "crash.ipynb", workers=1)
    status = {o.kommunekode: o.status for o in report.outcomes}
    assert status == {"707": "ok", "825": "failed", "851": "ok"}
    assert "DeadKernelError" in report.failed[0].error
    assert (tmp_path / "825" / "briefing.failed.ipynb").exists()
    no_kernels_left(mark)


# ---- resuming and incremental runs --------------------------------------------------------------
def test_unchanged_inputs_execute_nothing_and_force_redoes_all(project, tmp_path, mark):
    codes = ["707", "751", "851"]
    assert [o.status for o in render(project, tmp_path, codes).outcomes] == ["ok"] * 3
    stamps = {c: (tmp_path / c / "briefing.html").stat().st_mtime_ns for c in codes}
    again = render(project, tmp_path, codes)
    assert again.executed == [] and [o.status for o in again.outcomes] == ["skipped"] * 3
    assert {c: (tmp_path / c / "briefing.html").stat().st_mtime_ns for c in codes} == stamps
    assert 'href="751/briefing.html"' in (tmp_path / "index.html").read_text(encoding="utf-8")
    forced = render(project, tmp_path, codes, force=True)
    assert [o.kommunekode for o in forced.executed] == codes
    no_kernels_left(mark)


def test_changing_one_kommunes_params_reruns_only_that_kommune(project, tmp_path):
    params = tmp_path / "params"
    shutil.copytree(project / "params", params)
    out = tmp_path / "out"
    codes = ["707", "751", "851"]
    render(project, out, codes, params=params)
    (params / "751.yaml").write_text("min_n: 6\n", encoding="utf-8")  # the kommune's own choice
    report = render(project, out, codes, params=params)
    assert [o.kommunekode for o in report.executed] == ["751"]
    summary = json.loads((out / "751" / "summary.json").read_text(encoding="utf-8"))
    assert summary["min_n"] == 6


def test_changing_one_kommunes_data_reruns_only_that_kommune(project, tmp_path):
    tidy = read_tidy(data(project))
    first = data(project)
    out = tmp_path / "out"
    codes = ["707", "751", "851"]
    render(project, out, codes, data=first)
    # another point of the same five-point scale (the schema refuses a value off its scale's points)
    answered = tidy.index[(tidy["kommunekode"] == "751") & (tidy["points"] == 5) & tidy["value"].isin([1, 2, 4, 5])][0]
    tidy.loc[answered, "value"] = 6.0 - tidy.loc[answered, "value"]
    changed = tmp_path / "changed.parquet"
    write_tidy_parquet(tidy, changed, demo=True)  # still the demo (own data would not read params/demo/)
    report = render(project, out, codes, data=changed)
    assert [o.kommunekode for o in report.executed] == ["751"]


# ---- interruption --------------------------------------------------------------------------------
SLOW_CODES = ["101", "147", "151", "153", "155", "157", "159", "161"]


def _start_slow_run(project: Path, out: Path, mark: str) -> subprocess.Popen[str]:
    args = [a for c in SLOW_CODES for a in ("-k", c)]
    proc = cli(project, *args, "--notebook", str(FIXTURES / "slow.ipynb"), "--out", str(out), "--workers", "2",
               mark=mark)
    wait_for(lambda: len(done_codes(out)) >= 2 or proc.poll() is not None, 180, "two briefings")
    assert proc.poll() is None, proc.communicate()
    return proc


def _resume_completes_exactly_the_missing(project: Path, out: Path) -> None:
    assert_no_partial_briefing(out)
    done = done_codes(out)
    assert 2 <= len(done) < len(SLOW_CODES)
    report = render(project, out, SLOW_CODES, "slow.ipynb")
    assert {o.kommunekode for o in report.executed} == set(SLOW_CODES) - done
    assert all(o.status in ("ok", "skipped") for o in report.outcomes)
    assert done_codes(out) == set(SLOW_CODES)
    assert not list(out.rglob("*.tmp"))


def test_killing_the_run_leaves_no_partial_briefing_and_the_next_run_resumes(project, tmp_path, mark):
    proc = _start_slow_run(project, tmp_path, mark)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group, workers included
    proc.wait(timeout=30)
    no_kernels_left(mark)  # kernels notice that their worker is gone
    _resume_completes_exactly_the_missing(project, tmp_path)


def test_ctrl_c_stops_workers_and_kernels_and_the_next_run_resumes(project, tmp_path, mark):
    proc = _start_slow_run(project, tmp_path, mark)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    no_kernels_left(mark, timeout=2.0)
    _resume_completes_exactly_the_missing(project, tmp_path)


def test_a_killed_worker_is_replaced_and_its_kommune_retried(project, tmp_path, mark):
    codes = SLOW_CODES[:5]
    args = [a for c in codes for a in ("-k", c)]
    proc = cli(project, *args, "--notebook", str(FIXTURES / "slow.ipynb"), "--out", str(tmp_path),
               "--workers", "2", mark=mark)

    def busy_worker() -> psutil.Process | None:
        for child in psutil.Process(proc.pid).children():
            if "spawn_main" in " ".join(child.cmdline()) and child.children():  # a worker with its kernel
                return child
        return None

    wait_for(lambda: busy_worker() is not None and bool(kernels_marked(mark)), 120, "a worker with a kernel")
    time.sleep(2.0)  # inside a notebook by now
    worker = busy_worker()
    assert worker is not None
    worker.kill()
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stdout + stderr
    assert done_codes(tmp_path) == set(codes)
    no_kernels_left(mark)


# ---- kernel hygiene and isolation ----------------------------------------------------------------
def test_kernels_use_ipc_and_are_gone_after_the_run(project, tmp_path, mark):
    seen: list[list[str]] = []

    def watch(kind, obj):
        if kind == "done":
            seen.extend(p.cmdline() for p in kernels_marked(mark))

    run(data(project), kommuner=["707", "851"], out=tmp_path, workers=2, params=project / "params",
        notebook=FIXTURES / "broken.ipynb", progress=watch)
    assert seen, "no kernel seen while the run was going"
    for cmd in seen:
        connection = Path(cmd[cmd.index("-f") + 1])
        assert connection.parent.name.startswith(DIR_PREFIX)
    no_kernels_left(mark, timeout=1.0)
    leftovers = [p for p in Path(connection.parent).parent.glob(f"{DIR_PREFIX}{os.getpid()}-*")]
    assert not leftovers


def _outputs(nb) -> list[list[tuple[str | None, str | None]]]:
    return [[(o.get("name"), o.get("text")) for o in c.get("outputs", [])] for c in nb.cells
            if c.cell_type == "code"]


def test_a_warm_kernel_is_as_clean_as_a_fresh_one(tmp_path):
    """The probe prints the kernel's state (names, counter, figures, Matplotlib, pandas and NumPy
    options, warnings, cwd, sys.path, environment), then changes all of it."""
    probe, params = FIXTURES / "probe.ipynb", {"kommunekode": "707", "summary_path": ""}
    fresh = _outputs(execute(probe, tmp_path / "fresh.ipynb", params))
    kernel = kernels.WarmKernel()
    try:
        for i in range(3):
            warm = _outputs(execute(probe, tmp_path / f"warm{i}.ipynb", params, kernel=kernel))
            assert warm == fresh, f"run {i} in a warm kernel differs from a fresh kernel"
    finally:
        kernel.shutdown()


def test_the_probe_would_see_a_kernel_that_is_not_reset(tmp_path, monkeypatch):
    probe, params = FIXTURES / "probe.ipynb", {"kommunekode": "707", "summary_path": ""}
    monkeypatch.setattr(kernels, "RESET", "pass")
    kernel = kernels.WarmKernel()
    try:
        first = _outputs(execute(probe, tmp_path / "a.ipynb", params, kernel=kernel))
        second = _outputs(execute(probe, tmp_path / "b.ipynb", params, kernel=kernel))
    finally:
        kernel.shutdown()
    assert first != second


def test_the_command_line_runs_on_a_dask_cluster_and_stops_its_kernels(project, tmp_path, mark):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        proc = cli(project, *[a for c in CODES for a in ("-k", c)], "--notebook", str(FIXTURES / "broken.ipynb"),
                   "--out", str(tmp_path), "--scheduler", cluster.scheduler_address, mark=mark)
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 1, stdout + stderr
        assert "RuntimeError: planted failure for 825" in stdout and "ok: 2" in stdout
        assert done_codes(tmp_path) == {"707", "851"}
        no_kernels_left(mark)  # the cluster lives on; the run's kernels do not


def test_a_kommune_that_kills_its_worker_fails_alone(project, tmp_path, mark):
    codes = ["101", "707", "825", "851"]
    report = render(project, tmp_path, codes, "killer.ipynb")
    status = {o.kommunekode: o.status for o in report.outcomes}
    assert status == {"101": "ok", "707": "ok", "825": "failed", "851": "ok"}, report.outcomes
    assert "worker process died" in report.failed[0].error
    no_kernels_left(mark)
