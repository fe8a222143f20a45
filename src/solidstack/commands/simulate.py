"""``solidstack simulate``: cycle a stack in PyBaMM and print/write the per-cycle table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from solidstack.errors import InputError, Problem


def _parse_window(text: str) -> tuple[float, float]:
    try:
        lo, hi = (float(p.strip().removesuffix("V").strip()) for p in text.split(":"))
    except ValueError:
        raise InputError(Problem("--window", f"expected LOWER:UPPER in V, e.g. 3.0:4.37, got {text!r}")) from None
    return lo, hi


def _parse_current(text: str) -> float:
    """A current density with units (e.g. "0.2 mA/cm2") in A/m2."""
    from solidstack.units import parse_quantity

    try:
        q = parse_quantity(text, "current_density")
    except ValueError as e:
        raise InputError(Problem("--current", str(e))) from None
    if q.si <= 0:
        raise InputError(Problem("--current", f"current density must be positive, got {text!r}"))
    return float(q.si)


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` command to ``app``."""

    @app.command()
    def simulate(
        stack: Annotated[str, typer.Argument(help="A stack file (.toml, .yaml, .json) or a preset name.")],
        cycles: Annotated[int | None, typer.Option("--cycles", help="Number of cycles (default: the stack's own).")] = None,
        current: Annotated[str | None, typer.Option("--current", help='Current density, e.g. "0.2 mA/cm2".')] = None,
        window: Annotated[str | None, typer.Option("--window", help="Voltage window LOWER:UPPER in V, e.g. 3.0:4.37.")] = None,
        model: Annotated[str, typer.Option("--model", help="spm, spme or dfn.")] = "spme",
        out: Annotated[Path | None, typer.Option("--out", help="Write CSV, Parquet and PNG files here.")] = None,
        resume: Annotated[Path | None, typer.Option(
            "--resume", help="Continue the run whose --out folder this is, from its checkpoint, to --cycles.")] = None,
    ) -> None:
        """Cycle a stack in PyBaMM (interlayer hosts, contact loss) and print the per-cycle table."""
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from solidstack.cli import _load
        from solidstack.report import console as make_console
        from solidstack.sim import Protocol, SimulationError, SimulationInterrupted
        from solidstack.sim import simulate as run

        console = make_console()
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        s = _load(stack)
        if resume is not None:
            from solidstack.sim.checkpoint import load

            load(resume)  # a missing or foreign checkpoint: one line, before anything else
            out = out if out is not None else resume
        if out is not None:  # checked before the simulation, so its results cannot be lost to a bad target
            from solidstack.fsio import prepare_out_dir

            prepare_out_dir(out, "--out")
        if model.lower() not in ("spm", "spme", "dfn"):
            raise InputError(Problem("--model", f"unknown model {model!r}; use spm, spme or dfn"))
        if cycles is not None and cycles < 1:
            raise InputError(Problem("--cycles", f"need at least 1 cycle, got {cycles}"))
        protocol = Protocol.from_stack(s) if s.cycling is not None else None
        changes: dict = {"cycles": cycles}
        if current is not None:
            changes["current_density_A_m2"] = _parse_current(current)
        if window is not None:
            changes["lower_V"], changes["upper_V"] = _parse_window(window)
        if protocol is None:
            if current is None or window is None:
                raise InputError(Problem("cycling", "the stack has no [cycling] section; give --current and --window"))
            protocol = Protocol(changes["current_density_A_m2"], changes["lower_V"], changes["upper_V"], cycles or 1)
        else:
            protocol = protocol.with_changes(**changes)
        failed: SimulationError | None = None
        stopped: SimulationInterrupted | None = None
        model_name = model.upper() if model.lower() != "spme" else "SPMe"
        from solidstack.sim.run import check_ranges

        check_ranges(protocol)  # before the progress bar: bad input is one line
        if resume is not None:
            from solidstack.sim.run import check_resume

            check_resume(resume, s, protocol, model_name)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=False) as bar:
            task = bar.add_task(f"{escape(s.name)}: cycles", total=protocol.cycles)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done)

            try:
                # a run with --out checkpoints there after every chunk; SIGINT/SIGTERM stop it at a step boundary
                result = run(s, protocol, model=model_name, progress=progress, checkpoint=out, resume=resume,
                             handle_signals=True)
            except SimulationError as e:
                failed = e
                result = e.result
            except SimulationInterrupted as e:
                stopped = e
                result = e.result
        if result is not None:
            from solidstack.sim.report import cycles_table

            console.print(cycles_table(result))
            for note in result.notes:
                console.print(f"note: {note}", markup=False, highlight=False)
            if out is not None:
                files = result.to_csv(out)
                try:
                    files += result.to_parquet(out)
                except ImportError:
                    err.print("note: Parquet skipped (pyarrow is not installed)", markup=False)
                files += result.save_plots(out)
                console.print(f"wrote {len(files)} files to {out}", markup=False)
        if stopped is not None:
            where = f"; finished cycles written to {out}" if out is not None and result is not None else ""
            err.print(f"interrupted: {stopped}{where}", markup=False)
            raise typer.Exit(128 + stopped.signum)
        if failed is not None:
            err.print(f"error: {failed}", markup=False)
            raise typer.Exit(1)
