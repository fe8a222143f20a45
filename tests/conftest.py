from pathlib import Path

import pytest

PRESET_DIR = Path(__file__).resolve().parents[1] / "src" / "solidstack" / "stack" / "presets"


@pytest.fixture
def example1_dict():
    import tomllib

    return tomllib.loads((PRESET_DIR / "example-1.toml").read_text())


@pytest.fixture(scope="session")
def no_interphase():
    """The simulation constants with both SE interphases off (rate constants 0: the SE's reduction at the anode,
    sei.toml, and its oxidation at the cathode, cei.toml), for tests about a host's own capacity or transport."""
    from solidstack.sim.data_files import SimConstants

    return (SimConstants.load().with_value("sei.toml", "family.sulfide.rate_constant_A_m2", 0.0)
            .with_value("cei.toml", "law.rate_constant_A_m2", 0.0))
