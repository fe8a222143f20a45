"""Cathode surface coatings other than LiNbO3: the Li2O-ZrO2 (LZO) entry of auxiliaries.csv
(references/coatings.toml) and what a coated layered oxide in a sulfide composite does in the model: no cathode
interphase (sim/data/cei.toml [coating]) and the coated exchange current (transport.toml i0_sulfide_coated_*,
Kim 2025, measured on LiNbO3 only: for Li2O-ZrO2 an analogue), against the same cell uncoated.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from solidstack.materials import default_catalog
from solidstack.sim import find_hosts, simulate
from solidstack.sim.oxidation import cathode_cei
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[1]
LEE = ROOT / "src" / "solidstack" / "studies" / "data" / "literature" / "lee2020-agc-anodefree-ni90-lpscl-pouch"
SHI = Path(__file__).parent / "data" / "shi2020" / "in-nmc532.toml"


def test_lzo_density_is_the_pauling_file_cell():
    # Pauling File entry sd_1520554 (Li2ZrO3, C2/c): V = 0.24479 nm3 with Z = 4 formula units (as read).
    # M(Li2ZrO3) = 2 x 6.941 + 91.224 + 3 x 15.999 = 153.103 g/mol; rho = Z M / (N_A V)
    #            = 4 x 153.103 / (6.02214e23 x 244.79e-24 cm3) = 612.41 / 147.42 = 4.154 g/cm3
    rho_hand = 4 * (2 * 6.941 + 91.224 + 3 * 15.999) / (6.02214076e23 * 244.79e-24)
    assert rho_hand == pytest.approx(4.154, abs=1e-3)
    aux = default_catalog().auxiliary("Li2O-ZrO2", "coating")
    assert aux.density_g_cm3 == pytest.approx(rho_hand, abs=0.005)
    assert [r.key for r in aux.sources["density"]] == ["cell_pauling_li2zro3", "derived"]
    # the names the sources use find the same entry
    for alias in ("LZO", "Li2ZrO3"):
        assert default_catalog().auxiliary(alias, "coating").key == "Li2O-ZrO2"


def _cell(coating: dict | None, temperature: str = "25 degC") -> Stack:
    """In-Li | 100 um Li6PS5Cl | NMC811 : Li6PS5Cl = 70 : 30 wt, 10 mg/cm2, 1 cm2, charged first to 3.7 V vs In
    (~4.3 V vs Li, well above the argyrodite's oxidation limit)."""
    cat = {"type": "cathode", "areal_loading": "10 mg/cm2", "porosity": 0.15,
           "active": {"material": "NMC811", "fraction": 0.7}, "electrolyte": {"material": "Li6PS5Cl", "fraction": 0.3}}
    if coating is not None:
        cat["coating"] = coating
    return Stack.from_dict({
        "name": "coating test", "area": "1 cm2", "working_ion": "Li", "temperature": temperature,
        "cycling": {"current_density": "0.2 mA/cm2", "lower_cutoff": "2.0 V", "upper_cutoff": "3.7 V", "cycles": 1,
                    "first": "charge"},
        "layers": [{"type": "collector", "material": "SUS", "thickness": "10 um"},
                   {"type": "anode", "thickness": "30 um", "porosity": 0, "active": {"material": "In", "fraction": 1},
                    "initial_x": 0.5},
                   {"type": "separator", "electrolyte": "Li6PS5Cl", "thickness": "100 um", "porosity": 0.1}, cat,
                   {"type": "collector", "material": "SUS", "thickness": "10 um"}]})


LZO_5NM = {"material": "Li2O-ZrO2", "fraction": 0.0, "thickness": "5 nm"}


def test_an_lzo_coated_cathode_has_no_cei_and_the_coated_i0():
    bare, coated = _cell(None), _cell(LZO_5NM)
    # the bare NMC811 oxidises the argyrodite; 5 nm of LZO leaves exp(-5 nm / 0.1 nm) = 2e-22 of it: none
    assert cathode_cei(bare, find_hosts(bare)) is not None
    assert cathode_cei(coated, find_hosts(coated)) is None
    # exchange current at Kim 2025's 30 degC: the coated / bare ratio is the printed R_ct ratio of its 72 wt%
    # NCM811 | Li6PS5Cl composites (Table S6 uncoated 289.9, Table S4 LiNbO3-coated 18.2 ohm cm2): 15.93
    i0_bare = find_hosts(_cell(None, "30 degC")).cathode[0].i0
    i0_coated = find_hosts(_cell(LZO_5NM, "30 degC")).cathode[0].i0
    assert i0_coated / i0_bare == pytest.approx(289.9 / 18.2, rel=5e-3)


def test_the_lzo_coated_cell_loses_no_charge_to_a_cei():
    r_bare = simulate(_cell(None), contact_loss=False)
    r_coated = simulate(_cell(LZO_5NM), contact_loss=False)
    cei = [c for c in r_bare.cycles.columns if c.startswith("loss_cei_")]
    assert len(cei) == 1 and -r_bare.cycles[cei[0]].iloc[0] > 0.0
    assert not [c for c in r_coated.cycles.columns if c.startswith("loss_cei_")]


@pytest.mark.parametrize("name", ["agc.toml", "sus.toml"])
def test_lees_stack_builds_with_its_printed_coating(name):
    s = Stack.from_file(LEE / name)
    coat = s.cathode.coating
    assert coat is not None and coat.material == "Li2O-ZrO2"
    assert coat.thickness.to("nm") == pytest.approx(5.0)      # printed: 5 nm (Methods)
    assert cathode_cei(s, find_hosts(s)) is None
    assert "Li2O-ZrO2" in (next(la for la in s.to_dict()["layers"] if la.get("type") == "cathode")["note"])


def test_shis_cell_carries_its_lzo_coating():
    s = Stack.from_file(SHI)
    assert s.cathode.coating.material == "Li2O-ZrO2"
    assert 6.0 <= s.cathode.coating.thickness.to("nm") <= 8.0   # printed 6-8 nm
    assert cathode_cei(s, find_hosts(s)) is None
