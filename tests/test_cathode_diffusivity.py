"""The stoichiometry-dependent solid diffusivity of a cathode host (transport.toml ``diffusivity_*``, hosts.py)
against an independent implementation: PyBaMM 26.10's own ``ORegan2022`` parameter set."""

from __future__ import annotations

import numpy as np
import pybamm
import pytest

from solidstack.sim import find_hosts
from solidstack.sim.parameters import build_parameters
from solidstack.stack import Stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _nmc811_cell(cathode: str = "NMC811") -> Stack:
    cat = {"type": "cathode", "areal_loading": "10 mg/cm2", "porosity": 0.15,
           "active": {"material": cathode, "fraction": 0.7}, "electrolyte": {"material": "Li3PS4", "fraction": 0.3}}
    an = {"type": "anode", "thickness": "30 um", "porosity": 0, "active": {"material": "In", "fraction": 1},
          "initial_x": 0.5}
    return Stack.from_dict({
        "name": "d(x) test", "area": "1 cm2", "working_ion": "Li",
        "cycling": {"current_density": "0.2 mA/cm2", "lower_cutoff": "2.0 V", "upper_cutoff": "3.7 V", "cycles": 1},
        "layers": [{"type": "collector", "material": "SUS", "thickness": "10 um"}, an,
                   {"type": "separator", "electrolyte": "Li3PS4", "thickness": "100 um", "porosity": 0.1}, cat,
                   {"type": "collector", "material": "SUS", "thickness": "10 um"}]})


@pytest.mark.parametrize("T", [298.15, 318.15])
def test_nmc811_diffusivity_is_oregan2022(T):
    # O'Regan et al., Electrochim. Acta 425 (2022) 140700, as PyBaMM 26.10 codes it (nmc_LGM50_diffusivity_ORegan2022)
    ref = pybamm.ParameterValues("ORegan2022")["Positive particle diffusivity [m2.s-1]"]
    host = find_hosts(_nmc811_cell()).cathode[0]
    assert host.diffusivity_law is not None
    for x in (0.27, 0.32, 0.45, 0.6, 0.81, 0.91, 0.99):
        expected = ref(pybamm.Scalar(x), pybamm.Scalar(T)).evaluate()
        assert float(host.diffusivity_at(x, T)) == pytest.approx(float(expected), rel=1e-9)
    # the GITT minimum near x = 0.81 is ~10x below its maximum at low x (the fit's a3 = -0.993 decades)
    xs = np.linspace(0.25, 1.0, 301)
    d = host.diffusivity_at(xs, 298.15)
    assert 5 < d.max() / d.min() < 20


def test_the_model_receives_the_function_and_a_constant_host_keeps_its_constant():
    st = _nmc811_cell()
    hosts = find_hosts(st)
    pv = build_parameters(st, hosts, (2.0, 3.7))
    assert callable(pv["Positive particle diffusivity [m2.s-1]"])
    nmc111 = find_hosts(_nmc811_cell("NMC111")).cathode[0]
    assert nmc111.diffusivity_law is None and nmc111.diffusivity_at(0.5, 298.15) == 4.0e-15  # Chen2020's constant
