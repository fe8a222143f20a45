"""Reading the simulation's own constants in ``sim/data`` (contact, SEI, calibration) and the material tables it needs from ``materials/data``."""

from __future__ import annotations

import csv
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from solidstack.materials.records import OcpCurve


def data_dir() -> Path:
    """The directory holding the simulation's own constants (``contact.toml``, ``sei.toml``, ``calibration.toml``)."""
    return Path(str(resources.files("solidstack.sim") / "data"))


def materials_dir() -> Path:
    """The knowledge base's data directory (material data: OCP tables, transport and kinetic constants)."""
    return Path(str(resources.files("solidstack.materials") / "data"))


#: Temporary values of (file, dotted key), set only while a calibration fits them (see sim/calibration.py).
OVERRIDES: dict[tuple[str, str], float] = {}


def calibration_records(path: Path | None = None) -> list[dict[str, Any]]:
    """The records of ``calibration.toml`` (fitted constants and what they were fitted to); [] if none."""
    path = path or data_dir() / "calibration.toml"
    if not path.is_file():
        return []
    return list(tomllib.loads(path.read_text(encoding="utf-8")).get("constant", []))


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


@cache
def load_toml(name: str) -> dict[str, Any]:
    """A TOML file of ``sim/data`` as a dict (cached), with the calibrated constants of ``calibration.toml``
    (and any temporary override of a running calibration) set in place."""
    data = tomllib.loads((data_dir() / name).read_text(encoding="utf-8"))
    if name != "calibration.toml":
        for rec in calibration_records():
            if rec["file"] == name:
                _set(data, rec["key"], rec["value"])
        for (file, key), value in OVERRIDES.items():
            if file == name:
                _set(data, key, value)
    return data


@cache
def read_ocp_table(name: str) -> OcpCurve:
    """An ``x,U_V`` table of ``materials/data/ocp`` with ``#`` comment lines (the header) as an :class:`OcpCurve`."""
    path = materials_dir() / "ocp" / name
    xs: list[float] = []
    us: list[float] = []
    header: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if not row:
                continue
            if row[0].startswith("#"):
                header.append(",".join(row))
                continue
            if row[0] == "x":
                continue
            xs.append(float(row[0]))
            us.append(float(row[1]))
    return OcpCurve(name=path.stem, x=tuple(xs), U_V=tuple(us), header="\n".join(header))


@cache
def _transport_table() -> dict[str, Any]:
    return tomllib.loads((materials_dir() / "transport.toml").read_text(encoding="utf-8"))


def host_constants(key: str, foil: bool = False) -> dict[str, Any]:
    """Transport/kinetic constants for a host (``"graphite.Li"`` or ``"foil.In.Li"``), defaults filled in.

    The returned dict has an extra ``is_default`` flag when no own entry exists (a data gap to report).
    """
    table = _transport_table()
    base = dict(table["foil_defaults" if foil else "defaults"])
    own = table.get(key)
    if own is not None:
        base.update(own)
    base["is_default"] = own is None
    return base


def contact_constants() -> dict[str, Any]:
    """The contact-loss law constants (``contact.toml``)."""
    return load_toml("contact.toml")
