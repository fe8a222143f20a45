"""The patent presets: they validate, round-trip, and hold the patent's numbers (paragraphs cited)."""

import pytest

from solidstack.stack import Stack, load_preset, preset_names
from solidstack.stack.layers import MetalLayer

EXAMPLES = ["example-1", "example-2", "example-3", "reference", "example-4", "comparative"]
FIGURES = [f"fig-{i}" for i in range(1, 7)]


def test_all_presets_listed():
    assert set(preset_names()) == set(EXAMPLES + FIGURES)


@pytest.mark.parametrize("name", EXAMPLES + FIGURES)
@pytest.mark.parametrize("suffix", [".toml", ".yaml", ".json"])
def test_round_trip(tmp_path, name, suffix):
    stack = load_preset(name)
    path = stack.to_file(tmp_path / f"cell{suffix}")
    again = Stack.from_file(path)
    assert again == stack
    assert again.to_dict() == stack.to_dict()
    # writing the re-read stack gives the same bytes: nothing is lost or reformatted
    assert again.to_file(tmp_path / f"again{suffix}").read_text() == path.read_text()


def test_all_patent_presets_share_the_assumed_area():
    assert {load_preset(n).area.si for n in EXAMPLES + FIGURES} == {1e-4}


def test_area_override_changes_areal_figures():
    small = load_preset("example-1", area="0.5 cm2")
    big = load_preset("example-1")
    # same masses ([0095]) on half the area: twice the areal capacity
    assert small.cathode_capacity_mAh == pytest.approx(big.cathode_capacity_mAh)
    assert small.cathode_capacity_mAh_cm2 == pytest.approx(2 * big.cathode_capacity_mAh_cm2)


def _metal(stack, side):
    return [(la.material, la.thickness.to("um")) for la in (stack.anode_side if side == "anode" else stack.cathode_side)]


def test_example_structures_match_patent():
    # [0095] Ex. 1: anode side Li foil, cathode side In foil; [0093] Li 250 um, In 100 um
    assert _metal(load_preset("example-1"), "anode") == [("Li", 250.0)]
    assert _metal(load_preset("example-1"), "cathode") == [("In", 100.0)]
    # [0096] Ex. 2: Li foil on both sides
    assert _metal(load_preset("example-2"), "cathode") == [("Li", 250.0)]
    # [0098] Ex. 3 and [0099] Reference: In foil on both sides
    for name in ("example-3", "reference", "comparative"):
        s = load_preset(name)
        assert _metal(s, "anode") == [("In", 100.0)] and _metal(s, "cathode") == [("In", 100.0)]
    # [0112]-[0115] Ex. 4: collector / In (100 um) / Cu (15 um) / anode
    s = load_preset("example-4")
    assert _metal(s, "anode") == [("In", 100.0), ("Cu", 15.0)]
    assert [s.role_of(la) for la in s.anode_side] == ["ductile", "inert"]


@pytest.mark.parametrize("name", ["example-1", "example-2", "reference", "example-4", "comparative"])
def test_graphite_cells_amounts(name):
    s = load_preset(name)
    # [0095]/[0115]: 80 mg SE at 98 MPa, 17.8 mg cathode mixture at 98 MPa, 15.0 mg anode mixture at 392 MPa
    assert s.separator.mass.to("mg") == 80.0 and s.separator.pressing_pressure.to("MPa") == 98.0
    assert s.cathode.mass.to("mg") == pytest.approx(17.8) and s.cathode.pressing_pressure.to("MPa") == 98.0
    assert s.anode.mass.to("mg") == pytest.approx(15.0) and s.anode.pressing_pressure.to("MPa") == 392.0
    # [0089]: 73 : 24 : 3 (coated NMC111 : SE : VGCF); [0090]: graphite : SE = 50 : 50
    assert (s.cathode.active.fraction, s.cathode.electrolyte.fraction, s.cathode.additive.fraction) == (0.73, 0.24, 0.03)
    assert s.cathode.active.material == "NMC111" and s.cathode.additive.material == "VGCF"
    assert (s.anode.active.material, s.anode.active.fraction, s.anode.electrolyte.fraction) == ("graphite", 0.5, 0.5)
    # [0088]: LiNbO3 coat, 10 nm
    assert s.cathode.coating.material == "LiNbO3" and s.cathode.coating.thickness.to("nm") == pytest.approx(10.0)


def test_example3_amounts():
    s = load_preset("example-3")
    # [0097]: LTO : SE : acetylene black = 27 : 64 : 9; [0098]: 25 mg anode, 12 mg cathode
    a = s.anode
    assert (a.active.material, a.active.fraction, a.electrolyte.fraction, a.additive.fraction) == ("Li4Ti5O12", 0.27, 0.64, 0.09)
    assert a.additive.material == "acetylene_black"
    assert a.mass.to("mg") == 25.0 and s.cathode.mass.to("mg") == 12.0


@pytest.mark.parametrize(
    ("name", "current", "lo", "hi"),
    [
        ("example-1", 0.2, 3.0, 4.37),  # Table 1 [0101]
        ("example-2", 0.2, 3.0, 4.1),
        ("example-3", 0.1, 1.5, 2.6),
        ("reference", 0.2, 3.0, 4.1),
        ("example-4", 0.2, 3.0, 4.37),  # [0118]; current as Example 1 (assumption)
        ("comparative", 0.2, 3.0, 4.1),
    ],
)
def test_cycling_conditions(name, current, lo, hi):
    c = load_preset(name).cycling
    assert c.current_density.to("mA/cm2") == pytest.approx(current)
    assert (c.lower_cutoff.si, c.upper_cutoff.si) == (lo, hi)
    assert load_preset(name).temperature.to("degC") == pytest.approx(25.0)  # [0101], [0118]
    assert load_preset(name).stack_pressure.si == 0.0  # "pressurization ... was not carried out at all"


@pytest.mark.parametrize(
    ("name", "anode_side", "cathode_side"),
    [
        ("fig-1", ["Li"], ["In"]),  # [0033]
        ("fig-2", ["Li"], []),  # [0042]
        ("fig-3", [], ["In"]),  # [0044]
        ("fig-4", ["In", "Cu"], ["In"]),  # [0065]
        ("fig-5", ["Li"], ["In", "Cu"]),  # [0074]: cathode / Cu (inert) / In / collector
        ("fig-6", ["In", "Cu"], ["In", "Cu"]),  # [0078]
    ],
)
def test_figure_structures(name, anode_side, cathode_side):
    s = load_preset(name)
    assert [m for m, _ in _metal(s, "anode")] == anode_side
    assert [m for m, _ in _metal(s, "cathode")] == cathode_side
    roles = [s.role_of(la) for la in s.anode_side + s.cathode_side]
    assert roles.count("inert") == sum(len(x) - 1 for x in (anode_side, cathode_side) if x)
    assert all(isinstance(la, MetalLayer) for la in s.interlayers)


def test_interlayer_cost_is_visible():
    # Example 1: 250 um Li + 100 um In. Hand calculation on 1 cm2:
    # Li 0.0250 cm3 x 0.534 g/cm3 = 13.35 mg; In 0.0100 cm3 x 7.31 g/cm3 = 73.1 mg  (densities: CRC Handbook)
    s = load_preset("example-1")
    li, inn = s.anode_side[0], s.cathode_side[0]
    assert s.layer_mass_kg(li) * 1e6 == pytest.approx(13.35, rel=0.01)
    assert s.layer_mass_kg(inn) * 1e6 == pytest.approx(73.1, rel=0.01)
    share = (s.layer_mass_kg(li) + s.layer_mass_kg(inn)) / s.mass_kg
    assert s.interlayer_mass_share == pytest.approx(share)
    assert s.interlayer_mass_share > 0.2  # the foils are a large part of this lab cell


def test_defaults_are_quantities(example1_dict):
    # temperature and stack pressure may be left out: 25 degC and 0 MPa (unconstrained, as in the patent)
    d = dict(example1_dict)
    del d["temperature"], d["stack_pressure"]
    s = Stack.from_dict(d)
    assert s.temperature.si == pytest.approx(298.15) and s.stack_pressure.si == 0.0
