"""Quantities with units, as written in stack files ("100 um", "0.2 mA/cm2", "98 MPa").

A :class:`Q` keeps the number and the unit exactly as the user wrote them, so that a file read and written
again is unchanged; ``Q.si`` gives the value in SI base units for computation. Parsing is done by pint.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

import pint
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

ureg = pint.UnitRegistry()
ureg.define("mAh = milliampere * hour")
ureg.define("Ah = ampere * hour")

_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
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


def parse_quantity(raw: Any, dimension: str) -> Q:
    """Parse ``raw`` ("100 um") as a quantity of ``dimension`` (a key of :data:`DIMENSIONS`).

    Raises ``ValueError`` with a one-line message for a missing or wrong unit or a non-number.
    """
    dim, si_unit = DIMENSIONS[dimension]
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
        raise ValueError(f"expected a {dimension.replace('_', ' ')} such as {example!r}, got {raw!r}")
    match = _NUMBER_UNIT.match(raw)
    if not match:
        raise ValueError(f"{raw!r} is not a number with a unit such as {example!r}")
    value, unit = float(match.group(1)), match.group(2)
    if not math.isfinite(value):
        raise ValueError(f"{raw!r} is not a finite number")
    if not unit and dimension != "fraction":
        raise ValueError(f"{raw!r} has no unit; write it with one, e.g. {example!r}")
    factor, offset, ok = _conversion(unit, dimension)
    if factor is None:
        raise ValueError(f"unknown unit {unit!r} in {raw!r}")
    if not ok:
        raise ValueError(f"{raw!r} is not a {dimension.replace('_', ' ')} (expected a unit like {example!r})")
    si = value * factor + offset
    return Q(value, unit, si)


def quantity_type(dimension: str, lo: float | None = None, hi: float | None = None, *, lo_open: bool = False):
    """A pydantic field type for a quantity of ``dimension``, with optional SI bounds [lo, hi].

    ``lo_open`` makes the lower bound exclusive (e.g. a thickness must be > 0).
    """

    def validate(raw: Any) -> Q:
        q = parse_quantity(raw, dimension)
        if lo is not None and (q.si < lo or (lo_open and q.si <= lo)):
            bound = _format_si(lo, dimension)
            raise ValueError(f"{q} must be {'greater than' if lo_open else 'at least'} {bound}")
        if hi is not None and q.si > hi:
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
}


def _format_si(value: float, dimension: str) -> str:
    if dimension == "fraction":
        return f"{value:g}"
    si = DIMENSIONS[dimension][1]
    disp = _DISPLAY[dimension]
    mag = ureg.Quantity(value, si).to(disp).magnitude
    return f"{mag:g} {disp.replace('**', '')}"
