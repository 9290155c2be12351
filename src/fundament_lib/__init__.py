"""Fundament: turn a kommune's survey of staff and frontline leaders into a briefing on
KL's "Fundament for velfærden" — scores, uncertainty, priorities and workshop questions.

The library does the work; notebooks in ``notebooks/`` only call it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fundament")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
