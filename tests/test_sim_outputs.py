"""One protocol type, option merging in simulate(), C-rates, sampling, step columns, provenance and BDF export."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pybamm
import pytest

from solidstack.errors import InputError
from solidstack.sim import Protocol, simulate
from solidstack.sim.protocol import from_experiment
from solidstack.sim.provenance import read_run, stack_from_parquet
from solidstack.stack import Cycling, resolve
from solidstack.stack.cycling import parse_c_rate, parse_window

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def ex4():
    return resolve("example-4")


# ---------------------------------------------------------------- the protocol type
def test_one_protocol_type():
    assert Protocol is Cycling
    assert isinstance(resolve("example-1").cycling, Protocol)


@pytest.mark.parametrize(("text", "rate"), [("C/10", 0.1), ("c/2", 0.5), ("0.5C", 0.5), ("2 C", 2.0), ("C", 1.0)])
def test_c_rates(text, rate):
    assert parse_c_rate(text).rate == pytest.approx(rate)


@pytest.mark.parametrize("text", ["3.0:4.2", "3.0,4.2", "3.0 V, 4.2 V", " 3:4.2V "])
def test_one_window_syntax(text):
    assert parse_window(text) == (pytest.approx(3.0), pytest.approx(4.2))


def test_window_syntax_is_shared_by_the_rules_commands():
    from solidstack.rules.windows import parse_window as rules_window

    assert rules_window("0.01:0.25") == rules_window("0.01,0.25") == (0.01, 0.25)


def test_c_rate_is_on_the_limiting_capacity(ex4):
    # hand rule: C/10 = limiting capacity (min of anode and cathode, mAh) / 10 h, over the area (cm2)
    limiting = min(ex4.anode_capacity_mAh, ex4.cathode_capacity_mAh)
    area_cm2 = ex4.area.to("cm2")
    p = ex4.cycling.with_changes(current="C/10").resolved(ex4)
    assert p.current.to("mA/cm2") == pytest.approx(limiting / 10 / area_cm2, rel=1e-5)
    # a current in mA is divided by the area
    assert ex4.cycling.with_changes(current="0.5 mA").resolved(ex4).current_density_A_m2 == pytest.approx(
        0.5e-3 / ex4.area_m2)


def test_bad_protocol_fields_are_located_input_errors(ex4):
    with pytest.raises(InputError, match="current"):
        Protocol(current="5 V", lower_cutoff="3 V", upper_cutoff="4 V")
    with pytest.raises(InputError, match="below"):
        Protocol(current="C/10", lower_cutoff="4 V", upper_cutoff="3 V")
    with pytest.raises(InputError, match="^current"):
        simulate(ex4, current="C/0")
    with pytest.raises(InputError, match="^window"):
        simulate(ex4, window="4.3")
    with pytest.raises(InputError, match="no \\[cycling\\] section"):
        simulate(ex4.replace(cycling=None), cycles=1)


# ---------------------------------------------------------------- simulate() merges the options
def test_c_rate_run_equals_the_same_current_density(ex4):
    j = ex4.cycling.with_changes(current="C/5").resolved(ex4).current.to("mA/cm2")
    a = simulate(ex4, cycles=1, model="SPM", current="C/5", window="3.0,4.2", progress=False)
    b = simulate(ex4, cycles=1, model="SPM", current=f"{j} mA/cm2", window="3.0:4.2")
    np.testing.assert_allclose(a.cycles["discharge_capacity_mAh"], b.cycles["discharge_capacity_mAh"], rtol=1e-9)
    assert any("C/5" in n and "limiting capacity" in n for n in a.notes)
    assert a.provenance["protocol"]["current"] == "C/5"


def test_progress_true_draws_a_bar_on_stderr(ex4, capsys):
    simulate(ex4, cycles=1, model="SPM", progress=True)
    assert "cycles" in capsys.readouterr().err
    with pytest.raises(InputError, match="progress"):
        simulate(ex4, cycles=1, model="SPM", progress="yes")


def test_pybamm_experiment_in_the_supported_subset(ex4):
    amps = 0.2e-3 * ex4.area.to("cm2")  # 0.2 mA/cm2
    exp = pybamm.Experiment([(f"Charge at {amps} A until 4.2 V", "Hold at 4.2 V until C/50", "Rest for 10 minutes",
                              f"Discharge at {amps} A until 3.0 V", "Rest for 10 minutes")] * 2)
    p = from_experiment(exp, ex4)
    assert p.step_names() == ["charge", "CV hold", "rest", "discharge", "rest"]
    assert (p.cycles, p.window_V, p.rest_s, str(p.cv_hold_until)) == (2, (3.0, 4.2), 600.0, "0.02C")
    assert p.current_density_A_m2 == pytest.approx(2.0)
    r = simulate(ex4, exp, model="SPM")
    assert len(r.cycles) == 2 and r.cycles["discharge_capacity_mAh"].iloc[0] > 0


@pytest.mark.parametrize(("steps", "why"), [
    (("Discharge at 1 W until 3 V", "Charge at 1 mA until 4.2 V"), "not supported"),
    (("Charge at 1 mA for 1 hour", "Discharge at 1 mA until 3 V"), "voltage cut-off"),
])
def test_pybamm_experiment_outside_the_subset_is_refused(ex4, steps, why):
    with pytest.raises(InputError, match=why):
        from_experiment(pybamm.Experiment([steps]), ex4)


# ---------------------------------------------------------------- sampling and step columns
def test_period_sampling_and_step_columns(ex4):
    r = simulate(ex4, cycles=1, model="SPM", period="30 s", rest="5 min")
    ts, cyc = r.timeseries, r.cycles
    assert list(ts["step_type"].unique()) == ["charge", "rest", "discharge"]
    assert ts["step_count"].is_monotonic_increasing
    for _, part in ts.groupby("step_count"):
        dt = np.diff(part["time_s"].to_numpy())
        assert np.allclose(dt[:-1], 30.0) and 0 < dt[-1] <= 30.0 + 1e-9  # every 30 s, then the step's end
    dt_all = np.diff(ts["time_s"].to_numpy())
    assert (dt_all > 0).all() and (dt_all <= 30.0 + 1e-9).all()
    ends = ts.groupby("step_type")[["step_capacity_mAh", "step_energy_mWh"]].max()
    assert ends.loc["charge", "step_capacity_mAh"] == pytest.approx(cyc["charge_capacity_mAh"].iloc[0], rel=1e-6)
    assert ends.loc["discharge", "step_capacity_mAh"] == pytest.approx(cyc["discharge_capacity_mAh"].iloc[0], rel=1e-6)
    assert ends.loc["rest", "step_capacity_mAh"] == pytest.approx(0.0, abs=1e-12)
    # energy / capacity of a step = its mean voltage, which the table computes by Simpson's rule separately
    v_dis = ends.loc["discharge", "step_energy_mWh"] / ends.loc["discharge", "step_capacity_mAh"]
    assert v_dis == pytest.approx(cyc["mean_discharge_voltage_V"].iloc[0], abs=2e-3)
    # sampling changes nothing solved: the same run on the solver's points ends the same
    native = simulate(ex4, cycles=1, model="SPM", rest="5 min")
    assert native.cycles["discharge_capacity_mAh"].iloc[0] == pytest.approx(cyc["discharge_capacity_mAh"].iloc[0])
    # ... and the resampled voltage is PyBaMM's own interpolation of the solution at those times
    res = ts[ts["step_type"] == "discharge"]
    step = native.solution.cycles[0].steps[2]
    v_pybamm = step["Voltage [V]"](t=res["time_s"].to_numpy())
    assert np.max(np.abs(v_pybamm - res["voltage_V"])) < 1e-3


@pytest.mark.parametrize("period", ["0.02 mAh", "2 mAh/g"])
def test_capacity_step_sampling(ex4, period):
    step = 0.02 if period.endswith("mAh") else 2.0 * ex4.cathode.active_mass_kg(ex4.area_m2) * 1e3  # mAh/g x g
    r = simulate(ex4, cycles=1, model="SPM", period=period)
    part = r.timeseries[r.timeseries["step_type"] == "charge"]
    dq = np.diff(part["step_capacity_mAh"].to_numpy())
    assert np.allclose(dq[:-1], step, rtol=2e-3) and 0 < dq[-1] <= step * 1.002


def test_bdf_columns(ex4):
    r = simulate(ex4, cycles=2, model="SPM")
    bdf = r.to_bdf()
    for label in ("Test Time / s", "Voltage / V", "Current / A", "Cycle Count / 1", "Step Count / 1",
                  "Step Index / 1", "Charging Capacity / Ah", "Discharging Capacity / Ah", "Step Capacity / Ah",
                  "Charging Energy / Wh", "Discharging Energy / Wh"):
        assert label in bdf.columns, label
    ts = r.timeseries
    np.testing.assert_allclose(bdf["Current / A"], -ts["current_A"])  # positive on charge, as cyclers record
    for label in ("Charging Capacity / Ah", "Discharging Capacity / Ah", "Charging Energy / Wh", "Step Count / 1"):
        assert (np.diff(bdf[label].to_numpy()) >= -1e-12).all(), label  # accumulate over the whole test
    # the accumulated capacities at the end are the table's totals
    assert bdf["Charging Capacity / Ah"].iloc[-1] * 1e3 == pytest.approx(r.cycles["charge_capacity_mAh"].sum(), rel=1e-6)
    assert bdf["Discharging Capacity / Ah"].iloc[-1] * 1e3 == pytest.approx(r.cycles["discharge_capacity_mAh"].sum(), rel=1e-6)


# ---------------------------------------------------------------- provenance and files
def test_acceptance_cli_period_out_and_provenance(tmp_path):
    # solidstack simulate example-1 --period 30s --out d (the acceptance command), with umask 027
    d = tmp_path / "d"
    args = ["simulate", "example-1", "--period", "30s", "--out", str(d), "--format", "bdf"]
    p = subprocess.run([sys.executable, "-c", "from solidstack.cli import main; main()", *args], capture_output=True,
                       text=True, preexec_fn=lambda: os.umask(0o027))
    assert p.returncode == 0, p.stderr
    ts = pd.read_parquet(d / "timeseries.parquet")
    assert {"step_count", "step_index", "step_type", "step_time_s", "step_capacity_mAh", "step_energy_mWh"} <= set(ts.columns)
    dt = np.diff(ts["time_s"].to_numpy())
    assert np.isclose(dt, 30.0).mean() > 0.95 and (dt <= 30.0 + 1e-9).all()  # one row per 30 s (+ step ends)
    run = json.loads((d / "run.json").read_text())
    assert run["command"][1:] == args
    assert run["versions"]["pybamm"] == pybamm.__version__ and run["model"] == "SPMe"
    assert "contact.toml" in run["constants"] and "calibration" in run["constants"]
    # the Parquet metadata rebuilds the same Stack, and the stack copy is a stack file
    stack = resolve("example-1")
    assert stack_from_parquet(d / "timeseries.parquet") == stack
    assert stack_from_parquet(d / "cycles.parquet") == stack
    assert read_run(d / "timeseries.parquet")["protocol"]["period"] == "30 s"
    from solidstack.stack import Stack

    assert Stack.from_file(d / "stack.toml") == stack
    assert pd.read_csv(d / "timeseries.bdf.csv").columns[0] == "Test Time / s"
    for f in d.iterdir():  # every file with the user's umask (027 -> 0640)
        assert f.stat().st_mode & 0o777 == 0o640, f.name


def test_parameter_values_export(ex4, tmp_path):
    r = simulate(ex4, cycles=1, model="SPM")
    path = r.export_parameters(tmp_path / "params.json")
    back = pybamm.ParameterValues.from_json(str(path))
    scalars = {k: v for k, v in r.parameter_values.items() if isinstance(v, (int, float))}
    assert scalars and all(back[k] == pytest.approx(v) for k, v in scalars.items())
    with pytest.raises(InputError, match="not expressible in BPX: .*contact"):
        r.export_parameters(tmp_path / "params.bpx.json")
    assert not (tmp_path / "params.bpx.json").exists()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from solidstack.cli import main; main()", *args],
                          capture_output=True, text=True)


def test_cli_protocol_options_reach_the_run(tmp_path):
    p = _cli("simulate", "example-4", "--cycles", "1", "--model", "spm", "--current", "C/5", "--window", "3.0,4.2",
             "--cv-hold", "C/50", "--rest", "5 min", "--pressure", "10 MPa", "--no-contact-loss", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    run = json.loads((tmp_path / "run.json").read_text())
    assert {k: run["protocol"][k] for k in ("current", "cv_hold_until", "rest", "upper_cutoff")} == {
        "current": "C/5", "cv_hold_until": "C/50", "rest": "5 min", "upper_cutoff": "4.2 V"}
    assert run["stack"]["stack_pressure"] == "10 MPa" and run["contact_loss"] is False
    cycles = pd.read_csv(tmp_path / "cycles.csv")
    assert cycles["contact_fraction_anode"].iloc[0] == pytest.approx(1.0)  # contact loss off
    ts = pd.read_csv(tmp_path / "timeseries.csv")
    assert list(ts["step_type"].unique()) == ["charge", "CV hold", "rest", "discharge"]


@pytest.mark.parametrize(("args", "start"), [
    (["--current", "fast"], "error: --current: "),
    (["--window", "4.2"], "error: --window: "),
    (["--window", "4.2:3.0"], "error: --window: "),
    (["--period", "3 V"], "error: --period: "),
    (["--cv-hold", "-1 mA"], "error: --cv-hold: "),
    (["--rest", "10 parsecs"], "error: --rest: "),
    (["--pressure", "high"], "error: --pressure: "),
    (["--format", "xlsx"], "error: --format: "),
    (["--discharge-current", "fast"], "error: --discharge-current: "),
    (["--charge-current", "0 mA/cm2"], "error: --charge-current: "),
    (["--discharge-current", "500 mA/cm2"], "error: --discharge-current: "),
])
def test_cli_bad_protocol_options_are_one_line(tmp_path, args, start):
    p = _cli("simulate", "example-4", *args, "--out", str(tmp_path / "o"))
    assert p.returncode == 2 and p.stderr.startswith(start) and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_mean_voltages_match_a_dense_integral(ex4):
    # Independent of the table's quadrature: the mean voltage of each step is int V I dt / int I dt on a dense
    # (200 001-point) grid of PyBaMM's own interpolation of the solution; the solver's long steps near the
    # discharge cut-off cross the steep end of the OCPs, where one midpoint per step was 3-8 mV off.
    r = simulate(ex4, cycles=1, model="SPM", rest="5 min")
    for k, col in ((0, "mean_charge_voltage_V"), (2, "mean_discharge_voltage_V")):
        step = r.solution.cycles[0].steps[k]
        t = step["Time [s]"].entries
        tt = np.linspace(t[0], t[-1], 200001)
        v, i = step["Voltage [V]"](t=tt), step["Current [A]"](t=tt)
        dense = np.trapezoid(v * i, tt) / np.trapezoid(i, tt)
        assert r.cycles[col].iloc[0] == pytest.approx(dense, abs=1e-3)
