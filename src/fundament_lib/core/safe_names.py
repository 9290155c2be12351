"""Names that become parts of file paths, and paths that must stay inside the folder a user named.

A framework id, a kommune code or an output name comes from a file a user (or an attacker)
can edit. Before such a value becomes part of a path it must be a plain name — ASCII letters,
digits, ``_``, ``-`` and inner dots, at most 64 characters, no ``..`` — and the path built
from it, resolved (symbolic links followed), must still lie inside the folder the user named.
Both checks run before anything is written.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import FundamentError

__all__ = ["UnsafeNameError", "check_name", "inside", "child", "NAME_RULE"]

_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.))*", re.ASCII)
_MAX = 64
NAME_RULE = "ASCII letters, digits, '_', '-' and single inner dots, at most 64 characters"


class UnsafeNameError(FundamentError):
    """A value that would put a file somewhere other than where the user asked for it."""


def check_name(value: object, *, what: str) -> str:
    """Return ``value`` when it can safely be part of a file name.

    Parameters
    ----------
    value
        The name, e.g. a framework id or a kommune code.
    what
        What it is, for the message (``"framework id"``).

    Raises
    ------
    UnsafeNameError
        When it is not a string matching :data:`NAME_RULE` (so no ``/``, ``..``,
        absolute path, leading dot, space or control character).

    Examples
    --------
    >>> check_name("fundament2024", what="framework id")
    'fundament2024'
    >>> check_name("../../zzpt", what="framework id")
    Traceback (most recent call last):
    ...
    fundament_lib.core.safe_names.UnsafeNameError: framework id '../../zzpt' cannot be used in a file name: \
use ASCII letters, digits, '_', '-' and single inner dots, at most 64 characters
    """
    if not isinstance(value, str) or len(value) > _MAX or not _NAME.fullmatch(value) or value.endswith("."):
        raise UnsafeNameError(f"{what} {value!r} cannot be used in a file name: use {NAME_RULE}")
    return value


def inside(folder: Path, path: Path, *, what: str = "output") -> Path:
    """Return ``path`` when, resolved, it lies inside ``folder`` (resolved too).

    Raises
    ------
    UnsafeNameError
        When it would land anywhere else (``..``, an absolute path, a symbolic link out).
    """
    root = Path(folder).resolve()
    target = Path(path).resolve()
    if target != root and not target.is_relative_to(root):
        raise UnsafeNameError(f"{what} {path} would be written outside {root}; nothing was written")
    return path


def child(folder: Path, name: str, *, what: str) -> Path:
    """``folder / name`` after checking both the name and where the path lands.

    ``name`` may carry a suffix (``"zzpt_codebook.csv"``): the checked part is the whole name.
    """
    return inside(folder, Path(folder) / check_name(name, what=what), what=what)
