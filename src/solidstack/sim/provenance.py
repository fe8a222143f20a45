"""What a simulation ran, carried by every output, and the Battery Data Format (BDF) export.

``run_info`` gathers the stack (as data, the same fields as a stack file), the protocol as given and as run
(C-rates resolved), the model and options, solidstack's and PyBaMM's versions, the constants and calibration
used (``sim/data``) and the command line. It is stored

* in ``CyclingResult.provenance``;
* in both tables' ``DataFrame.attrs["solidstack_run"]`` (as a JSON string), which pandas writes into the Parquet
  file's key-value metadata (key ``PANDAS_ATTRS``) and ``pandas.read_parquet`` restores;
* as ``run.json`` (and the stack as ``stack.toml``) by :func:`write_run`.

:func:`stack_from_parquet` rebuilds the :class:`~solidstack.stack.Stack` from a written Parquet file.

BDF (Battery Data Alliance, https://github.com/battery-data-alliance/battery-data-format): the time series with
the BDF's preferred labels and fixed units ("Test Time / s", "Voltage / V", "Current / A", "Cycle Count / 1",
"Step Count / 1", "Step Index / 1", ...). Current is positive on *charge* there, as cyclers record it (solidstack's
own columns follow PyBaMM: positive on discharge). Charging/discharging capacity and energy accumulate from
the start of the test; step capacity and energy from the start of each step.
"""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from solidstack.errors import InputError, Problem

if TYPE_CHECKING:
    from solidstack.materials import Catalog
    from solidstack.sim.data_files import SimConstants
    from solidstack.sim.result import CyclingResult
    from solidstack.stack import Stack
    from solidstack.stack.cycling import Protocol

ATTRS_KEY = "solidstack_run"
PARQUET_KEY = b"PANDAS_ATTRS"
RUN_FILE, STACK_FILE = "run.json", "stack.toml"
FORMAT_VERSION = 1

#: solidstack time-series column -> (BDF preferred label, factor to the BDF unit).
BDF_COLUMNS: dict[str, tuple[str, float]] = {
    "time_s": ("Test Time / s", 1.0),
    "voltage_V": ("Voltage / V", 1.0),
    "current_A": ("Current / A", -1.0),  # BDF/cyclers: positive on charge
    "cycle": ("Cycle Count / 1", 1.0),
    "step_count": ("Step Count / 1", 1.0),
    "step_index": ("Step Index / 1", 1.0),
    "step_time_s": ("Step Time / s", 1.0),
    "charge_throughput_mAh": ("Charging Capacity / Ah", 1e-3),
    "discharge_throughput_mAh": ("Discharging Capacity / Ah", 1e-3),
    "step_capacity_mAh": ("Step Capacity / Ah", 1e-3),
    "charge_energy_mWh": ("Charging Energy / Wh", 1e-3),
    "discharge_energy_mWh": ("Discharging Energy / Wh", 1e-3),
    "step_energy_mWh": ("Step Energy / Wh", 1e-3),
}


def versions() -> dict[str, str]:
    import numpy
    import pybamm

    import solidstack

    return {"solidstack": solidstack.__version__, "pybamm": pybamm.__version__, "numpy": numpy.__version__,
            "pandas": pd.__version__, "python": platform.python_version()}


def constants_used(constants: SimConstants, catalog: Catalog) -> dict[str, Any]:
    """The simulation's constant files as used (calibrated values set in place), the values changed from them,
    the calibration records, and the transport/kinetic entries of the catalog (with their sources)."""
    files = constants.files_data()
    transport = {k: {"values": dict(t.values), "basis": t.basis, "sources": [r.key for r in t.sources]}
                 for k, t in catalog.transport_entries().items()}
    return {**files, "origin": constants.origin, "changed": [list(c) for c in constants.changed],
            "transport.toml (materials/data)": transport,
            "calibration": constants.calibration_data()}


def run_info(stack: Stack, given: Protocol, resolved: Protocol, model: str, *, contact_loss: bool,
             constants: SimConstants, catalog: Catalog, command: list[str] | None = None) -> dict[str, Any]:
    """The provenance record of one run (plain JSON data)."""
    from solidstack.sim.parameters import se_conductivity

    sigma = {layer: dict(zip(("S_m", "source"), se_conductivity(stack, layer, catalog), strict=True))
             for layer in ("anode", "separator", "cathode")}
    return {
        "format": "solidstack run", "format_version": FORMAT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "stack": stack.to_dict(),
        "protocol": given.model_dump(mode="json", exclude_none=True),
        "protocol_run": resolved.model_dump(mode="json", exclude_none=True),
        "current_basis": "C-rates on the stack's limiting capacity (min of anode and cathode capacity, "
                         f"{stack.limiting_capacity_mAh:.6g} mAh)",
        "se_conductivity": sigma,
        "model": model, "contact_loss": contact_loss, "contact_law": {k: constants.law[k] for k in ("separation_radii", "hold_pressure_Pa")},
        "versions": versions(), "constants": constants_used(constants, catalog),
        "command": command if command is not None else None,
        "sign_convention": "current_A positive on discharge (PyBaMM); BDF 'Current / A' positive on charge",
    }


def attach(result: CyclingResult, info: dict[str, Any]) -> None:
    """Store ``info`` in the result and, as one JSON string (pandas deep-copies attrs on every operation; a
    string costs nothing), in both tables' attrs, so Parquet files carry it."""
    result.provenance = info
    text = json.dumps(info, default=str)
    for table in result.built_tables():  # a time series built later takes the per-cycle table's attrs
        table.attrs[ATTRS_KEY] = text


def to_bdf(result: CyclingResult) -> pd.DataFrame:
    """The time series with BDF labels and units (see the module doc); columns without a BDF term are left out."""
    ts = result.timeseries
    out = pd.DataFrame({label: ts[col] * factor if factor != 1.0 else ts[col]
                        for col, (label, factor) in BDF_COLUMNS.items() if col in ts.columns})
    if "Step Index / 1" in out.columns:
        for label in ("Cycle Count / 1", "Step Count / 1", "Step Index / 1"):
            out[label] = out[label].astype("int64")
    out["Power / W"] = out["Voltage / V"] * out["Current / A"]
    p = result.provenance.get("stack", {}).get("stack_pressure") if result.provenance else None
    if p is not None:
        from solidstack.units import parse_quantity

        out["Applied Pressure / Pa"] = parse_quantity(p, "pressure").si
    if result.provenance:
        out.attrs[ATTRS_KEY] = json.dumps(result.provenance, default=str)
    return out


def write_run(result: CyclingResult, directory: str | Path, *, command: list[str] | None = None,
              bdf: bool = False) -> list[Path]:
    """Write ``run.json`` and the input stack (``stack.toml``) into ``directory``; with ``bdf`` also the time
    series as ``timeseries.bdf.csv`` and ``timeseries.bdf.parquet`` (BDF labels). Files are written atomically
    with the user's umask."""
    from solidstack.fsio import atomic_path, atomic_write
    from solidstack.stack.io import dump_text

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    info = dict(result.provenance or {})
    if command is not None:
        info["command"] = command
        attach(result, info)
    out = [atomic_write(d / RUN_FILE, json.dumps(info, indent=2, default=str) + "\n")]
    if "stack" in info:
        from solidstack.stack import Stack

        out.append(atomic_write(d / STACK_FILE, dump_text(Stack.from_dict(info["stack"]), "toml")))
    if bdf:
        table = to_bdf(result)
        with atomic_path(d / "timeseries.bdf.csv") as tmp:
            table.to_csv(tmp, index=False)
        out.append(d / "timeseries.bdf.csv")
        with atomic_path(d / "timeseries.bdf.parquet") as tmp:
            table.to_parquet(tmp, index=False)
        out.append(d / "timeseries.bdf.parquet")
    return out


def read_run(path: str | Path) -> dict[str, Any]:
    """The provenance record of a written Parquet file (its key-value metadata) or of a ``run.json``."""
    path = Path(path)
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    if PARQUET_KEY not in meta:
        raise InputError(Problem(str(path), "has no solidstack provenance in its metadata"))
    attrs = json.loads(meta[PARQUET_KEY])
    if ATTRS_KEY not in attrs:
        raise InputError(Problem(str(path), "has no solidstack provenance in its metadata"))
    return json.loads(attrs[ATTRS_KEY])


def stack_from_parquet(path: str | Path) -> Stack:
    """The :class:`~solidstack.stack.Stack` a Parquet file (or ``run.json``) was simulated with."""
    from solidstack.stack import Stack

    return Stack.from_dict(read_run(path)["stack"])


def command_line() -> list[str]:
    """This process's command line, as run (program name shortened to ``solidstack``)."""
    return ["solidstack", *sys.argv[1:]]
