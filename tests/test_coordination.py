"""SE contacts per active particle and what contact loss strands (sim/coordination.py; contact.toml [coordination];
README, contact loss), against independent numbers: a random close packing's coordination, a DEM count of a binary
mixture, and hand calculations written out."""

import pandas as pd
import pytest

from solidstack.sim import simulate
from solidstack.sim.calibration import literature_stack
from solidstack.sim.coordination import connected_share, contacts_per_particle, se_contacts
from solidstack.sim.data_files import default_constants
from solidstack.sim.hosts import find_hosts
from solidstack.stack import Stack, resolve

ZHOU = "zhou2025-ncm811-lpscl-li-pressure-microstructure"
ETA = default_constants().files["contact.toml"]["coordination"]["shell_coverage"]


def _volume_fractions(mass_fraction_large: float) -> tuple[float, float]:
    """Volume fractions (large, small) of a binary mixture of one material (equal densities): the mass fractions."""
    return mass_fraction_large, 1.0 - mass_fraction_large


def test_equal_spheres_touch_six_neighbours():
    # Bernal & Mason 1960: a random close packing of equal spheres has ~6 contacts per sphere (isostatic: 6).
    # A sphere among equal ones (R = r, all neighbours of the one kind): Z = 4 eta (1 + 1)^2.
    assert contacts_per_particle(1e-6, 1e-6, 0.0, 0.6, ETA) == pytest.approx(6.0, rel=0.05)


def test_a_large_particle_among_small_ones_touches_as_many_as_a_dem_count():
    # Independent DEM of glass beads, 180 and 40 um (size ratio 4.5; cell_dem_binary_shear, Figs. 13-14): 45
    # small-large contacts per large particle in the small-rich mixture. A large particle at 5 % of the volume
    # among small ones: S_SE = (0.95 / 1) / (0.95 / 1 + 0.05 / 4.5) = 0.988; Z = 4 x 0.375 x 5.5^2 x 0.988 = 44.9.
    phi_l, phi_s = _volume_fractions(0.05)
    z = contacts_per_particle(4.5e-6, 1e-6, phi_l, phi_s, ETA)
    assert z == pytest.approx(45.0, rel=0.15)


def test_the_count_falls_as_the_large_particles_share_rises():
    # The DEM count falls to 12 in the large-rich mixture; at 90 wt% large: S = 0.1 x 4.5 / (0.45 + 0.9) = 1/3,
    # Z = 45.4 / 3 = 15.1, within a factor 1.5 of 12 (the DEM's mixtures' compositions are not in the excerpt read).
    zs = [contacts_per_particle(4.5e-6, 1e-6, *_volume_fractions(x), ETA) for x in (0.1, 0.3, 0.5, 0.7, 0.9)]
    assert zs == sorted(zs, reverse=True)
    assert 12.0 / 1.5 <= zs[-1] <= 12.0 * 1.5


def test_grains_larger_than_the_active_particle_give_one_contact():
    # r = 10 um SE grains around a 1 um active particle: the shell holds 4 x 0.375 x 1.1^2 = 1.8 grain sections and
    # only a share of them are SE; floored at one contact (the law as without a particle size).
    assert contacts_per_particle(1e-6, 10e-6, 0.5, 0.5, ETA) == 1.0


def test_a_particle_is_stranded_only_when_all_its_contacts_are_open():
    # Hand calculation: with 35 % of the contacts closed, a particle with one contact is connected with
    # probability 0.35, with two 1 - 0.65^2 = 0.5775, with 100 essentially surely.
    assert connected_share(0.35, 1.0) == pytest.approx(0.35)
    assert connected_share(0.35, 2.0) == pytest.approx(0.5775)
    assert connected_share(0.35, 100.0) > 1.0 - 1e-15


def test_a_stack_without_an_se_particle_size_keeps_one_contact():
    stack = resolve("example-1")
    hosts = find_hosts(stack)
    assert se_contacts(stack, hosts, "cathode") == 1.0
    assert se_contacts(stack, hosts, "anode") == 1.0


def test_zhou_fine_se_gives_many_more_contacts_than_coarse():
    # Zhou 2025: NCM811 (model radius 5.22 um) with ~1 um or ~20 um Li6PS5Cl
    fine, coarse = literature_stack(ZHOU, "fine-2MPa"), literature_stack(ZHOU, "coarse-2MPa")
    z_fine = se_contacts(fine, find_hosts(fine), "cathode")
    z_coarse = se_contacts(coarse, find_hosts(coarse), "cathode")
    assert z_fine > 50.0 * z_coarse
    assert 1.0 <= z_coarse < 2.0


@pytest.fixture(scope="module")
def zhou_2mpa():
    return {kind: simulate(literature_stack(ZHOU, f"{kind}-2MPa"), cycles=20, save_at_cycles=[1])
            for kind in ("fine", "coarse")}


def test_fine_se_keeps_more_contact_at_low_pressure(zhou_2mpa):
    # Zhou 2025 (Fig. 2c, grade B): at 2 MPa the fine-LPSC cathode keeps 85.6 % at cycle 100, the coarse 63.3 %: the
    # fine SE's cathode keeps more of its active material connected at the same pressure.
    fine, coarse = (zhou_2mpa[k].cycles.set_index("cycle") for k in ("fine", "coarse"))
    assert fine.loc[20, "contact_fraction_cathode"] > coarse.loc[20, "contact_fraction_cathode"]
    assert fine.loc[20, "retention"] > coarse.loc[20, "retention"]


def test_an_se_particle_size_out_of_range_is_refused_with_one_line():
    from solidstack.errors import InputError

    data = resolve("example-1").to_dict()
    cathode = next(la for la in data["layers"] if la.get("type") == "cathode")
    cathode["electrolyte"]["particle_size"] = "1 mm"
    with pytest.raises(InputError) as err:
        Stack.from_dict(data)
    assert "particle_size" in str(err.value) and "\n" not in str(err.value)


@pytest.fixture(scope="module")
def zhou_fine_30mpa():
    return simulate(literature_stack(ZHOU, "fine-30MPa"), cycles=20, save_at_cycles=[1])


def test_fine_se_keeps_its_particles_but_reacts_through_fewer_contacts(zhou_2mpa, zhou_fine_30mpa):
    # With ~180 SE grains per NCM811 particle, a particle keeps at least one of them long after most have opened:
    # the connected share stays ~1 while the closed contacts fall towards the pressure-held share. The reaction
    # goes through the closed contacts only (exchange current x f / a), so at 2 MPa the cell keeps less than at
    # 30 MPa: Zhou 2025's fine-LPSC series, 85.6 % at 2 MPa against 90.3 % at 30 MPa (Fig. 2c, grade B).
    low, high = zhou_2mpa["fine"].cycles.set_index("cycle"), zhou_fine_30mpa.cycles.set_index("cycle")
    assert low.loc[20, "contact_fraction_cathode"] > 0.999
    assert low.loc[20, "se_contact_fraction_cathode"] < 0.9 * high.loc[20, "se_contact_fraction_cathode"]
    assert low.loc[20, "retention"] < high.loc[20, "retention"]


def test_one_contact_per_particle_keeps_the_connected_share_as_the_contact_share():
    # Z = 1 (no SE particle size): the closed SE contacts are the connected share itself, a = 1 - (1 - f)^1 = f.
    t = simulate(resolve("example-4"), cycles=2).cycles
    for side in ("anode", "cathode"):
        assert (t[f"se_contact_fraction_{side}"] - t[f"contact_fraction_{side}"]).abs().max() < 1e-12


def test_the_example_study_sweeps_the_se_particle_size(tmp_path):
    # examples/study-se-particle-size.toml through the command line: at 2 MPa a 1 um catholyte keeps more of the
    # cell's capacity at cycle 20 than a 20 um one (Zhou 2025's direction: fine 85.6 % against coarse 63.3 % at 2 MPa).
    import subprocess
    import sys
    from pathlib import Path

    study = Path(__file__).resolve().parents[1] / "examples" / "study-se-particle-size.toml"
    store = tmp_path / "se.store"
    run = subprocess.run([sys.executable, "-m", "solidstack.cli", "study", "run", str(study), "--store", str(store),
                          "--workers", "1"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    out = tmp_path / "se.csv"
    exp = subprocess.run([sys.executable, "-m", "solidstack.cli", "study", "export", str(store), "--csv", str(out)],
                         capture_output=True, text=True)
    assert exp.returncode == 0, exp.stderr
    rows = pd.read_csv(out)
    assert len(rows) == 9 and (rows["status"] == "ok").all()
    at_2 = rows[rows["stack_pressure_MPa"] == 2].set_index("SE_D50_um")
    assert at_2.loc[1.0, "retention"] > at_2.loc[20.0, "retention"]
    # the fine catholyte keeps its particles connected while more than half of its contacts have opened
    assert at_2.loc[1.0, "contact_fraction_cathode"] > 0.99 > 0.5 > at_2.loc[1.0, "se_contact_fraction_cathode"]


def test_a_bad_se_particle_size_in_a_stack_file_is_one_located_line(tmp_path):
    # through the command line: a wrong unit gives one line naming the field, a non-zero exit and no traceback
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "examples" / "zhou2025-li-lpscl-ncm811.toml"
    text = src.read_text(encoding="utf-8").replace('particle_size = "1 um"', 'particle_size = "1 kg"')
    assert 'particle_size = "1 kg"' in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "solidstack.cli", "show", str(bad)], capture_output=True, text=True)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "particle_size" in lines[0], r.stderr
