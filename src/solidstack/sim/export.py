"""Export of a result's PyBaMM parameter values: PyBaMM's own JSON, and BPX where the set is expressible.

PyBaMM's JSON (``ParameterValues.to_json``) holds every value, functions included (as PyBaMM serialises them),
and is read back with ``pybamm.ParameterValues.from_json``.

BPX (the Battery Parameter eXchange format, read by ``pybamm.ParameterValues.create_from_bpx``) has a fixed set
of named parameters for a lithium-ion cell and its functions as expressions or tables. solidstack's parameter
sets add parameters BPX has no field for (the contact-loss law, the solid-electrolyte interphase, second host
phases in an electrode) and give several functions as Python code; such a set is refused with the list of what
BPX cannot carry rather than written without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pybamm

from solidstack.errors import InputError, Problem

if TYPE_CHECKING:
    from solidstack.sim.result import CyclingResult

FORMATS = ("json", "bpx")
#: Words in the names of the parameters of solidstack's submodels (contact loss via PyBaMM's loss of active
#: material, the interphase, two-phase hosts).
_EXTENSIONS = ("contact", "LAM", "SEI", "primary", "secondary", "strain")


def bpx_obstacles(pv: pybamm.ParameterValues, working_ion: str = "Li") -> list[str]:
    """Why ``pv`` cannot be written as BPX (empty if nothing found): parameters of submodels BPX has no fields
    for, and function-valued parameters given as Python code."""
    extra = sorted(k for k in pv.keys() if any(m in k for m in _EXTENSIONS))
    code = sorted(k for k, v in pv.items() if callable(v) and not isinstance(v, pybamm.Symbol))
    out = []
    if working_ion != "Li":
        out.append(f"BPX describes lithium-ion cells; this is a {working_ion}-ion cell")
    if extra:
        out.append(f"{len(extra)} parameter(s) of submodels BPX has no fields for (contact loss as loss of active "
                   f"material, SEI, second host phases), e.g. {', '.join(repr(k) for k in extra[:3])}")
    if code:
        out.append(f"{len(code)} parameter(s) are Python functions (BPX needs expressions or tables), e.g. "
                   f"{', '.join(repr(k) for k in code[:2])}")
    return out


def export_parameters(result: CyclingResult, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``result.parameter_values`` to ``path`` as PyBaMM JSON (``fmt="json"``) or BPX (``fmt="bpx"``);
    ``fmt`` defaults from the suffix (``.bpx.json`` or ``.bpx`` for BPX, else JSON). Atomic, user's umask."""
    import json

    from solidstack.fsio import atomic_write

    path = Path(path)
    if fmt is None:
        fmt = "bpx" if path.name.lower().endswith((".bpx.json", ".bpx")) else "json"
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InputError(Problem("fmt", f"{fmt!r} is not one of {', '.join(FORMATS)}"))
    pv = result.parameter_values
    if fmt == "bpx":
        ion = (result.provenance.get("stack") or {}).get("working_ion", "Li")
        reasons = bpx_obstacles(pv, ion)
        raise InputError(Problem(str(path), "these parameter values are not expressible in BPX: "
                                 + "; ".join(reasons or ["the BPX writer covers no solidstack model"])
                                 + " (use fmt='json', PyBaMM's own format)"))
    data = pv.to_json()
    return atomic_write(path, json.dumps(data, indent=1, default=str) + "\n")
