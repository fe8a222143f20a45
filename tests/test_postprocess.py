"""The post-processing of ``simulate()`` (per-cycle table, voltage integrals, time series; sim/result.py and
sim/sampling.py) against PyBaMM's own reading of the same solution.

The reference path is PyBaMM's: ``solution[name].entries`` (its CasADi evaluation of each variable on the solver's
points) and ``solution[name](t=...)`` (its cubic Hermite interpolation of the states between them, IDAKLU's
observer), with the quadratures written out here by hand. Our path evaluates the discretised expressions with
NumPy, several variables at once, and interpolates only the state rows they read; it must give the same numbers:
to 1e-12 relative where both read the solver's points, to 1e-10 where the states between the points come from
two implementations of the same Hermite formula (rounding only).
"""

from __future__ import annotations

import numpy as np
import pytest

from solidstack.sim import simulate
from solidstack.stack import resolve

F = 96485.33212  # C/mol, Faraday constant (CODATA 2018)
MAH_PER_MOL = F / 3.6  # 1 mol of ion = F C = F / 3.6 mAh
#: The refinement the README ("Cycling simulation" output notes) states: an interval between the solver's points
#: whose voltage at the Hermite midpoint departs from the chord's by more than 1 mV (|v0 + v1 - 2 v_mid| > 2 mV)
#: is integrated by composite Simpson on 16 sub-intervals; every other interval by Simpson on its midpoint.
BEND_V = 2.0e-3
SUB = 16

CYCLES = 3


@pytest.fixture(scope="module")
def ex1():
    return simulate(resolve("example-1"), cycles=CYCLES)


def _entries(sol, name: str) -> np.ndarray:
    return np.asarray(sol[name].entries, dtype=float).ravel()


def _end(sol, name: str) -> float:
    return float(_entries(sol, name)[-1])


def _steps(result, c: int):
    cyc = result.solution.cycles[c - 1]
    steps = [st for st in cyc.steps if getattr(st, "all_ts", None)]
    # the test reads each step on its own: valid where the steps hold exactly the cycle's points
    assert np.array_equal(np.concatenate([st.t for st in steps]), cyc.t)
    return cyc, steps


def _nodes(t: np.ndarray, v_mid_bent) -> np.ndarray:
    """Points, midpoints, and 16 sub-intervals in the bent intervals (``v_mid_bent``: bool per interval)."""
    out = []
    for j in range(t.size - 1):
        n = SUB if v_mid_bent[j] else 2
        out.append(t[j] + (t[j + 1] - t[j]) * np.arange(n) / n)
    out.append(t[-1:])
    return np.concatenate(out)


def _pybamm_step_quadratures(st):
    """(charge Ah, charge Wh, discharge Ah, discharge Wh, |V I| trapezoid Wh) of one step, from PyBaMM's values."""
    t = st.t
    if t.size < 2:
        return np.zeros(5)
    volt, amp = st["Voltage [V]"], st["Current [A]"]
    h = np.diff(t)
    mid = t[:-1] + h / 2
    v_pts, v_mid = volt(t=t), volt(t=mid)
    bent = np.abs(v_pts[:-1] + v_pts[1:] - 2.0 * v_mid) > BEND_V
    out = np.zeros(5)
    w = np.ones(SUB + 1)
    w[1:-1:2], w[2:-1:2] = 4.0, 2.0
    for j in range(t.size - 1):
        n = SUB if bent[j] else 2
        tj = t[j] + (t[j + 1] - t[j]) * np.arange(n + 1) / n
        tj[-1] = t[j + 1]
        v, i = volt(t=tj), amp(t=tj)
        ww = w if bent[j] else np.array([1.0, 4.0, 1.0])
        dq = h[j] / (3.0 * n) * (ww @ i) / 3600.0
        de = h[j] / (3.0 * n) * (ww @ (v * i)) / 3600.0
        out[:4] += [-dq, -de, 0.0, 0.0] if dq < 0 else [0.0, 0.0, dq, de]
    tt = _nodes(t, bent)
    p = np.abs(volt(t=tt) * amp(t=tt))
    out[4] = np.sum(0.5 * np.diff(tt) * (p[1:] + p[:-1])) / 3600.0
    return out


def test_capacities_and_loss_columns_equal_pybamms_values_at_the_cycle_ends(ex1):
    t = ex1.cycles
    prev_T = prev_Q = 0.0  # PyBaMM's throughput and discharge capacity start at 0
    for c in range(1, CYCLES + 1):
        cyc, _ = _steps(ex1, c)
        T, Q = _end(cyc, "Throughput capacity [A.h]"), _end(cyc, "Discharge capacity [A.h]")
        dT, dQ = T - prev_T, Q - prev_Q
        prev_T, prev_Q = T, Q
        row = t.iloc[c - 1]
        # throughput = charge + discharge passed, net discharge = discharge - charge
        assert row["discharge_capacity_mAh"] == pytest.approx((dT + dQ) / 2 * 1e3, rel=1e-12)
        assert row["charge_capacity_mAh"] == pytest.approx((dT - dQ) / 2 * 1e3, rel=1e-12)
        for col, var in (("contact_fraction_anode", "Negative electrode contact fraction"),
                         ("contact_fraction_cathode", "Positive electrode contact fraction")):
            assert row[col] == pytest.approx(_end(cyc, var), rel=1e-12)
        held0 = {}
        for stem, ph, dom, lam in (("anode_graphite", "primary", "negative", "primary "),
                                   ("anode_Li_foil", "secondary", "negative", "secondary "),
                                   ("cathode_NMC111", "primary", "positive", "")):
            li = f"Total lithium in {ph} phase in {dom} electrode [mol]"
            assert row[f"{stem}_held_mAh"] == pytest.approx(_end(cyc, li) * MAH_PER_MOL, rel=1e-12)
            lost = f"Loss of lithium due to loss of {lam}active material in {dom} electrode [mol]"
            assert row[f"{stem}_stranded_mAh"] == pytest.approx(_end(cyc, lost) * MAH_PER_MOL, rel=1e-12, abs=1e-15)
            assert row[f"loss_stranded_{stem}_mAh"] == row[f"{stem}_stranded_mAh"]
            # at assembly: PyBaMM's own value at t = 0 (the table takes c0 eps L A from the parameter values)
            held0[stem] = float(_entries(ex1.solution.cycles[0], li)[0]) * MAH_PER_MOL
        for stem, ph in (("anode_graphite", "primary"), ("anode_Li_foil", "secondary")):
            sei = _end(cyc, f"Loss of lithium to negative {ph} SEI [mol]") * MAH_PER_MOL
            assert row[f"loss_sei_{stem}_mAh"] == pytest.approx(sei, rel=1e-12)
            held = _end(cyc, f"Total lithium in {ph} phase in negative electrode [mol]") * MAH_PER_MOL
            assert row[f"loss_held_{stem}_mAh"] == pytest.approx(held - held0[stem], rel=1e-10, abs=1e-12)
        cathode_now = _end(cyc, "Total lithium in primary phase in positive electrode [mol]") * MAH_PER_MOL
        assert row["loss_total_mAh"] == pytest.approx(held0["cathode_NMC111"] - cathode_now, rel=1e-9, abs=1e-12)


def test_mean_voltages_and_energies_equal_quadratures_of_pybamms_interpolation(ex1):
    t, ts = ex1.cycles, ex1.timeseries
    e_chg = e_dis = 0.0
    for c in range(1, CYCLES + 1):
        _, steps = _steps(ex1, c)
        per_step = [_pybamm_step_quadratures(st) for st in steps]
        q_chg, w_chg, q_dis, w_dis, _ = np.sum(per_step, axis=0)
        row = t.iloc[c - 1]
        assert row["mean_charge_voltage_V"] == pytest.approx(w_chg / q_chg, rel=1e-10)
        assert row["mean_discharge_voltage_V"] == pytest.approx(w_dis / q_dis, rel=1e-10)
        # the time series: each step's energy (trapezoid of |V I|) at its last row, and the energies passed since
        # the start (the sum of the steps' energies over consecutive cycles)
        for k, quad in enumerate(per_step, start=1):
            rows = ts[(ts["cycle"] == c) & (ts["step_index"] == k)]
            assert rows["step_energy_mWh"].iloc[-1] == pytest.approx(quad[4] * 1e3, rel=1e-10)
            kind = rows["step_type"].iloc[0]
            assert kind == ("charge", "discharge")[k - 1]  # Example 1: charge first, no rests
            e_chg, e_dis = (e_chg + quad[4], e_dis) if kind == "charge" else (e_chg, e_dis + quad[4])
            last = rows.iloc[-1]
            assert last["charge_energy_mWh"] == pytest.approx(e_chg * 1e3, rel=1e-10, abs=1e-12)
            assert last["discharge_energy_mWh"] == pytest.approx(e_dis * 1e3, rel=1e-10, abs=1e-12)


def test_time_series_on_the_solvers_points_equals_pybamms_entries(ex1):
    ts = ex1.timeseries
    columns = [("voltage_V", "Voltage [V]", 1.0), ("current_A", "Current [A]", 1.0),
               ("capacity_mAh", "Discharge capacity [A.h]", 1e3),
               ("anode_graphite_held_mAh", "Total lithium in primary phase in negative electrode [mol]", MAH_PER_MOL),
               ("anode_Li_foil_held_mAh", "Total lithium in secondary phase in negative electrode [mol]", MAH_PER_MOL),
               ("cathode_NMC111_held_mAh", "Total lithium in primary phase in positive electrode [mol]", MAH_PER_MOL),
               ("contact_fraction_anode", "Negative electrode contact fraction", 1.0),
               ("contact_fraction_cathode", "Positive electrode contact fraction", 1.0)]
    for c in range(1, CYCLES + 1):
        _, steps = _steps(ex1, c)
        for k, st in enumerate(steps, start=1):
            rows = ts[(ts["cycle"] == c) & (ts["step_index"] == k)]
            np.testing.assert_array_equal(rows["time_s"].to_numpy(), st.t)
            for col, var, scale in columns:
                np.testing.assert_allclose(rows[col].to_numpy(), _entries(st, var) * scale, rtol=1e-12, atol=1e-15,
                                           err_msg=col)
            q = _entries(st, "Discharge capacity [A.h]")
            np.testing.assert_allclose(rows["step_capacity_mAh"].to_numpy(), np.abs(q - q[0]) * 1e3, rtol=1e-12,
                                       atol=1e-15)


def test_sampled_time_series_equals_pybamms_hermite_interpolation():
    """With a period, the rows lie between the solver's points: the states there (interpolated in the rows the
    variables read only) must give what PyBaMM's own interpolation of the full state gives."""
    r = simulate(resolve("example-1"), cycles=1, period="30 s")
    ts = r.timeseries
    _, steps = _steps(r, 1)
    for k, st in enumerate(steps, start=1):
        rows = ts[ts["step_index"] == k]
        times = rows["time_s"].to_numpy()
        assert times.size > st.t.size  # 30 s is finer than the solver's own points here: rows between them
        inside = times[(times >= st.t[0]) & (times <= st.t[-1])]
        sel = rows[(times >= st.t[0]) & (times <= st.t[-1])]
        for col, var, scale in (("voltage_V", "Voltage [V]", 1.0), ("capacity_mAh", "Discharge capacity [A.h]", 1e3),
                                ("anode_Li_foil_held_mAh",
                                 "Total lithium in secondary phase in negative electrode [mol]", MAH_PER_MOL)):
            np.testing.assert_allclose(sel[col].to_numpy(), st[var](t=inside) * scale, rtol=1e-10, err_msg=col)


def test_time_series_is_built_when_first_read_and_carries_the_provenance():
    r = simulate(resolve("example-1"), cycles=1)
    assert not r.timeseries_built  # simulate() did not build it
    assert r.cycles.attrs  # the provenance is on the table
    ts = r.timeseries
    assert r.timeseries_built and r.timeseries is ts  # built once
    assert ts.attrs == r.cycles.attrs
    assert len(ts) == r.solution.cycles[0].t.size
