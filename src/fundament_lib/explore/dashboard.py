"""The ipywidgets dashboard that drives the views interactively."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fundament_lib.framework import GROUP_LABELS
from fundament_lib.report.html import Html, esc, fmt_int, note

from .data import GROUPS, Dataset, _check_kommuner
from .views import benchmark, distribution, gaps

__all__ = ["dashboard"]


def dashboard(ds: Dataset, *, kommuner: Sequence[str] | None = None, theme: str | None = None) -> Any:
    """The interactive explorer: widgets for kommuner, group, fagområde, theme and the
    benchmark kommune, and three tabs that call :func:`distribution`, :func:`gaps` and
    :func:`benchmark` (``ipywidgets.interactive_output``).

    Parameters
    ----------
    ds
        From :func:`load`.
    kommuner
        Kommuner selected at the start (default: the first five in the data).
    theme
        Theme selected at the start (default: the first).

    Returns
    -------
    ipywidgets.VBox
        Display it in a notebook.
    """
    import ipywidgets as w
    from IPython.display import display

    names = ds.kommune_labels()
    start = _check_kommuner(ds, kommuner) if kommuner else ds.kommuner[:5]
    themes = ds.theme_labels()
    pick = w.SelectMultiple(options=[(v, k) for k, v in names.items()], value=tuple(start), rows=8,
                            description="Kommuner")
    group = w.Dropdown(options=[(GROUP_LABELS[g], g) for g in GROUPS], value="alle", description="Gruppe")
    fag = w.Dropdown(options=[("Alle fagområder", ""), *((v, k) for k, v in ds.fagomraade_labels().items())],
                     value="", description="Fagområde")
    theme_w = w.Dropdown(options=[(v, k) for k, v in themes.items()], value=theme or next(iter(themes)),
                         description="Tema")
    bench = w.Dropdown(options=[(v, k) for k, v in names.items()], value=start[0], description="Benchmark")
    for control in (pick, group, fag, theme_w, bench):
        control.style.description_width = "90px"
        control.layout.width = "440px"

    def show(view_fn: Any, **kwargs: Any) -> None:
        try:
            display(view_fn(ds, **kwargs))
        except ValueError as exc:  # e.g. staff with a fagområde: say so instead of a traceback
            display(Html(str(note(str(exc), kind="warning"))))

    def show_distribution(kommuner: tuple[str, ...], group: str, fagomraade: str, theme: str) -> None:
        if fagomraade and group == "stab":
            display(Html(note("Stab og ledelse har intet fagområde: vælg 'Alle fagområder' eller en anden "
                              "gruppe.", kind="warning")))
            return
        show(distribution, kommuner=list(kommuner), group=group, fagomraade=fagomraade or None, theme=theme)

    def show_gaps(kommuner: tuple[str, ...], fagomraade: str) -> None:
        show(gaps, kommuner=list(kommuner), fagomraade=fagomraade or None)

    def show_benchmark(kommune: str, theme: str, group: str) -> None:
        show(benchmark, kommune=kommune, theme=theme, group=group)

    tabs = w.Tab(children=[
        w.interactive_output(show_distribution, {"kommuner": pick, "group": group, "fagomraade": fag,
                                                 "theme": theme_w}),
        w.interactive_output(show_gaps, {"kommuner": pick, "fagomraade": fag}),
        w.interactive_output(show_benchmark, {"kommune": bench, "theme": theme_w, "group": group}),
    ])
    for i, name in enumerate(("Svarfordeling", "Stab/borgernære", "Benchmark")):
        tabs.set_title(i, name)
    controls = w.HBox([pick, w.VBox([group, fag, theme_w, bench])])
    return w.VBox([w.HTML(f"<b>{esc(ds.fw.short_title or ds.fw.title)}</b> – {len(ds.kommuner)} {'kommune' if len(ds.kommuner) == 1 else 'kommuner'}, "
                          f"{fmt_int(len(ds.scores))} respondenter"), controls, tabs])
