"""Loading a framework: a shipped id (``fundament2024``) or a YAML file, validated with pydantic.

A framework file is read once per path (cached), and any problem — a missing
file, bad YAML, a key the models refuse — is a :class:`~fundament_lib.core.errors.FrameworkError`
that names the file and the first offending key.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from fundament_lib.core.errors import FrameworkError
from fundament_lib.core.paths import frameworks_dir
from fundament_lib.core.safe_names import UnsafeNameError, check_name

from .model import Framework

__all__ = ["load_framework", "available_frameworks"]


def available_frameworks() -> list[str]:
    """Ids of the frameworks shipped with the package."""
    return sorted(p.stem for p in frameworks_dir().glob("*.yaml"))


@cache
def _load(path: Path) -> Framework:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FrameworkError(f"{path}: framework file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise FrameworkError(f"{path}: expected a mapping at the top level")
    try:
        return Framework.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "(top level)"
        raise FrameworkError(
            f"{path}: {exc.error_count()} problem(s); first at {where}: {first['msg']}"
        ) from None


def load_framework(framework: str | Path = "fundament2024") -> Framework:
    """Load and validate a framework by id (shipped) or by path.

    Parameters
    ----------
    framework
        A shipped id such as ``"fundament2024"``, or a path to a YAML file.

    Raises
    ------
    FrameworkError
        If the id is unknown or the file is malformed; the message names the
        file and the first offending key.
    """
    path = Path(framework)
    if path.suffix not in (".yaml", ".yml"):
        try:
            check_name(str(framework), what="framework id")
        except UnsafeNameError as exc:
            raise FrameworkError(str(exc)) from None
        path = frameworks_dir() / f"{framework}.yaml"
        if not path.exists():
            raise FrameworkError(
                f"unknown framework {str(framework)!r}; shipped: {', '.join(available_frameworks())}"
            )
    return _load(path.resolve())
