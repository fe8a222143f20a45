"""The patent reproduction (issue 5): all six cells from the shipped presets, compared with the published
numbers of the data file. Asserts the targets the project claims as met; the published values come from
``studies/data/published.toml`` (checked against the patent text in test_studies_units.py)."""

import json
import subprocess
import sys

import pytest

from solidstack.studies.published import published_numbers
from solidstack.studies.reproduce import CELLS, reproduce

#: Targets claimed as met (issue 5 section 4): (cell, quantity). Everything else is reported, not claimed:
#: Example 2's retention (Li foil lithiating the cathode is not modelled), Example 3's (above 100 %) and the Reference
#: Example's (since the displacement-based contact law of issue 9 its In foil is never stranded and its loss is
#: fitted on the Comparative's first-cycle CE; the same cell then fades faster than published: ~13 % against 36 %).
CLAIMED_MET = {
    ("example-1", "charge_plateau_V"),
    ("example-2", "charge_plateau_V"),
    ("example-3", "charge_plateau_V"),
    ("reference", "charge_plateau_V"),
    ("example-4", "charge_plateau_V"),
    ("comparative", "charge_plateau_V"),
    ("example-4", "charge_capacity_mAh_g"),
    ("example-4", "discharge_capacity_mAh_g"),
    ("example-4", "coulombic_efficiency_pct"),
    ("comparative", "charge_capacity_mAh_g"),
    ("comparative", "discharge_capacity_mAh_g"),
    ("comparative", "coulombic_efficiency_pct"),  # fitted: the contact law's separation length is calibrated on it
    ("example-1", "retention_pct"),
}
#: Published numbers a calibration was fitted to; every other one is a prediction.
FITTED = {("comparative", "coulombic_efficiency_pct")}


@pytest.fixture(scope="module")
def rep():
    return reproduce(cycles=5)


def test_every_published_number_is_compared(rep):
    assert {(c.cell, c.quantity) for c in rep.comparisons} == {(p.cell, p.quantity) for p in published_numbers()}
    assert set(rep.results) == set(CELLS)
    assert all(c.simulated is not None for c in rep.comparisons)


def test_claimed_targets_are_met(rep):
    published = {(p.cell, p.quantity): p.value for p in published_numbers()}
    by_key = {(c.cell, c.quantity): c for c in rep.comparisons}
    for key in CLAIMED_MET:
        c = by_key[key]
        assert c.published == published[key]
        tol = {"charge_plateau_V": 0.1, "retention_pct": 5.0}.get(c.quantity)
        if tol is not None:  # absolute: 0.1 V, 5 percentage points
            assert abs(c.simulated - c.published) <= tol, (key, c.simulated)
        else:  # Table 2: within 10 % relative
            assert abs(c.simulated - c.published) <= 0.10 * c.published, (key, c.simulated)
        assert c.within_target is True


def test_fitted_flags(rep):
    assert {(c.cell, c.quantity) for c in rep.comparisons if c.fitted} == FITTED


def test_physics_direction_of_the_invention(rep):
    """What the patent concludes, independent of exact values: the In foil reacting behind graphite lowers the
    charge plateau by about In's 0.62 V vs graphite's ~0.1 V (In/LiIn: Santhosha et al. 2019; graphite:
    [0034]); the Cu foil of Example 4 restores it and raises the first-cycle coulombic efficiency ([0120]-[0122])."""
    by = {(c.cell, c.quantity): c.simulated for c in rep.comparisons}
    drop = by["example-4", "charge_plateau_V"] - by["comparative", "charge_plateau_V"]
    assert 0.3 <= drop <= 0.7
    assert by["example-4", "coulombic_efficiency_pct"] > by["comparative", "coulombic_efficiency_pct"] + 20
    assert by["comparative", "charge_capacity_mAh_g"] > by["example-4", "charge_capacity_mAh_g"]


def test_json_records(rep, tmp_path):
    path = tmp_path / "numbers.json"
    rep.to_json(path)
    records = json.loads(path.read_text())
    assert len(records) == len(published_numbers())
    for r in records:
        assert {"cell", "quantity", "unit", "paragraph", "published", "simulated", "fitted"} <= set(r)
        assert isinstance(r["fitted"], bool)


def test_report_files(rep, tmp_path):
    from solidstack.report.reproduction import write_report

    paths = write_report(rep, tmp_path / "out")
    names = {p.name for p in paths}
    assert {f"fig{n}.{ext}" for n in range(7, 12) for ext in ("png", "svg")} | {"report.html"} <= names
    page = (tmp_path / "out" / "report.html").read_text()
    assert "claim" in page.lower() and "Example 4" in page and page.count("<figure><svg") == 5


def test_cli_bad_model():
    r = subprocess.run([sys.executable, "-m", "solidstack.cli", "reproduce", "--model", "p2d"], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown model 'p2d'" in r.stderr and "Traceback" not in r.stderr
