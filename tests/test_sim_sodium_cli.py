"""Na-ion stacks, the result API, the model cache and the ``simulate`` command."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from solidstack.cli import app
from solidstack.errors import InputError
from solidstack.sim import Protocol, SimulationError, simulate
from solidstack.sim import run as run_module
from solidstack.stack import Stack, resolve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _na_stack(anode_side: list[dict]) -> Stack:
    """SUS / [anode_side] / hard carbon + Na3PS4 / Na3PS4 / Na3V2(PO4)3 + Na3PS4 / SUS, 1 cm2, knowledge-base names."""
    return Stack.from_dict({
        "name": "Na test cell", "area": "1 cm2", "working_ion": "Na",
        "cycling": {"current_density": "0.1 mA/cm2", "lower_cutoff": "1.0 V", "upper_cutoff": "3.6 V", "cycles": 1},
        "layers": [
            {"type": "collector", "material": "SUS", "thickness": "10 um"},
            *anode_side,
            {"type": "anode", "mass": "10 mg", "porosity": 0.15,
             "active": {"material": "hard_carbon", "fraction": 0.6}, "electrolyte": {"material": "Na3PS4", "fraction": 0.4}},
            {"type": "separator", "electrolyte": "Na3PS4", "mass": "60 mg", "porosity": 0.15},
            {"type": "cathode", "mass": "20 mg", "porosity": 0.15,
             "active": {"material": "Na3V2(PO4)3", "fraction": 0.7}, "electrolyte": {"material": "Na3PS4", "fraction": 0.3}},
            {"type": "collector", "material": "SUS", "thickness": "10 um"},
        ],
    })


SN = {"type": "metal", "material": "Sn", "thickness": "10 um"}
CU = {"type": "metal", "material": "Cu", "thickness": "15 um"}


def test_na_stack_runs_and_sn_behind_anode_reacts():
    # Sn alloys with Na at ~0.2 V vs Na+/Na (reactions.csv, Ellis 2012/Baggetto 2013), above the hard-carbon
    # low-potential plateau (~0.05-0.1 V vs Na+/Na, Stevens & Dahn 2000): on charge the Sn takes Na.
    bare = simulate(_na_stack([]))
    assert bare.cycles["discharge_capacity_mAh"].iloc[0] > 0
    # contact loss off: this checks which layer reacts. With it on, at 0 MPa and with no ductile layer, the
    # Na3V2(PO4)3 composite's face separates from its collector within the first charge (the contact law), which
    # ends that charge before the anode reaches the Sn
    with_sn = simulate(_na_stack([SN]), contact_loss=False)
    held = with_sn.timeseries["anode_Sn_foil_held_mAh"]
    assert held.max() - held.iloc[0] > 0.05 * with_sn.cycles["charge_capacity_mAh"].iloc[0]
    shielded = simulate(_na_stack([SN, CU]))
    assert not any("Sn" in c for c in shielded.cycles.columns)


def test_result_api_files_and_plots(tmp_path):
    r = simulate(resolve("example-4"), cycles=2, model="SPM")
    df = r.to_dataframe()
    for col in ("cycle", "charge_capacity_mAh", "discharge_capacity_mAh_g", "coulombic_efficiency", "retention",
                "mean_charge_voltage_V", "mean_discharge_voltage_V", "contact_fraction_anode", "anode_graphite_held_mAh"):
        assert col in df.columns
    assert list(df["cycle"]) == [1, 2]
    assert df["retention"].iloc[0] == pytest.approx(1.0)
    ts = r.timeseries
    assert {"cycle", "time_s", "current_A", "voltage_V", "capacity_mAh"} <= set(ts.columns)
    assert (ts.loc[ts["current_A"] > 0, "current_density_mA_cm2"] > 0).all()  # positive on discharge
    assert r.model is not None and r.parameter_values is not None and r.solution is not None
    assert len(r.to_csv(tmp_path)) == 2
    pytest.importorskip("pyarrow")
    assert all(p.exists() for p in r.to_parquet(tmp_path))
    assert all(p.stat().st_size > 0 for p in r.save_plots(tmp_path))


def test_models_are_cached_by_structure():
    s = resolve("example-4")
    a = simulate(s, cycles=1, model="SPM")
    b = simulate(s.replace(stack_pressure="10 MPa"), cycles=1, model="SPM")  # only an input changes
    assert a.simulation is b.simulation
    assert b.cycles["contact_fraction_anode"].iloc[0] > a.cycles["contact_fraction_anode"].iloc[0]


def test_protocol_with_cv_hold_rest_and_discharge_first():
    p = Protocol(current_density_A_m2=2.0, lower_V=3.0, upper_V=4.2, cycles=1, first="discharge",
                 cv_hold_until_A_m2=0.5, rest_s=600.0)
    assert p.step_names() == ["discharge", "rest", "charge", "CV hold", "rest"]
    r = simulate(resolve("example-4"), p, model="SPM")
    assert r.cycles["charge_capacity_mAh"].iloc[0] > 0
    with pytest.raises(InputError):
        p.with_changes(lower_V=5.0)


def test_bad_model_name_is_input_error():
    with pytest.raises(InputError):
        simulate(resolve("example-4"), cycles=1, model="P2D-magic")


def test_cli_simulate_writes_files(tmp_path):
    res = CliRunner().invoke(app, ["simulate", "example-4", "--cycles", "1", "--model", "spm", "--current",
                                   "0.2 mA/cm2", "--window", "3.0:4.37", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "cycles.csv").exists() and (tmp_path / "voltage.png").exists()
    header = (tmp_path / "timeseries.csv").read_text().splitlines()[0].split(",")
    assert header[:5] == ["cycle", "time_s", "current_A", "voltage_V", "capacity_mAh"]


def test_cli_bad_input_exits_2():
    import subprocess
    import sys

    cmd = [sys.executable, "-c", "from solidstack.cli import main; main()", "simulate", "example-4", "--window", "4.3"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr.startswith("error: --window")


def test_cli_solver_failure_names_cycle_and_step(monkeypatch):
    finished = simulate(resolve("example-4"), cycles=1, model="SPM")

    def failing(*args, **kwargs):
        raise SimulationError("solver failed in cycle 2, discharge step: IDA_CONV_FAIL", 2, "discharge", finished)

    monkeypatch.setattr("solidstack.sim.simulate", failing)
    res = CliRunner().invoke(app, ["simulate", "example-4", "--cycles", "3"])
    assert res.exit_code == 1
    assert "error: solver failed in cycle 2, discharge step" in res.output
    assert "Example 4" in res.output  # the finished cycle is still printed


def test_partial_failure_keeps_finished_cycles(monkeypatch):
    # a solver error in cycle 2 (injected into PyBaMM's step) keeps cycle 1 and names where it failed
    import pybamm

    real_step = pybamm.IDAKLUSolver.step
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise pybamm.SolverError("injected failure")
        return real_step(self, *args, **kwargs)

    run_module.clear_cache()
    monkeypatch.setattr(pybamm.IDAKLUSolver, "step", flaky)
    with pytest.raises(SimulationError) as info:
        simulate(resolve("example-4"), cycles=3, model="SPM")
    err = info.value
    assert err.cycle == 2 and err.step == "charge"
    assert "cycle 2, charge step" in str(err)
    assert err.result is not None and len(err.result.cycles) == 1
    assert np.isfinite(err.result.cycles["discharge_capacity_mAh"].iloc[0])
