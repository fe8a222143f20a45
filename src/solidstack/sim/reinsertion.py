"""The reinsertion limit of Ni-rich layered oxides in solid-state cells: the first discharge stops short of the
pristine composition (the README, "Cycling simulation", first-cycle loss; constants in ``sim/data/reinsertion.toml``).

A Ni-rich cathode (``reinsertion.toml`` ``hosts``) charged from its pristine composition x_p takes back on discharge
only down to x_f = x_p - q_trap(T) / q_x: the last q_trap (mAh/g) of its lithiation is kinetically out of reach, as
sulfide-cell first cycles show (Strauss 2018: 30 % of the first charge not reinserted at C/10 with 2 % of the material
inactive). q_x is the host's capacity per unit x (mAh/g), q_trap(T) = q_ref exp(E_q / R (1/T - 1/T_ref)). On
lithiation steps only (the protocol's current direction +1), the host's exchange current is multiplied by

    g = 10^(-max(0, x_avg - x_f) / w)

where x_avg is the particle's mean stoichiometry (its r-average): the limit is where the particle as a whole stops
taking the ion, not its surface (a surface limit ends a fast discharge at a far lower mean and puts a rate on a
composition limit). w (x per decade) makes the limit sharp. Delithiation is untouched: the pristine oxide charges
fully, as the cells do; the trapped ion is taken out again on the next charge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pybamm

from solidstack.sim.data_files import SimConstants, default_constants

#: Faraday's constant in mAh/mol.
FARADAY_MAH_PER_MOL = 26801.4
#: The gas constant (J/mol/K).
GAS_CONSTANT = 8.314462618


@dataclass(frozen=True)
class ReinsertionLimit:
    """The reinsertion limit of one host: ``x_pristine`` (c/c_max of the pristine oxide), ``q_per_x`` (mAh/g per unit
    of x), ``trapped_mAh_g`` at ``reference_K``, its activation energy ``activation_J_mol`` and the width
    ``width_per_decade`` (x per decade of exchange current)."""

    x_pristine: float
    q_per_x: float
    trapped_mAh_g: float
    reference_K: float
    activation_J_mol: float
    width_per_decade: float

    def trapped_at(self, T_K: Any) -> Any:
        """q_trap (mAh/g) at ``T_K`` (a number, or PyBaMM's temperature symbol)."""
        exp = pybamm.exp if isinstance(T_K, pybamm.Symbol) else math.exp
        return self.trapped_mAh_g * exp(self.activation_J_mol / GAS_CONSTANT * (1.0 / T_K - 1.0 / self.reference_K))

    def limit_x(self, T_K: Any) -> Any:
        """x_f at ``T_K``: the mean stoichiometry where lithiation stops."""
        return self.x_pristine - self.trapped_at(T_K) / self.q_per_x


def limit_for(material: str, side: str, c_max: float, x_pristine: float, density_g_cm3: float | None,
              constants: SimConstants | None = None) -> ReinsertionLimit | None:
    """The reinsertion limit of cathode host ``material`` (c_max in mol/m3), or None: not a Ni-rich oxide of
    ``reinsertion.toml``, not a cathode, or no density to give its capacity per unit x."""
    table = (constants or default_constants()).reinsertion["limit"]
    if side != "cathode" or material not in table["hosts"] or not density_g_cm3 or table["trapped_capacity_mAh_g"] <= 0:
        return None
    return ReinsertionLimit(
        x_pristine=x_pristine, q_per_x=c_max * FARADAY_MAH_PER_MOL / (density_g_cm3 * 1e6),
        trapped_mAh_g=float(table["trapped_capacity_mAh_g"]), reference_K=float(table["reference_temperature_K"]),
        activation_J_mol=float(table["activation_energy_J_mol"]), width_per_decade=float(table["width_per_decade"]))


def particle_concentration(side: str, primary: bool, x_average: bool) -> pybamm.Variable:
    """PyBaMM's particle-concentration state of electrode ``side``'s (primary) phase, as its Fickian-diffusion
    submodel names it (name, domains, bounds and scale: a PyBaMM variable is that state only if all agree;
    tests/test_reinsertion.py checks it)."""
    from solidstack.sim.parameters import DOMAIN

    d, D = DOMAIN[side]
    ph = "primary " if primary else ""
    c_max = pybamm.Parameter(f"{'Primary: ' if primary else ''}Maximum concentration in {d} electrode [mol.m-3]")
    if x_average:
        return pybamm.Variable(f"X-averaged {d} {ph}particle concentration [mol.m-3]", domain=f"{d} {ph}particle",
                               auxiliary_domains={"secondary": "current collector"}, bounds=(0, c_max), scale=c_max)
    return pybamm.Variable(f"{D} {ph}particle concentration [mol.m-3]", domain=f"{d} {ph}particle",
                           auxiliary_domains={"secondary": f"{d} electrode", "tertiary": "current collector"},
                           bounds=(0, c_max), scale=c_max)


def lithiation_factor(limit: ReinsertionLimit, side: str, primary: bool, x_average: bool):
    """g(c_s_surf, c_s_max, T): the factor on the exchange current of a host with ``limit`` (1 on delithiation)."""
    from solidstack.sim.protocol import DIRECTION_INPUT

    c = particle_concentration(side, primary, x_average)
    direction = pybamm.InputParameter(DIRECTION_INPUT)

    def factor(c_s_surf: pybamm.Symbol, c_s_max: pybamm.Symbol, T: pybamm.Symbol) -> pybamm.Symbol:
        x_avg = pybamm.r_average(c) / c_s_max
        if c_s_surf.domain and x_avg.domain != c_s_surf.domain:
            x_avg = pybamm.PrimaryBroadcast(x_avg, c_s_surf.domain)
        g = 10 ** (-pybamm.maximum(x_avg - limit.limit_x(T), 0.0) / limit.width_per_decade)
        lithiating = (direction + 1.0) / 2.0  # 1 on a discharge step (direction +1), 0 on a charge (-1)
        return 1.0 + lithiating * (g - 1.0)

    return factor
