"""Cycling simulation of interlayer cell stacks on PyBaMM.

>>> from solidstack.stack import resolve
>>> from solidstack.sim import simulate
>>> result = simulate(resolve("example-1"), cycles=2)       # doctest: +SKIP
>>> result.cycles[["cycle", "discharge_capacity_mAh_g", "coulombic_efficiency"]]  # doctest: +SKIP

The mapping (hosts, access/shielding, working-ion metal foils, single-ion solid electrolyte, contact loss) is
described in the README, "Cycling simulation"; its constants are in ``solidstack/sim/data`` with what each is based on,
read into one frozen :class:`SimConstants` that ``simulate(..., constants=...)`` takes.
"""

from solidstack.sim.data_files import SimConstants
from solidstack.sim.hosts import Host, HostMap, find_hosts
from solidstack.sim.protocol import Protocol
from solidstack.sim.result import CyclingResult
from solidstack.sim.run import SimulationError, SimulationInterrupted, clear_cache, contact_coefficients, simulate
from solidstack.stack.cycling import Stage

__all__ = [
    "CyclingResult",
    "Host",
    "HostMap",
    "Protocol",
    "SimConstants",
    "SimulationError",
    "SimulationInterrupted",
    "Stage",
    "clear_cache",
    "contact_coefficients",
    "find_hosts",
    "simulate",
]
