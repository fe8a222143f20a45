from pathlib import Path

import pytest

PRESET_DIR = Path(__file__).resolve().parents[1] / "src" / "solidstack" / "stack" / "presets"


@pytest.fixture
def example1_dict():
    import tomllib

    return tomllib.loads((PRESET_DIR / "example-1.toml").read_text())
