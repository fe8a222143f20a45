"""Ionic transport of the SE inside composite electrodes (``sim/data/composite_transport.toml``): the effective
conductivity sigma eps / tau2(eps) against a hand calculation from Stavola 2023's printed composites, Bruggeman 1.5
where there is no law (separator, non-sulfide SEs), a thicker or SE-poorer composite delivers less at 1C, and a
malformed table is refused with the file and table named."""

from __future__ import annotations

import math
import shutil

import pytest

from solidstack.materials import default_catalog
from solidstack.sim import simulate
from solidstack.sim.data_files import SimConstants, TortuosityLaw, data_dir, default_constants
from solidstack.sim.hosts import find_hosts
from solidstack.sim.parameters import build_parameters, composite_bruggeman
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# Stavola et al. 2023 (ACS Energy Lett. 8, 1273), Table S8 as printed: sigma_eff of NMC111 | argyrodite composites
# at 70 and 80 wt% NMC111, sigma_bulk of the 0 % CAM pellet, 14 % void (printed assumption). Densities: NMC111
# 4.76, Li6PS5Cl 1.86 g/cm3 (knowledge base).
SIG_70, SIG_80, SIG_BULK = 8.682e-5, 6.758e-5, 1.9e-3


def _eps(active_wt: float) -> float:
    v_a, v_se = active_wt / 4.76, (100.0 - active_wt) / 1.86
    return v_se / (v_a + v_se) * 0.86


def _data(loading: str = "15 mg/cm2", se_fraction: float = 0.30, electrolyte: str = "Li6PS5Cl") -> dict:
    """A Li-In | SE | NMC111 half cell (1 cm2): the cathode composite is the only composite (the anode is a foil)."""
    return {
        "name": "composite transport test cell", "area": "1 cm2", "working_ion": "Li",
        "layers": [
            {"type": "collector", "material": "SUS", "thickness": "10 um"},
            {"type": "anode", "thickness": "100 um", "porosity": 0.0, "initial_x": 0.5,
             "active": {"material": "In", "fraction": 1.0}},
            {"type": "separator", "electrolyte": electrolyte, "thickness": "100 um", "porosity": 0.15},
            {"type": "cathode", "areal_loading": loading, "porosity": 0.15,
             "active": {"material": "NMC111", "fraction": 1.0 - se_fraction},
             "electrolyte": {"material": electrolyte, "fraction": se_fraction}},
            {"type": "collector", "material": "SUS", "thickness": "10 um"},
        ],
    }


def _pv(data: dict):
    stack = Stack.from_dict(data)
    return build_parameters(stack, find_hosts(stack), (2.4, 3.7))


def test_measured_points_are_the_printed_composites():
    # hand: 70 wt% -> eps = (30/1.86) / (70/4.76 + 30/1.86) x 0.86 = 0.44985, tau2 = eps x 1.9e-3 / 8.682e-5 = 9.845
    law = default_constants().tortuosity_law("sulfide")
    e70 = _eps(70.0)
    assert e70 == pytest.approx(0.44985, abs=2e-5)
    assert law.tortuosity_factor(e70) == pytest.approx(e70 * SIG_BULK / SIG_70, rel=1e-9)
    assert law.tortuosity_factor(e70) == pytest.approx(9.845, abs=2e-3)
    assert law.conductivity_ratio(1.0) == 1.0  # the pure SE pellet is sigma_bulk by definition


def test_effective_conductivity_of_a_composite_against_the_hand_calculation():
    # the cathode of _data(): 70 : 30 wt NMC111 : Li6PS5Cl, 15 % porosity -> eps = 0.85 x (30/1.86)/(70/4.76 + 30/1.86)
    pv = _pv(_data())
    eps = pv["Positive electrode porosity"]
    assert eps == pytest.approx(0.85 * (30 / 1.86) / (70 / 4.76 + 30 / 1.86), rel=1e-3)
    # hand: eps lies between the 80 wt% (eps 0.33554) and 70 wt% (0.44985) composites; ln tau2 linear in eps
    e80, e70 = _eps(80.0), _eps(70.0)
    t80, t70 = e80 * SIG_BULK / SIG_80, e70 * SIG_BULK / SIG_70
    assert e80 < eps < e70
    tau2 = math.exp(math.log(t80) + (eps - e80) / (e70 - e80) * (math.log(t70) - math.log(t80)))
    sigma_se = 1.33e-3 * 100.0  # S/m, knowledge base Li6PS5Cl (Boulineau 2012)
    hand = sigma_se * eps / tau2
    b = pv["Positive electrode Bruggeman coefficient (electrolyte)"]
    assert pv["Electrolyte conductivity [S.m-1]"] * eps ** b == pytest.approx(hand, rel=1e-9)
    # by hand: eps 0.4446, tau2 9.83, 0.133 x 0.4446 / 9.83 = 0.0060 S/m; 6.5x below Bruggeman 1.5
    # (0.133 x 0.4446^1.5 = 0.0394 S/m)
    assert hand == pytest.approx(0.0060, rel=0.02)
    assert sigma_se * eps ** 1.5 / hand == pytest.approx(6.5, rel=0.03)


def test_separator_and_families_without_a_law_keep_bruggeman_1_5():
    pv = _pv(_data())
    assert pv["Separator Bruggeman coefficient (electrolyte)"] == 1.5
    # a halide SE (Li3InCl6) has no table in composite_transport.toml
    pv = _pv(_data(electrolyte="Li3InCl6"))
    assert pv["Positive electrode Bruggeman coefficient (electrolyte)"] == 1.5
    stack = Stack.from_dict(_data())
    assert composite_bruggeman(stack, "cathode", 1.0) == 1.5  # no SE-free or pure-SE exponent from the law
    assert default_constants().tortuosity_law("oxide") is None


def test_thicker_or_se_poorer_composite_delivers_less_at_1c():
    def q(**kw) -> float:
        r = simulate(Stack.from_dict(_data(**kw)), cycles=1, current="1C", window="2.4:3.7", first="charge",
                     model="SPMe", contact_loss=False, catalog=default_catalog())
        return float(r.to_dataframe()["discharge_capacity_mAh_g"].iloc[-1])

    base, thick, poor = q(), q(loading="30 mg/cm2"), q(se_fraction=0.22)
    assert thick < base
    assert poor < base


def test_the_measured_law_delivers_less_at_1c_than_bruggeman(tmp_path):
    # the same cell with composite_transport.toml emptied (every composite at Bruggeman 1.5): more at 1C
    shutil.copytree(data_dir(), tmp_path / "data")
    (tmp_path / "data" / "composite_transport.toml").write_text("# no family tables\n", encoding="utf-8")
    bruggeman = SimConstants.load(tmp_path / "data")
    assert bruggeman.tortuosity_law("sulfide") is None

    def q(constants: SimConstants) -> float:
        r = simulate(Stack.from_dict(_data()), cycles=1, current="1C", window="2.4:3.7", first="charge", model="SPMe",
                     contact_loss=False, constants=constants)
        return float(r.to_dataframe()["discharge_capacity_mAh_g"].iloc[-1])

    assert q(default_constants()) < q(bruggeman)


def test_a_malformed_table_is_refused_with_the_file_and_table():
    t = dict(default_constants().composite_transport["family"]["sulfide"])
    t["sigma_eff_S_cm"] = [1e-4]
    with pytest.raises(ValueError, match=r"composite_transport.toml \[family.sulfide\].*same length"):
        TortuosityLaw.from_table("sulfide", t)
    t = dict(default_constants().composite_transport["family"]["sulfide"], sigma_eff_S_cm=[1e-4, 1e-4, 1e-2, 1e-5])
    with pytest.raises(ValueError, match=r"composite_transport.toml \[family.sulfide\].*sigma_eff <= sigma_bulk"):
        TortuosityLaw.from_table("sulfide", t)
