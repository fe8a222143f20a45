"""Rich tables of simulation results for the command line."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from solidstack.sim.result import CyclingResult
from solidstack.stack.cycling import STEP_CURRENT_FIELDS, Stage

COLUMNS = [
    ("cycle", "cycle", "{:d}"),
    ("charge_capacity_mAh_g", "charge mAh/g", "{:.1f}"),
    ("discharge_capacity_mAh_g", "discharge mAh/g", "{:.1f}"),
    ("coulombic_efficiency", "CE %", "{:.1%}"),
    ("retention", "retention %", "{:.1%}"),
    ("mean_charge_voltage_V", "V chg", "{:.3f}"),
    ("mean_discharge_voltage_V", "V dis", "{:.3f}"),
    ("contact_fraction_anode", "contact anode", "{:.3f}"),
    ("contact_fraction_cathode", "contact cathode", "{:.3f}"),
]


def protocol_line(result: CyclingResult) -> str:
    """The protocol as given, in one line: "C/10 (0.2014 mA/cm2), discharge at 1C (2.014 mA/cm2), 3-4.37 V, charge
    first, CV hold until C/50, ..." (a step's own current only where the protocol gives one)."""
    p, run = result.protocol, (result.provenance or {}).get("protocol", {})
    given = run.get("current", str(p.current))
    parts = [given if given == str(p.current) else f"{given} ({p.current})"]
    for which in STEP_CURRENT_FIELDS:
        value = getattr(p, which)
        if value is not None:
            text = run.get(which, str(value))
            parts.append(f"{which.split('_')[0]} at {text if text == str(value) else f'{text} ({value})'}")
    parts += [f"{p.lower_V:g}-{p.upper_V:g} V", f"{p.first} first"]
    if p.cv_hold_until is not None:
        parts.append(f"CV hold until {run.get('cv_hold_until', p.cv_hold_until)}")
    if p.rest is not None:
        parts.append(f"rest {p.rest}")
    if p.period is not None:
        parts.append(f"sampled every {p.period}")
    if p.stages:
        parts.append(f"in {len(p.stages)} stages (" + "; ".join(stage_text(i, st) for i, st in
                                                              enumerate(p.stages, start=1)) + ")")
    return ", ".join(parts)


def stage_text(i: int, stage: Stage) -> str:
    """A stage in a few words: "1 formation: 2 cycles, C/20, 75 MPa" (its own currents and pressure only)."""
    name = f" {stage.name}" if stage.name else ""
    parts = [f"{stage.cycles} cycle(s)"]
    if stage.current is not None:
        parts.append(str(stage.current))
    parts += [f"{which.split('_')[0]} at {getattr(stage, which)}" for which in STEP_CURRENT_FIELDS
              if getattr(stage, which) is not None]
    if stage.stack_pressure is not None:
        parts.append(str(stage.stack_pressure))
    return f"{i}{name}: " + ", ".join(parts)


def cycles_table(result: CyclingResult, max_rows: int = 40) -> Table:
    """The per-cycle table (first and last rows when there are more than ``max_rows``)."""
    t = Table(title=f"{escape(result.stack_name)}: {result.model_name}, {len(result.cycles)} cycle(s)", title_justify="left",
              caption=protocol_line(result), caption_justify="left")
    held = [c for c in result.cycles.columns if c.endswith("_held_mAh")]
    columns = COLUMNS[:1] + ([("stage", "stage", "{:d}")] if "stage" in result.cycles.columns else []) + COLUMNS[1:]
    for _, head, _ in columns:
        t.add_column(head, justify="right")
    for c in held:
        t.add_column(c.removesuffix("_held_mAh").replace("_", " ") + " mAh", justify="right")
    df = result.cycles
    rows = list(range(len(df)))
    if len(rows) > max_rows:
        rows = rows[: max_rows // 2] + [-1] + rows[-max_rows // 2 :]
    for i in rows:
        if i == -1:
            t.add_row(*(["..."] * (len(columns) + len(held))))
            continue
        r = df.iloc[i]
        cells = [fmt.format(int(r[col]) if col in ("cycle", "stage") else float(r[col])) for col, _, fmt in columns]
        cells += [f"{float(r[c]):.3f}" for c in held]
        t.add_row(*cells)
    return t
