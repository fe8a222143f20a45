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


def transport_table_catalog(folder, key: str, table, *, c_max: float, i0: float, T_K: float, basis: str,
                            sources: list[str], activation_K: float | None = None):
    """A catalog with a user folder ``folder`` whose transport.toml overrides entry ``key`` (e.g. ``"NMC111.Li"``)
    with a tabulated D(x): ``table`` of (x, D in m2/s) at ``T_K``, optionally an Arrhenius ``activation_K`` (E/R, K),
    c_max (mol/m3), i0 (A/m2), the layered oxides' 5.22 um radius and 0.18 S/m electronic conductivity."""
    import json

    from solidstack.materials import Catalog

    rows = "\n".join(f"diffusivity_x_{i:02d} = {x}\ndiffusivity_D_{i:02d} = {d}" for i, (x, d) in enumerate(table, 1))
    arrhenius = f"diffusivity_activation_K = {activation_K}\n" if activation_K is not None else ""
    (folder / "transport.toml").write_text(
        f'["{key}"]\noverride = true\nc_max_mol_m3 = {c_max}\nradius_m = 5.22e-6\ndiffusivity_m2_s = 4.0e-15\n'
        f"{rows}\ndiffusivity_table_T_K = {T_K}\n{arrhenius}i0_A_m2 = {i0}\nconductivity_S_m = 0.18\n"
        f"basis = {json.dumps(basis)}\nsources = {json.dumps(sources)}\n", encoding="utf-8")
    return Catalog(user=[folder])


def load_script(path, name: str):
    """The Python script at ``path`` (e.g. a check script under tests/data/<source>/) imported as module ``name``."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
