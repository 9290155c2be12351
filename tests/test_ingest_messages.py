"""Every message the loader can give is in the message table of ``docs/ingest.md``."""

from __future__ import annotations

import re
from importlib import import_module

import pytest

from conftest import REPO

MODULES = ["readers", "answers", "assemble", "columns", "plan", "matching", "long", "schema", "tidy_files", "surveyxact",
           "codebook"]


def _messages() -> list[tuple[str, str]]:
    out = []
    for name in MODULES:
        module = import_module(f"fundament_lib.ingest.{name}")
        for attr in module.__all__:
            value = getattr(module, attr)
            if attr.isupper() and isinstance(value, str):
                out.append((f"{name}.{attr}", value))
    return out


@pytest.mark.parametrize(("name", "message"), _messages(), ids=[n for n, _ in _messages()])
def test_the_message_is_in_the_docs_table(name, message):
    table = (REPO / "docs" / "ingest.md").read_text(encoding="utf-8").split("## 5. Messages", 1)[1]
    fragment = next(f.strip() for f in re.split(r"\{[^}]*\}", message) if len(f.strip()) >= 12)
    assert fragment[:40] in table, f"{name}: {fragment[:40]!r} is not in docs/ingest.md's message table"


def test_every_module_with_messages_is_checked():
    assert len(_messages()) >= 35
