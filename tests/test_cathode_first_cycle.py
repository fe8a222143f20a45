"""The first-cycle loss of a layered oxide as a kinetic end-of-discharge limitation (issue 9), checked against an
independent liquid-cell number.

Kasnatscheew et al., PCCP 18 (2016) 3956 (abstract, reference ``cell_kasnatscheew2016``): NCM111 | Li half cells
charged to 4.6 V lose 36.3 mAh/g in the first cycle, 22.1 mAh/g of it recovered by a constant-potential step at the
discharge cut-off (an impeded lithiation). The only D(x) of NCM111 read for this work that reaches full lithiation
with a fall there is Wu et al. 2012's GITT as quoted in Amin & Chiang 2016, Table III (``cell_wu2012``,
``cell_amin2016``): ~1e-10 cm2/s for Li0.25NMC333, ~1e-12 cm2/s lithiated. It is *not* shipped (README, "What is
modelled": the patent reproduction falls to 11 of 14 with it); here it is put on NMC111 through a user materials
folder, and the loss it gives is compared with the hand estimate below and with Kasnatscheew's numbers. The rate is
taken as C/10 (assumed: the abstract does not give the specific current).
"""

from __future__ import annotations

import math

import pytest

from conftest import transport_table_catalog
from solidstack.materials import Catalog, use_catalog
from solidstack.sim import simulate
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: Wu 2012 as quoted by Amin & Chiang 2016 Table III: (Li content, D in m2/s) at 25 degC
WU2012 = [(0.25, 1e-14), (1.0, 1e-16)]
KASNATSCHEEW_TOTAL, KASNATSCHEEW_KINETIC = 36.3, 22.1  # mAh/g, first cycle to 4.6 V, NCM111 | Li (liquid)


def _catalog(tmp_path) -> Catalog:
    return transport_table_catalog(tmp_path, "NMC111.Li", WU2012, c_max=46200.0, i0=2.5, T_K=298.15,
                                   basis="test: Wu 2012 GITT of NMC333 (as quoted by Amin & Chiang 2016) on NMC111",
                                   sources=["cell_wu2012", "cell_amin2016", "cell_chen2020"])


def _half_cell(cat: Catalog) -> Stack:
    """A thin NMC111 composite against a Li metal anode: the SE's transport and the anode do not limit (a Li metal
    counter gives back whatever the cathode takes), and the LiNbO3 coating keeps the SE's oxidation out, so the loss
    is the cathode's own, as in a liquid half cell."""
    with use_catalog(cat):
        return Stack.from_dict({
            "name": "NMC111 half cell", "area": "1 cm2", "working_ion": "Li", "temperature": "25 degC",
            "layers": [{"type": "collector", "material": "SUS", "thickness": "10 um"},
                       {"type": "anode", "thickness": "100 um", "porosity": 0, "active": {"material": "Li", "fraction": 1}},
                       {"type": "separator", "electrolyte": "Li6PS5Cl", "thickness": "100 um", "porosity": 0.1},
                       {"type": "cathode", "areal_loading": "5 mg/cm2", "porosity": 0.15,
                        "active": {"material": "NMC111", "fraction": 0.7},
                        "electrolyte": {"material": "Li6PS5Cl", "fraction": 0.3},
                        "coating": {"material": "LiNbO3", "fraction": 0.0}},
                       {"type": "collector", "material": "SUS", "thickness": "10 um"}]})


def _first_cycle(cat: Catalog, rate: str) -> tuple[float, float]:
    r = simulate(_half_cell(cat), current=rate, window="3.0:4.6", cycles=1, first="charge", contact_loss=False,
                 catalog=cat)
    return float(r.cycles.charge_capacity_mAh_g[0]), float(r.cycles.discharge_capacity_mAh_g[0])


def _hand_estimate(charge_mAh_g: float) -> float:
    """First-cycle loss (mAh/g) of a sphere refilled at constant flux over t = 10 h (C/10): it stops when its surface
    is full, with a share R^2 / (15 D t) of the charge not taken back (the constant-D solution), D read at the mean
    composition it has reached then (self-consistent, by fixed-point iteration).

    R = 5.22 um (transport.toml NMC111); x_full = 0.962, the OCP table's lithiated end; 288.2 mAh/g per unit of x
    (c_max = 155 mAh/g x 4.76 g/cm3 / F / (0.9621 - 0.4242), the knowledge base's practical capacity over the window's
    x span); D(x) log-linear between Wu's two points.
    """
    R, t, x_full, q_x = 5.22e-6, 36000.0, 0.962, 288.2
    (x1, d1), (x2, d2) = WU2012
    loss = 0.0
    for _ in range(50):
        x = x_full - loss / q_x
        d = 10 ** (math.log10(d1) + (math.log10(d2) - math.log10(d1)) * (x - x1) / (x2 - x1))
        loss = charge_mAh_g * R**2 / (15 * d * t)
    # e.g. a 203 mAh/g charge: x -> 0.835, D -> 2.8e-16 m2/s, loss -> ~36 mAh/g
    return loss


def test_wu_diffusivity_gives_the_liquid_first_cycle_loss_of_ncm111(tmp_path):
    cat = _catalog(tmp_path)
    charge, discharge = _first_cycle(cat, "C/10")
    loss = charge - discharge
    # the charge is not hindered (the NMC111 window to 4.6 V: ~200 mAh/g), the discharge is
    assert 190.0 < charge < 215.0
    # independent number: between Kasnatscheew's kinetic share and total loss, widened by the suite's +-15 %
    assert 0.85 * KASNATSCHEEW_KINETIC <= loss <= 1.15 * KASNATSCHEEW_TOTAL, loss
    # hand calculation of the same mechanism
    assert loss == pytest.approx(_hand_estimate(charge), rel=0.25)


def test_the_loss_is_kinetic_and_recovered_at_low_rate(tmp_path):
    """Kasnatscheew 2016: the lost capacity is an impeded lithiation, given back by slower lithiation; at C/50 the
    constant-flux estimate R^2 / (15 D t) is 5x smaller than at C/10 at the same D, more than halving the loss even
    though the lower D reached deeper in lithiation offsets part of it."""
    cat = _catalog(tmp_path)
    c10 = _first_cycle(cat, "C/10")
    c50 = _first_cycle(cat, "C/50")
    assert (c50[0] - c50[1]) < 0.5 * (c10[0] - c10[1])
