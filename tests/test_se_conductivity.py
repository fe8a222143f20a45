"""``conductivity`` of a solid electrolyte in a stack file (the separator's, and a composite's electrolyte): the SE's
bulk ionic conductivity at the stack's temperature. The PyBaMM parameter is the value given (in S/m), a composite's own
value scales its effective conductivity, a lower conductivity delivers less at 1C, the value and its source are shown,
and bad values exit 2 with one located line."""

from __future__ import annotations

import math
from typing import Any

import pytest

from _stacks import graphite_nmc111_cell, stack_toml, validate, validate_exits_2
from solidstack.materials import default_catalog
from solidstack.sim import simulate
from solidstack.sim.hosts import find_hosts
from solidstack.sim.parameters import FROM_KB, FROM_STACK, build_parameters, se_conductivity, volume_fractions
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _data(separator: str | None = None, cathode: str | None = None, anode: str | None = None) -> dict:
    """The graphite | Li6PS5Cl | NMC111 test cell (1 cm2, N/P ~1.5, cathode-limited; tests/_stacks.py) with the SE
    conductivities given (None: left out, the knowledge base's value)."""
    def sigma(value: str | None) -> dict:
        return {"conductivity": value} if value is not None else {}

    return graphite_nmc111_cell("SE conductivity test cell", separator=sigma(separator),
                                cathode_electrolyte=sigma(cathode), anode_electrolyte=sigma(anode))


def _pv(data: dict):
    stack = Stack.from_dict(data)
    return stack, build_parameters(stack, find_hosts(stack), (3.0, 4.2))


def test_the_pybamm_conductivity_is_the_value_given_in_s_per_m():
    # hand conversion: 3 mS/cm = 3e-3 S / 1e-2 m = 0.3 S/m; 0.3 S/m is itself
    for text in ("3 mS/cm", "0.3 S/m", "3e-3 S/cm"):
        _, pv = _pv(_data(separator=text, cathode=text, anode=text))
        assert pv["Electrolyte conductivity [S.m-1]"] == pytest.approx(0.3, rel=1e-12)


def test_left_out_the_knowledge_base_value_is_used():
    # electrolytes.csv: Li6PS5Cl 1.33e-3 S/cm (Boulineau 2012) = 0.133 S/m
    stack, pv = _pv(_data())
    assert default_catalog().electrolyte("Li6PS5Cl").conductivity_S_cm == pytest.approx(1.33e-3)
    assert pv["Electrolyte conductivity [S.m-1]"] == pytest.approx(0.133, rel=1e-12)
    assert se_conductivity(stack, "separator") == (pytest.approx(0.133), FROM_KB)


def test_a_composites_own_conductivity_scales_its_effective_conductivity():
    """PyBaMM has one electrolyte conductivity (the separator's); a composite whose SE is given twice the
    separator's must conduct twice as well as the same composite with the separator's value, with the same
    tortuosity law on top: sigma_sep eps**b' = 2 sigma_sep eps**b."""
    _, same = _pv(_data(separator="1 mS/cm", cathode="1 mS/cm", anode="1 mS/cm"))
    stack, double = _pv(_data(separator="1 mS/cm", cathode="2 mS/cm", anode="0.5 mS/cm"))
    for side, factor in (("cathode", 2.0), ("anode", 0.5)):
        eps = volume_fractions(stack, side)[1]
        D = "Positive" if side == "cathode" else "Negative"
        b_same = same[f"{D} electrode Bruggeman coefficient (electrolyte)"]
        b_new = double[f"{D} electrode Bruggeman coefficient (electrolyte)"]
        assert 0.1 * eps ** b_new == pytest.approx(factor * 0.1 * eps ** b_same, rel=1e-9)
    # the separator keeps Bruggeman 1.5 and the value given
    assert double["Separator Bruggeman coefficient (electrolyte)"] == 1.5
    assert double["Electrolyte conductivity [S.m-1]"] == pytest.approx(0.1, rel=1e-12)


def test_a_lower_conductivity_delivers_less_at_1c(no_interphase):
    """Ohmic drop across the separator alone, by hand: 1C on 10 mg/cm2 x 0.7 x ~155 mAh/g ~ 1.1 mA/cm2 = 11 A/m2,
    L = 100 um, eps = 0.85, Bruggeman 1.5 (eps**1.5 = 0.78): drop = i L / (sigma eps**1.5) = 11 x 1e-4 / (sigma x
    0.78) = 5 mV at 3 mS/cm (0.3 S/m), 14 mV at 1 mS/cm and 47 mV at 0.3 mS/cm (0.03 S/m); the composites (less SE,
    more tortuous: eps 0.2-0.35) add several times as much, so the 0.3 mS/cm cell reaches its cut-offs clearly
    earlier, while at C/5 (a fifth of every drop) the three nearly agree. The SPMe carries the electrolyte's
    potential drop (the SPM would not)."""
    q = {}
    for rate in ("C/5", "1C"):
        for sigma in ("3 mS/cm", "1 mS/cm", "0.3 mS/cm"):
            r = simulate(Stack.from_dict(_data(sigma, sigma, sigma)), cycles=1, current=rate, window="3.0:4.2",
                         model="SPMe", contact_loss=False, constants=no_interphase)  # this test is about ion transport
            q[rate, sigma] = float(r.cycles["discharge_capacity_mAh_g"].iloc[0])
    assert q["1C", "3 mS/cm"] > q["1C", "1 mS/cm"] > q["1C", "0.3 mS/cm"] > 0.0
    assert q["1C", "0.3 mS/cm"] < 0.9 * q["1C", "3 mS/cm"]  # a drop of ~0.1-0.3 V ends the discharge early
    assert q["C/5", "0.3 mS/cm"] > 0.9 * q["C/5", "3 mS/cm"]  # a fifth of the drop: little lost at C/5
    assert q["C/5", "3 mS/cm"] > q["1C", "3 mS/cm"]


def test_the_value_and_its_source_are_shown_and_round_trip():
    from solidstack.metrics import breakdown

    stack = Stack.from_dict(_data(separator="3 mS/cm", cathode="2 mS/cm"))
    rows = breakdown(stack).layers
    assert "3 mS/cm, stack file" in rows[2].material and "SE Li6PS5Cl 2 mS/cm, stack file" in rows[3].material
    assert "stack file" not in rows[1].material
    assert se_conductivity(stack, "separator") == (pytest.approx(0.3), FROM_STACK)
    assert se_conductivity(stack, "cathode") == (pytest.approx(0.2), FROM_STACK)
    assert se_conductivity(stack, "anode") == (pytest.approx(0.133), FROM_KB)
    again = Stack.from_dict(stack.to_dict())
    assert again.separator.conductivity_S_m() == pytest.approx(0.3) and str(again.separator.conductivity) == "3 mS/cm"


def test_provenance_names_the_source():
    r = simulate(Stack.from_dict(_data(separator="3 mS/cm")), cycles=1, current="C/5", window="3.0:4.2", model="SPM",
                 contact_loss=False)
    sigma = r.provenance["se_conductivity"]
    assert sigma["separator"] == {"S_m": pytest.approx(0.3), "source": FROM_STACK}
    assert sigma["cathode"]["source"] == FROM_KB and math.isclose(sigma["cathode"]["S_m"], 0.133)


# ----------------------------------------------------------------------------------------- bad input, exit 2
def _toml(separator_sigma: Any, cathode_sigma: Any = "1 mS/cm") -> str:
    """The test cell's TOML text with these values (as TOML writes them: "3 mS/cm" quoted, 3 a bare number, True
    ``true``) as the separator's and the cathode SE's conductivity."""
    return stack_toml(graphite_nmc111_cell("bad SE conductivity", separator={"conductivity": separator_sigma},
                                           cathode_electrolyte={"conductivity": cathode_sigma}))


def test_a_good_file_validates(tmp_path):
    p = tmp_path / "ok.toml"
    p.write_text(_toml("3 mS/cm", "0.3 S/m"), encoding="utf-8")
    r = validate(p)
    assert r.returncode == 0 and r.stdout.startswith("ok: "), r.stderr


@pytest.mark.parametrize(
    ("separator", "cathode", "where", "needle"),
    [
        ("3", "1 mS/cm", "layers[2].conductivity", "has no unit"),
        (3, "1 mS/cm", "layers[2].conductivity", "has no unit"),
        ("3 mA/cm", "1 mS/cm", "layers[2].conductivity", "is not a conductivity"),
        ("3 ohm", "1 mS/cm", "layers[2].conductivity", "is not a conductivity"),
        ("-3 mS/cm", "1 mS/cm", "layers[2].conductivity", "at least 1e-06 mS/cm"),
        ("0 S/m", "1 mS/cm", "layers[2].conductivity", "at least 1e-06 mS/cm"),
        ("1e-9 mS/cm", "1 mS/cm", "layers[2].conductivity", "at least 1e-06 mS/cm"),
        ("2 S/cm", "1 mS/cm", "layers[2].conductivity", "more than 100 mS/cm"),
        (True, "1 mS/cm", "layers[2].conductivity", "conductivity"),
        ("3 mS/cm", "nan mS/cm", "layers[3].electrolyte.conductivity", "not a number"),
        ("3 mS/cm", "500 mS/cm", "layers[3].electrolyte.conductivity", "more than 100 mS/cm"),
    ],
)
def test_bad_conductivity_exits_2_with_one_located_line(tmp_path, separator, cathode, where, needle):
    p = tmp_path / "bad.toml"
    p.write_text(_toml(separator, cathode), encoding="utf-8")
    validate_exits_2(p, where, needle)
