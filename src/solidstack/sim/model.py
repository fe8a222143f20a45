"""Building the PyBaMM model for a host structure, with a cache keyed by what changes the structure.

The structure is: the model (SPM, SPMe, DFN) and the number of phases per electrode (1, or 2 with a reacting
foil). Everything else (geometry, materials, current, contact-loss coefficients) is parameters or inputs.

The solid electrolyte's reduction at the negative electrode is part of the structure: PyBaMM "SEI": "tunnelling
limited" on each negative phase that sits below its SE's reduction limit, "none" (no states) on the others
(``n_phases["sei"]``, from :func:`solidstack.sim.interphase.interphase_phases`; see ``sim/data/sei.toml``), its rate
bounded at the metal's potential (:class:`solidstack.sim.interphase.BoundedTunnellingSEI`).
"""

from __future__ import annotations

import pybamm

from solidstack.sim.contact import install
from solidstack.sim.data_files import SimConstants, default_constants
from solidstack.sim.interphase import install as install_interphase

MODELS = {"spm": pybamm.lithium_ion.SPM, "spme": pybamm.lithium_ion.SPMe, "dfn": pybamm.lithium_ion.DFN}

_cache: dict[tuple, pybamm.BaseBatteryModel] = {}


SEI_LAW = "tunnelling limited"


def sei_flags(n_phases: dict) -> tuple[bool, ...]:
    """Whether each negative phase carries interphase states: ``n_phases["sei"]`` (one bool per anode phase),
    every phase if absent."""
    flags = tuple(bool(f) for f in n_phases.get("sei", (True,) * n_phases["anode"]))
    if len(flags) != n_phases["anode"]:
        raise ValueError(f"n_phases['sei'] needs one flag per anode phase ({n_phases['anode']}), got {flags}")
    return flags


def model_options(n_phases: dict) -> dict:
    """PyBaMM options for ``n_phases`` = {"anode": 1|2, "cathode": 1|2, "sei": (bool per anode phase)} ("sei"
    optional: every negative phase then carries the interphase; the SEI film resistance option is set by
    :func:`build_model` from the constants)."""
    n, p = n_phases["anode"], n_phases["cathode"]
    lam = tuple(("current-driven",) * k if k > 1 else "current-driven" for k in (n, p))
    laws = tuple(SEI_LAW if f else "none" for f in sei_flags(n_phases))
    sei: str | tuple = laws[0] if n == 1 else ((laws, "none") if len(set(laws)) > 1 else laws[0])
    opts: dict = {"loss of active material": lam, "SEI": sei, "SEI film resistance": "none"}
    if n > 1 or p > 1:
        opts.update({"particle phases": (str(n), str(p)), "surface form": "algebraic"})
    return opts


def summary_names(n_phases: dict) -> list[str]:
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


def build_model(name: str, n_phases: dict, constants: SimConstants | None = None) -> pybamm.BaseBatteryModel:
    """The built (not yet parameterised) model; cached, so equal structures share one model."""
    film = (constants or default_constants()).sei["interphase"]["film_resistance"]
    key = (name.lower(), n_phases["anode"], n_phases["cathode"], film, sei_flags(n_phases))
    if key in _cache:
        return _cache[key]
    cls = MODELS[name.lower()]
    model = cls({**model_options(n_phases), "SEI film resistance": film}, build=False)
    install(model, {s: n_phases[s] for s in ("anode", "cathode")}, x_average=name.lower() != "dfn")
    install_interphase(model)
    model.build_model()
    model.summary_variables = list(dict.fromkeys(list(model.summary_variables) + summary_names(n_phases)))
    _cache[key] = model
    return model


def clear_cache() -> None:
    """Forget every built model (and the simulations built on them)."""
    _cache.clear()
