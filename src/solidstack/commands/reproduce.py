"""``solidstack reproduce``: the patent's six cells simulated and compared with the published numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def reproduce(
        cycles: Annotated[int, typer.Option("--cycles", min=1, max=100, help="Cycles per cell (the patent shows 5).")] = 5,
        model: Annotated[str, typer.Option("--model", help="spm, spme or dfn.")] = "spme",
        out: Annotated[Path | None, typer.Option("--out", help="Folder for the FIG. 7-11 PNGs and report.html.")] = None,
        json_path: Annotated[Path | None, typer.Option("--json", help="Write every published and simulated number as JSON.")] = None,
    ) -> None:
        """Reproduce Examples 1-4, Reference and Comparative Example side by side with the published numbers."""
        from rich.progress import Progress

        from solidstack.errors import InputError, Problem
        from solidstack.report import console as make_console
        from solidstack.studies.reproduce import CELLS
        from solidstack.studies.reproduce import reproduce as run

        if model.lower() not in ("spm", "spme", "dfn"):
            raise InputError(Problem("--model", f"unknown model {model!r} (use spm, spme or dfn)"))
        from solidstack.fsio import prepare_out_dir, prepare_out_file

        if out is not None:  # checked before the simulations, so their results cannot be lost to a bad target
            prepare_out_dir(out, "--out")
        if json_path is not None:
            prepare_out_file(json_path, "--json")
        console = make_console()
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("simulating the patent's cells", total=len(CELLS))
            rep = run(cycles=cycles, model={"spm": "SPM", "spme": "SPMe", "dfn": "DFN"}[model.lower()],
                      on_cell=lambda cell, i, n: progress.update(task, completed=i, description=f"done: {cell}"))
        console.print(rep)
        if json_path is not None:
            rep.to_json(json_path)
            console.print(f"numbers written to {json_path}", markup=False)
        if out is not None:
            from solidstack.report.reproduction import write_report

            paths = write_report(rep, out)
            console.print(f"figures and report written to {out}: {', '.join(p.name for p in paths)}", markup=False)
