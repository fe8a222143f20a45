"""PyBaMM parameter values for a stack: geometry and composition from the stack, materials from the knowledge
base and ``sim/data``.

Conventions (solid-state cell in a liquid-cell model):

* the "electrolyte" is the solid electrolyte (SE), a single-ion conductor: transference number 1, uniform ion
  concentration; its bulk conductivity sigma is the stack file's ``conductivity`` where the layer gives one, else
  the knowledge base's value of its material (:func:`se_conductivity`). PyBaMM's one electrolyte conductivity is
  the separator's; in a composite electrode whose SE family has a measured tortuosity law
  (``sim/data/composite_transport.toml``) the effective conductivity is sigma eps / tau2(eps), set as the
  Bruggeman exponent that gives it (:func:`composite_bruggeman`), which also carries the ratio of the composite's
  own sigma to the separator's; the separator and other composites keep Bruggeman 1.5 (times that ratio);
* "porosity" is the SE volume fraction of each composite (and of the separator);
* the 1-D cell has the stack's area (electrode height = width = sqrt(area));
* a reacting foil is the electrode's secondary phase: volume fraction L_foil / L_electrode and particle radius
  3 L_foil, so its capacity is that of the real foil and its reacting area is the foil face;
* a planar metal electrode (Li, Na, K or an alloy foil as the anode layer) is a thin domain
  (``hosts.PLANAR_DOMAIN_M``) holding the metal's whole inventory, with particle radius 3 eps L so that its
  reacting area is the electrode face; its SE fraction lets the ions reach that face;
* every phase of the negative electrode below the reduction limit of the SE touching it (knowledge base
  window_lo) carries the SE-reduction interphase ("SEI", tunnelling limited), with the constants of its (host, SE)
  pair from ``sim/data/sei.toml`` (:mod:`solidstack.sim.interphase`).

Materials come from the catalog passed in, the simulation's constants from the ``SimConstants`` passed in.
"""

from __future__ import annotations

import math
from typing import Any

import pybamm

from solidstack.materials import Catalog, default_catalog
from solidstack.materials.records import Electrolyte
from solidstack.sim.data_files import DEFAULT_BRUGGEMAN, SimConstants, default_constants
from solidstack.sim.hosts import PLANAR_DOMAIN_M, PLANAR_FRACTION, START_INSIDE, Host, HostMap, arrhenius, away_from
from solidstack.sim.interphase import electrolyte_family, sei_values
from solidstack.sim.ocp import ocp_function
from solidstack.sim.oxidation import cei_values
from solidstack.sim.reinsertion import ReinsertionLimit, limit_for, lithiation_factor
from solidstack.stack import Stack
from solidstack.stack.layers import component_density_kg_m3

#: Name of the input parameter holding the cell's series electrode|collector contact resistance (Ohm; sim/collector.py).
RESISTANCE_INPUT = "Collector contact resistance [Ohm]"
#: Name of the input parameter holding the applied current density (A/m2, positive on discharge).
CURRENT_INPUT = "Current density [A.m-2]"
PHASE_PREFIX = ("Primary: ", "Secondary: ")
DOMAIN = {"anode": ("negative", "Negative"), "cathode": ("positive", "Positive")}


def contact_input(side: str) -> str:
    """Name of the input parameter holding an electrode's contact-loss coefficient K = s / lambda (1/m): the
    share s of the face's displacement that no ductile layer takes up over the separation length lambda."""
    return f"{DOMAIN[side][1]} contact loss coefficient [m-1]"


def contact_floor_input(side: str) -> str:
    """Name of the input parameter holding the contact fraction f_p that stack pressure holds closed (-)."""
    return f"{DOMAIN[side][1]} contact held by stack pressure"


def coordination_input(side: str) -> str:
    """Name of the input parameter holding Z, the SE contacts of one active particle (-; ``sim/coordination.py``):
    read only on an electrode built with the contact-level state (Z > 1)."""
    return f"{DOMAIN[side][1]} SE contacts per active particle"


def strain_parameter(side: str, phase: int) -> str:
    """Name of the parameter holding w_h * Omega_h of a phase (m3/mol)."""
    return f"{DOMAIN[side][1]} {('primary', 'secondary')[phase]} contact strain volume [m3.mol-1]"


def strand_parameter(side: str, phase: int) -> str:
    """Name of the parameter that is 1 where contact loss strands a phase's material, 0 where it cannot (a
    continuous metal foil: see :func:`strandable`)."""
    return f"{DOMAIN[side][1]} {('primary', 'secondary')[phase]} phase strandable by contact loss"


def strandable(host: Host) -> bool:
    """Whether contact loss can strand ``host``'s material with the ion it holds: the particles of a composite,
    yes; a metal foil never (a reacting alloy foil such as In, a working-ion metal foil, a planar metal
    electrode): it is one continuous layer pressed on its collector, so it stays electronically connected and
    keeps its ion. A reacting foil loses reacting area instead, where the composite in front of it lets go
    (``sim/contact.py``)."""
    return host.kind == "active"


def volume_fractions(stack: Stack, side: str) -> tuple[float, float]:
    """(active, SE) volume fractions of a composite electrode, from mass fractions, densities and porosity."""
    el = stack.anode if side == "anode" else stack.cathode
    a = stack.area_m2
    vols = {role: c.fraction / component_density_kg_m3(role, c.material) for role, c in el.components() if c.fraction > 0}
    total = sum(vols.values())
    solid = 1.0 - el.porosity_value(a)
    return vols["active"] / total * solid, vols.get("electrolyte", 0.0) / total * solid


#: Where an SE conductivity comes from (:func:`se_conductivity`).
FROM_STACK, FROM_KB = "the stack file", "the knowledge base"
#: Conductivity (S/m) used for an SE the knowledge base has no conductivity for.
FALLBACK_SIGMA_S_M = 1e-2


#: Boltzmann constant (eV/K; CODATA 2018, exact).
K_B_EV = 8.617333262e-5


def se_arrhenius(electrolyte: Electrolyte, T_K: float) -> float | None:
    """sigma(T) / sigma_ref (-) of a knowledge-base SE at ``T_K`` (K): exp(-Ea / k_B (1/T - 1/T_ref)), Ea its
    ``activation_energy_eV`` and T_ref the temperature of its tabulated conductivity (``conductivity_T_K``); None
    where the knowledge base has no activation energy for it (then no temperature dependence is modelled)."""
    if electrolyte.activation_energy_eV is None:
        return None
    return arrhenius(electrolyte.activation_energy_eV / K_B_EV, T_K, electrolyte.conductivity_T_K)


def _layer_se(stack: Stack, layer: str) -> tuple[float | None, str] | None:
    """(the stack file's conductivity in S/m or None, the SE material) of ``layer``; None for a composite without SE."""
    if layer == "separator":
        return stack.separator.conductivity_S_m(), stack.separator.electrolyte
    el = stack.anode if layer == "anode" else stack.cathode
    if el.electrolyte is None:
        return None
    return el.electrolyte.conductivity_S_m(), el.electrolyte.material


def se_conductivity(stack: Stack, layer: str, catalog: Catalog | None = None) -> tuple[float, str]:
    """The bulk ionic conductivity (S/m) of the SE of ``layer`` (``"separator"``, ``"anode"`` or ``"cathode"``)
    at the stack's temperature, and where it comes from: the layer's ``conductivity`` in the stack file
    (:data:`FROM_STACK`; the value at the stack's temperature, never rescaled), else the knowledge base's value of
    its material (:data:`FROM_KB`; S/cm x 100) times :func:`se_arrhenius` at the stack's temperature where the
    knowledge base has an activation energy (the source then says so; without one the tabulated value is used,
    and :func:`se_temperature_notes` reports it), else 1e-2 S/m. A composite without an SE has the separator's."""
    catalog = catalog or default_catalog()
    found = _layer_se(stack, layer)
    if found is None:
        return se_conductivity(stack, "separator", catalog)
    given, material = found
    if given is not None:
        return given, FROM_STACK
    e = catalog.electrolyte(material)
    if e.conductivity_S_cm is None:
        return FALLBACK_SIGMA_S_M, f"{FROM_KB} (no value: 1e-2 S/m assumed)"
    T = stack.temperature.si
    factor = se_arrhenius(e, T)
    if not away_from(T, e.conductivity_T_K) or factor is None:
        return e.conductivity_S_cm * 100.0, FROM_KB
    return (e.conductivity_S_cm * 100.0 * factor,
            f"{FROM_KB} x {factor:.4g} (Arrhenius, Ea {e.activation_energy_eV:g} eV, from {e.conductivity_T_K:g} K to {T:g} K)")


def se_temperature_notes(stack: Stack, catalog: Catalog | None = None) -> tuple[list[str], list[str]]:
    """(notes, data gaps) on the temperature dependence of the stack's SE conductivities: for every SE whose
    knowledge-base value is used at a temperature other than its tabulated one, the Arrhenius factor applied, or
    a data gap where the knowledge base has no activation energy (the tabulated value is used as it is). An SE
    conductivity the stack file sets is its value at the stack's temperature and gets neither."""
    catalog = catalog or default_catalog()
    T = stack.temperature.si
    notes: list[str] = []
    gaps: list[str] = []
    for layer in ("separator", "anode", "cathode"):
        found = _layer_se(stack, layer)
        if found is None or found[0] is not None:
            continue
        e = catalog.electrolyte(found[1])
        if e.conductivity_S_cm is None or not away_from(T, e.conductivity_T_K):
            continue
        factor = se_arrhenius(e, T)
        if factor is None:
            gap = (f"{e.key}: no activation energy in the knowledge base (electrolytes.csv); its conductivity "
                   f"{e.conductivity_S_cm:g} S/cm at {e.conductivity_T_K - 273.15:.4g} degC is used at "
                   f"{T - 273.15:.4g} degC without temperature dependence")
            if gap not in gaps:
                gaps.append(gap)
        else:
            note = (f"{e.key} conductivity at {T - 273.15:.4g} degC: {e.conductivity_S_cm * factor:.3g} S/cm = "
                    f"{e.conductivity_S_cm:g} S/cm at {e.conductivity_T_K - 273.15:.4g} degC x {factor:.3g} "
                    f"(Arrhenius, Ea {e.activation_energy_eV:g} eV)")
            if note not in notes:
                notes.append(note)
    return notes, gaps


def composite_bruggeman(stack: Stack, side: str, eps_se: float, catalog: Catalog | None = None,
                        constants: SimConstants | None = None) -> float:
    """Bruggeman exponent b of the SE in the composite electrode on ``side`` (SE volume fraction ``eps_se``): the
    one with eps**b = eps / tau2(eps) of the tortuosity law of its SE's family (``composite_transport.toml``), or
    1.5 where there is no law for that family (or no SE in the layer); times sigma_c / sigma_sep where the
    composite's SE conductivity sigma_c differs from the separator's sigma_sep (PyBaMM has one electrolyte
    conductivity, the separator's: :func:`se_conductivity`), i.e. eps**b = (sigma_c / sigma_sep) eps / tau2(eps)."""
    catalog = catalog or default_catalog()
    el = stack.anode if side == "anode" else stack.cathode
    se = el.electrolyte.material if el.electrolyte is not None else None
    if se is None or not 0.0 < eps_se < 1.0:
        return DEFAULT_BRUGGEMAN
    law = (constants or default_constants()).tortuosity_law(electrolyte_family(catalog.electrolyte(se)))
    b = law.bruggeman_exponent(eps_se) if law is not None else DEFAULT_BRUGGEMAN
    ratio = se_conductivity(stack, side, catalog)[0] / se_conductivity(stack, "separator", catalog)[0]
    return b if ratio == 1.0 else b + math.log(ratio) / math.log(eps_se)


def _i0_intercalation(i0: float, area_share: pybamm.Symbol | None = None, lithiation=None):
    """An intercalation host's exchange-current density, 2 i0 sqrt(x (1 - x)); times ``area_share`` where given
    (an electrode whose active particles touch Z > 1 SE grains: the share of a connected particle's surface that
    still touches the SE, f / a, ``sim/coordination.py``) and times ``lithiation(c_s_surf, c_s_max, T)`` where given
    (a Ni-rich oxide's reinsertion limit on discharge steps, ``sim/reinsertion.py``)."""
    def fn(c_e, c_s_surf, c_s_max, T):
        x = c_s_surf / c_s_max
        j0 = pybamm.Scalar(2.0 * i0) * pybamm.sqrt(pybamm.maximum(x * (1 - x), 1e-8))
        if lithiation is not None:
            j0 = j0 * lithiation(c_s_surf, c_s_max, T)
        if area_share is None:
            return j0
        g = area_share
        if c_s_surf.domain and c_s_surf.domain != g.domain:
            g = pybamm.PrimaryBroadcast(g, c_s_surf.domain)
        return j0 * g

    return fn


def reinsertion_limit(host: Host, stack: Stack, catalog: Catalog,
                      constants: SimConstants | None = None) -> ReinsertionLimit | None:
    """The reinsertion limit of a composite's active ``host`` (:mod:`solidstack.sim.reinsertion`), or None: its
    pristine composition is the top of its OCP table (where a pristine cathode starts, ``sim/hosts.py``)."""
    density = catalog.active(host.material, stack.working_ion).density_g_cm3
    return limit_for(host.material, host.side, host.c_max, float(host.ocp.x[-1]) - START_INSIDE, density, constants)


def touching_share(side: str, eps0: float, x_average: bool, n_phases: int = 1) -> pybamm.Symbol:
    """f / a: the share of a connected active particle's surface that touches the SE on an electrode with the
    contact-level state (``sim/contact.py``): the closed SE contacts f over the connected share a = eps / eps0."""
    from solidstack.sim.contact import closed_contact_name

    d = DOMAIN[side][0]
    f = pybamm.Variable(closed_contact_name(d), domain="current collector")
    a = composite_contact(side, eps0, x_average, primary=n_phases > 1)
    if not x_average:
        f = pybamm.PrimaryBroadcast(f, f"{d} electrode")
    return f / a


def _i0_constant(i0: float, contact: pybamm.Symbol | None = None):
    """A foil's constant exchange-current density; times ``contact`` (the contact fraction of the composite in front
    of a reacting foil, a model state) where given: the foil reacts only through the face the composite still
    touches, so its kinetics see f of its face while the ion it takes spreads through the whole foil."""
    def fn(c_e, c_s_surf, c_s_max, T):
        if contact is None:
            return pybamm.Scalar(i0)
        f = contact
        if c_s_surf.domain and c_s_surf.domain != f.domain:
            f = pybamm.PrimaryBroadcast(f, c_s_surf.domain)
        return pybamm.Scalar(i0) * f

    return fn


def composite_contact(side: str, eps0: float, x_average: bool, primary: bool = True) -> pybamm.Symbol:
    """The contact fraction f = eps / eps0 of ``side``'s composite active material as a symbol of the model's own
    state (the active-material volume fraction variable of its primary phase, ``sim/contact.py``; ``primary``:
    the electrode has two phases, so PyBaMM's name carries "primary")."""
    d, D = DOMAIN[side]
    ph = "primary " if primary else ""
    if x_average:
        eps = pybamm.Variable(f"X-averaged {d} electrode {ph}active material volume fraction", domain="current collector")
    else:
        eps = pybamm.Variable(f"{D} electrode {ph}active material volume fraction", domain=f"{d} electrode",
                              auxiliary_domains={"secondary": "current collector"})
    return eps / eps0


def _phase_values(host: Host, stack: Stack, side: str, phase: int, n_phases: int, eps: float,
                  catalog: Catalog, contact: pybamm.Symbol | None = None,
                  area_share: pybamm.Symbol | None = None, lithiation=None) -> dict[str, Any]:
    d, D = DOMAIN[side]
    pre = PHASE_PREFIX[phase] if n_phases > 1 else ""
    metal_rho = None
    if host.kind in ("foil", "planar"):
        metal_rho = (catalog.metal(host.material).density_g_cm3 or 1.0) * 1e3
    if host.kind in ("foil", "planar"):
        i0 = _i0_constant(host.i0, contact)
    else:
        i0 = _i0_intercalation(host.i0, area_share, lithiation)
    return {
        f"{pre}Maximum concentration in {d} electrode [mol.m-3]": host.c_max,
        f"{pre}Initial concentration in {d} electrode [mol.m-3]": host.x0 * host.c_max,
        f"{pre}{D} particle diffusivity [m2.s-1]": host.diffusivity if host.diffusivity_law is None else host.diffusivity_at,
        f"{pre}{D} particle radius [m]": host.radius,
        f"{pre}{D} electrode OCP [V]": ocp_function(host.ocp, f"{host.label} OCP", host.guard_width),
        f"{pre}{D} electrode active material volume fraction": eps,
        f"{pre}{D} electrode exchange-current density [A.m-2]": i0,
        f"{pre}{D} electrode density [kg.m-3]": metal_rho or 2000.0,
        f"{pre}{D} electrode OCP entropic change [V.K-1]": 0.0,
        strain_parameter(side, phase): host.strain_weight * host.omega,
        strand_parameter(side, phase): 1.0 if strandable(host) else 0.0,
    }


def build_parameters(stack: Stack, hosts: HostMap, window: tuple[float, float], catalog: Catalog | None = None,
                     constants: SimConstants | None = None, x_average: bool = True,
                     contact_sides: tuple[str, ...] = ("anode", "cathode"),
                     coordinated: tuple[str, ...] = ()) -> pybamm.ParameterValues:
    """Parameter values for ``stack`` with ``hosts`` (see module docstring). ``window`` (V) sets loose
    model-level voltage limits; the protocol's own cut-offs end the steps. ``x_average``: whether the model's
    active-material states are x-averaged (SPM, SPMe) or not (DFN): a reacting foil's kinetics read them.
    ``contact_sides``: the electrodes built with contact-loss states (``model.contact_sides``); on the others the
    composite keeps full contact, so a reacting foil's kinetics do not read a contact state."""
    catalog = catalog or default_catalog()
    pv = pybamm.ParameterValues("Chen2020")  # only for thermal/collector entries a 1-D isothermal model reads
    for key in [k for k in pv.keys() if k.startswith(("Negative", "Positive", "Initial concentration in", "Maximum conc"))
                and ("electrode" in k or "particle" in k)]:
        del pv[key]
    T = stack.temperature.si
    side_len = math.sqrt(stack.area_m2)
    sigma = se_conductivity(stack, "separator", catalog)[0]  # S/m: the stack file's, else the knowledge base's
    sep = stack.separator
    values: dict[str, Any] = {
        "Ambient temperature [K]": T, "Initial temperature [K]": T, "Reference temperature [K]": T,
        "Electrode height [m]": side_len, "Electrode width [m]": side_len,
        "Cation transference number": 1.0, "Thermodynamic factor": 1.0,
        "Electrolyte conductivity [S.m-1]": sigma, "Electrolyte diffusivity [m2.s-1]": 1e-9,
        "Initial concentration in electrolyte [mol.m-3]": 1000.0,
        "Separator thickness [m]": sep.thickness_m(stack.area_m2),
        "Separator porosity": 1.0 - sep.porosity_value(stack.area_m2),
        "Separator Bruggeman coefficient (electrolyte)": DEFAULT_BRUGGEMAN,
        "Nominal cell capacity [A.h]": stack.cathode_capacity_mAh * 1e-3,
        "Current function [A]": pybamm.InputParameter(CURRENT_INPUT) * stack.area_m2,
        "Lower voltage cut-off [V]": -5.0,  # model-level guards only; the protocol's cut-offs end the steps
        "Upper voltage cut-off [V]": window[1] + 3.0,
        "Open-circuit voltage at 0% SOC [V]": window[0], "Open-circuit voltage at 100% SOC [V]": window[1],
        "Contact resistance [Ohm]": pybamm.InputParameter(RESISTANCE_INPUT),  # electrode|collector contacts (sim/collector.py)
    }
    for side in ("anode", "cathode"):
        d, D = DOMAIN[side]
        el = stack.anode if side == "anode" else stack.cathode
        side_hosts = hosts.side(side)  # type: ignore[arg-type]
        if side_hosts[0].kind == "planar":
            L, eps_a, eps_se = PLANAR_DOMAIN_M, PLANAR_FRACTION, 1.0 - PLANAR_FRACTION
            b_se = DEFAULT_BRUGGEMAN
        else:
            L = el.thickness_m(stack.area_m2)
            eps_a, eps_se = volume_fractions(stack, side)
            b_se = composite_bruggeman(stack, side, eps_se, catalog, constants)
        values.update({
            f"{D} electrode thickness [m]": L,
            f"{D} electrode porosity": eps_se,
            f"{D} electrode conductivity [S.m-1]": side_hosts[0].conductivity_S_m or 10.0,
            f"{D} electrode Bruggeman coefficient (electrolyte)": b_se,
            f"{D} electrode Bruggeman coefficient (electrode)": 0.0,
            f"{D} electrode charge transfer coefficient": 0.5,
            f"{D} electrode double-layer capacity [F.m-2]": 0.2,
            f"{D} electrode specific heat capacity [J.kg-1.K-1]": 700.0,
            f"{D} electrode thermal conductivity [W.m-1.K-1]": 1.0,
            f"{D} electrode OCP entropic change [V.K-1]": 0.0,
            f"{D} electrode density [kg.m-3]": el.solid_density_kg_m3(),
            f"{D} electrode reaction-driven LAM factor [m3.mol-1]": 0.0,
            f"{D} electrode LAM constant proportional term [s-1]": 0.0,
            f"{D} electrode LAM constant exponential term": 2.0,
        })
        for i, host in enumerate(side_hosts):
            eps = eps_a if host.kind in ("active", "planar") else (host.thickness or 0.0) / L
            contact = None
            if i > 0 and host.kind == "foil" and side_hosts[0].kind == "active" and side in contact_sides:
                contact = composite_contact(side, eps_a, x_average)
            share = touching_share(side, eps_a, x_average, len(side_hosts)) if i == 0 and side in coordinated else None
            limit = reinsertion_limit(host, stack, catalog, constants) if host.kind == "active" else None
            lith = None if limit is None else lithiation_factor(limit, side, i == 0 and len(side_hosts) > 1, x_average)
            values.update(_phase_values(host, stack, side, i, len(side_hosts), eps, catalog, contact, share, lith))
    values.update(sei_values(stack, hosts, catalog, constants))
    values.update(cei_values(stack, hosts, catalog, constants))
    pv.update(values, check_already_exists=False)
    return pv

