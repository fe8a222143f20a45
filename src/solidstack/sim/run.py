"""``simulate``: map a stack to PyBaMM, run the protocol, and collect a :class:`CyclingResult`."""

from __future__ import annotations

import ast
import gc
import json
import math
import re
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pybamm

from solidstack.errors import InputError, Problem, SolidstackError
from solidstack.materials import Catalog, default_catalog, use_catalog
from solidstack.sim import casadi_share
from solidstack.sim.collector import collector_contacts, collector_inputs, collector_notes
from solidstack.sim.coordination import se_contacts
from solidstack.sim.data_files import SimConstants, default_constants
from solidstack.sim.hosts import F, HostMap, find_hosts
from solidstack.sim.interphase import (
    electrode_electrolyte,
    electrolyte_family,
    family_table,
    interphase_gaps,
    interphase_pairs,
)
from solidstack.sim.model import MODELS, build_model, contact_sides, make_solver, structure_key
from solidstack.sim.oxidation import cathode_cei, cei_gaps, cei_notes
from solidstack.sim.parameters import (
    CURRENT_INPUT,
    build_parameters,
    contact_floor_input,
    contact_input,
    coordination_input,
    volume_fractions,
)
from solidstack.sim.protocol import CUTOFF_EVENT, DIRECTION_INPUT, Protocol, step_direction
from solidstack.sim.result import CycleEnds, CyclingResult, _segments, evaluate, voltage_integrals_of
from solidstack.stack import Stack, limits
from solidstack.stack.cycling import STEP_CURRENT_FIELDS, parse_window

# solidstack switches PyBaMM's usage telemetry off (solidstack/__init__.py sets PYBAMM_DISABLE_TELEMETRY before
# PyBAMM is imported; this covers a PyBaMM imported before solidstack)
pybamm.telemetry.disable()

ProgressFn = Callable[[int, int], None]

#: Built simulations by :func:`_fingerprint`, least recently used first; at most :data:`SIM_CACHE_SIZE` are kept
#: (each holds its model, discretisation, solver set-up and last solution: tens of MB).
_sims: OrderedDict[str, pybamm.Simulation] = OrderedDict()
SIM_CACHE_SIZE = 8

#: Cycles per PyBaMM experiment solve. Long runs are solved in chunks of this many cycles, each starting from the
#: previous chunk's last state; only the end state of every cycle and the solutions of the cycles whose time
#: series are kept survive a chunk, so memory does not grow with the number of cycles.
CHUNK_CYCLES = 50


class SimulationError(SolidstackError):
    """The solver failed; ``cycle`` and ``step`` say where, ``result`` holds the cycles finished before."""

    def __init__(self, message: str, cycle: int, step: str, result: CyclingResult | None = None):
        super().__init__(message)
        self.cycle, self.step, self.result = cycle, step, result


class SimulationInterrupted(SolidstackError):
    """SIGINT or SIGTERM stopped the run at a step boundary; ``result`` holds every cycle finished before (None if
    none), ``signum`` the signal."""

    def __init__(self, message: str, signum: int, result: CyclingResult | None = None):
        super().__init__(message)
        self.signum, self.result = signum, result


class _Stop:
    """Set by a signal handler; the run stops at the next step boundary (see :func:`_stoppable`)."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self, signum: int, frame: object) -> None:
        self.signum = signum


@contextmanager
def _signals_stop(stop: _Stop, enabled: bool) -> Iterator[None]:
    """While the run lasts, SIGINT and SIGTERM set ``stop`` instead of killing the process (main thread only)."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


#: PyBaMM's error for a step whose termination events are non-positive at the step's first instant (its solvers'
#: ``_check_event_violation``: "Events [names] are non-positive at initial conditions with inputs {...}");
#: tests/test_refused_step.py checks PyBaMM still words it so.
_AT_START = re.compile(r"Events (\[.*\]) are non-positive at initial conditions")


#: The events that may be violated at a step's start together with its cut-off for the step to count as refused
#: (:class:`_StepSolver`): the cut-off itself and the model's voltage guards (``sim/parameters.py``: 3 V beyond the
#: window, and -5 V), which a cell far beyond its cut-off also passes. Any other event (a host's stoichiometry
#: limit, ...) at the start is a failure of the model, raised as before.
_AT_START_OK = {CUTOFF_EVENT, "Minimum voltage [V]", "Maximum voltage [V]"}


def events_at_start(err: BaseException) -> list[str] | None:
    """The events that PyBaMM's error ``err`` names as violated at a step's first instant; None for any other
    error (a real solver failure)."""
    m = _AT_START.search(str(err))
    if m is None:
        return None
    try:
        names = ast.literal_eval(m.group(1))
    except (ValueError, SyntaxError):
        return None
    return [str(n) for n in names] if isinstance(names, list) and names else None


@dataclass(frozen=True)
class RefusedStep:
    """A constant-current step that started beyond its own voltage cut-off and so ended at once with no capacity,
    as a cycler ends it: ``cycle``, ``index`` (place in the cycle, 1-based), ``name`` (charge or discharge),
    ``voltage_V`` (the cell voltage at the step's first instant with the step's current, V) and ``cutoff_V``."""

    cycle: int
    index: int
    name: str
    voltage_V: float
    cutoff_V: float


class _StepSolver:
    """Stands in for each experiment step's solver (see :func:`_stoppable`).

    * Once a stop was asked its ``step`` raises a SolverError, which PyBaMM takes as the end of the experiment at
      that step boundary, returning every cycle solved before.
    * A constant-current step that starts beyond its own cut-off (PyBaMM's error naming
      :data:`~solidstack.sim.protocol.CUTOFF_EVENT` as violated at the step's first instant, alone or with the
      model's voltage guards: :data:`_AT_START_OK`) becomes a step of
      zero duration at the state it started from (a one-point solution, :func:`_zero_step`), recorded in the
      tracker's ``refused``; the experiment goes on with the next step, as on a cycler. PyBaMM would skip such a
      step, and give up on a cycle whose every step is skipped (e.g. an anode-free cell's first charge at 1C
      beyond the cut-off at once, then a discharge with nothing to give). Any other error is raised as it was."""

    def __init__(self, solver: pybamm.BaseSolver, tracker: _Tracker, stop: _Stop):
        self._solver, self._tracker, self._stop = solver, tracker, stop

    def __getattr__(self, name: str):
        return getattr(self._solver, name)

    def step(self, old_solution: pybamm.Solution | pybamm.EmptySolution, model: pybamm.BaseModel, dt: float,
             *args: Any, **kwargs: Any) -> pybamm.Solution:
        if self._stop.signum is not None:
            if self._tracker.stopped_in is None:
                self._tracker.stopped_in = self._tracker.cycle
            pybamm.logger.disabled = True  # PyBaMM would log the stop as a simulation error (re-enabled after the run)
            raise pybamm.SolverError("stopped by a signal")
        try:
            return self._solver.step(old_solution, model, dt, *args, **kwargs)
        except pybamm.SolverError as err:
            events = events_at_start(err)
            if events is None or CUTOFF_EVENT not in events or any(e not in _AT_START_OK for e in events):
                raise
            inputs = kwargs.get("inputs") or {}
            zero = _zero_step(old_solution, model, inputs)
            self._tracker.refuse(zero, inputs)
            return zero


def _zero_step(old_solution: pybamm.Solution | pybamm.EmptySolution, model: pybamm.BaseModel,
               inputs: dict) -> pybamm.Solution:
    """The step that ended at its first instant: one point, at the state the solver started the step from (the
    previous step's last state as this step's model takes it: ``model.y0_list``, which PyBaMM's ``step`` set
    before it found the cut-off violated), one float after the previous step's end (as PyBaMM starts a step),
    with zero time derivatives (so the cycle keeps its Hermite interpolation) and a termination PyBaMM's
    experiment loop takes as the step's own ("[experiment]"), so it goes on with the next step."""
    t_end = float(old_solution.t[-1])  # as PyBaMM's step reads it (an EmptySolution has t = [0] or its start)
    t0 = t_end if t_end == 0.0 else float(np.nextafter(t_end, np.inf))
    y0 = model.y0_list[0]
    y0 = np.asarray(y0.full() if hasattr(y0, "full") else y0, dtype=float).reshape(-1, 1)
    sol = pybamm.Solution(np.array([t0]), y0, model, dict(inputs), termination=REFUSED_TERMINATION,
                          all_yps=np.zeros_like(y0))
    sol.solver_statistics = pybamm.SolverStatistics()
    sol.set_up_time = sol.solve_time = 0.0
    sol.integration_time = 0.0
    return sol


#: The termination of a step that started beyond its cut-off (:class:`_StepSolver`).
REFUSED_TERMINATION = f"started beyond its cut-off: event: {CUTOFF_EVENT}"


@contextmanager
def _stoppable(sim: pybamm.Simulation, stop: _Stop, tracker: _Tracker) -> Iterator[None]:
    """Make ``sim`` stop at the next step once ``stop`` is set, and end a step that starts beyond its cut-off at
    once (:class:`_StepSolver`). PyBaMM looks up each step's solver through
    ``Simulation._get_built_experiment_solver`` (tests/test_signals_resume.py checks it still does)."""
    original = sim._get_built_experiment_solver

    def solver_for(step_or_key):
        return _StepSolver(original(step_or_key), tracker, stop)

    sim._get_built_experiment_solver = solver_for  # type: ignore[method-assign]
    logger_was_disabled = pybamm.logger.disabled
    try:
        yield
    finally:
        del sim._get_built_experiment_solver
        pybamm.logger.disabled = logger_was_disabled


class _Simulation(pybamm.Simulation):
    """PyBaMM's simulation, giving each experiment step its current direction (``sim/protocol.py``:
    :data:`~solidstack.sim.protocol.DIRECTION_INPUT`, -1 on charge, +1 otherwise) among the step's inputs, so
    the charge and the discharge solve one built model with one solver. PyBaMM builds each step's inputs in
    ``Simulation._build_experiment_step_inputs`` (tests/test_study_cache.py checks it still does). Its solves
    set their solvers up with one CasADi conversion per set-up (:mod:`solidstack.sim.casadi_share`)."""

    def solve(self, *args, **kwargs):
        with casadi_share.sharing():
            return super().solve(*args, **kwargs)

    def _build_experiment_step_inputs(self, user_inputs, step, start_time, *args, **kwargs):
        inputs = super()._build_experiment_step_inputs(user_inputs, step, start_time, *args, **kwargs)
        direction = step_direction(step)
        inputs[DIRECTION_INPUT] = direction
        step_currents = {d: inputs.pop(key) for d, key in STEP_CURRENT_KEYS.items() if key in inputs}
        if direction in step_currents:  # the protocol's own current for this step (charge or discharge)
            inputs[CURRENT_INPUT] = step_currents[direction]
        return inputs


#: Keys of the solve's inputs that carry the protocol's charge (direction -1) and discharge (+1) current densities
#: (A/m2) to :class:`_Simulation`, which sets each current step's ``CURRENT_INPUT`` from them and drops them (they are
#: not model inputs).
STEP_CURRENT_KEYS = {-1.0: "Charge current density [A.m-2]", 1.0: "Discharge current density [A.m-2]"}


def _model_inputs(inputs: dict) -> dict:
    """``inputs`` without the step-current keys (:data:`STEP_CURRENT_KEYS`): the model's own inputs, as a result keeps
    them (each step's current is among its solution's inputs)."""
    return {k: v for k, v in inputs.items() if k not in STEP_CURRENT_KEYS.values()}


def step_inputs(protocol: Protocol) -> dict[str, float]:
    """The solve inputs of a resolved ``protocol``'s currents: ``CURRENT_INPUT`` (the charge's, for anything that
    reads it outside a step) and the two step currents of :data:`STEP_CURRENT_KEYS` (A/m2)."""
    charge, discharge = protocol.step_current_densities_A_m2
    return {CURRENT_INPUT: charge, STEP_CURRENT_KEYS[-1.0]: charge, STEP_CURRENT_KEYS[1.0]: discharge}


def check_ranges(protocol: Protocol) -> None:
    """Refuse a protocol outside the physical ranges of :mod:`solidstack.stack.limits` (the README's "Input
    limits"): a current density that would run for ever or make no sense (the protocol's and every stage's own), a
    window outside 0-6 V, too many cycles."""
    problems = _current_problems(protocol)
    for span in protocol.stage_spans() if protocol.stages else ():
        if span.stage is not None and span.stage.changes():  # a stage with its own currents
            problems += _current_problems(span.protocol, f"stages[{span.number - 1}].")
    vlo, vhi = limits.VOLTAGE_V
    if not all(math.isfinite(v) and vlo <= v <= vhi for v in (protocol.lower_V, protocol.upper_V)):
        problems.append(Problem("window", f"cut-offs {protocol.lower_V:g}:{protocol.upper_V:g} V must be finite and "
                                f"within {vlo:g} to {vhi:g} V"))
    if not 1 <= protocol.cycles <= limits.MAX_CYCLES:
        problems.append(Problem("cycles", f"{protocol.cycles} cycles; a run has 1 to {limits.MAX_CYCLES}"))
    if problems:
        raise InputError(problems)


def _current_problems(protocol: Protocol, where: str = "") -> list[Problem]:
    """The range problems of a resolved protocol's currents (``where`` prefixes their location)."""
    lo, hi = limits.CURRENT_DENSITY_A_M2
    out = []
    steps = zip(STEP_CURRENT_FIELDS, protocol.step_current_densities_A_m2, strict=True)
    for which, j in (("current", protocol.current_density_A_m2), *steps):
        if which != "current" and getattr(protocol, which) is None:  # that step runs at ``current``, checked
            continue
        if not (math.isfinite(j) and lo <= j <= hi):
            out.append(Problem(where + which, f"current density {j / 10:g} mA/cm2 is outside {lo / 10:g} to "
                               f"{hi / 10:g} mA/cm2"))
    return out


def separation_length_m(hosts: HostMap, side: str, constants: SimConstants | None = None) -> float:
    """lambda (m): the unaccommodated displacement of an electrode's face over which its loseable contact falls
    by 1/e: ``law.separation_radii`` particle radii of the electrode's active material (contact.toml)."""
    law = (constants or default_constants()).law
    return law["separation_radii"] * hosts.side(side)[0].radius  # type: ignore[arg-type]


def cycle_displacement_m(stack: Stack, hosts: HostMap, side: str) -> float:
    """u_c (m): the displacement of an electrode's face in one half cycle of the cell's limiting capacity, taken by
    the host that strains most per ion (max of w_h Omega_h) -- the swing a ductile layer on that side must
    follow. Omega_h q / A is the composite's strain times its thickness (or a foil's own thickness change)."""
    q_mol = stack.limiting_capacity_mAh * 3.6 / F  # mol of ion in one half cycle
    strain = max((h.strain_weight * h.omega for h in hosts.side(side)), default=0.0)  # type: ignore[arg-type]
    return strain * q_mol / stack.area_m2


def unaccommodated_share(stack: Stack, hosts: HostMap, side: str) -> float:
    """s = u_c / (u_c + delta_d): the share of the face's displacement that the ductile layers on that side
    (delta_d = sum of elongation x thickness, patent [0019]; ``hosts.ductile_accommodation_m``) do not take up;
    1 without a ductile layer."""
    d = hosts.ductile_accommodation_m.get(side, 0.0)
    u = cycle_displacement_m(stack, hosts, side)
    return 1.0 if d <= 0.0 else u / (u + d)


def contact_coefficients(stack: Stack, hosts: HostMap, constants: SimConstants | None = None) -> dict[str, float]:
    """K = s / lambda (1/m) per electrode (see :func:`unaccommodated_share`, :func:`separation_length_m`,
    contact.toml and the README, "Cycling simulation"), from the contact law of ``constants`` (default: the
    shipped, calibrated ones; ``constants.with_value("contact.toml", "law.separation_radii", v)`` for calibration
    and sensitivity studies)."""
    return {side: unaccommodated_share(stack, hosts, side) / separation_length_m(hosts, side, constants)
            for side in ("anode", "cathode")}


def contact_modulus_Pa(stack: Stack, side: str, constants: SimConstants | None = None,
                       catalog: Catalog | None = None) -> tuple[float, str]:
    """(E*, table): the plane-strain modulus E / (1 - nu^2) (Pa) of the SE touching electrode ``side``'s active
    material (the composite's own SE, else the separator's), from its family's ``[modulus.family.*]`` table of
    contact.toml, and the name of that table."""
    return family_modulus_Pa(electrolyte_family(electrode_electrolyte(stack, side, catalog)), constants)


def family_modulus_Pa(family: str, constants: SimConstants | None = None) -> tuple[float, str]:
    """(E*, table) of SE family ``family`` (``sulfide``, ``hydroborate`` ...; its ``[modulus.family.*]`` table of
    contact.toml, ``default`` where it has none)."""
    data = (constants or default_constants()).files["contact.toml"]["modulus"]
    where, table = family_table(data, family, "contact.toml")
    return table["youngs_modulus_GPa"] * 1e9 / (1.0 - table["poisson_ratio"] ** 2), f"modulus.{where}"


def hold_pressure_Pa(stack: Stack, side: str, constants: SimConstants | None = None,
                     catalog: Catalog | None = None) -> float:
    """p_h (Pa) of electrode ``side``: the calibrated hold pressure of the reference SE scaled by the modulus of the
    SE touching it, p_h,ref E*_SE / E*_ref (elastic contact area is a function of load / E*; contact.toml)."""
    law = (constants or default_constants()).law
    e_star, _ = contact_modulus_Pa(stack, side, constants, catalog)
    e_ref, _ = family_modulus_Pa(law["reference_modulus_family"], constants)
    return law["hold_pressure_Pa"] * e_star / e_ref


def pressure_held_fraction(stack: Stack, constants: SimConstants | None = None, side: str = "cathode",
                           catalog: Catalog | None = None) -> float:
    """f_p: the contact fraction of electrode ``side`` that stays closed, the level its contact loss stops at:

        f_p = f_0 + (1 - f_0) g,   g = x / (1 + x),   x = (p / (f_p p_h))^m

    f_0 (``law.pressure_free_fraction``) is the share that stays bonded without any stack pressure (the cell's
    fabrication pressing bonded or interlocked it); g is the share of the rest, the loseable contacts, that the
    stack pressure p holds closed. Every closed contact, bonded or held, carries the stack's force (equal load
    sharing: p / f_p each), so a bonded share relieves the held ones (m = ``law.hold_exponent``; p_h from
    :func:`hold_pressure_Pa`; contact.toml). For m = 1 it is the positive root of f_p^2 + (P - f_0) f_p - P = 0,
    f_p = (f_0 - P + sqrt((P - f_0)^2 + 4P)) / 2 with P = p / p_h; f_0 = 0 gives the load-shared
    (sqrt(P^2 + 4P) - P) / 2 and p = 0 gives f_0."""
    law = (constants or default_constants()).law
    f_0 = law["pressure_free_fraction"]
    p = max(stack.stack_pressure.si, 0.0)
    if p <= 0.0:
        return f_0
    big_p = p / hold_pressure_Pa(stack, side, constants, catalog)
    m = law["hold_exponent"]
    if m == 1.0:
        return (f_0 - big_p + math.sqrt((big_p - f_0) ** 2 + 4.0 * big_p)) / 2.0
    lo, hi = f_0, 1.0  # f - f_0 - (1 - f_0) x(f) / (1 + x(f)) rises with f (x falls): bisection
    for _ in range(60):
        f = (lo + hi) / 2.0
        x = (big_p / f) ** m
        lo, hi = (f, hi) if f < f_0 + (1.0 - f_0) * x / (1.0 + x) else (lo, f)
    return (lo + hi) / 2.0


def contact_inputs(stack: Stack, k: dict[str, float], constants: SimConstants | None = None,
                   catalog: Catalog | None = None, se_contacts_z: dict[str, float] | None = None) -> dict[str, float]:
    """The contact law's PyBaMM input parameters: K per electrode (``k``, from :func:`contact_coefficients`, or 0
    without contact loss), f_p per electrode (:func:`pressure_held_fraction`: the pressure-free share f_0 plus
    the share of the rest that the stack pressure holds; f_0 applies to every electrode whose contact can be lost)
    and Z, the SE contacts of one active particle, of the electrodes in ``se_contacts_z`` (those built with the
    contact-level state, :func:`coordinated_contacts`)."""
    out = {}
    for side in ("anode", "cathode"):
        out[contact_input(side)] = k[side]
        out[contact_floor_input(side)] = pressure_held_fraction(stack, constants, side, catalog)
    for side, z in (se_contacts_z or {}).items():
        out[coordination_input(side)] = z
    return out


def coordinated_contacts(stack: Stack, hosts: HostMap, sides: tuple[str, ...],
                         constants: SimConstants | None = None) -> dict[str, float]:
    """Z of the electrodes of ``sides`` (those with contact-loss states) whose active particles touch Z > 1 SE
    grains (``sim/coordination.py``): they carry the share of closed SE contacts as a state (``sim/contact.py``)."""
    z = {side: se_contacts(stack, hosts, side, constants) for side in sides}
    return {side: v for side, v in z.items() if v > 1.0}


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
    failed_in: int | None = None  # the cycle in which the solver failed (not finished)
    stopped_in: int | None = None  # the cycle in which a signal stopped the run (not finished)
    refused: list[RefusedStep] = field(default_factory=list)  # steps that started beyond their cut-off
    cutoffs: tuple[float, float] = (math.nan, math.nan)  # (lower, upper) V of the protocol

    def refuse(self, zero: pybamm.Solution, inputs: dict) -> None:
        """Record the current step as refused at its start (``zero``: its one-point solution)."""
        charge = float(inputs.get(DIRECTION_INPUT, 1.0)) < 0
        try:
            v = float(evaluate(_segments(zero), "Battery voltage [V]")[0])
        except (KeyError, ValueError, IndexError):
            v = math.nan
        self.refused.append(RefusedStep(self.cycle, self.step, self.step_name(), v, self.cutoffs[1 if charge else 0]))

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
        if self.progress is not None and self.failed_in is None and self.stopped_in is None:
            self.progress(self.cycle, self.total)

    def on_experiment_error(self, logs):
        if self.stopped_in is None:
            self.error = str(logs["error"])
            self.failed_in = self.cycle

    def on_experiment_infeasible_event(self, logs):
        self.error = f"the model's own limit was reached ({logs['termination']})"
        self.failed_in = self.cycle

    def on_experiment_infeasible_time(self, logs):
        self.error = "the step's time limit was reached"
        self.failed_in = self.cycle

    def step_name(self) -> str:
        i = self.step - 1
        return self.step_names[i] if 0 <= i < len(self.step_names) else f"step {self.step}"


def _fingerprint(stack: Stack, protocol: Protocol, model: str, hosts: HostMap | None = None,
                 constants: SimConstants | None = None, catalog: Catalog | None = None,
                 contact_sides: tuple[str, ...] = ("anode", "cathode"), coordinated: tuple[str, ...] = ()) -> str:
    """What a built simulation depends on, and nothing else: the model, the stack's parameters (area, temperature,
    ion, composites, separator, and the hosts: a reacting foil's material and thickness) and the experiment (the
    protocol without its cycle count, its currents, which are inputs, and the step time limit the currents set,
    which is set on the built experiment before each solve: :func:`_set_time_limit`). Names, notes, collectors,
    stack pressure and non-reacting metal layers (they only set the contact-loss input) do not change it, so
    sweeps over them and over the current re-solve one built simulation. The constants and the catalog (its
    folders) are part of it, and so is the structure :func:`model.structure_key` adds (the electrodes with
    contact-loss states, ``contact_sides``; the compile option)."""
    hosts = hosts or find_hosts(stack, catalog, constants)
    data = stack.to_dict()
    kept = [_without_notes(la) for la in data["layers"] if la.get("type") in ("anode", "separator", "cathode")]
    host_keys = [(h.label, h.material, h.side, h.kind, h.thickness, h.working_metal) for h in hosts.anode + hosts.cathode]
    proto = {k: v for k, v in protocol.__dict__.items()
             if k not in ("cycles", "current", *STEP_CURRENT_FIELDS, "stages", "period", "source")}
    top = {k: data.get(k) for k in ("area", "temperature", "working_ion")}
    extra = [constants.fingerprint if constants is not None else "", repr(catalog) if catalog is not None else "",
             structure_key(contact_sides, coordinated=coordinated)]
    return json.dumps([top, kept, host_keys, proto, model, *extra], sort_keys=True, default=str)


def _without_notes(value):
    if isinstance(value, dict):
        return {k: _without_notes(v) for k, v in value.items() if k != "note"}
    if isinstance(value, list):
        return [_without_notes(v) for v in value]
    return value


def _kept_cycles(n: int, save_at_cycles: list[int] | int | None) -> set[int] | None:
    """Cycles whose time series are kept (None: all). As in PyBaMM, the first and last cycles always are."""
    if save_at_cycles is None:
        return None if n <= 200 else {1, 2, 3, 4, 5, n - 4, n - 3, n - 2, n - 1, n}
    if isinstance(save_at_cycles, int):
        return {c for c in range(1, n + 1) if c % save_at_cycles == 0} | {1, n}
    return {int(c) for c in save_at_cycles} | {1, n}


def _set_time_limit(experiment: pybamm.Experiment, t_max: float) -> None:
    """Make ``t_max`` (s) the time limit (duration) of every current and CV-hold step of ``experiment``. PyBaMM
    reads a step's duration only when it solves the step (its built step models are keyed by the step's kind,
    value and terminations, not its duration), so a new current re-solves the same built simulation
    (tests/test_study_cache.py checks that a reused simulation ends a time-limited step as a fresh one does)."""
    for step in experiment.steps:
        if not isinstance(step, pybamm.step.Rest):
            step.duration = t_max


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
    protocol: Protocol | pybamm.Experiment | dict | None = None,
    cycles: int | None = None,
    model: str = "SPMe",
    *,
    current: str | None = None,
    charge_current: str | None = None,
    discharge_current: str | None = None,
    window: str | tuple[float, float] | None = None,
    cv_hold: str | None = None,
    rest: str | None = None,
    first: str | None = None,
    period: str | None = None,
    pressure: str | None = None,
    contact_loss: bool = True,
    save_at_cycles: list[int] | int | None = None,
    progress: ProgressFn | bool | None = None,
    constants: SimConstants | None = None,
    catalog: Catalog | None = None,
    checkpoint: str | Path | None = None,
    resume: str | Path | None = None,
    handle_signals: bool = False,
) -> CyclingResult:
    """Cycle ``stack`` with ``protocol`` (default: the stack's own ``[cycling]`` section) in PyBaMM.

    ``protocol`` is a :class:`Protocol`, a dict of its fields (as in a stack file), or a ``pybamm.Experiment``
    within the supported subset (``solidstack.sim.protocol.SUPPORTED``; anything else is refused with an
    :class:`InputError` saying why). The keywords change single fields, as the CLI options do: ``current``
    ("0.2 mA/cm2", "0.2 mA" or a C-rate "C/10", "0.5C" on the stack's limiting capacity, min of anode and
    cathode; both steps), ``charge_current`` / ``discharge_current`` (one step's own current, in the same forms),
    ``window`` ("3.0:4.2", "3.0,4.2" or (3.0, 4.2) V), ``cycles``, ``cv_hold`` (current or C-rate
    that ends a CV hold at the upper cut-off), ``rest`` (a duration after each step), ``first`` (charge or
    discharge), ``period`` (time-series sampling: "30 s", a capacity "0.01 mAh" or "0.5 mAh/g" of cathode
    active material; default the solver's points); ``pressure`` replaces the stack pressure ("10 MPa"). Without a ``[cycling]`` section ``current``
    and ``window`` are required. How C-rates were resolved is in ``result.notes``; what was run in
    ``result.provenance`` (and ``run.json``).

    ``model`` is ``SPM``, ``SPMe`` or ``DFN``; ``contact_loss`` False switches the contact-loss law off (the
    coefficients become 0); ``save_at_cycles`` (a list, or an int for every multiple) limits the cycles whose
    time series are kept (default: all up to 200 cycles, else the first and last 5; the first and last cycles
    are always kept, as in PyBaMM); ``progress`` is a function ``(done, total)`` called after each cycle, True
    for a progress bar on stderr, or None/False; ``constants`` are the simulation's constants (a
    :class:`~solidstack.sim.data_files.SimConstants`; default: the shipped, calibrated ones, loaded once);
    ``catalog`` the materials the stack resolves against (default: the current default catalog).
    Raises :class:`InputError` for bad input and :class:`SimulationError` (with the finished cycles in
    ``.result``) when the solver fails.

    Runs longer than :data:`CHUNK_CYCLES` are solved in chunks, each continuing from the previous chunk's last
    state (same results as one solve); only the end state of every cycle and the kept cycles' solutions are
    held, so memory stays flat. ``result.solution`` is then (and whenever cycles are not kept) a PyBaMM
    solution of the kept cycles (``.cycles`` has None for the others) without PyBaMM summary variables; the
    per-cycle table has them all. Every cycle of a chunk is saved while it is solved: the mean voltages are
    integrals over each cycle's own solution (result.voltage_integrals_of). The cached simulation is shared by
    runs of any length: its experiment holds ``CHUNK_CYCLES`` cycles and each solve runs only as many as needed.

    ``checkpoint`` (a folder) gets ``checkpoint.npz`` after every chunk: the finished cycles and the last state
    (see :mod:`solidstack.sim.checkpoint`); ``resume`` (a folder holding one, of the same stack, protocol,
    model and options) continues from it to ``cycles`` with the per-cycle table of an uninterrupted run (the time
    series: the cycles solved since, after the earlier ones if the folder has the interrupted run's time series). ``handle_signals`` True makes SIGINT and SIGTERM stop the run at
    the next step boundary (main thread only) and raise :class:`SimulationInterrupted` holding every finished
    cycle. Protocols outside the physical ranges (:func:`check_ranges`) are an :class:`InputError`.
    """
    from solidstack.sim.provenance import run_info

    if model.lower() not in MODELS:
        raise InputError(Problem("model", f"unknown model {model!r}; use one of spm, spme, dfn"))
    constants = constants or default_constants()
    catalog = catalog or default_catalog()
    with use_catalog(catalog):  # the protocol's C-rates and the provenance read the stack's materials too
        if pressure is not None:
            stack = stack.replace(stack_pressure=pressure)
        given = resolve_protocol(stack, protocol, cycles=cycles, current=current, window=window, cv_hold=cv_hold,
                                 rest=rest, first=first, period=period, charge_current=charge_current,
                                 discharge_current=discharge_current)
        resolved = given.resolved(stack)
        info = run_info(stack, given, resolved, model, contact_loss=contact_loss, constants=constants, catalog=catalog)
        with _progress_fn(progress, stack.name) as fn:
            try:
                result = _run(stack, resolved, model, contact_loss=contact_loss, save_at_cycles=save_at_cycles,
                              progress=fn, constants=constants, catalog=catalog, checkpoint=checkpoint,
                              resume=resume, handle_signals=handle_signals)
            except (SimulationError, SimulationInterrupted) as err:
                if err.result is not None:
                    err.result.attach(info, given.describe_currents(stack))
                raise
        return result.attach(info, given.describe_currents(stack))


def resolve_protocol(stack: Stack, protocol: Protocol | pybamm.Experiment | dict | None = None, *,
                     cycles: int | None = None, current: str | None = None,
                     window: str | tuple[float, float] | None = None, cv_hold: str | None = None,
                     rest: str | None = None, first: str | None = None, period: str | None = None,
                     charge_current: str | None = None, discharge_current: str | None = None) -> Protocol:
    """The protocol :func:`simulate` runs: ``protocol`` (or the stack's ``[cycling]``), with the given fields
    changed; currents as given (C-rates are resolved by ``Protocol.resolved``). Problems raise a located
    :class:`InputError` (``--current``-style names are the CLI's)."""
    from solidstack.sim.protocol import from_experiment

    if isinstance(protocol, pybamm.Experiment):
        protocol = from_experiment(protocol, stack)
    elif isinstance(protocol, dict):
        protocol = Protocol(**protocol)
    elif protocol is not None and not isinstance(protocol, Protocol):
        raise InputError(Problem("protocol", f"expected a Protocol, a dict or a pybamm.Experiment, "
                                 f"not {type(protocol).__name__}"))
    if cycles is not None and (isinstance(cycles, bool) or not isinstance(cycles, int) or cycles < 1):
        raise InputError(Problem("cycles", f"need a whole number of cycles, at least 1; got {cycles!r}"))
    changes = {"cycles": cycles, "current": current, "window": window, "cv_hold_until": cv_hold, "rest": rest,
               "first": first, "period": period, "charge_current": charge_current,
               "discharge_current": discharge_current}
    base = protocol if protocol is not None else stack.cycling
    if base is None:
        if current is None or window is None:
            raise InputError(Problem("cycling", "the stack has no [cycling] section; give a current and a "
                                     "window (--current, --window)"))
        lo, hi = parse_window(window, "window") if isinstance(window, str) else window
        base = Protocol(current=current, lower_cutoff=f"{float(lo)} V", upper_cutoff=f"{float(hi)} V")
    try:
        return base.with_changes(**changes)
    except InputError as err:
        names = {"current": "current", "lower_cutoff": "window", "upper_cutoff": "window", "cv_hold_until": "cv_hold"}
        raise InputError([Problem(names.get(p.where, p.where) or ("window" if "cutoff" in p.what else ""), p.what)
                          for p in err.problems]) from None


@contextmanager
def _progress_fn(progress: ProgressFn | bool | None, name: str):
    """``progress`` as a function: itself, None, or (True) a rich progress bar on stderr, closed at the end."""
    if progress is None or progress is False:
        yield None
        return
    if progress is not True:
        if not callable(progress):
            raise InputError(Problem("progress", f"expected True, False or a function (done, total), not {progress!r}"))
        yield progress
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True)) as bar:
        task = bar.add_task(f"{name}: cycles", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _run(stack: Stack, protocol: Protocol, model: str, *, contact_loss: bool,
         save_at_cycles: list[int] | int | None, progress: ProgressFn | None, constants: SimConstants | None = None,
         catalog: Catalog | None = None, checkpoint: str | Path | None = None, resume: str | Path | None = None,
         handle_signals: bool = False) -> CyclingResult:
    """The run of :func:`simulate` with the protocol resolved (currents as current densities)."""
    protocol.check()
    check_ranges(protocol)
    constants = constants or default_constants()
    catalog = catalog or default_catalog()
    with use_catalog(catalog):
        return _simulate(stack, protocol, model, contact_loss, save_at_cycles, progress, constants, catalog,
                         checkpoint, resume, handle_signals)


def _refuse_se_free_composite(stack: Stack, hosts: HostMap, model: str) -> None:
    """A composite electrode without solid electrolyte (SE volume fraction 0, e.g. a 99 wt% Si film written as an
    anode composite) has no ion path in SPMe and DFN (PyBaMM divides by its electrolyte fraction): refused with one
    located line instead of failing inside PyBaMM. SPM does not read the electrolyte and runs it."""
    if model.lower() == "spm":
        return
    for i, layer in enumerate(stack.layers):
        if layer.type not in ("anode", "cathode") or hosts.side(layer.type)[0].kind == "planar":  # type: ignore[arg-type]
            continue
        if volume_fractions(stack, layer.type)[1] <= 0.0:
            raise InputError(Problem(f"layers[{i}] ({layer.type})", (
                f"a composite with no solid electrolyte (SE volume fraction 0): {model} carries the ion through the "
                "layer's SE; add an electrolyte, write a dense film as a planar electrode (porosity 0, active "
                "fraction 1), or use --model SPM")))


def _simulate(stack: Stack, protocol: Protocol, model: str, contact_loss: bool, save_at_cycles, progress,
              constants: SimConstants, catalog: Catalog, checkpoint: str | Path | None, resume: str | Path | None,
              handle_signals: bool) -> CyclingResult:
    hosts = find_hosts(stack, catalog, constants)
    _refuse_se_free_composite(stack, hosts, model)
    pairs = interphase_pairs(stack, hosts, catalog, constants)
    cei = cathode_cei(stack, hosts, catalog, constants)
    n_phases = {"anode": len(hosts.anode), "cathode": len(hosts.cathode), "sei": tuple(p is not None for p in pairs),
                "cei": cei is not None}
    hosts.gaps.extend(g for g in interphase_gaps(pairs) + cei_gaps(cei) if g not in hosts.gaps)
    hosts.notes.extend(n for n in cei_notes(stack, hosts, cei, catalog) if n not in hosts.notes)
    spans = protocol.stage_spans()
    stage_stacks = [stack if sp.stack_pressure is None else stack.replace(stack_pressure=str(sp.stack_pressure))
                    for sp in spans]
    stage_contacts = []  # electrode|collector contact resistances, at each stage's stack pressure
    for st in stage_stacks:
        contacts = collector_contacts(st, hosts, catalog, constants)
        contact_notes, contact_gaps = collector_notes(contacts)
        if protocol.stages:
            contact_notes = [f"at {st.stack_pressure}: {note}" for note in contact_notes]
        hosts.notes.extend(n for n in contact_notes if n not in hosts.notes)
        hosts.gaps.extend(g for g in contact_gaps if g not in hosts.gaps)
        stage_contacts.append(contacts)
    k = contact_coefficients(stack, hosts, constants) if contact_loss else {"anode": 0.0, "cathode": 0.0}
    sides = contact_sides(k)  # the others get no contact-loss states
    z = coordinated_contacts(stack, hosts, sides, constants)
    coord = tuple(z)
    key = _fingerprint(stack, protocol, model.lower(), hosts, constants, catalog, sides, coord)
    sim = _sims.get(key)
    if sim is not None:
        _sims.move_to_end(key)
    cap_Ah = _theoretical_cathode_Ah(stack)
    if sim is None:
        pv = build_parameters(stack, hosts, (protocol.lower_V, protocol.upper_V), catalog, constants,
                              x_average=model.lower() != "dfn", contact_sides=sides, coordinated=coord)
        exp = protocol.with_changes(cycles=CHUNK_CYCLES).experiment(stack.area_m2, cap_Ah)
        sim = _Simulation(build_model(model, n_phases, constants, sides, coord), parameter_values=pv,
                                experiment=exp, solver=make_solver())
        _sims[key] = sim
        while len(_sims) > SIM_CACHE_SIZE:
            _sims.popitem(last=False)
    # each stage's solve inputs (its currents and stack pressure: one built model serves every stage)
    stage_inputs = [{**step_inputs(sp.protocol), **contact_inputs(st, k, constants, catalog, z),
                     **collector_inputs(contacts, stack.area_m2)}
                    for sp, st, contacts in zip(spans, stage_stacks, stage_contacts, strict=True)]
    time_limits = [sp.protocol.time_limit_s(stack.area_m2, cap_Ah) for sp in spans]
    inputs = stage_inputs[0]
    n = protocol.cycles
    kept = _kept_cycles(n, save_at_cycles)
    tracker = _Tracker(step_names=protocol.step_names(), progress=progress, total=n,
                       cutoffs=(protocol.lower_V, protocol.upper_V))
    ends = CycleEnds()
    saved: dict[int, pybamm.Solution] = {}
    voltages: dict[int, np.ndarray] = {}
    sol: pybamm.Solution | None = None
    start: pybamm.Solution | None = None
    failure: str | None = None
    chunks = 0
    # what a checkpoint must match (only written or read with a checkpoint or a resume)
    run_id = (_run_fingerprint(stack, protocol, model, contact_loss, constants)
              if checkpoint is not None or resume is not None else {})
    if resume is not None:
        start = _resume(resume, run_id, sim, inputs, ends, n, protocol)
    restored = len(ends)
    stop = _Stop()
    with _signals_stop(stop, handle_signals), _stoppable(sim, stop, tracker):
        while len(ends) < n and failure is None and stop.signum is None:
            done = len(ends)
            i_stage = next(i for i, sp in enumerate(spans) if sp.first <= done + 1 <= sp.last)
            inputs = stage_inputs[i_stage]
            _set_time_limit(sim.experiment, time_limits[i_stage])
            m = min(CHUNK_CYCLES, n - done, spans[i_stage].last - done)  # a chunk ends with its stage
            tracker.offset = done
            tracker.failed_in = tracker.stopped_in = None
            try:
                with _limited_cycles(sim.experiment, m):  # every cycle of a chunk is saved (see _collect_chunk)
                    sol = sim.solve(inputs=inputs, callbacks=[tracker], starting_solution=start, initial_soc=None)
            except pybamm.SolverError as err:  # PyBaMM re-raises a failure in the first step of a solve
                if tracker.stopped_in is None:
                    failure = str(err)
                    tracker.failed_in = tracker.cycle or done + 1
                break
            chunks += 1
            if isinstance(sol, pybamm.EmptySolution) or not getattr(sol, "cycles", None):
                if tracker.stopped_in is None:
                    failure = tracker.error or "every step was infeasible"
                    tracker.failed_in = tracker.failed_in or done + 1
                break
            unfinished = tracker.stopped_in or tracker.failed_in  # that cycle is partial: not kept
            finished = m if unfinished is None else max(unfinished - done - 1, 0)
            if finished:
                start = _collect_chunk(sol, done, kept, ends, saved, voltages, limit=finished)
            failure = tracker.error if tracker.stopped_in is None else None
            if checkpoint is not None and finished:
                from solidstack.sim import checkpoint as cp

                cp.save(checkpoint, run_id, ends, start)
            if len(ends) - done < m or len(ends) >= n:
                break
            # PyBaMM's Solution.last_state/first_state refer back to their solution (``_sub_solutions``), so a
            # chunk's step solutions sit in reference cycles that only the cyclic GC frees; it runs by object count,
            # not by the (mostly C-level) memory they hold, so without this a long run grows ~0.5 MB per cycle.
            sol = None
            gc.collect()
    result = None
    if len(ends):
        if chunks > 1 or len(saved) < len(ends) or resume is not None:  # drop unkept cycles from the solution
            sol = _joined_solution(saved, len(ends))
        result = CyclingResult.from_cycles(stack, protocol, hosts, sim, ends, saved, sol,
                                           _model_inputs(stage_inputs[0]), model, tracker.terminations,
                                           time_limit_s=min(time_limits), voltages=voltages)
        mark_refused(result, [r for r in tracker.refused if r.cycle <= len(ends)], restored)
        if resume is not None:
            from solidstack.sim import checkpoint as cp

            result.timeseries = cp.with_earlier_timeseries(resume, result.timeseries, restored)
    if stop.signum is not None and len(ends) < n:  # (a signal after the last cycle: the run is complete)
        name = signal.Signals(stop.signum).name
        raise SimulationInterrupted(f"{name}: stopped after {len(ends)} of {n} cycle(s)", stop.signum, result)
    if failure is not None:
        cycle = tracker.failed_in or tracker.cycle or 1
        raise SimulationError(
            f"solver failed in cycle {cycle}, {tracker.step_name()} step: {_first_line(failure)} "
            f"({len(ends)} cycle(s) finished)", cycle, tracker.step_name(), result)
    assert result is not None
    return result


#: A cycle's capacity (mAh) at or below which nothing passed (round-off of the capacity integrals).
NOTHING_PASSED_MAH = 1e-9


def mark_refused(result: CyclingResult, refused: list[RefusedStep], restored: int = 0) -> None:
    """Say in ``result`` which steps started beyond their cut-off (:class:`RefusedStep`): the per-cycle column
    ``step_refused`` (the refused steps of each cycle, comma-separated, as ``time_limited_steps``; after
    ``time_limited_steps``), one note per step name with its cycles and the voltages at the steps' start, and a
    coulombic efficiency of NaN in a cycle whose first step was refused and whose charge (or, discharge first,
    discharge) passed nothing (at most :data:`NOTHING_PASSED_MAH`: the integrals' round-off). Cycles
    1 to ``restored`` come from a checkpoint, which does not record refusals (their column is empty)."""
    table = result.cycles
    n = len(table)
    by_cycle: dict[int, list[str]] = {}
    for r in refused:
        by_cycle.setdefault(r.cycle, []).append(r.name)
    column = [",".join(by_cycle.get(c, [])) for c in range(1, n + 1)]
    at = list(table.columns).index("time_limited_steps") + 1 if "time_limited_steps" in table else len(table.columns)
    table.insert(at, "step_refused", column)
    first = result.protocol.first
    denominator = "charge_capacity_mAh" if first == "charge" else "discharge_capacity_mAh"
    for c, names in by_cycle.items():
        if first in names and not table.at[c - 1, denominator] > NOTHING_PASSED_MAH:
            table.at[c - 1, "coulombic_efficiency"] = math.nan  # 0/0 (or x/0): undefined, not 0 or 100 %
    for name in dict.fromkeys(r.name for r in refused):
        rs = [r for r in refused if r.name == name]
        cycles = [r.cycle for r in rs]
        where = (f"cycle {cycles[0]}" if len(cycles) == 1 else "cycles " + ", ".join(map(str, cycles[:6]))
                 + (f" ... ({len(cycles)} cycles)" if len(cycles) > 6 else ""))
        vs = [r.voltage_V for r in rs if math.isfinite(r.voltage_V)]
        side = "above" if name == "charge" else "below"
        volts = (f"{min(vs):.2f} V" if max(vs) - min(vs) < 0.005 else f"{min(vs):.2f}-{max(vs):.2f} V") if vs else "?"
        result.notes.append(f"{where} {name}: the cell is {side} its {rs[0].cutoff_V:g} V cut-off at the step's "
                            f"start ({volts} with the step's current): the step ended at once with no capacity, as a "
                            "cycler ends it, and the protocol went on (column step_refused)")


def _run_fingerprint(stack: Stack, protocol: Protocol, model: str, contact_loss: bool,
                     constants: SimConstants | None = None) -> dict:
    """What a checkpoint must match to be resumed: everything that sets the results but the cycle count."""
    proto = {k: v for k, v in protocol.__dict__.items() if k != "cycles"
             and not (k in (*STEP_CURRENT_FIELDS, "stages") and v is None)}  # as written before these fields
    if protocol.stages:
        proto["stages"] = [st.model_dump(mode="json", exclude_none=True) for st in protocol.stages]
    consts = (constants or default_constants()).files_data()
    return {"stack": stack.to_dict(), "protocol": proto, "model": model.lower(), "contact_loss": bool(contact_loss),
            "constants": consts, "chunk_cycles": CHUNK_CYCLES}


def check_resume(folder: str | Path, stack: Stack, protocol: Protocol, model: str = "SPMe", *,
                 contact_loss: bool = True, constants: SimConstants | None = None) -> int:
    """The number of cycles in the checkpoint in ``folder`` if ``simulate(stack, protocol, model, ...,
    resume=folder)`` can continue from it; else an :class:`InputError` (checked before a run starts)."""
    from solidstack.sim import checkpoint as cp

    saved_cp = cp.load(folder)
    cp.check_matches(saved_cp, _run_fingerprint(stack, protocol, model, contact_loss, constants))
    if saved_cp.cycles > protocol.cycles:
        raise InputError(Problem("--resume", f"the checkpoint already has {saved_cp.cycles} cycles, more than the "
                                 f"{protocol.cycles} asked for"))
    return saved_cp.cycles


def _resume(folder: str | Path, run_id: dict, sim: pybamm.Simulation, inputs: dict, ends: CycleEnds, n: int,
            protocol: Protocol) -> pybamm.Solution:
    """Load and check the checkpoint in ``folder``, fill ``ends`` with its cycles, return the state to go on from."""
    from solidstack.sim import checkpoint as cp

    saved_cp = cp.load(folder)
    cp.check_matches(saved_cp, run_id)
    if saved_cp.cycles > n:
        raise InputError(Problem("--resume", f"the checkpoint already has {saved_cp.cycles} cycles, more than the "
                                 f"{n} asked for"))
    # the states belong to the built model of a cycle's last step (PyBaMM builds one model per kind of step)
    sim.build_for_experiment(initial_soc=None, inputs=inputs, solve_kwargs={})
    last_step = sim.experiment.steps[len(protocol.step_names()) - 1]
    built = sim._get_built_experiment_model(last_step)
    if saved_cp.start_y.shape[0] != built.len_rhs_and_alg:  # e.g. written before a change of the model's states
        raise InputError(Problem("--resume", f"the checkpoint holds {saved_cp.start_y.shape[0]} states, the model "
                                 f"{built.len_rhs_and_alg}: it was written by another version; run again"))
    return cp.restore(saved_cp, ends, built)


def _collect_chunk(sol: pybamm.Solution, done: int, kept: set[int] | None, ends: CycleEnds,
                   saved: dict[int, pybamm.Solution], voltages: dict[int, np.ndarray],
                   limit: int | None = None) -> pybamm.Solution:
    """Record the end state and the voltage integrals of every cycle of a chunk's solution (every cycle's
    solution is there: the chunk is solved saving them all) and the cycles to keep (numbered from ``done`` + 1);
    return the state to continue from. The solutions of the cycles not kept are dropped with the chunk; the
    kept ones' voltage at their output points (read for the integrals) goes into ``voltages``. Only the first
    ``limit`` cycles are taken (the rest: a cycle a failure or a signal cut short)."""
    summaries = sol.all_summary_variables[:limit]
    cycles = sol.cycles[:limit]
    v_at_points: list[np.ndarray] = []
    integrals = iter(voltage_integrals_of([c for c in cycles if c is not None], v_at_points))
    v_iter = iter(v_at_points)
    for i, (cyc, summary) in enumerate(zip(cycles, summaries, strict=True), start=done + 1):
        ends.add(summary.last_state, integrals=next(integrals) if cyc is not None else None)
        v = next(v_iter) if cyc is not None else None
        if cyc is not None and v is not None and (kept is None or i in kept):
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
