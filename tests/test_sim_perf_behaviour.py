"""Long runs are solved in chunks of cycles: the results must not depend on the chunking (behaviour only; the
timings and memory are in bench/bench_sim.py)."""

from __future__ import annotations

import numpy as np
import pybamm
import pytest

from solidstack.sim import SimulationError, simulate
from solidstack.sim import run as run_module
from solidstack.stack import resolve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def chunk(monkeypatch):
    def set_chunk(n: int) -> None:
        monkeypatch.setattr(run_module, "CHUNK_CYCLES", n)
        run_module.clear_cache()  # the cached simulations' experiments hold CHUNK_CYCLES cycles

    yield set_chunk
    run_module.clear_cache()


def test_chunked_run_gives_the_same_cycles_as_one_solve(chunk):
    # Example 1: a reacting Li foil (two anode phases) and contact loss, so contact fractions and host contents
    # change every cycle and must carry over from one chunk to the next.
    stack = resolve("example-1")
    chunk(50)
    whole = simulate(stack, cycles=12)
    chunk(5)
    progress: list[tuple[int, int]] = []
    chunked = simulate(stack, cycles=12, progress=lambda c, n: progress.append((c, n)))
    a, b = whole.cycles, chunked.cycles
    assert list(a.columns) == list(b.columns)
    assert list(b["cycle"]) == list(range(1, 13))
    num = a.select_dtypes("number").columns
    np.testing.assert_allclose(b[num].to_numpy(), a[num].to_numpy(), rtol=1e-9, atol=1e-12)
    assert list(b["time_limited_steps"]) == list(a["time_limited_steps"])
    # the state really evolves across the chunk boundaries (cycles 5|6 and 10|11)
    assert b["contact_fraction_anode"].is_monotonic_decreasing and b["contact_fraction_anode"].iloc[-1] < 1.0
    assert np.all(np.diff(b["anode_graphite_held_mAh"]) != 0)
    # time series: same points for every cycle, and time runs on across chunks
    np.testing.assert_allclose(chunked.timeseries.drop(columns="cycle").select_dtypes("number").to_numpy(),
                               whole.timeseries.drop(columns="cycle").select_dtypes("number").to_numpy(),
                               rtol=1e-9, atol=1e-12)
    assert np.all(np.diff(chunked.timeseries["time_s"]) > 0)
    assert progress == [(c, 12) for c in range(1, 13)]
    # the PyBaMM solution of a chunked run holds the kept cycles, numbered as in the table
    assert len(chunked.solution.cycles) == 12
    assert all(c is not None for c in chunked.solution.cycles)


def test_kept_time_series_follow_save_at_cycles_across_chunks(chunk):
    chunk(4)
    r = simulate(resolve("example-4"), cycles=10, model="SPM", save_at_cycles=[3, 6])
    assert len(r.cycles) == 10
    assert sorted(r.timeseries["cycle"].unique()) == [1, 3, 6, 10]  # the first and last are always kept
    assert [c is not None for c in r.solution.cycles] == [c in (1, 3, 6, 10) for c in range(1, 11)]
    ts = r.timeseries
    for c in (3, 6, 10):  # each kept cycle ends with the table's capacity passed in it
        part = ts[ts["cycle"] == c]
        assert part["capacity_mAh"].max() - part["capacity_mAh"].min() == pytest.approx(
            r.cycles.loc[c - 1, "charge_capacity_mAh"], rel=1e-6)


def test_solver_failure_in_a_later_chunk_keeps_the_finished_cycles(chunk, monkeypatch):
    # PyBaMM re-raises a failure in the first step of a solve; in a later chunk that is cycle 3 here, and the
    # two cycles of the first chunk must survive in the error's result.
    chunk(2)
    simulate(resolve("example-4"), cycles=1, model="SPM")  # build outside the failure injection
    real_step = pybamm.IDAKLUSolver.step
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:  # cycle 3, charge
            raise pybamm.SolverError("injected failure")
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(pybamm.IDAKLUSolver, "step", flaky)
    with pytest.raises(SimulationError) as info:
        simulate(resolve("example-4"), cycles=5, model="SPM")
    err = info.value
    assert (err.cycle, err.step) == (3, "charge")
    assert "cycle 3, charge step" in str(err)
    assert err.result is not None and list(err.result.cycles["cycle"]) == [1, 2]
    assert np.isfinite(err.result.cycles["discharge_capacity_mAh"]).all()


def test_simulations_are_shared_across_cycle_counts():
    s = resolve("example-4")
    a = simulate(s, cycles=1, model="SPM")
    b = simulate(s, cycles=3, model="SPM")
    assert a.simulation is b.simulation
    assert list(b.cycles["cycle"]) == [1, 2, 3]
    np.testing.assert_allclose(b.cycles.iloc[0][["charge_capacity_mAh", "discharge_capacity_mAh"]].to_numpy(float),
                               a.cycles.iloc[0][["charge_capacity_mAh", "discharge_capacity_mAh"]].to_numpy(float),
                               rtol=1e-9)


@pytest.fixture
def with_energy_states(monkeypatch):
    """Models built with PyBaMM's "calculate discharge energy" states (which the table no longer needs)."""
    from solidstack.sim import model as model_module

    options = model_module.model_options
    monkeypatch.setattr(model_module, "model_options", lambda n: {**options(n), "calculate discharge energy": "true"})
    run_module.clear_cache()
    yield
    run_module.clear_cache()


def _energy_state_means(cycle: pybamm.Solution) -> tuple[float, float]:
    """Mean charge and discharge voltage of a cycle from PyBaMM's energy states (the table's former source)."""
    d = {v: cycle[v].entries[-1] - cycle[v].entries[0] for v in
         ("Throughput energy [W.h]", "Discharge energy [W.h]", "Throughput capacity [A.h]", "Discharge capacity [A.h]")}
    te, de = d["Throughput energy [W.h]"], d["Discharge energy [W.h]"]
    t, q = d["Throughput capacity [A.h]"], d["Discharge capacity [A.h]"]
    return (te - de) / (t - q), (te + de) / (t + q)


@pytest.mark.parametrize(("preset", "model", "hold"), [("example-4", "SPM", False), ("example-1", "SPMe", True)])
def test_mean_voltages_match_pybamm_energy_states(with_energy_states, preset, model, hold):
    # The table's mean voltages are integrals over each cycle's own solution (result.voltage_integrals). Against
    # PyBaMM's energy states: on one tightly solved solution both must agree, and the table (default tolerance)
    # must agree with that converged value within 1 mV. (At the default tolerance the energy states themselves
    # are off by up to ~10 mV: the solver's steps near the cut-offs are long, and the states carry that error.)
    from solidstack.sim.protocol import Protocol
    from solidstack.sim.result import voltage_integrals

    stack = resolve(preset)
    p = Protocol.from_stack(stack).with_changes(cycles=2)
    if hold:  # a CV hold (current varies) and rests (no current)
        p = p.with_changes(cv_hold_until_A_m2=p.current_density_A_m2 / 5, rest_s=600.0)
    r = simulate(stack, protocol=p, model=model)
    # (solidstack's Simulation class: it gives each current step its direction input, sim/protocol.py)
    tight = type(r.simulation)(r.simulation.model, parameter_values=r.parameter_values, experiment=r.simulation.experiment,
                               solver=pybamm.IDAKLUSolver(rtol=1e-8, atol=1e-10))
    with run_module._limited_cycles(tight.experiment, 2):
        sol = tight.solve(inputs=r.inputs, initial_soc=None)
    for i, cycle in enumerate(sol.cycles):
        ref = _energy_state_means(cycle)
        q_chg, e_chg, q_dis, e_dis = voltage_integrals(cycle)
        # PyBaMM's energy states drift by up to ~0.1 mV from the solution they belong to (example-1's CV hold and
        # rests, rtol 1e-8): 2e-4 V here; the quadrature itself is checked against a dense integral of PyBaMM's own
        # interpolation of that solution (400 001 points per step) to 1e-5 V
        assert e_chg / q_chg == pytest.approx(ref[0], abs=2e-4)
        assert e_dis / q_dis == pytest.approx(ref[1], abs=2e-4)
        dense = np.zeros(4)
        for step in cycle.steps:
            t = step["Time [s]"].entries
            if t.size < 2:
                continue
            tt = np.linspace(t[0], t[-1], 400001)
            amp, volt = step["Current [A]"](t=tt), step["Voltage [V]"](t=tt)
            chg = amp < 0
            dense += [np.trapezoid(np.where(chg, amp, 0.0), tt), np.trapezoid(np.where(chg, amp * volt, 0.0), tt),
                      np.trapezoid(np.where(chg, 0.0, amp), tt), np.trapezoid(np.where(chg, 0.0, amp * volt), tt)]
        assert e_chg / q_chg == pytest.approx(dense[1] / dense[0], abs=1e-5)
        assert e_dis / q_dis == pytest.approx(dense[3] / dense[2], abs=1e-5)
        row = r.cycles.iloc[i]
        assert row["mean_charge_voltage_V"] == pytest.approx(ref[0], abs=1e-3)
        assert row["mean_discharge_voltage_V"] == pytest.approx(ref[1], abs=1e-3)


def test_a_step_whose_sparse_factorisation_fails_is_solved_again_with_the_dense_solver(chunk, monkeypatch):
    # Example 1's 1,000-cycle run stopped in cycle 453 with IDA_LSETUP_FAIL (KLU found the Newton matrix of an
    # overshooting predicted state singular and IDA gave up; model.RecoveringIDAKLUSolver). Injected here: the
    # sparse solver fails in the discharge of cycle 2; the run must finish, that step solved by the dense solver,
    # and every cycle agree with an undisturbed run within 1e-3 relative (10x the solver's rtol: one step is solved
    # with another linear solver, so with other steps).
    from solidstack.sim import model as model_module

    chunk(50)
    stack = resolve("example-4")
    clean = simulate(stack, cycles=3, model="SPM")
    assert isinstance(clean.simulation._solver, model_module.RecoveringIDAKLUSolver)
    real_step = pybamm.IDAKLUSolver.step
    calls = {"sparse": 0, "dense": 0}

    def failing_once(self, *args, **kwargs):
        kind = "dense" if self._options["linear_solver"] == "SUNLinSol_Dense" else "sparse"
        calls[kind] += 1
        if kind == "sparse" and calls["sparse"] == 4:  # cycle 2, discharge
            raise pybamm.SolverError("input set 0: IDA_LSETUP_FAIL: The linear solver's setup function failed in an "
                                     "unrecoverable manner")
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(pybamm.IDAKLUSolver, "step", failing_once)
    r = simulate(stack, cycles=3, model="SPM")
    assert calls == {"sparse": 6, "dense": 1}
    assert list(r.cycles["cycle"]) == [1, 2, 3]
    for c in ("charge_capacity_mAh", "discharge_capacity_mAh", "mean_discharge_voltage_V", "contact_fraction_cathode"):
        np.testing.assert_allclose(r.cycles[c], clean.cycles[c], rtol=1e-3, err_msg=c)


def test_other_solver_failures_are_not_retried(chunk, monkeypatch):
    from solidstack.sim import model as model_module

    chunk(50)
    simulate(resolve("example-4"), cycles=1, model="SPM")
    monkeypatch.setattr(model_module.RecoveringIDAKLUSolver, "_dense_solver",
                        lambda self: pytest.fail("retried a failure that is not a linear-solver setup failure"))
    real_step = pybamm.IDAKLUSolver.step
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise pybamm.SolverError("input set 0: IDA_CONV_FAIL: convergence test failures")
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(pybamm.IDAKLUSolver, "step", flaky)
    with pytest.raises(SimulationError, match="IDA_CONV_FAIL"):
        simulate(resolve("example-4"), cycles=2, model="SPM")
