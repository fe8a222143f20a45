"""User materials folders: added by Catalog.with_user, --materials and SOLIDSTACK_MATERIALS, with the source
rule and the override rule of the shipped data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from solidstack.errors import InputError
from solidstack.materials import Catalog, UserDataError, default_catalog, use_catalog
from solidstack.sim import simulate
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DATA = Path(__file__).resolve().parent / "data"
USER = DATA / "user_materials"
NOSOURCE = DATA / "user_nosource"


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "solidstack.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def _li_cell(cathode_active: str) -> Stack:
    return Stack.from_dict({
        "name": "user cell", "area": "1 cm2", "working_ion": "Li",
        "cycling": {"current_density": "0.02 mA/cm2", "lower_cutoff": "3.0 V", "upper_cutoff": "4.0 V", "cycles": 1},
        "layers": [{"type": "collector", "material": "Cu", "thickness": "10 um"},
                   {"type": "anode", "thickness": "30 um", "porosity": 0, "active": {"material": "Li", "fraction": 1}},
                   {"type": "separator", "electrolyte": "Li6PS5Cl", "thickness": "100 um", "porosity": 0.1},
                   {"type": "cathode", "areal_loading": "5 mg/cm2", "porosity": 0.2,
                    "active": {"material": cathode_active, "fraction": 0.7},
                    "electrolyte": {"material": "Li6PS5Cl", "fraction": 0.3}},
                   {"type": "collector", "material": "Al", "thickness": "15 um"}]})


def test_user_active_with_its_ocp_simulates():
    cat = Catalog().with_user(USER)
    mat = cat.active("demo_cathode")
    assert mat.ocp is not None and mat.ocp.sources["ocp"][0].key == "user_fixture"
    with use_catalog(cat):
        stack = _li_cell("demo_cathode")
    r = simulate(stack, catalog=cat, contact_loss=False)
    # the user's own practical capacity (140 mAh/g between its window's 3.0 and 4.0 V) is what the cell gives
    assert r.cycles["discharge_capacity_mAh_g"].iloc[0] == pytest.approx(140.0, rel=0.03)
    # the shipped catalog does not know it
    with pytest.raises(InputError, match="unknown active material 'demo_cathode'"):
        Catalog().active("demo_cathode")


def test_active_without_ocp_says_what_to_add():
    cat = Catalog().with_user(USER)
    with use_catalog(cat):
        stack = _li_cell("demo_noocp")
    with pytest.raises(InputError, match=r"add a table ocp/demo_noocp_Li\.csv \(columns x,U_V"):
        simulate(stack, catalog=cat)


def test_user_file_without_sources_is_refused():
    with pytest.raises(UserDataError, match=r"actives.csv row nosource_cathode/Li: values .* have no source in 'potential_source'"):
        Catalog().with_user(NOSOURCE)


def test_override_only_when_the_user_says_so(tmp_path):
    folder = tmp_path / "mine"
    (folder / "references").mkdir(parents=True)
    shutil.copy(USER / "references" / "user.toml", folder / "references")
    header = ("key,name,ion,role,window_lo_V,window_hi_V,potential_source,practical_capacity_mAh_g,capacity_source,"
              "density_g_cm3,density_source,override\n")
    row = "LiFePO4,my LFP,Li,cathode,2.5,4.2,user_fixture,{cap},user_fixture,3.6,user_fixture,{ov}\n"
    (folder / "actives.csv").write_text(header + row.format(cap=160, ov=""))
    with pytest.raises(UserDataError, match="already in the knowledge base; add a column 'override'"):
        Catalog().with_user(folder)
    (folder / "actives.csv").write_text(header + row.format(cap=160, ov="true"))
    assert Catalog().with_user(folder).active("LiFePO4").practical_capacity_mAh_g == 160.0
    assert Catalog().active("LiFePO4").practical_capacity_mAh_g == 155.0  # the shipped one is untouched


def test_user_transport_entry_needs_sources(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "transport.toml").write_text('["demo.Li"]\nradius_m = 1e-6\n')
    with pytest.raises(UserDataError, match=r"transport.toml \[demo.Li\]: needs sources"):
        Catalog().with_user(folder)


def test_shipped_transport_entries_have_resolving_sources():
    cat = Catalog()
    for key, entry in cat.transport_entries().items():
        assert entry.sources, key
        assert all(r.key in cat.references for r in entry.sources)


def test_cli_materials_option_and_env_var():
    r = _cli("--materials", str(USER), "materials", "actives", "demo_cathode")
    assert r.returncode == 0, r.stderr
    assert "demo cathode" in r.stdout
    r = _cli("materials", "actives", "demo_cathode", env={"SOLIDSTACK_MATERIALS": str(USER)})
    assert r.returncode == 0, r.stderr
    r = _cli("materials", "actives", "demo_cathode")
    assert r.returncode == 2 and "unknown active material" in r.stderr


def test_cli_simulates_a_stack_with_a_user_active():
    r = _cli("--materials", str(USER), "simulate", str(DATA / "user_cell.toml"))
    assert r.returncode == 0, r.stderr
    assert "1 cycle(s)" in r.stdout
    r = _cli("simulate", str(DATA / "user_cell.toml"))  # without the folder: the name is unknown
    assert r.returncode == 2 and "unknown active material 'demo_cathode'" in r.stderr


def test_cli_user_file_without_sources_refused_with_one_line():
    r = _cli("--materials", str(NOSOURCE), "materials", "actives")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "actives.csv row nosource_cathode/Li" in lines[0]
    assert r.stdout == ""


def test_default_catalog_is_restored_after_use():
    shipped = default_catalog()
    with use_catalog(Catalog().with_user(USER)) as cat:
        assert default_catalog() is cat
    assert default_catalog() is shipped


def test_cli_env_var_naming_a_missing_folder_is_one_line():
    r = _cli("materials", "actives", "graphite", env={"SOLIDSTACK_MATERIALS": str(DATA / "no_such_folder")})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().startswith("error: SOLIDSTACK_MATERIALS: ") and len(r.stderr.strip().splitlines()) == 1
