"""The measure behind calibration 'graphite-first-cycle-loss' of the SE-reduction interphase's one fitted
constant (the thiophosphates' reduction rate constant k, ``sim/data/sei.toml`` [family.sulfide]; fitted by
``solidstack calibrate``, see :mod:`solidstack.sim.calibration`; the law is in :mod:`solidstack.sim.interphase`): the fraction of a graphite half-cell-like cell's first lithiation lost to the
interphase. The target is a literature number for graphite, not a patent number (Novak et al., J. Power Sources
97-98 (2001) 39).

The half-cell-like cell (:func:`half_cell_stack`) is the patent's Example 4 graphite composite (the same graphite,
SE and loading) against an NMC111 composite of :data:`CATHODE_EXCESS` times the Example 4 mass, so that the
graphite limits the cell at both ends: it is lithiated to its end (the cell reaches its upper cut-off when the
graphite is full) and delithiated to its end, as in a graphite | Li half cell.
"""

from __future__ import annotations

from solidstack.sim.data_files import SimConstants
from solidstack.sim.result import MOL_TO_MAH
from solidstack.stack import Stack, resolve

CATHODE_EXCESS = 2.5
SEI_LOSS = "Loss of lithium to negative SEI [mol]"


def half_cell_stack() -> Stack:
    """The graphite-limited, half-cell-like cell described in the module docstring."""
    data = resolve("example-4").to_dict()
    for la in data["layers"]:
        if la.get("type") == "cathode":
            mg = float(str(la["mass"]).split()[0])
            la["mass"] = f"{mg * CATHODE_EXCESS} mg"
    data["name"] = "graphite half-cell-like cell"
    return Stack.from_dict(data)


def first_cycle_loss(constants: SimConstants | None = None) -> tuple[float, float]:
    """(Li lost to the interphase in cycle 1 / charge passed into the graphite in charge 1, the same in mAh per g
    of graphite) of :func:`half_cell_stack` with contact loss off, simulated with ``constants``."""
    from solidstack.sim.run import simulate

    stack = half_cell_stack()
    r = simulate(stack, cycles=1, contact_loss=False, constants=constants)
    lost_mAh = float(r.solution.cycles[0][SEI_LOSS].entries[-1]) * MOL_TO_MAH
    lithiation_mAh = float(r.cycles["charge_capacity_mAh"].iloc[0])
    g_graphite = stack.anode.active_mass_kg(stack.area_m2) * 1e3
    return lost_mAh / lithiation_mAh, lost_mAh / g_graphite
