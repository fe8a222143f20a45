"""Repository hygiene (issue 8, acceptance): no shipped file names a path of a machine, and the simulator's own
data folder holds constants only, not material data (one data home: ``materials/data``, one reader)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from solidstack.materials import Catalog

SRC = Path(__file__).resolve().parents[1] / "src"
SIM_DATA = SRC / "solidstack" / "sim" / "data"
#: absolute paths of some machine: POSIX home/work/temp folders and Windows drive paths
MACHINE_PATH = re.compile(r"/work/|/tmp/|/home/|/root/|/Users/|\b[A-Za-z]:\\\\|\b[A-Za-z]:\\[A-Za-z]")
TEXT = {".py", ".toml", ".csv", ".md", ".json", ".yaml", ".yml", ".txt", ".cfg", ".ini", ".typed"}


def _shipped_text_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*") if p.is_file() and p.suffix in TEXT and "__pycache__" not in p.parts)


def test_the_scan_sees_the_package():
    files = _shipped_text_files()
    names = {p.name for p in files}
    assert {"cli.py", "electrolytes.csv", "contact.toml", "NMC811_Li.csv"} <= names and len(files) > 50


def test_the_pattern_catches_machine_paths():
    for bad in ("see /work/shared/x.csv", "written to /tmp/run", "/home/me/data", "/root/x", r"C:\\data", r"C:\data"):
        assert MACHINE_PATH.search(bad), bad
    for ok in ("mA/cm2", "x/c_max", "materials/data/ocp/NMC811_Li.csv", "https://github.com/pybamm-team/PyBaMM"):
        assert not MACHINE_PATH.search(ok), ok


def test_no_shipped_file_names_a_machine_path():
    hits = [f"{path.relative_to(SRC)}:{n}: {line.strip()[:120]}" for path in _shipped_text_files()
            for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
            if MACHINE_PATH.search(line)]
    assert not hits, "\n".join(hits)


def test_sim_data_holds_only_the_constants_files():
    files = sorted(p.name for p in SIM_DATA.iterdir() if p.name != "__pycache__")
    assert files == ["calibration.toml", "cei.toml", "collector.toml", "composite_transport.toml", "contact.toml",
                     "reinsertion.toml", "sei.toml"]


def test_sim_data_names_no_material_entry():
    """No table or key of the constants files is a material of the knowledge base (values per material live in
    materials/data: actives, OCP tables, transport.toml, electrolytes)."""
    cat = Catalog()
    materials = {a.key for a in cat.actives()} | {e.key for e in cat.electrolytes()} | {m.symbol for m in cat.metals()}
    materials |= {f"{a.key}.{a.ion}" for a in cat.actives()}

    def keys(node, prefix=""):
        if isinstance(node, dict):
            for k, v in node.items():
                yield k
                yield from keys(v, f"{prefix}{k}.")
        elif isinstance(node, list):
            for v in node:
                yield from keys(v, prefix)

    for path in SIM_DATA.glob("*.toml"):
        found = set(keys(tomllib.loads(path.read_text(encoding="utf-8")))) & materials
        assert not found, f"{path.name}: {sorted(found)}"
