"""``solidstack simulate``: cycle a stack in PyBaMM and print/write the per-cycle table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from solidstack.errors import InputError, Problem

FORMATS = ("solidstack", "bdf")
#: Where simulate() reports a problem -> the option that set it.
_OPTION = {"current": "--current", "charge_current": "--charge-current", "discharge_current": "--discharge-current",
           "window": "--window", "cycles": "--cycles", "cv_hold": "--cv-hold",
           "cv_hold_until": "--cv-hold", "rest": "--rest", "period": "--period", "stack_pressure": "--pressure",
           "model": "--model"}


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` command to ``app``."""

    @app.command()
    def simulate(
        stack: Annotated[str, typer.Argument(help="A stack file (.toml, .yaml, .json) or a preset name.")],
        cycles: Annotated[int | None, typer.Option("--cycles", help="Number of cycles (default: the stack's own).")] = None,
        current: Annotated[str | None, typer.Option("--current", help='Current density "0.2 mA/cm2", current "0.2 mA" or C-rate "C/10", "0.5C" (on the limiting capacity, min of anode and cathode).')] = None,
        charge_current: Annotated[str | None, typer.Option("--charge-current", help='The charge step\'s own current, in the forms of --current (default: --current, or the stack\'s own).')] = None,
        discharge_current: Annotated[str | None, typer.Option("--discharge-current", help='The discharge step\'s own current, e.g. "1C" after a "C/10" charge (default: --current, or the stack\'s own).')] = None,
        window: Annotated[str | None, typer.Option("--window", help="Voltage window LO:HI or LO,HI in V, e.g. 3.0:4.37.")] = None,
        cv_hold: Annotated[str | None, typer.Option("--cv-hold", help='Hold at the upper cut-off until the current falls to this, e.g. "C/50" or "0.02 mA/cm2".')] = None,
        rest: Annotated[str | None, typer.Option("--rest", help='Rest after each step, e.g. "10 min".')] = None,
        period: Annotated[str | None, typer.Option("--period", help='Sample the time series every "30s" (a time), "0.01 mAh" (a capacity) or "0.5 mAh/g" (per g of cathode active material); default: the solver\'s points.')] = None,
        pressure: Annotated[str | None, typer.Option("--pressure", help='Stack pressure, e.g. "10 MPa" (default: the stack\'s own).')] = None,
        no_contact_loss: Annotated[bool, typer.Option("--no-contact-loss", help="Switch the contact-loss law off.")] = False,
        model: Annotated[str, typer.Option("--model", help="spm, spme or dfn.")] = "spme",
        fmt: Annotated[str, typer.Option("--format", help="Files in --out: solidstack (CSV, Parquet, PNG, run.json, stack.toml) or bdf (also the time series in Battery Data Format columns).")] = "solidstack",
        out: Annotated[Path | None, typer.Option("--out", help="Write CSV, Parquet, PNG, run.json and the input stack here.")] = None,
        resume: Annotated[Path | None, typer.Option(
            "--resume", help="Continue the run whose --out folder this is, from its checkpoint, to --cycles.")] = None,
    ) -> None:
        """Cycle a stack in PyBaMM (interlayer hosts, contact loss) and print the per-cycle table."""
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from solidstack.cli import _load
        from solidstack.report import console as make_console
        from solidstack.sim import CyclingResult, SimulationError, SimulationInterrupted
        from solidstack.sim import simulate as run
        from solidstack.sim.provenance import command_line

        console = make_console()
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            raise InputError(Problem("--format", f"{fmt!r} is not one of {', '.join(FORMATS)}"))
        if model.lower() not in ("spm", "spme", "dfn"):
            raise InputError(Problem("--model", f"unknown model {model!r}; use spm, spme or dfn"))
        s = _load(stack)
        if resume is not None:
            from solidstack.sim.checkpoint import load

            load(resume)  # a missing or foreign checkpoint: one line, before anything else
            out = out if out is not None else resume
        if out is not None:  # checked before the simulation, so its results cannot be lost to a bad target
            from solidstack.fsio import prepare_out_dir

            prepare_out_dir(out, "--out")
        model_name = model.upper() if model.lower() != "spme" else "SPMe"
        from solidstack.sim.run import check_ranges, check_resume, resolve_protocol

        try:  # before the progress bar: bad input is one line
            run_stack = s.replace(stack_pressure=pressure) if pressure is not None else s
            resolved = resolve_protocol(run_stack, None, cycles=cycles, current=current, window=window,
                                        cv_hold=cv_hold, rest=rest, period=period, charge_current=charge_current,
                                        discharge_current=discharge_current).resolved(run_stack)
            check_ranges(resolved)
        except InputError as e:
            raise InputError([Problem(_OPTION.get(p.where, p.where), p.what) for p in e.problems]) from None
        if resume is not None:
            check_resume(resume, run_stack, resolved, model_name, contact_loss=not no_contact_loss)
        failed: SimulationError | None = None
        stopped: SimulationInterrupted | None = None
        result: CyclingResult | None
        # the bar starts with the first finished cycle, so bad input prints nothing but its error line
        bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       console=err, transient=False)
        task = bar.add_task(f"{escape(s.name)}: cycles", total=None)

        def progress(done: int, total: int) -> None:
            if not bar.live.is_started:
                bar.start()
            bar.update(task, completed=done, total=total)

        try:
            # a run with --out checkpoints there after every chunk; SIGINT/SIGTERM stop it at a step boundary
            result = run(s, cycles=cycles, current=current, charge_current=charge_current,
                         discharge_current=discharge_current, window=window, cv_hold=cv_hold, rest=rest,
                         period=period, pressure=pressure, contact_loss=not no_contact_loss,
                         model=model_name, progress=progress, checkpoint=out, resume=resume, handle_signals=True)
        except InputError as e:
            raise InputError([Problem(_OPTION.get(p.where, p.where), p.what) for p in e.problems]) from None
        except SimulationError as e:
            failed = e
            result = e.result
        except SimulationInterrupted as e:
            stopped = e
            result = e.result
        finally:
            if bar.live.is_started:
                bar.stop()
        if result is not None:
            from solidstack.sim.report import cycles_table

            console.print(cycles_table(result))
            for note in result.notes:
                console.print(f"note: {note}", markup=False, highlight=False)
            warning = refused_warning(result)
            if warning:
                err.print(warning, markup=False)
            if out is not None:
                files = result.write_run(out, command=command_line(), bdf=fmt == "bdf")
                files += result.to_csv(out)
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


def refused_warning(result) -> str | None:
    """One line saying which steps started beyond their cut-off and passed no capacity (the per-cycle column
    ``step_refused``, sim/run.py ``mark_refused``), or None."""
    table = result.cycles
    if "step_refused" not in table:
        return None
    flagged = [(int(c), str(f)) for c, f in zip(table["cycle"], table["step_refused"], strict=True) if f]
    if not flagged:
        return None
    shown = "; ".join(f"cycle {c} {f.replace(',', ', ')}" for c, f in flagged[:3]) + (" ..." if len(flagged) > 3 else "")
    n_steps = sum(len(f.split(",")) for _, f in flagged)
    return (f"warning: {n_steps} step(s) in {len(flagged)} cycle(s) started beyond their voltage cut-off and passed "
            f"no capacity ({shown}); see the notes and the column step_refused")
