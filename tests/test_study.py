"""Design studies: study files, the results store, execution backends, plots (issue 10).

Small studies only (SPM, 1-2 cycles) so the whole file runs in about a minute on 2 cores.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from solidstack.errors import InputError
from solidstack.studies import Store, Study, run_study
from solidstack.studies.plots import pareto_mask
from solidstack.studies.study import apply_changes, parse_path

GRID_3x3x2 = """
name = "In x pressure x Cu"
stack = "example-4"
model = "SPM"
cycles = 2

[[axes]]
path = "layers[1].thickness"
values = ["5 um", "20 um", "100 um"]

[[axes]]
path = "stack_pressure"
values = ["0 MPa", "5 MPa", "50 MPa"]

[[axes]]
name = "inert layer"
path = "layers[2]"
values = ["keep", "none"]
labels = ["Cu", "none"]
"""

OUTPUT_COLUMNS = ["specific_energy_Wh_kg", "energy_density_Wh_L", "discharge_capacity_mAh", "ce_1", "retention",
                  "mean_discharge_voltage_V", "contact_fraction_anode", "claim_2", "independent_claims"]


def cli(*args: str, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "solidstack.cli", *args], capture_output=True, text=True, cwd=cwd, **kw)


@pytest.fixture(scope="module")
def grid_study(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("grid")
    p = d / "grid.toml"
    p.write_text(GRID_3x3x2)
    return p


@pytest.fixture(scope="module")
def grid_store(grid_study) -> Path:
    """The 3 x 3 x 2 study run through the CLI on 2 worker processes."""
    store = grid_study.parent / "cli.store"
    r = cli("study", "run", str(grid_study), "--store", str(store), "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert "18 designs" in r.stderr
    return store


# ------------------------------------------------------------------------------------------------ study files
def test_paths_and_changes():
    assert parse_path("layers[1].thickness") == ["layers", 1, "thickness"]
    assert parse_path("cycling.current_density") == ["cycling", "current_density"]
    with pytest.raises(ValueError):
        parse_path("layers[x].thickness")
    base = {"layers": [{"m": "a"}, {"m": "b"}, {"m": "c"}], "p": "0 MPa"}
    # removing layer 1 and changing layer 2 in one design: paths index the base's layers
    out = apply_changes(base, {"layers[1]": "none", "layers[2].m": "z", "p": "5 MPa"})
    assert out == {"layers": [{"m": "a"}, {"m": "z"}], "p": "5 MPa"}
    assert base["layers"][1] == {"m": "b"}  # the base is not changed


def test_grid_ranges_and_latin_hypercube(tmp_path):
    study = Study.from_dict({
        "name": "t", "stack": "example-4", "model": "SPM",
        "axes": [{"path": "layers[1].thickness", "range": ["10 um", "1 mm"], "steps": 3, "scale": "log"},
                 {"path": "stack_pressure", "range": ["0 MPa", "10 MPa"], "steps": 3}]})
    pts = study.points()
    assert len(pts) == 9
    # log steps of 10 um .. 1000 um: 10, 100, 1000 um; linear 0, 5, 10 MPa (by hand)
    assert sorted({p["layers[1].thickness"] for p in pts}) == ["10 um", "100 um", "1000 um"]
    assert sorted({p["stack_pressure"] for p in pts}) == ["0 MPa", "10 MPa", "5 MPa"]
    lhs = Study.from_dict({
        "name": "t", "stack": "example-4", "design": {"kind": "lhs", "samples": 8, "seed": 3},
        "axes": [{"path": "stack_pressure", "range": ["0 MPa", "8 MPa"], "steps": 2}]})
    vals = sorted(float(p["stack_pressure"].split()[0]) for p in lhs.points())
    # a Latin hypercube puts exactly one sample in each eighth of the range
    assert [int(v // 1.0) for v in vals] == list(range(8))
    assert len({d.id for d in lhs.designs()}) == 8


def test_bad_study_file_one_line_per_problem(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('name = "bad"\nstack = "example-4"\nmodel = "XYZ"\nfoo = 1\n'
                 '[[axes]]\npath = "layers[12].thickness"\nvalues = ["5 um"]\n'
                 '[[axes]]\npath = "stack_pressure"\nvalues = ["5"]\n'
                 '[[axes]]\npath = "layers[1].thickness"\nrange = ["5 um", "1 kg"]\nsteps = 2\n')
    r = cli("study", "run", str(p), "--store", str(tmp_path / "s"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert all(line.startswith(f"error: {p}: ") for line in lines), lines
    text = r.stderr
    assert "model: unknown model 'XYZ'" in text
    assert "foo: unknown field" in text
    assert "axes[0].path" in text and "out of range" in text
    assert "axes[1].values[0]" in text and "no unit" in text
    assert "axes[2].range" in text
    assert not (tmp_path / "s").exists()  # nothing written for a bad study


# ------------------------------------------------------------------------------------------------ 3 x 3 x 2
def test_grid_study_cli_store_and_duckdb(grid_study, grid_store):
    store = Store(grid_store)
    df = store.to_dataframe()
    assert len(df) == 18 and df["design_id"].is_unique
    assert set(df["status"]) == {"ok"}
    # DuckDB through the CLI: one group per inert-layer choice, 9 designs each
    r = cli("study", "show", str(grid_store), "--sql",
            "SELECT inert_layer, count(*) AS n FROM designs GROUP BY inert_layer ORDER BY inert_layer")
    assert r.returncode == 0, r.stderr
    assert "Cu" in r.stdout and "none" in r.stdout and r.stdout.count(" 9 ") == 2
    q = store.query("SELECT count(DISTINCT design_id) AS n, count(*) AS m FROM designs")
    assert int(q["n"][0]) == int(q["m"][0]) == 18
    # the patent's claim 2 needs an inert layer between the ductile layer and the electrode ([0017], FIG. 4):
    # every design with the Cu foil meets it, none without it does (the cathode side has no inert layer)
    assert set(df.loc[df["inert_layer"] == "Cu", "claim_2"]) == {"met"}
    assert set(df.loc[df["inert_layer"] == "none", "claim_2"]) == {"not met"}
    # stack pressure holds more of the face closed (the contact law's f_p = p / (p + p_h)): at fixed In and Cu
    # choice, the anode keeps at least as much contact at a higher pressure. (Capacity and retention need not
    # rise with it where the In foil reacts: more contact also lets the foil take more of the Li at its 0.62 V.)
    for _, g in df.groupby(["layers_1_thickness_um", "inert_layer"]):
        f_by_p = g.sort_values("stack_pressure_MPa")["contact_fraction_anode"].to_list()
        assert all(b >= a - 1e-9 for a, b in zip(f_by_p, f_by_p[1:], strict=False)), f_by_p
        assert f_by_p[-1] > f_by_p[0]
    # export
    out = grid_store.parent / "export.csv"
    r = cli("study", "export", str(grid_store), "--csv", str(out))
    assert r.returncode == 0, r.stderr
    import pandas as pd

    assert len(pd.read_csv(out)) == 18


def test_grid_study_python_api_same_rows(grid_study, grid_store, tmp_path):
    run = run_study(Study.from_file(grid_study), tmp_path / "api.store", workers=0)
    assert run.ran == 18 and run.failed == 0
    a = run.rows.sort_values("design_id").reset_index(drop=True)
    b = Store(grid_store).to_dataframe().sort_values("design_id").reset_index(drop=True)
    assert a["design_id"].to_list() == b["design_id"].to_list()
    _assert_same_outputs(a, b)
    again = run_study(Study.from_file(grid_study), tmp_path / "api.store", workers=0)
    assert again.ran == 0 and again.skipped == 18


def test_pareto_plot_written(grid_store, tmp_path):
    r = cli("study", "plot", str(grid_store), "--out", str(tmp_path / "fig"), "--color", "inert_layer")
    assert r.returncode == 0, r.stderr
    for name in ("pareto.png", "trends.png"):
        assert (tmp_path / "fig" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("pareto.svg", "trends.svg"):
        assert "<svg" in (tmp_path / "fig" / name).read_text()[:2000]
    r = cli("study", "plot", str(grid_store), "--color", "nope")
    assert r.returncode == 2 and r.stderr.startswith("error: --color:")


def test_pareto_mask_against_brute_force():
    import random

    rng = random.Random(1)
    x = [rng.random() for _ in range(40)]
    y = [rng.random() for _ in range(40)]
    mask = pareto_mask(x, y)
    for i in range(40):
        dominated = any(x[j] >= x[i] and y[j] >= y[i] and (x[j], y[j]) != (x[i], y[i]) for j in range(40))
        assert mask[i] == (not dominated)


def test_missing_store_is_an_input_error(tmp_path):
    r = cli("study", "show", str(tmp_path / "nothing"))
    assert r.returncode == 2 and "no such store folder" in r.stderr and "Traceback" not in r.stderr


# ------------------------------------------------------------------------------------------------ kill and resume
KILL_STUDY = """
name = "kill"
stack = "example-4"
model = "SPM"
cycles = 2

[[axes]]
path = "layers[1].thickness"
range = ["5 um", "100 um"]
steps = 6

[[axes]]
path = "stack_pressure"
values = ["0 MPa", "5 MPa", "50 MPa"]

[[axes]]
name = "inert layer"
path = "layers[2]"
values = ["keep", "none"]
labels = ["Cu", "none"]
"""


def _canonical(row: dict) -> bytes:
    """A stored row as bytes: its non-null columns as JSON (floats by their exact repr, NaN as NaN)."""
    return json.dumps({k: v for k, v in row.items() if v is not None}, sort_keys=True, default=str).encode()


def test_sigkill_then_resume(tmp_path):
    study = tmp_path / "kill.toml"
    study.write_text(KILL_STUDY)
    store = tmp_path / "kill.store"
    st = Store(store)
    total = len({d.id for d in Study.from_file(study).designs()})
    assert total == 36
    proc = subprocess.Popen([sys.executable, "-m", "solidstack.cli", "study", "run", str(study), "--store", str(store),
                             "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if st.designs_dir.is_dir() and len(st.done_ids()) >= 4:
                break
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI process and its workers (same session)
    finally:
        proc.wait(timeout=30)
    before = {r["design_id"]: _canonical(r) for r in st.rows()}
    assert 4 <= len(before) < total, f"{len(before)} designs stored before the kill"
    assert set(before) == st.done_ids()
    assert not any(p.suffix == ".parquet" for p in st.designs_dir.glob(".*")), "no half-written file is visible"
    r = cli("study", "run", str(study), "--store", str(store), "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert f"{len(before)} already stored" in r.stderr
    after = {r["design_id"]: _canonical(r) for r in st.rows()}
    assert len(after) == total
    for design, data in before.items():
        assert after[design] == data  # finished designs untouched by the rerun, byte for byte
    q = st.query("SELECT design_id, count(*) AS n FROM designs GROUP BY design_id")
    assert len(q) == total and set(q["n"]) == {1}
    # after the rerun every row is in the Parquet dataset itself, once, and no journal is left
    assert not list((store / "journal").glob("*.jsonl"))
    import duckdb

    raw = duckdb.sql(f"SELECT count(*), count(DISTINCT design_id) FROM read_parquet('{st.designs_dir}/*.parquet', "
                     "union_by_name = true)").fetchall()
    assert raw == [(total, total)]


# ------------------------------------------------------------------------------------------------ backends
SMALL = """
name = "backends"
stack = "example-4"
model = "SPM"
cycles = 1

[[axes]]
path = "layers[1].thickness"
values = ["5 um", "100 um"]

[[axes]]
path = "stack_pressure"
values = ["0 MPa", "50 MPa"]

[[axes]]
name = "inert layer"
path = "layers[2]"
values = ["keep", "none"]
labels = ["Cu", "none"]

[[axes]]
name = "cathode"
path = "layers[5].active.material"
values = ["NMC111", "LiNiO2"]
"""


def _assert_same_outputs(a, b):
    import numpy as np

    for c in OUTPUT_COLUMNS:
        if a[c].dtype.kind == "f":
            assert np.allclose(a[c].to_numpy(), b[c].to_numpy(), rtol=1e-9, atol=0, equal_nan=True), c
        else:
            assert a[c].to_list() == b[c].to_list(), c
    assert a["status"].to_list() == b["status"].to_list()


def test_same_rows_with_workers_1_2_and_dask(tmp_path):
    pytest.importorskip("dask.distributed")
    p = tmp_path / "small.toml"
    p.write_text(SMALL)
    study = Study.from_file(p)
    runs = {}
    for label, kw in (("w1", {"workers": 1}), ("w2", {"workers": 2}), ("dask", {"dask": "local", "workers": 2})):
        run = run_study(study, tmp_path / f"{label}.store", **kw)
        runs[label] = run.rows.sort_values("design_id").reset_index(drop=True)
    ref = runs["w1"]
    assert len(ref) == 16
    # the knowledge base has no LiNiO2 OCP curve: those 8 designs fail in the worker as input errors, with the
    # reason, and the sweep goes on
    bad = ref[ref["status"] == "input error"]
    assert len(bad) == 8 and set(bad["cathode"]) == {"LiNiO2"}
    assert all("OCP" in m for m in bad["message"])
    assert (ref["status"] == "ok").sum() == 8
    for label in ("w2", "dask"):
        assert runs[label]["design_id"].to_list() == ref["design_id"].to_list()
        _assert_same_outputs(runs[label], ref)
    # local workers run their numerical libraries single-threaded
    from solidstack.studies.execute import open_executor

    with open_executor(1) as (ex, _, _, _):
        assert ex.submit(os.getenv, "OMP_NUM_THREADS").result() == "1"
        assert ex.submit(os.getenv, "OPENBLAS_NUM_THREADS").result() == "1"


def test_store_rows_keep_resolved_stack(grid_store):
    df = Store(grid_store).to_dataframe()
    row = df.iloc[0]
    stack = json.loads(row["stack"])
    from solidstack.stack import Stack

    s = Stack.from_dict(stack)  # the stored stack is the resolved, valid stack of that design
    assert s.layers[1].thickness.to("um") == pytest.approx(row["layers_1_thickness_um"])
    assert s.stack_pressure.to("MPa") == pytest.approx(row["stack_pressure_MPa"])
    has_cu = any(la.type == "metal" and la.material == "Cu" for la in s.layers)
    assert has_cu == (row["inert_layer"] == "Cu")


def test_study_api_input_error():
    with pytest.raises(InputError) as e:
        Study.from_dict({"name": "x", "stack": "no-such-preset-xyz", "axes": []})
    assert "stack" in str(e.value)


def test_base_without_cycling_needs_a_protocol():
    from solidstack.stack import load_preset

    data = load_preset("example-4").to_dict()
    data.pop("cycling")
    with pytest.raises(InputError) as e:
        Study.from_dict({"name": "x", "stack": data})
    assert [p.where for p in e.value.problems] == ["protocol"]
    study = Study.from_dict({"name": "x", "stack": data, "cycles": 1,
                             "protocol": {"current_density": "0.2 mA/cm2", "lower_cutoff": "3.0 V", "upper_cutoff": "4.2 V"}})
    (d,) = study.designs()
    assert d.error is None and d.protocol["upper_V"] == pytest.approx(4.2) and d.protocol["current_density_A_m2"] == pytest.approx(2.0)


def test_shipped_example_study_parses():
    path = Path(__file__).resolve().parents[1] / "examples" / "study-in-pressure-cu.toml"
    study = Study.from_file(path)
    designs = study.designs()
    assert len(designs) == 18 and len({d.id for d in designs}) == 18 and all(d.error is None for d in designs)


def test_random_design_distributions_and_linked_paths():
    spec = {"name": "r", "stack": "example-4", "model": "SPM", "design": {"kind": "random", "samples": 12, "seed": 7},
            "axes": [{"path": "cycling.current_density", "distribution": "loguniform", "low": "0.1 mA/cm2", "high": "1 mA/cm2"},
                     {"path": "layers[3].mass", "distribution": "normal", "mean": "15 mg", "std": "0.5 mg"},
                     {"name": "anode fractions", "path": ["layers[3].active.fraction", "layers[3].electrolyte.fraction"],
                      "values": [[0.5, 0.5], [0.6, 0.4]]}]}
    a, b = Study.from_dict(spec).designs(), Study.from_dict(spec).designs()
    assert [d.id for d in a] == [d.id for d in b]  # the seed makes the sample reproducible
    cds = [d.values["cycling_current_density_mA_cm2"] for d in a]
    assert all(0.1 <= c <= 1.0 for c in cds) and len(set(cds)) == 12
    assert all(d.error is None for d in a)
    for d in a:
        anode = json.loads(d.stack_json)["layers"][3]
        # both fractions set together from one value of the linked axis, so they still sum to 1
        assert anode["active"]["fraction"] + anode["electrolyte"]["fraction"] == pytest.approx(1.0)
        assert d.values["anode_fractions"] == json.dumps([anode["active"]["fraction"], anode["electrolyte"]["fraction"]])
    with pytest.raises(InputError) as e:  # a distribution has no grid
        Study.from_dict({**spec, "design": {"kind": "grid"}})
    assert any("distribution" in p.where for p in e.value.problems)


def test_current_axis_over_protocol_override():
    """A current axis (as ``current_density`` or ``current``) sets each design's current, over the study's
    ``[protocol]`` override and whichever way the base stack writes its current; the list axis is validated."""
    for path in ("cycling.current_density", "cycling.current"):
        study = Study.from_dict({"name": "j", "stack": "example-4", "model": "SPM", "cycles": 1,
                                 "protocol": {"current_density": "0.3 mA/cm2"},
                                 "axes": [{"path": path, "values": ["0.1 mA/cm2", "1 mA/cm2"]}]})
        designs = study.designs()
        assert all(d.error is None for d in designs), path
        # 0.1 and 1 mA/cm2 are 1 and 10 A/m2
        assert [d.protocol["current_density_A_m2"] for d in designs] == pytest.approx([1.0, 10.0]), path
    (d,) = Study.from_dict({"name": "j", "stack": "example-4", "cycles": 1,
                            "protocol": {"current_density": "0.3 mA/cm2"}}).designs()
    assert d.protocol["current_density_A_m2"] == pytest.approx(3.0)


def test_batches_one_structure_each_and_single_designs_at_the_tail():
    from solidstack.studies.execute import MAX_BATCH, batches

    study = Study.from_dict({"name": "b", "stack": "comparative", "cycles": 1, "axes": [
        {"path": "layers[1].thickness", "values": ["5 um", "50 um"]},   # the reacting foil: two structures
        {"path": "stack_pressure", "range": ["0 MPa", "50 MPa"], "steps": 20}]})
    designs = study.designs()
    assert len({d.group for d in designs}) == 2
    for workers in (1, 2, 3):
        out = batches(designs, workers)
        assert sorted(d.id for b in out for d in b) == sorted(d.id for d in designs)  # each design once
        assert all(len({d.group for d in b}) == 1 and 1 <= len(b) <= MAX_BATCH for b in out)
        singles = 0
        for b in reversed(out):
            if len(b) > 1:
                break
            singles += 1
        assert singles >= (workers * MAX_BATCH if workers > 1 else 0)
        assert max(map(len, out)) == MAX_BATCH  # the rest in full batches
