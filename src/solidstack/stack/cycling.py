"""The cycling protocol: one type for the stack file's ``[cycling]`` section and for ``simulate``.

A :class:`Protocol` (also importable as ``Cycling``, the name of the stack-file section, and as
``solidstack.sim.Protocol``) is declarative and keeps every quantity as written: constant current between
voltage cut-offs, charge or discharge first, N cycles, an optional CV hold at the upper cut-off and rests, and
the sampling of the time series. The PyBaMM experiment is built from it in :mod:`solidstack.sim.protocol`.

Currents are a current density (``"0.2 mA/cm2"``), a current (``"0.2 mA"``, divided by the stack's area) or a
C-rate (``"C/10"``, ``"0.5C"``, ``"2 C"``) on the stack's *limiting* capacity: the smaller of the anode's and
the cathode's capacity (``Stack.limiting_capacity_mAh``, what ``solidstack show`` reports). ``Protocol.resolved``
turns them into current densities for one stack.

Voltage windows in every command are written ``LO:HI`` or ``LO,HI`` (V), parsed by :func:`parse_window`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple, TypeGuard

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationError, model_validator

from solidstack.errors import InputError, Problem
from solidstack.units import Q, parse_quantity, quantity_type, ureg

if TYPE_CHECKING:  # to a type checker each is a Q; pydantic gets the validating Annotated type
    from solidstack.stack.model import Stack
    from solidstack.units import Q as Duration
    from solidstack.units import Q as Pressure
    from solidstack.units import Q as Voltage
else:
    Voltage = quantity_type("voltage", 0.0, 6.0)
    Duration = quantity_type("time", 0.0, 1e7)
    Pressure = quantity_type("pressure", 0.0, 1e9)  # [0, 1 GPa], as the stack's stack_pressure

#: The protocol's optional fields that give one step its own current (otherwise the step runs at ``current``).
STEP_CURRENT_FIELDS = ("charge_current", "discharge_current")
#: The protocol's fields that hold a current (density, current or C-rate).
CURRENT_FIELDS = ("current", *STEP_CURRENT_FIELDS, "cv_hold_until")

#: The currents a stage of a staged protocol may change (besides its cycle count and the stack pressure, which are
#: inputs of one built model); the window, the CV hold and the rests belong to the whole protocol.
STAGE_CURRENT_FIELDS = ("current", *STEP_CURRENT_FIELDS)

#: Bounds of a current density after resolution (A/m2): (0, 100 mA/cm2].
MAX_CURRENT_DENSITY_A_M2 = 1000.0
MAX_C_RATE = 100.0

_C_RATE = re.compile(r"^\s*(?:C\s*/\s*(?P<div>\d+(?:\.\d*)?|\.\d+)|(?P<mul>\d+(?:\.\d*)?|\.\d+)?\s*C)\s*$", re.IGNORECASE)
_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class CRate:
    """A C-rate as written (``"C/10"``): ``rate`` in 1/h, on the stack's limiting capacity."""

    rate: float
    text: str

    def __str__(self) -> str:
        return self.text


def parse_c_rate(text: str) -> CRate | None:
    """``"C/10"`` -> 0.1/h, ``"0.5C"`` / ``"0.5 C"`` -> 0.5/h, ``"C"`` -> 1/h; None if ``text`` is not a C-rate."""
    m = _C_RATE.match(text)
    if not m:
        return None
    div, mul = float(m["div"] or 1.0), float(m["mul"] or 1.0)
    rate = mul / div if div > 0 else 0.0
    if not 0.0 < rate <= MAX_C_RATE:
        raise ValueError(f"C-rate {text!r} must be above 0 and at most {MAX_C_RATE:g}C")
    return CRate(rate, text.strip())


def parse_current(raw: Any) -> Q | CRate:
    """A current as a current density ("0.2 mA/cm2"), a current ("0.2 mA") or a C-rate ("C/10", "0.5C").

    Raises ``ValueError`` with a one-line message otherwise."""
    if isinstance(raw, (Q, CRate)):
        return raw
    if isinstance(raw, str):
        rate = parse_c_rate(raw)
        if rate is not None:
            return rate
        for dim in ("current_density", "current"):
            try:
                q = parse_quantity(raw, dim)
            except ValueError:
                continue
            if q.si <= 0:
                raise ValueError(f"{raw!r} must be positive")
            return q
    raise ValueError(f"{raw!r} is not a current: write a current density ('0.2 mA/cm2'), a current ('0.2 mA') "
                     "or a C-rate ('C/10', '0.5C')")


def parse_sampling(raw: Any) -> Q:
    """A sampling step of the time series: a time ("30 s", "1 min"), a capacity ("0.01 mAh") or a capacity per
    gram of cathode active material ("0.5 mAh/g"); positive."""
    if isinstance(raw, Q):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if re.fullmatch(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?s", text):  # "30s"
            text = text[:-1] + " s"
        q: Q | None
        try:
            q = parse_quantity(text, "time")
        except ValueError:
            q = _charge(text)
        if q is not None:
            if q.si <= 0:
                raise ValueError(f"sampling step {raw!r} must be positive")
            return q
    raise ValueError(f"{raw!r} is not a sampling step: write a time ('30 s'), a capacity ('0.01 mAh') or a "
                     "capacity per gram of cathode active material ('0.5 mAh/g')")


def _charge(text: str) -> Q | None:
    """``text`` as a charge (capacity, ``si`` in A.s) or a specific charge per mass (``si`` in A.s/kg), or None."""
    kind = _charge_kind(text)
    return kind[1] if kind else None


def _charge_kind(text: str) -> tuple[str, Q] | None:
    m = _NUMBER_UNIT.match(text)
    if not m or not m.group(2):
        return None
    try:
        q = ureg.Quantity(float(m.group(1)), m.group(2).replace("g-1", "/g"))
        for kind, unit in (("charge", "A*s"), ("specific", "A*s/kg")):
            if q.dimensionality == ureg.Quantity(1, unit).dimensionality:
                return kind, Q(float(m.group(1)), m.group(2), float(q.to(unit).magnitude))
    except Exception:  # noqa: BLE001 - pint raises many kinds for an unknown unit
        return None
    return None


def is_specific_capacity(q: Q) -> bool:
    """Whether a sampling step is a capacity per mass (``"0.5 mAh/g"``: per gram of cathode active material)."""
    kind = _charge_kind(str(q))
    return kind is not None and kind[0] == "specific"


def is_capacity_step(q: Q) -> bool:
    """Whether a sampling step (from :func:`parse_sampling`) is a capacity rather than a time."""
    try:
        parse_quantity(str(q), "time")
        return False
    except ValueError:
        return True


def parse_window(text: str, where: str = "--window") -> tuple[float, float]:
    """``"3.0:4.2"``, ``"3.0,4.2"`` or ``"3.0 V, 4.2 V"`` -> (3.0, 4.2) in V; bad text raises a located
    :class:`InputError`. The one window syntax of every command (ranges are checked by the caller)."""
    parts = text.replace(":", ",").split(",")
    try:
        lo, hi = (float(p.strip().removesuffix("V").strip()) for p in parts)
    except ValueError:
        raise InputError(Problem(where, f"{text!r} is not a window: write LO:HI or LO,HI in V, e.g. 3.0:4.2")) from None
    return lo, hi


CurrentSpec = Annotated[Q | CRate, BeforeValidator(parse_current), PlainSerializer(str, return_type=str)]
SamplingSpec = Annotated[Q, BeforeValidator(parse_sampling), PlainSerializer(str, return_type=str)]

#: Old names (SI numbers) accepted for the fields, e.g. ``Protocol(current_density_A_m2=2.0, lower_V=3.0, ...)``.
_LEGACY = {"current_density": ("current", ""), "current_density_A_m2": ("current", "A/m2"),
           "charge_current_density_A_m2": ("charge_current", "A/m2"),
           "discharge_current_density_A_m2": ("discharge_current", "A/m2"), "lower_V": ("lower_cutoff", "V"),
           "upper_V": ("upper_cutoff", "V"), "cv_hold_until_A_m2": ("cv_hold_until", "A/m2"), "rest_s": ("rest", "s"),
           "period_s": ("period", "s")}


class _Declarative(BaseModel):
    """A frozen declarative record (no unknown fields)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _located(init: Any, data: dict[str, Any]) -> None:
    """Run a pydantic ``init`` on ``data``; its validation problems raise one located :class:`InputError`."""
    try:
        init(**data)
    except ValidationError as err:
        from solidstack.stack.model import pydantic_problems

        raise InputError(pydantic_problems(err)) from None


class Stage(_Declarative):
    """One stage of a staged protocol (``Protocol.stages``): ``cycles`` cycles of the protocol at this stage's
    currents and stack pressure, e.g. a formation at C/20 and 75 MPa before cycling at C/3 and 10 MPa.

    A stage that gives any current (``current``, ``charge_current``, ``discharge_current``) runs at its own currents
    only: ``current`` (else the protocol's ``current``) for every step whose own current the stage does not give. A
    stage that gives none runs at the protocol's currents. ``stack_pressure`` replaces the stack's (and a
    ``simulate(pressure=...)``) for the stage; without it the stage runs at the stack's. The voltage window, the CV
    hold, the rests and the first step belong to the whole protocol (one built model serves every stage)."""

    def __init__(self, **data: Any):
        _located(super().__init__, data)

    cycles: Annotated[int, Field(ge=1, le=100000)]
    name: str | None = None
    current: CurrentSpec | None = None
    charge_current: CurrentSpec | None = None
    discharge_current: CurrentSpec | None = None
    stack_pressure: Pressure | None = None
    source: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _only_stage_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            whole = sorted(k for k in data if k in Protocol.model_fields and k not in cls.model_fields)
            if whole:
                raise ValueError(f"a stage changes only its cycles, currents and stack_pressure; {', '.join(whole)} "
                                 "belongs to the whole protocol (one built model serves every stage: write another "
                                 "stack or run for another window)")
        return data

    def changes(self) -> dict[str, Any]:
        """The protocol fields this stage sets, as written (its currents; see the class)."""
        given = {k: str(getattr(self, k)) for k in STAGE_CURRENT_FIELDS if getattr(self, k) is not None}
        if not given:
            return {}
        return {"charge_current": None, "discharge_current": None, **given}


class StageSpan(NamedTuple):
    """The cycles ``first`` to ``last`` (1-based, inclusive) of a protocol, run as ``protocol`` (a protocol without
    stages, its ``cycles`` the span's length) at ``stage``'s stack pressure; ``number`` is the stage's number
    (1-based; 0 and ``stage`` None for a protocol without stages)."""

    first: int
    last: int
    protocol: Protocol
    stage: Stage | None
    number: int

    @property
    def stack_pressure(self) -> Q | None:
        """The stage's own stack pressure, or None (the stack's)."""
        return None if self.stage is None else self.stage.stack_pressure


class Protocol(_Declarative):
    """Constant-current cycling: ``current`` between ``lower_cutoff`` and ``upper_cutoff``, ``first`` step charge
    or discharge, ``cycles`` times; optional CV hold at the upper cut-off until the current falls to
    ``cv_hold_until``, a ``rest`` after each step, and the time series sampled every ``period`` (a time or a
    capacity; default: the solver's own points). ``charge_current`` or ``discharge_current`` gives that step its own
    current (a rate test's "charge at C/10, discharge at 1C"); without them both steps run at ``current``.
    Quantities are kept as written (``"C/10"``, ``"0.2 mA/cm2"``).

    ``stages`` (a list of :class:`Stage`) runs the protocol in stages, one after another from where the last left
    the cell: each stage its own cycle count, currents and stack pressure (a formation, a rate test's steps, a
    pressure step). ``cycles`` is then the whole run's: the stages' sum unless given; where it is more, the last
    stage runs on; where it is less, the run stops within the stages."""

    def __init__(self, **data: Any):
        _located(super().__init__, data)

    current: CurrentSpec
    charge_current: CurrentSpec | None = None
    discharge_current: CurrentSpec | None = None
    lower_cutoff: Voltage
    upper_cutoff: Voltage
    cycles: Annotated[int, Field(ge=1, le=100000)] = 1
    first: Literal["charge", "discharge"] = "charge"
    cv_hold_until: CurrentSpec | None = None
    rest: Duration | None = None
    period: SamplingSpec | None = None
    stages: tuple[Stage, ...] | None = None
    source: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_names(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            stages = data.get("stages")
            if stages is not None and len(stages) == 0:
                data["stages"] = None
            elif stages is not None and "cycles" not in data:  # the whole run: the stages' sum
                counts = [st.cycles if isinstance(st, Stage) else st.get("cycles") if isinstance(st, dict) else None
                          for st in stages]
                if all(isinstance(c, int) and not isinstance(c, bool) and c >= 1 for c in counts):
                    data["cycles"] = sum(counts)  # type: ignore[arg-type]
            for old, (new, unit) in _LEGACY.items():
                if old in data:
                    value = data.pop(old)
                    if new in data:
                        raise ValueError(f"give {new} or {old}, not both")
                    if value is not None:
                        data[new] = f"{value} {unit}".strip() if unit and isinstance(value, (int, float)) else value
        return data

    @model_validator(mode="after")
    def _window(self) -> Protocol:
        if self.lower_cutoff.si >= self.upper_cutoff.si:
            raise ValueError(f"lower_cutoff {self.lower_cutoff} must be below upper_cutoff {self.upper_cutoff}")
        return self

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_stack(cls, stack: Stack) -> Protocol:
        """The stack file's own ``[cycling]`` section."""
        if stack.cycling is None:
            raise InputError(Problem("cycling", "the stack has no [cycling] section; give a protocol "
                                     "(current and voltage window)"))
        return stack.cycling

    def with_changes(self, **changes: Any) -> Protocol:
        """A copy with fields changed (values as in a file, e.g. ``current="C/10"``, ``rest="10 min"``; None
        leaves a field as it is). ``window=(lo, hi)`` (V) or ``"LO:HI"`` sets both cut-offs."""
        changes = {k: v for k, v in changes.items() if v is not None}
        window = changes.pop("window", None)
        if window is not None:
            lo, hi = parse_window(window, "window") if isinstance(window, str) else window
            changes["lower_cutoff"], changes["upper_cutoff"] = f"{float(lo)} V", f"{float(hi)} V"
        data = self.model_dump(mode="json", exclude_none=True)
        for old, (new, _) in _LEGACY.items():
            if old in changes:
                data.pop(new, None)
        if "stages" in changes and "cycles" not in changes:  # new stages: the run is theirs (their sum)
            data.pop("cycles", None)
        data.update(changes)
        return Protocol(**data)

    def check(self, stack: Stack | None = None) -> None:
        """Raise :class:`InputError` unless the currents, resolved on ``stack`` where needed, are in range."""
        if stack is not None:
            self.resolved(stack)

    # ------------------------------------------------------------------ values
    @property
    def window_V(self) -> tuple[float, float]:
        return (self.lower_cutoff.si, self.upper_cutoff.si)

    @property
    def lower_V(self) -> float:
        return self.lower_cutoff.si

    @property
    def upper_V(self) -> float:
        return self.upper_cutoff.si

    @property
    def rest_s(self) -> float | None:
        return self.rest.si if self.rest is not None and self.rest.si > 0 else None

    @property
    def current_density(self) -> Q:
        """``current`` when it is a current density (the field's former name); see :attr:`current_density_A_m2`."""
        _density_only(self.current, "current")
        return self.current  # type: ignore[return-value]

    @property
    def current_density_A_m2(self) -> float:
        """The current density (A/m2) when ``current`` is one; for a current or a C-rate use
        :meth:`resolved` (they need the stack's area or capacity)."""
        return _density_only(self.current, "current")

    @property
    def charge_current_density_A_m2(self) -> float:
        """The charge step's current density (A/m2): ``charge_current``, else ``current`` (as
        :attr:`current_density_A_m2`: resolve C-rates and currents on a stack first)."""
        if self.charge_current is None:
            return self.current_density_A_m2
        return _density_only(self.charge_current, "charge_current")

    @property
    def discharge_current_density_A_m2(self) -> float:
        """The discharge step's current density (A/m2): ``discharge_current``, else ``current``."""
        if self.discharge_current is None:
            return self.current_density_A_m2
        return _density_only(self.discharge_current, "discharge_current")

    @property
    def step_current_densities_A_m2(self) -> tuple[float, float]:
        """(charge, discharge) current densities (A/m2) of a resolved protocol."""
        return self.charge_current_density_A_m2, self.discharge_current_density_A_m2

    @property
    def cv_hold_until_A_m2(self) -> float | None:
        """The CV-hold end current density (A/m2), as :attr:`current_density_A_m2`."""
        return None if self.cv_hold_until is None else _density_only(self.cv_hold_until, "cv_hold_until")

    def current_density_on(self, stack: Stack, which: str = "current") -> float | None:
        """``current`` (or ``charge_current``, ``discharge_current``, ``cv_hold_until``: ``which``) as a current
        density on ``stack`` (A/m2): a C-rate on the stack's limiting capacity (min of anode and cathode), a current
        over its area; None for a field that is not given."""
        return density_on(getattr(self, which), stack)

    def resolved(self, stack: Stack) -> Protocol:
        """This protocol with its currents as current densities on ``stack`` (mA/cm2), range-checked, and a
        sampling step per gram of cathode active material as a capacity (mAh)."""
        problems: list[Problem] = []
        changes: dict[str, Any] = dict(_densities_on(self, CURRENT_FIELDS, stack, "", problems))
        stages = []
        for i, stage in enumerate(self.stages or ()):
            done = _densities_on(stage, STAGE_CURRENT_FIELDS, stack, f"stages[{i}].", problems)
            stages.append(Stage(**{**stage.model_dump(mode="json", exclude_none=True), **done}) if done else stage)
        if problems:
            raise InputError(problems)
        if self.stages and any(a is not b for a, b in zip(stages, self.stages, strict=True)):
            changes["stages"] = [st.model_dump(mode="json", exclude_none=True) for st in stages]
            changes["cycles"] = self.cycles  # the same run, its stages resolved
        if self.period is not None and is_specific_capacity(self.period):
            grams = stack.cathode.active_mass_kg(stack.area_m2) * 1e3
            changes["period"] = f"{self.period.si * grams * 1e-3 / 3.6:.6g} mAh"  # A.s/kg * kg -> mAh
        return self.with_changes(**changes) if changes else self

    def describe_currents(self, stack: Stack) -> list[str]:
        """Notes saying how C-rates and currents were turned into current densities on ``stack``."""
        out = []
        for which in CURRENT_FIELDS:
            value = getattr(self, which)
            if value is None or is_current_density(value):
                continue
            j = self.current_density_on(stack, which) or 0.0
            side = "anode" if stack.anode_capacity_mAh < stack.cathode_capacity_mAh else "cathode"
            basis = (f"on the limiting capacity {stack.limiting_capacity_mAh:.4g} mAh ({side}, min of anode "
                     f"and cathode)" if isinstance(value, CRate) else f"over the area {stack.area}")
            out.append(f"{which.replace('_', ' ')} {value} = {j / 10:.4g} mA/cm2 "
                       f"({j * stack.area_m2 * 1e3:.4g} mA) {basis}")
        for span in self.stage_spans() if self.stages else ():
            assert span.stage is not None
            name = f" ({span.stage.name})" if span.stage.name else ""
            pressure = f", {span.stage.stack_pressure}" if span.stage.stack_pressure is not None else ""
            both = all(getattr(span.protocol, w) is not None for w in STEP_CURRENT_FIELDS)  # `current` unused
            lines = [line for line in span.protocol.describe_currents(stack) if not (both and line.startswith("current "))]
            out += [f"stage {span.number}{name}, cycles {span.first}-{span.last}{pressure}: {line}"
                    for line in lines or ["the protocol's currents"]]
        return out

    def experiment(self, area_m2: float, capacity_Ah: float) -> Any:
        """The PyBaMM experiment (see :func:`solidstack.sim.protocol.experiment`)."""
        from solidstack.sim.protocol import experiment

        return experiment(self, area_m2, capacity_Ah)

    def time_limit_s(self, area_m2: float, capacity_Ah: float) -> float:
        """The time limit of every step (s), see :func:`solidstack.sim.protocol.time_limit_s`."""
        from solidstack.sim.protocol import time_limit_s

        return time_limit_s(self, area_m2, capacity_Ah)

    def step_names(self) -> list[str]:
        """Names of the steps of one cycle, in order: charge, CV hold, rest, discharge, rest (as present)."""
        charge = ["charge"] + (["CV hold"] if self.cv_hold_until is not None else [])
        rest = ["rest"] if self.rest_s else []
        first, second = (charge, ["discharge"]) if self.first == "charge" else (["discharge"], charge)
        return first + rest + second + rest

    def stage_spans(self) -> list[StageSpan]:
        """The run's cycles 1 to ``cycles`` split by stage (one span, this protocol, without stages): each span's
        cycles and the protocol they run (this one with the stage's currents, without stages)."""
        if not self.stages:
            return [StageSpan(1, self.cycles, self, None, 0)]
        spans, first = [], 1
        for i, stage in enumerate(self.stages, start=1):
            if first > self.cycles:
                break
            last = self.cycles if i == len(self.stages) else min(first + stage.cycles - 1, self.cycles)
            data = self.model_dump(mode="json", exclude_none=True)
            data.pop("stages", None)
            for k, v in stage.changes().items():
                if v is None:
                    data.pop(k, None)
                else:
                    data[k] = v
            data["cycles"] = last - first + 1
            spans.append(StageSpan(first, last, Protocol(**data), stage, i))
            first = last + 1
        return spans


def _densities_on(record: Any, fields: tuple[str, ...], stack: Stack, where: str,
                  problems: list[Problem]) -> dict[str, str]:
    """The ``fields`` of ``record`` (a protocol or a stage) that are C-rates or currents, as current densities on
    ``stack`` ("0.2 mA/cm2"); each out of (0, MAX_CURRENT_DENSITY_A_M2] adds a problem located at ``where`` + field."""
    out = {}
    for which in fields:
        value = getattr(record, which)
        j = density_on(value, stack)
        if j is None:
            continue
        if not 0 < j <= MAX_CURRENT_DENSITY_A_M2:
            problems.append(Problem(where + which, f"{value} is {j / 10:.4g} mA/cm2 on this stack; "
                                    f"need more than 0 and at most {MAX_CURRENT_DENSITY_A_M2 / 10:g} mA/cm2"))
        if not is_current_density(value):
            out[which] = f"{j / 10:.6g} mA/cm2"
    return out


def density_on(value: Q | CRate | None, stack: Stack) -> float | None:
    """A current as a current density on ``stack`` (A/m2): a C-rate on the stack's limiting capacity (min of anode
    and cathode), a current over its area, a current density as it is; None for None."""
    if value is None:
        return None
    if isinstance(value, CRate):
        return value.rate * stack.limiting_capacity_mAh * 1e-3 / stack.area_m2  # A.h * 1/h / m2
    if _is_current(value):
        return value.si / stack.area_m2
    return value.si


def is_current_density(q: Q | CRate | None) -> TypeGuard[Q]:
    """Whether ``q`` is a current density (not a C-rate and not a current)."""
    return isinstance(q, Q) and not _is_current(q)


def _is_current(q: Q | CRate) -> bool:
    if not isinstance(q, Q):
        return False
    try:
        parse_quantity(str(q), "current")
        return True
    except ValueError:
        return False


def _density_only(value: Q | CRate, which: str) -> float:
    if is_current_density(value):
        return value.si
    raise InputError(Problem(which, f"{value} is not a current density; resolve it on a stack first "
                             "(protocol.resolved(stack))"))


#: The stack file's ``[cycling]`` section is a :class:`Protocol`.
Cycling = Protocol
