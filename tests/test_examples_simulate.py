"""The stack files shipped in examples/ simulate through the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _is_stack_file(path: Path) -> bool:
    """A stack file (it has layers), not a study file or a notebook."""
    if path.suffix not in (".toml", ".yaml", ".yml", ".json"):
        return False
    text = path.read_text(encoding="utf-8")
    return "layers" in text and "[[axes]]" not in text and "axes:" not in text


EXAMPLES = sorted(p for p in (Path(__file__).resolve().parents[1] / "examples").iterdir() if _is_stack_file(p))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_simulates(path):
    r = subprocess.run([sys.executable, "-m", "solidstack.cli", "simulate", str(path), "--cycles", "1"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "1 cycle(s)" in r.stdout
