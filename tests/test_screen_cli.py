"""``solidstack screen`` and ``solidstack claims`` run as a user would: formats, presets, files, errors."""

import csv
import io
import json
import subprocess
import sys

import pytest

from solidstack.materials import catalog
from solidstack.stack import preset_names


def run(*args):
    return subprocess.run([sys.executable, "-m", "solidstack.cli", *args], capture_output=True, text=True)


def test_screen_json_records():
    r = run("screen", "--anode", "graphite", "--ion", "Li", "--format", "json")
    assert r.returncode == 0, r.stderr
    recs = json.loads(r.stdout)
    assert len(recs) == len(catalog.metals())
    assert {"metal", "patent_verdict", "physical_verdict", "reactions", "sources"} <= set(recs[0])
    assert {x["physical_verdict"] for x in recs} <= {"inert", "reacts", "uncertain"}
    by = {x["metal"]: x for x in recs}
    assert by["In"]["physical_verdict"] == "reacts" and by["Cu"]["physical_verdict"] == "inert"
    # practical ranking (the default): radioactive metals (no stable isotope: Th, U, Pm) last, flagged; among the
    # others no reacting metal above an inert one
    radioactive = [x["metal"] for x in recs if x["radioactive"]]
    assert sorted(radioactive) == ["Pm", "Th", "U"]
    assert [x["metal"] for x in recs[-3:]] == radioactive
    assert all("radioactive" in x["practicality_flags"] for x in recs if x["radioactive"])
    order = [x["physical_verdict"] for x in recs if not x["radioactive"]]
    assert order.index("reacts") > max(i for i, v in enumerate(order) if v == "inert")
    # --no-practical: the chemistry alone, as before (Th, eligible and inert next to graphite, comes back up)
    plain = json.loads(run("screen", "--anode", "graphite", "--format", "json", "--no-practical").stdout)
    order = [x["physical_verdict"] for x in plain]
    assert order.index("reacts") > max(i for i, v in enumerate(order) if v == "inert")
    assert [x["metal"] for x in plain].index("Th") < 5


def test_screen_graphite_does_not_rank_a_radioactive_metal_first_and_says_how_it_ranks():
    r = run("screen", "--anode", "graphite")
    assert r.returncode == 0, r.stderr
    import re

    first = re.search(r"^\s*1\s+([A-Z][a-z]?)\s", r.stdout, re.M).group(1)  # the row ranked 1: "1 <metal> ..."
    assert first not in ("Th", "U", "Pm")
    assert "radioactive metals last" in " ".join(r.stdout.split())


@pytest.mark.parametrize("args,ion", [(("--anode", "hard_carbon", "--ion", "Na"), "Na"), (("--cathode", "NMC811"), "Li")])
def test_aluminium_is_inert_with_a_passivation_caveat_and_its_source(args, ion):
    # Al does not alloy with Na (no Na-Al compounds, Massalski 1990), and its Al2O3/AlF3 film keeps it from
    # corroding as the positive collector up to ~4.5 V vs Li+/Li (Myung et al., J. Mater. Chem. 21 (2011) 9891);
    # hard carbon's window (0-1.5 V vs Na+/Na) and NMC811's (3.0-4.3 V vs Li+/Li) are inside that range, although
    # Al's standard potential (-1.662 V vs SHE) lies below both windows' tops (1.05 V vs Na+/Na, 1.38 V vs Li+/Li)
    r = run("screen", *args, "--format", "json")
    assert r.returncode == 0, r.stderr
    al = next(x for x in json.loads(r.stdout) if x["metal"] == "Al")
    assert al["physical_verdict"] == "inert"
    caveat = " ".join(al["caveats"])
    assert "film" in caveat and f"V vs {ion}+/{ion}" in caveat
    assert "myung2011" in caveat
    assert any("Myung" in s for s in al["sources"])
    # the same metal is still flagged where its film is not known to hold: a window above 4.5 V vs Li+/Li
    if ion == "Li":
        hi = json.loads(run("screen", *args, "--window", "3.0:4.8", "--format", "json").stdout)
        assert next(x for x in hi if x["metal"] == "Al")["physical_verdict"] == "uncertain"


def test_screen_cathode_csv_and_table():
    r = run("screen", "--cathode", "NMC111", "--role", "inert", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == len(catalog.metals()) and rows[0]["role"] == "inert"
    t = run("screen", "--cathode", "NMC111")
    assert t.returncode == 0 and "listed, not eligible" in t.stdout and "[0064]" in t.stdout


@pytest.mark.parametrize(("active", "ion"), [("hard_carbon", "Na"), ("graphite", "K"), ("K2Mn[Fe(CN)6]", "K")])
def test_screen_na_and_k(active, ion):
    # [0086]: the invention covers Na+ and K+ cells; the patent gives no metal lists for them.
    side = "--cathode" if catalog.active(active, ion).role == "cathode" else "--anode"
    r = run("screen", side, active, "--ion", ion, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert all(x["ion"] == ion and x["patent_lists"] is None for x in json.loads(r.stdout))


@pytest.mark.parametrize("preset", preset_names())
def test_claims_on_every_preset(preset):
    r = run("claims", preset, "--format", "json")
    assert r.returncode == 0, r.stderr
    recs = json.loads(r.stdout)
    assert [x["claim"] for x in recs][:12] == list(range(2, 14))
    assert all(x["verdict"] in ("met", "not met", "undetermined") and x["limitations"] for x in recs)


def test_claims_table_and_markdown(tmp_path):
    md = run("claims", "example-4", "--format", "markdown")
    assert md.returncode == 0 and "## Claim 2: met" in md.stdout and "| limitation |" in md.stdout
    tb = run("claims", "fig-6")
    assert tb.returncode == 0 and "claim chart" in tb.stdout and "metal layers" in tb.stdout


def test_claims_on_a_user_file(tmp_path, example1_dict):
    import tomli_w

    f = tmp_path / "mine.toml"
    f.write_bytes(tomli_w.dumps(example1_dict).encode())
    r = run("claims", str(f), "--format", "json", "--window-basis", "cycling")
    assert r.returncode == 0, r.stderr
    assert {x["claim"]: x["verdict"] for x in json.loads(r.stdout)}[2] == "not met"  # Example 1 has no inert layer


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("screen", "--anode", "NMC111"), "NMC111 is a cathode active material"),
        (("screen", "--cathode", "graphite"), "graphite is an anode active material"),
        (("screen", "--anode", "grafite"), "unknown active material 'grafite'"),
        (("screen", "--anode", "graphite", "--ion", "Mg"), "unknown working ion 'Mg'"),
        (("screen", "--anode", "graphite", "--ion", "Na"), "graphite"),
        (("screen",), "exactly one of --anode or --cathode"),
        (("screen", "--anode", "graphite", "--cathode", "NMC111"), "exactly one"),
        (("screen", "--anode", "graphite", "--format", "xml"), "--format"),
        (("screen", "--anode", "graphite", "--role", "soft"), "--role"),
        (("screen", "--anode", "graphite", "--window", "2,1"), "--window"),
        (("claims", "example-9"), "unknown preset 'example-9'"),
        (("claims", "example-4", "--format", "pdf"), "--format"),
        (("claims", "fig-1", "--window-basis", "cycling"), "no [cycling] section"),
        (("claims", "fig-1", "--anode-window", "x"), "--anode-window"),
    ],
)
def test_bad_arguments_one_line_exit_2(args, message):
    r = run(*args)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
