"""``solidstack report``: the design report of one stack (a thin shell over :func:`solidstack.report.design_report`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def report_command(
    stack: Annotated[str, typer.Argument(help="A stack file (.toml, .yaml, .json) or a preset name (see `solidstack presets`).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for report.html and the figures (SVG and 300 dpi PNG).")],
    simulate: Annotated[bool, typer.Option("--simulate", help="Add a short cycling simulation (curves, per-cycle table, losses).")] = False,
    cycles: Annotated[int, typer.Option("--cycles", min=1, max=50, help="Cycles simulated with --simulate.")] = 3,
) -> None:
    """Self-contained HTML design report of a stack: layer table, what each layer costs, eligibility verdicts
    with reasons, claim chart, with --simulate the cycling curves and per-cycle table; sources cited."""
    from solidstack.fsio import prepare_out_dir
    from solidstack.report import console as make_console
    from solidstack.report import design_report
    from solidstack.stack import resolve

    s = resolve(stack)
    d = prepare_out_dir(out)
    console = make_console()
    if simulate:
        with console.status(f"simulating {cycles} cycles of {s.name}"):
            rep = design_report(s, simulate=True, cycles=cycles)
    else:
        rep = design_report(s)
    paths = rep.write(d)
    console.print(f"design report written to {d / 'report.html'} ({len(paths) - 1} figure files)", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the ``solidstack`` app."""
    app.command("report")(report_command)
