"""Ctrl-C stops a run even when Python swallows the KeyboardInterrupt in a finaliser.

Seen once in CI under heavy load: a run that got SIGINT after two briefings finished all eight
with exit status 0. Python raises the interrupt wherever the main thread is; inside a ``__del__``
(which the garbage collector runs at arbitrary points) it is printed and dropped.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from fundament_lib.core import interrupts
from fundament_lib.run.outcome import Result
from fundament_lib.run.schedule import execute_tasks
from fundament_lib.run.task import Task
from fundament_lib.run.workers import Workers


class _SwallowsCtrlC:
    """Receives SIGINT while Python runs its finaliser, as a garbage collection might."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10_000):  # the handler runs here, and its KeyboardInterrupt is dropped
            pass


def _ctrl_c_in_a_finaliser() -> None:
    _SwallowsCtrlC()


# Python reports the dropped KeyboardInterrupt as an unraisable exception; that is the point here.
swallowed = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


class _SleepyWorkers(Workers):
    """Two threads that 'render' a kommune in 50 ms."""

    capacity = 2  # type: ignore[assignment]

    def start(self) -> None:
        self._executor = ThreadPoolExecutor(2)

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        task: Task = args[0]
        return super().submit(_render, task)

    def restart(self) -> None:
        raise AssertionError("no worker dies here")

    def close(self, *, abort: bool = False) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)


def _render(task: Task) -> Result:
    time.sleep(0.05)
    return Result(task.kommunekode, task.kommune, "ok", 0.05)


def _tasks(n: int) -> list[Task]:
    return [Task(f"{100 + i}", f"K{i}", "nb.ipynb", "{}", "s.json", "{}") for i in range(n)]


@swallowed
def test_a_swallowed_ctrl_c_stops_the_run_before_the_next_briefing():
    workers = _SleepyWorkers()
    finished: list[str] = []
    with pytest.raises(KeyboardInterrupt), interrupts.noticed():
        for result in execute_tasks(_tasks(12), workers, lambda kind, obj: None):
            finished.append(result.kommunekode)
            if len(finished) == 2:
                _ctrl_c_in_a_finaliser()
    workers.close()
    assert 2 <= len(finished) <= 4  # what was running when Ctrl-C came may still finish
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@swallowed
def test_leaving_the_block_raises_a_swallowed_ctrl_c_that_nothing_checked():
    with pytest.raises(KeyboardInterrupt), interrupts.noticed():
        _ctrl_c_in_a_finaliser()
        reached = True
    assert reached  # the interrupt was swallowed inside the block, and raised on leaving it
    with interrupts.noticed():  # the record does not outlive the block
        pass


def test_a_ctrl_c_outside_a_finaliser_is_raised_at_once():
    with pytest.raises(KeyboardInterrupt), interrupts.noticed():
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10_000):
            pass
        pytest.fail("the interrupt was not raised where it arrived")


def test_a_program_that_ignores_ctrl_c_keeps_ignoring_it():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with interrupts.noticed():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_outside_the_main_thread_nothing_is_installed():
    seen: list[Any] = []

    def body() -> None:
        with interrupts.noticed():
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == [signal.default_int_handler]
