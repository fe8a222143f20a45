"""NMC90 (LiNi0.9Co0.05Mn0.05O2), the cathode of Lee 2020 (issue 9): an ANALOGUE entry on NMC811's OCP curve.

Checked against independent numbers: the theoretical capacity and crystallographic density by hand from the formula
(atomic weights written out here), the source's 227 mAh/g to 4.3 V (OSTI 1430488, abstract), and the first-charge
capacity of a small SPM cell against a hand calculation from PyBaMM's own Chen 2020 function (not our CSV table).
The borrowed curve must show up as a data gap in the run notes.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy.optimize import brentq

from solidstack.materials import Catalog

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LEE = Path(__file__).resolve().parents[1] / "src" / "solidstack" / "studies" / "data" / "literature" / \
    "lee2020-agc-anodefree-ni90-lpscl-pouch"
# standard atomic weights (IUPAC, g/mol)
LI, NI, CO, MN, OX = 6.941, 58.693, 58.933, 54.938, 15.999
F_MAH_PER_MOL = 26801.4  # 96485.33 C/mol / 3.6 C/mAh
SOURCE_Q_4V3 = 227.0  # OSTI 1430488 (Chem. Mater. 2017), abstract: Li[Ni0.90Co0.05Mn0.05]O2, 227 mAh/g to 4.3 V
LTO_PLATEAU_V = 1.55  # Li4Ti5O12 plateau vs Li+/Li (Ohzuku 1995), the counter electrode of the small cell


@pytest.fixture(scope="module")
def nmc90():
    return Catalog().active("NMC90", "Li")


def test_theoretical_capacity_by_hand(nmc90):
    m = LI + 0.9 * NI + 0.05 * CO + 0.05 * MN + 2 * OX  # 97.456 g/mol
    assert m == pytest.approx(97.456, abs=0.002)
    assert nmc90.theoretical_capacity_mAh_g == pytest.approx(F_MAH_PER_MOL / m, abs=0.1)  # 275.0 mAh/g


def test_practical_capacity_is_the_sources_not_lees(nmc90):
    assert nmc90.practical_capacity_mAh_g == SOURCE_Q_4V3
    assert nmc90.window.hi == 4.3  # the source's upper cut-off
    # Lee 2020's own 215 mAh/g (0.2C, a validation number) is not what the knowledge base stores
    assert nmc90.practical_capacity_mAh_g != 215.0
    # Ni-richer than NMC811 (Noh 2013: capacity grows with Ni content): more capacity, same theoretical scale
    nmc811 = Catalog().active("NMC811", "Li")
    assert nmc90.practical_capacity_mAh_g > nmc811.practical_capacity_mAh_g


def test_density_by_hand_from_the_nmc811_lattice(nmc90):
    a, c = 2.872e-8, 14.20e-8  # cm, the NMC811 row's lattice (R-3m, Z = 3), used as the analogue
    volume = a * a * c * math.sqrt(3) / 2
    rho = 3 * (LI + 0.9 * NI + 0.05 * CO + 0.05 * MN + 2 * OX) / (6.02214076e23 * volume)  # 4.786 g/cm3
    assert nmc90.density_g_cm3 == pytest.approx(rho, abs=0.01)


def test_borrowed_curve_is_flagged_as_an_analogue(nmc90):
    assert nmc90.ocp is not None and nmc90.ocp.name == "NMC811_Li.csv"
    assert "ANALOGUE" in nmc90.ocp_note and "NMC811" in nmc90.ocp_note
    assert "ANALOGUE" in nmc90.notes
    # the owner of the table is not flagged
    assert Catalog().active("NMC811", "Li").ocp_note == ""


def test_lee_stack_files_resolve_nmc90():
    from solidstack.stack import Stack

    for name in ("agc.toml", "sus.toml"):
        stack = Stack.from_file(LEE / name)
        assert stack.cathode.active.material == "NMC90"
        assert "ANALOGUE" in (LEE / name).read_text(encoding="utf-8")


def test_first_charge_against_chen2020_by_hand(no_interphase):
    """LTO excess | NMC90 small cell, 1 cycle SPM, contact loss off, to 4.25 V at the cathode (Lee's cut-off).
    The simulation sizes c_max so that the curve's 3.0-4.3 V span holds 227 mAh/g; the part to 4.25 V is then
    227 (1 - x(4.25)) / (1 - x(4.30)), x(U) from PyBaMM's Chen 2020 function (the table ends at x = 1, 3.49 V)."""
    from pybamm.input.parameters.lithium_ion import ORegan2022

    from solidstack.sim import simulate
    from solidstack.stack import Stack

    def x_at(u: float) -> float:
        return brentq(lambda x: float(ORegan2022.nmc_LGM50_ocp_Chen2020(x)) - u, 0.2, 0.5)

    q_hand = SOURCE_Q_4V3 * (1.0 - x_at(4.25)) / (1.0 - x_at(4.30))  # ~222 mAh/g
    se = "Li6PS5Cl"
    stack = Stack.from_dict({
        "name": "LTO | NMC90", "area": "1 cm2", "working_ion": "Li",
        "cycling": {"current_density": "0.05 mA/cm2", "lower_cutoff": "1.45 V",
                    "upper_cutoff": f"{4.25 - LTO_PLATEAU_V:.2f} V", "cycles": 1},
        "layers": [
            {"type": "collector", "material": "SUS", "thickness": "10 um"},
            {"type": "anode", "mass": "40 mg", "porosity": 0.15,
             "active": {"material": "Li4Ti5O12", "fraction": 0.6}, "electrolyte": {"material": se, "fraction": 0.4}},
            {"type": "separator", "electrolyte": se, "mass": "60 mg", "porosity": 0.15},
            {"type": "cathode", "mass": "10 mg", "porosity": 0.15,
             "active": {"material": "NMC90", "fraction": 0.7}, "electrolyte": {"material": se, "fraction": 0.3}},
            {"type": "collector", "material": "SUS", "thickness": "10 um"},
        ],
    })
    result = simulate(stack, model="SPM", contact_loss=False, constants=no_interphase)
    q_sim = float(result.cycles["charge_capacity_mAh"].iloc[0]) / (stack.cathode.active_mass_kg(stack.area_m2) * 1e3)
    assert q_sim == pytest.approx(q_hand, rel=0.04)
    assert any("ANALOGUE" in n for n in result.notes)
