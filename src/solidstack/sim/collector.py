"""Electrode|collector contact resistance: an ohmic term per electrode, in series with the cell (README, "Cycling
simulation", collector contact resistance; constants ``sim/data/collector.toml``).

Each electrode presses on something on its collector side: the bare collector foil, a primer coating on it, a
metal layer between the two (the patent's foils) or, for a metal-foil electrode, the electrode is itself a metal.
That contact has an area-specific resistance

    r(p) = r_ref (p_ref / max(p, p_min))^n

with p the stack pressure (the loading branch). A stack pressed harder before it was cycled (the optional
``fabrication_pressure``, e.g. a warm isostatic press of the assembled pouch) keeps the contact spots flattened at
that pressure p_f: below it r follows the flatter unloading branch r(p_f) (p_f / p)^m (m < n,
:func:`contact_resistance`), and r_ref the value of the surface touching the electrode: a ``[surface.*]`` table of kind
``bare`` and the foil's metal for a bare foil (or an inert metal shield, a hard foil too), of kind ``primer`` and its
carbon for a primer, ``[compliant]`` for a ductile
metal layer or a metal electrode. A surface without a value in the file has none (0) and is listed as a data gap.

The two sides add up to PyBaMM's lumped series resistance, "Contact resistance [Ohm]" = (r_anode + r_cathode) / A
(model option "contact resistance"), given as the input :data:`RESISTANCE_INPUT` (so a pressure sweep re-solves
one built simulation). It enters the terminal voltage as I R.
"""

from __future__ import annotations

from dataclasses import dataclass

from solidstack.materials import Catalog, default_catalog
from solidstack.sim.data_files import SimConstants, default_constants
from solidstack.sim.hosts import HostMap
from solidstack.sim.parameters import RESISTANCE_INPUT
from solidstack.stack import Stack
from solidstack.stack.layers import Primer

FILE = "collector.toml"
OHM_CM2 = 1e-4  # ohm m2 per ohm cm2


@dataclass(frozen=True)
class CollectorContact:
    """The contact of one electrode with its collector side: what touches the electrode's face (``surface``, e.g.
    ``bare Al``, ``carbon_black primer``, ``In foil (ductile)``), its area-specific resistance at the stack pressure
    (``r_ohm_cm2``), the table of ``collector.toml`` it comes from (``table``, '' if none) and a data gap if the
    surface has no value."""

    side: str
    surface: str
    r_ohm_cm2: float
    table: str = ""
    gap: str = ""
    below_range: bool = False
    #: the fabrication pressure (MPa) the contact was unloaded from to the stack pressure; None = loading branch
    fabrication_MPa: float | None = None


def _table(constants: SimConstants, kind: str, material: str):
    """The ``[surface.*]`` table of ``collector.toml`` whose ``kind`` and ``material`` match, and its name."""
    for name, table in constants.files[FILE].get("surface", {}).items():
        if table.get("kind") == kind and table.get("material") == material:
            return name, table
    return None


def _scaled(r_ref: float, pressure_Pa: float, constants: SimConstants,
            fabrication_Pa: float | None = None) -> tuple[float, bool, float | None]:
    """r at the stack pressure ``pressure_Pa`` of an interface whose highest pressure so far is
    max(``fabrication_Pa``, ``pressure_Pa``) (see :func:`contact_resistance`), whether the stack pressure is
    below the measured range, and the fabrication pressure (MPa) r was unloaded from (None: the loading branch)."""
    law = constants.files[FILE]["law"]
    p_min = float(law["min_pressure_Pa"])
    unloaded_from = (fabrication_Pa / 1e6 if fabrication_Pa is not None and fabrication_Pa > max(pressure_Pa, p_min)
                     else None)
    return contact_resistance(r_ref, pressure_Pa, fabrication_Pa, law), pressure_Pa < p_min, unloaded_from


def contact_resistance(r_ref: float, pressure_Pa: float, fabrication_Pa: float | None, law) -> float:
    """The contact resistance law of ``collector.toml [law]``: r_ref at p_ref, loading branch
    r = r_ref (p_ref / p)^n up to the highest pressure the interface has seen, p_max = max(p_fab, p), then the
    unloading branch r = r(p_max) (p_max / p)^m (the flattened contact spots stay; only their elastic part
    recovers), every pressure floored at p_min. Without a fabrication pressure p_max = p: the loading branch."""
    p_min = float(law["min_pressure_Pa"])
    p = max(pressure_Pa, p_min)
    p_max = max(p, fabrication_Pa if fabrication_Pa is not None else 0.0)
    r_max = r_ref * (float(law["reference_pressure_Pa"]) / p_max) ** float(law["pressure_exponent"])
    return r_max * (p_max / p) ** float(law["unloading_exponent"])


def collector_contact(stack: Stack, side: str, hosts: HostMap | None = None, catalog: Catalog | None = None,
                      constants: SimConstants | None = None) -> CollectorContact:
    """The contact of ``side``'s electrode (``"anode"`` or ``"cathode"``) with its collector side, at the stack's
    pressure (see the module docstring). ``hosts`` tells a metal-foil electrode (planar host) from a composite; without
    it the electrode is a metal electrode when its active is a metal of the knowledge base at fraction 1."""
    catalog = catalog or default_catalog()
    constants = constants or default_constants()
    electrode = stack.anode if side == "anode" else stack.cathode
    metal_electrode = (hosts.side(side)[0].kind == "planar") if hosts is not None else _is_metal_electrode(electrode, catalog)  # type: ignore[arg-type]
    touching = stack.touching_electrode(side)  # type: ignore[arg-type]
    if metal_electrode or (touching is not None and stack.role_of(touching) == "ductile"):
        what = (f"{electrode.active.material} electrode (a metal foil)" if metal_electrode
                else f"{touching.material} foil (ductile)")  # type: ignore[union-attr]
        return CollectorContact(side, what, float(constants.files[FILE]["compliant"]["r_ohm_cm2"]), "compliant")
    if touching is not None:  # an inert metal layer: a hard foil pressed on the electrode, as a bare collector
        return _bare(side, touching.material, f"{touching.material} foil (inert)", stack, constants)
    collector = stack.anode_collector if side == "anode" else stack.cathode_collector
    primer = _primer(stack, side)
    if primer is not None:
        key = catalog.auxiliary(primer.material, "additive").key
        return _surface(side, "primer", key, f"{key} primer on {collector.material}", f"a {key} primer", stack,
                        constants)
    return _bare(side, collector.material, f"bare {collector.material}", stack, constants)


def _bare(side: str, metal: str, what: str, stack: Stack, constants: SimConstants) -> CollectorContact:
    return _surface(side, "bare", metal, what, f"bare {metal}", stack, constants)


def _surface(side: str, kind: str, material: str, what: str, on: str, stack: Stack,
             constants: SimConstants) -> CollectorContact:
    """The contact of ``side`` with a ``[surface.*]`` table of ``kind`` and ``material`` at the stack pressure, or
    a data gap (a composite ``on`` that surface has no value) where collector.toml has none."""
    found = _table(constants, kind, material)
    if found is None:
        return CollectorContact(side, what, 0.0, gap=f"{side} collector contact: no contact resistance of a composite "
                                f"on {on} in sim/data/collector.toml; none applied")
    fab = stack.fabrication_pressure.si if stack.fabrication_pressure is not None else None
    r, below, unloaded_from = _scaled(float(found[1]["r_ref_ohm_cm2"]), stack.stack_pressure.si, constants, fab)
    return CollectorContact(side, what, r, f"surface.{found[0]}", below_range=below, fabrication_MPa=unloaded_from)


def _primer(stack: Stack, side: str) -> Primer | None:
    """The primer on ``side``'s collector (a primer is the layer right after the anode collector or right before
    the cathode collector)."""
    layer = stack.layers[1] if side == "anode" else stack.layers[-2]
    return layer if isinstance(layer, Primer) else None


def _is_metal_electrode(electrode, catalog: Catalog) -> bool:
    active = getattr(electrode, "active", None)
    if active is None or active.fraction < 1.0:
        return False
    try:
        catalog.metal(active.material)
    except Exception:
        return False
    return True


def collector_contacts(stack: Stack, hosts: HostMap | None = None, catalog: Catalog | None = None,
                       constants: SimConstants | None = None) -> dict[str, CollectorContact]:
    """:func:`collector_contact` of both electrodes."""
    return {side: collector_contact(stack, side, hosts, catalog, constants) for side in ("anode", "cathode")}


def series_resistance_ohm(contacts: dict[str, CollectorContact], area_m2: float) -> float:
    """PyBaMM's lumped contact resistance (Ohm): both sides' area-specific resistances over the stack's area."""
    return sum(c.r_ohm_cm2 for c in contacts.values()) * OHM_CM2 / area_m2


def collector_inputs(contacts: dict[str, CollectorContact], area_m2: float) -> dict[str, float]:
    """The PyBaMM input parameter of the series contact resistance (:data:`RESISTANCE_INPUT`)."""
    return {RESISTANCE_INPUT: series_resistance_ohm(contacts, area_m2)}


def collector_notes(contacts: dict[str, CollectorContact]) -> tuple[list[str], list[str]]:
    """(notes, gaps) of a run: each side's contact resistance and what it comes from; the surfaces without a value."""
    notes, gaps = [], []
    for c in contacts.values():
        if c.gap:
            gaps.append(c.gap)
        elif c.r_ohm_cm2 > 0.0:
            below = " (below the measured 1 MPa: its 1 MPa value, a lower bound)" if c.below_range else ""
            unloaded = (f" (unloaded from the {c.fabrication_MPa:g} MPa fabrication pressure)"
                        if c.fabrication_MPa is not None else "")
            notes.append(f"{c.side} collector contact: {c.surface}, {c.r_ohm_cm2:.3g} ohm cm2 at the stack pressure{below}"
                         f"{unloaded} in series (sim/data/collector.toml [{c.table}])")
    return notes, gaps


def symmetric_cell_resistance_ohm_cm2(stack: Stack, side: str, hosts: HostMap | None = None,
                                      catalog: Catalog | None = None, constants: SimConstants | None = None) -> float:
    """The DC resistance (ohm cm2) of a collector | electrode | collector cell of ``side``'s electrode with its own
    collector side on both faces (Park 2025's "CC / Li2S composite / CC" measurement): two contacts in series with
    the electrode's electronic resistance L / sigma_e (the electrode conductivity the simulation uses)."""
    from solidstack.sim.hosts import find_hosts

    catalog = catalog or default_catalog()
    constants = constants or default_constants()
    hosts = hosts or find_hosts(stack, catalog, constants)
    c = collector_contact(stack, side, hosts, catalog, constants)
    electrode = stack.anode if side == "anode" else stack.cathode
    sigma = hosts.side(side)[0].conductivity_S_m or 10.0  # type: ignore[arg-type]  # as sim/parameters.py
    return 2.0 * c.r_ohm_cm2 + electrode.thickness_m(stack.area_m2) / sigma / OHM_CM2
