"""Electrode|collector contact resistance (sim/collector.py, sim/data/collector.toml): what touches each electrode,
the pressure law, the ohmic term in the cell voltage, and the fit on Park 2025's measured resistances."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest

from solidstack.materials import default_catalog
from solidstack.sim import simulate
from solidstack.sim.calibration import PARK_CASE, by_name, fit, literature_stack
from solidstack.sim.collector import (
    collector_contact,
    collector_contacts,
    collector_notes,
    series_resistance_ohm,
    symmetric_cell_resistance_ohm_cm2,
)
from solidstack.sim.data_files import SimConstants, data_dir
from solidstack.stack import Stack, load_preset


def _park(run: str) -> Stack:
    return literature_stack(PARK_CASE, run)


def _with_pressure(stack: Stack, mpa: float) -> Stack:
    data = stack.to_dict()
    data["stack_pressure"] = f"{mpa} MPa"
    return Stack.from_dict(data)


def test_every_collector_constant_has_a_basis_and_resolving_sources():
    data = tomllib.loads((data_dir() / "collector.toml").read_text(encoding="utf-8"))
    refs = default_catalog().references
    for table in [data["law"], data["compliant"], *data["surface"].values()]:
        for key, value in table.items():
            if isinstance(value, float):  # every number says where it comes from: <name>_basis beside <name>_<unit>
                stem = key.removesuffix("_ohm_cm2").removesuffix("_Pa")
                assert f"{stem}_basis" in table, key
            if key.endswith("_sources"):
                assert value and all(k in refs for k in value), (key, value)


def test_what_touches_each_electrode():
    # Park 2025: a Li0.5In foil anode (a metal electrode) on Ti; the Li2S composite on bare, graphite- or
    # carbon-black-primed Al
    for run, surface in (("bare-10MPa", "bare Al"), ("gr-10MPa", "graphite primer on Al"),
                         ("cb-10MPa", "carbon_black primer on Al")):
        c = collector_contacts(_park(run))
        assert c["cathode"].surface == surface and c["cathode"].r_ohm_cm2 > 0
        assert c["anode"].surface.startswith("In electrode") and c["anode"].r_ohm_cm2 == 0.0
    # the patent's Reference Example: its In foils (ductile) touch both composites: compliant, no resistance
    ref = collector_contacts(load_preset("reference"))
    assert {c.surface for c in ref.values()} == {"In foil (ductile)"} and series_resistance_ohm(ref, 1e-4) == 0.0
    # Example 4: the inert Cu shield touches the graphite composite: a bare Cu foil, which has no measured value
    ex4 = collector_contacts(load_preset("example-4"))
    assert ex4["anode"].surface == "Cu foil (inert)" and ex4["anode"].r_ohm_cm2 == 0.0
    notes, gaps = collector_notes(ex4)
    assert any("bare Cu" in g for g in gaps) and not notes


def test_pressure_law_by_hand():
    stack = _park("bare-10MPa")
    r10 = collector_contact(_with_pressure(stack, 10), "cathode").r_ohm_cm2
    assert r10 == pytest.approx(24.34)  # collector.toml's value at p_ref = 10 MPa
    # r ~ p^-1/2: four times the pressure halves it; below 1 MPa the 1 MPa value holds (sqrt(10) x r10)
    assert collector_contact(_with_pressure(stack, 40), "cathode").r_ohm_cm2 == pytest.approx(r10 / 2)
    low = collector_contact(_with_pressure(stack, 0), "cathode")
    assert low.r_ohm_cm2 == pytest.approx(r10 * math.sqrt(10)) and low.below_range
    assert "lower bound" in collector_notes({"cathode": low})[0][0]


def test_symmetric_cell_matches_park_at_10_mpa():
    # Park 2025, section 2.3 (printed): CC | Li2S composite | CC at 10 MPa: bare Al 50, graphite ~30, carbon black
    # 21 ohm cm2. The model's cell: 2 r + L / sigma_e, with L = 132 um and sigma_e = 1 S/m: 1.32 ohm cm2
    for run, published in (("bare-10MPa-dcp", 50.0), ("gr-10MPa-dcp", 30.0), ("cb-10MPa-dcp", 21.0)):
        stack = _park(run)
        bulk = stack.cathode.thickness_m(stack.area_m2) / 1.0 / 1e-4
        assert bulk == pytest.approx(1.32, abs=0.01)
        assert symmetric_cell_resistance_ohm_cm2(stack, "cathode") == pytest.approx(published, rel=2e-3)


def test_calibration_reproduces_the_shipped_value():
    value, achieved = fit(by_name("park-bare-al-contact"))
    assert achieved == pytest.approx(50.0, rel=1e-3)
    shipped = SimConstants.load().value("collector.toml", "surface.bare_Al.r_ref_ohm_cm2")
    assert value == pytest.approx(shipped, rel=2e-3)


def test_unknown_primer_carbon_is_a_gap_not_a_value():
    data = _park("cb-10MPa").to_dict()
    data["layers"][-2]["material"] = "acetylene_black"
    c = collector_contact(Stack.from_dict(data), "cathode")
    assert c.r_ohm_cm2 == 0.0 and "acetylene_black primer" in c.gap


def test_contact_resistance_is_an_ohmic_term_in_the_voltage():
    """Park's bare-Al cell at 10 MPa, C/3 (2.27 mA/cm2): the contact overpotential is j r = 2.27e-3 A/cm2 x 24.34
    ohm cm2 = 55.3 mV (hand calculation); without it (r_ref 0) the mean discharge voltage is that much higher and the
    mean charge voltage that much lower."""
    stack = _park("bare-10MPa")
    plain = stack.cycling.with_changes(stages=())  # C/3 at 10 MPa only, without the run's formation stage
    r = simulate(stack, plain, cycles=1)
    eta = r.solution["Contact overpotential [V]"].entries
    current = r.solution["Current [A]"].entries
    dis = current > 0
    assert np.allclose(np.abs(eta[dis]), 2.27e-3 * 24.34, rtol=2e-3)
    none = SimConstants.load().with_value("collector.toml", "surface.bare_Al.r_ref_ohm_cm2", 0.0)
    r0 = simulate(stack, plain, cycles=1, constants=none)
    c, c0 = r.cycles.iloc[0], r0.cycles.iloc[0]
    assert c0["mean_discharge_voltage_V"] - c["mean_discharge_voltage_V"] == pytest.approx(0.0553, abs=0.005)
    assert c["mean_charge_voltage_V"] - c0["mean_charge_voltage_V"] == pytest.approx(0.0553, abs=0.005)
    assert any("bare Al, 24.3 ohm cm2" in n for n in r.notes)
