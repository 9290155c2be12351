"""Microsoft Forms exports (.xlsx): metadata columns, then one column per question.

The metadata columns come in English or Danish (``ID, Start time, Completion
time, Email, Name, Last modified time`` / ``Id, Starttidspunkt,
Fuldførelsestidspunkt, Mail, Navn, Tidspunkt for seneste ændring``; quizzes
add points and feedback). ``ID`` becomes the respondent id (with the source's hash, as
every form numbers its responses from 1); the completion time gives the wave when
the file has none and ``--wave`` is not given (:mod:`.waves`); e-mail and name are
never carried (an anonymous form writes ``anonymous`` there anyway).
Questions are matched to items by their text through the codebook (see
:mod:`.matching`): a Likert question's statements arrive as the statement
alone or as ``"Question.Statement"``; answers arrive as text labels; a
multiple-choice question arrives as one column listing the chosen options,
``;``-separated.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .assemble import IngestOptions, IngestResult, assemble
from .codebook import Codebook
from .plan import plan_columns
from .readers import SourceTable, read_table
from .sink import TidySink
from .text import is_blank, normalise_label

__all__ = ["load_forms", "is_forms", "FORMS_METADATA", "FORMS_ROLES"]

_PERSONAL = "personal data — never carried"
_TIME = "time stamp of the response — not carried"
_QUIZ = "quiz score or feedback — not carried"
FORMS_ROLES: dict[str, str] = {"ID": "respondent_id", "Id": "respondent_id", "Completion time": "completed",
                               "Fuldførelsestidspunkt": "completed"}
FORMS_METADATA: dict[str, str] = {
    "Start time": _TIME, "Last modified time": _TIME,
    "Email": _PERSONAL, "Name": _PERSONAL, "Total points": _QUIZ, "Quiz feedback": _QUIZ,
    "Starttidspunkt": _TIME, "Tidspunkt for seneste ændring": _TIME,
    "Sidst ændret": _TIME, "Mail": _PERSONAL, "E-mail": _PERSONAL, "Navn": _PERSONAL,
    "Point i alt": _QUIZ, "Samlet antal point": _QUIZ, "Quizfeedback": _QUIZ, "Quiz-feedback": _QUIZ,
}
_STARTS = {normalise_label(x) for x in ("Start time", "Starttidspunkt")}
_ENDS = {normalise_label(x) for x in ("Completion time", "Fuldførelsestidspunkt")}
_QUIZ_PREFIXES = ("points ", "point ", "feedback ")


def is_forms(columns: list[str]) -> bool:
    """``True`` when the first columns are Microsoft Forms' (ID, start and completion time)."""
    head = [normalise_label(c) for c in columns[:8]]
    return "id" in head and bool(_STARTS & set(head)) and bool(_ENDS & set(head))


def load_forms(path: Path, codebook: Codebook, options: IngestOptions, *, table: SourceTable | None = None,
               sink: TidySink | None = None) -> IngestResult:
    """Load a Microsoft Forms export.

    Raises
    ------
    DataFileError, DataValidationError
        See ``docs/ingest.md``.
    """
    src = table or read_table(path)
    meta = dict(FORMS_METADATA)
    meta.update({c: _QUIZ for c in src.data.columns if normalise_label(c).startswith(_QUIZ_PREFIXES)})
    plan = plan_columns(src.data.columns, codebook, metadata=meta, roles=FORMS_ROLES)
    result = assemble(src, plan, codebook, replace(options, tag_ids=True), sink=sink)  # IDs restart at 1 in every form
    email = next((c for c, why in plan.ignored.items() if why == _PERSONAL and "mail" in c.casefold()), None)
    if email is not None:
        values = {str(v).strip().casefold() for v in src.data[email] if not is_blank(v)}
        result.provenance["anonymous_form"] = values <= {"anonymous", "anonym"}
    return result
