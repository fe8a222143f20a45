"""Stack inputs for the tests, written in one place: the graphite | Li6PS5Cl | NMC111 test cell as a dict, the TOML
text of any stack dict (for tests that give the command line a file), and the check that ``solidstack validate``
refuses a file with exit 2 and one located line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[1] / "src"


def graphite_nmc111_cell(name: str, *, anode_collector: dict | None = None, anode_active: dict | None = None,
                         anode_electrolyte: dict | None = None, separator: dict | None = None,
                         cathode_active: dict | None = None, cathode_electrolyte: dict | None = None,
                         cathode_collector: dict | None = None) -> dict:
    """The stack dict of a graphite | Li6PS5Cl | NMC111 cell on 1 cm2, N/P ~1.5 (cathode-limited): 10 um SUS
    collectors; anode 8 mg/cm2 of graphite 0.6 + Li6PS5Cl 0.4; separator 100 um of Li6PS5Cl; cathode 10 mg/cm2 of
    NMC111 0.7 + Li6PS5Cl 0.3; porosity 0.15 in each. Each keyword's fields are added to (or replace those of) that
    part, e.g. ``cathode_active={"particle_size": "10 um"}``, ``separator={"conductivity": "3 mS/cm"}``."""
    return {
        "name": name, "area": "1 cm2", "working_ion": "Li",
        "layers": [
            {"type": "collector", "material": "SUS", "thickness": "10 um", **(anode_collector or {})},
            {"type": "anode", "areal_loading": "8 mg/cm2", "porosity": 0.15,
             "active": {"material": "graphite", "fraction": 0.6, **(anode_active or {})},
             "electrolyte": {"material": "Li6PS5Cl", "fraction": 0.4, **(anode_electrolyte or {})}},
            {"type": "separator", "electrolyte": "Li6PS5Cl", "thickness": "100 um", "porosity": 0.15,
             **(separator or {})},
            {"type": "cathode", "areal_loading": "10 mg/cm2", "porosity": 0.15,
             "active": {"material": "NMC111", "fraction": 0.7, **(cathode_active or {})},
             "electrolyte": {"material": "Li6PS5Cl", "fraction": 0.3, **(cathode_electrolyte or {})}},
            {"type": "collector", "material": "SUS", "thickness": "10 um", **(cathode_collector or {})},
        ],
    }


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def toml_value(value: Any) -> str:
    """``value`` written as a TOML value: a string (quoted), a bool, an int or a float as Python spells them (``3``,
    ``0.15``, ``1e-05``), a list, or a dict as an inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML value for {value!r}")


def stack_toml(data: dict) -> str:
    """The TOML text of stack dict ``data``: its plain fields first, a dict (``cycling``) as a ``[table]``, a list
    of dicts (``layers``) as ``[[layers]]`` tables, a dict inside those as an inline table."""
    def fields(d: dict) -> str:
        return "".join(f"{_key(k)} = {toml_value(v)}\n" for k, v in d.items())

    plain = {k: v for k, v in data.items() if not isinstance(v, dict | list)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in data.items() if isinstance(v, list)}
    parts = [fields(plain)]
    parts += [f"\n[{_key(k)}]\n{fields(v)}" for k, v in tables.items()]
    parts += [f"\n[[{_key(k)}]]\n{fields(item)}" for k, items in arrays.items() for item in items]
    return "".join(parts)


def validate(path: Path) -> subprocess.CompletedProcess:
    """``solidstack validate path``, a subprocess on this tree's source."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-m", "solidstack", "validate", str(path)], capture_output=True, text=True,
                          timeout=120, env=env)


def validate_exits_2(path: Path, where: str, needle: str) -> None:
    """``solidstack validate path`` exits 2 with one line on stderr, ``error: <path>: <where>...`` containing
    ``needle``, and no traceback."""
    r = validate(path)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert f"{path}: {where}" in lines[0] and needle in lines[0], lines[0]
    assert "Traceback" not in r.stderr + r.stdout
