"""``solidstack calibrate``: fit the few constants physics and literature cannot fix, and record them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def calibrate(
        only: Annotated[list[str] | None, typer.Option("--only", help="Run only this calibration (repeatable).")] = None,
        iterations: Annotated[int, typer.Option("--iterations", min=2, max=40, help="Bisection steps per constant.")] = 14,
        out: Annotated[Path | None, typer.Option("--out", help="The calibration file to write (TOML; merged by name "
                                                 "if it exists). Required: nothing is written into the package.")] = None,
    ) -> None:
        """Fit the calibrated constants (each to a named number) and write them to the file named by --out."""
        from rich.table import Table

        from solidstack.errors import InputError, Problem
        from solidstack.report import console as make_console
        from solidstack.sim.calibration import CALIBRATIONS, by_name
        from solidstack.sim.calibration import calibrate as run

        for name in only or []:
            by_name(name)  # unknown name: one-line error, exit 2, before any work
        if out is None:
            raise InputError(Problem("--out", "name the calibration file to write, e.g. --out calibration.toml (the "
                                              "shipped values: --out src/solidstack/sim/data/calibration.toml)"))
        if out.is_dir() or not out.parent.is_dir():
            raise InputError(Problem("--out", f"{out}: not a file in an existing folder"))
        console = make_console()
        with console.status("calibrating (each constant: a bisection of full simulations)"):
            records = run(only or None, iterations, path=out,
                          progress=lambda n, v, a: console.print(f"{n}: {v:.4g} (measure {a:.4g})", markup=False))
        t = Table(title=f"calibrated constants ({out})", title_justify="left")
        for col in ("name", "constant", "value", "target", "achieved", "fitted to"):
            t.add_column(col)
        for r in records:
            fitted = r.get("fitted_to")
            t.add_row(r["name"], f"{r['file']}: {r['key']}", f"{r['value']:.4g} {r['unit']}", f"{r['target']:g}",
                      f"{r['achieved']:.4g}", _fitted_text(fitted, r["source"]))
        console.print(t)
        console.print(f"{len(records)} of {len(CALIBRATIONS)} calibrations written", markup=False)


def _fitted_text(fitted: dict | None, source: str) -> str:
    """What a record was fitted to, for the table: a patent paragraph, a literature number, or its source."""
    if fitted and "paragraph" in fitted:
        return f"patent {fitted['paragraph']}"
    if fitted and "case" in fitted:
        return f"literature {fitted['case']} {fitted.get('number', '')}".strip()
    return source[:60]
