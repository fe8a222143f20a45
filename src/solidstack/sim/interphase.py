"""The SE-reduction interphase per (host, solid electrolyte) pair: which negative hosts carry one, and the
PyBaMM parameters of its growth law (``sim/data/sei.toml``; README, "Cycling simulation").

The law is PyBaMM's "tunnelling limited" SEI (Tang, Lu, Newman 2012)::

    j_sei = -k exp(-alpha F (dphi - U_red) / (R T)) exp(-L_sei / lambda)      (A/m2 of host surface)

with U_red the SE's reduction limit (knowledge base ``window_lo_V``), k and lambda from the SE family's table of
``sei.toml`` (or a ``[[pair]]`` override for that host material and SE family). A host whose lowest tabulated
potential is at or above U_red, or an SE without a known U_red, carries no interphase: that phase gets PyBaMM's
``"SEI": "none"`` (no states), see :func:`interphase_phases`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pybamm

from solidstack.materials import Catalog, default_catalog
from solidstack.materials.records import Electrolyte
from solidstack.sim.data_files import SimConstants, default_constants
from solidstack.sim.hosts import F, Host, HostMap
from solidstack.stack import Stack

R = 8.314462618  # J/(mol K)
PHASE_PREFIX = ("Primary: ", "Secondary: ")


def electrolyte_family(se: Electrolyte) -> str:
    """The SE's family for the interphase constants: the first word of its knowledge-base class (``sulfide``,
    ``oxide``, ``halide``, ``hydroborate`` ...), lower case."""
    words = se.electrolyte_class.split()
    return words[0].lower() if words else ""


@dataclass(frozen=True)
class PairConstants:
    """The interphase constants of one (host, SE) pair. ``u_red`` V vs the ion's metal, ``rate_constant`` A/m2
    (k at dphi = U_red through a bare surface), ``tunnelling_length`` m (lambda), ``transfer_coefficient`` (-).
    ``table``: which ``sei.toml`` table the kinetics came from (``family.sulfide``, ``pair In|sulfide`` ...);
    ``assumed``: the SE's family has no table of its own (``[family.default]`` was used)."""

    host: str
    electrolyte: str
    family: str
    u_red: float
    rate_constant: float
    tunnelling_length: float
    transfer_coefficient: float
    table: str
    assumed: bool = False

    def exchange_current(self, T: float) -> float:
        """PyBaMM's "SEI reaction exchange current density" (A/m2): k exp(alpha F U_red / (R T)), so that the law's
        potential factor exp(-alpha F dphi / (R T)) becomes exp(-alpha F (dphi - U_red) / (R T))."""
        return self.rate_constant * math.exp(self.transfer_coefficient * F * self.u_red / (R * T))


def electrode_electrolyte(stack: Stack, side: str, catalog: Catalog | None = None) -> Electrolyte:
    """The SE touching the hosts of electrode ``side`` (``"anode"`` or ``"cathode"``): the composite's own SE, else
    the separator's."""
    catalog = catalog or default_catalog()
    name = stack.separator.electrolyte
    electrode = stack.anode if side == "anode" else stack.cathode
    for role, c in electrode.components():
        if role == "electrolyte" and c.fraction > 0:
            name = c.material
    return catalog.electrolyte(name)


def reducing_electrolyte(stack: Stack, catalog: Catalog | None = None) -> Electrolyte:
    """The SE touching the negative electrode's hosts: the anode composite's own SE, else the separator's."""
    return electrode_electrolyte(stack, "anode", catalog)


def family_table(data: Any, family: str, file: str) -> tuple[str, Any]:
    """(name, table) of the constants of SE ``family`` in constants file ``file`` (``sei.toml``, ``cei.toml``),
    its ``[family.default]`` where the family has no table, following ``same_as``."""
    families = data["family"]
    name = family if family in families else "default"
    table = families[name]
    seen = {name}
    while "same_as" in table:  # a family that takes another's constants
        name = table["same_as"]
        if name in seen:
            raise ValueError(f"{file}: family tables refer to each other in a loop ({sorted(seen)})")
        seen.add(name)
        table = families[name]
    return f"family.{name}", table


def pair_constants(host: Host, se: Electrolyte, constants: SimConstants | None = None) -> PairConstants | None:
    """The constants of the interphase of ``host`` against ``se``; None where none forms (the SE has no known
    reduction limit, or the host's lowest tabulated potential is at or above it)."""
    sei = (constants or default_constants()).sei
    win = se.window
    u_red = win.lo if win is not None else None
    if u_red is None or min(host.ocp.U_V) >= u_red:
        return None
    family = electrolyte_family(se)
    where, table = family_table(sei, family, "sei.toml")
    k, lam = table["rate_constant_A_m2"], table["tunnelling_length_m"]
    assumed = family not in sei["family"]
    for pair in sei.get("pair", ()):
        if pair["host"] == host.material and pair["electrolyte"] in (family, se.key):
            k = pair.get("rate_constant_A_m2", k)
            lam = pair.get("tunnelling_length_m", lam)
            where, assumed = f"pair {pair['host']}|{pair['electrolyte']}", False
    return PairConstants(host.material, se.key, family, float(u_red), float(k), float(lam),
                         float(sei["law"]["transfer_coefficient"]), where, assumed)


def interphase_pairs(stack: Stack, hosts: HostMap, catalog: Catalog | None = None,
                     constants: SimConstants | None = None) -> list[PairConstants | None]:
    """:func:`pair_constants` of every negative host (in the order of ``hosts.anode``)."""
    se = reducing_electrolyte(stack, catalog)
    return [pair_constants(h, se, constants) for h in hosts.anode]


def interphase_gaps(pairs: list[PairConstants | None]) -> list[str]:
    """Data gaps of the interphases ``pairs`` (from :func:`interphase_pairs`): an SE family whose constants are
    assumed (``[family.default]``)."""
    return list(dict.fromkeys(
        f"{p.electrolyte} ({p.family}): no sourced SE-reduction kinetics; the thiophosphate interphase constants are "
        f"assumed with its own reduction limit {p.u_red:g} V (sim/data/sei.toml [family.default])"
        for p in pairs if p is not None and p.assumed))


def interphase_phases(stack: Stack, hosts: HostMap, catalog: Catalog | None = None,
                      constants: SimConstants | None = None) -> tuple[bool, ...]:
    """Whether each negative phase carries interphase states (the model structure, see ``model.model_options``)."""
    return tuple(p is not None for p in interphase_pairs(stack, hosts, catalog, constants))


def sei_values(stack: Stack, hosts: HostMap, catalog: Catalog | None = None,
               constants: SimConstants | None = None) -> dict[str, Any]:
    """PyBaMM parameters of the interphase on each negative phase (a phase without one gets none: its model has
    no interphase states)."""
    ip = (constants or default_constants()).sei["interphase"]
    T = stack.temperature.si
    pairs = interphase_pairs(stack, hosts, catalog, constants)
    out: dict[str, Any] = {}
    for i, pair in enumerate(pairs):
        if pair is None:
            continue
        pre = PHASE_PREFIX[i] if len(pairs) > 1 else ""
        out.update({
            f"{pre}SEI reaction exchange current density [A.m-2]": pair.exchange_current(T),
            f"{pre}Tunneling barrier factor [m-1]": 1.0 / pair.tunnelling_length,
            f"{pre}SEI open-circuit potential [V]": pair.u_red,  # not in the tunnelling law (it is in j0)
            f"{pre}SEI partial molar volume [m3.mol-1]": ip["sei_molar_volume_m3_mol"],
            f"{pre}Ratio of lithium moles to SEI moles": ip["li_per_sei_mol"],
            f"{pre}Initial SEI thickness [m]": ip["initial_thickness_m"],
            f"{pre}SEI growth activation energy [J.mol-1]": ip["activation_energy_J_mol"],
            f"{pre}SEI resistivity [Ohm.m]": 0.0,  # film resistance option "none": not used
        })
    return out


def contacted_thickness_name(domain: str, reaction_name: str) -> str:
    """The name of the state of :class:`ContactedFilmGrowth`: the film thickness (m) on the particles in contact."""
    return f"{domain.capitalize()} {reaction_name}thickness on contacted particles [m]"


class ContactedFilmGrowth(pybamm.sei.SEIGrowth):
    """PyBaMM's SEI growth with the film's thickness carried as a state of its own, the thickness on the particles
    still in contact, grown by the law on their own surface: dL/dt = -V j / (z F) (j A/m2 of contacted particle
    surface, V m3/mol, z the ion per film formula unit).

    PyBaMM's thickness is the film's content (its state c, mol per m3 of electrode, dc/dt = -a j / (z F)) over the
    *current* particle surface a = 3 eps / r: with contact loss (eps = f eps0, sim/contact.py) that piles the stranded
    particles' film onto the others (L / f), and slows the law by exp(-(1/f - 1) L / lambda). A stranded particle
    keeps its own film: c keeps counting it (PyBaMM's lithium bookkeeping, the losses, are unchanged: the ion taken
    is the film's content), but the thickness the law, the film resistance and the output see is this state's
    (:class:`ContactedFilmThickness`). Without contact loss the two agree (c = a0 L / V). A planar electrode (PyBaMM's
    interface form, no particles) keeps PyBaMM's own, and so does a phase whose particles cannot be stranded
    (``track_contact`` False: a foil phase, or an electrode without contact-loss states), where the two are equal and
    the state would only cost the solver."""

    track_contact: bool = True

    def _contacted(self) -> bool:
        return self.track_contact and self.reaction_loc != "interface" and not self.size_distribution

    def get_fundamental_variables(self):
        variables = super().get_fundamental_variables()
        if not self._contacted():
            return variables
        domain = self.domain
        name = contacted_thickness_name(domain, self.reaction_name)
        # ~1 nm; a power of two, so that PyBaMM's hand-over of the state from one step's model to the next
        # (physical = scale x y, then y = physical / scale) is exact (tests/test_study_cache.py: to the bit)
        scale = pybamm.Scalar(2.0**-30)
        if self.reaction_loc == "x-average":
            xav_name = f"X-averaged {name[0].lower()}{name[1:]}"
            L_xav = pybamm.Variable(xav_name, domain="current collector", scale=scale)
            variables[xav_name] = L_xav  # PyBaMM: a variable stored under another name is also under its own
            L = pybamm.PrimaryBroadcast(L_xav, f"{domain} electrode")
        else:
            L = pybamm.Variable(name, domain=f"{domain} electrode",
                                auxiliary_domains={"secondary": "current collector"}, scale=scale)
        variables[name] = L
        self._L_state = L_xav if self.reaction_loc == "x-average" else L
        return variables

    def set_rhs(self, variables):
        super().set_rhs(variables)
        if not self._contacted():
            return
        domain, Domain = self.domain_Domain
        L = self._L_state
        if self.reaction_loc == "x-average":
            j = variables[f"X-averaged {domain} electrode {self.reaction_name}interfacial current density [A.m-2]"]
        else:
            j = variables[f"{Domain} electrode {self.reaction_name}interfacial current density [A.m-2]"]
        pp = self.phase_param
        self.rhs[L] = -pp.V_bar_sei * j / (self.param.F * pp.z_sei)

    def set_initial_conditions(self, variables):
        super().set_initial_conditions(variables)
        if not self._contacted():
            return
        self.initial_conditions[self._L_state] = self.phase_param.L_sei_0


class ContactedFilmThickness(pybamm.sei.SEIThickness):
    """PyBaMM's SEI thickness submodel with the thickness taken from :class:`ContactedFilmGrowth`'s state (the film on
    the particles in contact) in place of the film's content over the current particle surface; its x- and
    volume-averages and the x-averaged film resistance follow it. A planar electrode keeps PyBaMM's own."""

    def get_coupled_variables(self, variables):
        variables = super().get_coupled_variables(variables)
        name = contacted_thickness_name(self.domain, self.reaction_name)
        if self.reaction_loc == "interface" or self.reaction != "SEI" or name not in variables:
            return variables
        domain, Domain = self.domain_Domain
        L = variables[name]
        L_xav = pybamm.x_average(L)
        variables.update({
            f"{Domain} {self.reaction_name}thickness [m]": L,
            f"X-averaged {domain} {self.reaction_name}thickness [m]": L_xav,
            f"Volume-averaged {domain} {self.reaction_name}thickness [m]": pybamm.yz_average(L_xav),
            f"X-averaged {domain} electrode resistance [Ohm.m2]": L_xav * self.phase_param.R_sei,
        })
        return variables


def install_thickness(model: pybamm.BaseBatteryModel, growth_name: str) -> None:
    """Replace the thickness submodel that goes with growth submodel ``growth_name`` (a :class:`ContactedFilmGrowth`)
    by a :class:`ContactedFilmThickness` with the same parameters (``phase_param``, e.g. the CEI's own)."""
    old = model.submodels[f"{growth_name} thickness"]
    if isinstance(old, ContactedFilmThickness):
        return
    new = ContactedFilmThickness(model.param, old.domain, model.options, old.phase)
    new.phase_param = old.phase_param
    model.submodels[f"{growth_name} thickness"] = new


class BoundedTunnellingSEI(ContactedFilmGrowth):
    """PyBaMM's "tunnelling limited" SEI growth with the host's potential in its rate bounded below at 0 V vs the
    ion's metal: below it the host would plate the metal, and a host pushed past its OCP table's end sits on the
    table's numerical end guard (not data), where the exponential rate would otherwise run away (and stall the
    solver). Above 0 V the law is PyBaMM's unchanged."""

    def get_coupled_variables(self, variables):
        key = f"{self.domain.capitalize()} electrode surface potential difference [V]"
        if key not in variables:  # a planar (PyBaMM half-cell) electrode: PyBaMM's own law
            return super().get_coupled_variables(variables)
        original = variables[key]
        variables[key] = pybamm.maximum(original, pybamm.Scalar(0.0))
        try:
            variables = super().get_coupled_variables(variables)
        finally:
            variables[key] = original
        return variables


def strandable_phase(domain: str, phase: str, contact_sides: tuple[str, ...]) -> bool:
    """Whether the particles of phase ``phase`` ("primary", "secondary") of electrode ``domain`` ("negative",
    "positive") can be stranded: the primary phase (the composite's active material) of an electrode with
    contact-loss states; a secondary phase is a metal foil, which is never stranded (``parameters.strandable``)."""
    side = "anode" if domain == "negative" else "cathode"
    return phase == "primary" and side in contact_sides


def install_growth(model: pybamm.BaseBatteryModel, name: str, growth: ContactedFilmGrowth,
                   contact_sides: tuple[str, ...]) -> None:
    """Put ``growth`` in place of ``model``'s submodel ``name``, tracking the contacted particles' film where they
    can be stranded (:func:`strandable_phase`), with its :class:`ContactedFilmThickness` there."""
    growth.track_contact = strandable_phase(growth.domain, growth.phase, contact_sides)
    model.submodels[name] = growth
    if growth.track_contact:
        install_thickness(model, name)


def install(model: pybamm.BaseBatteryModel, contact_sides: tuple[str, ...] = ("anode", "cathode")) -> None:
    """Replace the tunnelling-limited SEI submodels of ``model`` (built with ``build=False``) by
    :class:`BoundedTunnellingSEI` (:func:`install_growth`)."""
    for name, sub in list(model.submodels.items()):
        if type(sub) is pybamm.sei.SEIGrowth and sub.reaction == "SEI":
            install_growth(model, name, BoundedTunnellingSEI(model.param, sub.domain, model.options, sub.phase),
                           contact_sides)
