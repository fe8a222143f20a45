"""The PyBaMM experiment of a cycling :class:`~solidstack.stack.cycling.Protocol`, and the way back.

The protocol type itself is :class:`solidstack.stack.cycling.Protocol` (the stack file's ``[cycling]`` section);
this module builds its PyBaMM experiment and reads a ``pybamm.Experiment`` into it.

The current is an input parameter (A/m2), so runs differing only in current re-solve the same built simulation.
Every constant-current step has a time limit (``TIME_LIMIT_FACTOR`` times the time to pass the cathode's
theoretical capacity), so a host too large to fill or empty (e.g. a thick reacting foil) ends the step on time
instead of running forever; such steps are reported. The charge and the discharge are one PyBaMM step (the current
times a direction input, -1 or +1, which ``solidstack.sim.run`` sets per step, with the step's own current; the
cut-off :class:`CutOff`), so PyBaMM builds one model and one solver for both, whether the charge and discharge
currents are equal or not.
"""

from __future__ import annotations

import pybamm

from solidstack.errors import InputError, Problem
from solidstack.sim.parameters import CURRENT_INPUT
from solidstack.stack import Stack
from solidstack.stack.cycling import Protocol

TIME_LIMIT_FACTOR = 2.0

__all__ = ["CUTOFF_EVENT", "DIRECTION_INPUT", "CutOff", "Protocol", "TIME_LIMIT_FACTOR", "experiment", "from_experiment",
           "step_direction", "time_limit_s"]

#: What :func:`from_experiment` reads, in the words of its error messages.
SUPPORTED = ("one repeated cycle of: a constant-current charge until the upper cut-off (V), optionally a "
             "voltage hold at that cut-off until a current or C-rate, a constant-current discharge until the lower "
             "cut-off (V), and optional rests of one duration after each; either direction first; runs of cycles "
             "that differ only in their currents (stages)")


def time_limit_s(protocol: Protocol, area_m2: float, capacity_Ah: float) -> float:
    """The time limit of every step (s): TIME_LIMIT_FACTOR x the time to pass ``capacity_Ah`` at the smaller of the
    charge and discharge currents (one limit serves both steps)."""
    return TIME_LIMIT_FACTOR * capacity_Ah * 3600.0 / (min(protocol.step_current_densities_A_m2) * area_m2)


#: Input parameter of the constant-current steps' direction: -1 on charge, +1 on discharge. Both current steps
#: of a cycle are one PyBaMM step (current ``s x j x area``, the cut-off :class:`CutOff`), so PyBaMM builds,
#: discretises and sets up one model and solver for both (it keys step models by the step's value and
#: terminations); ``solidstack.sim.run`` sets the input for each step from its tag (:func:`step_direction`).
DIRECTION_INPUT = "Current direction"


#: The name of :class:`CutOff`'s event in the built model (PyBaMM's "[experiment]" tag marks it as the step's own
#: termination). ``solidstack.sim.run`` reads it in PyBaMM's error for a step that starts beyond its cut-off.
CUTOFF_EVENT = "Voltage cut-off [V] [experiment]"


class CutOff(pybamm.step.BaseTermination):
    """The voltage cut-off of a constant-current step whose direction is the input :data:`DIRECTION_INPUT` (s):
    ``s x (V - cut)`` with ``cut`` = ``lower`` on discharge (s = +1) and ``upper`` on charge (s = -1), positive
    while the step runs. With s = +-1 the weights (1 + s)/2 and (1 - s)/2 are exactly 1 and 0, so the event is,
    to the bit, PyBaMM's ``V - lower`` of a discharge "until lower V" and ``-(V - upper)`` of a charge "until
    upper V"."""

    def __init__(self, lower_V: float, upper_V: float):
        super().__init__((float(lower_V), float(upper_V)))

    def get_event_name(self, step):
        return CUTOFF_EVENT

    def get_event_expression(self, variables, step):
        s = pybamm.InputParameter(DIRECTION_INPUT)
        lower, upper = self.value
        cut = (1 + s) / 2 * lower + (1 - s) / 2 * upper
        return s * (variables["Battery voltage [V]"] - cut)


def step_direction(step: pybamm.step.BaseStep) -> float:
    """The :data:`DIRECTION_INPUT` of an experiment step of :func:`experiment`: -1 for the charge (tagged
    "charge"), +1 for any other step (only the current steps read it)."""
    return -1.0 if "charge" in step.tags else 1.0


def _cycle_steps(protocol: Protocol, area_m2: float, t_max: float) -> list[pybamm.step.BaseStep]:
    p = protocol
    current = pybamm.InputParameter(DIRECTION_INPUT) * pybamm.InputParameter(CURRENT_INPUT) * area_m2
    cut = CutOff(p.lower_V, p.upper_V)
    charge = [pybamm.step.current(current, termination=cut, duration=t_max, tags=["charge"])]
    hold = p.cv_hold_until_A_m2
    if hold is not None:
        charge.append(pybamm.step.voltage(p.upper_V, termination=f"{hold * area_m2} A", duration=t_max))
    discharge = [pybamm.step.current(current, termination=cut, duration=t_max, tags=["discharge"])]
    rest = [pybamm.step.rest(duration=p.rest_s)] if p.rest_s else []
    first, second = (charge, discharge) if p.first == "charge" else (discharge, charge)
    return first + rest + second + rest


def experiment(protocol: Protocol, area_m2: float, capacity_Ah: float, cycles: int | None = None) -> pybamm.Experiment:
    """The PyBaMM experiment of ``protocol`` (currents as current densities: see ``Protocol.resolved``) for a cell
    of ``area_m2``; ``capacity_Ah`` (the cathode's theoretical capacity) sets the step time limit; ``cycles``
    overrides the protocol's count."""
    steps = tuple(_cycle_steps(protocol, area_m2, time_limit_s(protocol, area_m2, capacity_Ah)))
    return pybamm.Experiment([steps] * (cycles or protocol.cycles))


def from_experiment(exp: pybamm.Experiment, stack: Stack) -> Protocol:
    """The :class:`Protocol` of a ``pybamm.Experiment`` within the supported subset (:data:`SUPPORTED`);
    anything else raises :class:`InputError` naming the step and why. Currents in A become current densities
    over the stack's area; PyBaMM C-rates become C-rates on the stack's limiting capacity (solidstack's
    definition, not PyBaMM's "Nominal cell capacity"); a step ``period`` becomes the time-series sampling.
    Consecutive runs of cycles that differ from the first only in their currents become the protocol's stages (a
    formation at C/20 before cycling at C/3, ``Protocol.stages``)."""
    if getattr(exp, "termination", None):
        raise InputError(Problem("experiment", f"an experiment termination ({exp.termination}) is not supported; "
                                 "give the number of cycles"))
    steps, cycles = list(exp.steps), []
    for n in exp.cycle_lengths:
        cycles.append(tuple(steps[:n]))
        steps = steps[n:]
    if not cycles or not cycles[0]:
        raise InputError(Problem("experiment", "has no steps"))
    groups: list[list] = []  # [first cycle's steps, cycle number, count] of each run of identical cycles
    for k, c in enumerate(cycles, start=1):
        if groups and _described(c) == _described(groups[-1][0]):
            groups[-1][2] += 1
        else:
            groups.append([c, k, 1])
    runs = [(_cycle_fields(g[0], exp, stack), g[1], g[2]) for g in groups]
    base = runs[0][0]
    if len(runs) == 1:
        return Protocol(**base, cycles=len(cycles))
    stages = []
    for fields, k, count in runs:
        other = sorted(key for key in set(fields) | set(base) if key not in _STAGE_KEYS and fields.get(key) != base.get(key))
        if other:
            raise InputError(Problem("experiment", f"cycle {k} differs from cycle 1 in more than its currents "
                                     f"({', '.join(other)}); cycles may differ in their currents only (they become "
                                     f"stages); supported: {SUPPORTED}"))
        stages.append({"cycles": count, **{key: fields[key] for key in _STAGE_KEYS if key in fields}})
    return Protocol(**base, cycles=len(cycles), stages=stages)


#: The fields of one cycle that may change from one run of cycles to the next (they become a stage's).
_STAGE_KEYS = ("current", "discharge_current")


def _described(cycle: tuple) -> list[str]:
    return [s.description or s.basic_repr() for s in cycle]


def _cycle_fields(first: tuple, exp: pybamm.Experiment, stack: Stack) -> dict:
    """The protocol fields (all but ``cycles``) of one cycle's steps ``first``; problems raise a located
    :class:`InputError`."""
    fields: dict = {}
    rests: set[float] = set()
    currents: list[tuple[str, float]] = []  # (kind, value): kind "A" or "C"
    order: list[str] = []
    periods: set[float] = set()
    for i, s in enumerate(first, start=1):
        where = f"experiment step {i} ({s.description or s.basic_repr()!s})"
        if getattr(s, "temperature", None) is not None:
            raise InputError(Problem(where, "a step temperature is not supported (the stack's temperature is used)"))
        if getattr(exp, "period", None) is not None and getattr(s, "period", None) is not None:
            periods.add(float(s.period))
        kind = type(s).__name__
        terms = list(s.termination or [])
        if kind == "Rest":
            rests.add(float(s.duration))
            order.append("rest")
            continue
        if kind in ("Current", "CRate"):
            if s.is_drive_cycle or not isinstance(s.value, (int, float)):
                raise InputError(Problem(where, f"only constant currents are supported; supported: {SUPPORTED}"))
            volts = [t for t in terms if type(t).__name__ == "VoltageTermination"]
            if len(volts) != 1 or len(terms) != 1:
                raise InputError(Problem(where, "a current step must end on one voltage cut-off ('until 4.2 V')"))
            direction = "discharge" if s.value > 0 else "charge"
            key = "lower_cutoff" if direction == "discharge" else "upper_cutoff"
            if key in fields and abs(float(fields[key].split()[0]) - volts[0].value) > 1e-12:
                raise InputError(Problem(where, f"a second {direction} cut-off; supported: {SUPPORTED}"))
            fields[key] = f"{volts[0].value} V"
            currents.append(("A" if kind == "Current" else "C", abs(float(s.value))))
            order.append(direction)
            continue
        if kind == "Voltage":
            ends = [t for t in terms if type(t).__name__ in ("CurrentTermination", "CRateTermination")]
            if len(ends) != 1 or len(terms) != 1 or order[-1:] != ["charge"]:
                raise InputError(Problem(where, "a voltage hold must follow the charge and end on a current "
                                         "('Hold at 4.2 V until C/50')"))
            value = float(ends[0].value)
            fields["cv_hold_until"] = (f"{value / stack.area_m2} A/m2" if type(ends[0]).__name__ == "CurrentTermination"
                                       else f"{value}C")
            fields["_hold_V"] = float(s.value)
            order.append("CV hold")
            continue
        raise InputError(Problem(where, f"{kind} steps are not supported; supported: {SUPPORTED}"))
    if len(currents) != 2 or sorted(o for o in order if o in ("charge", "discharge")) != ["charge", "discharge"]:
        raise InputError(Problem("experiment", f"need one charge and one discharge per cycle; supported: {SUPPORTED}"))
    def as_field(kind: str, value: float) -> str:
        return f"{value / stack.area_m2} A/m2" if kind == "A" else f"{value}C"

    steps_current = dict(zip([o for o in order if o in ("charge", "discharge")], currents, strict=True))
    fields["current"] = as_field(*steps_current["charge"])
    if steps_current["discharge"] != steps_current["charge"]:
        fields["discharge_current"] = as_field(*steps_current["discharge"])
    hold_V = fields.pop("_hold_V", None)
    if hold_V is not None and abs(hold_V - float(fields["upper_cutoff"].split()[0])) > 1e-9:
        raise InputError(Problem("experiment", "the voltage hold must be at the charge's cut-off voltage"))
    if len(rests) > 1:
        raise InputError(Problem("experiment", "rests of different durations; one rest duration is supported"))
    if rests:
        fields["rest"] = f"{rests.pop()} s"
    fields["first"] = order[0] if order[0] != "rest" else next(o for o in order if o != "rest")
    if periods:
        fields["period"] = f"{min(periods)} s"
    if Protocol(**fields).step_names() != order:
        raise InputError(Problem("experiment", f"steps {order} are not in a supported order; supported: {SUPPORTED}"))
    return fields

