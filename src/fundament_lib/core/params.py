"""Run parameters: shared defaults in ``params/defaults.yaml``, small per-kommune
overrides in ``params/<kode>.yaml``, merged and validated before anything runs.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ParamsError
from .kommuner import normalise_code

__all__ = ["Params", "PriorityWeights", "load_params", "load_defaults", "deep_merge", "DEFAULTS_FILE", "DEMO_FOLDER",
           "DATA_KEYS"]

DEFAULTS_FILE = "defaults.yaml"
DEMO_FOLDER = "demo"  # params/demo/<kode>.yaml: the demo survey's own overrides, written by `fundament demo`
DATA_KEYS = ("invited",)  # keys that describe one survey's data (not a kommune's choices): never carried across


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriorityWeights(_Model):
    """Weights of the priority rule's parts (see ``params/defaults.yaml`` for the reasoning)."""

    performance: float = Field(0.35, ge=0)
    benchmark: float = Field(0.15, ge=0)
    stated_importance: float = Field(0.25, ge=0)
    derived_importance: float = Field(0.15, ge=0)
    gap: float = Field(0.10, ge=0)


class PriorityParams(_Model):
    """Settings of the prioritisation."""

    weights: PriorityWeights = PriorityWeights()
    top: int = Field(3, ge=1, le=5)
    strong_score: float = Field(70.0, ge=0, le=100)
    weight_perturbation: float = Field(0.25, ge=0, le=1)
    driver_method: Literal["johnson", "shapley"] = "johnson"


class Params(_Model):
    """Parameters of one kommune's briefing.

    Attributes
    ----------
    framework
        Id of the framework to score and report (``fundament2024`` or ``mereledelse2023``).
    wave
        The survey round the briefing is about; ``None`` takes the latest in the data.
    min_n
        Privacy threshold: nothing about fewer respondents is shown.
    confidence, n_boot, seed
        Interval level, bootstrap resamples and the seed of all randomness.
    share_names
        Whether other kommuner may be named (a data-sharing agreement): only those that set it too are
        named (:func:`fundament_lib.core.sharing.nameable`).
    invited
        Invited respondents per group, for the response rate (unknown when absent).
    """

    framework: str = "fundament2024"
    wave: str | None = None
    min_n: int = Field(5, ge=3, le=100)
    confidence: float = Field(0.95, gt=0.5, lt=1)
    n_boot: int = Field(2000, ge=100, le=100_000)
    seed: int = 20251
    language: Literal["da"] = "da"
    share_names: bool = False
    invited: dict[Literal["stab", "borgernaer"], int] | None = None
    priority: PriorityParams = PriorityParams()


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into ``base`` recursively (mappings merge, other values replace)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


@lru_cache(maxsize=512)
def _parsed(text: str) -> Any:
    # A run reads defaults.yaml once per kommune: parse each distinct text once (keyed by the text
    # itself, so an edited file is never served stale).
    return yaml.safe_load(text)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = copy.deepcopy(_parsed(path.read_text(encoding="utf-8")))  # callers change what they get
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML ({exc})") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping of parameter names to values")
    return raw


def _validate(data: dict[str, Any], source: str) -> Params:
    try:
        return Params.model_validate(data)
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err["loc"])
            msgs.append(f"{where}: {err['msg']} (got {err.get('input')!r})")
        raise ParamsError(f"{source}: invalid parameters — " + "; ".join(msgs)) from None


def load_defaults(params_dir: Path) -> dict[str, Any]:
    """The shared defaults as a mapping (empty when ``defaults.yaml`` is absent)."""
    path = params_dir / DEFAULTS_FILE
    data = _read_yaml(path) if path.exists() else {}
    _validate(data, str(path))
    return data


def load_params(params_dir: Path, kommunekode: str, *, extra: dict[str, Any] | None = None,
                demo: bool = False) -> Params:
    """Defaults merged with ``params/<kode>.yaml`` (when present) and ``extra``.

    With ``demo`` (the kommune's answers are ``fundament demo`` data) the kommune's own file
    gives its choices but not its survey's facts (:data:`DATA_KEYS`, e.g. ``invited``), and
    ``params/demo/<kode>.yaml`` is merged after it; a kommune's own data never reads that
    folder. So the demo's invited counts never give a kommune's own survey a response rate,
    and a kommune's own counts never reach the demo's briefing.

    Raises
    ------
    ParamsError
        When a file is not valid YAML or a value does not validate; the
        message names the file and the key.
    """
    code = normalise_code(kommunekode)
    data = load_defaults(params_dir)
    source = str(params_dir / DEFAULTS_FILE)
    # (file, keys it may not set): on demo data the kommune's own file gives no survey facts.
    layers = [(params_dir / f"{code}.yaml", DATA_KEYS if demo else ())]
    if demo:
        layers.append((params_dir / DEMO_FOLDER / f"{code}.yaml", ()))
    for path, dropped in layers:
        if not path.exists():
            continue
        override = _read_yaml(path)
        named = override.pop("kommunekode", code)
        if normalise_code(named) != code:
            raise ParamsError(f"{path}: kommunekode {named!r} does not match the file name")
        data = deep_merge(data, {k: v for k, v in override.items() if k not in dropped})
        source = str(path)
    if extra:
        data = deep_merge(data, extra)
    return _validate(data, source)
