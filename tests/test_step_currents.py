"""Charge and discharge at their own currents (``charge_current`` / ``discharge_current`` of the protocol): the
current each step runs at, the steps it leaves alone, the forms it is given in, and its errors."""

from __future__ import annotations

import numpy as np
import pybamm
import pytest

from solidstack.errors import InputError
from solidstack.sim import Protocol, simulate
from solidstack.sim.protocol import from_experiment
from solidstack.stack import resolve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def ex1():
    return resolve("example-1")


@pytest.fixture(scope="module")
def slow_fast(ex1):
    """Example 1 charged at 0.2 mA/cm2 and discharged at 1.0 mA/cm2, two cycles."""
    return simulate(ex1, cycles=2, model="SPM", current="0.2 mA/cm2", discharge_current="1.0 mA/cm2")


def _step_currents_mA_cm2(result, area_cm2: float) -> dict[str, np.ndarray]:
    ts = result.timeseries
    out = {}
    for kind in ("charge", "discharge"):
        i = ts.loc[ts["step_type"] == kind, "current_A"].to_numpy()
        out[kind] = np.abs(i) * 1e3 / area_cm2
    return out


def test_each_step_runs_at_its_own_current(ex1, slow_fast):
    area = ex1.area.to("cm2")
    cur = _step_currents_mA_cm2(slow_fast, area)
    assert np.allclose(cur["charge"], 0.2, rtol=1e-9) and np.allclose(cur["discharge"], 1.0, rtol=1e-9)


def test_capacity_is_current_times_duration(ex1, slow_fast):
    # Coulomb counting by hand: a constant-current step passes Q = I t (mAh = mA/cm2 x cm2 x h), with t the step's
    # duration from its own time stamps; each step at the current it was given.
    ts, cyc = slow_fast.timeseries, slow_fast.cycles
    area = ex1.area.to("cm2")
    first = ts[ts["cycle"] == 1]
    for kind, j, col in (("charge", 0.2, "charge_capacity_mAh"), ("discharge", 1.0, "discharge_capacity_mAh")):
        t = first.loc[first["step_type"] == kind, "time_s"].to_numpy()
        q_hand = j * area * (t[-1] - t[0]) / 3600.0
        assert cyc[col].iloc[0] == pytest.approx(q_hand, rel=1e-6)


def test_the_charge_is_untouched_by_the_discharge_current(ex1, slow_fast):
    # cycle 1's charge is the same step whatever the discharge that follows it
    same = simulate(ex1, cycles=1, model="SPM", current="0.2 mA/cm2")
    assert slow_fast.cycles["charge_capacity_mAh"].iloc[0] == pytest.approx(same.cycles["charge_capacity_mAh"].iloc[0],
                                                                              rel=1e-9)
    # a faster discharge returns less of it (the overpotentials reach the cut-off sooner)
    assert slow_fast.cycles["discharge_capacity_mAh"].iloc[0] < same.cycles["discharge_capacity_mAh"].iloc[0]


def test_equal_step_currents_are_the_plain_protocol(ex1):
    plain = simulate(ex1, cycles=1, model="SPM", current="0.2 mA/cm2")
    both = simulate(ex1, cycles=1, model="SPM", current="0.5 mA/cm2", charge_current="0.2 mA/cm2",
                    discharge_current="0.2 mA/cm2")
    for col in ("charge_capacity_mAh", "discharge_capacity_mAh"):
        assert both.cycles[col].iloc[0] == pytest.approx(plain.cycles[col].iloc[0], rel=1e-9)


def test_c_rates_resolve_per_step(ex1):
    p = Protocol(current="C/10", discharge_current="1C", lower_cutoff="3 V", upper_cutoff="4.37 V").resolved(ex1)
    charge, discharge = p.step_current_densities_A_m2
    assert discharge == pytest.approx(10.0 * charge, rel=1e-6)
    # C/10 on the limiting capacity, by hand: capacity (mAh) x 0.1 /h over the area (cm2) -> mA/cm2 -> A/m2
    assert charge == pytest.approx(ex1.limiting_capacity_mAh * 0.1 / ex1.area.to("cm2") * 10.0, rel=1e-9)


def test_a_pybamm_experiment_with_two_currents(ex1):
    area_cm2 = ex1.area.to("cm2")
    exp = pybamm.Experiment([(f"Charge at {0.2e-3 * area_cm2} A until 4.3 V",
                              f"Discharge at {0.6e-3 * area_cm2} A until 3.0 V")])
    p = from_experiment(exp, ex1)
    assert p.charge_current_density_A_m2 == pytest.approx(2.0) and p.discharge_current_density_A_m2 == pytest.approx(6.0)
    r = simulate(ex1, exp, model="SPM")
    cur = _step_currents_mA_cm2(r, area_cm2)
    assert np.allclose(cur["discharge"], 0.6, rtol=1e-9)


def test_stack_file_fields_and_their_errors(ex1):
    data = ex1.to_dict()
    data["cycling"] = {**data["cycling"], "discharge_current": "1C"}
    assert str(type(ex1).from_dict(data).cycling.discharge_current) == "1C"
    data["cycling"]["discharge_current"] = "quickly"
    with pytest.raises(InputError, match=r"cycling: discharge_current: .quickly. is not a current"):
        type(ex1).from_dict(data)
    with pytest.raises(InputError, match="discharge_current"):
        simulate(ex1, cycles=1, model="SPM", discharge_current="0 mA/cm2")


def test_a_stack_file_may_write_its_currents_as_c_rates(ex1, tmp_path):
    # the README's stack-file example allows "C/10": the stack loads, and the protocol resolves on its capacity
    data = ex1.to_dict()
    data["cycling"] = {k: v for k, v in data["cycling"].items() if k not in ("current", "current_density")}
    data["cycling"].update(current="C/10", discharge_current="1C")
    s = type(ex1).from_dict(data)
    charge, discharge = s.cycling.resolved(s).step_current_densities_A_m2
    assert charge == pytest.approx(ex1.limiting_capacity_mAh * 0.1 / ex1.area.to("cm2") * 10.0, rel=1e-9)
    assert discharge == pytest.approx(10 * charge, rel=1e-6)
    # a current density out of range is refused where it is written
    data["cycling"]["discharge_current"] = "500 mA/cm2"
    with pytest.raises(InputError, match=r"cycling\.discharge_current: 500 mA/cm2 is outside"):
        type(ex1).from_dict(data)


def test_the_example_rate_study_through_the_cli(tmp_path):
    # examples/study-rate-capability.toml: one CC-CV charge at C/10 for every design, the discharge at C/10 ... 1C.
    # Every design passes the same charge (the charge step does not see the discharge current), and the discharge
    # capacity falls as the discharge current rises (the overpotentials reach the cut-off sooner).
    import subprocess
    import sys
    from pathlib import Path

    import pandas as pd

    study = Path(__file__).resolve().parents[1] / "examples" / "study-rate-capability.toml"
    store, out = tmp_path / "rate.store", tmp_path / "rate.csv"
    run = subprocess.run([sys.executable, "-m", "solidstack.cli", "study", "run", str(study), "--store", str(store),
                          "--workers", "0"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    exp = subprocess.run([sys.executable, "-m", "solidstack.cli", "study", "export", str(store), "--csv", str(out)],
                         capture_output=True, text=True)
    assert exp.returncode == 0, exp.stderr
    d = pd.read_csv(out).set_index("cycling_discharge_current")
    assert len(d) == 4 and (d["status"] == "ok").all()
    q = d.loc[["C/10", "C/5", "C/2", "1C"], "discharge_capacity_mAh_g"].to_numpy()
    assert (np.diff(q) < 0).all(), q
    assert d["charge_capacity_mAh"].max() == pytest.approx(d["charge_capacity_mAh"].min(), rel=1e-9)
