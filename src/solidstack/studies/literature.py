"""Literature validation: published all-solid-state cells other than the patent's, simulated and compared number
by number (``data/literature.toml`` and the stack files under ``data/literature/<case id>/``).

Every published number has a ``kind`` this module knows how to compute on a simulated run (see :data:`MEASURES`),
or is ``not modelled`` (with the reason) or an ``input`` (a value the model takes from the knowledge base, shown
beside it, never counted as a prediction). Whether a case can run is decided here, at run time, from the stack
files and the knowledge base: a material the catalog does not have, an active without an OCP curve or a stack field
the stack model does not know all turn into ``cannot run`` rows with the lookup's own message, so a case starts
running as soon as the knowledge base or the stack model can express it.

Fitted or predicted is read from the simulation's calibration records: a record whose ``fitted_to`` names a
literature ``case`` and ``number`` marks that number ``fitted``, and the other numbers of the same run ``fitted
cell`` (they come from the cell a constant was fitted on); so does a number's ``kb_fitted`` (a knowledge-base value
set from it, e.g. a practical capacity). Inputs from the very source a number comes from (the
case's ``kb_source_keys``) are marked ``input``: the comparison is a consistency check, not a validation.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from solidstack.errors import InputError, Problem, UnknownNameError

F_C_MOL = 96485.33212  # Faraday constant, C/mol

#: Fields of a number that describe it; every other field is a parameter of its kind.
_META = ("id", "quantity", "value", "value_max", "unit", "qualifier", "where", "confidence", "basis", "note", "kind",
         "reason", "used_as", "model_note", "kb_fitted")
#: Grades that count in the targets (README of the validation set: C is recalled, not confirmed, and not carried).
COUNTED_GRADES = ("A", "B")


class CannotRun(Exception):
    """A number cannot be computed on this installation; the message says why (the lookup's own words)."""


class NotReached(Exception):
    """The simulated run never reached the condition the number is read at (a model result, not a gap)."""


# --------------------------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Run:
    """A simulation of a case: a stack file of the case plus visible overrides (``set``: dotted stack fields)."""

    id: str
    stack: str
    set: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Number:
    """One published number (or a derived trend row) and how solidstack computes its counterpart."""

    case: str
    id: str
    quantity: str
    value: float | None
    unit: str
    kind: str
    confidence: str
    basis: str
    where: str = ""
    qualifier: str = ""
    value_max: float | None = None
    note: str = ""
    reason: str = ""
    used_as: str = ""
    model_note: str = ""
    #: the knowledge-base value that was set from this number (e.g. a practical capacity): compared, marked fitted
    kb_fitted: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    derived: bool = False

    @property
    def runs(self) -> list[str]:
        p = self.params
        out = list(p.get("runs", [])) or ([p["run"]] if "run" in p else [])
        return out + ([p["ref_run"]] if "ref_run" in p else [])

    @property
    def published_text(self) -> str:
        if self.derived:
            return f"{self.params.get('direction', '')} ({self.params.get('from_numbers', '')})"
        q = self.qualifier
        if q == "range":
            return f"{self.value:g}-{self.value_max:g}"
        return f"{q if q in ('>', '<', '~') else ''}{self.value:g}"


@dataclass(frozen=True)
class Case:
    """A published experiment: its citation and sources, its runs and its numbers."""

    id: str
    citation: str
    doi: str
    source_read: str
    overall_confidence: str
    assumptions: tuple[str, ...]
    runs: dict[str, Run]
    numbers: tuple[Number, ...]
    stack_dir: Path
    kb_source_keys: tuple[str, ...] = ()
    notes: str = ""
    origin: str = "validation set"


def default_path() -> Path:
    return Path(str(resources.files("solidstack.studies") / "data" / "literature.toml"))


def load_cases(path: str | Path | None = None) -> list[Case]:
    """The cases of ``path`` (default: the shipped ``literature.toml``), in file order. Stack files of case ``X`` are
    read from ``<folder of path>/<stem of path>/X/``."""
    path = Path(path) if path is not None else default_path()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    stack_root = path.parent / path.stem
    cases = []
    for i, c in enumerate(data.get("case", [])):
        where = f"{path.name}: case[{i}]"
        for key in ("id", "citation", "number"):
            if key not in c:
                raise InputError(Problem(where, f"missing {key!r}"))
        runs = {r["id"]: Run(id=r["id"], stack=r["stack"], set=dict(r.get("set", {})), note=r.get("note", ""))
                for r in c.get("run", [])}
        numbers = [_number(c["id"], n, f"{where}.number[{j}]") for j, n in enumerate(c["number"])]
        numbers += [_trend(c["id"], t) for t in c.get("trend", [])]
        for n in numbers:
            missing = [r for r in n.runs if r not in runs]
            if missing:
                raise InputError(Problem(f"{where} ({c['id']}) {n.id}", f"unknown run {missing[0]!r}"))
        cases.append(Case(id=c["id"], citation=c["citation"], doi=c.get("doi", ""), source_read=c.get("source_read", ""),
                          overall_confidence=c.get("overall_confidence", ""), assumptions=tuple(c.get("assumptions", [])),
                          runs=runs, numbers=tuple(numbers), stack_dir=stack_root / c["id"],
                          kb_source_keys=tuple(c.get("kb_source_keys", [])), notes=c.get("notes", ""),
                          origin=c.get("origin", "validation set")))
    return cases


def _number(case: str, n: dict[str, Any], where: str) -> Number:
    for key in ("id", "quantity", "value", "unit", "kind", "where", "confidence", "basis"):
        if key not in n:
            raise InputError(Problem(where, f"missing {key!r}"))
    kind = n["kind"]
    if kind not in MEASURES and kind not in ("not modelled", "input"):
        raise InputError(Problem(where, f"unknown kind {kind!r}"))
    return Number(case=case, id=n["id"], quantity=n["quantity"], value=float(n["value"]), unit=n["unit"], kind=kind,
                  confidence=n["confidence"], basis=n["basis"], where=n["where"], qualifier=n.get("qualifier", ""),
                  value_max=n.get("value_max"), note=n.get("note", ""), reason=n.get("reason", ""),
                  used_as=n.get("used_as", ""), model_note=n.get("model_note", ""), kb_fitted=n.get("kb_fitted", ""),
                  params={k: v for k, v in n.items() if k not in _META})


def _trend(case: str, t: dict[str, Any]) -> Number:
    params = {k: v for k, v in t.items() if k not in ("id", "quantity", "confidence", "basis")}
    return Number(case=case, id=t["id"], quantity=t["quantity"], value=None, unit="", kind="pressure_trend",
                  confidence=t["confidence"], basis=t["basis"], where="derived from the case's printed numbers",
                  params=params, derived=True)


# --------------------------------------------------------------------------------------------- runs
class _Runs:
    """Builds and simulates the runs of one case, once each; failures are kept as their reason."""

    def __init__(self, case: Case, model: str, max_cycles: int | None,
                 on_run: Callable[[str, str], None] | None = None, catalog: Any = None):
        self.case, self.model, self.max_cycles, self.on_run = case, model, max_cycles, on_run
        self.catalog = catalog  # the knowledge base the runs are simulated with (None: the shipped one)
        self._stacks: dict[str, Any] = {}
        self._results: dict[str, Any] = {}

    def stack(self, run_id: str):
        """The stack of run ``run_id``, built once; raises its :class:`CannotRun` if it cannot be built."""
        return _kept(self._stacks, run_id, lambda: self._build(self.case.runs[run_id]))

    def _build(self, run: Run):
        from solidstack.stack import Stack
        from solidstack.stack.io import parse_text

        where = f"{self.case.id}/{run.stack}"
        path = self.case.stack_dir / run.stack
        try:
            data = parse_text(path.read_text(encoding="utf-8"), "toml", where)
            for dotted, value in run.set.items():
                _set(data, dotted, value)
            return Stack.from_dict(data)
        except InputError as err:
            return CannotRun(f"{where}: " + "; ".join(str(p) for p in err.problems))
        except OSError as err:
            return CannotRun(f"{where}: cannot be read ({err.strerror or err})")
        except Exception as err:  # a stack the stack model cannot build yet must not stop the other cases
            return CannotRun(f"{where}: the stack could not be built ({type(err).__name__}: {_first_line(err)})")

    def result(self, run_id: str):
        """The simulated result of run ``run_id``, simulated once; raises its :class:`CannotRun` if it failed."""
        return _kept(self._results, run_id, lambda: self._simulate(run_id))

    def _simulate(self, run_id: str):
        from solidstack.sim import SimulationError, simulate

        try:
            stack = self.stack(run_id)
        except CannotRun as err:
            return err
        cycles = stack.cycling.cycles if stack.cycling is not None else None
        if self.max_cycles is not None and cycles is not None:
            cycles = min(cycles, self.max_cycles)
        if self.on_run is not None:
            self.on_run(self.case.id, run_id)
        try:
            return simulate(stack, cycles=cycles, model=self.model, catalog=self.catalog)
        except InputError as err:
            return CannotRun(f"{self.case.id}/{run_id}: " + "; ".join(str(p) for p in err.problems))
        except SimulationError as err:
            if err.result is not None and len(err.result.cycles):
                err.result.notes.append(f"run ended early: {err}")
                return err.result
            return CannotRun(f"{self.case.id}/{run_id}: {err}")
        except Exception as err:  # e.g. a solver or model error inside PyBaMM: that run cannot run, the others can
            return CannotRun(f"{self.case.id}/{run_id}: the simulation failed ({type(err).__name__}: {_first_line(err)})")

    @property
    def results(self) -> dict[str, Any]:
        return {k: v for k, v in self._results.items() if not isinstance(v, CannotRun)}


def _kept(store: dict[str, Any], key: str, make: Callable[[], Any]) -> Any:
    """``store[key]``, made by ``make()`` the first time it is asked for; a :class:`CannotRun` made is kept and
    raised each time."""
    if key not in store:
        store[key] = make()
    got = store[key]
    if isinstance(got, CannotRun):
        raise got
    return got


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else "no message"


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set the dotted stack field ``dotted`` to ``value``; in the ``layers`` list a part names the one layer of
    that ``type`` (``"layers.separator.conductivity"``, ``"layers.cathode.electrolyte.conductivity"``)."""
    *parents, last = dotted.split(".")
    node: Any = data
    for p in parents:
        if isinstance(node, list):
            found = [la for la in node if isinstance(la, dict) and la.get("type") == p]
            if len(found) != 1:
                raise InputError(Problem(f"set {dotted!r}", f"the stack has {len(found)} layers of type {p!r}, not one"))
            node = found[0]
        else:
            node = node.setdefault(p, {})
    node[last] = value


# --------------------------------------------------------------------------------------------- measures
@dataclass
class _Ctx:
    runs: _Runs
    catalog: Any

    def cycle_row(self, run_id: str, cycle: int):
        cycles = self.runs.result(run_id).cycles
        row = cycles[cycles["cycle"] == cycle]
        if row.empty:
            limit = f" (--max-cycles {self.runs.max_cycles})" if self.runs.max_cycles else ""
            raise CannotRun(f"{self.runs.case.id}/{run_id}: the run has {len(cycles)} cycle(s){limit}; "
                            f"cycle {cycle} is needed")
        return row.iloc[0]

    def active_g(self, run_id: str, per: str) -> float:
        stack = self.runs.stack(run_id)
        try:
            electrode = stack.cathode if per == "cathode" else stack.anode
        except StopIteration:
            raise CannotRun(f"{self.runs.case.id}/{run_id}: the stack has no {per} active to refer the capacity to") from None
        return electrode.active_mass_kg(stack.area_m2) * 1e3


def _p(n: Number, key: str, default: Any = None) -> Any:
    return n.params.get(key, default)


def _capacity(column: str) -> Callable[[_Ctx, Number, str], float]:
    def measure(ctx: _Ctx, n: Number, run: str) -> float:
        row = ctx.cycle_row(run, int(_p(n, "cycle", 1)))
        return float(row[column]) / ctx.active_g(run, _p(n, "per", "cathode"))
    return measure


def _irreversible(ctx: _Ctx, n: Number, run: str) -> float:
    row = ctx.cycle_row(run, int(_p(n, "cycle", 1)))
    return float(row["charge_capacity_mAh"] - row["discharge_capacity_mAh"]) / ctx.active_g(run, _p(n, "per", "cathode"))


def _ce(ctx: _Ctx, n: Number, run: str) -> float:
    return 100.0 * float(ctx.cycle_row(run, int(_p(n, "cycle", 1)))["coulombic_efficiency"])


def _span(ctx: _Ctx, n: Number, run: str, column: str) -> np.ndarray:
    a, b = int(_p(n, "from_cycle")), int(_p(n, "to_cycle"))
    ctx.cycle_row(run, b)  # raises if the run is too short
    cycles = ctx.runs.result(run).cycles
    return cycles[(cycles["cycle"] >= a) & (cycles["cycle"] <= b)][column].to_numpy(dtype=float)


def _mean_ce(ctx: _Ctx, n: Number, run: str) -> float:
    return 100.0 * float(np.mean(_span(ctx, n, run, "coulombic_efficiency")))


def _mean_discharge_V(ctx: _Ctx, n: Number, run: str) -> float:
    return float(np.nanmean(_span(ctx, n, run, "mean_discharge_voltage_V")))


def _retention(ctx: _Ctx, n: Number, run: str) -> float:
    q = ctx.cycle_row(run, int(_p(n, "cycle")))["discharge_capacity_mAh"]
    q0 = ctx.cycle_row(run, int(_p(n, "ref_cycle", 1)))["discharge_capacity_mAh"]
    return 100.0 * float(q / q0)


def _fade(ctx: _Ctx, n: Number, run: str) -> float:
    a, b = int(_p(n, "from_cycle")), int(_p(n, "to_cycle"))
    qa, qb = (ctx.cycle_row(run, c)["discharge_capacity_mAh"] for c in (a, b))
    return 100.0 * float(1.0 - qb / qa) / (b - a)


def _ratio(ctx: _Ctx, n: Number, run: str) -> float:
    c = int(_p(n, "cycle", 1))
    return 100.0 * float(ctx.cycle_row(run, c)["discharge_capacity_mAh"] / ctx.cycle_row(n.params["ref_run"], c)["discharge_capacity_mAh"])


def _difference(ctx: _Ctx, n: Number, run: str) -> float:
    cap = _capacity("discharge_capacity_mAh")
    return cap(ctx, n, run) - cap(ctx, n, n.params["ref_run"])


def _first_charge(ctx: _Ctx, run: str, cycle: int):
    ts = ctx.runs.result(run).timeseries
    charge = ts[(ts["cycle"] == cycle) & (ts["current_A"] < 0)]
    if charge.empty:
        raise CannotRun(f"{ctx.runs.case.id}/{run}: no charge step in cycle {cycle} of the kept time series")
    return charge


def _charge_at_voltage_mAh_cm2(ctx: _Ctx, n: Number, run: str) -> float:
    from solidstack.units import parse_quantity

    target = parse_quantity(n.params["voltage"], "voltage").si
    charge = _first_charge(ctx, run, int(_p(n, "cycle", 1)))
    v = charge["voltage_V"].to_numpy(dtype=float)
    q = np.abs(charge["capacity_mAh"].to_numpy(dtype=float) - float(charge["capacity_mAh"].iloc[0]))
    above = np.nonzero(v >= target)[0]
    if len(above) == 0:
        raise NotReached(f"the simulated charge never reaches {target:g} V (it ends at {v[-1]:.3f} V)")
    i = int(above[0])
    qi = q[0] if i == 0 else float(np.interp(target, [v[i - 1], v[i]], [q[i - 1], q[i]]))
    return qi / (ctx.runs.stack(run).area_m2 * 1e4)


def _plated_um(ctx: _Ctx, n: Number, run: str) -> float:
    stack = ctx.runs.stack(run)
    if "voltage" in n.params:
        q_cm2 = _charge_at_voltage_mAh_cm2(ctx, n, run)
    else:
        q_cm2 = float(ctx.cycle_row(run, int(_p(n, "cycle", 1)))["charge_capacity_mAh"]) / (stack.area_m2 * 1e4)
    metal = ctx.catalog.metal(stack.working_ion)
    vm = metal.molar_volume_cm3_mol or metal.molar_mass_g_mol / metal.density_g_cm3
    return q_cm2 * 3.6 / F_C_MOL * vm * 1e4  # mAh/cm2 -> C/cm2 -> mol/cm2 -> cm3/cm2 -> um


def _energy_Wh(ctx: _Ctx, n: Number, run: str) -> float:
    row = ctx.cycle_row(run, int(_p(n, "cycle", 1)))
    return float(row["discharge_capacity_mAh"] * row["mean_discharge_voltage_V"]) * 1e-3


def _energy_density(ctx: _Ctx, n: Number, run: str) -> float:
    """Wh/L: the run's cycle-N discharge energy over the stack's volume, its thickness plus ``packaging_thickness``;
    the area is the stack's own (its electrodes'), or the source's ``footprint_area`` (the cell's outline, which a
    pouch's margins make larger than its electrodes) where the number's source divides by that."""
    from solidstack.units import parse_quantity

    stack = ctx.runs.stack(run)
    extra = parse_quantity(n.params["packaging_thickness"], "length").si if "packaging_thickness" in n.params else 0.0
    area = parse_quantity(n.params["footprint_area"], "area").si if "footprint_area" in n.params else stack.area_m2
    return _energy_Wh(ctx, n, run) / (area * (stack.thickness_m + extra) * 1e3)


def _specific_energy_composite(ctx: _Ctx, n: Number, run: str) -> float:
    stack = ctx.runs.stack(run)
    return _energy_Wh(ctx, n, run) / stack.cathode.mass_kg(stack.area_m2)


def _anode_held(ctx: _Ctx, n: Number, run: str) -> float:
    row = ctx.cycle_row(run, int(_p(n, "cycle", 1)))
    cols = [c for c in row.index if c.startswith("anode_") and c.endswith("_held_mAh")]
    if not cols:
        raise CannotRun(f"{ctx.runs.case.id}/{run}: the result has no anode host column")
    return float(row[cols[0]]) / ctx.active_g(run, "cathode")


def _ocp_curve(ctx: _Ctx, n: Number):
    name, ion = n.params["active"], n.params.get("ion", "Li")
    try:
        active = ctx.catalog.active(name, ion)
    except UnknownNameError as err:
        raise CannotRun(str(err)) from None
    if active.ocp is None:
        raise CannotRun(f"{active.key} has no OCP curve for {ion}+ in the knowledge base")
    return active.ocp


def _host_potential(ctx: _Ctx, n: Number, run: str | None) -> float:
    x = float(n.params["x"])
    if "metal" in n.params:
        metal, ion = n.params["metal"], n.params.get("ion", "Li")
        try:
            steps = ctx.catalog.reactions(metal, ion).steps
        except UnknownNameError as err:
            raise CannotRun(str(err)) from None
        step = next((s for s in steps if s.x_from is not None and s.x_to is not None and s.x_from <= x <= s.x_to), None)
        if step is None or step.potential_V is None:
            what = f"step {step.from_phase} -> {step.to_phase}" if step else f"no step spans x = {x:g}"
            raise CannotRun(f"{metal}-{ion}: no potential in the knowledge base at x = {x:g} ({what})")
        return float(step.potential_V)
    curve = _ocp_curve(ctx, n)
    if not min(curve.x) <= x <= max(curve.x):
        raise CannotRun(f"x = {x:g} is outside the OCP table of {n.params['active']} ({min(curve.x):g}-{max(curve.x):g})")
    return curve(x)


def ocp_plateaus(x: np.ndarray, U: np.ndarray, slope_V: float = 0.25, min_width: float = 0.04) -> list[float]:
    """Mean potentials (V) of the plateaus of an OCP curve, highest first: the stretches at least ``min_width``
    long in x where |dU/dx| stays below ``slope_V`` (V per unit of x). The defaults find the staging plateaus of
    graphite (slopes of a few 0.01-0.2 V per unit x) and not its sloping dilute region (> 0.5 V per unit x)."""
    grid = np.linspace(float(np.min(x)), float(np.max(x)), 1001)
    u = np.interp(grid, x, U)
    flat = np.abs(np.gradient(u, grid)) < slope_V
    out, start = [], None
    for i, f in enumerate(np.append(flat, False)):
        if f and start is None:
            start = i
        elif not f and start is not None:
            if grid[i - 1] - grid[start] >= min_width:
                out.append(float(np.mean(u[start:i])))
            start = None
    return sorted(out, reverse=True)


def _ocp_plateau(ctx: _Ctx, n: Number, run: str | None) -> float:
    curve = _ocp_curve(ctx, n)
    plateaus = ocp_plateaus(np.asarray(curve.x), np.asarray(curve.U_V))
    i = int(n.params["index"])
    if i > len(plateaus):
        raise NotReached(f"the OCP curve of {n.params['active']} has {len(plateaus)} plateau(s), not {i}")
    return plateaus[i - 1]


def _collector_resistance(ctx: _Ctx, n: Number, run: str) -> float:
    """The DC resistance (ohm cm2) of a collector | electrode | collector cell of the run's electrode (``side``,
    default the cathode) at the run's stack pressure, as the model has it: two electrode|collector contacts
    (``sim/collector.py``) and the electrode's own electronic resistance. Read from the stack: nothing is simulated."""
    from solidstack.sim.collector import symmetric_cell_resistance_ohm_cm2

    return symmetric_cell_resistance_ohm_cm2(ctx.runs.stack(run), _p(n, "side", "cathode"), catalog=ctx.catalog)


@dataclass(frozen=True)
class Measure:
    """How a kind is computed (``fn(ctx, number, run)``; ``run`` None for kinds read from the knowledge base) and its
    tolerance: ``("rel", f)`` a fraction of the published value, ``("abs", t)`` in the number's unit, ``("span", t)``
    t points spread over the cycles of the span, ``("ref", f)`` a fraction of the reference run's capacity."""

    fn: Callable[..., float]
    tolerance: tuple[str, float]
    needs_run: bool = True


#: Tolerances of issue 9: voltages +-0.1 V, capacities +-15 %, first-cycle CE +-3 points, retention +-5 points.
#: Chosen here where the issue is silent: mean CE over many cycles +-1 point; capacity ratios +-5 points (as
#: retention); fade per cycle: 5 points of retention over the span; capacity differences +-15 % of the
#: reference run's capacity (a difference carries the uncertainty of both capacities); collector contact
#: resistances +-15 % (as capacities).
MEASURES: dict[str, Measure] = {
    "charge_capacity_mAh_g": Measure(_capacity("charge_capacity_mAh"), ("rel", 0.15)),
    "discharge_capacity_mAh_g": Measure(_capacity("discharge_capacity_mAh"), ("rel", 0.15)),
    "irreversible_capacity_mAh_g": Measure(_irreversible, ("rel", 0.15)),
    "capacity_difference_mAh_g": Measure(_difference, ("ref", 0.15)),
    "coulombic_efficiency_pct": Measure(_ce, ("abs", 3.0)),
    "mean_coulombic_efficiency_pct": Measure(_mean_ce, ("abs", 1.0)),
    "retention_pct": Measure(_retention, ("abs", 5.0)),
    "capacity_ratio_pct": Measure(_ratio, ("abs", 5.0)),
    "fade_per_cycle_pct": Measure(_fade, ("span", 5.0)),
    "mean_discharge_voltage_V": Measure(_mean_discharge_V, ("abs", 0.1)),
    "charge_at_voltage_mAh_cm2": Measure(_charge_at_voltage_mAh_cm2, ("rel", 0.15)),
    "plated_thickness_um": Measure(_plated_um, ("rel", 0.15)),
    "energy_density_Wh_L": Measure(_energy_density, ("rel", 0.15)),
    "specific_energy_composite_Wh_kg": Measure(_specific_energy_composite, ("rel", 0.15)),
    "anode_held_mAh_g": Measure(_anode_held, ("rel", 0.15)),
    "collector_resistance_ohm_cm2": Measure(_collector_resistance, ("rel", 0.15)),
    "host_potential_V": Measure(_host_potential, ("abs", 0.1), needs_run=False),
    "ocp_plateau_V": Measure(_ocp_plateau, ("abs", 0.1), needs_run=False),
}


def _published(n: Number) -> float:
    """The published value of a number the suite compares (every such number has one; the data tests check it)."""
    if n.value is None:
        raise ValueError(f"{n.case} {n.id}: no published value")
    return float(n.value)


def _tolerance_width(ctx: _Ctx, n: Number, run: str | None) -> tuple[float, str]:
    mode, t = MEASURES[n.kind].tolerance
    if mode == "rel":
        return t * abs(_published(n)), f"+-{t * 100:g} %"
    if mode == "span":
        span = int(n.params["to_cycle"]) - int(n.params["from_cycle"])
        return t / span, f"+-{t:g} points over cycles {n.params['from_cycle']}-{n.params['to_cycle']}"
    if mode == "ref":
        ref = _capacity("discharge_capacity_mAh")(ctx, n, n.params["ref_run"])
        return t * abs(ref), f"+-{t * 100:g} % of the reference run's capacity"
    unit = "V" if n.kind.endswith("_V") else ("points" if n.kind.endswith("_pct") else n.unit)
    return t, f"+-{t:g} {unit}"


def _within(n: Number, s: float, width: float) -> tuple[bool, float]:
    """(within tolerance, difference simulated - published; for a range 0 inside it, else from the nearest end)."""
    v, q = _published(n), n.qualifier
    if q == "range":
        hi = float(n.value_max if n.value_max is not None else v)
        diff = 0.0 if v <= s <= hi else (s - v if s < v else s - hi)
        return v - width - 1e-9 <= s <= hi + width + 1e-9, diff
    if q == ">":
        return s >= v - width - 1e-9, s - v
    if q == "<":
        return s <= v + width + 1e-9, s - v
    return abs(s - v) <= width + 1e-9, s - v


# --------------------------------------------------------------------------------------------- comparison
@dataclass(frozen=True)
class Comparison:
    """One published number (or derived trend) beside its simulated counterpart."""

    case: str
    number: str
    quantity: str
    kind: str
    unit: str
    published: float | None
    published_text: str
    simulated: float | None
    simulated_text: str
    difference: float | None
    tolerance: str
    within: bool | None
    calibration: str  # fitted | fitted cell | predicted | input | "" (not computed)
    confidence: str
    basis: str
    where: str
    status: str  # compared | not modelled | cannot run | input
    reason: str = ""
    derived: bool = False
    note: str = ""

    @property
    def fitted(self) -> bool:
        return self.calibration == "fitted"

    def record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LiteratureValidation:
    """The comparison of every published number of the cases run, and the simulated runs (``results[case][run]``)."""

    comparisons: list[Comparison]
    results: dict[str, dict[str, Any]]
    model: str
    cases: list[str]

    def records(self) -> list[dict[str, Any]]:
        return [c.record() for c in self.comparisons]

    def summary(self) -> dict[str, Any]:
        """Counts over the published A/B numbers (derived trends apart): how many the suite computes at all
        (``modelled``), how many ran here (``compared``), and how many predicted ones are within tolerance."""
        pub = [c for c in self.comparisons if not c.derived and c.confidence in COUNTED_GRADES]
        modelled = [c for c in pub if c.kind not in ("not modelled", "input")]
        compared = [c for c in modelled if c.status == "compared"]
        predicted = [c for c in compared if c.calibration == "predicted"]
        within = [c for c in predicted if c.within]
        trends = [c for c in self.comparisons if c.derived]
        t_run = [c for c in trends if c.status == "compared"]
        ran = sorted({c.case for c in compared})
        return {
            "cases": len(self.cases), "cases_run": len(ran), "cases_run_ids": ran,
            "numbers": len(pub), "modelled": len(modelled), "compared": len(compared),
            "not_modelled": sum(c.status == "not modelled" for c in pub), "inputs": sum(c.kind == "input" for c in pub),
            "cannot_run": sum(c.status == "cannot run" for c in pub),
            "fitted": sum(c.calibration in ("fitted", "fitted cell") for c in compared),
            "predicted": len(predicted), "within": len(within),
            "coverage_modelled": len(modelled) / len(pub) if pub else 0.0,
            "coverage_compared": len(compared) / len(pub) if pub else 0.0,
            "share_within": len(within) / len(predicted) if predicted else None,
            "trends": len(trends), "trends_compared": len(t_run), "trends_in_direction": sum(bool(c.within) for c in t_run),
        }

    def summary_lines(self) -> list[str]:
        s = self.summary()
        share = "n/a" if s["share_within"] is None else f"{100 * s['share_within']:.0f} %"
        return [
            f"cases: {s['cases_run']} of {s['cases']} ran at least one number",
            f"A/B numbers: {s['numbers']}; modelled {s['modelled']} ({100 * s['coverage_modelled']:.0f} %), compared here "
            f"{s['compared']} ({100 * s['coverage_compared']:.0f} %), not modelled {s['not_modelled']}, inputs {s['inputs']}, "
            f"cannot run {s['cannot_run']}",
            f"predicted numbers within tolerance: {s['within']} of {s['predicted']} ({share}); fitted or on a fitted cell: {s['fitted']}",
            f"pressure trends (derived): {s['trends_in_direction']} of {s['trends_compared']} compared in the published direction "
            f"({s['trends']} in all)",
        ]

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps({"model": self.model, "summary": self.summary(), "comparisons": self.records()}, indent=2,
                          allow_nan=False, default=_jsonable)
        if path is not None:
            from solidstack.fsio import atomic_write

            atomic_write(Path(path), text + "\n")
        return text

    def to_dataframe(self):
        import pandas as pd

        return pd.DataFrame(self.records())

    def write(self, out: str | Path) -> list[Path]:
        """``literature.csv``, ``literature.json`` and ``summary.txt`` in folder ``out``."""
        from solidstack.fsio import atomic_write, prepare_out_dir

        out = prepare_out_dir(out)
        paths = [atomic_write(out / "literature.csv", self.to_dataframe().to_csv(index=False)),
                 atomic_write(out / "literature.json", self.to_json() + "\n"),
                 atomic_write(out / "summary.txt", "\n".join(self.summary_lines()) + "\n")]
        return paths

    def __rich__(self):
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        t = Table(title=f"literature validation ({self.model})", title_justify="left")
        for name, justify in (("case", "left"), ("number", "left"), ("quantity", "left"), ("published", "right"),
                              ("simulated", "right"), ("difference", "right"), ("tolerance", "left"), ("within", "left"),
                              ("fitted / predicted", "left"), ("conf.", "left"), ("status", "left")):
            t.add_column(name, justify=justify, overflow="fold")
        reasons: dict[str, int] = {}
        for c in self.comparisons:
            within = "" if c.within is None else ("yes" if c.within else "no")
            diff = "" if c.difference is None else f"{c.difference:+.3g}"
            status = c.status
            if c.reason:
                status += f" [{reasons.setdefault(c.reason, len(reasons) + 1)}]"
            t.add_row(c.case.split("-")[0], c.number, c.quantity, f"{c.published_text} {c.unit}".strip(), c.simulated_text,
                      diff, c.tolerance, within, c.calibration, c.confidence, status)
        notes = [Text(f"[{i}] {r}") for r, i in reasons.items()]
        return Group(t, *notes, *(Text(line) for line in self.summary_lines()))


def _jsonable(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, (np.floating, np.integer)):
        return _jsonable(float(x))
    if isinstance(x, np.bool_):
        return bool(x)
    return str(x)


def fitted_numbers(records: list[dict[str, Any]] | None = None) -> set[tuple[str, str]]:
    """(case, number id) of every literature number a calibration record was fitted to."""
    if records is None:
        from solidstack.sim.data_files import calibration_records

        records = calibration_records()
    out = set()
    for r in records:
        targets = r.get("fitted_to", [])
        for t in targets if isinstance(targets, list) else [targets]:
            if "case" in t and "number" in t:
                out.add((t["case"], t["number"]))
    return out


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _compare(n: Number, case: Case, ctx: _Ctx, fitted: set[tuple[str, str]], fitted_runs: set[str]) -> Comparison:
    base: dict[str, Any] = dict(case=n.case, number=n.id, quantity=n.quantity, kind=n.kind, unit=n.unit, published=n.value,
                published_text=n.published_text, confidence=n.confidence, basis=n.basis, where=n.where,
                derived=n.derived, note="; ".join(x for x in (n.model_note, n.note, n.kb_fitted and f"fitted: {n.kb_fitted}")
                                                  if x))
    empty: dict[str, Any] = dict(simulated=None, simulated_text="", difference=None, tolerance="", within=None)
    if n.kind == "not modelled":
        return Comparison(**base, **empty, calibration="", status="not modelled", reason=n.reason)
    if n.kind == "input":
        return _input_row(n, ctx, base, empty)
    if n.kind == "pressure_trend":
        return _trend_row(n, ctx, base, empty)
    runs: list[str | None] = list(n.runs) if MEASURES[n.kind].needs_run else [None]
    read_on = n.params.get("runs") or [n.params.get("run")]  # the runs the number is read on (not ref_run)
    try:
        values, width, tol_text = [], 0.0, ""
        for run in read_on:
            values.append(MEASURES[n.kind].fn(ctx, n, run))
            width, tol_text = _tolerance_width(ctx, n, run)
    except CannotRun as err:
        return Comparison(**base, **empty, calibration="", status="cannot run", reason=str(err))
    except NotReached as err:
        return Comparison(**base, simulated=None, simulated_text="not reached", difference=None, tolerance="",
                          within=False, calibration=_calibration(n, case, ctx, fitted, fitted_runs, runs),
                          status="compared", reason=str(err))
    except Exception as err:  # a result without what the kind reads (e.g. a column): reported, not raised
        return Comparison(**base, **empty, calibration="", status="cannot run",
                          reason=f"could not compute {n.kind} ({type(err).__name__}: {_first_line(err)})")
    checks = [_within(n, s, width) for s in values]
    worst = max(range(len(values)), key=lambda i: (not checks[i][0], abs(checks[i][1])))
    text = ", ".join(_fmt(s) for s in values)
    return Comparison(**base, simulated=float(values[worst]), simulated_text=text, difference=float(checks[worst][1]),
                      tolerance=tol_text, within=all(c[0] for c in checks),
                      calibration=_calibration(n, case, ctx, fitted, fitted_runs, runs), status="compared")


def _calibration(n: Number, case: Case, ctx: _Ctx, fitted: set[tuple[str, str]], fitted_runs: set[str],
                 runs: list[str | None]) -> str:
    if (n.case, n.id) in fitted or n.kb_fitted:
        return "fitted"
    if any(r in fitted_runs for r in runs if r is not None):
        return "fitted cell"
    if case.kb_source_keys and _kb_sources(n, ctx) & set(case.kb_source_keys):
        return "input"
    return "predicted"


def _kb_sources(n: Number, ctx: _Ctx) -> set[str]:
    """Source keys of the knowledge-base values a number read from the knowledge base is computed from."""
    try:
        if "active" in n.params:
            srcs = _ocp_curve(ctx, n).sources
        elif "metal" in n.params:
            steps = ctx.catalog.reactions(n.params["metal"], n.params.get("ion", "Li")).steps
            srcs = {k: v for s in steps for k, v in s.sources.items()}
        elif "electrolyte" in n.params:
            srcs = ctx.catalog.electrolyte(n.params["electrolyte"]).sources
        else:
            return set()
    except (CannotRun, UnknownNameError):
        return set()
    return {ref.key for refs in srcs.values() for ref in refs}


def _input_row(n: Number, ctx: _Ctx, base: dict[str, Any], empty: dict[str, Any]) -> Comparison:
    reason = f"a model input ({n.used_as})" if n.used_as else "a model input"
    if n.params.get("property") != "conductivity":
        return Comparison(**base, **empty, calibration="input", status="input", reason=reason)
    try:
        e = ctx.catalog.electrolyte(n.params["electrolyte"])
    except UnknownNameError as err:
        return Comparison(**base, **empty, calibration="input", status="input", reason=f"{reason}; {err}")
    if e.conductivity_S_cm is None:
        return Comparison(**base, **empty, calibration="input", status="input", reason=f"{reason}; {e.key} has no conductivity")
    cited = ", ".join(sorted({r.key for r in e.sources.get("conductivity", ())}))
    reason = f"{reason}; the knowledge base's value for {e.key} (source {cited or 'none'}) is shown as simulated"
    scale = {"S/cm": 1.0, "mS/cm": 1e3}.get(n.unit)
    if scale is None:
        return Comparison(**base, **empty, calibration="input", status="input", reason=reason)
    kb = e.conductivity_S_cm * scale
    given = _stack_conductivities(ctx, e.key)
    if given:  # the case's stack files set the SE's conductivity: that value is the model's input, not the KB's
        v = sorted(given)[len(given) // 2] * 1e-2 * scale  # S/m -> S/cm -> the row's unit (one value in practice)
        reason = (f"a model input ({n.used_as or 'SE conductivity'}); the case's stack files set {e.key}'s conductivity "
                  f"({', '.join(_fmt(g * 1e-2 * scale) for g in sorted(given))} {n.unit}), shown as simulated; the "
                  f"knowledge base's {_fmt(kb)} {n.unit} (source {cited or 'none'}) is not used")
        return Comparison(**base, simulated=v, simulated_text=_fmt(v), difference=v - _published(n), tolerance="",
                          within=None, calibration="input", status="input", reason=reason)
    return Comparison(**base, simulated=kb, simulated_text=_fmt(kb), difference=kb - _published(n), tolerance="",
                      within=None, calibration="input", status="input", reason=reason)


def _stack_conductivities(ctx: _Ctx, key: str) -> set[float]:
    """The SE conductivities (S/m) the case's runs set in their stack files for electrolyte ``key`` (separator and
    composite electrolytes); runs that cannot be built are skipped."""
    out: set[float] = set()
    for run_id in ctx.runs.case.runs:
        try:
            stack = ctx.runs.stack(run_id)
        except CannotRun:
            continue
        for layer in stack.layers:
            if getattr(layer, "type", None) == "separator":
                pairs = [(layer.electrolyte, layer.conductivity_S_m())]
            elif hasattr(layer, "components"):
                pairs = [(c.material, c.conductivity_S_m()) for role, c in layer.components() if role == "electrolyte"]
            else:
                continue
            for name, value in pairs:
                if value is None:
                    continue
                try:
                    if ctx.catalog.electrolyte(name).key == key:
                        out.add(float(value))
                except UnknownNameError:
                    continue
    return out


def _trend_row(n: Number, ctx: _Ctx, base: dict[str, Any], empty: dict[str, Any]) -> Comparison:
    measure = dict(n.params["measure"])
    kind = measure.pop("kind")
    sub = Number(case=n.case, id=n.id, quantity=n.quantity, value=1.0, unit="", kind=kind, confidence=n.confidence,
                 basis=n.basis, params=measure)
    try:
        values = [MEASURES[kind].fn(ctx, sub, run) for run in n.params["runs"]]
    except CannotRun as err:
        return Comparison(**base, **empty, calibration="", status="cannot run", reason=str(err))
    except Exception as err:
        return Comparison(**base, **empty, calibration="", status="cannot run",
                          reason=f"could not compute {kind} ({type(err).__name__}: {_first_line(err)})")
    steps = np.diff(values)
    direction = n.params["direction"]
    ok = bool(np.all(steps > 0)) if direction == "increasing" else bool(np.all(steps < 0))
    pressures = n.params.get("pressures_MPa", [])
    text = ", ".join(_fmt(v) for v in values) + (f" at {', '.join(f'{p:g}' for p in pressures)} MPa" if pressures else "")
    return Comparison(**{**base, **empty, "simulated_text": text, "tolerance": f"{direction} with pressure", "within": ok},
                      calibration="predicted", status="compared")


# --------------------------------------------------------------------------------------------- entry point
def literature(
    cases: list[str] | None = None,
    model: str = "SPMe",
    *,
    path: str | Path | None = None,
    max_cycles: int | None = None,
    catalog: Any = None,
    calibration_records: list[dict[str, Any]] | None = None,
    on_case: Callable[[str, int, int], None] | None = None,
    on_run: Callable[[str, str], None] | None = None,
) -> LiteratureValidation:
    """Run the literature cases (all, or the ids in ``cases``) and compare every published number.

    A case is named by its id or a unique prefix of it (``"doux2020"``). ``path``: a cases file in the shipped format (default: the shipped one); ``max_cycles`` caps every run (numbers
    needing later cycles become "cannot run"); ``catalog``: the knowledge base the runs are simulated with and the
    knowledge-base numbers are read from (default: the shipped one); ``calibration_records``: the calibration records deciding fitted/predicted (default: the
    simulation's own); ``on_case(case, i, n)`` is called after each case and ``on_run(case, run)`` before each
    simulation (for progress bars). An unknown case id raises
    :class:`~solidstack.errors.UnknownNameError`.
    """
    from solidstack.materials import default_catalog

    all_cases = load_cases(path)
    by_id = {c.id: c for c in all_cases}
    chosen = all_cases
    if cases:
        chosen = []
        for cid in cases:
            hits = [k for k in by_id if k == cid] or [k for k in by_id if k.startswith(cid)]
            if len(hits) != 1:
                raise UnknownNameError("literature case", cid, by_id, where="--case")
            chosen.append(by_id[hits[0]])
    catalog = catalog or default_catalog()
    fitted = fitted_numbers(calibration_records)
    comparisons, results = [], {}
    for i, case in enumerate(chosen, start=1):
        runs = _Runs(case, model, max_cycles, on_run, catalog)
        ctx = _Ctx(runs, catalog)
        fitted_runs = {r for n in case.numbers if (case.id, n.id) in fitted for r in n.runs}
        comparisons += [_compare(n, case, ctx, fitted, fitted_runs) for n in case.numbers]
        results[case.id] = runs.results
        if on_case is not None:
            on_case(case.id, i, len(chosen))
    return LiteratureValidation(comparisons=comparisons, results=results, model=model, cases=[c.id for c in chosen])
