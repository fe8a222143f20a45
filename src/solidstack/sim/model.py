"""Building the PyBaMM model for a host structure, with a cache keyed by what changes the structure.

The structure is: the model (SPM, SPMe, DFN) and the number of phases per electrode (1, or 2 with a reacting
foil). Everything else (geometry, materials, current, contact-loss coefficients) is parameters or inputs.

Every model carries the solid electrolyte's reduction at the negative electrode (PyBaMM "SEI": "electron-migration
limited" on each negative phase, see ``sim/data/sei.toml``): the rate is zero wherever a host stays above the SE's
reduction limit, so cells whose anode never goes below it are unaffected; an SE without a known limit gets a zero
interphase conductivity (parameters.py).
"""

from __future__ import annotations

import pybamm

from solidstack.sim.contact import install
from solidstack.sim.data_files import SimConstants, default_constants

MODELS = {"spm": pybamm.lithium_ion.SPM, "spme": pybamm.lithium_ion.SPMe, "dfn": pybamm.lithium_ion.DFN}

_cache: dict[tuple, pybamm.BaseBatteryModel] = {}


def model_options(n_phases: dict[str, int]) -> dict:
    """PyBaMM options for ``n_phases`` = {"anode": 1|2, "cathode": 1|2} (the SEI film resistance option is set
    by :func:`build_model` from the constants)."""
    n, p = n_phases["anode"], n_phases["cathode"]
    lam = tuple(("current-driven",) * k if k > 1 else "current-driven" for k in (n, p))
    opts: dict = {"loss of active material": lam, "SEI": "electron-migration limited", "SEI film resistance": "none"}
    if n > 1 or p > 1:
        opts.update({"particle phases": (str(n), str(p)), "surface form": "algebraic"})
    return opts


def summary_names(n_phases: dict[str, int]) -> list[str]:
    """Variables recorded at the end of every cycle."""
    names = ["Negative electrode contact fraction", "Positive electrode contact fraction",
             "Throughput capacity [A.h]", "Discharge capacity [A.h]", "Total lithium [mol]", "Loss of lithium to negative SEI [mol]"]
    for side, domain in (("anode", "negative"), ("cathode", "positive")):
        k = n_phases[side]
        for ph in ("primary", "secondary")[:k]:
            names.append(f"Total lithium in {ph} phase in {domain} electrode [mol]")
            lam_phase = f"{ph} " if k > 1 else ""
            names.append(f"Loss of lithium due to loss of {lam_phase}active material in {domain} electrode [mol]")
        if side == "anode" and k > 1:
            names += [f"Loss of lithium to negative {ph} SEI [mol]" for ph in ("primary", "secondary")]
    return names


def build_model(name: str, n_phases: dict[str, int], constants: SimConstants | None = None) -> pybamm.BaseBatteryModel:
    """The built (not yet parameterised) model; cached, so equal structures share one model."""
    film = (constants or default_constants()).sei["interphase"]["film_resistance"]
    key = (name.lower(), n_phases["anode"], n_phases["cathode"], film)
    if key in _cache:
        return _cache[key]
    cls = MODELS[name.lower()]
    model = cls({**model_options(n_phases), "SEI film resistance": film}, build=False)
    install(model, n_phases, x_average=name.lower() != "dfn")
    model.build_model()
    model.summary_variables = list(dict.fromkeys(list(model.summary_variables) + summary_names(n_phases)))
    _cache[key] = model
    return model


def clear_cache() -> None:
    """Forget every built model (and the simulations built on them)."""
    _cache.clear()
