"""The cycling protocol and its PyBaMM experiment.

Constant current density between voltage cut-offs, charge or discharge first, N cycles, optional CV hold at the
upper cut-off and rests. The current is an input parameter (A/m2), so runs differing only in current re-solve the
same built simulation. Every constant-current step has a time limit (``TIME_LIMIT_FACTOR`` times the time to pass
the cathode's theoretical capacity), so a host too large to fill or empty (e.g. a thick reacting foil) ends the
step on time instead of running forever; such steps are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pybamm

from solidstack.errors import InputError, Problem
from solidstack.sim.parameters import CURRENT_INPUT
from solidstack.stack import Stack

TIME_LIMIT_FACTOR = 2.0


@dataclass(frozen=True)
class Protocol:
    """Cycling protocol. Units: current density A/m2 (1 mA/cm2 = 10 A/m2), voltages V, times s."""

    current_density_A_m2: float
    lower_V: float
    upper_V: float
    cycles: int = 1
    first: str = "charge"
    cv_hold_until_A_m2: float | None = None
    rest_s: float | None = None

    @classmethod
    def from_stack(cls, stack: Stack) -> Protocol:
        """The stack file's own ``[cycling]`` section."""
        c = stack.cycling
        if c is None:
            raise InputError(Problem("cycling", "the stack has no [cycling] section; give a protocol "
                                     "(current density and voltage window)"))
        return cls(
            current_density_A_m2=c.current_density.si, lower_V=c.lower_cutoff.si, upper_V=c.upper_cutoff.si,
            cycles=c.cycles, first=c.first,
            cv_hold_until_A_m2=c.cv_hold_until.si if c.cv_hold_until is not None else None,
            rest_s=c.rest.si if c.rest is not None else None,
        )

    def with_changes(self, **changes) -> Protocol:
        p = replace(self, **{k: v for k, v in changes.items() if v is not None})
        p.check()
        return p

    def check(self) -> None:
        problems = []
        if self.current_density_A_m2 <= 0:
            problems.append(Problem("current", f"current density must be positive, got {self.current_density_A_m2} A/m2"))
        if self.lower_V >= self.upper_V:
            problems.append(Problem("window", f"lower cut-off {self.lower_V} V must be below upper {self.upper_V} V"))
        if self.cycles < 1:
            problems.append(Problem("cycles", f"need at least 1 cycle, got {self.cycles}"))
        if self.first not in ("charge", "discharge"):
            problems.append(Problem("first", f"first step must be charge or discharge, not {self.first!r}"))
        if problems:
            raise InputError(problems)

    def step_names(self) -> list[str]:
        """Names of the steps of one cycle, in order (as reported in errors)."""
        return [name for name, _ in self._cycle_steps(1.0, 1.0)]

    def _cycle_steps(self, area_m2: float, t_max: float) -> list[tuple[str, pybamm.step.BaseStep]]:
        j = pybamm.InputParameter(CURRENT_INPUT)
        charge = [("charge", pybamm.step.current(-j * area_m2, termination=f">{self.upper_V} V", duration=t_max))]
        if self.cv_hold_until_A_m2:
            charge.append(("CV hold", pybamm.step.voltage(
                self.upper_V, termination=f"{self.cv_hold_until_A_m2 * area_m2} A", duration=t_max)))
        discharge = [("discharge", pybamm.step.current(j * area_m2, termination=f"<{self.lower_V} V", duration=t_max))]
        rest = [("rest", pybamm.step.rest(duration=self.rest_s))] if self.rest_s else []
        first, second = (charge, discharge) if self.first == "charge" else (discharge, charge)
        return first + rest + second + rest

    def experiment(self, area_m2: float, capacity_Ah: float) -> pybamm.Experiment:
        """The PyBaMM experiment; ``capacity_Ah`` (the cathode's theoretical capacity) sets the step time limit."""
        current_A = self.current_density_A_m2 * area_m2
        t_max = TIME_LIMIT_FACTOR * capacity_Ah * 3600.0 / current_A
        steps = tuple(s for _, s in self._cycle_steps(area_m2, t_max))
        return pybamm.Experiment([steps] * self.cycles)

    def time_limit_s(self, area_m2: float, capacity_Ah: float) -> float:
        return TIME_LIMIT_FACTOR * capacity_Ah * 3600.0 / (self.current_density_A_m2 * area_m2)
