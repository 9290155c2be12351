"""The run: notebooks executed in warm kernels, rendered to HTML (or Quarto, PDF) and put in place.

``fundament run`` calls :func:`fundament_lib.run.batch.run`; the rest serves it, in the order a
run uses them.

=========================  ===================================================================
:mod:`.batch`              a run: one briefing per kommune, in parallel, resumable
:mod:`.outcome`            what a run reports: outcomes, results, the run report
:mod:`.planning`           check every input and decide what to render, before writing
:mod:`.fingerprints`       what a briefing was made from, as one hash (resume)
:mod:`.workers`            worker processes on this machine, or a Dask cluster
:mod:`.kernels`            warm kernels: started once per worker, reset between notebooks
:mod:`.kernel_state`       the state a warm kernel restores (runs inside the kernel)
:mod:`.kernel_folders`     kernel folders left by a killed run, removed
:mod:`.papermill_engine`   Papermill executing a notebook in a warm kernel
:mod:`.schedule`           tasks handed to workers; a worker that dies is survived
:mod:`.task`               one task: execute one kommune's notebook and export its HTML
:mod:`.render`             executed notebooks as self-contained HTML, code hidden
:mod:`.quarto_input`       the executed notebook as Quarto should get it
:mod:`.pandoc_markdown`    HTML fragments as Pandoc markdown (Quarto's Typst PDF)
:mod:`.quarto`             rendering with the Quarto CLI
:mod:`.browser`            headless Chromium, offline
:mod:`.pdf`                A4 PDFs printed by Chromium
:mod:`.publish`            results put in place in ``OUT/<kode>/``
:mod:`.finish`             a kommune finished in the parent: published, then bundled
:mod:`.on_disk`            what the output folder holds from earlier runs
:mod:`.backlink`           the link from a briefing back to ``index.html``
:mod:`.index`              ``index.html``: every kommune of a run, by region
:mod:`.leaks`              the leak check: what a bundle must not hold
:mod:`.bundles`            for each kommune, exactly what may be handed to it
=========================  ===================================================================
"""

from fundament_lib.core.lazy_modules import defer_iri_grammars

# Before anything here imports nbformat: every run process (the parent, each worker) would
# otherwise compile jsonschema's IRI grammars, about 1.3 s of CPU, and never use them.
defer_iri_grammars()

__all__ = ["batch", "outcome", "planning", "fingerprints", "workers", "kernels", "kernel_state",
           "kernel_folders", "papermill_engine", "schedule", "task", "render", "quarto_input",
           "pandoc_markdown", "quarto", "browser", "pdf", "publish", "finish", "on_disk", "backlink",
           "index", "leaks", "bundles"]
