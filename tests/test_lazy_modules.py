"""jsonschema's IRI grammars are compiled only when an IRI is checked (core.lazy_modules)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("rfc3987_syntax")  # installed with jupyterlab (jsonschema[format-nongpl])

IRIS = ["http://example.com/ø", "http://exa mple.com", "urn:isbn:0451450523", "", "relativ/sti", "http://[::1]/"]
CHECK = f"""
import json, sys
PRELUDE
import nbformat, jsonschema
before = "lark" in sys.modules
checker = jsonschema.FormatChecker()
answers = [[checker.conforms(v, f) for f in ("iri", "iri-reference")] for v in {IRIS!r}]
print(json.dumps({{"compiled_on_import": before, "answers": answers}}))
"""


def _fresh(prelude: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", CHECK.replace("PRELUDE", prelude)], check=True, capture_output=True,
                         text=True).stdout
    return dict(json.loads(out.splitlines()[-1]))


def test_a_run_process_imports_nbformat_without_compiling_the_grammars_and_checks_iris_as_before() -> None:
    plain = _fresh("")
    run = _fresh("import fundament_lib.run")
    assert plain["compiled_on_import"] is True  # what every run process paid before
    assert run["compiled_on_import"] is False
    assert run["answers"] == plain["answers"]
    assert [True, True] in run["answers"] and [False, False] in run["answers"]  # the checks do decide


def test_the_stand_in_gives_way_to_the_real_module() -> None:
    out = _fresh("import fundament_lib.run\nimport rfc3987_syntax\nprint(rfc3987_syntax.RFC3987_SYNTAX_TERMS[:1])")
    assert out["compiled_on_import"] is True  # asked for by name: the real module, grammars and all
