"""The simulation cache studies rely on: keyed by what changes the built simulation, bounded (issue 10)."""

from __future__ import annotations

import numpy as np

from solidstack.sim import Protocol, simulate
from solidstack.sim import run as run_module
from solidstack.stack import Stack, load_preset


def _with(stack: Stack, **changes) -> Stack:
    data = stack.to_dict()
    for path, value in changes.items():
        i, key = path.split(".")
        data["layers"][int(i)][key] = value
    return Stack.from_dict(data)


def _key(stack: Stack, protocol: Protocol) -> str:
    """The cache key simulate() uses (with the shipped constants and catalog, as simulate() passes them)."""
    from solidstack.materials import default_catalog
    from solidstack.sim.data_files import default_constants

    return run_module._fingerprint(stack, protocol, "spm", None, default_constants(), default_catalog())


def test_fingerprint_ignores_what_does_not_change_the_simulation():
    ex4 = load_preset("example-4")   # SUS / In / Cu / graphite ...: the anode In is shielded by Cu
    comp = load_preset("comparative")  # SUS / In / graphite ...: the anode In touches graphite and reacts
    p = Protocol.from_stack(ex4).with_changes(cycles=1)
    base = _key(ex4, p)
    assert _key(_with(ex4, **{"1.thickness": "20 um"}), p) == base          # shielded foil: contact input only
    assert _key(_with(ex4, **{"6.thickness": "20 um"}), p) == base          # cathode In does not react
    assert _key(_with(ex4, **{"0.thickness": "20 um"}), p) == base          # collector
    assert _key(ex4.replace(stack_pressure="50 MPa", name="other"), p) == base
    assert _key(ex4, p.with_changes(cycles=7)) == base
    assert _key(_with(ex4, **{"2.thickness": "5 um"}), p) == base             # touching Cu does not react: no host
    assert _key(ex4, p.with_changes(current_density_A_m2=5.0)) == base       # the current and its time limit
    # these change the built simulation
    pc = Protocol.from_stack(comp).with_changes(cycles=1)
    assert _key(_with(comp, **{"1.thickness": "20 um"}), pc) != _key(comp, pc)  # a reacting foil's capacity
    assert _key(_with(ex4, **{"3.mass": "12 mg"}), p) != base               # electrode loading


def test_reused_simulation_gives_the_fresh_result():
    """A shielded-foil thickness changes only the contact-loss input: re-solving the cached simulation must give
    what a freshly built one gives."""
    ex4 = load_preset("example-4")
    thin = _with(ex4, **{"1.thickness": "5 um"})
    run_module.clear_cache()
    simulate(ex4, cycles=1, model="SPM")
    assert len(run_module._sims) == 1
    reused = simulate(thin, cycles=1, model="SPM").cycles
    assert len(run_module._sims) == 1  # no rebuild
    run_module.clear_cache()
    fresh = simulate(thin, cycles=1, model="SPM").cycles
    for c in ("discharge_capacity_mAh", "contact_fraction_anode", "mean_discharge_voltage_V"):
        assert np.allclose(reused[c], fresh[c], rtol=1e-9), c
    # and the thinner ductile foil accommodates less strain: more contact loss (the contact law's ductile share s)
    thick = simulate(ex4, cycles=1, model="SPM").cycles
    assert fresh["contact_fraction_anode"].iloc[-1] < thick["contact_fraction_anode"].iloc[-1]


def test_current_sweep_resolves_one_simulation_with_each_currents_time_limit():
    """A new current density re-solves the built simulation, and its steps get the time limit of that current:
    a CV hold until a current it never reaches (1e-9 mA/cm2: the passivating interphase's leakage alone stays
    ~100x above it through the hold) ends on the time limit, TIME_LIMIT_FACTOR x the
    time to pass the cathode's capacity, so at 5x the current the hold lasts 1/5 as long; and the reused
    simulation gives what a freshly built one gives."""
    ex4 = load_preset("example-4")
    kw = {"cycles": 1, "model": "SPM", "cv_hold": "1e-9 mA/cm2"}
    run_module.clear_cache()
    slow = simulate(ex4, current="0.2 mA/cm2", **kw)
    fast = simulate(ex4, current="1 mA/cm2", **kw)
    assert len(run_module._sims) == 1  # no rebuild for the new current
    run_module.clear_cache()
    fresh = simulate(ex4, current="1 mA/cm2", **kw)
    run_module.clear_cache()

    def hold_s(r) -> float:
        ts = r.timeseries
        return float(ts.loc[ts["step_type"] == "CV hold", "step_time_s"].max())

    assert list(slow.cycles["time_limited_steps"]) == list(fast.cycles["time_limited_steps"]) == ["CV hold"]
    assert np.isclose(hold_s(slow) / hold_s(fast), 5.0, rtol=1e-6)
    assert np.isclose(hold_s(fast), hold_s(fresh), rtol=1e-9)
    num = fresh.cycles.select_dtypes("number").columns
    np.testing.assert_allclose(fast.cycles[num].to_numpy(), fresh.cycles[num].to_numpy(), rtol=1e-9, atol=1e-12)


def test_cache_is_bounded_lru(monkeypatch):
    run_module.clear_cache()
    monkeypatch.setattr(run_module, "SIM_CACHE_SIZE", 2)
    ex4 = load_preset("example-4")
    stacks = [_with(ex4, **{"3.mass": m}) for m in ("15 mg", "14 mg", "13 mg")]
    keys = []
    for s in stacks:
        simulate(s, cycles=1, model="SPM")
        keys.append(_key(s, Protocol.from_stack(s).with_changes(cycles=1)))
    assert list(run_module._sims) == keys[1:]  # the least recently used one was dropped
    simulate(stacks[1], cycles=1, model="SPM")   # a hit moves it to the end
    assert list(run_module._sims) == [keys[2], keys[1]]
    run_module.clear_cache()


def _pybamm_cycle_steps(protocol, area_m2, t_max):
    """The cycle as PyBaMM's own current steps (a charge at -j x area until "> upper V", a discharge at
    j x area until "< lower V": two step models), the reference for the shared current step."""
    import pybamm

    from solidstack.sim.parameters import CURRENT_INPUT

    j = pybamm.InputParameter(CURRENT_INPUT)
    charge = [pybamm.step.current(-j * area_m2, termination=f">{protocol.upper_V} V", duration=t_max)]
    if protocol.cv_hold_until_A_m2 is not None:
        charge.append(pybamm.step.voltage(protocol.upper_V, termination=f"{protocol.cv_hold_until_A_m2 * area_m2} A",
                                          duration=t_max))
    discharge = [pybamm.step.current(j * area_m2, termination=f"<{protocol.lower_V} V", duration=t_max)]
    rest = [pybamm.step.rest(duration=protocol.rest_s)] if protocol.rest_s else []
    first, second = (charge, discharge) if protocol.first == "charge" else (discharge, charge)
    return first + rest + second + rest


def test_charge_and_discharge_share_one_model_and_give_pybamms_two_step_result(monkeypatch):
    """The charge and the discharge are one PyBaMM current step (current = direction input x j x area,
    sim/protocol.py), so one model is discretised and one solver set up for both; the cycles equal those of
    PyBaMM's own two current steps (two models): to the bit without a CV hold, within 1e-9 with one (the hold's
    model is entered from another model)."""
    import pybamm

    from solidstack.sim import protocol as protocol_module

    ex4 = load_preset("example-4")
    num = None
    for kw, rtol in (({}, 0.0), ({"first": "discharge", "rest": "600 s"}, 0.0), ({"cv_hold": "C/20"}, 1e-9)):
        run_module.clear_cache()
        ours = simulate(ex4, cycles=2, model="SPM", **kw)
        sim = ours.simulation
        charge, discharge = (next(s for s in sim.experiment.steps if s.tags == [tag]) for tag in ("charge", "discharge"))
        assert sim._get_built_experiment_model(charge) is sim._get_built_experiment_model(discharge)
        assert sim._get_built_experiment_solver(charge) is sim._get_built_experiment_solver(discharge)
        with monkeypatch.context() as m:
            m.setattr(protocol_module, "_cycle_steps", _pybamm_cycle_steps)
            run_module.clear_cache()
            ref = simulate(ex4, cycles=2, model="SPM", **kw)
        ref_sim = ref.simulation
        c, d = [s for s in ref_sim.experiment.steps if type(s) is pybamm.step.Current][:2]  # (a Rest is a Current too)
        assert ref_sim._get_built_experiment_model(c) is not ref_sim._get_built_experiment_model(d)
        num = ref.cycles.select_dtypes("number").columns
        assert list(ours.cycles.columns) == list(ref.cycles.columns)
        assert list(ours.cycles["time_limited_steps"]) == list(ref.cycles["time_limited_steps"])
        np.testing.assert_allclose(ours.cycles[num].to_numpy(float), ref.cycles[num].to_numpy(float), rtol=rtol, atol=0)
    run_module.clear_cache()
    assert num is not None and "discharge_capacity_mAh" in num


def test_pybamm_builds_each_steps_inputs_in_the_hook_solidstack_extends():
    """sim/run.py _Simulation adds the current direction in Simulation._build_experiment_step_inputs."""
    import inspect

    import pybamm

    params = list(inspect.signature(pybamm.Simulation._build_experiment_step_inputs).parameters)
    assert params[:4] == ["self", "user_inputs", "step", "start_time"]
    assert "_build_experiment_step_inputs(" in inspect.getsource(pybamm.Simulation.solve)


def test_one_casadi_conversion_per_solver_set_up_gives_pybamms_numbers(monkeypatch):
    """sim/casadi_share.py: a solver set-up converts the trees its expressions share to CasADi once (here: each
    OCP table once per set-up instead of once per expression that holds it: the right-hand side twice, the five
    voltage events), and the cycles are those of PyBaMM's own per-expression conversion, to the bit."""
    import contextlib

    import pybamm

    from solidstack.sim import casadi_share

    conversions = []
    interpolant_to_casadi = pybamm.Interpolant._to_casadi

    def counted(self, *args, **kwargs):
        conversions.append(self.name)
        return interpolant_to_casadi(self, *args, **kwargs)

    monkeypatch.setattr(pybamm.Interpolant, "_to_casadi", counted)
    ex4 = load_preset("example-4")
    runs = {}
    for shared in (True, False):
        with monkeypatch.context() as m:
            if not shared:
                m.setattr(casadi_share, "sharing", contextlib.nullcontext)
            run_module.clear_cache()
            conversions.clear()
            runs[shared] = (simulate(ex4, cycles=2, model="SPM", cv_hold="C/20").cycles, list(conversions))
    run_module.clear_cache()
    (ours, n_ours), (plain, n_plain) = runs[True], runs[False]
    tables = set(n_plain)
    assert tables and set(n_ours) == tables
    assert len(n_ours) < len(n_plain) / 2, (len(n_ours), len(n_plain))
    num = plain.select_dtypes("number").columns
    np.testing.assert_array_equal(ours[num].to_numpy(float), plain[num].to_numpy(float))
