"""The collector contact's fabrication pressure (stack field ``fabrication_pressure``; sim/collector.py,
sim/data/collector.toml [law]): an interface pressed harder than its stack pressure follows the unloading branch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from solidstack.sim.calibration import literature_stack
from solidstack.sim.collector import collector_contact, collector_contacts, collector_notes, contact_resistance
from solidstack.sim.data_files import default_constants
from solidstack.stack import Stack
from solidstack.studies.literature import load_cases

LEE = "lee2020-agc-anodefree-ni90-lpscl-pouch"

#: a law written out by hand (not read from the file): r_ref at 10 MPa, loading 1/2, unloading 1/3, floor 1 MPa
LAW = {"reference_pressure_Pa": 1.0e7, "pressure_exponent": 0.5, "unloading_exponent": 1.0 / 3.0,
       "min_pressure_Pa": 1.0e6}


def _lee_file() -> Path:
    return next(c for c in load_cases() if c.id == LEE).stack_dir / "agc.toml"


def _lee(**changes) -> Stack:
    stack = literature_stack(LEE, "c1-2MPa")
    return stack.replace(**changes) if changes else stack


def _without_fabrication(stack: Stack) -> Stack:
    data = stack.to_dict()
    data.pop("fabrication_pressure", None)
    return Stack.from_dict(data)


def test_law_against_hand_values():
    # loading branch only (no fabrication pressure): 20 * (10 / 40)^0.5 = 20 * 0.5 = 10
    assert contact_resistance(20.0, 40e6, None, LAW) == pytest.approx(10.0, rel=1e-12)
    # pressed at 80 MPa, cycled at 10 MPa: r(80) = 20 * (10/80)^0.5 = 7.0711; unloaded: * (80/10)^(1/3) = * 2
    assert contact_resistance(20.0, 10e6, 80e6, LAW) == pytest.approx(14.1421, rel=1e-4)
    # the same at 0 MPa: floored at 1 MPa, 7.0711 * 80^(1/3) = 7.0711 * 4.3089 = 30.469
    assert contact_resistance(20.0, 0.0, 80e6, LAW) == pytest.approx(30.469, rel=1e-4)
    # a fabrication pressure at or below the stack pressure: the loading value (the highest pressure is p)
    assert contact_resistance(20.0, 40e6, 10e6, LAW) == contact_resistance(20.0, 40e6, None, LAW)


def test_shipped_law_is_the_derived_one():
    law = default_constants().files["collector.toml"]["law"]
    assert float(law["pressure_exponent"]) == 0.5
    assert float(law["unloading_exponent"]) == pytest.approx(1.0 / 3.0)
    assert "unloading_exponent_basis" in law and law["unloading_exponent_sources"]


def test_lee_pouch_against_hand_value():
    # bare Al r_ref 24.34 ohm cm2 (collector.toml, Park 2025 calibration); WIP 490 MPa, cycled at 2 MPa:
    # 24.34 * (10/490)^0.5 * (490/2)^(1/3) = 24.34 * 0.142857 * 6.25732 = 21.758
    c = collector_contact(_lee(), "cathode")
    assert c.surface == "bare Al" and c.fabrication_MPa == 490.0
    assert c.r_ohm_cm2 == pytest.approx(21.758, rel=1e-3)
    notes, _ = collector_notes({"cathode": c})
    assert "unloaded from the 490 MPa fabrication pressure" in notes[0]


def test_no_fabrication_pressure_is_todays_value():
    # loading branch at 2 MPa: 24.34 * (10/2)^0.5 = 24.34 * 2.23607 = 54.426
    plain = _without_fabrication(_lee())
    assert plain.fabrication_pressure is None
    c = collector_contact(plain, "cathode")
    assert c.r_ohm_cm2 == pytest.approx(54.426, rel=1e-3) and c.fabrication_MPa is None


def test_harder_pressing_gives_a_lower_resistance_at_the_same_stack_pressure():
    r = [collector_contacts(_lee(fabrication_pressure=f"{p} MPa"))["cathode"].r_ohm_cm2 for p in (10, 100, 490)]
    plain = collector_contacts(_without_fabrication(_lee()))["cathode"].r_ohm_cm2
    assert plain > r[0] > r[1] > r[2] > 0.0
    # pressed at the stack pressure (2 MPa) or below: unchanged
    assert collector_contacts(_lee(fabrication_pressure="2 MPa"))["cathode"].r_ohm_cm2 == pytest.approx(plain)
    assert collector_contacts(_lee(fabrication_pressure="1 MPa"))["cathode"].r_ohm_cm2 == pytest.approx(plain)


def test_round_trip_keeps_the_field(tmp_path):
    path = _lee().to_file(tmp_path / "lee.toml")
    assert Stack.from_file(path).fabrication_pressure.si == pytest.approx(490e6)


@pytest.mark.parametrize(("value", "needle"), [
    ('"-5 MPa"', "must be at least 0 MPa"),
    ("490", "has no unit"),
    ('"490 V"', "is not a pressure"),
    ('"7 GPa"', "implausibly large"),
])
def test_bad_fabrication_pressure_is_one_located_line(tmp_path, value, needle):
    text = _lee_file().read_text(encoding="utf-8")
    lines = [f"fabrication_pressure = {value}" if ln.startswith("fabrication_pressure") else ln
             for ln in text.splitlines()]
    bad = tmp_path / "bad.toml"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "solidstack", "validate", str(bad)], capture_output=True, text=True,
                       timeout=120, cwd=Path(__file__).parent)
    assert r.returncode == 2, (r.returncode, r.stderr)
    err = [ln for ln in r.stderr.strip().splitlines() if ln]
    assert len(err) == 1 and err[0].startswith("error: ") and "fabrication_pressure:" in err[0], r.stderr
    assert needle in err[0]
    assert "Traceback" not in r.stderr + r.stdout


def test_fabrication_pressure_is_shown_and_is_a_model_input_only():
    """The design report names the fabrication pressure; like the stack pressure it is a model input (the collector
    contact's resistance), so two designs that differ only in it share a structure group and a claim chart."""
    from solidstack.report import design_report
    from solidstack.stack import load_preset
    from solidstack.studies.outputs import claim_outputs
    from solidstack.studies.study import structure_group

    base = load_preset("example-1")
    pressed = base.replace(fabrication_pressure="370 MPa")
    assert "fabrication pressure" in design_report(pressed).html and "370 MPa" in design_report(pressed).html
    assert "fabrication pressure" not in design_report(base).html
    assert structure_group(base.to_dict()) == structure_group(pressed.to_dict())
    assert claim_outputs(base) == claim_outputs(pressed)
