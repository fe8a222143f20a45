"""``simulate``: map a stack to PyBaMM, run the protocol, and collect a :class:`CyclingResult`."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pybamm

from solidstack.errors import InputError, Problem, SolidstackError
from solidstack.materials import Catalog, default_catalog, use_catalog
from solidstack.sim.data_files import SimConstants, default_constants
from solidstack.sim.hosts import HostMap, find_hosts
from solidstack.sim.model import MODELS, build_model
from solidstack.sim.parameters import CURRENT_INPUT, build_parameters, contact_input
from solidstack.sim.protocol import Protocol
from solidstack.sim.result import CycleEnds, CyclingResult, voltage_integrals_of
from solidstack.stack import Stack

ProgressFn = Callable[[int, int], None]

_sims: dict[str, pybamm.Simulation] = {}

#: Cycles per PyBaMM experiment solve. Long runs are solved in chunks of this many cycles, each starting from the
#: previous chunk's last state; only the end state of every cycle and the solutions of the cycles whose time
#: series are kept survive a chunk, so memory does not grow with the number of cycles.
CHUNK_CYCLES = 50


class SimulationError(SolidstackError):
    """The solver failed; ``cycle`` and ``step`` say where, ``result`` holds the cycles finished before."""

    def __init__(self, message: str, cycle: int, step: str, result: CyclingResult | None = None):
        super().__init__(message)
        self.cycle, self.step, self.result = cycle, step, result


def contact_coefficients(stack: Stack, hosts: HostMap, constants: SimConstants | None = None) -> dict[str, float]:
    """K = g_d g_p / eps_c per electrode (see contact.toml and the README, "Cycling simulation"), from the contact
    law of ``constants`` (default: the shipped, calibrated ones; ``constants.with_value("contact.toml",
    "law.eps_c", v)`` for calibration and sensitivity studies)."""
    law = (constants or default_constants()).law
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
    offset: int = 0
    total: int = 0
    cycle: int = 0
    step: int = 0
    terminations: dict[tuple[int, int], str] = field(default_factory=dict)
    error: str | None = None

    def on_cycle_start(self, logs):
        self.cycle = self.offset + logs["cycle number"][0]
        self.step = 0

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


def _fingerprint(stack: Stack, protocol: Protocol, model: str, constants: SimConstants | None = None,
                 catalog: Catalog | None = None) -> str:
    """What a built simulation depends on: the stack without inputs, the protocol without its cycle count, the
    constants and the catalog (its folders)."""
    data = stack.to_dict()
    for k in ("name", "description", "source", "stack_pressure", "cycling"):
        data.pop(k, None)
    proto = {k: v for k, v in protocol.__dict__.items() if k != "cycles"}
    extra = [constants.fingerprint if constants is not None else "", repr(catalog) if catalog is not None else ""]
    return json.dumps([data, proto, model, *extra], sort_keys=True, default=str)


def _kept_cycles(n: int, save_at_cycles: list[int] | int | None) -> set[int] | None:
    """Cycles whose time series are kept (None: all). As in PyBaMM, the first and last cycles always are."""
    if save_at_cycles is None:
        return None if n <= 200 else {1, 2, 3, 4, 5, n - 4, n - 3, n - 2, n - 1, n}
    if isinstance(save_at_cycles, int):
        return {c for c in range(1, n + 1) if c % save_at_cycles == 0} | {1, n}
    return {int(c) for c in save_at_cycles} | {1, n}


@contextmanager
def _limited_cycles(experiment: pybamm.Experiment, m: int):
    """Run only the first ``m`` cycles of ``experiment`` (its cycles are all the same protocol cycle)."""
    full = experiment.cycle_lengths
    experiment.cycle_lengths = full[:m]
    try:
        yield
    finally:
        experiment.cycle_lengths = full


def _continuation(state: pybamm.Solution) -> pybamm.Solution:
    """A one-point solution at ``state`` from which PyBaMM continues an experiment as if no solve had ended
    there (same state, time, model and step termination) but without carrying earlier cycles along."""
    start = pybamm.Solution(state.all_ts[-1][-1:].copy(), state.all_ys[-1][:, -1:].copy(), state.all_models[-1:],
                            state.all_inputs[-1:], state.t_event, state.y_event, state.termination)
    start.cycles, start.all_summary_variables, start.all_first_states = [], [], []
    return start


def simulate(
    stack: Stack,
    protocol: Protocol | None = None,
    cycles: int | None = None,
    model: str = "SPMe",
    *,
    contact_loss: bool = True,
    save_at_cycles: list[int] | int | None = None,
    progress: ProgressFn | None = None,
    constants: SimConstants | None = None,
    catalog: Catalog | None = None,
) -> CyclingResult:
    """Cycle ``stack`` with ``protocol`` (default: the stack's own ``[cycling]`` section) in PyBaMM.

    ``cycles`` overrides the protocol's cycle count; ``model`` is ``SPM``, ``SPMe`` or ``DFN``; ``contact_loss``
    False switches the contact-loss law off (the coefficients become 0); ``save_at_cycles`` (a list, or an int
    for every multiple) limits the cycles whose time series are kept (default: all up to 200 cycles, else the
    first and last 5; the first and last cycles are always kept, as in PyBaMM); ``progress(done, total)`` is
    called after each cycle; ``constants`` are the simulation's constants (a
    :class:`~solidstack.sim.data_files.SimConstants`; default: the shipped, calibrated ones, loaded once);
    ``catalog`` the materials the stack resolves against (default: the current default catalog). Raises
    :class:`InputError` for bad input and :class:`SimulationError` (with the finished cycles in ``.result``)
    when the solver fails.

    Runs longer than :data:`CHUNK_CYCLES` are solved in chunks, each continuing from the previous chunk's last
    state (same results as one solve); only the end state of every cycle and the kept cycles' solutions are
    held, so memory stays flat. ``result.solution`` is then (and whenever cycles are not kept) a PyBaMM
    solution of the kept cycles (``.cycles`` has None for the others) without PyBaMM summary variables; the
    per-cycle table has them all. Every cycle of a chunk is saved while it is solved: the mean voltages are
    integrals over each cycle's own solution (result.voltage_integrals_of). The cached simulation is shared by runs of any length: its experiment holds ``CHUNK_CYCLES`` cycles and each solve
    runs only as many as needed.
    """
    if model.lower() not in MODELS:
        raise InputError(Problem("model", f"unknown model {model!r}; use one of spm, spme, dfn"))
    protocol = protocol or Protocol.from_stack(stack)
    if cycles is not None:
        protocol = protocol.with_changes(cycles=cycles)
    protocol.check()
    constants = constants or default_constants()
    catalog = catalog or default_catalog()
    with use_catalog(catalog):
        return _simulate(stack, protocol, model, contact_loss, save_at_cycles, progress, constants, catalog)


def _simulate(stack: Stack, protocol: Protocol, model: str, contact_loss: bool, save_at_cycles, progress,
              constants: SimConstants, catalog: Catalog) -> CyclingResult:
    hosts = find_hosts(stack, catalog, constants)
    n_phases = {"anode": len(hosts.anode), "cathode": len(hosts.cathode)}
    key = _fingerprint(stack, protocol, model.lower(), constants, catalog)
    sim = _sims.get(key)
    cap_Ah = _theoretical_cathode_Ah(stack)
    if sim is None:
        pv = build_parameters(stack, hosts, (protocol.lower_V, protocol.upper_V), catalog, constants)
        exp = protocol.with_changes(cycles=CHUNK_CYCLES).experiment(stack.area_m2, cap_Ah)
        sim = pybamm.Simulation(build_model(model, n_phases, constants), parameter_values=pv, experiment=exp,
                                solver=pybamm.IDAKLUSolver())
        _sims[key] = sim
    k = contact_coefficients(stack, hosts, constants) if contact_loss else {"anode": 0.0, "cathode": 0.0}
    inputs = {CURRENT_INPUT: protocol.current_density_A_m2,
              contact_input("anode"): k["anode"], contact_input("cathode"): k["cathode"]}
    n = protocol.cycles
    kept = _kept_cycles(n, save_at_cycles)
    tracker = _Tracker(step_names=protocol.step_names(), progress=progress, total=n)
    ends, saved, voltages = CycleEnds(), {}, {}
    sol: pybamm.Solution | None = None
    start: pybamm.Solution | None = None
    failure: str | None = None
    chunks = 0
    while len(ends) < n and failure is None:
        done = len(ends)
        m = min(CHUNK_CYCLES, n - done)
        tracker.offset = done
        try:
            with _limited_cycles(sim.experiment, m):  # every cycle of a chunk is saved (see _collect_chunk)
                sol = sim.solve(inputs=inputs, callbacks=[tracker], starting_solution=start, initial_soc=None)
        except pybamm.SolverError as err:
            if done == 0:
                raise SimulationError(f"solver failed in cycle {tracker.cycle or 1}, {tracker.step_name()} step: "
                                      f"{_first_line(str(err))}", tracker.cycle or 1, tracker.step_name()) from None
            failure = str(err)
            break
        chunks += 1
        if isinstance(sol, pybamm.EmptySolution) or not getattr(sol, "cycles", None):
            if done == 0:
                raise SimulationError(
                    f"no cycle could be run: {_first_line(tracker.error or 'every step was infeasible')}",
                    1, tracker.step_name())
            break
        start = _collect_chunk(sol, done, kept, ends, saved, voltages)
        failure = tracker.error
        if len(ends) - done < m or len(ends) >= n:
            break
        # PyBaMM's Solution.last_state/first_state refer back to their solution (``_sub_solutions``), so a
        # chunk's step solutions sit in reference cycles that only the cyclic GC frees; it runs by object count,
        # not by the (mostly C-level) memory they hold, so without this a long run grows ~0.5 MB per cycle.
        sol = None
        gc.collect()
    if chunks > 1 or len(saved) < len(ends):  # chunked, or cycles not kept: drop them from the solution
        sol = _joined_solution(saved, len(ends))
    result = CyclingResult.from_cycles(stack, protocol, hosts, sim, ends, saved, sol, inputs, model, tracker.terminations,
                                       time_limit_s=protocol.time_limit_s(stack.area_m2, cap_Ah), voltages=voltages)
    if failure is not None:
        raise SimulationError(
            f"solver failed in cycle {tracker.cycle}, {tracker.step_name()} step: {_first_line(failure)} "
            f"({len(result.cycles)} cycle(s) finished)", tracker.cycle, tracker.step_name(), result)
    return result


def _collect_chunk(sol: pybamm.Solution, done: int, kept: set[int] | None, ends: CycleEnds,
                   saved: dict[int, pybamm.Solution], voltages: dict[int, np.ndarray]) -> pybamm.Solution:
    """Record the end state and the voltage integrals of every cycle of a chunk's solution (every cycle's
    solution is there: the chunk is solved saving them all) and the cycles to keep (numbered from ``done`` + 1);
    return the state to continue from. The solutions of the cycles not kept are dropped with the chunk; the
    kept ones' voltage at their output points (read for the integrals) goes into ``voltages``."""
    summaries = sol.all_summary_variables
    v_at_points: list[np.ndarray] = []
    integrals = iter(voltage_integrals_of([c for c in sol.cycles if c is not None], v_at_points))
    v_iter = iter(v_at_points)
    for i, (cyc, summary) in enumerate(zip(sol.cycles, summaries, strict=True), start=done + 1):
        ends.add(summary.last_state, integrals=next(integrals) if cyc is not None else None)
        v = next(v_iter) if cyc is not None else None
        if cyc is not None and (kept is None or i in kept):
            saved[i] = cyc
            voltages[i] = v
    return _continuation(summaries[-1].last_state)


def _joined_solution(saved: dict[int, pybamm.Solution], n: int) -> pybamm.Solution:
    """One PyBaMM solution of the kept cycles of a run solved in chunks; ``.cycles`` has ``n`` entries, None for
    the cycles not kept (as PyBaMM's own ``save_at_cycles``). It has no summary variables (see the table)."""
    cycles = [saved.get(c) for c in range(1, n + 1)]
    sol = pybamm.Solution.from_sub_solutions([c for c in cycles if c is not None])
    sol.cycles = cycles
    return sol


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
