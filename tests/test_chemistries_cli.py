"""Every active with an OCP and every Li/Na/K solid electrolyte of the knowledge base runs in a small cell through
``solidstack simulate`` (issue 8, acceptance).

Each case is a small stack file written here: a cathode against a planar metal of its working ion; an anode host
against a cathode of the same ion (NMC111 for Li, Na3V2(PO4)3 for Na, K2Mn[Fe(CN)6] for K) with 1.5x its capacity;
the ion's metal itself as a planar anode against that cathode; each electrolyte as separator and catholyte of a
known-good cell (In-Li at x = 0.5 | SE | NMC111 for Li, Na | SE | Na3V2(PO4)3, K | SE | K2Mn[Fe(CN)6]). One cycle, SPM,
C/10. The lists come from the catalog, so an entry added later is tested too.

Cost: one subprocess per ion through the installed ``solidstack`` entry point (the metal-anode cell), and one
driver subprocess per ion that runs that ion's other files through ``solidstack.cli.main`` in turn (a Python start
and a PyBaMM import per file would cost more than the simulations). Each case checks: exit code 0, no traceback, a
cycle row with a positive capacity in ``cycles.csv``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from solidstack.materials import Catalog

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CATALOG = Catalog()
IONS = ("Li", "Na", "K")
#: the counter cathode of each ion, and the electrolyte of its known-good cells
CATHODE = {"Li": "NMC111", "Na": "Na3V2(PO4)3", "K": "K2Mn[Fe(CN)6]"}
SE = {"Li": "Li6PS5Cl", "Na": "Na3PS4", "K": "K-beta-alumina"}
ARGS = ("--cycles", "1", "--model", "spm", "--current", "C/10")
CATHODE_G = 3.0 * 0.6  # mg/cm2 of active in every cathode below


def _window(key: str, ion: str) -> tuple[float, float]:
    w = CATALOG.active(key, ion).window
    lo, hi = float(w.lo), float(w.hi)
    return (max(lo - 0.2, 0.0), hi + 0.2) if hi - lo < 0.05 else (lo, hi)  # single-potential hosts (In/InLi)


def _cathode_layer(key: str, se: str) -> dict:
    return {"type": "cathode", "areal_loading": "3 mg/cm2", "porosity": 0.2,
            "active": {"material": key, "fraction": 0.6}, "electrolyte": {"material": se, "fraction": 0.4}}


def _stack(name: str, ion: str, anode: dict, cathode: dict, se: str, lo: float, hi: float) -> dict:
    return {"name": name, "area": "1 cm2", "working_ion": ion,
            "cycling": {"current_density": "0.05 mA/cm2", "lower_cutoff": f"{lo:.3g} V", "upper_cutoff": f"{hi:.3g} V",
                        "cycles": 1},
            "layers": [{"type": "collector", "material": "SUS", "thickness": "10 um"}, anode,
                       {"type": "separator", "electrolyte": se, "thickness": "50 um", "porosity": 0.1}, cathode,
                       {"type": "collector", "material": "SUS", "thickness": "10 um"}]}


def _metal(ion: str) -> dict:
    return {"type": "anode", "thickness": "30 um", "porosity": 0, "active": {"material": ion, "fraction": 1}}


def _cases() -> dict[str, list[tuple[str, dict]]]:
    """Per ion: (case id, stack dict). The first case of each ion is its metal-anode cell."""
    cases: dict[str, list[tuple[str, dict]]] = {ion: [] for ion in IONS}
    for ion in IONS:
        cat = CATHODE[ion]
        lo, hi = _window(cat, ion)
        cases[ion].append((f"metal-{ion}", _stack(f"{ion} | {SE[ion]} | {cat}", ion, _metal(ion),
                                                  _cathode_layer(cat, SE[ion]), SE[ion], lo, hi)))
    for a in CATALOG.actives():
        if a.ocp is None or a.ion not in IONS or a.key == a.ion:
            continue
        se = SE[a.ion]
        if a.role == "cathode":
            if a.key == CATHODE[a.ion]:
                continue  # the metal-anode cell above
            lo, hi = _window(a.key, a.ion)
            stack = _stack(f"{a.ion} | {se} | {a.key}", a.ion, _metal(a.ion), _cathode_layer(a.key, se), se, lo, hi)
        else:  # an anode host against the ion's cathode, 1.5x the cathode's practical capacity, starting empty
            cat = CATALOG.active(CATHODE[a.ion], a.ion)
            mg = 1.5 * CATHODE_G * cat.practical_capacity_mAh_g / (0.6 * a.practical_capacity_mAh_g)
            alo, ahi = _window(a.key, a.ion)
            lo, hi = max(float(cat.window.lo) - ahi, 0.2), float(cat.window.hi) - alo
            anode = {"type": "anode", "areal_loading": f"{mg:.3g} mg/cm2", "porosity": 0.2,
                     "active": {"material": a.key, "fraction": 0.6}, "electrolyte": {"material": se, "fraction": 0.4}}
            stack = _stack(f"{a.key} | {se} | {cat.key}", a.ion, anode, _cathode_layer(cat.key, se), se, lo, hi)
        cases[a.ion].append((f"active-{a.key}-{a.ion}", stack))
    for e in CATALOG.electrolytes():
        if e.ion not in IONS or e.key == SE[e.ion]:
            continue  # the ion's own electrolyte runs in every cell above
        cat = CATHODE[e.ion]
        lo, hi = _window(cat, e.ion)
        if e.ion == "Li":  # In-Li (x = 0.5) counter electrode at 0.62 V vs Li, the common one in SE research
            anode = {"type": "anode", "thickness": "30 um", "porosity": 0, "active": {"material": "In", "fraction": 1},
                     "initial_x": 0.5}
            lo, hi = lo - 0.62, hi - 0.62
        else:
            anode = _metal(e.ion)
        cases[e.ion].append((f"electrolyte-{e.key}", _stack(f"SE {e.key}", e.ion, anode, _cathode_layer(cat, e.key),
                                                            e.key, lo, hi)))
    return cases


CASES = _cases()
DRIVER = """
import contextlib, io, json, sys, traceback
from solidstack.cli import main
out = {}
for case, stack, folder in json.loads(sys.argv[1]):
    err = io.StringIO()
    rc = 0
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(["simulate", stack, *sys.argv[2:], "--out", folder])
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        except BaseException:
            rc, _ = -1, err.write(traceback.format_exc())
    out[case] = {"rc": rc, "stderr": err.getvalue()}
print(json.dumps(out))
"""


def _entry_point() -> list[str]:
    """The installed console script next to this interpreter (or on PATH); ``python -m solidstack`` otherwise."""
    here = Path(sys.executable).with_name("solidstack")
    found = str(here) if here.exists() else shutil.which("solidstack")
    return [found] if found else [sys.executable, "-m", "solidstack"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    """Run every case once: {case id: {"rc", "stderr", "out"}}."""
    root = tmp_path_factory.mktemp("chemistries")
    env = dict(os.environ, COLUMNS="200")
    results: dict[str, dict] = {}
    for cases in CASES.values():
        jobs = []
        for case, stack in cases:
            path = root / f"{case}.json"
            path.write_text(json.dumps(stack), encoding="utf-8")
            jobs.append((case, str(path), str(root / case)))
        first, rest = jobs[0], jobs[1:]
        p = subprocess.run([*_entry_point(), "simulate", first[1], *ARGS, "--out", first[2]],
                           capture_output=True, text=True, env=env)
        results[first[0]] = {"rc": p.returncode, "stderr": p.stderr + p.stdout, "out": Path(first[2])}
        if rest:
            d = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(rest), *ARGS],
                               capture_output=True, text=True, env=env)
            assert d.returncode == 0, d.stderr[-3000:]
            for case, r in json.loads(d.stdout.strip().splitlines()[-1]).items():
                results[case] = {**r, "out": root / case}
    return results


ALL = [(ion, case) for ion, cases in CASES.items() for case, _ in cases]


@pytest.mark.parametrize(("ion", "case"), ALL, ids=[c for _, c in ALL])
def test_runs_through_simulate(runs, ion, case):
    r = runs[case]
    assert r["rc"] == 0, r["stderr"][-2000:]
    assert "Traceback" not in r["stderr"]
    cycles = pd.read_csv(r["out"] / "cycles.csv")
    assert list(cycles["cycle"]) == [1]
    assert cycles["charge_capacity_mAh"].iloc[0] > 0 and cycles["discharge_capacity_mAh"].iloc[0] > 0


def test_the_lists_cover_the_catalog():
    """Every active with an OCP and every Li/Na/K electrolyte is a case (nothing silently dropped)."""
    ids = {c for _, c in ALL}
    for a in CATALOG.actives():
        if a.ocp is not None and a.ion in IONS:
            assert (f"metal-{a.ion}" if a.key == a.ion or a.key == CATHODE[a.ion] else f"active-{a.key}-{a.ion}") in ids
    for e in CATALOG.electrolytes():
        if e.ion in IONS:
            assert (f"metal-{e.ion}" if e.key == SE[e.ion] else f"electrolyte-{e.key}") in ids
    assert {"metal-Li", "metal-Na", "metal-K"} <= ids
