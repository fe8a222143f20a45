"""A dense alloy foil (an In-Li counter) as the positive electrode: the graphite | Li6PS5Cl | In-Li half cell.

Every expected value is a hand calculation from the knowledge base's data, written out here: graphite's practical
capacity and OCP table (materials/data/actives.csv, ocp/graphite_Li.csv), the In-Li plateau (ocp/In_Li.csv,
0.62 V), In's density and molar mass (metals.csv) and Faraday's constant.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from _stacks import graphite_nmc111_cell, stack_toml, validate_exits_2
from solidstack.sim import find_hosts, simulate
from solidstack.stack.model import Stack

DATA = Path(__file__).resolve().parents[1] / "src" / "solidstack" / "materials" / "data"
FARADAY_MAH_PER_MOL = 96485.33212 / 3.6  # 26801.5 mAh/mol

# graphite (actives.csv row "graphite,Li"): practical 350 mAh/g, window 0.01-0.25 V vs Li
GRAPHITE_PRACTICAL_MAH_G = 350.0
GRAPHITE_WINDOW_V = (0.01, 0.25)
# In (metals.csv): 7.31 g/cm3, 114.82 g/mol; the In-Li two-phase plateau (ocp/In_Li.csv): 0.62 V vs Li
IN_DENSITY_G_CM3, IN_MOLAR_MASS = 7.31, 114.82
U_INLI = 0.62

# the cell: 1 cm2; anode 4 mg/cm2 of graphite 0.6 + Li6PS5Cl 0.4 -> 2.4 mg of graphite; In foil 50 um at 0.6 Li/In
GRAPHITE_G = 4e-3 * 0.6
FOIL_CM, X_LI_PER_IN = 50e-4, 0.6
#: Li in the foil as assembled (mAh): 0.6 x 7.31 / 114.82 mol/cm3 x 50e-4 cm x 1 cm2 x 26801.5 mAh/mol = 5.12 mAh
FOIL_LI_MAH = X_LI_PER_IN * IN_DENSITY_G_CM3 / IN_MOLAR_MASS * FOIL_CM * FARADAY_MAH_PER_MOL
#: C/20 on graphite's practical capacity: 350 mAh/g x 2.4 mg / 20 h = 0.042 mA on 1 cm2
C20_MA_CM2 = GRAPHITE_PRACTICAL_MAH_G * GRAPHITE_G / 20.0


def graphite_table() -> tuple[np.ndarray, np.ndarray]:
    """(x, U_V) of ocp/graphite_Li.csv (x = Li per C6, rising; U falling)."""
    with open(DATA / "ocp" / "graphite_Li.csv") as fh:
        rows = [r for r in csv.reader(line for line in fh if not line.startswith("#")) if r and r[0] != "x"]
    x, u = (np.array([float(r[i]) for r in rows]) for i in (0, 1))
    return x, u


def x_at(u_v: float) -> float:
    """The x of the graphite table where U = u_v (U falls with x)."""
    x, u = graphite_table()
    return float(np.interp(u_v, u[::-1], x[::-1]))


def half_cell(cycling: dict, pressure: str | None = None) -> dict:
    """graphite | Li6PS5Cl | In-Li (50 um In foil at 0.6 Li/In, no SE in it) on 1 cm2, SUS collectors."""
    d = graphite_nmc111_cell("graphite vs In-Li")
    d["layers"][1]["areal_loading"] = "4 mg/cm2"
    d["layers"][3] = {"type": "cathode", "thickness": "50 um", "porosity": 0.0, "initial_x": X_LI_PER_IN,
                      "active": {"material": "In", "fraction": 1.0}}
    d["cycling"] = cycling
    if pressure is not None:
        d["stack_pressure"] = pressure
    return d


@pytest.fixture(scope="module")
def c20():
    """One C/20 cycle, charge (graphite lithiation) first, 0.0-0.56 V of cell voltage: graphite from 0.62 V down
    to 0.06 V vs Li (0.62 - 0.56), inside its OCP table (which ends at 0.051 V); contact loss off (the capacity
    and voltage tests are about the electrodes' thermodynamics; the contact test below has it on)."""
    stack = Stack.from_dict(half_cell({"current_density": f"{C20_MA_CM2} mA/cm2", "lower_cutoff": "0.0 V",
                                       "upper_cutoff": "0.56 V", "cycles": 1, "first": "charge"}))
    return stack, simulate(stack, model="SPMe", contact_loss=False)


def test_the_in_li_foil_is_a_planar_host_on_the_positive_side(c20):
    stack, _ = c20
    hosts = find_hosts(stack)
    (foil,) = hosts.cathode
    assert (foil.side, foil.kind, foil.material, foil.working_metal) == ("cathode", "planar", "In", False)
    assert hosts.anode[0].material == "graphite"


def test_c20_lithiates_graphite_to_its_practical_capacity(c20):
    # hand: the part of graphite's table inside its window (U 0.25 -> 0.01 V; the table ends at x = 0.985, 0.051 V)
    # holds the practical 350 mAh/g: Q per unit x = 350 / (x(0.01 V) - x(0.25 V)) mAh/g = 350 / (0.985 - 0.050).
    # The charge stops at graphite 0.06 V vs Li (cut-off 0.56 V at a 0.62 V counter), x(0.06 V) = 0.982; pristine
    # graphite starts at the table's start, x = 0.005. Li into graphite = Q/x (0.982 - 0.005) = 366 mAh/g.
    _, r = c20
    x_lo, x_hi = x_at(GRAPHITE_WINDOW_V[1]), x_at(GRAPHITE_WINDOW_V[0])
    q_per_x = GRAPHITE_PRACTICAL_MAH_G / (x_hi - x_lo)
    expected = q_per_x * (x_at(U_INLI - 0.56) - graphite_table()[0][0])
    held = r.timeseries["anode_graphite_held_mAh"].max() / GRAPHITE_G  # mAh/g at the end of the lithiation
    assert 355 < expected < 375  # the hand number above
    assert held == pytest.approx(expected, rel=0.02)
    # the charge passed adds the graphite's own SE-reduction interphase (a few % of it) on top
    chg = r.cycles["charge_capacity_mAh"].iloc[0] / GRAPHITE_G
    assert held < chg < 1.15 * held


def test_cell_voltage_is_u_inli_minus_u_graphite_mid_plateau(c20):
    # hand: at C/20, mid stage-2 plateau (x = 0.30-0.45 Li per C6, U_graphite ~0.13 V from the table) the cell
    # sits at 0.62 - U_graphite(x) ~ 0.49 V (within 0.05 V: overpotentials at 0.042 mA/cm2 are a few mV)
    _, r = c20
    ts = r.timeseries
    x_lo, x_hi = x_at(GRAPHITE_WINDOW_V[1]), x_at(GRAPHITE_WINDOW_V[0])
    q_per_x = GRAPHITE_PRACTICAL_MAH_G * GRAPHITE_G / (x_hi - x_lo)  # mAh per unit x
    x0 = graphite_table()[0][0]
    charging = ts["current_A"] < 0
    x = x0 + ts["anode_graphite_held_mAh"] / q_per_x
    tx, tu = graphite_table()
    for target in (0.30, 0.38, 0.45):
        i = int(np.argmin(np.where(charging, np.abs(x - target), np.inf)))
        hand = U_INLI - float(np.interp(x.iloc[i], tx, tu))
        assert 0.45 < hand < 0.52
        assert ts["voltage_V"].iloc[i] == pytest.approx(hand, abs=0.05)


def test_li_in_the_foil_falls_by_exactly_the_charge_passed(c20):
    _, r = c20
    ts, cyc = r.timeseries, r.cycles
    foil = ts["cathode_In_metal_held_mAh"]
    # as assembled: 0.6 Li per In in 50 um of In on 1 cm2 (hand, see FOIL_LI_MAH)
    assert foil.iloc[0] == pytest.approx(FOIL_LI_MAH, rel=1e-3)
    # Faraday: the foil gives the charge passed on charge and takes back the discharge (no side reaction on it)
    charged = cyc["charge_capacity_mAh"].iloc[0]
    assert FOIL_LI_MAH - foil.min() == pytest.approx(charged, rel=1e-3)
    net = charged - cyc["discharge_capacity_mAh"].iloc[0]
    assert FOIL_LI_MAH - cyc["cathode_In_metal_held_mAh"].iloc[0] == pytest.approx(net, rel=1e-3)
    assert cyc["loss_stranded_cathode_In_metal_mAh"].iloc[0] == 0.0


def test_the_in_li_foil_is_never_stranded_by_contact_loss():
    # at 0 MPa the contact law strands graphite (its composite's contact falls), never the continuous In-Li foil:
    # the positive contact stays 1, no Li is stranded in it and it gives exactly the charge passed
    stack = Stack.from_dict(half_cell({"current_density": f"{5 * C20_MA_CM2} mA/cm2", "lower_cutoff": "0.0 V",
                                       "upper_cutoff": "0.56 V", "cycles": 2, "first": "charge"}, pressure="0 MPa"))
    r = simulate(stack, model="SPM")
    cyc = r.cycles
    assert cyc["contact_fraction_anode"].iloc[-1] < 0.99  # the law acts on this cell
    assert (cyc["contact_fraction_cathode"] == 1.0).all()
    assert (cyc["cathode_In_metal_stranded_mAh"] == 0.0).all()
    net = (cyc["charge_capacity_mAh"] - cyc["discharge_capacity_mAh"]).sum()
    assert FOIL_LI_MAH - cyc["cathode_In_metal_held_mAh"].iloc[-1] == pytest.approx(net, rel=1e-3)


def test_the_foil_below_the_se_reduction_limit_says_its_interphase_is_not_modelled(c20):
    # In-Li at 0.62 V is below Li6PS5Cl's reduction limit (1.71 V, electrolytes.csv): reported as a data gap
    stack, _ = c20
    gaps = find_hosts(stack).gaps
    assert any("In metal (positive electrode" in g and "1.71" in g and "not modelled" in g for g in gaps), gaps


def test_a_working_ion_metal_as_the_cathode_is_still_refused(tmp_path):
    d = half_cell({"current_density": "0.05 mA/cm2", "lower_cutoff": "0.0 V", "upper_cutoff": "0.6 V", "cycles": 1})
    d["layers"][3] = {"type": "cathode", "thickness": "50 um", "porosity": 0.0, "active": {"material": "Li", "fraction": 1.0}}
    path = tmp_path / "li-cathode.toml"
    path.write_text(stack_toml(d))
    validate_exits_2(path, "layers", "cathode active material Li")



def test_a_pristine_foil_cathode_says_it_has_no_li_to_give():
    # an In cathode without initial_x is pristine In (x = 0): a first charge can take nothing from it
    d = half_cell({"current_density": "0.05 mA/cm2", "lower_cutoff": "0.0 V", "upper_cutoff": "0.56 V", "cycles": 1})
    del d["layers"][3]["initial_x"]
    stack = Stack.from_dict(d)
    (foil,) = find_hosts(stack).cathode
    assert foil.x0 < 1e-3
    assert any("no initial_x" in g for g in foil.gaps), foil.gaps
    assert not any("no initial_x" in g for g in find_hosts(Stack.from_dict(half_cell(d["cycling"]))).cathode[0].gaps)
