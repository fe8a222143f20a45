"""Electrode/collector contact loss as a PyBaMM active-material submodel (the README, "Cycling simulation").

The contact fraction f of an electrode's face with its collector side falls with the displacement that face must
take up and that no ductile layer accommodates, down to the share that stays closed, f_p:

    df/dt = -K u' (f - f_p),     u' = L_e sum_h Omega_h |a_h j_h| / F,     K = s / lambda,
    s = 1 / (1 + delta_d / lambda),  f_p = f_0 + (1 - f_0) x / (1 + x),  x = (p / (f_p p_h))^m,
    p_h = p_h,ref E*_SE / E*_ref;   for m = 1:  f_p = (f_0 - P + sqrt((P - f_0)^2 + 4P)) / 2,  P = p / p_h

u' (m/s) is the rate at which the face moves: the electrode's thickness change at its collector face from its
hosts' volume changes (L_e times the composite's volumetric strain rate, for a laterally confined pressed pellet)
plus a reacting foil's own thickness change (its areal reaction current times Omega); a_h j_h is the x-averaged
volumetric interfacial current density of host h (A/m3), Omega_h its strain volume (w_h times the partial molar
volume of the ion in it, m3/mol). K (1/m) and f_p (-) are input parameters per electrode (run.contact_inputs):
f_p is the share that stays closed: a pressure-free share f_0 (``law.pressure_free_fraction``: bonded or interlocked
by the cell's fabrication pressing, held without any stack pressure) plus the share x / (1 + x) of the rest that the
stack pressure p holds closed. Every closed contact, bonded or held, carries the stack's force (equal load sharing,
p / f_p each), so f_p appears on both sides; for m = 1 it is the positive root of f_p^2 + (P - f_0) f_p - P = 0. The
hold pressure p_h is scaled by the plane-strain modulus of the SE touching the electrode, m is contact.toml's
``law.hold_exponent`` (the shipped 1 in closed form, another m solved numerically; run.pressure_held_fraction). At
p = 0, f_p = f_0: without pressure the loss levels off at the bonded share. f_0 is shipped 0 (issue 9's plateau,
tried and not shipped: contact.toml's ``pressure_free_fraction_basis``).

The state is PyBaMM's own active-material volume fraction of the composite's active material (eps = f eps0), so
composite material that loses contact is stranded with the ion it holds and PyBaMM's lithium bookkeeping counts
it. A continuous metal foil is never stranded (``parameters.strandable``: its volume fraction is constant); a
reacting foil reacts through the composite face that touches it, so its exchange current is f times its own
(``parameters.composite_contact``: the kinetics see f of its face, the ion it takes spreads through the whole
foil, so the ion is conserved); the ion it holds stays in it: held, not stranded.

Where the stack gives the composite SE's particle size, an active particle touches Z SE grains
(:mod:`solidstack.sim.coordination`) and is stranded only when all of them have let go: the law above then acts on
the share f of closed contacts, one more state of the electrode (``coordinated``), and the connected share of the
active material is a = 1 - (1 - f)^Z, i.e. d(eps)/dt = eps0 Z (1 - f)^(Z - 1) df/dt. With Z = 1 (no SE particle
size given) a = f and the electrode has no extra state.
"""

from __future__ import annotations

import pybamm

from solidstack.sim.parameters import (
    DOMAIN,
    contact_floor_input,
    contact_input,
    coordination_input,
    strain_parameter,
    strand_parameter,
)


class ContactLoss(pybamm.active_material.LossActiveMaterial):
    """Loss of active material of one phase driven by the interface displacement of its whole electrode."""

    def __init__(self, param, domain: str, options, x_average: bool, phase: str, n_phases: int,
                 coordinated: bool = False):
        super().__init__(param, domain, options, x_average, phase)
        self.n_phases = n_phases
        self.coordinated = coordinated
        self.eps_variable: pybamm.Symbol | None = None
        self.f_variable: pybamm.Variable | None = None

    def _phase_names(self) -> list[str]:
        return [""] if self.n_phases == 1 else ["primary ", "secondary "]

    def contact_fraction(self) -> pybamm.Symbol:
        """f = eps / eps0 of this (primary) phase, x-averaged (current-collector domain)."""
        assert self.eps_variable is not None, "get_fundamental_variables first"
        eps0 = pybamm.x_average(self.phase_param.epsilon_s)
        return pybamm.x_average(self.eps_variable) / eps0

    def get_fundamental_variables(self):
        variables = super().get_fundamental_variables()
        domain, Domain = self.domain_Domain
        key = f"electrode {self.phase_name}active material volume fraction"
        self.eps_variable = variables[f"X-averaged {domain} {key}" if self.x_average else f"{Domain} {key}"]
        if self.coordinated and self.phase == "primary":
            self.f_variable = pybamm.Variable(closed_contact_name(domain), domain="current collector")
            variables[closed_contact_name(domain)] = self.f_variable
        return variables

    def get_coupled_variables(self, variables):
        domain = self.domain
        side = "anode" if domain == "negative" else "cathode"
        strain_rate = pybamm.Scalar(0)
        for i, ph in enumerate(self._phase_names()):
            aj = variables[f"X-averaged {domain} electrode {ph}volumetric interfacial current density [A.m-3]"]
            strain_rate = strain_rate + pybamm.Parameter(strain_parameter(side, i)) * abs(aj) / self.param.F
        u_dot = self.domain_param.L * strain_rate  # m/s: the face's displacement rate
        k = pybamm.InputParameter(contact_input(side))
        f_p = pybamm.InputParameter(contact_floor_input(side))
        eps0 = self.phase_param.epsilon_s
        if self.x_average:
            eps = variables[f"X-averaged {domain} electrode {self.phase_name}active material volume fraction"]
            eps0 = pybamm.x_average(eps0)
        else:
            eps = variables[f"{domain.capitalize()} electrode {self.phase_name}active material volume fraction"]
        i_phase = 0 if self.phase == "primary" else 1
        s = pybamm.Parameter(strand_parameter(side, i_phase))
        if self.coordinated:
            f = variables[closed_contact_name(domain)]
            df = -k * u_dot * (f - f_p)  # the law on the share of closed SE contacts
            z = pybamm.InputParameter(coordination_input(side))
            open_share = pybamm.maximum(1.0 - f, 0.0) + OPEN_FLOOR
            deps = s * eps0 * z * open_share ** (z - 1.0) * df  # d/dt of eps0 (1 - (1 - f)^Z)
            if self.phase == "primary":
                variables[closed_contact_name(domain) + " change [s-1]"] = df
        else:
            deps = -s * k * u_dot * pybamm.maximum(eps - f_p * eps0, 0.0)
        variables.update(self._get_standard_active_material_change_variables(deps))
        if self.phase == "primary":
            variables[f"{DOMAIN[side][1]} electrode contact fraction"] = self.contact_fraction()
            # the share of closed SE contacts: the state f with Z > 1, else the connected share itself (Z = 1: a = f)
            variables[closed_contact_output(side)] = (variables[closed_contact_name(domain)] if self.coordinated
                                                      else self.contact_fraction())
            variables[f"{DOMAIN[side][1]} interface strain rate [s-1]"] = strain_rate
            variables[f"{DOMAIN[side][1]} interface displacement rate [m.s-1]"] = u_dot
        return variables

    def set_rhs(self, variables):
        super().set_rhs(variables)
        if self.f_variable is not None:
            self.rhs[self.f_variable] = variables[closed_contact_name(self.domain) + " change [s-1]"]

    def set_initial_conditions(self, variables):
        super().set_initial_conditions(variables)
        if self.f_variable is not None:
            self.initial_conditions[self.f_variable] = pybamm.Scalar(1.0)


#: Added to the open share 1 - f under the power Z - 1, so that its derivative stays finite at f = 1 for 1 < Z < 2
#: (the solver's Jacobian); it shifts the connected share by < Z x 1e-9.
OPEN_FLOOR = 1e-9


def closed_contact_name(domain: str) -> str:
    """PyBaMM variable name of the share of closed SE contacts of electrode ``domain`` (``negative``/``positive``)."""
    return f"X-averaged {domain} electrode closed SE contact fraction"


def closed_contact_output(side: str) -> str:
    """PyBaMM variable the results read for the share of closed SE contacts of electrode ``side``
    (``anode``/``cathode``): f on an electrode with the contact-level state, its contact fraction otherwise."""
    return f"{DOMAIN[side][1]} electrode closed SE contact fraction"


def install(model: pybamm.BaseBatteryModel, n_phases: dict[str, int], x_average: bool,
            coordinated: tuple[str, ...] = ()) -> None:
    """Replace the active-material submodels of ``model`` (built with ``build=False``) by :class:`ContactLoss`;
    the electrodes in ``coordinated`` (Z > 1) carry the share of closed SE contacts as a state."""
    for side, n in n_phases.items():
        domain = DOMAIN[side][0]
        for phase in ("primary", "secondary")[:n]:
            model.submodels[f"{domain} {phase} active material"] = ContactLoss(
                model.param, domain, model.options, x_average, phase, n, side in coordinated)
