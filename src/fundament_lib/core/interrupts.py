"""Ctrl-C stops a run even where Python swallows it.

Python turns SIGINT into a ``KeyboardInterrupt`` wherever the main thread happens to be. When
that is inside a finaliser — a ``__del__`` method or a weakref callback, which the garbage
collector runs at arbitrary points — the exception is only printed ("Exception ignored in …")
and the code goes on: a run once finished every briefing after the user had pressed Ctrl-C.

:func:`noticed` keeps the usual behaviour (the interrupt is raised at once) and also records
it; :func:`check` raises at the run's safe points when one was recorded but swallowed, and
leaving :func:`noticed` raises if nothing else did.
"""

from __future__ import annotations

import functools
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_seen = threading.Event()


def _record_and_raise(signum: int, frame: FrameType | None) -> None:
    _seen.set()
    raise KeyboardInterrupt


@contextmanager
def noticed() -> Iterator[None]:
    """Record every Ctrl-C while the block runs; raise ``KeyboardInterrupt`` on leaving if one was swallowed.

    Only where Python's own Ctrl-C handler is in place, in the main thread: a program that
    handles or ignores SIGINT itself (a shell's ``&``, ``nohup``) keeps its handling.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    _seen.clear()
    signal.signal(signal.SIGINT, _record_and_raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    check()


def noticing(fn: Callable[P, T]) -> Callable[P, T]:
    """Decorator: run ``fn`` inside :func:`noticed`."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with noticed():
            return fn(*args, **kwargs)

    return wrapper


def check() -> None:
    """Raise ``KeyboardInterrupt`` if a Ctrl-C was recorded (inside :func:`noticed`).

    Raises
    ------
    KeyboardInterrupt
        When the user pressed Ctrl-C and the exception was lost on the way.
    """
    if _seen.is_set():
        _seen.clear()
        raise KeyboardInterrupt
