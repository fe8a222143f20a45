"""Cathode volume changes that the contact-loss law reads (actives.csv volume_change_pct; references/strain.toml;
README, "Cycling simulation", contact loss), each checked against the source's numbers as written here."""

import pytest

from solidstack.materials.catalog import default_catalog
from solidstack.sim import simulate
from solidstack.sim.calibration import literature_stack
from solidstack.stack import Stack

DOUX = "doux2020-li-lpscl-nca-stack-pressure"


def _interp(x: float, p0: tuple[float, float], p1: tuple[float, float]) -> float:
    (x0, y0), (x1, y1) = p0, p1
    return y0 + (x - x0) / (x1 - x0) * (y1 - y0)


def test_nca_volume_change_is_the_koerver_curve_over_the_knowledge_base_window():
    # Source, read: COMSOL 6.2 Battery material library, 'NCA, LiNi0.8Co0.15Al0.05O2 (Positive, Li-ion Battery)',
    # 'Intercalation strain' dVOLdSOL (volume change in % against c/c_max), digitised from Koerver et al., Energy
    # Environ. Sci. 11 (2018) 2142; read in the public export jwt625/comsol-mph-extraction,
    # mphs/Battery_Design_Module_Batteries,_Lithium-Ion_li_battery_multiple_materials_1d/li_battery_multiple_materials_1d.m.
    # Its two points around x = 0.37 and its discharged end:
    below, above, discharged_end = (0.38341264, -1.35949099), (0.34942216, -1.63096501), (0.88783141, -0.03605514)
    # The knowledge base's NCA window is Kim 2011's OCP table (ocp/NCA_Li.csv), x 0.370214 (4.21 V) -> 0.9934.
    cat = default_catalog()
    nca = cat.active("NCA", "Li")
    assert nca.ocp is not None
    assert min(nca.ocp.x) == pytest.approx(0.370214, abs=1e-6)
    by_hand = _interp(0.370214, below, above) - 0.0  # ~0 at the discharged end: |-0.036| < 0.05
    assert abs(discharged_end[1]) < 0.05
    assert by_hand == pytest.approx(-1.465, abs=0.002)
    assert nca.volume_change_pct is not None
    assert nca.volume_change_pct == pytest.approx(by_hand, abs=0.05)  # stored rounded: -1.5
    assert nca.volume_change_pct < 0  # NCA shrinks on charge
    assert "strain_koerver2018_nca" in [r.key for r in nca.sources["volume"]]


def test_every_cathode_volume_change_has_a_source():
    # The contact law turns each cathode's volume change into its strain per Li; a stored value must name its source
    # (the catalog already refuses a value without one) and NCA, the gap this file fills, is no longer empty.
    cat = default_catalog()
    cathodes = cat.actives(role="cathode")
    assert any(m.key == "NCA" for m in cathodes)
    for m in cathodes:
        if m.volume_change_pct is not None:
            assert m.sources.get("volume"), m.key
    assert next(m for m in cathodes if m.key == "NCA").volume_change_pct is not None


def _at(stack: Stack, pressure: str) -> Stack:
    data = stack.to_dict()
    data["stack_pressure"] = pressure
    return Stack.from_dict(data)


@pytest.fixture(scope="module")
def doux_runs():
    # Doux 2020's Li | Li6PS5Cl | NCA cell as the literature suite builds it (its stated assumptions in its stack
    # file), 5 cycles at its own 5 MPa and at 50 MPa
    base = literature_stack(DOUX, "li-5MPa")
    return {p: simulate(_at(base, p), cycles=5).cycles for p in ("5 MPa", "50 MPa")}


def test_li_lpscl_nca_cell_loses_cathode_contact_at_5_mpa(doux_runs):
    # With NCA's volume change (-1.5 % over its window) the cathode face moves on every half cycle, and 5 MPa does
    # not hold all of it closed (Doux 2020's cell fades, 80.9 % at cycle 100); with no volume change (the gap
    # before) the contact fraction stayed exactly 1.
    t = doux_runs["5 MPa"]
    assert t["contact_fraction_cathode"].iloc[-1] < 1.0
    assert t["contact_fraction_cathode"].is_monotonic_decreasing


def test_li_lpscl_nca_cell_keeps_more_contact_at_50_than_at_5_mpa(doux_runs):
    low, high = doux_runs["5 MPa"], doux_runs["50 MPa"]
    assert high["contact_fraction_cathode"].iloc[-1] > low["contact_fraction_cathode"].iloc[-1]
    assert high["discharge_capacity_mAh"].iloc[-1] > low["discharge_capacity_mAh"].iloc[-1]
