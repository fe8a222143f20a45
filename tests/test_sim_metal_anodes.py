"""Working-ion metal and alloy anodes, initial states, and range warnings, each against an independent number
(a hand calculation or a published value written out in the test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from solidstack.errors import InputError
from solidstack.sim import find_hosts, simulate
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

OCP_DIR = Path(__file__).resolve().parents[1] / "src" / "solidstack" / "materials" / "data" / "ocp"
LI = {"type": "anode", "thickness": "20 um", "porosity": 0, "active": {"material": "Li", "fraction": 1}}
NMC_MG = 10.0 * 0.7  # mg of NMC111 per cm2 in the cell below


def _cell(anode: dict, cathode: dict | None = None, cut=(3.0, 4.3), current="0.054 mA/cm2", first="charge",
          pressure: str = "0 MPa") -> Stack:
    """anode | 100 um Li6PS5Cl | NMC111 composite (10 mg/cm2, 70 % NMC111), 1 cm2."""
    cat = {"type": "cathode", "areal_loading": "10 mg/cm2", "porosity": 0.2, "active": {"material": "NMC111", "fraction": 0.7},
           "electrolyte": {"material": "Li6PS5Cl", "fraction": 0.27}, "additive": {"material": "VGCF", "fraction": 0.03}}
    cat.update(cathode or {})
    return Stack.from_dict({
        "name": "test cell", "area": "1 cm2", "working_ion": "Li", "stack_pressure": pressure,
        "cycling": {"current_density": current, "lower_cutoff": f"{cut[0]} V", "upper_cutoff": f"{cut[1]} V",
                    "cycles": 1, "first": first},
        "layers": [{"type": "collector", "material": "Cu", "thickness": "10 um"}, anode,
                   {"type": "separator", "electrolyte": "Li6PS5Cl", "thickness": "100 um", "porosity": 0.1}, cat,
                   {"type": "collector", "material": "Al", "thickness": "15 um"}]})


def test_20um_li_holds_4p1_mAh_cm2_and_strips_to_nothing():
    # hand calculation: 20e-4 cm x 0.534 g/cm3 / 6.94 g/mol x 26801 mAh/mol = 4.124 mAh/cm2
    expected = 20e-4 * 0.534 / 6.94 * 26801
    assert expected == pytest.approx(4.12, abs=0.01)
    stack = _cell(LI, {"areal_loading": "50 mg/cm2", "initial_soc": 1.0}, cut=(2.0, 4.3), current="0.4 mA/cm2",
                  first="discharge")
    host = find_hosts(stack).anode[0]
    assert host.kind == "planar" and host.working_metal
    assert host.x0 * host.c_max * 0.5e-6 * 96485.33 / 3.6 / 1e4 == pytest.approx(expected, rel=2e-3)  # mAh/cm2
    # a charged cathode that can take more than the Li holds: the discharge strips the Li to its end
    r = simulate(stack, contact_loss=False)
    assert r.cycles["discharge_capacity_mAh"].iloc[0] == pytest.approx(expected, rel=0.03)
    held = r.timeseries["anode_Li_metal_held_mAh"]
    assert held.iloc[0] == pytest.approx(expected, rel=2e-3) and held.min() < 0.02 * expected
    assert "anode_Li_metal_thickness_um" in r.cycles  # the foil's thickness, from what it holds


def test_li_nmc111_first_cycle_capacity_at_c20_within_10pct_of_ocp_capacity():
    # OCP capacity between the cut-offs, by hand from the tables: the cell voltage is the cathode's potential
    # (Li at 0 V); x(4.3 V) from the NMC111 table and its extension, the discharged end x = 1.0 (3.15 V > 3.0 V);
    # 26801 / 96.46 = 277.9 mAh/g per unit x (table header: x ~ Li per formula unit).
    rows = []
    for name in ("NMC111_Li.csv", "NMC111_Li_extension.csv"):
        rows += [tuple(map(float, ln.split(","))) for ln in (OCP_DIR / name).read_text().splitlines()[1:]
                 if ln and not ln.startswith("#")]
    x, u = np.array(sorted(rows)).T
    x_43 = float(np.interp(-4.3, -u, x))  # U falls with x
    q_ocp = (1.0 - x_43) * 26801 / 96.46  # mAh/g
    # 0.054 mA/cm2 = C/20 of 7 mg x 155 mAh/g; 5 MPa, the stack pressure Li | sulfide cells are cycled at (Doux 2020).
    # Contact loss off: this checks the OCP capacity the cell delivers; at 5 MPa the contact law holds only
    # p / (p + p_h) = 44 % of a face without a ductile layer, and its loss is tested in tests/test_contact_law.py
    r = simulate(_cell(LI, pressure="5 MPa"), contact_loss=False)
    q_sim = r.cycles["discharge_capacity_mAh_g"].iloc[0]
    assert q_sim == pytest.approx(q_ocp, rel=0.10)
    assert r.cycles["charge_capacity_mAh_g"].iloc[0] == pytest.approx(q_ocp, rel=0.10)


def test_in_li_counter_electrode_sits_at_062_V():
    # Santhosha et al., Batteries & Supercaps 2 (2019) 524: In/InLi two-phase equilibrium at 0.62 V vs Li+/Li.
    # The same NMC111 cathode against Li and against In-Li at x = 0.5: the mean charge voltages differ by it.
    in_li = {"type": "anode", "thickness": "30 um", "porosity": 0, "active": {"material": "In", "fraction": 1},
             "initial_x": 0.5}
    li = simulate(_cell(LI), contact_loss=False)
    inli = simulate(_cell(in_li, cut=(2.4, 3.7)), contact_loss=False)
    shift = li.cycles["mean_charge_voltage_V"].iloc[0] - inli.cycles["mean_charge_voltage_V"].iloc[0]
    assert shift == pytest.approx(0.62, abs=0.02)
    assert find_hosts(_cell(in_li)).anode[0].x0 == pytest.approx(0.5)


def test_anode_free_cell_plates_and_strips():
    free = dict(LI, initial_soc=0.0, thickness="10 um")
    r = simulate(_cell(free), contact_loss=False)
    held = r.timeseries["anode_Li_metal_held_mAh"]
    assert held.iloc[0] < 0.01  # starts without Li (a numerical seed only)
    q_chg, q_dis = r.cycles["charge_capacity_mAh"].iloc[0], r.cycles["discharge_capacity_mAh"].iloc[0]
    # the plated Li is what the charge passed, less what the SE reduction on the fresh Li took
    assert held.max() == pytest.approx(q_chg, rel=0.02)
    assert 0.8 * q_chg < q_dis <= q_chg
    assert any("anode-free" in n for n in r.notes)


def test_li_powder_composite_is_refused_with_how_to_write_it():
    bad = {"type": "anode", "thickness": "20 um", "porosity": 0.1, "active": {"material": "Li", "fraction": 0.7},
           "electrolyte": {"material": "Li6PS5Cl", "fraction": 0.3}}
    with pytest.raises(InputError, match='fraction = 1}, thickness = "20 um", porosity = 0'):
        simulate(_cell(bad))


def test_li_metal_layer_without_an_anode_says_how_to_write_it():
    with pytest.raises(InputError, match="Li metal anode is written as an anode layer"):
        Stack.from_dict({
            "name": "x", "area": "1 cm2", "working_ion": "Li",
            "layers": [{"type": "collector", "material": "Cu", "thickness": "10 um"},
                       {"type": "metal", "material": "Li", "thickness": "20 um"},
                       {"type": "separator", "electrolyte": "Li6PS5Cl", "thickness": "100 um", "porosity": 0.1},
                       {"type": "cathode", "areal_loading": "10 mg/cm2", "porosity": 0.2,
                        "active": {"material": "NMC111", "fraction": 1.0}},
                       {"type": "collector", "material": "Al", "thickness": "15 um"}]})


def test_initial_state_fields_are_validated():
    with pytest.raises(InputError, match=r"layers\[1\].*initial_soc or initial_x, not both"):
        _cell(dict(LI, initial_soc=0.5, initial_x=0.5))
    with pytest.raises(InputError, match=r"layers\[3\]\.initial_soc"):
        _cell(LI, {"initial_soc": 1.5})


def test_range_warnings_flag_the_cycle():
    # NMC111's sourced window ends at 4.3 V vs Li (knowledge base); its OCP table (with the extension) at 4.975 V
    # (x = 0.1). With a Li anode the cell voltage is the cathode's potential.
    inside = simulate(_cell(LI, cut=(3.0, 4.25)), contact_loss=False)
    assert inside.cycles["range_flags"].iloc[0] == "" and not inside.flagged_cycles
    past = simulate(_cell(LI, cut=(3.0, 4.5)), contact_loss=False)
    assert "cathode NMC111 past sourced capacity" in past.cycles["range_flags"].iloc[0]
    assert past.flagged_cycles == [1]
    assert any("left the range that holds its sourced capacity" in n for n in past.notes)
    beyond = simulate(_cell(LI, cut=(3.0, 5.3)), contact_loss=False)
    assert "cathode NMC111 beyond OCP table" in beyond.cycles["range_flags"].iloc[0]
    assert any("left its OCP table" in n for n in beyond.notes)


def test_li_nmc811_first_cycle_capacity_at_c20_within_10pct_of_ocp_capacity():
    # Issue 8 acceptance: Li | LPSCl | NMC811 with a planar Li anode, C/20, 3.0-4.3 V. The cell voltage is the
    # cathode's potential (Li at 0 V), so the cut-offs are cathode potentials. From the OCP table (Chen 2020 fit,
    # U falls with x): x(4.3 V) = 0.261; the discharged end is the table's x = 1.0 (3.49 V, above the 3.0 V cut-off).
    # With the table's own scale (x = c/c_max, c_max = 51765 mol/m3 of O'Regan 2022, density 4.78 g/cm3) one unit of x
    # is 51765 x 26.801 / 4.78e6 = 290.2 mAh/g and the span holds (1 - 0.261) x 290.2 = 214 mAh/g. The knowledge base
    # (one source of truth for capacity) scales that span to the practical capacity its source prints between the
    # same cut-offs: 200 mAh/g, 3.0-4.3 V at 0.1C (Noh 2013). 200 is the OCP capacity between the cut-offs here.
    rows = [tuple(map(float, ln.split(","))) for ln in (OCP_DIR / "NMC811_Li.csv").read_text().splitlines()[1:]
            if ln and not ln.startswith("#")]
    x, u = np.array(sorted(rows)).T
    x_43 = float(np.interp(-4.3, -u, x))
    assert x_43 == pytest.approx(0.261, abs=0.002) and x[-1] == 1.0 and u[-1] > 3.0
    q_table = (1.0 - x_43) * 51765 * 26.801 / 4.78e6 * 1e3  # mAh/g
    assert q_table == pytest.approx(214.4, abs=1.0)
    q_ocp = 200.0  # Noh 2013, 3.0-4.3 V (the span x_43 -> 1 of the table, on the knowledge base's capacity scale)
    assert q_ocp == pytest.approx(q_table, rel=0.08)  # the two scales agree to 7 %
    # 7 mg NMC811 per cm2; C/20 of 200 mAh/g: 7 mg x 200 mAh/g / 20 = 0.07 mA/cm2; 5 MPa as above
    nmc811 = {"active": {"material": "NMC811", "fraction": 0.7}}
    r = simulate(_cell(LI, nmc811, current="0.07 mA/cm2", pressure="5 MPa"))
    q_chg = r.cycles["charge_capacity_mAh_g"].iloc[0]
    assert q_chg == pytest.approx(q_ocp, rel=0.10)
    # the first-cycle loss (SE reduction on the fresh Li, contact loss as NMC811 shrinks ~5 % on charge, the SE's
    # oxidation at the uncoated NMC811: ~1.4 % of the charge here) stays below what a Li | Li6PS5Cl | Ni-rich layered
    # oxide cell loses in print: Doux et al., Adv. Energy Mater. 10 (2020) 1903253, first CE 69 % (Li | LPSCl | NCA)
    assert 0.69 * q_chg < r.cycles["discharge_capacity_mAh_g"].iloc[0] < q_chg


@pytest.mark.parametrize(("ion", "rho", "molar_mass", "se", "cathode", "loading"), [
    # CRC Handbook densities at 20 C: Na 0.97, K 0.89 g/cm3; IUPAC molar masses
    ("Na", 0.97, 22.990, "Na3PS4", "Na3V2(PO4)3", "50 mg/cm2"),  # 35 mg x 110 mAh/g = 3.9 mAh > 3.39 mAh of Na
    ("K", 0.89, 39.098, "K-beta-alumina", "K2Mn[Fe(CN)6]", "30 mg/cm2"),  # 21 mg x 145 = 3.0 mAh > 1.83 mAh of K
])
def test_na_and_k_metal_anodes_hold_their_thickness_and_strip_to_nothing(ion, rho, molar_mass, se, cathode, loading):
    # hand calculation: 30e-4 cm x rho / M x 26801 mAh/mol (Na: 3.392, K: 1.830 mAh/cm2)
    expected = 30e-4 * rho / molar_mass * 26801
    metal = {"type": "anode", "thickness": "30 um", "porosity": 0, "active": {"material": ion, "fraction": 1}}
    stack = Stack.from_dict({
        "name": f"{ion} metal", "area": "1 cm2", "working_ion": ion,
        "cycling": {"current_density": "0.4 mA/cm2", "lower_cutoff": "1.5 V", "upper_cutoff": "4.3 V", "cycles": 1,
                    "first": "discharge"},
        "layers": [{"type": "collector", "material": "SUS", "thickness": "10 um"}, metal,
                   {"type": "separator", "electrolyte": se, "thickness": "100 um", "porosity": 0.1},
                   {"type": "cathode", "areal_loading": loading, "porosity": 0.2, "initial_soc": 1.0,
                    "active": {"material": cathode, "fraction": 0.7}, "electrolyte": {"material": se, "fraction": 0.3}},
                   {"type": "collector", "material": "SUS", "thickness": "10 um"}]})
    r = simulate(stack, model="SPM", contact_loss=False)
    held = r.timeseries[f"anode_{ion}_metal_held_mAh"]
    assert held.iloc[0] == pytest.approx(expected, rel=5e-3)
    # the charged cathode can take more than the metal holds: the discharge strips the metal to its end
    assert r.cycles["discharge_capacity_mAh"].iloc[0] == pytest.approx(expected, rel=0.03)
    assert held.min() < 0.02 * expected
