"""Inverse design and design-around (``solidstack design``, ``solidstack.studies.design``), issue 10."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from solidstack.rules import check
from solidstack.stack import Stack
from solidstack.studies.inverse import design, pareto_layers

# one metal per role and one thickness keep this to 3 x 3 candidates per run
SMALL = ["--metals", "1", "--thickness", "10 um", "--cycles", "2", "--model", "spm"]


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "solidstack.cli", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def cli_result() -> dict:
    r = _run_cli("design", "--anode", "graphite", "--cathode", "NMC111", "--ion", "Li", "--pressure", "0 MPa",
                 "--min-retention", "0.85", "--workers", "2", "--format", "json", *SMALL)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_design_ranking_follows_recorded_objective(cli_result):
    ranked = cli_result["ranked"]
    assert cli_result["candidates"] == 9 and len(ranked) >= 5
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    for r in ranked:
        assert r["feasible"] == (r["retention"] >= 0.85)  # the constraint, from the recorded retention
        assert r["independent_claims"] in ("met", "not met", "undetermined") and r["claim_2"] in ("met", "not met", "undetermined")
    # feasible designs first, each group by specific energy, highest first
    keys = [(not r["feasible"], -r["specific_energy_Wh_kg"]) for r in ranked]
    assert keys == sorted(keys)


def test_design_around_members_fail_a_named_independent_limitation(cli_result):
    outside, inside = cli_result["outside_claims"], cli_result["inside_claims"]
    assert outside and inside
    by_id = {r["design_id"]: r for r in cli_result["ranked"]}
    for r in outside:
        assert r["independent_claims"] == "not met" and r["claim_2"] == "not met"
        assert r["claims_avoided"].startswith("claim 2 2.")
        assert by_id[r["design_id"]]["rank"] == r["rank"]
    for r in inside:
        assert r["claim_2"] == "met" and r["claims_avoided"] == ""
    # outside and inside lists are in rank order
    assert [r["rank"] for r in outside] == sorted(r["rank"] for r in outside)


def test_design_api_outside_claims_and_limitations(tmp_path):
    res = design("graphite", "NMC111", "Li", "0 MPa", metals=1, thicknesses=("10 um",), cycles=1, outside_claims=True,
                 workers=0, store=tmp_path / "store")
    assert len(res.ranked) > 0 and res.inside.empty
    assert set(res.ranked["independent_claims"]) == {"not met"}
    # each design-around member: its stored stack, checked again with rules.check, fails the limitations named
    rows = res.run.rows.set_index("design_id")
    for _, r in res.outside.iterrows():
        stack = Stack.from_dict(json.loads(rows.loc[r["design_id"], "stack"]))
        claim2 = check(stack).claim(2)
        assert claim2.verdict == "not met"
        named = [part.split(" ")[2] for part in r["claims_avoided"].split("; ")]
        found = {lr.id for lr in claim2.limitations if lr.verdict == "not met"}
        assert named and set(named) <= found


def test_pareto_layers_by_hand():
    # points: (3,1) (1,3) (2,2) are mutually non-dominated; (1,1) is dominated by all; (2,1.5) only by (2,2)
    x = [3, 1, 2, 1, 2]
    y = [1, 3, 2, 1, 1.5]
    assert pareto_layers(x, y) == [1, 1, 1, 3, 2]


def test_design_bad_input_one_line():
    r = _run_cli("design", "--anode", "NMC111", "--cathode", "graphite")
    assert r.returncode == 2 and r.stderr.startswith("error: --anode:") and "Traceback" not in r.stderr
    r = _run_cli("design", "--anode", "graphite", "--cathode", "NMC111", "--pressure", "5")
    assert r.returncode == 2 and r.stderr.startswith("error: --pressure:")
