"""``simulate``: map a stack to PyBaMM, run the protocol, and collect a :class:`CyclingResult`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pybamm

from solidstack.errors import InputError, Problem, SolidstackError
from solidstack.sim.data_files import contact_constants
from solidstack.sim.hosts import HostMap, find_hosts
from solidstack.sim.model import MODELS, build_model
from solidstack.sim.parameters import CURRENT_INPUT, build_parameters, contact_input
from solidstack.sim.protocol import Protocol
from solidstack.sim.result import CyclingResult
from solidstack.stack import Stack

ProgressFn = Callable[[int, int], None]

_sims: dict[str, pybamm.Simulation] = {}


class SimulationError(SolidstackError):
    """The solver failed; ``cycle`` and ``step`` say where, ``result`` holds the cycles finished before."""

    def __init__(self, message: str, cycle: int, step: str, result: CyclingResult | None = None):
        super().__init__(message)
        self.cycle, self.step, self.result = cycle, step, result


def contact_coefficients(stack: Stack, hosts: HostMap, eps_c: float | None = None) -> dict[str, float]:
    """K = g_d g_p / eps_c per electrode (see contact.toml and docs/readme-sim.md); ``eps_c`` overrides the
    calibrated value (for calibration and sensitivity studies)."""
    law = dict(contact_constants()["law"])
    if eps_c is not None:
        law["eps_c"] = eps_c
    g_p = 1.0 / (1.0 + stack.stack_pressure.si / law["pressure_ref_Pa"])
    out = {}
    for side in ("anode", "cathode"):
        g_d = 1.0 / (1.0 + hosts.ductile_accommodation_m.get(side, 0.0) / law["ductile_length_m"])
        out[side] = g_d * g_p / law["eps_c"]
    return out


@dataclass
class _Tracker(pybamm.callbacks.Callback):
    """Records step terminations, the last step started, solver errors, and reports progress per cycle."""

    step_names: list[str]
    progress: ProgressFn | None = None
    cycle: int = 0
    step: int = 0
    total: int = 0
    terminations: dict[tuple[int, int], str] = field(default_factory=dict)
    error: str | None = None

    def on_cycle_start(self, logs):
        self.cycle, self.total = logs["cycle number"]

    def on_step_start(self, logs):
        if "termination" in logs and self.step >= 1 and logs["step number"][0] > 1:
            self.terminations[(self.cycle, self.step)] = str(logs["termination"])
        self.step = logs["step number"][0]

    def on_cycle_end(self, logs):
        if "termination" in logs:
            self.terminations[(self.cycle, self.step)] = str(logs["termination"])
        if self.progress is not None:
            self.progress(self.cycle, self.total)

    def on_experiment_error(self, logs):
        self.error = str(logs["error"])

    def on_experiment_infeasible_event(self, logs):
        self.error = f"the model's own limit was reached ({logs['termination']})"

    def on_experiment_infeasible_time(self, logs):
        self.error = "the step's time limit was reached"

    def step_name(self) -> str:
        i = self.step - 1
        return self.step_names[i] if 0 <= i < len(self.step_names) else f"step {self.step}"


def _fingerprint(stack: Stack, protocol: Protocol, model: str) -> str:
    data = stack.to_dict()
    for k in ("name", "description", "source", "stack_pressure", "cycling"):
        data.pop(k, None)
    return json.dumps([data, protocol.__dict__, model], sort_keys=True, default=str)


def simulate(
    stack: Stack,
    protocol: Protocol | None = None,
    cycles: int | None = None,
    model: str = "SPMe",
    *,
    contact_loss: bool = True,
    save_at_cycles: list[int] | None = None,
    progress: ProgressFn | None = None,
    eps_c: float | None = None,
) -> CyclingResult:
    """Cycle ``stack`` with ``protocol`` (default: the stack's own ``[cycling]`` section) in PyBaMM.

    ``cycles`` overrides the protocol's cycle count; ``model`` is ``SPM``, ``SPMe`` or ``DFN``; ``contact_loss``
    False switches the contact-loss law off (the coefficients become 0); ``save_at_cycles`` limits the cycles
    whose time series are kept (default: all up to 200 cycles, else the first and last 5); ``progress(done,
    total)`` is called after each cycle; ``eps_c`` overrides the contact law's calibrated constant. Raises :class:`InputError` for bad input and :class:`SimulationError`
    (with the finished cycles in ``.result``) when the solver fails.
    """
    if model.lower() not in MODELS:
        raise InputError(Problem("model", f"unknown model {model!r}; use one of spm, spme, dfn"))
    protocol = protocol or Protocol.from_stack(stack)
    if cycles is not None:
        protocol = protocol.with_changes(cycles=cycles)
    protocol.check()
    hosts = find_hosts(stack)
    n_phases = {"anode": len(hosts.anode), "cathode": len(hosts.cathode)}
    key = _fingerprint(stack, protocol, model.lower())
    sim = _sims.get(key)
    cap_Ah = _theoretical_cathode_Ah(stack)
    if sim is None:
        pv = build_parameters(stack, hosts, (protocol.lower_V, protocol.upper_V))
        exp = protocol.experiment(stack.area_m2, cap_Ah)
        sim = pybamm.Simulation(build_model(model, n_phases), parameter_values=pv, experiment=exp,
                                solver=pybamm.IDAKLUSolver())
        _sims[key] = sim
    k = contact_coefficients(stack, hosts, eps_c) if contact_loss else {"anode": 0.0, "cathode": 0.0}
    inputs = {CURRENT_INPUT: protocol.current_density_A_m2,
              contact_input("anode"): k["anode"], contact_input("cathode"): k["cathode"]}
    n = protocol.cycles
    if save_at_cycles is None and n > 200:
        save_at_cycles = sorted({1, 2, 3, 4, 5, n - 4, n - 3, n - 2, n - 1, n})
    tracker = _Tracker(step_names=protocol.step_names(), progress=progress)
    try:
        sol = sim.solve(inputs=inputs, callbacks=[tracker], save_at_cycles=save_at_cycles,
                        initial_soc=None)
    except pybamm.SolverError as err:
        raise SimulationError(f"solver failed in cycle {tracker.cycle or 1}, {tracker.step_name()} step: "
                              f"{_first_line(str(err))}", tracker.cycle or 1, tracker.step_name()) from None
    if isinstance(sol, pybamm.EmptySolution) or not getattr(sol, "cycles", None):
        raise SimulationError(f"no cycle could be run: {_first_line(tracker.error or 'every step was infeasible')}",
                              1, tracker.step_name())
    result = CyclingResult.from_solution(stack, protocol, hosts, sim, sol, inputs, model, tracker.terminations,
                                         time_limit_s=protocol.time_limit_s(stack.area_m2, cap_Ah))
    if tracker.error is not None:
        raise SimulationError(
            f"solver failed in cycle {tracker.cycle}, {tracker.step_name()} step: {_first_line(tracker.error)} "
            f"({len(result.cycles)} cycle(s) finished)", tracker.cycle, tracker.step_name(), result)
    return result


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"


def _theoretical_cathode_Ah(stack: Stack) -> float:
    mat = stack.cathode.active_material(stack.working_ion)
    cap = mat.theoretical_capacity_mAh_g or mat.practical_capacity_mAh_g or 200.0
    return stack.cathode.active_mass_kg(stack.area_m2) * 1e3 * cap * 1e-3


def clear_cache() -> None:
    """Forget built simulations and models."""
    from solidstack.sim.model import clear_cache as clear_models

    _sims.clear()
    clear_models()
