"""Staged protocols (``Protocol.stages``, ``[[cycling.stages]]``): each stage's cycles run at its own currents and
stack pressure, one stage after another from where the last left the cell; the stack-file form, the CLI, resume and
the errors."""

from __future__ import annotations

import math
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from solidstack.errors import InputError
from solidstack.sim import Protocol, simulate
from solidstack.sim.run import hold_pressure_Pa
from solidstack.stack import Stack, resolve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "staged-formation-rate-cycling.toml"
PARK = "park2025-li2s-lpscl-inli-collector-primer-pressure/cb-al.toml"


@pytest.fixture(scope="module")
def ex1():
    return resolve("example-1")


@pytest.fixture(scope="module")
def staged(ex1):
    """Example 1: two cycles at 0.2 mA/cm2, then two at 0.5 mA/cm2 (SPM)."""
    p = ex1.cycling.with_changes(current="0.2 mA/cm2", stages=[{"cycles": 2}, {"cycles": 2, "current": "0.5 mA/cm2"}])
    return simulate(ex1, p, model="SPM")


def test_cycles_default_to_the_stages_sum_and_extend_the_last():
    base = {"current": "C/3", "lower_cutoff": "2.5 V", "upper_cutoff": "4.2 V"}
    p = Protocol(**base, stages=[{"cycles": 3, "current": "C/20"}, {"cycles": 5}])
    assert p.cycles == 8
    assert [(s.first, s.last, s.protocol.cycles) for s in p.stage_spans()] == [(1, 3, 3), (4, 8, 5)]
    longer = p.with_changes(cycles=20)  # the last stage runs on
    assert [(s.first, s.last) for s in longer.stage_spans()] == [(1, 3), (4, 20)]
    shorter = p.with_changes(cycles=2)  # the run stops within the first stage
    assert [(s.first, s.last) for s in shorter.stage_spans()] == [(1, 2)]
    assert str(p.stage_spans()[0].protocol.current) == "C/20" and str(p.stage_spans()[1].protocol.current) == "C/3"


def test_a_stage_with_its_own_current_drops_the_protocols_step_currents():
    p = Protocol(current="C/3", discharge_current="1C", lower_cutoff="2.5 V", upper_cutoff="4.2 V",
                 stages=[{"cycles": 1, "current": "C/20"}, {"cycles": 1}, {"cycles": 1, "charge_current": "C/10"}])
    first, second, third = (s.protocol for s in p.stage_spans())
    assert (str(first.current), first.discharge_current) == ("C/20", None)
    assert str(second.discharge_current) == "1C"  # a stage without currents keeps the protocol's
    assert (str(third.charge_current), third.discharge_current, str(third.current)) == ("C/10", None, "C/3")


def test_each_stage_runs_at_its_own_current(ex1, staged):
    ts = staged.timeseries
    area = ex1.area.to("cm2")
    assert list(staged.cycles["stage"]) == [1, 1, 2, 2]
    for cycle, j in ((1, 0.2), (2, 0.2), (3, 0.5), (4, 0.5)):
        i = ts.loc[(ts["cycle"] == cycle) & ts["step_type"].isin(["charge", "discharge"]), "current_A"].to_numpy()
        assert np.allclose(np.abs(i) * 1e3 / area, j, rtol=1e-9)
        # Coulomb count by hand: Q = j x area x duration of the step, from its own time stamps
        part = ts[(ts["cycle"] == cycle) & (ts["step_type"] == "charge")]
        q_hand = j * area * (part["time_s"].iloc[-1] - part["time_s"].iloc[0]) / 3600.0
        assert staged.cycles["charge_capacity_mAh"].iloc[cycle - 1] == pytest.approx(q_hand, rel=1e-6)


def test_a_stage_continues_from_where_the_last_left_the_cell(ex1, staged):
    # the first stage is the plain run at its current, cycle for cycle
    plain = simulate(ex1, cycles=2, model="SPM", current="0.2 mA/cm2")
    for col in ("charge_capacity_mAh", "discharge_capacity_mAh"):
        assert np.allclose(staged.cycles[col].iloc[:2], plain.cycles[col], rtol=1e-7)
    # the second starts from the first's end state: time runs on and the anode's Li carries over (held at the end of
    # cycle 2 = held at the start of cycle 3 + what cycle 3 moved), not a fresh cell at 0.5 mA/cm2
    fresh = simulate(ex1, cycles=2, model="SPM", current="0.5 mA/cm2")
    ts = staged.timeseries
    assert ts.loc[ts["cycle"] == 3, "time_s"].iloc[0] == pytest.approx(ts.loc[ts["cycle"] == 2, "time_s"].iloc[-1])
    assert not np.isclose(staged.cycles["charge_capacity_mAh"].iloc[2], fresh.cycles["charge_capacity_mAh"].iloc[0],
                          rtol=1e-4)


def _held_share(p_Pa: float, p_h_Pa: float) -> float:
    """The contact law's pressure-held share for f_0 = 0 and m = 1, by hand: the positive root of
    f^2 + P f - P = 0, P = p / p_h (README, contact loss)."""
    big_p = p_Pa / p_h_Pa
    return (-big_p + math.sqrt(big_p * big_p + 4.0 * big_p)) / 2.0


def test_a_pressure_stage_holds_its_own_contact():
    # Park 2025's printed formation (3 cycles at C/20 and 75 MPa), then C/3 at 10 MPa: Li2S's large volume change
    # relaxes the cathode's contact to the held share of each stage's pressure within its stage
    path = resources.files("solidstack.studies") / "data" / "literature" / PARK
    stack = Stack.from_file(str(path))
    p = stack.cycling.with_changes(current="C/3", stages=[
        {"cycles": 3, "current": "C/20", "stack_pressure": "75 MPa", "name": "formation"},
        {"cycles": 2, "stack_pressure": "10 MPa"}])
    r = simulate(stack, p)
    p_h = hold_pressure_Pa(stack, "cathode")
    f = r.cycles["contact_fraction_cathode"].to_numpy()
    assert f[2] == pytest.approx(_held_share(75e6, p_h), abs=5e-3)
    assert f[4] == pytest.approx(_held_share(10e6, p_h), abs=5e-3)
    # and the 10 MPa stage is the 10 MPa cell's own steady state, whatever the formation before it
    plain = simulate(stack.replace(stack_pressure="10 MPa"), cycles=2, current="C/3")
    assert f[4] == pytest.approx(plain.cycles["contact_fraction_cathode"].iloc[-1], abs=1e-3)
    assert r.cycles["discharge_capacity_mAh_g"].iloc[2] > 1.2 * r.cycles["discharge_capacity_mAh_g"].iloc[4]


def test_stage_currents_resolve_on_the_stack(ex1):
    p = Protocol(current="0.2 mA/cm2", lower_cutoff="3 V", upper_cutoff="4.37 V",
                 stages=[{"cycles": 1, "current": "C/20"}]).resolved(ex1)
    # C/20 on the limiting capacity, by hand: capacity (mAh) x 0.05 /h over the area (cm2) -> mA/cm2 -> A/m2
    assert p.stages[0].current.si == pytest.approx(ex1.limiting_capacity_mAh * 0.05 / ex1.area.to("cm2") * 10, rel=1e-5)


def test_stage_errors_are_located():
    base = {"current": "C/3", "lower_cutoff": "2.5 V", "upper_cutoff": "4.2 V"}
    with pytest.raises(InputError, match=r"stages.*upper_cutoff belongs to the whole protocol"):
        Protocol(**base, stages=[{"cycles": 1, "upper_cutoff": "4.3 V"}])
    with pytest.raises(InputError, match=r"stages.*cycles"):
        Protocol(**base, stages=[{"current": "C/10"}])
    with pytest.raises(InputError, match=r"stages\[0\]\.current.*mA/cm2"):
        Protocol(**base, stages=[{"cycles": 1, "current": "500 mA/cm2"}]).resolved(resolve("example-1"))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from solidstack.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=600)


def test_the_example_runs_through_the_cli(tmp_path):
    r = _cli("simulate", str(EXAMPLE), "--cycles", "7", "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    import pandas as pd

    cyc = pd.read_csv(tmp_path / "out" / "cycles.csv")
    assert list(cyc["stage"]) == [1, 1, 2, 3, 4, 5, 6]
    # the rate test: one C/10 charge before each discharge, and less back the faster the discharge
    dis = cyc["discharge_capacity_mAh_g"].to_numpy()
    assert dis[2] > dis[3] > dis[4] > dis[5]
    assert "stage 1 (formation), cycles 1-2, 50 MPa" in r.stdout


def test_a_bad_stage_in_a_stack_file_is_one_located_line(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace('name = "rate C/10"\ncycles = 1',
                                                        'name = "rate C/10"\ncycles = 1\nupper_cutoff = "4.4 V"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    r = _cli("simulate", str(bad), "--out", str(tmp_path / "out"))
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "cycling" in lines[0] and "stages[1]" in lines[0] and "upper_cutoff" in lines[0], r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "out").exists()


def test_a_staged_run_resumes_to_its_uninterrupted_table(ex1, tmp_path):
    p = ex1.cycling.with_changes(current="0.2 mA/cm2", stages=[{"cycles": 2}, {"cycles": 2, "current": "0.5 mA/cm2"}])
    whole = simulate(ex1, p, model="SPM")
    simulate(ex1, p.with_changes(cycles=3), model="SPM", checkpoint=tmp_path)
    resumed = simulate(ex1, p, model="SPM", resume=tmp_path)
    for col in ("charge_capacity_mAh", "discharge_capacity_mAh", "stage"):
        assert np.allclose(resumed.cycles[col], whole.cycles[col], rtol=1e-6), col


def test_reports_name_the_stages():
    from solidstack.report.design import _protocol_text

    p = Protocol(current="C/3", lower_cutoff="2.5 V", upper_cutoff="4.2 V",
                 stages=[{"cycles": 2, "current": "C/20", "stack_pressure": "75 MPa", "name": "formation"},
                         {"cycles": 5, "discharge_current": "1C"}])
    text = _protocol_text(p)
    assert "in 2 stages (1 formation: 2 cycle(s), C/20, 75 MPa; 2: 5 cycle(s), discharge at 1C)" in text


def test_an_experiment_whose_cycles_change_current_runs_as_stages(ex1):
    import pybamm

    exp = pybamm.Experiment([("Charge at C/20 until 4.37 V", "Discharge at C/20 until 3.0 V")] * 2
                            + [("Charge at C/5 until 4.37 V", "Discharge at 1C until 3.0 V")] * 2)
    r = simulate(ex1, exp, model="SPM")
    assert list(r.cycles["stage"]) == [1, 1, 2, 2]
    # the same run written as a staged protocol
    p = Protocol(current="C/20", lower_cutoff="3.0 V", upper_cutoff="4.37 V",
                 stages=[{"cycles": 2}, {"cycles": 2, "current": "C/5", "discharge_current": "1C"}])
    same = simulate(ex1, p, model="SPM")
    for col in ("charge_capacity_mAh", "discharge_capacity_mAh"):
        assert np.allclose(r.cycles[col], same.cycles[col], rtol=1e-9)
    # each stage at its own C-rate on the limiting capacity, by hand: mAh x rate /h over cm2 -> mA/cm2 (resolved to 6
    # significant digits, Protocol.resolved)
    ts = r.timeseries
    area = ex1.area.to("cm2")
    for cycle, kind, rate in ((1, "charge", 0.05), (3, "charge", 0.2), (3, "discharge", 1.0)):
        i = ts.loc[(ts["cycle"] == cycle) & (ts["step_type"] == kind), "current_A"].to_numpy()
        assert np.allclose(np.abs(i) * 1e3 / area, ex1.limiting_capacity_mAh * rate / area, rtol=1e-5)


def test_an_experiment_whose_cycles_change_more_than_current_is_refused(ex1):
    import pybamm

    exp = pybamm.Experiment([("Charge at C/20 until 4.37 V", "Discharge at C/20 until 3.0 V"),
                             ("Charge at C/20 until 4.2 V", "Discharge at C/20 until 3.0 V")])
    with pytest.raises(InputError, match=r"cycle 2 differs from cycle 1 in more than its currents \(upper_cutoff\)"):
        simulate(ex1, exp, model="SPM")


def test_a_study_runs_its_protocols_stages(tmp_path):
    # a study's [protocol] with a formation stage: the formation's own pressure is an axis, and the cell's pressure
    # after it is another; the stages reach every design (before, a study dropped them and ran the plain protocol)
    from solidstack.studies import Study, run_study

    study = Study.from_dict({
        "name": "formation pressure", "stack": "example-4", "model": "SPM", "outputs": ["capacity", "retention"],
        "protocol": {"current": "0.2 mA/cm2",
                     "stages": [{"name": "formation", "cycles": 1, "stack_pressure": "50 MPa"}, {"cycles": 2}]},
        "axes": [{"path": "cycling.stages[0].stack_pressure", "values": ["2 MPa", "200 MPa"]},
                 {"path": "stack_pressure", "values": ["0 MPa", "5 MPa"]}]})
    rows = run_study(study, tmp_path / "s.store", workers=0).rows
    assert len(rows) == 4 and (rows["status"] == "ok").all()
    first = {(round(a), round(b)): c for a, b, c in zip(rows["cycling_stages_0_stack_pressure_MPa"],
                                                         rows["stack_pressure_MPa"], rows["discharge_capacity_mAh_g"],
                                                         strict=True)}
    # cycle 1 is the formation: the same for either later pressure, not for another formation pressure
    assert first[(2, 0)] == pytest.approx(first[(2, 5)], rel=1e-9)
    assert first[(200, 0)] == pytest.approx(first[(200, 5)], rel=1e-9)
    assert first[(200, 0)] != pytest.approx(first[(2, 0)], rel=1e-3)
    # designs that differ only in their stages share one built model, as the simulation's cache key says
    from solidstack.studies.study import structure_group

    assert len({d.group for d in study.designs()}) == 1
    assert structure_group({"cycling": {"stages": [{"cycles": 1}]}}) == structure_group({"cycling": {"stages": []}})
