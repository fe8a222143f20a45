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
