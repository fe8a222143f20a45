"""A ``primer`` layer (a thin coating on a current collector, e.g. ~1 um carbon on Al): counted in the stack's mass
and thickness (hand-computed below), electrochemically inert in the simulation, and refused with one located line
where it cannot be."""

from __future__ import annotations

import pytest

from _stacks import graphite_nmc111_cell, validate_exits_2
from solidstack.metrics import breakdown
from solidstack.sim import simulate
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PRIMER = {"type": "primer", "material": "carbon_black", "thickness": "1 um"}


def _data(*, cathode_primer: dict | None = None, anode_primer: dict | None = None) -> dict:
    """The graphite | Li6PS5Cl | NMC111 test cell on 1 cm2 (tests/_stacks.py) with Cu (10 um) and Al (15 um)
    collectors, a primer given next to either."""
    data = graphite_nmc111_cell("primer test cell", anode_collector={"material": "Cu"},
                                cathode_collector={"material": "Al", "thickness": "15 um"})
    layers = data["layers"]
    if cathode_primer:
        layers.insert(len(layers) - 1, cathode_primer)
    if anode_primer:
        layers.insert(1, anode_primer)
    return data


def test_primer_mass_and_thickness_by_hand():
    # 1 um of carbon black (1.9 g/cm3, auxiliaries.csv, Donnet 1993) on 1 cm2: 1e-4 cm x 1 cm2 x 1.9 g/cm3 = 0.19 mg
    bare, primed = Stack.from_dict(_data()), Stack.from_dict(_data(cathode_primer=PRIMER))
    assert (primed.mass_kg - bare.mass_kg) * 1e6 == pytest.approx(0.19, rel=1e-9)
    assert (primed.thickness_m - bare.thickness_m) * 1e6 == pytest.approx(1.0, rel=1e-9)
    # the nominal energy is the same (the primer stores nothing), so Wh/kg and Wh/L fall by the mass and volume ratios
    assert primed.nominal_energy_mWh == bare.nominal_energy_mWh
    assert primed.specific_energy_Wh_kg == pytest.approx(bare.specific_energy_Wh_kg * bare.mass_kg / primed.mass_kg)
    assert primed.energy_density_Wh_L == pytest.approx(bare.energy_density_Wh_L * bare.thickness_m / primed.thickness_m)
    b = breakdown(primed)
    row = b.layers[4]
    assert row.type == "primer" and row.role == "primer (cathode collector)" and row.mass_mg == pytest.approx(0.19)
    assert sum(la.mass_mg for la in b.layers) == pytest.approx(b.mass_mg)


def test_primer_coat_weight_and_graphite():
    # a coat weight given is the mass: 0.05 mg/cm2 on 1 cm2 = 0.05 mg; graphite 1 um: 1e-4 cm x 2.27 g/cm3 = 0.227 mg
    coat = Stack.from_dict(_data(cathode_primer={**PRIMER, "areal_loading": "0.05 mg/cm2"}))
    assert coat.primers[0].mass_kg(coat.area_m2) * 1e6 == pytest.approx(0.05)
    gr = Stack.from_dict(_data(anode_primer={"type": "primer", "material": "graphite", "thickness": "1 um"}))
    assert gr.primers[0].mass_kg(gr.area_m2) * 1e6 == pytest.approx(0.227)
    assert breakdown(gr).layers[1].role == "primer (anode collector)"
    assert Stack.from_dict(gr.to_dict()).layers[1].type == "primer"  # round trip


def test_primer_is_electrochemically_inert():
    """No host, no contact-loss or interface effect besides its collector contact resistance (sim/collector.py):
    with the surfaces' contact resistances set to 0 the cycling of a primed cell equals the bare cell's to the digit;
    with the shipped ones the primer's lower resistance (9.84 against bare Al's 24.34 ohm cm2 at 10 MPa) leaves a
    smaller ohmic drop, so the primed cell charges and discharges more to the same cut-offs."""
    from solidstack.sim.data_files import SimConstants

    kw = dict(cycles=2, current="C/5", window="3.0:4.2", model="SPM")
    no_r = (SimConstants.load().with_value("collector.toml", "surface.bare_Al.r_ref_ohm_cm2", 0.0)
            .with_value("collector.toml", "surface.primer_carbon_black.r_ref_ohm_cm2", 0.0))
    cols = ["charge_capacity_mAh", "discharge_capacity_mAh"]
    bare = simulate(Stack.from_dict(_data()), constants=no_r, **kw)
    primed = simulate(Stack.from_dict(_data(cathode_primer=PRIMER, anode_primer=PRIMER)), constants=no_r, **kw)
    assert primed.cycles[cols].to_numpy().tolist() == bare.cycles[cols].to_numpy().tolist()
    bare = simulate(Stack.from_dict(_data()), **kw)
    primed = simulate(Stack.from_dict(_data(cathode_primer=PRIMER, anode_primer=PRIMER)), **kw)
    assert (primed.cycles[cols].to_numpy() > bare.cycles[cols].to_numpy()).all()


# ----------------------------------------------------------------------------------------- bad input, exit 2
@pytest.mark.parametrize(
    ("data", "where", "needle"),
    [
        (_data(cathode_primer={**PRIMER, "material": "unobtainium"}), "layers[4].material", "unknown additive"),
        (_data(cathode_primer={**PRIMER, "thickness": "100 um"}), "layers[4].thickness", "implausibly large"),
        (_data(cathode_primer={**PRIMER, "thickness": "-1 um"}), "layers[4].thickness", "at least"),
        (_data(cathode_primer={**PRIMER, "thickness": 1}), "layers[4].thickness", "unit"),
        (_data(cathode_primer={**PRIMER, "porosity": 0.5}), "layers[4].porosity", "unknown field"),
    ],
)
def test_bad_primer_is_one_located_line_exit_2(tmp_path, data, where, needle):
    _exit_2(tmp_path, data, where, needle)


def test_primer_away_from_a_collector_is_refused(tmp_path):
    data = _data()
    data["layers"][1:1] = [{"type": "metal", "material": "In", "thickness": "50 um"}, PRIMER]  # on the foil, not the Cu
    _exit_2(tmp_path, data, "layers[2]", "a primer is a coating on a collector")


def _exit_2(tmp_path, data: dict, where: str, needle: str) -> None:
    import json

    path = tmp_path / "cell.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    validate_exits_2(path, where, needle)
