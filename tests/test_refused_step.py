"""A constant-current step that starts beyond its own cut-off ends at once with no capacity, as on a cycler, and the
protocol goes on (sim/run.py ``_StepSolver``, ``mark_refused``): the cycle's capacities are zero, its CE is NaN,
the column ``step_refused`` and a note say so, ``solidstack simulate`` prints one warning line; any other solver
error is raised as before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pybamm
import pytest

import solidstack.sim.run as run
from solidstack.materials import Catalog
from solidstack.sim import SimulationError, simulate
from solidstack.sim.model import RecoveringIDAKLUSolver
from solidstack.sim.protocol import CUTOFF_EVENT
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SRC = Path(__file__).resolve().parents[1] / "src"

#: The separator: 1000 um of a dense (porosity 0) SE at 0.1 mS/cm = 0.01 S/m.
SEP_L_M, SEP_SIGMA_S_M = 1000e-6, 0.01
#: Window: an oxide cathode against Li sits above 2 V at any lithiation (LiCoO2/NMC-type OCPs, 3-4.5 V vs Li).
LOWER_V, UPPER_V, OCV_FLOOR_V = 2.0, 4.3, 2.0


def _stack() -> Stack:
    """Li metal | 1000 um dense Li6PS5Cl at 0.1 mS/cm | thin NMC111 composite, 1 cm2, stiff pressure."""
    return Stack.from_dict({
        "name": "refused step test cell", "area": "1 cm2", "working_ion": "Li", "stack_pressure": "50 MPa",
        "layers": [
            {"type": "collector", "material": "SUS", "thickness": "10 um"},
            {"type": "anode", "thickness": "50 um", "porosity": 0.0, "active": {"material": "Li", "fraction": 1.0}},
            {"type": "separator", "electrolyte": "Li6PS5Cl", "thickness": f"{SEP_L_M * 1e6:g} um", "porosity": 0.0,
             "conductivity": f"{SEP_SIGMA_S_M * 10:g} mS/cm"},
            {"type": "cathode", "areal_loading": "4 mg/cm2", "porosity": 0.1,
             "active": {"material": "NMC111", "fraction": 0.7},
             "electrolyte": {"material": "Li6PS5Cl", "fraction": 0.3}},
            {"type": "collector", "material": "SUS", "thickness": "10 um"},
        ],
    })


def _separator_drop_V(j_mA_cm2: float) -> float:
    """Hand calculation: the separator's ohmic drop I R with R = L / sigma (dense SE, no tortuosity correction at
    porosity 0: (1 - 0)^1.5 = 1): 1e-3 m / 0.01 S/m = 0.1 ohm m2 = 1000 ohm cm2, so 1 mA/cm2 (10 A/m2) drops 1 V."""
    r_ohm_m2 = SEP_L_M / SEP_SIGMA_S_M
    return j_mA_cm2 * 10.0 * r_ohm_m2


def test_hand_calculation_of_the_drop():
    assert _separator_drop_V(1.0) == pytest.approx(1.0)
    # at 3 mA/cm2 the separator alone drops more than the whole window: a charge from any OCV above the floor
    # starts above the upper cut-off; at 0.03 mA/cm2 it drops 0.03 V
    assert _separator_drop_V(3.0) > UPPER_V - OCV_FLOOR_V
    assert _separator_drop_V(0.03) < 0.05


def test_a_charge_whose_ohmic_drop_exceeds_the_window_passes_nothing_and_is_flagged():
    r = simulate(_stack(), current="3 mA/cm2", window=f"{LOWER_V}:{UPPER_V}", cycles=2, contact_loss=False)
    t = r.cycles
    assert list(t["cycle"]) == [1, 2]  # the protocol went on: both cycles are there
    assert np.allclose(t["charge_capacity_mAh"], 0.0, atol=1e-9)
    assert np.allclose(t["discharge_capacity_mAh"], 0.0, atol=1e-9)
    assert t["coulombic_efficiency"].isna().all()  # 0 / 0: undefined, neither 0 nor 100 %
    assert all("charge" in f.split(",") for f in t["step_refused"])
    note = next(n for n in r.notes if n.startswith("cycles 1, 2 charge:"))
    v = float(note.split("(")[1].split(" V")[0])
    # the voltage at the step's start is at least the OCV floor plus the separator's drop (other drops add to it)
    assert v > OCV_FLOOR_V + _separator_drop_V(3.0) > UPPER_V
    assert f"above its {UPPER_V:g} V cut-off" in note
    # the time series keeps each refused step as one row at its start, passing nothing
    ts = r.timeseries
    assert list(ts["step_type"]) == ["charge", "discharge"] * 2
    assert (ts["step_capacity_mAh"] == 0.0).all() and (ts["step_time_s"] == 0.0).all()


def test_refused_steps_carry_over_chunk_boundaries():
    """Runs longer than CHUNK_CYCLES continue from the last state of a chunk, here a refused step's."""
    n = run.CHUNK_CYCLES + 2
    r = simulate(_stack(), current="3 mA/cm2", window=f"{LOWER_V}:{UPPER_V}", cycles=n, contact_loss=False)
    t = r.cycles
    assert len(t) == n and (t["step_refused"] == "charge,discharge").all()
    assert np.allclose(t["charge_capacity_mAh"], 0.0, atol=1e-9)


def test_the_same_cell_at_a_low_current_charges_normally():
    stack = _stack()
    r = simulate(stack, current="0.03 mA/cm2", window=f"{LOWER_V}:{UPPER_V}", cycles=1, contact_loss=False)
    t = r.cycles
    assert t["step_refused"].iloc[0] == ""
    assert not any("cut-off at the step's start" in n for n in r.notes)
    # a drop of 0.03 V leaves most of the cathode's capacity to 4.3 V: more than half of what it holds
    assert t["charge_capacity_mAh"].iloc[0] > 0.5 * stack.cathode_capacity_mAh
    assert 0.5 < t["coulombic_efficiency"].iloc[0] <= 1.0


def test_a_refused_charge_goes_on_to_the_cv_hold():
    """With a CV hold after the charge the cycler holds at the cut-off: charge passes at a lower current."""
    r = simulate(_stack(), current="3 mA/cm2", window=f"{LOWER_V}:{UPPER_V}", cv_hold="0.3 mA/cm2", cycles=1,
                 contact_loss=False)
    t = r.cycles
    assert "charge" in t["step_refused"].iloc[0].split(",")
    assert t["charge_capacity_mAh"].iloc[0] > 0.0  # passed in the hold
    ts = r.timeseries
    assert (ts["step_type"] == "CV hold").any()


def test_cli_prints_one_warning_line(tmp_path):
    path = tmp_path / "cell.toml"
    import tomli_w

    path.write_text(tomli_w.dumps(_stack().to_dict()), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run([sys.executable, "-m", "solidstack", "simulate", str(path), "--current", "3 mA/cm2",
                           "--window", f"{LOWER_V}:{UPPER_V}", "--cycles", "1", "--no-contact-loss"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1, proc.stderr
    assert "cycle 1 charge" in warnings[0] and "no capacity" in warnings[0]
    assert "Traceback" not in proc.stderr


def test_an_unrelated_solver_error_still_raises(monkeypatch):
    """A solver failure that is not a start beyond the cut-off fails the run as before (SimulationError)."""
    def broken(self, *args, **kwargs):
        raise pybamm.SolverError("IDA_CONV_FAIL: the corrector convergence failed repeatedly")

    monkeypatch.setattr(RecoveringIDAKLUSolver, "step", broken)
    with pytest.raises(SimulationError, match="IDA_CONV_FAIL"):
        simulate(_stack(), current="0.03 mA/cm2", window=f"{LOWER_V}:{UPPER_V}", cycles=1, contact_loss=False)


class _Raising:
    """A solver whose step raises ``message``."""

    def __init__(self, message: str):
        self.message = message

    def step(self, *args, **kwargs):
        raise pybamm.SolverError(self.message)


@pytest.mark.parametrize("message", [
    "IDA_ERR_FAIL: error test failed repeatedly",
    # a model limit violated at the start (not the step's own cut-off): a failure of the model
    "Events ['Minimum positive particle surface stoichiometry'] are non-positive at initial conditions with inputs {}",
    f"Events ['{CUTOFF_EVENT}', 'Minimum positive particle surface stoichiometry'] are non-positive at initial "
    "conditions with inputs {}",
])
def test_other_errors_pass_through_the_step_solver(message):
    solver = run._StepSolver(_Raising(message), run._Tracker(step_names=["charge", "discharge"]), run._Stop())
    with pytest.raises(pybamm.SolverError, match="non-positive|IDA_ERR_FAIL"):
        solver.step(pybamm.EmptySolution(), None, 1.0)


def test_pybamm_words_a_violated_start_as_read():
    """events_at_start reads PyBaMM's own message (base_solver._check_event_violation); if PyBaMM rewords it, a
    start beyond the cut-off would fail the run again: this pins the wording."""
    import inspect

    from pybamm.solvers.base_solver import BaseSolver

    source = inspect.getsource(BaseSolver._check_event_violation)
    assert 'f"Events {event_names} are non-positive at initial conditions' in source
    names = [CUTOFF_EVENT, "Maximum voltage [V]"]
    assert run.events_at_start(pybamm.SolverError(f"Events {names} are non-positive at initial conditions with "
                                                  "inputs {'Current direction': -1.0}")) == names
    assert run.events_at_start(pybamm.SolverError("IDA_CONV_FAIL")) is None


def test_a_user_catalog_reaches_the_contact_inputs(monkeypatch):
    """run._simulate passes the run's catalog to contact_inputs (the SE whose modulus sets f_p is looked up in it)."""
    seen = []

    class Stop(Exception):
        pass

    def recording(stack, k, constants=None, catalog=None, se_contacts_z=None):
        seen.append(catalog)
        raise Stop

    monkeypatch.setattr(run, "contact_inputs", recording)
    user = Catalog()  # a catalog object of its own, not the default one
    with pytest.raises(Stop):
        simulate(_stack(), current="0.03 mA/cm2", window=f"{LOWER_V}:{UPPER_V}", cycles=1, catalog=user)
    assert seen and seen[0] is user
