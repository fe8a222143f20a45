"""A tabulated solid diffusivity D(x) (transport.toml ``diffusivity_x_NN`` / ``diffusivity_D_NN``, hosts.py
``DiffusivityTable``): interpolated in log D between its points, held beyond them, Arrhenius in T; and the physical
direction of a diffusivity that falls towards full lithiation (Li re-insertion hindered at the end of discharge):
a lower discharge rate gives back capacity (Kasnatscheew et al., PCCP 18 (2016) 3956: the first-cycle loss of NCM is
kinetic and recovered at low rate or by a CV step at the lower cut-off).

The table used is the only *measured* D(x) of a layered oxide down to full lithiation found for this work: Ecker et
al. 2015's GITT of the Li(NiCo)O2 positive electrode of the Kokam SLPB 75106100 cell, as PyBaMM 26.10 carries it
(lithium_ion/data/measured_nco_diffusivity_Ecker2015.csv; E = 80.6 kJ/mol about 296.15 K from Ecker2015.py). It is
put on NMC811 here through a user materials folder for the test only; no shipped cathode carries it (README, "What is
modelled").
"""

from __future__ import annotations

import math

import numpy as np
import pybamm
import pytest

from conftest import transport_table_catalog
from solidstack.materials import Catalog
from solidstack.sim import find_hosts, simulate
from solidstack.sim.hosts import DiffusivityTable
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: Ecker 2015 measured positive-electrode D (x, m2/s), the 15 rows of measured_nco_diffusivity_Ecker2015.csv
ECKER = [(0.1394, 1.826e-13), (0.2000, 3.330e-13), (0.2618, 3.080e-13), (0.3224, 2.633e-13), (0.3868, 1.981e-13),
         (0.4461, 1.419e-13), (0.5079, 7.201e-14), (0.5685, 2.858e-14), (0.6315, 4.542e-15), (0.6934, 5.479e-14),
         (0.7527, 2.030e-13), (0.8158, 1.588e-13), (0.8751, 1.345e-13), (0.9407, 2.055e-14), (1.0000, 5.446e-15)]
T_REF, ACT_K = 296.15, 80600.0 / 8.314462618  # Ecker2015.py: E_D_s = 8.06e4 J/mol about 296.15 K


def _folder(tmp_path) -> Catalog:
    return transport_table_catalog(tmp_path, "NMC811.Li", ECKER, c_max=51765.0, i0=2.8, T_K=T_REF,
                                   activation_K=ACT_K, basis="test: Ecker 2015 measured D(x) on NMC811",
                                   sources=["cell_ecker2015", "cell_oregan2022", "cell_chen2020"])


def _cell(current: str = "0.2 mA/cm2", d50: str | None = None) -> Stack:
    active = {"material": "NMC811", "fraction": 0.7, **({"particle_size": d50} if d50 else {})}
    cat = {"type": "cathode", "areal_loading": "10 mg/cm2", "porosity": 0.15, "active": active,
           "electrolyte": {"material": "Li3PS4", "fraction": 0.3}}
    an = {"type": "anode", "thickness": "30 um", "porosity": 0, "active": {"material": "In", "fraction": 1},
          "initial_x": 0.5}
    return Stack.from_dict({
        "name": "kinetic hindrance test", "area": "1 cm2", "working_ion": "Li",
        "cycling": {"current_density": current, "lower_cutoff": "2.0 V", "upper_cutoff": "3.7 V", "cycles": 1},
        "layers": [{"type": "collector", "material": "SUS", "thickness": "10 um"}, an,
                   {"type": "separator", "electrolyte": "Li3PS4", "thickness": "100 um", "porosity": 0.1}, cat,
                   {"type": "collector", "material": "SUS", "thickness": "10 um"}]})


def test_table_gives_the_source_values_at_its_points_and_log_interpolates(tmp_path):
    host = find_hosts(_cell(), _folder(tmp_path)).cathode[0]
    table = host.diffusivity_law
    assert isinstance(table, DiffusivityTable)
    # read from measured_nco_diffusivity_Ecker2015.csv: row 7 (x 0.5079, 7.201e-14), row 14 (x 0.9407, 2.055e-14),
    # row 15 (x 1.0, 5.446e-15), all at the source's 296.15 K
    for x, d in ((0.5079, 7.201e-14), (0.9407, 2.055e-14), (1.0, 5.446e-15)):
        assert float(host.diffusivity_at(x, T_REF)) == pytest.approx(d, rel=1e-9)
    # halfway between rows 14 and 15 in x: the geometric mean (log-linear), not the arithmetic one
    mid = float(host.diffusivity_at(0.97035, T_REF))
    assert mid == pytest.approx(math.sqrt(2.055e-14 * 5.446e-15), rel=1e-3)
    # beyond the ends the end values hold; Arrhenius with E = 80.6 kJ/mol: x exp(E/R (1/296.15 - 1/318.15)) = 6.5
    assert float(host.diffusivity_at(0.05, T_REF)) == pytest.approx(1.826e-13, rel=1e-9)
    assert float(host.diffusivity_at(1.0, 318.15)) / 5.446e-15 == pytest.approx(
        math.exp(80600.0 / 8.314462618 * (1 / 296.15 - 1 / 318.15)), rel=1e-6)
    # the PyBaMM symbol gives the same numbers as the numpy path
    for x in (0.3, 0.6315, 0.9, 0.999):
        sym = host.diffusivity_at(pybamm.Scalar(x), pybamm.Scalar(298.15)).evaluate()
        assert float(np.squeeze(sym)) == pytest.approx(float(host.diffusivity_at(x, 298.15)), rel=1e-9)


def test_a_table_needs_rising_points_and_a_reference_temperature(tmp_path):
    (tmp_path / "transport.toml").write_text(
        '["NMC811.Li"]\noverride = true\nradius_m = 5.22e-6\ndiffusivity_m2_s = 4.0e-15\ni0_A_m2 = 2.8\n'
        'conductivity_S_m = 0.18\ndiffusivity_x_01 = 0.9\ndiffusivity_D_01 = 1e-14\ndiffusivity_x_02 = 0.5\n'
        'diffusivity_D_02 = 1e-13\ndiffusivity_table_T_K = 298.15\nbasis = "test"\nsources = ["cell_ecker2015"]\n',
        encoding="utf-8")
    from solidstack.errors import InputError
    with pytest.raises(InputError, match="rising x"):
        find_hosts(_cell(), Catalog(user=[tmp_path]))


def test_lower_rate_gives_back_the_capacity_a_falling_diffusivity_holds_out(tmp_path):
    # 30 um particles (R = 15 um): R^2 / D at full lithiation (5.4e-15 m2/s) = 11.5 h, against a C/2-ish and a
    # C/20-ish discharge; the Li the surface cannot pass on at 1 mA/cm2 the particle takes at 0.1 mA/cm2
    cat = _folder(tmp_path)
    fast = simulate(_cell("1.0 mA/cm2", d50="30 um"), catalog=cat, contact_loss=False).cycles
    slow = simulate(_cell("0.1 mA/cm2", d50="30 um"), catalog=cat, contact_loss=False).cycles
    assert slow["discharge_capacity_mAh_g"].iloc[0] > 1.05 * fast["discharge_capacity_mAh_g"].iloc[0]
    ce = [c["discharge_capacity_mAh"].iloc[0] / c["charge_capacity_mAh"].iloc[0] for c in (fast, slow)]
    assert ce[1] > ce[0]
