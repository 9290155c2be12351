"""Import-time work of third-party modules that a run never uses, put off until it is used.

jsonschema, which nbformat imports (and so papermill, nbclient and nbconvert), imports
``rfc3987_syntax`` whenever it is installed (``jsonschema[format-nongpl]``, which jupyter-events
asks for) to check the ``iri`` formats. That module compiles 38 Lark grammars as it is imported:
about 1.3 s of CPU in every process that imports nbformat — the parent of ``fundament run`` and
each of its workers. Notebooks are validated without format checks, so a run never needs them.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

IRI_GRAMMARS = "rfc3987_syntax"


def defer_iri_grammars() -> None:
    """Let jsonschema import ``rfc3987_syntax`` without compiling its grammars until one is used.

    A stand-in module goes into ``sys.modules``. Its ``is_valid_syntax`` (the one name jsonschema
    imports) and any other attribute import the real module on first use, so an ``iri`` format
    check still gives the real answer. Nothing happens when the module is not installed or is
    already imported.
    """
    if IRI_GRAMMARS in sys.modules or importlib.util.find_spec(IRI_GRAMMARS) is None:
        return
    stand_in = ModuleType(IRI_GRAMMARS, "Stand-in: the real module is imported on first use.")

    def real() -> ModuleType:
        if sys.modules.get(IRI_GRAMMARS) is stand_in:
            del sys.modules[IRI_GRAMMARS]
        return importlib.import_module(IRI_GRAMMARS)

    def is_valid_syntax(rule: str, value: str) -> bool:
        return bool(real().is_valid_syntax(rule, value))

    def attribute(name: str) -> object:
        if name.startswith("__"):  # the import system asks for ``__path__`` and the like: not a use
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    stand_in.__getattr__ = attribute  # type: ignore[method-assign]
    sys.modules[IRI_GRAMMARS] = stand_in
