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
    # ranked: no reacting metal above an inert one
    order = [x["physical_verdict"] for x in recs]
    assert order.index("reacts") > max(i for i, v in enumerate(order) if v == "inert")


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
