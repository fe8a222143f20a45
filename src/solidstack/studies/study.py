"""Study files: a base stack, a protocol, a model, axes over stack fields and a design of experiments.

A study file is TOML (or YAML/JSON) with units, like a stack file::

    name = "In thickness x pressure x Cu"
    stack = "example-4"            # a preset name or a stack file (relative to the study file)
    model = "SPM"                  # SPM, SPMe or DFN
    cycles = 2                     # overrides the stack's [cycling] cycles
    retention_cycle = 2            # the N of "retention at cycle N" (default: the last cycle)
    outputs = ["energy", "retention", "claims"]   # default: every output group (see OUTPUTS)

    [protocol]                     # optional overrides of the stack's [cycling] section (same fields and units)
    current_density = "0.2 mA/cm2"

    [set]                          # optional fixed changes of the base stack, by field path
    "layers[6].thickness" = "20 um"

    [design]
    kind = "grid"                  # grid (every combination), random or lhs (Latin hypercube, scipy.stats.qmc)
    samples = 20                   # random / lhs only
    seed = 1

    [[axes]]
    path = "layers[1].thickness"   # a field path into the stack's data
    range = ["5 um", "100 um"]     # a range with steps (linear, or scale = "log") ...
    steps = 3

    [[axes]]
    path = "stack_pressure"
    values = ["0 MPa", "5 MPa", "50 MPa"]   # ... a list ...

    [[axes]]
    name = "inert layer"
    path = "layers[2]"             # a whole layer: a table replaces it, "none" removes it
    values = ["keep", "none"]
    labels = ["Cu", "none"]

    [[axes]]
    path = "cycling.current_density"
    distribution = "loguniform"    # ... or a distribution (random / lhs designs): uniform, loguniform, normal
    low = "0.1 mA/cm2"
    high = "1 mA/cm2"

Paths index the *base* stack's layers (``layers[2]`` stays the base's third layer when another axis removes a
layer); an axis may set several paths at once (``path = ["layers[3].active.fraction",
"layers[3].electrolyte.fraction"]`` with each value a list), e.g. a composite's fractions, which must still sum
to 1. In random and lhs designs a range axis is sampled continuously between its ends and a list axis picks
one of its values. Problems are reported one line each, located (``study.toml: axes[1].range: ...``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solidstack.errors import InputError, Problem
from solidstack.stack.cycling import STEP_CURRENT_FIELDS

#: Output groups a study can record (``outputs = [...]``); see :mod:`solidstack.studies.outputs`.
OUTPUTS = ("energy", "capacity", "ce", "retention", "voltages", "contact", "losses", "eligibility", "claims")
DOE_KINDS = ("grid", "random", "lhs")
DISTRIBUTIONS = ("uniform", "loguniform", "normal")
MODEL_NAMES = {"spm": "SPM", "spme": "SPMe", "dfn": "DFN"}
KEEP, REMOVE = "keep", "none"

_TOP_FIELDS = {"name", "description", "stack", "model", "cycles", "retention_cycle", "outputs", "protocol", "set",
               "design", "axes"}
_AXIS_FIELDS = {"name", "path", "values", "labels", "range", "steps", "scale", "distribution", "low", "high", "mean",
                "std"}
_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_PATH_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


# ---------------------------------------------------------------------------------------------- field paths
def parse_path(path: str) -> list[str | int]:
    """``layers[1].thickness`` -> ``["layers", 1, "thickness"]``; raises ValueError for a malformed path."""
    if not isinstance(path, str) or not path.strip():
        raise ValueError(f"a field path must be a non-empty string, got {path!r}")
    parts: list[str | int] = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        m = _PATH_TOKEN.match(text, pos)
        if not m or (pos == 0 and text.startswith(".")):
            raise ValueError(f"malformed field path {path!r} (write e.g. 'layers[1].thickness' or 'stack_pressure')")
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    return parts


def check_path(data: dict[str, Any], path: str) -> None:
    """Raise ValueError unless ``path`` points into ``data`` (its last key may be new in an existing table)."""
    parts = parse_path(path)
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list):
                raise ValueError(f"{path!r}: {_join(parts[:i]) or 'the stack'} is not a list")
            if part >= len(node):
                raise ValueError(f"{path!r}: index {part} is out of range ({_join(parts[:i])} has {len(node)} entries)")
        else:
            if not isinstance(node, dict):
                raise ValueError(f"{path!r}: {_join(parts[:i]) or 'the stack'} is not a table")
            if part not in node and not last:
                raise ValueError(f"{path!r}: the base stack has no field {_join(parts[: i + 1])!r}")
        if not last:
            node = node[part]


def _join(parts: list[str | int]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def copy_data(value: Any) -> Any:
    """A deep copy of stack data (tables, lists and scalars as read from a file): several times faster than
    ``copy.deepcopy``, which a study pays for every design; anything else is deep-copied."""
    if isinstance(value, dict):
        return {k: copy_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_data(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return copy.deepcopy(value)


def apply_changes(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of stack data ``base`` with ``changes`` (path -> value) applied; a whole layer set to ``"none"`` is
    removed (after every other change, so paths keep indexing the base's layers), ``"keep"`` leaves it."""
    data = copy_data(base)
    removed: list[int] = []
    for path, value in changes.items():
        parts = parse_path(path)
        if isinstance(value, str) and value == KEEP:
            continue
        if len(parts) == 2 and parts[0] == "layers" and isinstance(parts[1], int) and value == REMOVE:
            removed.append(parts[1])
            continue
        node: Any = data
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = copy_data(value)
    for i in sorted(set(removed), reverse=True):
        del data["layers"][i]
    return data


# ---------------------------------------------------------------------------------------------- axes
@dataclass(frozen=True)
class Axis:
    """One swept dimension: ``paths`` set together to each value.

    ``kind`` is ``list`` (``values``), ``range`` (``low``..``high`` in ``unit`` with ``steps``, ``scale`` linear or
    log) or ``distribution`` (``dist`` uniform/loguniform between ``low`` and ``high``, normal with ``mean`` and
    ``std``; magnitudes in ``unit``). ``labels`` name list values (default: the values as written).
    """

    name: str
    paths: tuple[str, ...]
    kind: str
    values: tuple[Any, ...] = ()
    labels: tuple[str, ...] = ()
    unit: str | None = None
    low: float | None = None
    high: float | None = None
    steps: int | None = None
    scale: str = "linear"
    dist: str | None = None
    mean: float | None = None
    std: float | None = None

    @property
    def column(self) -> str:
        """The store column holding this axis (numbers in ``unit`` for quantities, labels otherwise)."""
        base = re.sub(r"[^A-Za-z0-9]+", "_", self.name).strip("_")
        return f"{base}_{_unit_slug(self.unit)}" if self.unit else base

    @property
    def numeric(self) -> bool:
        """True if the recorded values are numbers (a quantity, a range, a distribution or plain numbers)."""
        if self.kind != "list" or self.unit is not None:
            return True
        return not self.labels and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.values)

    def grid_values(self) -> list[Any]:
        """The axis's values for a full grid."""
        if self.kind == "list":
            return list(self.values)
        if self.kind == "range":
            assert self.low is not None and self.high is not None and self.steps is not None
            if self.steps == 1:
                mags = [self.low]
            elif self.scale == "log":
                mags = [self.low * (self.high / self.low) ** (i / (self.steps - 1)) for i in range(self.steps)]
            else:
                mags = [self.low + (self.high - self.low) * i / (self.steps - 1) for i in range(self.steps)]
            return [self._format(m) for m in mags]
        raise ValueError(f"axis {self.name!r}: a distribution has no grid; use design kind random or lhs")

    def sample(self, u: float) -> Any:
        """The value at quantile ``u`` in [0, 1) (random and Latin-hypercube designs)."""
        if self.kind == "list":
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        if self.kind == "range" or self.dist in ("uniform", "loguniform"):
            assert self.low is not None and self.high is not None
            log = self.scale == "log" if self.kind == "range" else self.dist == "loguniform"
            if log:
                return self._format(self.low * (self.high / self.low) ** u)
            return self._format(self.low + (self.high - self.low) * u)
        from scipy.stats import norm

        assert self.mean is not None and self.std is not None
        return self._format(float(norm.ppf(min(max(u, 1e-12), 1 - 1e-12), loc=self.mean, scale=self.std)))

    def _format(self, magnitude: float) -> Any:
        mag = float(f"{magnitude:.12g}")
        if self.unit is None:
            return mag
        return f"{mag:.12g} {self.unit}"

    def label_of(self, value: Any) -> Any:
        """What the store records for ``value``: its magnitude in ``unit`` for a quantity axis, else its label."""
        if self.kind == "list" and self.labels:
            for v, lab in zip(self.values, self.labels, strict=True):
                if _same(v, value):
                    return lab
        if self.unit is not None:
            mag, _ = split_quantity(value)
            return mag
        if isinstance(value, (dict, list)):
            return json.dumps(value, sort_keys=True)
        return value

    def changes(self, value: Any) -> dict[str, Any]:
        """Path -> value for ``value`` of this axis."""
        if len(self.paths) == 1:
            return {self.paths[0]: value}
        return dict(zip(self.paths, value, strict=True))


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _unit_slug(unit: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", unit).strip("_")


def split_quantity(raw: Any) -> tuple[float, str]:
    """``"20 um"`` -> (20.0, "um"); a bare number -> (number, ""); ValueError otherwise."""
    if isinstance(raw, bool):
        raise ValueError(f"expected a number or a number with a unit, got {raw!r}")
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            raise ValueError(f"{raw!r} is not a finite number")
        return float(raw), ""
    if isinstance(raw, str):
        m = _NUMBER_UNIT.match(raw)
        if m:
            return float(m.group(1)), m.group(2)
    raise ValueError(f"expected a number or a number with a unit such as '20 um', got {raw!r}")


def _convert(mag: float, unit: str, to: str) -> float:
    """``mag`` in ``unit`` expressed in ``to`` (pint); ValueError if incompatible."""
    if unit == to:
        return mag
    from solidstack.units import Q

    try:
        return Q(mag, unit, math.nan).to(to)
    except Exception as e:  # pint's dimensionality and undefined-unit errors
        raise ValueError(f"'{mag:g} {unit}' cannot be converted to {to!r} ({type(e).__name__})") from None


def _parse_axis(raw: Any, where: str, problems: list[Problem]) -> Axis | None:
    if not isinstance(raw, dict):
        problems.append(Problem(where, "an axis must be a table with a 'path' and values, a range or a distribution"))
        return None
    for k in raw:
        if k not in _AXIS_FIELDS:
            problems.append(Problem(f"{where}.{k}", f"unknown field (axis fields: {', '.join(sorted(_AXIS_FIELDS))})"))
    path = raw.get("path")
    if path is None:
        problems.append(Problem(f"{where}.path", "required field is missing"))
        return None
    paths = tuple(path) if isinstance(path, list) else (path,)
    ok = True
    for p in paths:
        try:
            parse_path(p)
        except ValueError as e:
            problems.append(Problem(f"{where}.path", str(e)))
            ok = False
    if not ok:
        return None
    name = str(raw.get("name") or " + ".join(paths))
    kinds = [k for k in ("values", "range", "distribution") if k in raw]
    if len(kinds) != 1:
        problems.append(Problem(where, "give exactly one of 'values', 'range' (with 'steps') or 'distribution'"
                                + (f" (found {', '.join(kinds)})" if kinds else "")))
        return None
    kind = kinds[0]
    if kind == "values":
        values = raw["values"]
        if not isinstance(values, list) or not values:
            problems.append(Problem(f"{where}.values", "must be a non-empty list"))
            return None
        if len(paths) > 1 and any(not isinstance(v, list) or len(v) != len(paths) for v in values):
            problems.append(Problem(f"{where}.values", f"each value must be a list of {len(paths)} (one per path)"))
            return None
        labels = raw.get("labels", [])
        if labels and (not isinstance(labels, list) or len(labels) != len(values)):
            problems.append(Problem(f"{where}.labels", f"must be a list of {len(values)} labels, one per value"))
            return None
        unit = None
        if len(paths) == 1 and not labels and all(isinstance(v, str) and (mt := _NUMBER_UNIT.match(v)) is not None
                                                  and mt.group(2) for v in values):
            units = {split_quantity(v)[1] for v in values}
            if len(units) == 1:
                unit = units.pop()
        return Axis(name, paths, "list", tuple(values), tuple(str(x) for x in labels), unit=unit or None)
    if kind == "range":
        rng = raw["range"]
        if not isinstance(rng, list) or len(rng) != 2:
            problems.append(Problem(f"{where}.range", "must be [start, end], e.g. ['5 um', '100 um']"))
            return None
        try:
            lo, unit = split_quantity(rng[0])
            hi_m, hi_u = split_quantity(rng[1])
            hi = _convert(hi_m, hi_u, unit)
        except ValueError as e:
            problems.append(Problem(f"{where}.range", str(e)))
            return None
        steps = raw.get("steps")
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
            problems.append(Problem(f"{where}.steps", "a range needs 'steps', a whole number >= 1"))
            return None
        scale = raw.get("scale", "linear")
        if scale not in ("linear", "log"):
            problems.append(Problem(f"{where}.scale", f"{scale!r} is not one of linear, log"))
            return None
        if scale == "log" and (lo <= 0 or hi <= 0):
            problems.append(Problem(f"{where}.range", "a log range needs positive ends"))
            return None
        return Axis(name, paths, "range", unit=unit or None, low=lo, high=hi, steps=steps, scale=scale)
    dist = raw["distribution"]
    if dist not in DISTRIBUTIONS:
        problems.append(Problem(f"{where}.distribution", f"{dist!r} is not one of {', '.join(DISTRIBUTIONS)}"))
        return None
    keys = ("mean", "std") if dist == "normal" else ("low", "high")
    mags, unit = [], None
    for k in keys:
        if k not in raw:
            problems.append(Problem(f"{where}.{k}", f"required for a {dist} distribution"))
            return None
        try:
            m, u = split_quantity(raw[k])
            mags.append(m if unit is None else _convert(m, u, unit))
            unit = u if unit is None else unit
        except ValueError as e:
            problems.append(Problem(f"{where}.{k}", str(e)))
            return None
    if dist == "loguniform" and min(mags) <= 0:
        problems.append(Problem(where, "a loguniform distribution needs positive low and high"))
        return None
    if dist == "normal":
        return Axis(name, paths, "distribution", unit=unit or None, dist=dist, mean=mags[0], std=mags[1])
    return Axis(name, paths, "distribution", unit=unit or None, dist=dist, low=mags[0], high=mags[1])


# ---------------------------------------------------------------------------------------------- designs
@dataclass(frozen=True)
class Design:
    """One point of a study: its axis ``values`` (axis column -> recorded value), the stack ``data`` with those
    values applied, and either the resolved stack (``stack_json``, what workers receive; ``stack``, the validated
    :class:`~solidstack.stack.Stack` itself, for runs in this process) or the ``error`` that made it invalid."""

    index: int
    values: dict[str, Any]
    data: dict[str, Any]
    model: str
    protocol: dict[str, Any] | None
    stack_json: str | None
    error: str | None
    id: str
    group: str
    stack: Any = field(default=None, compare=False, repr=False)


def design_id(stack_or_data: Any, protocol: dict[str, Any] | None, model: str) -> str:
    """Hash (16 hex digits) of the resolved stack, the protocol, the model and the solidstack version."""
    from solidstack import __version__

    text = json.dumps([stack_or_data, protocol, model, __version__], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def structure_group(data: dict[str, Any]) -> str:
    """A key grouping designs that most likely share a built model: the stack without names, notes, pressures
    (stack and fabrication: model inputs), current, stages (their currents and pressures are inputs too) or cycle
    count, and without metal layers that do not touch an electrode (the simulation cache makes
    the final decision, see ``solidstack.sim.run._fingerprint``)."""
    # shallow: nothing below is changed in place (a deep copy per design cost ~0.1 ms)
    d = {k: v for k, v in data.items()
         if k not in ("name", "description", "source", "stack_pressure", "fabrication_pressure")}
    if d.get("cycling"):
        d["cycling"] = {k: v for k, v in d["cycling"].items()
                        if k not in ("current", "current_density", *STEP_CURRENT_FIELDS, "stages", "cycles", "source")}
    layers = d.get("layers", [])
    types = [la.get("type") for la in layers]
    keep = []
    for i, la in enumerate(layers):
        if la.get("type") == "metal":
            prev_t = types[i - 1] if i > 0 else None
            next_t = types[i + 1] if i + 1 < len(types) else None
            if prev_t not in ("anode", "cathode") and next_t not in ("anode", "cathode"):
                continue
        keep.append({k: v for k, v in la.items() if k != "note"})
    d["layers"] = keep
    return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:12]


def make_design(index: int, values: dict[str, Any], data: dict[str, Any], model: str, cycles: int | None,
                protocol_overrides: dict[str, Any] | None = None, *, copy: bool = True) -> Design:
    """Validate ``data`` as a stack and resolve its protocol; an invalid design keeps its error message.
    ``copy`` False: ``data`` is the caller's own fresh copy, kept by the design as it is."""
    from solidstack.stack import Stack

    if copy:
        data = copy_data(data)
    if protocol_overrides:
        data["cycling"] = {**(data.get("cycling") or {}), **protocol_overrides}
    _one_current(data)
    try:
        stack = Stack.from_dict(data)
        resolved = stack.to_dict()
        protocol = _protocol_of(stack, cycles)
        return Design(index, values, data, model, protocol, json.dumps(resolved, sort_keys=True), None,
                      design_id(resolved, protocol, model), structure_group(resolved), stack)
    except InputError as err:
        msg = "; ".join(str(p) for p in err.problems)
        return Design(index, values, data, model, None, None, msg, design_id(data, None, model), "input-error")


def _with_protocol(data: dict[str, Any], protocol: dict[str, Any] | None) -> dict[str, Any]:
    """``data`` with the study's ``[protocol]`` fields over its ``[cycling]`` section (in place; returns it)."""
    if protocol:
        data["cycling"] = {**(data.get("cycling") or {}), **protocol}
    return _one_current(data)


def _apply_axes(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``base`` with a design's axis ``changes``; an axis setting the current as ``current`` or as
    ``current_density`` replaces the base's current however the base writes it."""
    data = apply_changes(base, changes)
    cyc = data.get("cycling")
    for key, other in (("current", "current_density"), ("current_density", "current")):
        if f"cycling.{key}" in changes and isinstance(cyc, dict):
            cyc.pop(other, None)
    return data


def _one_current(data: dict[str, Any]) -> dict[str, Any]:
    """The base stack writes its current as ``current``; an axis or override of ``current_density`` replaces it
    (in place; returns ``data``)."""
    cyc = data.get("cycling")
    if isinstance(cyc, dict) and "current" in cyc and "current_density" in cyc:
        cyc.pop("current")
    return data


def _protocol_of(stack, cycles: int | None) -> dict[str, Any]:
    c = stack.cycling
    if c is None:
        raise InputError(Problem("cycling", "the stack has no [cycling] section; give one, or a [protocol] table in the study"))
    # currents as densities on this design's stack: a C-rate is on its own limiting capacity, a current over its area
    out = {"current_density_A_m2": c.current_density_on(stack, "current"), "lower_V": c.lower_cutoff.si,
           "upper_V": c.upper_cutoff.si, "cycles": int(cycles or c.cycles), "first": c.first,
           "cv_hold_until_A_m2": c.current_density_on(stack, "cv_hold_until"),
           "rest_s": c.rest.si if c.rest is not None else None}
    for which in STEP_CURRENT_FIELDS:  # only where given: the ids of other designs stay as they were
        if getattr(c, which) is not None:
            out[f"{which}_density_A_m2"] = c.current_density_on(stack, which)
    if c.stages:  # only where given, as above; each stage's currents as densities on this design's stack
        out["stages"] = [st.model_dump(mode="json", exclude_none=True) for st in c.resolved(stack).stages or ()]
    return out


# ---------------------------------------------------------------------------------------------- the study
@dataclass(frozen=True)
class Study:
    """A parsed, validated study. Build with :meth:`from_file` / :meth:`from_dict`; :meth:`designs` lists its
    points; run it with :func:`solidstack.studies.run_study`."""

    name: str
    base: dict[str, Any]
    model: str = "SPMe"
    cycles: int | None = None
    retention_cycle: int | None = None
    outputs: tuple[str, ...] = OUTPUTS
    protocol: dict[str, Any] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)
    axes: tuple[Axis, ...] = ()
    doe: str = "grid"
    samples: int | None = None
    seed: int = 0
    description: str = ""
    source: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: str | Path) -> Study:
        """Read a study file (.toml, .yaml, .json); every problem is reported with the file name in front."""
        from solidstack.stack.io import FORMATS, parse_text

        path = Path(path)
        where = str(path)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise InputError(Problem(where, f"unknown file type {path.suffix!r}; use .toml, .yaml or .json"))
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(Problem(where, "no such file")) from None
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(Problem(where, f"cannot be read ({getattr(err, 'strerror', None) or err})")) from None
        data = parse_text(text, fmt, where)
        try:
            return cls.from_dict(data, base_dir=path.parent)
        except InputError as err:
            raise err.located(where) from None

    @classmethod
    def from_dict(cls, data: Any, base_dir: str | Path | None = None) -> Study:
        """A study from plain data (as in a file); ``stack`` paths are relative to ``base_dir``."""
        problems: list[Problem] = []
        if not isinstance(data, dict):
            raise InputError(Problem("", f"a study must be a table of fields, not {type(data).__name__}"))
        for k in data:
            if k not in _TOP_FIELDS:
                problems.append(Problem(k, f"unknown field (study fields: {', '.join(sorted(_TOP_FIELDS))})"))
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem("name", "required: a non-empty name"))
        base = _base_stack(data.get("stack"), base_dir, problems)
        model = data.get("model", "SPMe")
        if not isinstance(model, str) or model.lower() not in MODEL_NAMES:
            problems.append(Problem("model", f"unknown model {model!r}; use SPM, SPMe or DFN"))
            model = "SPMe"
        cycles = _positive_int(data, "cycles", problems)
        retention_cycle = _positive_int(data, "retention_cycle", problems)
        if cycles is not None and retention_cycle is not None and retention_cycle > cycles:
            problems.append(Problem("retention_cycle", f"cycle {retention_cycle} is beyond the {cycles} cycles run"))
        outputs = data.get("outputs", list(OUTPUTS))
        if not isinstance(outputs, list) or any(o not in OUTPUTS for o in outputs):
            bad = [o for o in outputs if o not in OUTPUTS] if isinstance(outputs, list) else [outputs]
            problems.append(Problem("outputs", f"unknown output(s) {', '.join(map(repr, bad))}; choose from {', '.join(OUTPUTS)}"))
            outputs = list(OUTPUTS)
        protocol = data.get("protocol", {})
        if not isinstance(protocol, dict):
            problems.append(Problem("protocol", "must be a table of [cycling] fields"))
            protocol = {}
        fixed = data.get("set", {})
        if not isinstance(fixed, dict):
            problems.append(Problem("set", "must be a table of field path = value"))
            fixed = {}
        doe = data.get("design", {})
        if not isinstance(doe, dict):
            problems.append(Problem("design", "must be a table with 'kind' (grid, random, lhs), 'samples', 'seed'"))
            doe = {}
        for k in doe:
            if k not in ("kind", "samples", "seed"):
                problems.append(Problem(f"design.{k}", "unknown field (design fields: kind, samples, seed)"))
        kind = doe.get("kind", "grid")
        if kind not in DOE_KINDS:
            problems.append(Problem("design.kind", f"{kind!r} is not one of {', '.join(DOE_KINDS)}"))
            kind = "grid"
        samples = _positive_int(doe, "samples", problems, "design.")
        if kind != "grid" and samples is None:
            problems.append(Problem("design.samples", f"a {kind} design needs 'samples' (how many designs)"))
        seed = doe.get("seed", 0)
        if not isinstance(seed, int) or isinstance(seed, bool):
            problems.append(Problem("design.seed", f"must be a whole number, got {seed!r}"))
            seed = 0
        raw_axes = data.get("axes", [])
        axes: list[Axis] = []
        if not isinstance(raw_axes, list):
            problems.append(Problem("axes", "must be a list of [[axes]] tables"))
            raw_axes = []
        for i, raw in enumerate(raw_axes):
            ax = _parse_axis(raw, f"axes[{i}]", problems)
            if ax is not None:
                axes.append(ax)
                if kind == "grid" and ax.kind == "distribution":
                    problems.append(Problem(f"axes[{i}].distribution", "a grid needs values or a range; "
                                            "use design kind = 'random' or 'lhs' for a distribution"))
        columns = [a.column for a in axes]
        for c in {c for c in columns if columns.count(c) > 1}:
            problems.append(Problem("axes", f"two axes record into the same column {c!r}; give them distinct names"))
        if base is not None:
            _check_against_base(base, fixed, axes, protocol, problems)
        if problems or base is None:
            raise InputError(problems or [Problem("stack", "a study needs a base stack")])
        return cls(name=str(name).strip(), base=base, model=MODEL_NAMES[model.lower()], cycles=cycles,
                   retention_cycle=retention_cycle, outputs=tuple(outputs), protocol=protocol, fixed=fixed,
                   axes=tuple(axes), doe=kind, samples=samples, seed=seed,
                   description=str(data.get("description", "")), source=data)

    # ------------------------------------------------------------------ points
    def points(self) -> list[dict[str, Any]]:
        """Axis name -> value for every design, in order (grid: the last axis varies fastest)."""
        import itertools

        if not self.axes:
            return [{}]
        if self.doe == "grid":
            grids = [a.grid_values() for a in self.axes]
            return [dict(zip((a.name for a in self.axes), combo, strict=True)) for combo in itertools.product(*grids)]
        import numpy as np

        d = len(self.axes)
        if self.doe == "lhs":
            from scipy.stats import qmc

            u = qmc.LatinHypercube(d=d, seed=self.seed).random(self.samples)
        else:
            u = np.random.default_rng(self.seed).random((int(self.samples or 0), d))
        return [{a.name: a.sample(float(row[j])) for j, a in enumerate(self.axes)} for row in u]

    def designs(self) -> list[Design]:
        """Every design of the study, validated (invalid ones carry their error)."""
        out = []
        base = _with_protocol(apply_changes(self.base, self.fixed), self.protocol)
        for i, point in enumerate(self.points()):
            changes: dict[str, Any] = {}
            values: dict[str, Any] = {}
            for a in self.axes:
                changes.update(a.changes(point[a.name]))
                values[a.column] = a.label_of(point[a.name])
            out.append(make_design(i, values, _apply_axes(base, changes), self.model, self.cycles, copy=False))
        return out

    def to_meta(self) -> dict[str, Any]:
        """What the results store keeps about the study (for queries and plots)."""
        return {"name": self.name, "model": self.model, "cycles": self.cycles, "retention_cycle": self.retention_cycle,
                "outputs": list(self.outputs), "doe": self.doe,
                "axes": [{"name": a.name, "column": a.column, "paths": list(a.paths), "unit": a.unit, "numeric": a.numeric}
                         for a in self.axes]}


def _positive_int(data: dict[str, Any], key: str, problems: list[Problem], prefix: str = "") -> int | None:
    v = data.get(key)
    if v is None:
        return None
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        problems.append(Problem(f"{prefix}{key}", f"must be a whole number >= 1, got {v!r}"))
        return None
    return v


def _base_stack(spec: Any, base_dir: str | Path | None, problems: list[Problem]) -> dict[str, Any] | None:
    from solidstack.stack import resolve

    if spec is None:
        problems.append(Problem("stack", "required: a preset name or a stack file"))
        return None
    if isinstance(spec, dict):
        from solidstack.stack import Stack

        try:
            return Stack.from_dict(spec).to_dict()
        except InputError as err:
            problems.extend(err.located("stack").problems)
            return None
    if not isinstance(spec, str):
        problems.append(Problem("stack", f"must be a preset name, a stack file or a table, not {spec!r}"))
        return None
    candidate = Path(spec)
    if base_dir is not None and not candidate.is_absolute() and (Path(base_dir) / candidate).exists():
        spec = str(Path(base_dir) / candidate)
    try:
        return resolve(spec).to_dict()
    except InputError as err:
        problems.extend(err.located("stack").problems)
        return None


def _check_against_base(base: dict[str, Any], fixed: dict[str, Any], axes: list[Axis], protocol: dict[str, Any],
                        problems: list[Problem]) -> None:
    """Paths must exist in the base stack; each value of a list or range axis, applied alone, must give a valid
    stack (a combination can still fail: that design is then recorded as an input error)."""
    from solidstack.stack import Stack

    for path in fixed:
        try:
            check_path(base, path)
        except ValueError as e:
            problems.append(Problem(f"set.{path}", str(e)))
            return
    try:
        start = _with_protocol(apply_changes(base, fixed), protocol)
        if Stack.from_dict(start).cycling is None:
            problems.append(Problem("protocol", "the base stack has no [cycling] section; give a [protocol] table "
                                    "(current_density, lower_cutoff, upper_cutoff)"))
            return
    except InputError as err:
        where = "protocol" if protocol else "set"
        problems.extend(Problem(f"{where}: {p.where}" if p.where else where, p.what) for p in err.problems)
        return
    for i, a in enumerate(axes):
        bad = False
        for path in a.paths:
            try:
                check_path(start, path)
            except ValueError as e:
                problems.append(Problem(f"axes[{i}].path", str(e)))
                bad = True
        if bad or a.kind == "distribution":
            continue
        for j, v in enumerate(a.grid_values()):
            try:
                Stack.from_dict(_apply_axes(start, a.changes(v)))
            except InputError as err:
                key = "values" if a.kind == "list" else "range"
                for p in err.problems:
                    problems.append(Problem(f"axes[{i}].{key}[{j}] ({v!r})", f"{p.where}: {p.what}" if p.where else p.what))
