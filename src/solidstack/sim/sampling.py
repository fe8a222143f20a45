"""Sampling of the time series and its step columns.

The solver's own output points are adaptive (~120-150 per cycle, long steps near the cut-offs). With a sampling
``period`` the time series is resampled from the solution itself: the state at any time is the cubic Hermite
interpolant of the solver's states and their time derivatives (what IDAKLU's dense output is), and every
variable is evaluated on those states, so sampling changes nothing that is solved.

* a time (``"30 s"``): one row every ``period`` from each step's start, and the step's last point;
* a capacity (``"0.01 mAh"``): one row each time the capacity passed in the step grows by ``period``, and the
  step's last point (rests, passing no charge, keep their first and last points).

Every row carries its cycle, its step (``step_count`` numbers steps over the whole run, ``step_index`` their
place in the cycle, ``step_type`` charge / CV hold / rest / discharge), the time in the step, and the capacity
(mAh) and energy (mWh) passed since the step started (magnitudes; energy = integral of |V I| dt by the
trapezoid rule on the solver's points and their Hermite midpoints).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pybamm

from solidstack.sim.result import (
    REFINE_BEND_V,
    REFINE_PARTS,
    Segment,
    _segments,
    evaluate_many,
    hermite_rows,
    state_rows,
)
from solidstack.sim.result import hermite as hermite  # (re-exported: it was defined here)
from solidstack.stack.cycling import is_capacity_step
from solidstack.units import Q

DISCHARGE_AH = "Discharge capacity [A.h]"


@dataclass
class StepPiece:
    """One step of a kept cycle: its solver segment (t, y, y', model, inputs) and labels."""

    cycle: int
    index: int  # 1-based place in the cycle
    count: int  # 1-based step number over the whole run
    kind: str
    t: np.ndarray
    y: np.ndarray
    yp: np.ndarray | None
    model: pybamm.BaseModel
    inputs: dict


def step_pieces(saved: dict[int, pybamm.Solution], names: list[str]) -> list[StepPiece]:
    """The steps of the ``saved`` cycles (by cycle number), labelled with ``names`` (the protocol's steps of
    one cycle) where the solution has one sub-solution per step, else by their current."""
    pieces = []
    for c in sorted(saved):
        sol = saved[c]
        steps = list(getattr(sol, "steps", None) or [sol])
        for k, st in enumerate(steps, start=1):
            if isinstance(st, pybamm.EmptySolution) or not getattr(st, "all_ts", None):
                continue  # a step skipped at once (e.g. a CV hold already below its current): no rows
            yps = st.all_yps or [None] * len(st.all_ys)
            for (t, y, model, inputs), yp in zip(_segments(st), yps, strict=True):
                ok = yp is not None and np.shape(yp) == np.shape(y)
                kind = names[k - 1] if len(steps) == len(names) else ""
                pieces.append(StepPiece(c, k, (c - 1) * len(names) + k, kind, np.asarray(t), np.asarray(y),
                                        np.asarray(yp) if ok else None, model, inputs))
    return pieces


def _states(p: StepPiece, ts: np.ndarray, names: list[str]) -> np.ndarray:
    """The states of step ``p`` at times ``ts`` (:func:`~solidstack.sim.result.hermite`), only in the rows the
    variables ``names`` read (the others 0)."""
    return hermite_rows(p.t, p.y, p.yp, ts, state_rows(p.model, names))


def _fine(p: StepPiece) -> np.ndarray:
    """The solver's points of a step and the midpoints between them."""
    if p.t.size < 2:
        return p.t.copy()
    tt = np.empty(2 * p.t.size - 1)
    tt[0::2], tt[1::2] = p.t, 0.5 * (p.t[1:] + p.t[:-1])
    return tt


def _subdivided(t: np.ndarray, bent: np.ndarray) -> np.ndarray:
    """The solver's points of a step with the midpoints between them, and :data:`REFINE_PARTS` x 2 sub-intervals
    in the intervals ``bent`` (where one midpoint does not follow the voltage; see ``result.REFINE_BEND_V``)."""
    n = np.full(t.size - 1, 2)
    n[bent] = 2 * REFINE_PARTS
    j = np.repeat(np.arange(t.size - 1), n)  # the interval of each node
    k = np.arange(j.size) - np.repeat(np.cumsum(n) - n, n)  # its place in the interval
    return np.concatenate([t[j] + (t[j + 1] - t[j]) * k / n[j], t[-1:]])


def _bent(v: np.ndarray) -> np.ndarray:
    """The intervals (between output points) of a step's voltage on points and midpoints that are bent."""
    if v.size < 3:
        return np.zeros(0, dtype=int)
    return np.flatnonzero(np.abs(v[:-2:2] + v[2::2] - 2.0 * v[1::2]) > 2.0 * REFINE_BEND_V)


def _kind_from_current(i: np.ndarray) -> str:
    scale = np.max(np.abs(i)) if i.size else 0.0
    if scale < 1e-15:
        return "rest"
    if np.mean(i) > 0:
        return "discharge"
    return "CV hold" if np.ptp(i) > 0.02 * scale else "charge"


def sample(pieces: list[StepPiece], period: Q | None, variables: list[tuple[str, str, float]],
           energy_offsets: dict[int, tuple[float, float]] | None = None) -> dict[str, np.ndarray]:
    """The time-series columns of ``pieces``: ``variables`` as (column, PyBaMM variable, scale), evaluated at
    the sample times (the solver's points if ``period`` is None), and the step columns. ``energy_offsets``
    (cycle -> (charge, discharge) energy passed before the cycle, Wh) makes the cumulative energies run over
    the whole test."""
    if not pieces:
        return {}
    # the states between the solver's points: only the rows the fine grid's variables read (see result.state_rows)
    fine_names = ["Voltage [V]", "Current [A]", DISCHARGE_AH]
    fine = [_fine(p) for p in pieces]
    fine_segs: list[Segment] = [(tt, _states(p, tt, fine_names), p.model, p.inputs)
                                for p, tt in zip(pieces, fine, strict=True)]
    bounds = np.cumsum([s[0].size for s in fine_segs])[:-1]
    vals = evaluate_many(fine_segs, fine_names)
    bent = [_bent(v) for v in np.split(vals["Voltage [V]"], bounds)]
    if any(b.size for b in bent):  # long solver steps across a steep part of an OCP: a finer grid there
        fine = [_subdivided(p.t, b) if b.size else tt for p, tt, b in zip(pieces, fine, bent, strict=True)]
        fine_segs = [(tt, _states(p, tt, fine_names), p.model, p.inputs) for p, tt in zip(pieces, fine, strict=True)]
        bounds = np.cumsum([s[0].size for s in fine_segs])[:-1]
        vals = evaluate_many(fine_segs, fine_names)
    volts, amps, q_ah = (np.split(vals[name], bounds) for name in fine_names)
    by_capacity = period is not None and is_capacity_step(period)
    times, energies = [], []
    last_t = -np.inf
    for p, tt, i, v, q in zip(pieces, fine, amps, volts, q_ah, strict=True):
        if not p.kind:
            p.kind = _kind_from_current(i)
        e = np.concatenate([[0.0], np.cumsum(0.5 * np.diff(tt) * (np.abs(v[1:] * i[1:]) + np.abs(v[:-1] * i[:-1])))])
        e /= 3600.0
        if period is None:
            ts = p.t
        elif by_capacity:
            passed = np.maximum.accumulate(np.abs(q - q[0]))
            step_ah = period.si / 3600.0
            targets = np.arange(0.0, passed[-1], step_ah) if passed[-1] > 0 else np.zeros(1)
            ts = np.interp(targets, passed, tt) if passed[-1] > 0 else tt[:1]
            ts = np.unique(np.concatenate([ts, tt[-1:]]))
        else:
            ts = p.t[0] + np.arange(0.0, p.t[-1] - p.t[0], period.si)
            ts = np.concatenate([ts, p.t[-1:]]) if ts.size == 0 or ts[-1] < p.t[-1] - 1e-9 else ts
        if period is not None:
            ts = ts[ts > last_t + 1e-9]  # a step starts where the last one ended: one row there, the last step's
        last_t = ts[-1] if ts.size else last_t
        times.append(ts)
        energies.append(np.interp(ts, tt, e))
    row_names = [var for _, var, _ in variables] + [DISCHARGE_AH]
    segs: list[Segment] = [(ts, _states(p, ts, row_names) if period is not None else p.y, p.model, p.inputs)
                           for p, ts in zip(pieces, times, strict=True)]
    n = [ts.size for ts in times]
    out: dict[str, np.ndarray] = {
        "cycle": np.repeat([p.cycle for p in pieces], n),
        "step_count": np.repeat([p.count for p in pieces], n),
        "step_index": np.repeat([p.index for p in pieces], n),
        "step_type": np.repeat(np.array([p.kind for p in pieces], dtype=object), n),
        "time_s": np.concatenate(times),
        "step_time_s": np.concatenate([ts - p.t[0] for p, ts in zip(pieces, times, strict=True)]),
    }
    vals = evaluate_many(segs, row_names)
    for col, var, scale in variables:
        out[col] = vals[var] * scale
    q_rows = np.split(vals[DISCHARGE_AH], np.cumsum(n)[:-1])
    out["step_capacity_mAh"] = np.concatenate([np.abs(qr - q[0]) for qr, q in zip(q_rows, q_ah, strict=True)]) * 1e3
    out["step_energy_mWh"] = np.concatenate(energies) * 1e3
    out.update(_cumulative_energies(pieces, energies, energy_offsets or {}))
    return out


def _cumulative_energies(pieces: list[StepPiece], energies: list[np.ndarray],
                         offsets: dict[int, tuple[float, float]]) -> dict[str, np.ndarray]:
    """Charge and discharge energy passed since the start of the run (mWh) at every row: summed over the rows'
    own steps, and from ``offsets`` (the table's per-cycle integrals) at the first row and after a gap."""
    chg_parts, dis_parts = [], []
    cycle, done_chg, done_dis = None, 0.0, 0.0
    for p, e in zip(pieces, energies, strict=True):
        if p.cycle != cycle:
            if cycle is None or p.cycle != cycle + 1:  # first row, or after cycles not kept: the table's integrals
                done_chg, done_dis = offsets.get(p.cycle, (np.nan, np.nan))
            cycle = p.cycle
        charging = p.kind in ("charge", "CV hold")
        discharging = p.kind == "discharge"
        chg_parts.append(done_chg + (e if charging else 0.0 * e))
        dis_parts.append(done_dis + (e if discharging else 0.0 * e))
        if e.size:
            done_chg += e[-1] if charging else 0.0
            done_dis += e[-1] if discharging else 0.0
    return {"charge_energy_mWh": np.concatenate(chg_parts) * 1e3, "discharge_energy_mWh": np.concatenate(dis_parts) * 1e3}
