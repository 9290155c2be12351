"""The conda environment and pyproject.toml declare the same runtime dependencies."""

import re
import tomllib

import yaml

from conftest import REPO


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict[str, str]:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    out = {}
    for spec in deps:
        name = _name(spec)
        if name == "dask":  # dask[distributed] is two conda packages
            out["distributed"] = spec.replace("dask[distributed]", "distributed")
            spec = spec.replace("[distributed]", "")
        out[name] = spec.replace(" ", "")
    return out


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = {_name(d): d.replace(" ", "") for d in env["dependencies"] if isinstance(d, str)}
    conda.pop("python"), conda.pop("pip")
    py = _pyproject()
    assert set(conda) == set(py)
    for name, spec in py.items():
        assert re.sub(r"^[^<>=]+", "", conda[name]) == re.sub(r"^[^<>=]+", "", spec), name
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert "-e ." in pip


def test_python_requirement_and_entry_point():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert project["scripts"]["fundament"] == "fundament_lib.cli.main:main"
