"""Writing the demo survey: the raw export, its tidy Parquet form, the planted truth and the
demo's own parameters, each marked as demo data so it is never pooled with a kommune's own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fundament_lib.core.atomic import write_json, write_text
from fundament_lib.core.params import DEMO_FOLDER
from fundament_lib.framework import load_framework

from .model import DemoConfig, DemoSurvey
from .survey import generate

__all__ = ["write_demo"]


def _demo_params(survey: DemoSurvey) -> dict[str, str]:
    """Small per-kommune overrides the demo ships: response-rate denominators for the
    kommuner with two waves, and a stricter privacy threshold for one kommune."""
    wide = survey.wide
    out = {}
    for code in survey.planted["second_wave"]["kommuner"]:  # type: ignore[index]
        latest = wide[(wide["kommunekode"] == code) & (wide["wave"] == wide["wave"].max())]
        sizes = latest.groupby("group").size()
        invited = {g: int(np.ceil(sizes.get(g, 0) / 0.72)) for g in ("stab", "borgernaer")}
        out[code] = (f"# Demo: {code} surveyed its leaders twice; invited counts give the response rate.\n"
                     f"invited:\n  stab: {invited['stab']}\n  borgernaer: {invited['borgernaer']}\n")
    out["147"] = "# Demo: Frederiksberg reports nothing about fewer than 8 respondents.\nmin_n: 8\n"
    return out


def write_demo(raw_dir: Path, processed_dir: Path, config: DemoConfig | None = None,
               params_dir: Path | None = None) -> dict[str, Path]:
    """Write the demo survey: the raw export, its tidy form and the planted truth.

    ``raw_dir`` receives ``fundament_demo_wide.csv`` (``;``-separated UTF-8, one
    row per respondent, as a survey tool exports it) plus the planted truth;
    ``processed_dir`` receives ``demo.parquet`` — the raw file read back
    through the wide loader and validated — and a copy of the planted truth.
    With ``params_dir``, the demo's per-kommune overrides (invited counts, one stricter
    threshold) are written to ``params_dir/demo/``, which only demo data read.

    Returns
    -------
    dict
        The paths written, by role.
    """
    from fundament_lib.ingest.parquet import write_tidy_parquet
    from fundament_lib.ingest.provenance import provenance_path
    from fundament_lib.ingest.wide import read_wide

    fw = load_framework()
    survey = generate(config, fw)
    raw_csv = raw_dir / "demo" / "fundament_demo_wide.csv"
    write_text(raw_csv, survey.wide.to_csv(sep=";", index=False))
    tidy = read_wide(raw_csv, fw).data
    out = {"raw": raw_csv, "processed": processed_dir / "demo.parquet"}
    # Marked as demo data in the Parquet metadata and the provenance: never pooled with a kommune's own data.
    write_tidy_parquet(tidy, out["processed"], demo=True)
    write_json(provenance_path(out["processed"]), _demo_provenance(config or DemoConfig(), tidy))
    for folder in (raw_dir / "demo", processed_dir):
        write_json(folder / "demo_planted_effects.json", survey.planted)
        write_text(folder / "demo_true_scores.csv", survey.true_scores.to_csv(index=False))
    out["planted"] = processed_dir / "demo_planted_effects.json"
    out["true_scores"] = processed_dir / "demo_true_scores.csv"
    if params_dir is not None:  # the demo's own folder: read only for demo data (params.load_params)
        for code, text in _demo_params(survey).items():
            target = params_dir / DEMO_FOLDER / f"{code}.yaml"
            write_text(target, text)
            out[f"params {code}"] = target
    return out


def _demo_provenance(config: DemoConfig, tidy: pd.DataFrame) -> dict[str, object]:
    """The provenance record of ``demo.parquet``: synthetic data, and how it was made."""
    return {"demo": True,
            "source": {"generator": "fundament demo", "seed": config.seed,
                       "note": "synthetic survey answers made by fundament_lib.demo — not a kommune's own data"},
            "kommuner": sorted({str(k) for k in tidy["kommunekode"]}),
            "output": {"rows": int(len(tidy))}}


