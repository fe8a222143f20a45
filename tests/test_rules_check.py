"""``solidstack.rules.check``: the result object and its renderings."""

import json

from rich.console import Console

from solidstack.rules import check, screen, screen_all
from solidstack.stack import load_preset


def test_check_result_layers_and_conversions():
    s = load_preset("example-4")
    chk = check(s)
    assert len(chk.layers) == len(s.interlayers)
    df = chk.to_dataframe()
    assert list(df["metal"]) == ["In", "Cu", "In"]  # collector to collector ([0115])
    assert set(chk.to_dataframe("claims")["verdict"]) <= {"met", "not met", "undetermined"}
    assert len(chk.to_dataframe("limitations")) == sum(len(c.limitations) for c in chk.claims)
    d = json.loads(chk.to_json())
    assert d["claims"][0]["claim"] == 2 and d["claims"][0]["verdict"] == "met"
    assert "<table" in chk._repr_html_()
    con = Console(record=True, width=200)
    con.print(chk)
    text = con.export_text()
    assert "claim chart" in text and "Example 4" in text


def test_in_behind_cu_is_shielded():
    # Example 4: Cu between In and graphite stops In from reacting ([0122]: CE 86 % vs 52 % without Cu).
    chk = check(load_preset("example-4"))
    anode_in = next(lv for lv in chk.layers if lv.side == "anode" and lv.assessment.metal.symbol == "In")
    assert anode_in.assessment.physical.verdict == "reacts"
    assert not anode_in.exposed and anode_in.shielded_by == ("Cu",) and anode_in.in_stack == "inert"
    comparative = check(load_preset("comparative"))
    exposed_in = next(lv for lv in comparative.layers if lv.side == "anode")
    assert exposed_in.exposed and exposed_in.in_stack == "reacts"


def test_screen_comparison_with_patent_lists():
    r = screen("graphite", "Li", "ductile")
    c = r.comparison
    assert c.paragraphs == ("[0063]",)
    assert "Au" in dict(c.listed_not_eligible)  # listed by the patent, alloys with Li below ~0.25 V
    assert "Cu" in dict(c.listed_and_eligible)
    listed = {"Li", "Cu", "Au", "Ti", "Fe", "Nb", "Ni"}  # [0063] as printed
    sorted_out = {m for group in (c.listed_and_eligible, c.listed_not_eligible, c.listed_uncertain) for m, _ in group}
    assert sorted_out == listed
    assert not listed & {m for m, _ in c.eligible_not_listed}


def test_screen_all_covers_every_ion():
    results = screen_all()
    assert {r.ion for r in results} == {"Li", "Na", "K"}
    assert all(len(r.assessments) == len(results[0].assessments) for r in results)
