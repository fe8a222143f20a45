"""``particle_size`` of an active (the D50 diameter): the simulation's particle radius is D50 / 2, the contact law's
separation length follows it, smaller particles deliver more at a high rate, and bad values exit 2 with one line."""

from __future__ import annotations

from typing import Any

import pytest

from _stacks import graphite_nmc111_cell, stack_toml, validate_exits_2
from solidstack.materials import default_catalog
from solidstack.sim import simulate
from solidstack.sim.data_files import default_constants
from solidstack.sim.hosts import find_hosts
from solidstack.sim.run import separation_length_m
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _data(cathode_d50: Any = None, anode_d50: Any = None) -> dict:
    """The graphite | Li6PS5Cl | NMC111 test cell (1 cm2, N/P ~1.5, cathode-limited; tests/_stacks.py) with the
    actives' particle sizes given (None: left out), sized by hand below."""
    def d50(value: Any) -> dict:
        return {"particle_size": value} if value is not None else {}

    return graphite_nmc111_cell("particle-size test cell", cathode_active=d50(cathode_d50), anode_active=d50(anode_d50))


def test_radius_is_half_the_d50_in_the_pybamm_parameters():
    # D50 10 um -> radius 5 um; D50 3 um -> radius 1.5 um (hand: r = D50 / 2)
    r = simulate(Stack.from_dict(_data("10 um", "3 um")), cycles=1, current="C/5", window="3.0:4.2", model="SPM",
                 contact_loss=False)
    assert r.parameter_values["Positive particle radius [m]"] == pytest.approx(5.0e-6, rel=1e-12)
    assert r.parameter_values["Negative particle radius [m]"] == pytest.approx(1.5e-6, rel=1e-12)


def test_without_particle_size_the_transport_entry_radius_stays():
    stack = Stack.from_dict(_data())
    hosts = find_hosts(stack)
    cat = default_catalog()
    assert hosts.cathode[0].radius == cat.transport("NMC111.Li")["radius_m"]
    assert hosts.anode[0].radius == cat.transport("graphite.Li")["radius_m"]


def test_separation_length_is_c_lambda_times_half_the_d50():
    # the contact law's lambda = separation_radii x particle radius (contact.toml): with D50 12 um, 6 um radii
    hosts = find_hosts(Stack.from_dict(_data("12 um")))
    c_lambda = default_constants().law["separation_radii"]
    assert separation_length_m(hosts, "cathode") == pytest.approx(c_lambda * 6.0e-6, rel=1e-12)


def test_d50_is_shown_in_the_breakdown_and_round_trips():
    from solidstack.metrics import breakdown

    stack = Stack.from_dict(_data("10 um"))
    row = breakdown(stack).layers[3]
    assert row.particle_size_um == pytest.approx(10.0) and "D50 10 um" in row.material
    assert Stack.from_dict(stack.to_dict()).cathode.active.particle_size.si == pytest.approx(1e-5)


def test_smaller_particles_deliver_more_at_a_high_rate(no_interphase):
    """Solid diffusion in the cathode particles, estimated by hand from the NMC111 transport entry (D, read below):
    t_d = r^2 / D. Today D = 4.0e-15 m2/s (transport.toml, Mohtat 2020): D50 2 um (r = 1 um): t_d = 1e-12 / 4e-15 =
    250 s, far below a 1C half cycle (3600 s), so the particles fill and empty nearly at equilibrium; D50 20 um
    (r = 10 um): t_d = 1e-10 / 4e-15 = 25,000 s (7 h), far above it, so only a shell of depth ~sqrt(D t) = sqrt(4e-15
    x 3600) = 3.8 um reacts before the surface reaches the cut-off: at most 1 - (1 - 3.8/10)^3 = 76 % of the
    particle. At C/20 (t_half = 72,000 s per half cycle): with a constant flux the quasi-steady parabolic profile
    in a sphere leaves the surface c_s - c_avg = j R / (5 D) ahead of the mean, with j = (R / 3) c_max dx/dt, so the
    cut-off is reached with a share t_d / (15 t_half) of the window not yet used: 25,000 / (15 x 72,000) = 2.3 % for
    the 20 um particles (0.02 % for 2 um) on the charge, and about as much again on the discharge that follows.
    Both interphases are off (rate constants 0): they scale with the particle surface (3/r), and the Li the SE's
    oxidation gives the graphite would otherwise make up part of its SEI loss in the small particles only; this
    test is about solid diffusion."""
    D = default_catalog().transport("NMC111.Li")["diffusivity_m2_s"]
    t_small, t_big = (1e-6) ** 2 / D, (10e-6) ** 2 / D
    assert t_small < 3600 / 10 and t_big > 3600  # the premise of the estimate holds for the shipped D
    q = {}
    for rate in ("C/20", "1C"):
        for d50 in ("2 um", "20 um"):
            r = simulate(Stack.from_dict(_data(d50)), cycles=1, current=rate, window="3.0:4.2", model="SPM",
                         contact_loss=False, constants=no_interphase)
            q[rate, d50] = float(r.cycles["discharge_capacity_mAh_g"].iloc[0])
            q[rate, d50, "charge"] = float(r.cycles["charge_capacity_mAh_g"].iloc[0])
    missed = t_big / (15 * 72_000)  # the share of the window the 20 um particles leave at C/20 (hand, above)
    assert q["C/20", "20 um", "charge"] / q["C/20", "2 um", "charge"] == pytest.approx(1 - missed, abs=0.01)
    assert 1 - 2 * missed - 0.01 < q["C/20", "20 um"] / q["C/20", "2 um"] < 1.0  # slow: the size hardly matters
    assert q["1C", "2 um"] > 0.9 * q["C/20", "2 um"]  # t_d << t: small particles keep their capacity at 1C
    assert q["1C", "20 um"] < 0.76 * q["1C", "2 um"]  # t_d >> t: at most the ~3.8 um shell of the estimate


# ----------------------------------------------------------------------------------------- bad input, exit 2
def _anode_d50_toml(d50: Any) -> str:
    """The test cell's TOML text with graphite's particle size ``d50`` as TOML writes it ("-5 um" quoted, 10 a bare
    number)."""
    return stack_toml(_data(anode_d50=d50))


def _li_anode_toml() -> str:
    """The test cell with a 20 um Li foil for its anode, given a particle size (a foil has none)."""
    data = _data()
    data["layers"][1] = {"type": "anode", "thickness": "20 um", "porosity": 0.0,
                         "active": {"material": "Li", "fraction": 1.0, "particle_size": "10 um"}}
    return stack_toml(data)


@pytest.mark.parametrize(
    ("text", "where", "needle"),
    [
        (_anode_d50_toml("-5 um"), "layers[1].active.particle_size", "at least"),
        (_anode_d50_toml("0 um"), "layers[1].active.particle_size", "at least"),
        (_anode_d50_toml(10), "layers[1].active.particle_size", "unit"),
        (_anode_d50_toml("10 mA"), "layers[1].active.particle_size", "length"),
        (_anode_d50_toml("1 mm"), "layers[1].active.particle_size", "implausibly large"),
        (_anode_d50_toml("1 nm"), "layers[1].active.particle_size", "at least"),
        (_li_anode_toml(), "layers[1].active.particle_size", "no particle size"),
    ],
)
def test_bad_particle_size_is_one_located_line_exit_2(tmp_path, text, where, needle):
    path = tmp_path / "cell.toml"
    path.write_text(text, encoding="utf-8")
    validate_exits_2(path, f"{where}:", needle)
