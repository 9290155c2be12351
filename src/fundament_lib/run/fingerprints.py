"""Input fingerprints: what a briefing (or the national overview) was made from, as one hash.

A kommune's fingerprint covers its own rows of the tidy data, its parameters, the notebook, the
framework, the library's source and the renderer; it is stored beside the finished outputs
(:data:`fundament_lib.run.publish.MARKER`), and a run skips a kommune whose stored fingerprint
equals the one :func:`fingerprint` computes now. Hashes only: nothing here reads or writes outputs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fundament_lib.core.libhash import library_fingerprint
from fundament_lib.core.paths import frameworks_dir

if TYPE_CHECKING:
    import pandas as pd

    from fundament_lib.core.params import Params

    from .publish import Renderer

__all__ = ["kommune_hashes", "fingerprint", "overview_fingerprint", "OVERVIEW"]

OVERVIEW = "landsoverblik"  # the national overview's folder, beside the kommuner's


def kommune_hashes(tidy: pd.DataFrame, codes: Iterable[str]) -> dict[str, str]:
    """Hash of each kommune's own rows of the tidy table (every wave; row order does not matter).

    Parameters
    ----------
    tidy
        The validated tidy answers.
    codes
        The kommuner to hash.

    Returns
    -------
    dict
        Kommune code → 16 hex digits.
    """
    import pandas as pd

    wanted = list(codes)
    rows = tidy[tidy["kommunekode"].astype(str).isin(wanted)]
    frame = pd.DataFrame({"code": rows["kommunekode"].astype(str).to_numpy(),
                          "row": pd.util.hash_pandas_object(rows, index=False).to_numpy()})
    header = ",".join(map(str, tidy.columns)).encode()
    out = {code: hashlib.sha256(header).hexdigest()[:16] for code in wanted}
    for code, group in frame.sort_values(["code", "row"]).groupby("code", sort=False):
        out[str(code)] = hashlib.sha256(header + group["row"].to_numpy().tobytes()).hexdigest()[:16]
    return out


def fingerprint(kommunekode: str, *, data_slice: str, params: Params, notebook: bytes,
                renderer: Renderer = "nbconvert") -> dict[str, Any]:
    """A kommune's input fingerprint: its parts and their combined hash (``"fingerprint"``).

    Parameters
    ----------
    kommunekode
        The kommune.
    data_slice
        Hash of the kommune's own rows (:func:`kommune_hashes`).
    params
        The kommune's validated parameters.
    notebook
        The notebook's bytes.
    renderer
        What makes the HTML (``"nbconvert"`` or ``"quarto"``).
    """
    fw_file = frameworks_dir() / f"{params.framework}.yaml"
    fw_bytes = fw_file.read_bytes() if fw_file.exists() else params.framework.encode()
    parts = {
        "kommunekode": kommunekode,
        "data": data_slice,
        "params": _params_digest(params),
        "notebook": _digest(notebook),
        "framework": f"{params.framework}:{_digest(fw_bytes)}",
        "library": library_fingerprint()[:16],
        "renderer": renderer,
    }
    return {"fingerprint": _digest(json.dumps(parts, sort_keys=True).encode()), "parts": parts}


def overview_fingerprint(slices: dict[str, str], params: dict[str, Params], *, notebook: bytes,
                         renderer: Renderer = "nbconvert") -> dict[str, Any]:
    """The national overview's input fingerprint: every kommune's data and parameters, the
    overview notebook, the library and the renderer."""
    parts = {
        "kommunekode": OVERVIEW,
        "data": _digest(json.dumps(slices, sort_keys=True).encode()),
        "params": _digest(json.dumps({c: _params_digest(p) for c, p in params.items()}, sort_keys=True).encode()),
        "notebook": _digest(notebook),
        "library": library_fingerprint()[:16],
        "renderer": renderer,
    }
    return {"fingerprint": _digest(json.dumps(parts, sort_keys=True).encode()), "parts": parts}


def _params_digest(params: Params) -> str:
    return _digest(json.dumps(params.model_dump(mode="json"), sort_keys=True).encode())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]
