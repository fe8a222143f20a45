import pytest

from solidstack.units import parse_quantity


@pytest.mark.parametrize(
    ("text", "dimension", "si"),
    [
        ("100 um", "length", 100e-6),
        ("0.2 mA/cm2", "current_density", 2.0),  # 0.2e-3 A / 1e-4 m2
        ("98 MPa", "pressure", 98e6),
        ("25 degC", "temperature", 298.15),
        ("1 cm2", "area", 1e-4),
        ("15.0 mg", "mass", 15e-6),
        ("4.37 V", "voltage", 4.37),
        ("10 mg/cm2", "areal_mass", 0.1),  # 10e-6 kg / 1e-4 m2
    ],
)
def test_parse_to_si(text, dimension, si):
    q = parse_quantity(text, dimension)
    assert q.si == pytest.approx(si, rel=1e-12)
    assert str(q) == text.replace("15.0", "15")


@pytest.mark.parametrize(
    ("raw", "dimension", "message"),
    [
        ("100", "length", "has no unit"),
        (100, "length", "has no unit"),
        ("100 kg", "length", "is not a length"),
        ("abc", "length", "not a number"),
        ("5 furlongz", "length", "unknown unit"),
        (None, "mass", "expected a mass"),
        ("nan um", "length", "not a number"),
    ],
)
def test_bad_quantities(raw, dimension, message):
    with pytest.raises(ValueError, match=message):
        parse_quantity(raw, dimension)
