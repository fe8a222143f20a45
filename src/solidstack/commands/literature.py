"""``solidstack literature``: published all-solid-state cells simulated and compared number by number."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def literature(
        case: Annotated[list[str] | None, typer.Option("--case", help="A case id (repeat for several); default: every case.")] = None,
        model: Annotated[str, typer.Option("--model", help="spm, spme or dfn.")] = "spme",
        max_cycles: Annotated[int | None, typer.Option("--max-cycles", help="Cap every run at N cycles (numbers needing later cycles then cannot run).")] = None,
        out: Annotated[Path | None, typer.Option("--out", help="Folder for literature.csv, literature.json and summary.txt.")] = None,
        json_path: Annotated[Path | None, typer.Option("--json", help="Write the summary and every row as JSON.")] = None,
        list_cases: Annotated[bool, typer.Option("--list", help="List the cases and exit.")] = False,
    ) -> None:
        """Run the literature validation cases: one row per published number with the simulated value, difference,
        tolerance, fitted or predicted, and why a number is not modelled or cannot run."""
        from rich.progress import Progress
        from rich.table import Table

        from solidstack.errors import InputError, Problem
        from solidstack.fsio import prepare_out_dir
        from solidstack.report import console as make_console
        from solidstack.studies.literature import literature as run
        from solidstack.studies.literature import load_cases

        console = make_console()
        if list_cases:
            t = Table(title="literature cases", title_justify="left")
            for col in ("case", "numbers", "runs", "confidence", "origin", "citation"):
                t.add_column(col, overflow="fold")
            for c in load_cases():
                t.add_row(c.id, str(sum(not n.derived for n in c.numbers)), str(len(c.runs)), c.overall_confidence, c.origin, c.citation)
            console.print(t)
            return
        if max_cycles is not None and max_cycles < 1:
            raise InputError(Problem("--max-cycles", f"need at least 1 cycle, got {max_cycles}"))
        if model.lower() not in ("spm", "spme", "dfn"):
            raise InputError(Problem("--model", f"unknown model {model!r} (use spm, spme or dfn)"))
        if out is not None:
            prepare_out_dir(out)
        if json_path is not None:
            if json_path.is_dir():
                raise InputError(Problem("--json", f"{str(json_path)!r} is a folder; give a file path"))
            prepare_out_dir(json_path.parent if str(json_path.parent) else Path("."), "--json")
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("running the literature cases", total=None)
            val = run(case or None, model={"spm": "SPM", "spme": "SPMe", "dfn": "DFN"}[model.lower()], max_cycles=max_cycles,
                      on_case=lambda cid, i, n: progress.update(task, completed=i, total=n, description=f"done: {cid}"),
                      on_run=lambda cid, rid: progress.update(task, description=f"simulating {cid} / {rid}"))
        console.print(val)
        if json_path is not None:
            val.to_json(json_path)
            console.print(f"rows written to {json_path}", markup=False)
        if out is not None:
            paths = val.write(out)
            console.print(f"written to {out}: {', '.join(p.name for p in paths)}", markup=False)
