"""Reproduction of the patent's experiments: its six cells simulated from the shipped presets and compared
number by number with what the patent publishes.

Between the cells only what the patent says differs may differ (layers, masses, fractions, windows,
currents); the knowledge base, the physics and the constants are the same for all six. Which published
numbers were used to calibrate constants is read from the calibration records of the simulation data
(``fitted_to``); every other number is a prediction, except that the numbers of a cell which is physically the
cell a constant was fitted on (the Comparative Example is the Reference Example's cell) are marked ``fitted_cell``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from solidstack.studies.measures import first_charge_plateau_V
from solidstack.studies.published import PublishedNumber, published_numbers

#: The patent's cells, in the order of its text.
CELLS = ("example-1", "example-2", "example-3", "reference", "example-4", "comparative")

#: Targets of issue 5: plateau within 0.1 V; Table 2 within 10 % (relative); retention within 5 points.
ABS_TARGETS = {"charge_plateau_V": 0.1, "retention_pct": 5.0}
REL_TARGETS = {"charge_capacity_mAh_g": 0.10, "discharge_capacity_mAh_g": 0.10, "coulombic_efficiency_pct": 0.10}
#: Retention targets apply to these cells only (Example 3's 110 % is a rise the model cannot make).
RETENTION_TARGET_CELLS = ("example-1", "example-2", "reference")


@dataclass(frozen=True)
class Comparison:
    """One published number beside its simulated value."""

    cell: str
    quantity: str
    label: str
    unit: str
    paragraph: str
    published: float
    simulated: float | None
    fitted: bool
    target: str
    within_target: bool | None
    note: str = ""
    #: True when the cell is the same cell (layers, window and current) as one a constant was fitted on: its numbers
    #: are then not independent predictions (e.g. the Comparative Example is the Reference Example's cell).
    fitted_cell: bool = False

    @property
    def difference(self) -> float | None:
        return None if self.simulated is None else self.simulated - self.published

    def record(self) -> dict[str, Any]:
        rec = asdict(self)
        rec["difference"] = self.difference
        return rec


@dataclass
class Reproduction:
    """The simulated results per cell and the comparison with every published number."""

    results: dict[str, Any]
    comparisons: list[Comparison]
    cycles: int
    model: str
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [c.record() for c in self.comparisons]

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.records(), indent=2, allow_nan=False, default=_jsonable)
        if path is not None:
            from solidstack.stack.io import atomic_write_text

            atomic_write_text(Path(path), text + "\n")
        return text

    def to_dataframe(self):
        import pandas as pd

        return pd.DataFrame(self.records())

    def __rich__(self):
        from solidstack.report.reproduction import comparison_table

        return comparison_table(self)

    def __repr__(self) -> str:
        from solidstack.report.html import reproduction_repr

        return reproduction_repr(self)

    def _repr_html_(self) -> str:
        from solidstack.report.html import reproduction_html

        return reproduction_html(self)


def _jsonable(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return float(x)


def fitted_numbers() -> set[tuple[str, str, int | None]]:
    """(cell, quantity, cycle) of every published number a calibration was fitted to."""
    from solidstack.sim.data_files import calibration_records

    fitted = [r["fitted_to"] for r in calibration_records() if "fitted_to" in r]
    return {(f["cell"], f["quantity"], f.get("cycle")) for f in fitted if "cell" in f}  # (not the literature's)


def _physical_cell(cell: str) -> str:
    """The preset ``cell`` without its names, sources and notes: what the simulation sees (layers and protocol)."""
    from solidstack.stack import load_preset

    data = load_preset(cell).to_dict()
    for key in ("name", "description", "source"):
        data.pop(key, None)
    if "cycling" in data:
        data["cycling"].pop("source", None)
    for layer in data.get("layers", []):
        layer.pop("note", None)
    return json.dumps(data, sort_keys=True)


def fitted_cells(cells: list[str]) -> dict[str, str]:
    """Cell -> explanation, for every cell in ``cells`` that a calibration was fitted on (its other numbers come
    from the fitted simulation: e.g. the charge and discharge capacities of the cycle whose efficiency was fitted)
    or that is physically the same cell as one."""
    from solidstack.errors import InputError
    from solidstack.sim.data_files import calibration_records

    def physical(cell: str) -> str | None:
        try:
            return _physical_cell(cell)
        except InputError:  # not a preset: nothing to compare it with
            return None

    fitted_on = {r["fitted_to"]["cell"]: r["name"] for r in calibration_records() if "cell" in r.get("fitted_to", {})}
    out = {}
    for cell in cells:
        for ref, name in fitted_on.items():
            if cell == ref:
                out[cell] = (f"fitted cell: calibration {name!r} is fitted on a number of this cell; its other numbers "
                             "come from the fitted simulation, not independent predictions")
            elif physical(cell) is not None and physical(cell) == physical(ref):
                out[cell] = (f"fitted cell: the same cell as the {ref} preset (layers, window and current identical), "
                             f"on which calibration {name!r} is fitted; not an independent prediction")
    return out


def measure(result: Any, number: PublishedNumber) -> float | None:
    """The simulated counterpart of ``number`` on ``result`` (a CyclingResult), in the number's unit."""
    cycles = result.cycles
    if number.quantity == "charge_plateau_V":
        return first_charge_plateau_V(result.timeseries)
    row1 = cycles[cycles["cycle"] == 1]
    if row1.empty:
        return None
    if number.quantity in ("charge_capacity_mAh_g", "discharge_capacity_mAh_g"):
        return float(row1[number.quantity].iloc[0])
    if number.quantity == "coulombic_efficiency_pct":
        return 100.0 * float(row1["coulombic_efficiency"].iloc[0])
    if number.quantity == "retention_pct":
        row = cycles[cycles["cycle"] == (number.cycle or 5)]
        return None if row.empty else 100.0 * float(row["retention"].iloc[0])
    raise ValueError(f"no measure for {number.quantity!r}")


def _target(number: PublishedNumber) -> tuple[str, Callable[[float], bool] | None]:
    q = number.quantity
    if q in ABS_TARGETS and (q != "retention_pct" or number.cell in RETENTION_TARGET_CELLS):
        tol = ABS_TARGETS[q]
        return f"+-{tol:g} {'V' if q.endswith('_V') else 'points'}", lambda s: abs(s - number.value) <= tol + 1e-9
    if q in REL_TARGETS:
        tol = REL_TARGETS[q]
        return f"+-{tol * 100:g} %", lambda s: abs(s - number.value) <= tol * abs(number.value) + 1e-9
    return "none", None


RETENTION_ABOVE_100 = (
    "a retention above 100 % (capacity rising over the first cycles, e.g. by slow activation or improving contact) "
    "is not in the model: contact can only be lost and no host activates; reported, not fitted"
)


def compare(results: dict[str, Any], numbers: list[PublishedNumber] | None = None) -> list[Comparison]:
    """Every published number of the cells in ``results`` beside its simulated value."""
    fitted = fitted_numbers()
    same = fitted_cells(list(results))
    out = []
    for n in numbers if numbers is not None else published_numbers():
        if n.cell not in results:
            continue
        simulated = measure(results[n.cell], n)
        target, check = _target(n)
        note = RETENTION_ABOVE_100 if n.quantity == "retention_pct" and n.value > 100 else same.get(n.cell, "")
        out.append(
            Comparison(
                cell=n.cell,
                quantity=n.quantity,
                label=n.label,
                unit=n.unit,
                paragraph=n.paragraph,
                published=n.value,
                simulated=simulated,
                fitted=(n.cell, n.quantity, n.cycle) in fitted,
                target=target,
                within_target=None if (check is None or simulated is None) else bool(check(simulated)),
                note=note,
                fitted_cell=n.cell in same,
            )
        )
    return out


def reproduce(
    cells: tuple[str, ...] = CELLS,
    cycles: int = 5,
    model: str = "SPMe",
    on_cell: Callable[[str, int, int], None] | None = None,
) -> Reproduction:
    """Simulate the patent's cells from their presets (``cycles`` each) and compare with the published numbers.

    ``on_cell(cell, i, n)`` is called after each cell (for progress bars).
    """
    from solidstack.sim import simulate
    from solidstack.stack import load_preset

    results = {}
    for i, cell in enumerate(cells, start=1):
        results[cell] = simulate(load_preset(cell), cycles=cycles, model=model)
        if on_cell is not None:
            on_cell(cell, i, len(cells))
    notes = sorted({f"{cell}: {note}" for cell, r in results.items() for note in r.notes})
    return Reproduction(results=results, comparisons=compare(results), cycles=cycles, model=model, notes=notes)
