"""Calibrations: the recorded constants are current (simulating with them gives their targets), the file says
what each was fitted to, and the machinery writes and overrides as documented."""

import math
import subprocess
import sys

import pytest

from solidstack.sim.calibration import CALIBRATIONS, by_name, calibrate
from solidstack.sim.data_files import SimConstants, calibration_records


def test_every_calibration_is_recorded_with_its_basis():
    recs = {r["name"]: r for r in calibration_records()}
    assert set(recs) == {c.name for c in CALIBRATIONS}
    for r in recs.values():
        assert r["source"] and r["target_text"] and r["setup"] and r["method"]
    # exactly one calibration uses a patent number: the Reference Example's retention, [0106]
    assert [r["fitted_to"] for r in recs.values() if "fitted_to" in r] == [
        {"cell": "reference", "quantity": "retention_pct", "cycle": 5, "paragraph": "[0106]"}
    ]


def test_recorded_values_are_what_the_simulation_reads():
    constants = SimConstants.load()
    for r in calibration_records():
        assert constants.value(r["file"], r["key"]) == r["value"]


@pytest.mark.parametrize("name", [c.name for c in CALIBRATIONS])
def test_recorded_calibration_is_current(name):
    """Simulating with the recorded value meets the target: the 36 % retention of [0106], or Novak et al.'s 7 %
    first-cycle loss of graphite. Fails if the physics changed and nobody re-ran `solidstack calibrate`."""
    cal = by_name(name)
    achieved = cal.measure(SimConstants.load())
    assert achieved == pytest.approx(cal.target, abs=0.005)


def test_changed_constants_are_a_new_object():
    base = SimConstants.load()
    before = base.value("contact.toml", "law.eps_c")
    changed = base.with_value("contact.toml", "law.eps_c", 0.5)
    assert changed.value("contact.toml", "law.eps_c") == 0.5
    assert base.value("contact.toml", "law.eps_c") == before  # frozen: the original is unchanged
    with pytest.raises(TypeError):
        base.law["eps_c"] = 1.0  # type: ignore[index]


def test_constants_are_passed_in_not_global():
    # the contact coefficient K = g_d g_p / eps_c follows the constants given to the run, nothing else
    from solidstack.sim import contact_coefficients, find_hosts
    from solidstack.stack import resolve

    stack = resolve("reference")
    hosts = find_hosts(stack)
    base = SimConstants.load()
    k1 = contact_coefficients(stack, hosts, base)["anode"]
    k2 = contact_coefficients(stack, hosts, base.with_value("contact.toml", "law.eps_c", 2 * base.law["eps_c"]))["anode"]
    assert k2 == pytest.approx(k1 / 2)


def test_calibrate_writes_a_record(tmp_path):
    path = tmp_path / "calibration.toml"
    recs = calibrate(["reference-retention"], iterations=2, path=path)
    text = path.read_text()
    assert 'name = "reference-retention"' in text and 'paragraph = "[0106]"' in text
    # two bisection steps in log space over [0.02, 2]: 0.2 (retention there is above 36 %, so hi = 0.2), then
    # sqrt(0.02 * 0.2) = 0.0632 (below 36 %, so lo = 0.0632); the result is the middle of [0.0632, 0.2]
    expected = math.sqrt(math.sqrt(0.02 * 0.2) * 0.2)
    assert recs[0]["value"] == pytest.approx(expected, rel=1e-3)


def test_cli_calibrate_needs_out_and_never_writes_the_package():
    r = subprocess.run([sys.executable, "-m", "solidstack.cli", "calibrate"], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.startswith("error: --out:") and "Traceback" not in r.stderr


def test_cli_unknown_calibration():
    r = subprocess.run([sys.executable, "-m", "solidstack.cli", "calibrate", "--only", "nope"], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown calibration 'nope'" in r.stderr and "Traceback" not in r.stderr
