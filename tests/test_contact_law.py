"""The displacement-based contact law (issue 9, item 2; README, "Cycling simulation", contact loss), each test
against an independent number or a physical statement written out.

    df/dt = -K u' (f - f_p),   u' = face displacement rate,   K = s / lambda,   s = u_c / (u_c + delta_d),
    f_p = p / (p + p_h)
"""

import pytest

from solidstack.sim import simulate
from solidstack.sim.calibration import literature_stack
from solidstack.sim.hosts import find_hosts
from solidstack.sim.parameters import strandable
from solidstack.sim.run import cycle_displacement_m, pressure_held_fraction, unaccommodated_share
from solidstack.stack import Stack, resolve

ZHOU = "zhou2025-ncm811-lpscl-li-pressure-microstructure"
MAH_TO_MOL = 3.6 / 96485.33212


def _with(stack: Stack, **changes) -> Stack:
    data = stack.to_dict()
    data.update(changes)
    return Stack.from_dict(data)


def _with_layer_thickness(stack: Stack, material: str, thickness: str) -> Stack:
    data = stack.to_dict()
    for layer in data["layers"]:
        if layer.get("type") == "metal" and layer.get("material") == material:
            layer["thickness"] = thickness
    return Stack.from_dict(data)


# ------------------------------------------------------------------------------ the face's displacement
def test_graphite_face_moves_by_its_volume_change_times_the_graphite_thickness():
    # Hand calculation, from the knowledge base's capacity and volume change (not the code's Omega): graphite holds
    # 350 mAh/g at 2.27 g/cm3, i.e. 794.5 mAh per cm3, and swells by 10 % (Ohzuku 1993, LiC6). One half cycle of the
    # cell's limiting capacity Q fills Q / 794.5 cm3 of graphite per cm2 of face, whose face then moves by 10 % of
    # that thickness (a laterally confined pellet takes its volume change in its thickness).
    stack = resolve("example-4")
    q = stack.limiting_capacity_mAh / (stack.area_m2 * 1e4)  # mAh/cm2
    expected_m = 0.10 * q / (350 * 2.27) * 1e-2
    assert cycle_displacement_m(stack, find_hosts(stack), "anode") == pytest.approx(expected_m, rel=0.02)


def test_indium_foil_own_thickness_change_is_its_alloying_swell():
    # In -> LiIn swells by 57 % (reactions.csv: 9.0 cm3/mol of Li over V_m(In) = 15.76 cm3/mol); In holds 233 mAh/g
    # at 7.31 g/cm3, 1703 mAh per cm3 of foil. The Reference's In foil strains more per ion than its graphite
    # (9.0 against 3.4 cm3/mol), so the face in front of it moves by 57 % of the In converted per half cycle.
    stack = resolve("reference")
    q = stack.limiting_capacity_mAh / (stack.area_m2 * 1e4)
    expected_m = 0.57 * q / (233 * 7.31) * 1e-2
    assert cycle_displacement_m(stack, find_hosts(stack), "anode") == pytest.approx(expected_m, rel=0.02)


def test_ductile_share_follows_elongation_times_thickness():
    # Patent [0019]/[0038]: In foil, elongation 22 %; 100 um of it accommodates 22 um of displacement. The share the
    # cathode's face is left with is u_c / (u_c + 22 um).
    stack = resolve("example-4")
    hosts = find_hosts(stack)
    u = cycle_displacement_m(stack, hosts, "cathode")
    assert hosts.ductile_accommodation_m["cathode"] == pytest.approx(0.22 * 100e-6)
    assert unaccommodated_share(stack, hosts, "cathode") == pytest.approx(u / (u + 22e-6))
    # a reacting alloy foil is being converted: it accommodates nothing (the Reference's anode side, SUS behind it)
    ref = resolve("reference")
    assert unaccommodated_share(ref, find_hosts(ref), "anode") == 1.0


def test_thicker_ductile_foil_keeps_more_contact():
    # Patent [0019]: the thicker the ductile layer, the more displacement it accommodates. Example 4's Cu foil
    # (45 % elongation) at 5 um and at 50 um, 0 MPa: the thicker one keeps more of the graphite composite's contact
    # and more capacity, strictly.
    base = resolve("example-4")
    thin = simulate(_with_layer_thickness(base, "Cu", "5 um"), cycles=3)
    thick = simulate(_with_layer_thickness(base, "Cu", "50 um"), cycles=3)
    assert thick.cycles["contact_fraction_anode"].iloc[-1] > thin.cycles["contact_fraction_anode"].iloc[-1]
    assert thick.cycles["discharge_capacity_mAh"].iloc[-1] > thin.cycles["discharge_capacity_mAh"].iloc[-1]


# ------------------------------------------------------------------------------ what can be stranded
def test_strandable_is_composite_material_only():
    kinds = {}
    for preset in ("reference", "example-1", "example-4"):
        for h in find_hosts(resolve(preset)).all:
            kinds[(h.kind, h.label)] = strandable(h)
    assert kinds[("foil", "In foil")] is False and kinds[("foil", "Li foil")] is False
    assert kinds[("active", "graphite")] is True and kinds[("active", "NMC111")] is True


def _cu_backed_li() -> Stack:
    """Example 1 with a 10 um Cu foil between the SUS collector and the Li foil."""
    data = resolve("example-1").to_dict()
    i = next(i for i, la in enumerate(data["layers"]) if la.get("material") == "Li")
    data["layers"].insert(i, {"type": "metal", "material": "Cu", "thickness": "10 um"})
    return Stack.from_dict(data)


@pytest.mark.parametrize("stack", ["reference", "example-1", "cu-backed-li", "zhou-planar-li"])
def test_no_metal_foil_is_ever_stranded(stack):
    # In (Reference: it reacts with Li next to graphite), Li (Example 1), a Cu-backed Li foil and a planar Li metal
    # anode (Zhou 2025's cell): a continuous metal layer on its collector keeps every ion it holds.
    s = {"zhou-planar-li": lambda: literature_stack(ZHOU, "coarse-30MPa"),
         "cu-backed-li": _cu_backed_li}.get(stack, lambda: resolve(stack))()
    r = simulate(s, cycles=3 if stack != "zhou-planar-li" else 2)
    t = r.cycles
    metals = [(side, h) for side in ("anode", "cathode") for h in r.hosts.side(side) if h.kind != "active"]
    assert metals, "the stack has a metal host"
    for side, h in metals:
        col = f"{side}_{h.label.replace(' ', '_')}_stranded_mAh"
        assert (t[col].abs() < 1e-9).all(), (stack, col, t[col].tolist())
    if stack == "reference":
        # the In foil's reaction strains the graphite composite in front of it, which loses contact (and the foil's
        # reacting face with it): the law still acts
        assert t["contact_fraction_anode"].iloc[-1] < 0.5
        # the Li left in the foil at the cut-off is held by it (it can come back), not counted stranded
        assert (t["anode_In_foil_held_mAh"] > 0.0).all()


# ------------------------------------------------------------------------------ pressure and saturation
@pytest.fixture(scope="module")
def zhou_50mpa():
    return simulate(_with(literature_stack(ZHOU, "coarse-30MPa"), stack_pressure="50 MPa"), cycles=100,
                    save_at_cycles=[1])


def test_contact_at_50_mpa_keeps_at_least_the_published_30_mpa_retention(zhou_50mpa):
    # Zhou 2025 (ACS Energy Lett. 10, 966; Fig. 2c, grade B): the coarse-LPSC Li | NCM811 cell keeps 84.0 % at cycle
    # 100 at 30 MPa. Read as a lower bound for 50 MPa: more stack pressure holds at least as much of the face closed.
    # The law's pressure constant is fitted on the same series' 10 MPa point (74.3 %), not on this one.
    t = zhou_50mpa.cycles
    assert t.loc[t["cycle"] == 100, "contact_fraction_cathode"].iloc[0] >= 0.840
    assert t.loc[t["cycle"] == 100, "retention"].iloc[0] >= 0.840


def test_contact_loss_levels_off(zhou_50mpa):
    # Saturation: the face never loses more than what stack pressure cannot hold, f >= f_p = p / (p + p_h), and the
    # loss has levelled off -- cycles 51-100 lose less than a tenth of what cycles 1-50 lost.
    t = zhou_50mpa.cycles.set_index("cycle")["contact_fraction_cathode"]
    f_p = pressure_held_fraction(_with(literature_stack(ZHOU, "coarse-30MPa"), stack_pressure="50 MPa"))
    assert t.min() >= f_p - 1e-6
    assert t[50] - t[100] < 0.1 * (1.0 - t[50])
    assert t[100] < 1.0  # it was lost, not switched off


def test_high_pressure_keeps_more_than_no_pressure():
    # Doux 2020 (Adv. Energy Mater. 10, 1903253): stack pressure keeps solid-state interfaces in contact. The same
    # Example 4 cell at 0 and at 50 MPa: 50 MPa keeps more contact on both faces and more capacity.
    base = resolve("example-4")
    free = simulate(_with(base, stack_pressure="0 MPa"), cycles=3).cycles
    pressed = simulate(_with(base, stack_pressure="50 MPa"), cycles=3).cycles
    for col in ("contact_fraction_anode", "contact_fraction_cathode", "discharge_capacity_mAh"):
        assert pressed[col].iloc[-1] > free[col].iloc[-1], col
