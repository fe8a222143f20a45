"""Sn as a Na host (knowledge base) and the Na-Sn electrodes of the Hayashi 2012 and Deysher 2022 literature cases.

Independent numbers: the Na-Sn equilibrium plateaus of Yamamoto et al., J. Power Sources 237 (2013) 98 (GITT,
abstract); the Na15Sn4 capacity by hand; the Na : Sn ratio printed by Hayashi et al. 2012 (Methods); the N/P ratio
printed by Deysher et al. 2022.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

import solidstack.studies
from solidstack.errors import InputError
from solidstack.materials import default_catalog
from solidstack.sim.hosts import PLANAR_DOMAIN_M, PLANAR_FRACTION, find_hosts
from solidstack.sim.interphase import interphase_pairs
from solidstack.stack import Stack
from solidstack.stack.io import read_stack

CASES = Path(solidstack.studies.__file__).parent / "data" / "literature"
F_MAH = 26801.4  # Faraday constant in mAh/mol
M_SN = 118.71  # g/mol (IUPAC)
RHO_SN = 7.287  # g/cm3 (metals.csv row Sn)


def _planar_anode(stack_file: Path):
    stack = read_stack(stack_file)
    hosts = find_hosts(stack)
    host = hosts.anode[0]
    assert host.kind == "planar" and host.material == "Sn"
    return stack, hosts, host


def _held_mAh_cm2(host, x: float) -> float:
    """Na held by the planar host at stoichiometry x, mAh/cm2 (c_max is per m3 of the model's planar domain)."""
    return x * host.c_max * PLANAR_FRACTION * PLANAR_DOMAIN_M * F_MAH / 1e4


def test_sn_na_plateaus_are_yamamoto_2013_equilibrium_values():
    rx = default_catalog().reactions("Sn", "Na")
    steps = sorted(rx.steps, key=lambda s: s.step)
    # beta-Sn/NaSn2 0.53, NaSn2/alpha-NaSn 0.46, alpha-NaSn/Na9Sn4 0.16, Na9Sn4/Na15Sn4 0.08 V vs Na+/Na (abstract)
    assert [s.E_equilibrium_V for s in steps] == [0.53, 0.46, 0.16, 0.08]
    assert steps[-1].x_to == 3.75  # Na15Sn4


def test_sn_na_theoretical_capacity_by_hand():
    # Na15Sn4: 3.75 Na per Sn, Q = 3.75 x 26801.4 / 118.71 = 3.75 x 225.77 = 846.6 mAh/g (Deysher 2022 prints 847)
    sn = default_catalog().active("Sn", "Na")
    assert sn.theoretical_capacity_mAh_g == pytest.approx(846.6, abs=0.1)
    assert default_catalog().reactions("Sn", "Na").steps[-1].capacity_mAh_g == pytest.approx(846.6, abs=0.1)
    assert sn.practical_capacity_mAh_g < sn.theoretical_capacity_mAh_g


def test_hayashi_counter_is_na3sn_on_the_na9sn4_na15sn4_plateau():
    _, _, host = _planar_anode(CASES / "hayashi2012-nasn-na3ps4-tis2" / "nasn-tis2.toml")
    # Na : Sn ~ 3 (printed) lies between Na9Sn4 (2.25) and Na15Sn4 (3.75): the 0.08 V two-phase plateau, not the
    # 0 V of Na metal the case was written with before
    u0 = float(np.interp(host.x0, host.ocp.x, host.ocp.U_V))
    assert u0 == pytest.approx(0.08, abs=1e-6)
    assert host.x0 == pytest.approx(3.0 / 3.75)
    # 15 um of Sn at 7.287 g/cm3 holding 3 Na per Sn: 15e-4 x 7.287 / 118.71 x 3 x 26801.4 = 7.40 mAh/cm2
    assert _held_mAh_cm2(host, host.x0) == pytest.approx(15e-4 * RHO_SN / M_SN * 3 * F_MAH, rel=1e-3)


@pytest.mark.parametrize("cell", ["sn-nps-nacro2", "sn-nyzc-nacro2", "sn-nbh-nacro2"])
def test_deysher_sn_foil_gives_the_printed_np_ratio(cell):
    stack, _, host = _planar_anode(CASES / "deysher2022-sn-na-se-interphase" / f"{cell}.toml")
    anode = _held_mAh_cm2(host, 1.0)  # full Na15Sn4
    # cathode: 12 mg x 0.393 NaCrO2 x 120 mAh/g (the paper's basis) over 0.785 cm2
    cathode = 12e-3 * 0.393 * 120 / 0.785
    assert anode / cathode == pytest.approx(1.2, abs=0.02)  # N/P = 1.2 (printed)
    assert host.x0 < 0.01  # pristine Sn


def test_deysher_interphase_per_separator():
    # Na3PS4: reduction limit above the Sn plateaus -> an interphase; NBH: stable at 0 V vs Na (Duchene 2017 window,
    # Deysher 2022 'resistance to reduction even at 0 V') -> none; NYZC: no reduction limit in the knowledge base
    # (a data gap, so no interphase although Deysher 2022 shows it is reduced worst)
    expected = {"sn-nps-nacro2": True, "sn-nbh-nacro2": False, "sn-nyzc-nacro2": False}
    for cell, forms in expected.items():
        stack, hosts, _ = _planar_anode(CASES / "deysher2022-sn-na-se-interphase" / f"{cell}.toml")
        assert (interphase_pairs(stack, hosts)[0] is not None) is forms, cell


def test_sn_powder_composite_is_refused_with_one_line():
    # Sn with a binder is a particle composite: Sn-Na has no OCP table (only the foil staircase), so it is refused
    text = (CASES / "deysher2022-sn-na-se-interphase" / "sn-nbh-nacro2.toml").read_text()
    text = text.replace('active = { material = "Sn", fraction = 1.0 }',
                        'active = { material = "Sn", fraction = 0.995 }\nbinder = { material = "PVdF", fraction = 0.005 }')
    assert "PVdF" in text
    with pytest.raises(InputError, match="no OCP curve"):
        find_hosts(Stack.from_dict(tomllib.loads(text)))
