"""The contact law's separation length c_lambda (contact.toml ``law.separation_radii``) in Shi et al. 2020's
In | 75Li2S-25P2S5 | NMC532 cell at ~2 MPa (J. Mater. Chem. A 8, 17399; references/shi2020.toml; tests/data/shi2020/):
an independent, contact-loss-driven fade (not a literature validation case, not the patent), tried in issue 9 as the
calibration of c_lambda in place of the patent's Comparative Example and not shipped (README, contact loss).

The published number: first discharge 129 mAh/g, ~1 mAh/g lost per cycle for 26 cycles, i.e. 102 / 129 = 0.791 kept
at cycle 26 (grade B). These tests record what the shipped law does with it: the measure is well-conditioned in
c_lambda (so the cell could calibrate it), and the value it wants is several times the shipped one, which is why
the patent's Comparative Example (first-cycle CE 52 %) still fits c_lambda."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import load_script
from solidstack.sim.data_files import SimConstants

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FADE_PY = Path(__file__).parent / "data" / "shi2020" / "fade.py"
SHI_RETENTION_26 = 102.0 / 129.0  # Shi 2020: 129 mAh/g first discharge, ~1 mAh/g per cycle for 26 cycles


def _fade():
    return load_script(FADE_PY, "shi2020_fade")


@pytest.fixture(scope="module")
def fade():
    return _fade()


@pytest.fixture(scope="module")
def retention(fade):
    base = SimConstants.load()
    return {c: fade.retention_26(base.with_value("contact.toml", "law.separation_radii", c)) for c in (0.41, 1.0, 10.0)}


def test_script_target_is_shis_number(fade):
    assert fade.SHI_RETENTION_26 == pytest.approx(SHI_RETENTION_26)
    assert SHI_RETENTION_26 == pytest.approx(0.791, abs=5e-4)


def test_retention_rises_with_the_separation_length(retention):
    # a longer separation length loses contact more slowly (df/du = -(f - f_p) / lambda): the cell keeps more
    assert retention[0.41] < retention[1.0] < retention[10.0]


def test_shis_number_is_bracketed_well_inside_the_scan(retention):
    # well-conditioned: Shi's 0.791 lies between the model at c_lambda = 1 and 10 (a decade), each side by > 0.05
    assert retention[1.0] < SHI_RETENTION_26 - 0.05
    assert retention[10.0] > SHI_RETENTION_26 + 0.05


def test_shipped_separation_length_fades_shis_cell_too_fast(retention):
    # the finding (README, contact loss): with the shipped c_lambda (fitted on the patent's Comparative CE) Shi's cell
    # keeps far less than its 0.791 at cycle 26. If a change to the law makes this fail, revisit the choice of the
    # Comparative Example as c_lambda's calibration (tests/data/shi2020/fade.py joint refits it on Shi).
    shipped = SimConstants.load().value("contact.toml", "law.separation_radii")
    assert shipped == pytest.approx(0.4112, rel=0.05)
    assert retention[0.41] < SHI_RETENTION_26 - 0.2
