"""One published number against its simulated counterpart: the value, the tolerance verdict, and whether it is
fitted, on a fitted cell, an input or a prediction."""

from __future__ import annotations

from typing import Any

import numpy as np

from solidstack.errors import UnknownNameError
from solidstack.studies.literature.cases import CannotRun, Case, NotReached, Number
from solidstack.studies.literature.measures import MEASURES, _Ctx, _ocp_curve, _published, _tolerance_width, _within
from solidstack.studies.literature.runs import _first_line
from solidstack.studies.literature.validation import Comparison


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
