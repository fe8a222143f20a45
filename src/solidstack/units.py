"""Quantities with units, as written in stack files ("100 um", "0.2 mA/cm2", "98 MPa").

A :class:`Q` keeps the number and the unit exactly as the user wrote them, so that a file read and written
again is unchanged; ``Q.si`` gives the value in SI base units for computation.

The text is read by one bounded grammar before pint sees it (pint would evaluate an *expression*, e.g.
``"1 um/0"``): at most :data:`MAX_QUANTITY_CHARS` characters, a finite decimal number, then a unit made of unit
names (letters, ``%``, ``µ``, ``°``) each with an optional integer exponent (``cm2``, ``cm^2``, ``cm**2``,
``m-3``), joined by ``/``, ``*``, ``.`` or one space. No parentheses, no arithmetic on numbers, nothing after
the unit. pint then only looks the unit names up and converts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

import pint
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

ureg: Any = pint.UnitRegistry()
ureg.define("mAh = milliampere * hour")
ureg.define("Ah = ampere * hour")

#: Longest quantity text accepted (characters); "0.2 mA/cm2" has 10.
MAX_QUANTITY_CHARS = 64
_NUMBER = r"[-+]?(?:\d{1,40}(?:\.\d{0,40})?|\.\d{1,40})(?:[eE][-+]?\d{1,4})?"
_UNIT_FACTOR = r"[A-Za-zµμΩ°%]{1,24}(?:(?:\^|\*\*)?-?\d{1,2})?"
_UNIT = rf"{_UNIT_FACTOR}(?:(?:/|\*|\.| |·){_UNIT_FACTOR}){{0,6}}"
# the text is stripped and length-checked first; every repetition above is bounded, so matching is linear
_NUMBER_UNIT = re.compile(rf"({_NUMBER}) ?((?:{_UNIT})?)")
_C_RATE = re.compile(rf"(?:({_NUMBER}) ?C|C ?/ ?({_NUMBER}))")
# "cm2" -> "cm**2", "m-3" -> "m**-3" (a unit symbol directly followed by an exponent)
_EXPONENT = re.compile(r"(?<=[A-Za-zµ])(-?\d+)")

#: Dimensions used in stack files, with the SI unit their ``.si`` value is in.
DIMENSIONS: dict[str, tuple[str, str]] = {
    "length": ("[length]", "m"),
    "area": ("[length] ** 2", "m**2"),
    "mass": ("[mass]", "kg"),
    "areal_mass": ("[mass] / [length] ** 2", "kg/m**2"),
    "pressure": ("[mass] / [length] / [time] ** 2", "Pa"),
    "temperature": ("[temperature]", "K"),
    "current_density": ("[current] / [length] ** 2", "A/m**2"),
    "current": ("[current]", "A"),
    "voltage": ("[mass] * [length] ** 2 / [current] / [time] ** 3", "V"),
    "time": ("[time]", "s"),
    "conductivity": ("[current] ** 2 * [time] ** 3 / [mass] / [length] ** 3", "S/m"),
    "fraction": ("", ""),
}

_EXAMPLES = {
    "length": "100 um",
    "area": "1 cm2",
    "mass": "15.0 mg",
    "areal_mass": "10 mg/cm2",
    "pressure": "98 MPa",
    "temperature": "25 degC",
    "current_density": "0.2 mA/cm2",
    "current": "0.2 mA",
    "voltage": "4.1 V",
    "time": "10 min",
    "conductivity": "3 mS/cm",
    "fraction": "20 %",
}


def _pint_unit_text(unit: str) -> str:
    unit = unit.replace("^", "**")
    unit = _EXPONENT.sub(lambda m: "**" + m.group(1), unit)
    return unit.replace("****", "**").replace("%", "percent")


@lru_cache(maxsize=512)
def _parse_unit(unit: str) -> pint.Unit:
    return ureg.Unit(_pint_unit_text(unit)) if unit else ureg.dimensionless


@lru_cache(maxsize=1024)
def _conversion(unit: str, dimension: str) -> tuple[float | None, float, bool]:
    """(factor, offset, dimension matches) such that si = value * factor + offset; factor None if unknown."""
    dim, si_unit = DIMENSIONS[dimension]
    try:
        punit = _parse_unit(unit)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError, KeyError):
        return None, 0.0, False
    expected = ureg.Quantity(1, si_unit or "dimensionless").dimensionality if dim else ureg.Quantity(1).dimensionality
    if ureg.Quantity(1, punit).dimensionality != expected:
        return 1.0, 0.0, False
    target = si_unit or "dimensionless"
    zero = float(ureg.Quantity(0.0, punit).to(target).magnitude)
    one = float(ureg.Quantity(1.0, punit).to(target).magnitude)
    return one - zero, zero, True


@dataclass(frozen=True, slots=True)
class Q:
    """A number with a unit, kept as written. ``si`` is the value in SI base units."""

    value: float
    unit: str
    si: float

    def __str__(self) -> str:
        text = repr(float(self.value))
        if text.endswith(".0"):
            text = text[:-2]
        return f"{text} {self.unit}".strip()

    def to(self, unit: str) -> float:
        """The magnitude in ``unit`` (e.g. ``q.to("um")``)."""
        return float(ureg.Quantity(self.value, _parse_unit(self.unit)).to(_parse_unit(unit)).magnitude)


def _number_and_unit(raw: str, example: str) -> tuple[float, str]:
    """The number and the unit text of ``raw`` by the bounded grammar (see the module docstring)."""
    text = raw.strip()
    if len(text) > MAX_QUANTITY_CHARS:
        raise ValueError(f"{_shown(text)} is too long for a quantity (at most {MAX_QUANTITY_CHARS} characters, "
                         f"e.g. {example!r})")
    match = _NUMBER_UNIT.fullmatch(text)
    if not match:
        if text.lower().lstrip("+-").startswith(("nan", "inf")):
            raise ValueError(f"{_shown(text)} is not a number (finite numbers only)")
        raise ValueError(f"{_shown(text)} is not a number with a unit such as {example!r} "
                         "(no arithmetic, parentheses or text after the unit)")
    value = float(match.group(1))
    if not math.isfinite(value):
        raise ValueError(f"{_shown(text)} is not a finite number")
    return value, match.group(2)


def _shown(text: str) -> str:
    from solidstack.errors import terminal_safe

    return repr(terminal_safe(text, limit=40))


def parse_quantity(raw: Any, dimension: str) -> Q:
    """Parse ``raw`` ("100 um") as a quantity of ``dimension`` (a key of :data:`DIMENSIONS`).

    Raises ``ValueError`` with a one-line message for a missing or wrong unit, a non-number, a number that is not
    finite, or text outside the grammar (see the module docstring). Booleans are not numbers.
    """
    example = _EXAMPLES[dimension]
    if isinstance(raw, Q):
        raw = str(raw)
    if isinstance(raw, bool):
        raise ValueError(f"expected a {dimension.replace('_', ' ')} such as {example!r}, got {raw!r}")
    if isinstance(raw, (int, float)):
        if dimension == "fraction":
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(f"{raw!r} is not a finite number")
            return Q(value, "", value)
        raise ValueError(f"{raw!r} has no unit; write it with one, e.g. {example!r}")
    if not isinstance(raw, str):
        raise ValueError(f"expected a {dimension.replace('_', ' ')} such as {example!r}, got {type(raw).__name__}")
    value, unit = _number_and_unit(raw, example)
    if not unit and dimension != "fraction":
        raise ValueError(f"{_shown(raw)} has no unit; write it with one, e.g. {example!r}")
    factor, offset, ok = _conversion(unit, dimension)
    if factor is None:
        raise ValueError(f"unknown unit {_shown(unit)} in {_shown(raw)}")
    if not ok:
        raise ValueError(f"{_shown(raw)} is not a {dimension.replace('_', ' ')} (expected a unit like {example!r})")
    si = value * factor + offset
    if not math.isfinite(si):
        raise ValueError(f"{_shown(raw)} is out of range")
    return Q(value, unit, si)


def parse_field(raw: Any, dimension: str, where: str) -> Q:
    """:func:`parse_quantity`, with a failure raised as an :class:`~solidstack.errors.InputError` located at
    ``where`` (a field or an option, e.g. ``"--current"``)."""
    from solidstack.errors import InputError, Problem

    try:
        return parse_quantity(raw, dimension)
    except ValueError as err:
        raise InputError(Problem(where, str(err))) from None


def parse_c_rate(text: Any) -> float | None:
    """The C-rate of ``text`` written as ``"C/10"``, ``"0.5C"``, ``"2 C"`` or ``"C"`` (in 1/h: 0.1, 0.5, 2, 1),
    or None if ``text`` is not written as a C-rate. A C-rate that is not a positive finite number
    (``"C/0"``, ``"-1C"``) raises ``ValueError``."""
    if not isinstance(text, str):
        return None
    t = text.strip()
    if len(t) > MAX_QUANTITY_CHARS:
        return None
    if t == "C":
        return 1.0
    m = _C_RATE.fullmatch(t)
    if not m:
        return None
    rate = float(m.group(1)) if m.group(1) is not None else 1.0 / float(m.group(2)) if float(m.group(2)) else math.inf
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"{_shown(t)} is not a positive C-rate such as 'C/10' or '0.5C'")
    return rate


def not_bool(value: Any) -> Any:
    """A pydantic before-validator: refuse ``True``/``False`` where a number is meant (pydantic would take them
    as 1 and 0; ``cycles = true`` is a typo, not one cycle)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    return value


def quantity_type(dimension: str, lo: float | None = None, hi: float | None = None, *, lo_open: bool = False):
    """A pydantic field type for a quantity of ``dimension``, with optional SI bounds [lo, hi].

    ``lo_open`` makes the lower bound exclusive (e.g. a thickness must be > 0).
    """

    def validate(raw: Any) -> Q:
        q = parse_quantity(raw, dimension)
        # the bounds hold within rounding: "-100 degC" is 173.14999999999998 K, and that is the bound
        tol = 1e-9 * max(abs(lo or 0.0), abs(hi or 0.0), 1e-300)
        if lo is not None and (q.si < lo - tol or (lo_open and q.si <= lo)):
            bound = _format_si(lo, dimension)
            raise ValueError(f"{q} must be {'greater than' if lo_open else 'at least'} {bound}")
        if hi is not None and q.si > hi + tol:
            raise ValueError(f"{q} is implausibly large (more than {_format_si(hi, dimension)})")
        return q

    return Annotated[
        Q,
        BeforeValidator(validate),
        PlainSerializer(str, return_type=str),
        WithJsonSchema({"type": "string", "examples": [_EXAMPLES[dimension]]}),
    ]


_DISPLAY = {
    "length": "um",
    "area": "cm**2",
    "mass": "mg",
    "areal_mass": "mg/cm**2",
    "pressure": "MPa",
    "temperature": "K",
    "current_density": "mA/cm**2",
    "current": "mA",
    "voltage": "V",
    "time": "s",
    "conductivity": "mS/cm",
}


def _format_si(value: float, dimension: str) -> str:
    if dimension == "fraction":
        return f"{value:g}"
    si = DIMENSIONS[dimension][1]
    disp = _DISPLAY[dimension]
    mag = ureg.Quantity(value, si).to(disp).magnitude
    return f"{mag:g} {disp.replace('**', '')}"
