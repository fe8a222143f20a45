"""The SE-reduction interphase per (host, SE) pair (sim/interphase.py, sim/data/sei.toml) against independent
numbers: published coulombic efficiencies and retention of sulfide cells, the calibration's own literature target,
and hand calculations of the tunnelling law written out here."""

from __future__ import annotations

import math
import shutil
import tomllib

import numpy as np
import pytest

from solidstack.materials import default_catalog
from solidstack.sim import find_hosts, simulate
from solidstack.sim.data_files import SimConstants, data_dir
from solidstack.sim.interphase import interphase_phases, pair_constants, reducing_electrolyte
from solidstack.sim.model import build_model
from solidstack.stack import Stack, resolve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

F, R, T = 96485.33212, 8.314462618, 298.15


def _example4_with(se: str, metal_layers: bool = False) -> Stack:
    """The patent's Example 4 composites (NMC111 : SE : VGCF 73 : 24 : 3 | SE | graphite : SE 50 : 50) with ``se``
    as every solid electrolyte; its In/Cu foils dropped unless ``metal_layers``."""
    data = resolve("example-4").to_dict()
    layers = []
    for la in data["layers"]:
        if la.get("type") == "metal" and not metal_layers:
            continue
        if la.get("type") == "separator":
            la["electrolyte"] = se
        if isinstance(la.get("electrolyte"), dict):
            la["electrolyte"]["material"] = se
        layers.append(la)
    data.update(layers=layers, name=f"NMC111 | {se} | graphite")
    return Stack.from_dict(data)


def _metal_cell(anode: dict, se: str = "Li6PS5Cl", cut=(3.0, 4.3), cathode_se: str | None = None) -> Stack:
    """anode | 100 um ``se`` | NMC111 composite (10 mg/cm2, 70 % NMC111), 1 cm2, charged first at 0.054 mA/cm2."""
    cat = {"type": "cathode", "areal_loading": "10 mg/cm2", "porosity": 0.2, "active": {"material": "NMC111", "fraction": 0.7},
           "electrolyte": {"material": cathode_se or se, "fraction": 0.27}, "additive": {"material": "VGCF", "fraction": 0.03}}
    return Stack.from_dict({
        "name": "test cell", "area": "1 cm2", "working_ion": "Li", "stack_pressure": "0 MPa",
        "cycling": {"current_density": "0.054 mA/cm2", "lower_cutoff": f"{cut[0]} V", "upper_cutoff": f"{cut[1]} V",
                    "cycles": 3, "first": "charge"},
        "layers": [{"type": "collector", "material": "Cu", "thickness": "10 um"}, anode,
                   {"type": "separator", "electrolyte": se, "thickness": "100 um", "porosity": 0.1}, cat,
                   {"type": "collector", "material": "Al", "thickness": "15 um"}]})


def _sei_mAh(r, cycle: int) -> float:
    row = r.cycles.loc[r.cycles["cycle"] == cycle].iloc[0]
    return float(sum(row[c] for c in r.cycles.columns if c.startswith("loss_sei_")))


@pytest.fixture(scope="module")
def lpscl_graphite():
    return simulate(_example4_with("Li6PS5Cl"), cycles=20, contact_loss=False)


def test_nmc111_lpscl_graphite_keeps_90pct_at_cycle_20(lpscl_graphite):
    # Issue 9 acceptance: an NMC|Li6PS5Cl|graphite cell without contact loss keeps >= 90 % of its cycle-1
    # discharge capacity at cycle 20 (sulfide graphite cells reach > 90 %; the parabolic law kept 76 %).
    r = lpscl_graphite
    assert len(r.cycles) == 20
    assert r.cycles["retention"].iloc[-1] >= 0.90
    # the interphase is what the cell loses here (contact loss is off): it grows every cycle
    sei = [_sei_mAh(r, c) for c in (1, 10, 20)]
    assert 0.0 < sei[0] < sei[1] < sei[2]


def test_interphase_passivates(lpscl_graphite):
    # Hand calculation: a tunnelling-limited film grows as L = lambda ln(1 + t / tau), so from cycle 10 to 20 (time
    # x 2) it adds ~lambda ln 2, from cycle 1 to 10 (x 10) ~lambda ln 10: ratio ln 2 / ln 10 = 0.30. A parabolic
    # film (L ~ sqrt t) gives (sqrt 20 - sqrt 10) / (sqrt 10 - 1) = 0.61, a linear one 10 / 9 = 1.1.
    s1, s10, s20 = (_sei_mAh(lpscl_graphite, c) for c in (1, 10, 20))
    assert (s20 - s10) / (s10 - s1) < 0.5


def test_graphite_first_cycle_loss_matches_its_calibration_target():
    # calibration 'graphite-first-cycle-loss' (sim/data/calibration.toml): 7 % of the first lithiation of graphite,
    # Novak et al., J. Power Sources 97-98 (2001) 39; the fit's bisection stops within 0.1 % of it, the shipped
    # value is rounded to 4 digits: 0.5 point is the margin.
    from solidstack.sim.sei import first_cycle_loss

    rec = {r["name"]: r for r in tomllib.loads((data_dir() / "calibration.toml").read_text())["constant"]}
    assert rec["graphite-first-cycle-loss"]["target"] == 0.07
    frac, _ = first_cycle_loss()
    assert frac == pytest.approx(0.07, abs=0.005)


def test_graphite_loss_forms_before_its_staging_plateaus():
    # Fong, von Sacken, Dahn, J. Electrochem. Soc. 137 (1990) 2009: graphite's irreversible capacity is consumed in
    # the first lithiation before Li intercalates (a plateau near 0.8 V in carbonate electrolytes); a sulfide SE is
    # reduced from 1.71 V. So more than half of the first-lithiation loss has formed before the graphite's OCP
    # reaches its staging plateaus (0.25 V; graphite OCP table, Ohzuku 1993: 0.21, 0.12, 0.09 V).
    import numpy as np

    from solidstack.sim.sei import SEI_LOSS, half_cell_stack

    r = simulate(half_cell_stack(), cycles=1, contact_loss=False)
    charge = r.solution.cycles[0].steps[0]
    loss = charge[SEI_LOSS].entries
    ocp = charge["X-averaged negative electrode open-circuit potential [V]"].entries
    assert ocp[0] > 0.25 > ocp[-1]
    before = float(np.interp(0.25, ocp[::-1], loss[::-1]))
    assert before > 0.5 * loss[-1]


def test_in_li_lpscl_interphase_stays_small():
    # Doux et al., Adv. Energy Mater. 10 (2020) 1903253 (Fig. 1): a Li-In | Li6PS5Cl | NCA cell has a first-cycle
    # coulombic efficiency of 66.5 % (cathode and anode losses together) and > 99 % in later cycles. So the In-Li
    # interphase can take at most 33.5 % of the first charge and < 1 % of each later cycle's charge. (The
    # electron-migration law used before took 26 % of an In/InLi anode's first charge.)
    in_li = {"type": "anode", "thickness": "30 um", "porosity": 0, "active": {"material": "In", "fraction": 1},
             "initial_x": 0.5}
    r = simulate(_metal_cell(in_li, cut=(2.4, 3.7)), contact_loss=False)
    q1 = float(r.cycles["charge_capacity_mAh"].iloc[0])
    assert _sei_mAh(r, 1) < 0.335 * q1
    for c in (2, 3):
        q = float(r.cycles["charge_capacity_mAh"].iloc[c - 1])
        assert _sei_mAh(r, c) - _sei_mAh(r, c - 1) < 0.01 * q


def test_li_metal_lpscl_interphase_stays_small():
    # Doux et al. 2020 (Fig. 2c, 3b): Li | Li6PS5Cl | NCA at 5 MPa has a first-cycle coulombic efficiency of 69 %
    # and an average of 98.86 % over 229 cycles. So a planar Li anode's interphase takes at most 31 % of the first
    # charge and, after it, < 1.14 % of a cycle's charge. (The old law: 46 % of a Li anode's first charge.)
    li = {"type": "anode", "thickness": "20 um", "porosity": 0, "active": {"material": "Li", "fraction": 1}}
    r = simulate(_metal_cell(li), contact_loss=False)
    q1 = float(r.cycles["charge_capacity_mAh"].iloc[0])
    assert 0.0 < _sei_mAh(r, 1) < 0.31 * q1
    for c in (2, 3):
        q = float(r.cycles["charge_capacity_mAh"].iloc[c - 1])
        assert _sei_mAh(r, c) - _sei_mAh(r, c - 1) < 0.0114 * q


def test_rate_follows_the_host_potential():
    # The law's potential factor, by hand: exp(-alpha F (dphi - U_red) / RT) with alpha = 0.5 at 25 degC gives a
    # bare-surface rate 10x lower per 118 mV; In/InLi at 0.62 V against a graphite surface near 0.1 V: 4e-5.
    se = default_catalog().electrolyte("Li6PS5Cl")
    hosts = find_hosts(_example4_with("Li6PS5Cl", metal_layers=False)).anode
    pair = pair_constants(hosts[0], se)
    assert pair is not None and pair.u_red == pytest.approx(1.71)
    ratio = math.exp(-pair.transfer_coefficient * F * (0.62 - 0.10) / (R * T))
    assert ratio == pytest.approx(4.0e-5, rel=0.05)
    assert 0.115 < R * T * math.log(10) / (pair.transfer_coefficient * F) < 0.121


def test_no_interphase_states_where_the_physics_cannot_act():
    # A host whose lowest potential is at or above its SE's reduction limit, or an SE without a known limit,
    # carries no interphase states: Li4Ti5O12 (1.50-1.60 V) against LLZO (limit 0.05 V, Zhu et al. 2015); graphite
    # against Li3InCl6 (no limit in the knowledge base). Graphite against Li6PS5Cl (1.71 V) does.
    lto = {"type": "anode", "areal_loading": "10 mg/cm2", "porosity": 0.2, "active": {"material": "Li4Ti5O12", "fraction": 0.6},
           "electrolyte": {"material": "LLZO", "fraction": 0.37}, "additive": {"material": "VGCF", "fraction": 0.03}}
    cell = _metal_cell(lto, se="LLZO", cut=(1.0, 2.9))
    assert reducing_electrolyte(cell).key == "LLZO"
    assert interphase_phases(cell, find_hosts(cell)) == (False,)
    graphite_lic = _example4_with("Li3InCl6")
    assert interphase_phases(graphite_lic, find_hosts(graphite_lic)) == (False,)
    graphite_lpscl = _example4_with("Li6PS5Cl")
    assert interphase_phases(graphite_lpscl, find_hosts(graphite_lpscl)) == (True,)
    # the model without the interphase has fewer states, per phase: two on a phase whose particles can be stranded
    # (PyBaMM's SEI concentration, the film's content, and its thickness on the contacted particles,
    # interphase.ContactedFilmGrowth), one on a foil phase (never stranded: PyBaMM's thickness is exact there)
    with_sei = build_model("SPMe", {"anode": 2, "cathode": 1, "sei": (True, True)})
    one_sei = build_model("SPMe", {"anode": 2, "cathode": 1, "sei": (True, False)})
    no_sei = build_model("SPMe", {"anode": 1, "cathode": 1, "sei": (False,)})
    some_sei = build_model("SPMe", {"anode": 1, "cathode": 1, "sei": (True,)})
    assert len(one_sei.rhs) == len(with_sei.rhs) - 1  # the foil phase's film: its content only
    assert len(no_sei.rhs) == len(some_sei.rhs) - 2  # the composite's film: content and contacted thickness
    no_contact = build_model("SPMe", {"anode": 1, "cathode": 1, "sei": (True,)}, contact_sides=("cathode",))
    # no contact-loss states on the anode (its active fraction and the Li lost with it) and no contacted thickness
    assert len(no_contact.rhs) == len(some_sei.rhs) - 3
    # a run without interphase states still reports the (zero) interphase loss columns
    r = simulate(cell, cycles=1, contact_loss=False)
    assert r.cycles["loss_sei_anode_Li4Ti5O12_mAh"].iloc[0] == 0.0


def test_an_se_family_without_its_own_constants_is_flagged():
    # LLZO (oxide) has no [family.oxide] table: Li metal against it uses the assumed [family.default] constants,
    # and the run says so among its data gaps
    li = {"type": "anode", "thickness": "20 um", "porosity": 0, "active": {"material": "Li", "fraction": 1}}
    cell = _metal_cell(li, se="LLZO", cathode_se="Li6PS5Cl")
    pair = pair_constants(find_hosts(cell).anode[0], default_catalog().electrolyte("LLZO"))
    assert pair is not None and pair.assumed and pair.family == "oxide" and pair.u_red == pytest.approx(0.05)
    sulfide = pair_constants(find_hosts(cell).anode[0], default_catalog().electrolyte("Li6PS5Cl"))
    assert sulfide is not None and not sulfide.assumed
    r = simulate(cell, cycles=1, contact_loss=False)
    assert any("LLZO (oxide): no sourced SE-reduction kinetics" in n for n in r.notes)


def test_pair_override_applies_to_its_pair_only(tmp_path):
    # a [[pair]] entry of sei.toml replaces its SE family's constants for that host material only
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    text = (folder / "sei.toml").read_text().replace(
        "pair = []", '[[pair]]\nhost = "graphite"\nelectrolyte = "sulfide"\ntunnelling_length_m = 1.0e-9\n'
                     'basis = "test"\nsources = []', 1)
    (folder / "sei.toml").write_text(text)
    c, shipped = SimConstants.load(folder), SimConstants.load()
    se = default_catalog().electrolyte("Li6PS5Cl")
    graphite = find_hosts(_example4_with("Li6PS5Cl"), constants=c).anode[0]
    in_li = find_hosts(_metal_cell({"type": "anode", "thickness": "30 um", "porosity": 0, "initial_x": 0.5,
                                    "active": {"material": "In", "fraction": 1}}), constants=c).anode[0]
    assert pair_constants(graphite, se, c).tunnelling_length == 1.0e-9
    assert pair_constants(graphite, se, c).table == "pair graphite|sulfide"
    assert pair_constants(in_li, se, c).tunnelling_length == pair_constants(in_li, se, shipped).tunnelling_length
    assert pair_constants(in_li, se, c).table == "family.sulfide"


def test_every_interphase_constant_has_a_basis_and_resolving_sources():
    sei = tomllib.loads((data_dir() / "sei.toml").read_text())
    refs = default_catalog().references
    tables = [sei["interphase"], sei["law"], *sei["family"].values(), *sei["pair"]]
    for table in tables:
        assert all(k in refs for k in table.get("sources", [])), table.get("sources")
        for key, value in table.items():
            if isinstance(value, float) and key != "same_as":
                stem = key.rsplit("_", 2)[0] if key.endswith(("_m", "_A_m2", "_J_mol", "_m3_mol")) else key
                assert any(k.endswith("_basis") and k.startswith(stem.split("_")[0]) for k in table), key


def test_tunnelling_rate_is_the_law_by_hand():
    # The rate the model integrates (BoundedTunnellingSEI) against the law written out here, at every node and
    # solver point of Example 1's first cycle (graphite and the Li foil, both against the patent's sulfide glass):
    #   j = -k exp(-alpha F (max(dphi, 0) - U_red) / RT) exp(-L / lambda)
    # with k, U_red, lambda, alpha the pair's constants (sei.toml, calibration.toml) and dphi, L the model's own
    # surface potential difference and film thickness there. The points include dphi < 0 (the foil plating at the
    # end of charge), where the rate is held at its 0 V value.
    stack = resolve("example-1")
    r = simulate(stack, cycles=1)
    sol = r.solution
    pairs = [pair_constants(h, reducing_electrolyte(stack)) for h in find_hosts(stack).anode]
    assert [p.host for p in pairs if p is not None] == ["graphite", "Li"]
    dphi = sol["Negative electrode surface potential difference [V]"].entries
    assert (dphi < 0).any() and (dphi > 0.5).any()
    for phase, p in zip(("primary", "secondary"), pairs, strict=True):
        assert p is not None
        L = sol[f"Negative {phase} SEI thickness [m]"].entries
        j = sol[f"Negative electrode {phase} SEI interfacial current density [A.m-2]"].entries
        eta = (dphi.clip(min=0.0) - p.u_red) * p.transfer_coefficient * F / (R * T)
        hand = -p.rate_constant * np.exp(-eta) * np.exp(-L / p.tunnelling_length)
        np.testing.assert_allclose(j, hand, rtol=1e-8)
        assert L.max() > 5 * p.tunnelling_length  # the film's own factor matters (> e^-5) at these points
