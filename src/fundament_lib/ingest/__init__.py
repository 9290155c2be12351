"""Loading survey exports into the tidy answer table (see :mod:`.schema`).

One module per job: :mod:`.readers` (encodings, separators, Excel),
:mod:`.codebook` and :mod:`.matching` (which column is which item),
:mod:`.scales` (K-point scales, which end is best), :mod:`.answers` and
:mod:`.labels` (cells and value labels against scales), :mod:`.columns`
(answer columns into long rows), one module per format (:mod:`.wide`,
:mod:`.long`, :mod:`.forms`, :mod:`.surveyxact`), :mod:`.waves` (a default
wave), :mod:`.assemble` (respondents, strict/lenient; problems collected in
:mod:`.problems`), :mod:`.schema` (the tidy table's pandera schema),
:mod:`.tidy_files` (:func:`read_tidy`), :mod:`.parquet` (the demo mark and
source hash in the Parquet metadata), :mod:`.provenance` and :mod:`.load` (the
one entry point, :func:`ingest`). The codebook a framework makes is
:mod:`fundament_lib.framework.codebook`.
"""

from fundament_lib.framework.codebook import codebook_table

from .assemble import IngestOptions, IngestResult
from .codebook import Codebook, load_codebook
from .load import FORMATS, detect_format, ingest
from .provenance import provenance_path, write_ingested
from .schema import BACKGROUND_COLUMNS, TIDY_COLUMNS, validate_tidy
from .tidy_files import read_tidy
from .wide import read_wide, wide_to_tidy

__all__ = [
    "FORMATS",
    "BACKGROUND_COLUMNS",
    "TIDY_COLUMNS",
    "Codebook",
    "IngestOptions",
    "IngestResult",
    "codebook_table",
    "detect_format",
    "ingest",
    "load_codebook",
    "provenance_path",
    "read_tidy",
    "read_wide",
    "validate_tidy",
    "wide_to_tidy",
    "write_ingested",
]
