"""The SE-oxidation interphase at the positive electrode (CEI): whether a cathode carries one, its constants
(``sim/data/cei.toml``; README, "Cycling simulation") and the PyBaMM submodel of its growth law.

The law is the anodic mirror of the SE-reduction law (:mod:`solidstack.sim.interphase`, Tang 2012 eq. 25)::

    j_cei = +k exp(+alpha F (dphi - U_ox) / (R T)) exp(-L_cei / lambda)      (A/m2 of cathode particle surface)

with U_ox the SE's oxidation limit (knowledge base ``window_hi_V``). The charge is passed without delithiating the
cathode: it is PyBaMM's positive-electrode "SEI" reaction with an anodic current and a *negative* ratio of lithium
to interphase moles (the SE releases its Li+, which the cycled inventory gains), so PyBaMM's "Loss of lithium to
positive SEI [mol]" is minus the Li the SE gave up. PyBaMM's SEI parameters are shared by both electrodes, so the
positive electrode's submodels read their own ``Positive electrode CEI ...`` parameters
(:class:`CEIParameters`). The film's ionic resistance acts on the positive electrode alone: its kinetics submodel
gets PyBaMM's "average" SEI film resistance with the CEI's resistivity (:func:`install`), so its overpotential
gains j L_cei / sigma_cei, while the negative electrode keeps the model's global option ("none"). A cathode whose highest tabulated potential is at or below U_ox, or an SE without a known
U_ox, carries none (no states); nor does an active material behind a dense surface coating (e.g. the patent's
10 nm LiNbO3), through which the oxidation's electrons would have to tunnel (:func:`coating_factor`).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pybamm
from pybamm.models.submodels.interface.sei.base_sei import BaseModel as _BaseSEI

from solidstack.materials import Catalog
from solidstack.materials.records import Electrolyte
from solidstack.sim.data_files import SimConstants, default_constants
from solidstack.sim.hosts import F, Host, HostMap
from solidstack.sim.interphase import (
    ContactedFilmGrowth,
    electrode_electrolyte,
    electrolyte_family,
    family_table,
    install_growth,
)
from solidstack.stack import Stack

R = 8.314462618  # J/(mol K)
LAW = "tunnelling limited"  # the PyBaMM option that gives the positive electrode its interphase states

#: PyBaMM parameter names of the CEI (the positive electrode's own; PyBaMM's "SEI ..." names are shared)
P_J0 = "Positive electrode CEI reaction exchange current density [A.m-2]"
P_BETA = "Positive electrode CEI tunnelling barrier factor [m-1]"
P_VBAR = "Positive electrode CEI partial molar volume [m3.mol-1]"
P_Z = "Positive electrode ratio of lithium moles to CEI moles"
P_L0 = "Positive electrode initial CEI thickness [m]"
P_ALPHA = "Positive electrode CEI growth transfer coefficient"
P_UOX = "Positive electrode CEI onset potential [V]"
P_RHO = "Positive electrode CEI resistivity [Ohm.m]"


def oxidising_electrolyte(stack: Stack, catalog: Catalog | None = None) -> Electrolyte:
    """The SE touching the cathode's active material: the cathode composite's own SE, else the separator's."""
    return electrode_electrolyte(stack, "cathode", catalog)


@dataclass(frozen=True)
class CEIConstants:
    """The CEI constants of one (cathode, SE) pair. ``u_ox`` V vs the ion's metal, ``rate_constant`` A/m2 (k at
    dphi = U_ox through a bare surface), ``tunnelling_length`` m, ``transfer_coefficient`` (-), ``li_per_mol`` (Li+
    released per formula unit oxidised), ``molar_volume`` m3/mol, ``rest_time`` s (the as-assembled film's growth
    time), ``seed`` m, ``conductivity`` S/m (the film's Li+ conductivity). ``table``: the ``cei.toml`` family table
    used; ``assumed``: the SE's family has none."""

    host: str
    electrolyte: str
    family: str
    u_ox: float
    rate_constant: float
    tunnelling_length: float
    transfer_coefficient: float
    li_per_mol: float
    molar_volume: float
    rest_time: float
    seed: float
    conductivity: float
    table: str
    assumed: bool = False

    def exchange_current(self, T: float) -> float:
        """j0 (A/m2) of j = j0 exp(alpha F dphi / RT) exp(-L / lambda): k exp(-alpha F U_ox / (R T))."""
        return self.rate_constant * math.exp(-self.transfer_coefficient * F * self.u_ox / (R * T))

    def rate(self, dphi: float, L: float, T: float) -> float:
        """The oxidation current density (A/m2 of particle surface) at surface potential ``dphi`` (V vs Li) through
        a film of thickness ``L`` (m)."""
        a = self.transfer_coefficient * F / (R * T)
        return self.rate_constant * math.exp(a * (dphi - self.u_ox) - L / self.tunnelling_length)

    def initial_thickness(self, u0: float, T: float) -> float:
        """The as-assembled film (m): the seed grown by the law over ``rest_time`` at the cathode's initial OCP
        ``u0`` (V), L0 = L_seed + lambda ln(1 + r t / lambda), r = j(u0, L_seed) V / (z F) (m/s)."""
        lam = self.tunnelling_length
        r = self.rate(u0, self.seed, T) * self.molar_volume / (self.li_per_mol * F)
        return self.seed + lam * math.log1p(r * self.rest_time / lam)

    def film_resistance(self, L: float) -> float:
        """The area-specific ionic resistance (Ohm m2 of particle surface) of a film of thickness ``L`` (m)."""
        return L / self.conductivity


def cei_constants(host: Host, se: Electrolyte, constants: SimConstants | None = None) -> CEIConstants | None:
    """The CEI constants of cathode ``host`` against ``se``; None where none forms (no known oxidation limit, or
    the host's highest tabulated potential is at or below it)."""
    cei = (constants or default_constants()).cei
    win = se.window
    u_ox = win.hi if win is not None else None
    if u_ox is None or max(host.ocp.U_V) <= u_ox:
        return None
    family = electrolyte_family(se)
    where, table = family_table(cei, family, "cei.toml")
    law = cei["law"]
    return CEIConstants(host.material, se.key, family, float(u_ox), float(law["rate_constant_A_m2"]),
                        float(law["tunnelling_length_m"]), float(law["transfer_coefficient"]),
                        float(table["li_per_cei_mol"]), float(table["cei_molar_volume_m3_mol"]),
                        float(law["rest_time_s"]), float(law["initial_thickness_m"]),
                        float(table["film_conductivity_S_m"]), where, family not in cei["family"])


#: Below this factor exp(-d / lambda_t) a coating of thickness d leaves no CEI to model (no states).
COATING_BLOCKS = 1e-10


def coating_factor(stack: Stack, constants: SimConstants | None = None) -> float:
    """What the cathode's surface coating leaves of the SE's oxidation rate: exp(-d / lambda_t), the electrons'
    tunnelling through a dense coating of thickness d (cei.toml [coating]); 1 without a coating, 0 for a coating of
    unstated thickness (taken as complete and thicker than a few nm, cei.toml [coating] basis)."""
    coat = getattr(stack.cathode, "coating", None)
    if coat is None:
        return 1.0
    if coat.thickness is None:
        return 0.0
    lam_t = float((constants or default_constants()).cei["coating"]["tunnelling_length_m"])
    return math.exp(-coat.thickness.si / lam_t)


def cathode_cei(stack: Stack, hosts: HostMap, catalog: Catalog | None = None,
                constants: SimConstants | None = None) -> CEIConstants | None:
    """:func:`cei_constants` of the cathode's active material (the first cathode host; a planar or foil host has
    no particle surface for it), its rate constant times :func:`coating_factor`; None where none forms (also
    behind a coating that leaves less than :data:`COATING_BLOCKS` of it)."""
    host = hosts.cathode[0]
    if host.kind != "active":
        return None
    factor = coating_factor(stack, constants)
    if factor < COATING_BLOCKS:
        return None
    pair = cei_constants(host, oxidising_electrolyte(stack, catalog), constants)
    if pair is None or factor == 1.0:
        return pair
    return replace(pair, rate_constant=pair.rate_constant * factor)


def cei_gaps(pair: CEIConstants | None) -> list[str]:
    """Data gaps of the CEI ``pair``: assumed constants (no own family table)."""
    if pair is None or not pair.assumed:
        return []
    return [f"{pair.electrolyte} ({pair.family}): no sourced SE-oxidation products; the thiophosphate CEI constants "
            f"are assumed with its own oxidation limit {pair.u_ox:g} V (sim/data/cei.toml [family.default])"]


def initial_potential(host: Host) -> float:
    """The cathode's OCP at its initial stoichiometry ``x0`` (V vs Li), from its table: the potential it rested at
    between assembly and the first step. Not the model's guarded OCP (sim/ocp.py): a pristine cathode starts
    within 1e-3 of its table's end, where the numerical end guard lowers the potential by ~0.4 V, which would
    grow the film as if the cathode had rested 0.4 V lower and so add ~0.4 V x 39 nm/V to the first charge."""
    return float(np.interp(host.x0, host.ocp.x, host.ocp.U_V))


def cei_notes(stack: Stack, hosts: HostMap, pair: CEIConstants | None, catalog: Catalog | None = None) -> list[str]:
    """One line saying whether and why the cathode carries the SE-oxidation interphase."""
    host = hosts.cathode[0]
    if host.kind != "active":
        return []
    se = oxidising_electrolyte(stack, catalog)
    if pair is not None:
        u0 = initial_potential(host)
        L0 = pair.initial_thickness(u0, stack.temperature.si)
        return [f"cathode {host.label}: {se.key} is oxidised above {pair.u_ox:g} V (cathode interphase, sim/data/cei.toml; "
                f"as-assembled film {L0 * 1e9:.0f} nm, not counted)"]
    coat = getattr(stack.cathode, "coating", None)
    if coat is not None and se.window is not None and se.window.hi is not None and max(host.ocp.U_V) > se.window.hi:
        return [f"cathode {host.label}: its {coat.material} coating blocks the oxidation of {se.key} above "
                f"{se.window.hi:g} V (no cathode interphase; sim/data/cei.toml [coating])"]
    return []


def cei_values(stack: Stack, hosts: HostMap, catalog: Catalog | None = None,
               constants: SimConstants | None = None) -> dict[str, Any]:
    """PyBaMM parameters of the cathode's CEI ({} without one: its model has no CEI states)."""
    pair = cathode_cei(stack, hosts, catalog, constants)
    if pair is None:
        return {}
    T = stack.temperature.si
    host = hosts.cathode[0]
    u0 = initial_potential(host)
    # the law on the share f of the particle surface the SE touches (contact_share): the film's local thickness is
    # L / f (L: PyBaMM's thickness over the whole surface), so j0 -> f j0, 1/lambda -> 1/(f lambda), L0 -> f L0
    f = contact_share(host, constants)
    return {
        P_J0: f * pair.exchange_current(T), P_BETA: 1.0 / (f * pair.tunnelling_length), P_VBAR: pair.molar_volume,
        P_Z: -pair.li_per_mol,  # negative: the SE releases Li+ (PyBaMM's "loss" of Li to it is a gain)
        P_L0: f * pair.initial_thickness(u0, T), P_ALPHA: pair.transfer_coefficient, P_UOX: pair.u_ox,
        # the film's drop: the current per m2 of film is j / f through a local thickness L / f: j L rho / f^2
        P_RHO: 1.0 / (pair.conductivity * f * f),
    }


def contact_share(host: Host, constants: SimConstants | None = None) -> float:
    """The share of the model's particle surface that the SE touches: 1 for particles at least the SE contact
    radius (cei.toml [contact]), R / R_contact for smaller ones (nano-sized primaries, e.g. LiFePO4's 50 nm, sit in
    agglomerates whose outer surface alone the SE reaches)."""
    r_c = float((constants or default_constants()).cei["contact"]["radius_m"])
    return min(1.0, host.radius / r_c)


def cei_options(options: dict, n_phases: dict) -> dict:
    """``options`` (PyBaMM, from ``model.model_options``) with the positive electrode's "SEI" set to the CEI law
    (its primary phase) when ``n_phases["cei"]``."""
    if not n_phases.get("cei"):
        return options
    neg = options.get("SEI", "none")
    if isinstance(neg, tuple) and len(neg) == 2 and (isinstance(neg[0], tuple) or n_phases["anode"] == 1):
        neg = neg[0]
    pos: str | tuple = LAW if n_phases["cathode"] == 1 else (LAW, "none")
    return {**options, "SEI": (neg, pos)}


class CEIParameters:
    """The positive electrode's phase parameters with the SEI entries replaced by the CEI's own parameters
    (everything else, e.g. the surface area, from PyBaMM's)."""

    def __init__(self, base):
        self._base = base
        self.j0_sei = pybamm.Parameter(P_J0)
        self.beta_tunnelling = pybamm.Parameter(P_BETA)
        self.V_bar_sei = pybamm.Parameter(P_VBAR)
        self.z_sei = pybamm.Parameter(P_Z)
        self.L_sei_0 = pybamm.Parameter(P_L0)
        self.alpha_SEI = pybamm.Parameter(P_ALPHA)
        self.U_sei = pybamm.Parameter(P_UOX)
        self.L_sei_cr0 = pybamm.Scalar(0.0)
        self.R_sei = pybamm.Parameter(P_RHO)
        self.E_sei = pybamm.Scalar(0.0)

    def __getattr__(self, name):
        return getattr(self._base, name)


class CEIGrowth(ContactedFilmGrowth):
    """The CEI's growth: j = j0 exp(+alpha F dphi / RT) exp(-L / lambda) (anodic, A/m2), PyBaMM's SEI growth
    submodel otherwise (its concentration state and Li bookkeeping with the CEI's parameters), with the thickness on
    the particles in contact as a state of its own (:class:`solidstack.sim.interphase.ContactedFilmGrowth`).
    dphi is the surface potential difference with the film's ionic drop in it, as in PyBaMM's own "tunnelling
    limited" law (the electrons tunnel from the SE at the film's outer face into the cathode); the drop is < 2 mV
    with the sourced film conductivity (cei.toml)."""

    def __init__(self, param, domain, options, phase="primary"):
        super().__init__(param, domain, options, phase)
        self.phase_param = CEIParameters(self.phase_param)

    def get_coupled_variables(self, variables):
        pp = self.phase_param
        T = variables["Positive electrode temperature [K]"]
        dphi = variables["Positive electrode surface potential difference [V]"]
        L = variables[f"Positive {self.reaction_name}thickness [m]"]
        j = pp.j0_sei * pybamm.exp(pp.alpha_SEI * self.param.F / (self.param.R * T) * dphi) \
            * pybamm.exp(-pp.beta_tunnelling * L)
        variables.update(self._get_standard_reaction_variables(j))
        return _BaseSEI.get_coupled_variables(self, variables)


def install(model: pybamm.BaseBatteryModel, contact_sides: tuple[str, ...] = ("anode", "cathode")) -> None:
    """Replace the positive electrode's (primary phase) SEI submodels of ``model`` (built with ``build=False``)
    by the CEI's: :class:`CEIGrowth` and its thickness submodel (``interphase.ContactedFilmThickness``) reading
    :class:`CEIParameters`; and give the
    positive primary phase's kinetics submodel the film's resistance (:func:`_film_resistance`). A model without
    the CEI (no positive-electrode SEI states) is left as it is. Without contact-loss states on the cathode
    (``contact_sides``) the film keeps PyBaMM's thickness (equal there, one state fewer per node)."""
    cei = False
    for name, sub in list(model.submodels.items()):
        if getattr(sub, "domain", None) != "positive" or getattr(sub, "phase", "primary") != "primary":
            continue
        if isinstance(sub, pybamm.sei.SEIGrowth) and not isinstance(sub, CEIGrowth) and sub.reaction == "SEI":
            thickness = model.submodels[f"{name} thickness"]
            if not isinstance(thickness.phase_param, CEIParameters):
                thickness.phase_param = CEIParameters(thickness.phase_param)
            install_growth(model, name, CEIGrowth(model.param, "positive", model.options, sub.phase), contact_sides)
            cei = True
    if cei:
        _film_resistance(model)


def _film_resistance(model: pybamm.BaseBatteryModel) -> None:
    """The CEI's ionic resistance in the positive electrode's interfacial overpotential: PyBaMM's "average" SEI
    film resistance, eta_film = -j_av L_cei rho (j_av the x-averaged total interfacial current density, L_cei the
    x-averaged film), on the positive primary phase's kinetics submodel alone (a copy of the model's options with
    "SEI film resistance" set; the model's own option, and so the negative electrode, stays "none"), with rho the
    CEI's resistivity (:data:`P_RHO`; PyBaMM's "SEI resistivity [Ohm.m]" is shared by both electrodes)."""
    kinetics = (pybamm.kinetics.BaseKinetics, pybamm.kinetics.BaseInverseKinetics)
    for sub in model.submodels.values():
        if (isinstance(sub, kinetics) and sub.domain == "positive" and getattr(sub, "phase", "primary") == "primary"
                and sub.reaction == "lithium-ion main"):
            options = copy.copy(sub.options)
            options["SEI film resistance"] = "average"
            sub.options = options
            sub.phase_param = CEIParameters(sub.phase_param)
