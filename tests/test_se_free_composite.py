"""A composite electrode with no solid electrolyte (SE volume fraction 0, e.g. a 99 wt% Si film written as an anode
composite, Brow 2024's stack) has no ion path in SPMe or DFN, where PyBaMM divides by the electrode's electrolyte
fraction: the simulation refuses it with one located line and exit 2 instead of a traceback from inside PyBaMM. SPM
does not read the electrolyte and runs it."""

from __future__ import annotations

import os
import subprocess
import sys

from _stacks import SRC, graphite_nmc111_cell, stack_toml


def _se_free_anode_cell() -> dict:
    cell = graphite_nmc111_cell("graphite without SE")
    anode = cell["layers"][1]
    anode["active"]["fraction"] = 1.0
    del anode["electrolyte"]
    return cell


def _simulate(path, *args):
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-m", "solidstack", "simulate", str(path), "--current", "C/10",
                           "--window", "3.0:4.2", "--cycles", "1", *args], capture_output=True, text=True, env=env)


def test_spme_refuses_a_composite_without_se_in_one_located_line(tmp_path):
    path = tmp_path / "cell.toml"
    path.write_text(stack_toml(_se_free_anode_cell()), encoding="utf-8")
    out = _simulate(path)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert "layers[1] (anode)" in lines[0] and "no solid electrolyte" in lines[0] and "--model SPM" in lines[0]


def test_spm_runs_the_same_cell(tmp_path):
    path = tmp_path / "cell.toml"
    path.write_text(stack_toml(_se_free_anode_cell()), encoding="utf-8")
    out = _simulate(path, "--model", "SPM", "--no-contact-loss")
    assert out.returncode == 0, out.stderr
