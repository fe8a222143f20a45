"""The command line, run as a user would: exit codes, one-line errors, no tracebacks."""

import subprocess
import sys

import pytest


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "solidstack.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_show_example1_cathode_capacity():
    r = run("show", "example-1")
    assert r.returncode == 0, r.stderr
    # hand calculation: 17.8 mg cathode mixture ([0095]) x 73 % active ([0089]) x 155 mAh/g practical NMC111
    # capacity (Noh et al., J. Power Sources 233 (2013) 121: 163 mAh/g at 0.1C, 3.0-4.3 V; Ohzuku & Makimura 2001:
    # ~150 mAh/g; we cite 155) = 17.8e-3 g * 0.73 * 155 mAh/g = 2.014 mAh
    assert f"{17.8e-3 * 0.73 * 155:.3f} mAh" in r.stdout
    assert "N/P ratio" in r.stdout and "Wh/kg" in r.stdout and "Wh/L" in r.stdout


def test_validate_and_presets():
    assert run("validate", "example-4").returncode == 0
    r = run("presets")
    assert r.returncode == 0 and "comparative" in r.stdout and "fig-6" in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("materials",),
        ("materials", "metals"),
        ("materials", "metals", "In"),
        ("materials", "reactions", "Sn", "--ion", "Na"),
        ("materials", "actives", "graphite", "--ion", "K"),
        ("materials", "electrolytes"),
        ("materials", "collectors"),
    ],
)
def test_materials_commands(args):
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip()


def test_materials_entry_shows_sources():
    r = run("materials", "metals", "In")
    assert "Santhosha" not in r.stdout  # reactions are a different kind
    assert "US 2016/0233553" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "example-9"), "unknown preset 'example-9'"),
        (("show", "nope.toml"), "no such file"),
        (("materials", "metal", "In"), "unknown kind 'metal'"),
        (("materials", "metals", "Inn"), "unknown metal 'Inn'"),
        (("materials", "reactions", "In", "--ion", "Mg"), "unknown working ion 'Mg'"),
        (("show", "example-1", "--area", "-1 cm2"), "area"),
    ],
)
def test_bad_input_one_line_exit_2(args, message):
    r = run(*args)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_validate_reports_every_problem(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\narea = "1"\nworking_ion = "Li"\n[[layers]]\ntype = "metal"\nmaterial = "In"\nthickness = "-3 um"\n')
    r = run("validate", str(bad))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert any("area" in line and "no unit" in line for line in lines)
    assert any("layers[0].thickness" in line for line in lines)
    assert all(line.startswith(f"error: {bad}") for line in lines)


def test_binary_file(tmp_path):
    f = tmp_path / "garbage.toml"
    f.write_bytes(bytes(range(256)) * 4)
    r = run("validate", str(f))
    assert r.returncode == 2 and "binary" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("path", ["examples/na-ion-sn-interlayer.toml", "examples/nmc811-argyrodite.yaml"])
def test_example_user_files(path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert run("validate", str(root / path)).returncode == 0
    assert run("show", str(root / path)).returncode == 0
