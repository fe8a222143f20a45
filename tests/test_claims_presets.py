"""The claim chart on the patent's own structures. Expected verdicts come from the patent's text: which layers
each figure/example has ([0065]-[0080], [0088]-[0099], [0108]-[0116]) and what the claims require."""

import tomllib
from pathlib import Path

import pytest

from solidstack.rules import check, claim_chart, load_claims
from solidstack.stack import Stack, load_preset

PRESETS = Path(__file__).resolve().parents[1] / "src" / "solidstack" / "stack" / "presets"


def _chart(name):
    return {c.number: c for c in claim_chart(load_preset(name))}


def _lims(result, lim_id, side):
    return [lr for lr in result.limitations if lr.id == lim_id and lr.side == side]


def test_claims_2_to_13_and_the_first_aspect_are_encoded():
    claims = load_claims()
    assert [n for n in claims if isinstance(n, int)] == list(range(2, 14))  # claim 1 is cancelled
    assert "[0015]" in claims
    # claim dependencies as printed: 3, 4, 5, 8 on 2; 6, 9 on 3; 7, 10 on 4; 11 on 5; 12 on 6; 13 on 7
    expected = {3: 2, 4: 2, 5: 2, 6: 3, 7: 4, 8: 2, 9: 3, 10: 4, 11: 5, 12: 6, 13: 7}
    assert {n: claims[n].depends_on for n in expected} == expected


@pytest.mark.parametrize("preset", ["fig-4", "fig-5", "fig-6", "example-4"])
def test_second_embodiment_structures_meet_claim_2(preset):
    # FIG. 4 (In/Cu anode side), FIG. 5 (Cu/In cathode side), FIG. 6 (both), Example 4 (= FIG. 4, [0115]).
    assert _chart(preset)[2].verdict == "met"


def test_comparative_example_does_not_meet_claim_2():
    # [0116]: Example 4 without the Cu foil: In on both sides, no inert metal layer anywhere.
    c = _chart("comparative")[2]
    assert c.verdict == "not met"
    (anode_inert,) = _lims(c, "2.8", "anode")
    assert anode_inert.verdict == "not met" and "no inert metal layer" in anode_inert.finding.evidence
    assert all(_chart("comparative")[n].verdict == "not met" for n in range(3, 14))


def test_reference_example_in_fails_inertness_against_graphite():
    # [0099], [0104]: the anode-side In reacts with Li ~0.5 V above graphite's potential.
    c = _chart("reference")["[0015]"]
    (anode,) = _lims(c, "A.7", "anode")
    assert anode.verdict == "not met" and "In" in anode.finding.feature and "stores Li+" in anode.finding.evidence
    (cathode,) = _lims(c, "A.7", "cathode")
    assert cathode.verdict == "met"  # In does not store Li+ in NMC111's 1-5 V ([0035], [0038])


def test_example_3_in_layers_pass_against_lto():
    # [0097]-[0098]: In foil on both sides of a Li4Ti5O12 / NMC111 cell; LTO works at ~1.55 V, above In's ~0.6 V.
    c = _chart("example-3")["[0015]"]
    assert all(lr.verdict == "met" for lr in c.limitations if lr.id == "A.7")
    assert c.verdict == "met"
    chk = check(load_preset("example-3"))
    (anode_in,) = [lv for lv in chk.layers if lv.side == "anode"]
    assert anode_in.assessment.metal.symbol == "In" and anode_in.assessment.physical.verdict == "inert"


def test_dependent_claims_on_figure_4():
    c = _chart("fig-4")
    assert [c[n].verdict for n in (3, 4, 5, 6, 7)] == ["met"] * 5  # In ductile, Cu inert next to graphite
    # Claims 8-13 need an inert layer on the cathode side; FIG. 4 has only In there ([0065]).
    assert {c[n].verdict for n in range(8, 14)} == {"not met"}


def test_figure_5_cathode_cu_is_not_in_the_claim_8_group():
    # Claim 8's group (Li, In, Zn, Al, Ca, Zr, Sn, W, Ti, Fe, Nb, Ni, V, Pd, Mn, Mo) has no Cu.
    c = _chart("fig-5")[8]
    (lim,) = _lims(c, "8.2", "cathode")
    assert c.verdict == "not met" and lim.verdict == "not met" and "Cu is not" in lim.finding.evidence


def _with_cathode_side(layers):
    data = tomllib.loads((PRESETS / "example-1.toml").read_text())
    body = [la for la in data["layers"] if la["type"] != "metal" or la["material"] != "In"]
    i = next(k for k, la in enumerate(body) if la["type"] == "cathode")
    data["layers"] = body[: i + 1] + layers + body[i + 1:]
    return Stack.from_dict(data)


def test_user_stack_with_al_inert_layer_meets_claim_8():
    # cathode side NMC111 / Al (inert) / In (ductile): Al is in claim 8's group; Al alloys with Li only below
    # ~0.4 V (Huggins 2009), far below NMC111's window; Example 1's anode side (Li only) has no inert layer.
    s = _with_cathode_side([
        {"type": "metal", "material": "Al", "thickness": "15 um"},
        {"type": "metal", "material": "In", "thickness": "100 um"},
    ])
    c = {r.number: r for r in claim_chart(s)}
    assert c[2].verdict == "met" and c[8].verdict == "met"
    assert c[5].verdict == "not met" and c[11].verdict == "not met"


@pytest.mark.parametrize(
    ("ductile", "expected"),
    [
        # Brinell hardness: In 8.83 MPa; Pb 38.3 MPa (both WebElements); Pb is harder -> claim 4 not met.
        ("Pb", "not met"),
        # K: Brinell 0.363 MPa (WebElements), far softer than In; K conducts no Li+ but is a metal layer all the same.
        ("K", None),
    ],
)
def test_claim_4_softer_than_in(ductile, expected):
    s = _with_cathode_side([
        {"type": "metal", "material": "Ni", "thickness": "15 um"},
        {"type": "metal", "material": ductile, "thickness": "100 um"},
    ])
    (lim,) = _lims({r.number: r for r in claim_chart(s)}[4], "4.1", "cathode")
    if expected:
        assert lim.verdict == expected
    else:
        assert lim.verdict == "met" and "Brinell" in lim.finding.evidence
