"""``solidstack design``: inverse design of the interlayer stack for an electrode pair, with design-around."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RANK_COLUMNS = ("rank", "anode_side", "cathode_side", "specific_energy_Wh_kg", "retention", "feasible",
                "independent_claims", "claim_3", "claim_4", "claim_5", "claim_8")


def register(app: typer.Typer) -> None:
    """Add the ``design`` command to ``app``."""

    @app.command()
    def design(
        anode: Annotated[str, typer.Option("--anode", help="Anode active material, e.g. graphite.")],
        cathode: Annotated[str, typer.Option("--cathode", help="Cathode active material, e.g. NMC111.")],
        ion: Annotated[str, typer.Option("--ion", help="Working ion: Li, Na or K.")] = "Li",
        pressure: Annotated[str, typer.Option("--pressure", help='Stack pressure, e.g. "0 MPa".')] = "0 MPa",
        objective: Annotated[str, typer.Option("--objective", help="energy (max specific energy with retention >= --min-retention) or pareto.")] = "energy",
        min_retention: Annotated[float, typer.Option("--min-retention", help="Retention at the last cycle the energy objective requires (fraction of cycle 1).")] = 0.85,
        cycles: Annotated[int, typer.Option("--cycles", help="Cycles simulated per candidate (retention at the last).")] = 2,
        model: Annotated[str, typer.Option("--model", help="spm, spme or dfn.")] = "spm",
        base: Annotated[str | None, typer.Option("--base", help="Stack file or preset giving the electrodes, separator and protocol (default: a preset with these electrodes).")] = None,
        metals: Annotated[int, typer.Option("--metals", help="Metals per role and side taken from the screening.")] = 2,
        thickness: Annotated[list[str] | None, typer.Option("--thickness", help='Ductile-layer thickness (repeat), default "10 um" and "50 um".')] = None,
        inert_thickness: Annotated[str, typer.Option("--inert-thickness", help="Thickness of the inert layer.")] = "10 um",
        anode_metal: Annotated[list[str] | None, typer.Option("--anode-metal", help="Use these metals on the anode side instead of the screening's (repeat).")] = None,
        cathode_metal: Annotated[list[str] | None, typer.Option("--cathode-metal", help="Use these metals on the cathode side (repeat).")] = None,
        outside_claims: Annotated[bool, typer.Option("--outside-claims", help="Only designs that do not meet the patent's independent claims.")] = False,
        both_orders: Annotated[bool, typer.Option("--both-orders", help="Also try each ductile + inert pair in the reverse order (inert next to the collector).")] = False,
        top: Annotated[int, typer.Option("--top", help="Designs listed inside and outside the claims.")] = 5,
        store: Annotated[Path | None, typer.Option("--store", help="Keep the results in this store folder (resumable, `study show`).")] = None,
        workers: Annotated[int | None, typer.Option("--workers", help="Local worker processes (default: the CPU count; 0 = in this process).")] = None,
        dask: Annotated[str | None, typer.Option("--dask", help="A Dask scheduler address or 'local'.")] = None,
        fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    ) -> None:
        """Propose interlayer stacks for an electrode pair, simulate and rank them, and list the best designs inside
        and outside the patent's independent claims (design-around)."""
        from rich.console import Console

        from solidstack.cli import console
        from solidstack.commands.study import _rows_table, progress_bar
        from solidstack.errors import InputError, Problem
        from solidstack.studies.inverse import design as run_design

        if fmt not in ("table", "json"):
            raise InputError(Problem("--format", f"{fmt!r} is not one of table, json"))
        if top < 1:
            raise InputError(Problem("--top", f"need at least 1, got {top}"))
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        bar, update = progress_bar(err, f"design {anode} | {cathode}")
        with bar:
            res = run_design(anode, cathode, ion, pressure, objective=objective, min_retention=min_retention,
                             cycles=cycles, model=model, base=base, metals=metals,
                             thicknesses=tuple(thickness) if thickness else ("10 um", "50 um"),
                             inert_thickness=inert_thickness, anode_metals=anode_metal, cathode_metals=cathode_metal,
                             outside_claims=outside_claims, both_orders=both_orders, top=top, store=store, workers=workers, dask=dask,
                             progress=update)
        if fmt == "json":
            import json

            typer.echo(json.dumps(res.to_dict(), indent=2, default=str))
            return
        for note in res.notes:
            console.print(f"note: {note}", markup=False, highlight=False)
        goal = (f"maximise specific energy with retention >= {min_retention:g} at cycle {cycles}" if objective == "energy"
                else "Pareto set of specific energy and retention, then specific energy")
        cols = [c for c in RANK_COLUMNS if c in res.ranked.columns]
        console.print(_rows_table(res.ranked.head(max(top, 10)), cols, f"ranked designs ({goal}); {len(res.ranked)} simulated"))
        console.print(_rows_table(res.inside, [c for c in cols if c in res.inside.columns],
                                  "best designs meeting the independent claim(s)"))
        console.print(_rows_table(res.outside, [c for c in ("rank", "anode_side", "cathode_side", "specific_energy_Wh_kg",
                                                            "retention", "feasible") if c in res.outside.columns],
                                  "design-around: best designs outside the independent claim(s)"))
        for _, r in res.outside.iterrows():
            console.print(f"#{r['rank']} avoids: {r['claims_avoided']}", markup=False, highlight=False)
        for _, r in res.failed.iterrows():
            console.print(f"failed: {r['anode_side']} | {r['cathode_side']}: {r['message']}", markup=False, highlight=False)
