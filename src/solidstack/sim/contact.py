"""Electrode/collector contact loss as a PyBaMM active-material submodel.

The contact fraction f of an electrode's interface with its collector side decays with the cyclic volumetric
strain at that interface (the README, "Cycling simulation"):

    df/dt = -K f edot,     edot = sum_h Omega_h |a_h j_h| / F,     K = g_d g_p / eps_c

with a_h j_h the x-averaged volumetric interfacial current density of host h (A/m3), Omega_h its strain volume
(w_h times the partial molar volume of the ion in it, m3/mol) and K an input parameter per electrode. The state
is PyBaMM's own active-material volume fraction of every phase of that electrode (eps = f eps0), so material
that loses contact is stranded together with the ion it holds, and PyBaMM's lithium bookkeeping counts it. A phase
that contact loss cannot strand (a continuous metal foil, ``parameters.strandable``) keeps its volume fraction:
its rate is multiplied by a 0/1 parameter.
"""

from __future__ import annotations

import pybamm

from solidstack.sim.parameters import DOMAIN, contact_input, strain_parameter, strand_parameter


class ContactLoss(pybamm.active_material.LossActiveMaterial):
    """Loss of active material of one phase driven by the interface strain of its whole electrode."""

    def __init__(self, param, domain: str, options, x_average: bool, phase: str, n_phases: int):
        super().__init__(param, domain, options, x_average, phase)
        self.n_phases = n_phases

    def _phase_names(self) -> list[str]:
        return [""] if self.n_phases == 1 else ["primary ", "secondary "]

    def get_coupled_variables(self, variables):
        domain = self.domain
        side = "anode" if domain == "negative" else "cathode"
        rate = pybamm.Scalar(0)
        for i, ph in enumerate(self._phase_names()):
            aj = variables[f"X-averaged {domain} electrode {ph}volumetric interfacial current density [A.m-3]"]
            rate = rate + pybamm.Parameter(strain_parameter(side, i)) * abs(aj) / self.param.F
        k = pybamm.InputParameter(contact_input(side))
        if self.x_average:
            eps = variables[f"X-averaged {domain} electrode {self.phase_name}active material volume fraction"]
        else:
            eps = variables[f"{domain.capitalize()} electrode {self.phase_name}active material volume fraction"]
        i_phase = 0 if self.phase == "primary" else 1
        s = pybamm.Parameter(strand_parameter(side, i_phase))
        variables.update(self._get_standard_active_material_change_variables(-s * k * eps * rate))
        if self.phase == "primary":
            eps0 = pybamm.x_average(self.phase_param.epsilon_s)
            variables[f"{DOMAIN[side][1]} electrode contact fraction"] = pybamm.x_average(eps) / eps0
            variables[f"{DOMAIN[side][1]} interface strain rate [s-1]"] = rate
        return variables


def install(model: pybamm.BaseBatteryModel, n_phases: dict[str, int], x_average: bool) -> None:
    """Replace the active-material submodels of ``model`` (built with ``build=False``) by :class:`ContactLoss`."""
    for side, n in n_phases.items():
        domain = DOMAIN[side][0]
        for phase in ("primary", "secondary")[:n]:
            model.submodels[f"{domain} {phase} active material"] = ContactLoss(
                model.param, domain, model.options, x_average, phase, n)
