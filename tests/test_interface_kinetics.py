"""Exchange currents of layered-oxide | sulfide-SE interfaces (transport.toml ``i0_sulfide_bare_*`` /
``i0_sulfide_coated_*``, read by ``sim/hosts.py`` ``interface_kinetics``).

The layered oxides' ``i0_A_m2`` are PyBaMM's liquid-electrolyte values (Chen2020 NMC811: 2.8 A/m2). For an oxide in
a sulfide composite the knowledge base carries the exchange current converted from a measured charge-transfer
resistance: Kim, Kang, Park, Lee, Electrochim. Acta 542 (2025) 147413 (references/kinetics.toml ``cell_kim2025``,
grade B: a digest quoting the SI tables), 3-electrode EIS of NCM811 : Li6PS5Cl : Super P composites at 30 degC.

Conversion (linearised Butler-Volmer with alpha = 0.5): R_ct = R T / (F i0 S), S = a L = 3 eps_a L / R_p the particle
surface per cell area. eps_a L is the active volume per cell area, m_composite w_NCM / (rho_NCM A): the full cell
holds 10 mg of composite on the 10 mm die (A = 0.7854 cm2; the source's full-cell thicknesses are its symmetric
cells' scaled by mass, so the same die), w = 0.72 (72 : 27 : 1 wt, the composition of its temperature series),
rho = 4.78 g/cm3 (NMC811 in the knowledge base, Noh 2013). R_p: not given by the source; ASSUMED 5.22 um, the
transport entry's radius (then a model of the source's cell has the source's R_ct).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from solidstack.materials import Catalog, default_catalog
from solidstack.sim import find_hosts, simulate
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

R, F = 8.314462618, 96485.33212
# Kim 2025 as printed (ohm cm2 of cell, 30 degC unless stated)
RCT_BARE_72, RCT_COATED_72 = 289.9, 18.2              # Table S6 / Table S4, 72 wt% NCM811
RCT_BARE_T = {303.15: 289.9, 318.15: 139.6, 333.15: 67.8}   # Table S6, uncoated 72 wt%
RCT_COATED_T = {303.15: 22.4, 318.15: 8.7, 333.15: 7.6}     # Table S4, coated 62 wt%


def _hand_i0(r_ct_ohm_cm2: float, T: float = 303.15) -> float:
    """i0 (A/m2) of particle surface from the source's R_ct, written out: eps_a L = 10 mg x 0.72 / 4.78 g/cm3 /
    0.7854 cm2 = 1.9179e-3 cm = 19.18 um; S = 3 x 19.18 / 5.22 = 11.02; at 30 degC R T / F = 26.12 mV, so
    i0 = 0.02612 V / (0.02899 ohm m2 x 11.02) = 0.0818 A/m2 (bare) and 1.302 A/m2 (coated, 18.2 ohm cm2)."""
    eps_l = 10e-3 * 0.72 / 4.78 / (math.pi * 0.5 ** 2) * 1e-2    # m
    S = 3.0 * eps_l / 5.22e-6
    return R * T / F / (r_ct_ohm_cm2 * 1e-4 * S)


def _activation_K(series: dict[float, float]) -> float:
    """E/R (K) of a 3-point Arrhenius fit of ln R_ct on 1/T (R_ct ~ exp(E / R T)): bare 40.6 kJ/mol = 4888 K,
    coated 30.6 kJ/mol = 3679 K."""
    slope = np.polyfit([1.0 / t for t in series], [math.log(r) for r in series.values()], 1)[0]
    return float(slope)


def test_the_knowledge_base_i0_is_the_hand_conversion_of_kim_2025():
    assert _hand_i0(RCT_BARE_72) == pytest.approx(0.0818, rel=1e-3)       # the numbers written out above
    assert _hand_i0(RCT_COATED_72) == pytest.approx(1.302, rel=1e-3)
    ea_bare, ea_coated = _activation_K(RCT_BARE_T), _activation_K(RCT_COATED_T)
    assert ea_bare * R / 1e3 == pytest.approx(40.6, abs=0.1)
    assert ea_coated * R / 1e3 == pytest.approx(30.6, abs=0.1)
    # to the knowledge base's 25 degC with the source's own activation: x exp(-E/R (1/298.15 - 1/303.15))
    bare_25 = _hand_i0(RCT_BARE_72) * math.exp(-ea_bare * (1 / 298.15 - 1 / 303.15))
    coated_25 = _hand_i0(RCT_COATED_72) * math.exp(-ea_coated * (1 / 298.15 - 1 / 303.15))
    tr = default_catalog().transport("NMC811.Li")
    assert tr["i0_sulfide_bare_A_m2"] == pytest.approx(bare_25, rel=3e-3)       # 0.0624
    assert tr["i0_sulfide_coated_A_m2"] == pytest.approx(coated_25, rel=3e-3)   # 1.06
    assert tr["i0_sulfide_bare_activation_K"] == pytest.approx(ea_bare, rel=1e-3)
    assert tr["i0_sulfide_coated_activation_K"] == pytest.approx(ea_coated, rel=1e-3)
    assert tr["radius_m"] == 5.22e-6   # the radius the conversion assumed
    # the Ni-rich stand-ins carry the same values
    for key in ("NMC622.Li", "NMC90.Li", "NCA.Li"):
        other = default_catalog().transport(key)
        assert other["i0_sulfide_bare_A_m2"] == tr["i0_sulfide_bare_A_m2"]
        assert other["i0_sulfide_coated_A_m2"] == tr["i0_sulfide_coated_A_m2"]


def _cell(se: str = "Li6PS5Cl", coated: bool = False, temperature: str = "25 degC", current: str = "0.14 mA/cm2",
          cycles: int = 1) -> Stack:
    """In-Li | SE | NMC811 : SE = 70 : 30 wt, 10 mg/cm2 (7 mg NMC811 = 1.4 mAh/cm2 at 200 mAh/g, so 1.4 mA/cm2 is
    ~1C), 1 cm2."""
    cat = {"type": "cathode", "areal_loading": "10 mg/cm2", "porosity": 0.15,
           "active": {"material": "NMC811", "fraction": 0.7}, "electrolyte": {"material": se, "fraction": 0.3}}
    if coated:
        cat["coating"] = {"material": "LiNbO3", "fraction": 0.0}
    return Stack.from_dict({
        "name": "interface kinetics test", "area": "1 cm2", "working_ion": "Li", "temperature": temperature,
        "cycling": {"current_density": current, "lower_cutoff": "2.4 V", "upper_cutoff": "3.7 V", "cycles": cycles},
        "layers": [{"type": "collector", "material": "SUS", "thickness": "10 um"},
                   {"type": "anode", "thickness": "30 um", "porosity": 0, "active": {"material": "In", "fraction": 1},
                    "initial_x": 0.5},
                   {"type": "separator", "electrolyte": se, "thickness": "100 um", "porosity": 0.1}, cat,
                   {"type": "collector", "material": "SUS", "thickness": "10 um"}]})


def test_the_interface_decides_which_exchange_current_a_host_gets():
    tr = default_catalog().transport("NMC811.Li")
    assert find_hosts(_cell()).cathode[0].i0 == pytest.approx(tr["i0_sulfide_bare_A_m2"])
    assert find_hosts(_cell(coated=True)).cathode[0].i0 == pytest.approx(tr["i0_sulfide_coated_A_m2"])
    # argyrodite and thiophosphate alike (family = first word of the class, "sulfide")
    assert find_hosts(_cell(se="Li3PS4")).cathode[0].i0 == pytest.approx(tr["i0_sulfide_bare_A_m2"])
    # no value for a hydroborate interface: the entry's own (liquid-electrolyte) i0 stays
    assert find_hosts(_cell(se="Li-hydroborate")).cathode[0].i0 == pytest.approx(tr["i0_A_m2"])
    # at the source's 30 degC the host gets back the source's own conversion (0.0818 A/m2), through its activation
    assert find_hosts(_cell(temperature="30 degC")).cathode[0].i0 == pytest.approx(_hand_i0(RCT_BARE_72), rel=3e-3)


def _liquid_folder(tmp_path) -> Catalog:
    """A user folder whose NMC811.Li entry is the shipped one without the interface fields (the liquid i0)."""
    import json

    tr = default_catalog().transport("NMC811.Li")
    lines = ['["NMC811.Li"]', "override = true"]
    lines += [f"{k} = {v!r}" for k, v in tr.values.items() if not k.startswith("i0_sulfide")]
    lines += [f"basis = {json.dumps('test: the shipped entry without its sulfide-interface fields')}",
              f"sources = {json.dumps([s.key for s in tr.sources])}"]
    (tmp_path / "transport.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Catalog(user=[tmp_path])


def test_the_solid_state_i0_costs_discharge_voltage_at_1c(tmp_path):
    """At ~1C (1.4 mA/cm2 through S = 3 x 14.6 um / 5.22 um = 8.4 m2/m2: 1.67 A/m2 of particle) the Butler-Volmer
    overpotential 2RT/F asinh(j / (2 i0)) is 0.17 V with i0 = 0.0624 and 0.015 V with the liquid 2.8 A/m2 at x = 0.5
    (by hand): the mean discharge voltage must fall by roughly the difference, 0.15 V (0.08-0.3 V allowed: i0(x)
    varies over the discharge and the discharge ends earlier)."""
    liquid = _liquid_folder(tmp_path)
    assert find_hosts(_cell(), liquid).cathode[0].i0 == pytest.approx(2.8)
    ssb = simulate(_cell(current="1.4 mA/cm2"), contact_loss=False).cycles
    liq = simulate(_cell(current="1.4 mA/cm2"), catalog=liquid, contact_loss=False).cycles
    drop = liq["mean_discharge_voltage_V"].iloc[0] - ssb["mean_discharge_voltage_V"].iloc[0]
    assert 0.08 < drop < 0.3
