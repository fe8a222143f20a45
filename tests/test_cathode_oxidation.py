"""The SE's oxidation at the positive electrode (CEI; sim/oxidation.py, sim/data/cei.toml) against independent
numbers: the closed-form solution of its growth law integrated by hand over the simulated potential, the charge
its film holds (a hand calculation from the film's stoichiometry and the particles' surface), published coulombic
efficiencies after the first cycle, and the trend with the upper cut-off."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest

from solidstack.materials import default_catalog
from solidstack.sim import find_hosts, simulate
from solidstack.sim.data_files import data_dir, default_constants
from solidstack.sim.oxidation import cathode_cei, cei_constants
from solidstack.stack import Stack, resolve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

F, R, T = 96485.33212, 8.314462618, 298.15
L_VAR = "X-averaged positive SEI thickness [m]"
U_VAR = "X-averaged positive electrode surface potential difference [V]"


def _cell(upper_vs_in: float, cycles: int = 1, cathode: str = "NMC811", se: str = "Li3PS4") -> Stack:
    """In-Li (x = 0.5) | 100 um ``se`` | ``cathode`` : ``se`` 70 : 30 (10 mg/cm2), 1 cm2, 0.2 mA/cm2, 2.0 V to
    ``upper_vs_in`` (V vs In-Li, ~0.6 V below vs Li), charged first: Koerver 2017's design (J. Mater. Chem. A 5,
    22750) with a pre-lithiated counter."""
    cat = {"type": "cathode", "areal_loading": "10 mg/cm2", "porosity": 0.15,
           "active": {"material": cathode, "fraction": 0.7}, "electrolyte": {"material": se, "fraction": 0.3}}
    an = {"type": "anode", "thickness": "30 um", "porosity": 0, "active": {"material": "In", "fraction": 1},
          "initial_x": 0.5}
    return Stack.from_dict({
        "name": "cei test cell", "area": "1 cm2", "working_ion": "Li", "stack_pressure": "70 MPa",
        "cycling": {"current_density": "0.2 mA/cm2", "lower_cutoff": "2.0 V", "upper_cutoff": f"{upper_vs_in} V",
                    "cycles": cycles, "first": "charge"},
        "layers": [{"type": "collector", "material": "SUS", "thickness": "10 um"}, an,
                   {"type": "separator", "electrolyte": se, "thickness": "100 um", "porosity": 0.1}, cat,
                   {"type": "collector", "material": "SUS", "thickness": "10 um"}]})


def _cei_mAh(r) -> np.ndarray:
    """The charge the CEI took, cumulative per cycle (mAh; minus the loss column: the SE gave the ion up)."""
    col = [c for c in r.cycles.columns if c.startswith("loss_cei_")]
    assert len(col) == 1, r.cycles.columns
    return -r.cycles[col[0]].to_numpy()


@pytest.fixture(scope="module")
def runs():
    return {u: simulate(_cell(u, cycles=3), contact_loss=False) for u in (3.4, 4.0)}


def test_growth_is_the_closed_form_of_the_law(runs):
    # Hand calculation: dL/dt = (V/(zF)) k exp(alpha F (U - U_ox)/RT) exp(-L/lambda) integrates to
    #   exp(L(t)/lambda) = exp(L(0)/lambda) + (V k / (z F lambda)) int_0^t exp(alpha F (U(s) - U_ox)/RT) ds,
    # with the constants written out here (cei.toml: k 7.12 A/m2, lambda 2 nm, alpha 0.5; Li3PS4 -> P2S5 + S: z 3,
    # V = 53.2 + 23.2 cm3/mol; U_ox = 2.31 V, Li3PS4's window_hi). Integrated over the simulated first charge.
    k, lam, alpha, z, V, u_ox = 7.12, 2e-9, 0.5, 3.0, 76.4e-6, 2.31
    charge = runs[4.0].solution.cycles[0].steps[0]
    t = charge["Time [s]"].entries
    L = charge[L_VAR].entries
    U = charge[U_VAR].entries
    integrand = np.exp(alpha * F * (U - u_ox) / (R * T))
    integral = float(np.sum(0.5 * (integrand[1:] + integrand[:-1]) * np.diff(t)))
    L_hand = lam * math.log(math.exp(L[0] / lam) + V * k / (z * F * lam) * integral)
    assert L[-1] - L[0] > 10e-9  # the charge to 4.6 V vs Li grows the film by tens of nm
    assert L[-1] == pytest.approx(L_hand, abs=0.03 * (L[-1] - L[0]))


def test_charge_is_what_the_film_holds(runs):
    # Hand calculation of the CEI's charge from its thickness: Q = dL x a x L_el x A x z F / V, with a = 3 eps / r
    # (spheres), eps the NMC811 volume fraction and r its radius (transport.toml: 5.22 um), A = 1 cm2.
    r = runs[4.0]
    pv = r.parameter_values
    eps = float(pv["Positive electrode active material volume fraction"])
    L_el = float(pv["Positive electrode thickness [m]"])
    a = 3 * eps / 5.22e-6
    sol = r.solution.cycles[0]
    dL = float(sol[L_VAR].entries[-1] - sol[L_VAR].entries[0])
    q_hand = dL * a * L_el * 1e-4 * 3.0 * F / 76.4e-6 / 3.6  # mAh
    assert _cei_mAh(r)[0] == pytest.approx(q_hand, rel=0.02)


def test_side_charge_lowers_first_ce_and_grows_with_cut_off(runs):
    # The oxidation's charge is passed on charge without delithiating the cathode, so it shows up as charge
    # capacity that no discharge returns; a higher cut-off drives the cathode further above U_ox. Hand estimate of
    # the growth per volt of top potential: lambda alpha F / (R T) = 2 nm x 19.5 /V = 39 nm/V; the film then
    # holds (transport.toml radius 5.22 um) ~1 uAh/cm2 per nm at this loading: so 0.6 V more takes 10-30 uAh more.
    q = {u: _cei_mAh(r)[0] for u, r in runs.items()}
    assert 0.0 < q[3.4] < q[4.0]
    assert 0.010 < q[4.0] - q[3.4] < 0.030
    for r in runs.values():
        t = r.cycles
        # first-cycle CE below 100 % by at least the CEI's share of the first charge
        assert t["coulombic_efficiency"].iloc[0] < 1.0 - _cei_mAh(r)[0] / t["charge_capacity_mAh"].iloc[0] + 1e-3


def test_cei_passivates_after_the_first_cycle(runs):
    # Koerver et al., Chem. Mater. 29 (2017) 5574: NCM811 | Li3PS4 | In cells average 99.1 % coulombic efficiency at
    # 0.1C after the first cycle, so the CEI can take at most 0.9 % of a later cycle's charge; Auvergniot et al.,
    # Chem. Mater. 29 (2017) 3883: Li6PS5Cl's oxidation at NMC111 does not prevent good retention over 300 cycles.
    for r in runs.values():
        per_cycle = np.diff(np.r_[0.0, _cei_mAh(r)])
        q = r.cycles["charge_capacity_mAh"].to_numpy()
        assert (per_cycle[1:] < 0.009 * q[1:]).all(), per_cycle
        assert per_cycle[2] < per_cycle[1] < 0.1 * per_cycle[0]


def test_cycled_charge_does_not_depend_on_the_assumed_rate_constant():
    # cei.toml rate_constant_basis: with the as-assembled film (grown over the rest at the start potential) the
    # cycled oxidation is set by lambda, alpha and how far above the start the cathode is driven, not by k:
    # x100 or /100 changes the first charge's oxidation by < 1 %.
    base = default_constants()
    q = []
    for factor in (0.01, 1.0, 100.0):
        c = base.with_value("cei.toml", "law.rate_constant_A_m2", 7.12 * factor)
        q.append(_cei_mAh(simulate(_cell(4.0), constants=c, contact_loss=False))[0])
    assert max(q) / min(q) < 1.01


def test_no_cei_where_the_physics_cannot_act():
    cat = default_catalog()
    # a cathode whose whole OCP table lies below the SE's oxidation limit: LiFePO4 (<= ~3.5 V) against Li3YCl6
    # (window_hi 4.21 V, knowledge base) -> no CEI, no states
    lfp = find_hosts(_cell(3.0, cathode="LiFePO4", se="Li3YCl6")).cathode[0]
    assert max(lfp.ocp.U_V) < 4.21
    assert cei_constants(lfp, cat.electrolyte("Li3YCl6")) is None
    # the same cathode above a thiophosphate's limit (2.31 V) carries one
    assert cei_constants(lfp, cat.electrolyte("Li3PS4")) is not None
    # the patent's Example 4: NMC111 under the LiI-Li2S-P2S5 glass (window_hi 2.31 V), but coated with 10 nm of
    # LiNbO3 ([0088]), whose purpose is to stop this reaction ([0058]): exp(-10 nm / 0.1 nm) of the rate, none
    ex4 = resolve("example-4")
    assert cathode_cei(ex4, find_hosts(ex4)) is None
    data = ex4.to_dict()
    cathode = next(la for la in data["layers"] if la.get("type") == "cathode")
    del cathode["coating"]
    bare = Stack.from_dict(data)
    pair = cathode_cei(bare, find_hosts(bare))
    assert pair is not None and pair.u_ox == pytest.approx(2.31)
    # a coating 1 nm thin leaves exp(-1 nm / 0.1 nm) = 4.5e-5 of the rate constant (hand calculation)
    cathode["coating"] = {"material": "LiNbO3", "fraction": 0.0, "thickness": "1 nm"}
    thin = Stack.from_dict(data)
    assert cathode_cei(thin, find_hosts(thin)).rate_constant == pytest.approx(pair.rate_constant * math.exp(-10), rel=1e-6)


def test_every_cei_constant_has_a_basis_and_resolving_sources():
    cei = tomllib.loads((data_dir() / "cei.toml").read_text())
    refs = default_catalog().references
    for table in [cei["law"], *cei["family"].values()]:
        assert all(k in refs for k in table.get("sources", [])), table.get("sources")
        for key, value in table.items():
            if isinstance(value, float):
                stem = key.split("_")[0]
                assert any(k.endswith("_basis") and k.startswith(stem) for k in table), key


def test_cathode_interphase_closes_the_loss_bookkeeping(runs):
    # The oxidation's charge crossed the cell without delithiating the cathode, so the cathode's lost cyclable
    # ion (loss_total) is the net charge passed (sum of charge - discharge) minus that charge; the tidy table's
    # rows (its own row negative: the SE gave up the ion the negative side now holds) sum to loss_total.
    r = runs[4.0]
    t = r.cycles
    net = np.cumsum(t["charge_capacity_mAh"] - t["discharge_capacity_mAh"]).to_numpy()
    np.testing.assert_allclose(t["loss_total_mAh"], net - _cei_mAh(r), rtol=5e-3, atol=2e-3)
    tidy = r.losses()
    rows = tidy[tidy.mechanism == "cathode_interphase"]
    assert set(rows["side"]) == {"cathode"} and (rows["mAh"] < 0).all()
    np.testing.assert_allclose(tidy.groupby("cycle")["mAh"].sum().to_numpy(), t["loss_total_mAh"], rtol=5e-3, atol=2e-3)


ETA_FILM = "X-averaged positive electrode SEI film overpotential [V]"


def test_film_drop_is_the_hand_calculated_area_specific_resistance(runs):
    # Hand calculation of the CEI's ionic drop: the film's area-specific resistance per m2 of particle surface is
    # L / sigma, sigma = 2.38e-7 S/cm = 2.38e-5 S/m (Li4P2S6 at 25 degC, Hood et al., Solid State Ionics 284
    # (2015) 61; cei.toml). The particle surface per m2 of electrode is s = 3 eps L_el / r (spheres, r = 5.22 um,
    # transport.toml), so the current crosses it at j = I / s, I = 0.2 mA/cm2 = 2 A/m2, and the drop is
    # j L / sigma. On charge the cathode delithiates (PyBaMM: anodic, j > 0) and its potential sits the drop
    # above what its kinetics alone would need: PyBaMM's film overpotential is -j L / sigma.
    sigma, r_p, current = 2.38e-5, 5.22e-6, 2.0
    r = runs[4.0]
    pv = r.parameter_values
    s = 3 * float(pv["Positive electrode active material volume fraction"]) \
        * float(pv["Positive electrode thickness [m]"]) / r_p
    charge = r.solution.cycles[0].steps[0]
    L = charge[L_VAR].entries
    eta = charge[ETA_FILM].entries
    eta_hand = -(current / s) * L / sigma
    assert L[-1] > 80e-9  # the as-assembled film plus the first charge's growth (test above)
    np.testing.assert_allclose(eta, eta_hand, rtol=0.01)
    # the same as a cell resistance: R = L / (sigma s A), A = 1 cm2: ~4 ohm for ~100 nm (2.38e-7 S/cm is the
    # lowest conductivity of the candidate products found, so this is the largest resistance the sourced film gives)
    R_cell = L[-1] / (sigma * s * 1e-4)
    assert R_cell == pytest.approx(abs(eta[-1]) / (current * 1e-4), rel=0.01)
    assert 1.0 < R_cell < 20.0


def test_film_resistance_acts_on_the_cathode_alone(runs):
    from solidstack.sim.model import build_model
    # the negative electrode's interphase carries no film resistance (sei.toml: none), with or without the CEI
    charge = runs[4.0].solution.cycles[0].steps[0]
    assert np.all(charge["X-averaged negative electrode SEI film overpotential [V]"].entries == 0.0)
    for name, n_phases in (("spme", {"anode": 1, "cathode": 1, "cei": True}),
                           ("dfn", {"anode": 1, "cathode": 1, "cei": True}),
                           ("spme", {"anode": 2, "cathode": 2, "cei": True}),
                           ("spme", {"anode": 1, "cathode": 1})):
        model = build_model(name, n_phases)
        assert model.options["SEI film resistance"] == "none"
        kin = {k: s for k, s in model.submodels.items() if k.endswith("interface") and hasattr(s, "reaction")
               and getattr(s, "reaction", None) == "lithium-ion main"}
        film = {k: s.options["SEI film resistance"] for k, s in kin.items()}
        expected = "average" if n_phases.get("cei") else "none"
        assert film.pop("positive interface", film.pop("positive primary interface", None)) == expected, film
        assert set(film.values()) <= {"none"}, film  # negative phases, the cathode's secondary phase


def test_a_less_conducting_film_costs_charge_capacity():
    # The drop is in the cathode's overpotential, so it brings the cut-off forward: with sigma 300x lower
    # (~300 x 1 mV = ~0.3 V at this current, by the hand calculation above) the first charge to 4.0 V vs In-Li
    # ends earlier; with the sourced sigma it costs < 1 % against a film 1000x more conducting.
    base = default_constants()
    key = "family.sulfide.film_conductivity_S_m"
    q = {f: simulate(_cell(4.0), constants=base.with_value("cei.toml", key, 2.38e-5 * f),
                     contact_loss=False).cycles["charge_capacity_mAh"].iloc[0] for f in (1 / 300, 1.0, 1000.0)}
    assert q[1.0] == pytest.approx(q[1000.0], rel=0.01)
    assert q[1 / 300] < 0.97 * q[1.0]
