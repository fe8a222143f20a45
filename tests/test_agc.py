"""Lee 2020 Ag-C what-if (tests/data/agc): the Ag of the Ag-C layer written as a planar Li host whose reaction
steps alloy above 0 V and then plate at 0 V, from a user materials folder (nothing shipped changes).

The checks compare with hand numbers, not with the code's output:
- the 0.6 um Ag layer up to Li4Ag holds 0.6e-4 cm x 10.49 g/cm3 / 107.87 g/mol x 4 x 26801 mAh/mol = 0.6255
  mAh/cm2 (Li4Ag: Huang 2024, references/agc.toml agc_huang2024);
- with that alloy at 0.2 V, the cell voltage (U_cathode - U_anode) can only pass 3.5 V once the alloy is full and the
  anode drops to the 0 V plating step, unless the cathode alone is above 3.7 V before: the shipped expression (Li
  metal at 0 V) shows the cathode reaches 3.5 V cell voltage within a tenth of the alloy's capacity (0.063 mAh/cm2;
  0.051 since Lee's stack carries its 490 MPa fabrication pressure, which lowers the collector's IR drop), so the
  charge at 3.5 V is then set by the alloy: at least 0.9 times 0.6255 mAh/cm2, and at most the alloy's 0.6255 plus
  the charge the cathode alone needs to reach 3.5 V (the shipped expression's, measured in the same test: the
  cathode may still be short of it when the alloy is full).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import load_script

HERE = Path(__file__).parent / "data" / "agc"
Q_LI4AG_MAH_CM2 = 0.6e-4 * 10.49 / 107.87 * 4 * 26801.4  # 0.6255, written out above


def _whatif():
    return load_script(HERE / "whatif.py", "agc_whatif")


def _run(mod, as_host: bool, tmp_path: Path):
    from solidstack.materials import Catalog, use_catalog
    from solidstack.sim import simulate
    from solidstack.stack import Stack

    cat = Catalog()
    if as_host:
        import sys

        sys.path.insert(0, str(HERE))
        from make_materials import write

        cat = Catalog().with_user(write(tmp_path / "m", 0.2, 4.0, scale=0.6))
    with use_catalog(cat):
        stack = Stack.from_dict(mod.stack_data(as_host))
    return stack, simulate(stack, catalog=cat)


def test_ag_host_delays_3p5V_by_its_alloy_capacity(tmp_path: Path) -> None:
    assert Q_LI4AG_MAH_CM2 == pytest.approx(0.6255, abs=1e-3)
    mod = _whatif()
    stack, base = _run(mod, False, tmp_path)
    area = stack.area_m2 * 1e4
    q_cathode = mod.charge_at(base.timeseries, 3.5) / area
    assert q_cathode < 0.1 * Q_LI4AG_MAH_CM2
    stack, host = _run(mod, True, tmp_path)
    q = mod.charge_at(host.timeseries, 3.5) / area
    assert 0.9 * Q_LI4AG_MAH_CM2 <= q <= Q_LI4AG_MAH_CM2 + q_cathode


def test_ag_host_folder_holds_the_hand_capacity(tmp_path: Path) -> None:
    """The folder's steps on the 1 um stand-in layer hold the 0.6 um layer's Li: x_alloy x 0.6 Li per Ag."""
    import sys

    from solidstack.materials import Catalog

    sys.path.insert(0, str(HERE))
    from make_materials import write

    cat = Catalog().with_user(write(tmp_path / "m", 0.2, 4.0, scale=0.6))
    steps = cat.reactions("Ag", "Li").steps
    assert [s.potential_V for s in steps] == [0.2, 0.0]
    ag = cat.metal("Ag")
    mol_ag_cm2 = 1e-4 * ag.density_g_cm3 / ag.molar_mass_g_mol  # the 1 um stand-in
    assert mol_ag_cm2 * steps[0].x_to * 26801.4 == pytest.approx(Q_LI4AG_MAH_CM2, rel=0.01)
