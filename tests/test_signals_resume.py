"""Long runs: SIGINT/SIGTERM stop at a step boundary with every finished cycle written (exit 130/143), SIGKILL
loses at most one chunk and ``--resume`` continues to the same per-cycle table, a solver failure exits 1 with the
finished cycles written. All through the command line in a subprocess."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pybamm
import pytest

from solidstack.sim.run import CHUNK_CYCLES

ENTRY = Path(sys.executable).with_name("solidstack")
CMD = [str(ENTRY)] if ENTRY.exists() else [sys.executable, "-m", "solidstack"]


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([*CMD, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 300.0) -> None:
    t0 = time.monotonic()
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"the run ended before {path.name} appeared: {proc.stderr.read()}")
        if time.monotonic() - t0 > timeout:
            proc.kill()
            pytest.fail(f"no {path.name} within {timeout} s")
        time.sleep(0.05)


def _no_temporary_files(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_pybamm_internals_relied_on():
    # the stop at a step boundary and the resume use these (see sim/run.py _stoppable and _resume)
    for name in ("_get_built_experiment_solver", "_get_built_experiment_model", "build_for_experiment"):
        assert callable(getattr(pybamm.Simulation, name, None)), name


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_after_first_chunk_writes_finished_cycles(tmp_path, sig, code):
    out = tmp_path / "run"
    proc = _start("simulate", "example-1", "--cycles", "1000", "--out", str(out))
    _wait_for(out / "checkpoint.npz", proc)  # the first chunk has finished
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == code, err
    assert "Traceback" not in err and "ERROR" not in err
    line = [ln for ln in err.splitlines() if ln.startswith("interrupted:")]
    assert len(line) == 1 and "of 1000 cycle(s)" in line[0]
    cycles = pd.read_csv(out / "cycles.csv")
    n = len(cycles)
    assert CHUNK_CYCLES <= n < 1000 and f"after {n} of 1000" in line[0]
    assert list(cycles["cycle"]) == list(range(1, n + 1))  # complete: every finished cycle, no partial one
    for col in ("charge_capacity_mAh", "discharge_capacity_mAh", "mean_discharge_voltage_V"):
        assert np.isfinite(cycles[col]).all() and (cycles[col] > 0).all()
    assert pd.read_parquet(out / "cycles.parquet")["cycle"].max() == n
    _no_temporary_files(out)


def test_sigkill_then_resume_matches_an_uninterrupted_run(tmp_path):
    n = CHUNK_CYCLES + 30
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    proc = _start("simulate", "example-4", "--model", "spm", "--cycles", str(n), "--out", str(killed))
    _wait_for(killed / "checkpoint.npz", proc)
    proc.kill()
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not (killed / "cycles.csv").exists()  # killed mid-run: only the checkpoint of the first chunk
    r = subprocess.run([*CMD, "simulate", "example-4", "--model", "spm", "--cycles", str(n), "--resume", str(killed)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    w = subprocess.run([*CMD, "simulate", "example-4", "--model", "spm", "--cycles", str(n), "--out", str(whole)],
                       capture_output=True, text=True, timeout=600)
    assert w.returncode == 0, w.stderr
    a, b = pd.read_csv(killed / "cycles.csv"), pd.read_csv(whole / "cycles.csv")
    assert list(a["cycle"]) == list(b["cycle"]) == list(range(1, n + 1))
    for col in ("charge_capacity_mAh", "discharge_capacity_mAh"):
        np.testing.assert_allclose(a[col], b[col], rtol=1e-3)
    _no_temporary_files(killed)


def test_resume_refuses_another_run(tmp_path):
    out = tmp_path / "run"
    r = subprocess.run([*CMD, "simulate", "example-4", "--model", "spm", "--cycles", "2", "--out", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*CMD, "simulate", "example-4", "--model", "spm", "--cycles", "3", "--current", "0.3 mA/cm2",
                        "--resume", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and r.stderr.startswith("error: --resume: the checkpoint is of a different run")
    r = subprocess.run([*CMD, "simulate", "example-4", "--resume", str(tmp_path / "nothing")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "no checkpoint.npz" in r.stderr and "Traceback" not in r.stderr
    # the same run extended from 2 to 3 cycles: the table and the time series hold all three
    r = subprocess.run([*CMD, "simulate", "example-4", "--model", "spm", "--cycles", "3", "--resume", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert list(pd.read_csv(out / "cycles.csv")["cycle"]) == [1, 2, 3]
    assert sorted(pd.read_parquet(out / "timeseries.parquet")["cycle"].unique()) == [1, 2, 3]


FAILING = """
import sys, pybamm
real = pybamm.IDAKLUSolver.step
calls = {"n": 0}
def flaky(self, *a, **k):
    calls["n"] += 1
    if calls["n"] == 6:  # cycle 3, discharge: within the first chunk
        raise pybamm.SolverError("injected failure")
    return real(self, *a, **k)
pybamm.IDAKLUSolver.step = flaky
from solidstack.cli import main
main(sys.argv[1:])
"""


def test_solver_failure_in_first_chunk_exits_1_with_finished_cycles(tmp_path):
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-c", FAILING, "simulate", "example-4", "--model", "spm", "--cycles", "5",
                        "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "solver failed in cycle 3, discharge step" in errors[0], r.stderr
    assert "Traceback" not in r.stderr
    cycles = pd.read_csv(out / "cycles.csv")
    assert list(cycles["cycle"]) == [1, 2]  # the two finished cycles, not the one cut short
    _no_temporary_files(out)


def test_telemetry_is_disabled_by_solidstack():
    env = {k: v for k, v in os.environ.items() if k != "PYBAMM_DISABLE_TELEMETRY"}
    code = "import solidstack.sim, os, pybamm; print(os.environ['PYBAMM_DISABLE_TELEMETRY'], pybamm.telemetry._posthog.disabled)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["true", "True"]
