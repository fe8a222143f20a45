"""The bounded quantity grammar: hostile unit strings are refused with one line (never a pint expression
evaluated, never a regular-expression blow-up), C-rates are recognised where asked."""

import pytest

from solidstack.errors import InputError
from solidstack.units import MAX_QUANTITY_CHARS, parse_c_rate, parse_field, parse_quantity

HOSTILE = [
    "1 um/0",  # pint: ZeroDivisionError
    "1 um**(1/0)",  # pint: ZeroDivisionError
    "1 (um",  # pint: tokenize.TokenError
    "1 um;", "1 um#", '1 um"', "1 um)", "1 um + 2 um", "1 um*2", "1 um um um um um um um um",
    "1" + " " * 10_000 + "um",  # many spaces: > 60 s in the old regular expression
    "1 " + "a" * 100_000,  # a very long unit name
    "1 " + "m" * 30,
    "nan um", "inf um", "-inf um", "1e999 um", "1e99999 um", "0x10 um", "1_000 um", "1,5 um", "",
    "um", "1\num", "1 um\x1b[31m", "1\u00a0um", "1 um/",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:20]))
def test_hostile_quantities_are_one_line_value_errors(text):
    with pytest.raises(ValueError) as info:
        parse_quantity(text, "length")
    message = str(info.value)
    assert "\n" not in message and len(message) < 200


@pytest.mark.parametrize(
    ("text", "dimension", "si"),
    [
        ("-100 degC", "temperature", 173.15),  # the lowest temperature the model accepts, inclusive
        ("1 cm^2", "area", 1e-4),
        ("1 cm**2", "area", 1e-4),
        ("3 mA cm-2", "current_density", 30.0),  # 3e-3 A / 1e-4 m2
        ("1 µm", "length", 1e-6),
        ("+.5 mm", "length", 5e-4),
        ("  2e-3 m  ", "length", 2e-3),
    ],
)
def test_accepted_spellings(text, dimension, si):
    assert parse_quantity(text, dimension).si == pytest.approx(si, rel=1e-12)


def test_length_bound_is_stated():
    ok = "1 " + "um/s*" * 2 + "um"
    assert len(ok) <= MAX_QUANTITY_CHARS
    with pytest.raises(ValueError, match="too long"):
        parse_quantity("1" + "0" * MAX_QUANTITY_CHARS + " um", "length")


def test_parse_field_names_the_field():
    with pytest.raises(InputError) as info:
        parse_field("1 um/0", "length", "layers[1].thickness")
    assert str(info.value).startswith("layers[1].thickness: ")


@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_not_numbers(value):
    with pytest.raises(ValueError):
        parse_quantity(value, "fraction")


@pytest.mark.parametrize(("text", "rate"), [("C/10", 0.1), ("0.5C", 0.5), ("2 C", 2.0), ("C", 1.0), ("C/20", 0.05)])
def test_c_rates(text, rate):
    assert parse_c_rate(text) == pytest.approx(rate)


@pytest.mark.parametrize("text", ["0.2 mA/cm2", "10 C/s", "Cu", "", "C/", None, 3])
def test_not_c_rates(text):
    assert parse_c_rate(text) is None


@pytest.mark.parametrize("text", ["C/0", "-1C", "0C"])
def test_bad_c_rates(text):
    with pytest.raises(ValueError):
        parse_c_rate(text)
