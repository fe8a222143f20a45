"""Inverse design and design-around: candidate interlayer stacks for an electrode pair, simulated and ranked.

Candidates, on each side independently (the electrodes, separator and protocol come from a base cell):

* no metal layer;
* a ductile metal *touching* the electrode: metals the screening (:func:`solidstack.rules.screen`, role
  ``ductile``) finds eligible or uncertain (ductile and not reacting in the electrode's window), at each thickness;
* a ductile metal (elongation >= 22 %, any reactivity) *behind* an inert metal layer touching the electrode
  (role ``inert``: eligible or uncertain), the ductile layer at each thickness, the inert one at
  ``inert_thickness`` (the patent's second embodiment, claim 2).

Metals are taken lightest first (the objective rewards mass), eligible before uncertain; radioactive and toxic
metals (:data:`EXCLUDED`) and alkali metals other than the working ion are never proposed. Every candidate gets its claim chart (:func:`solidstack.rules.check`);
``outside_claims`` keeps only those that do not meet the patent's independent claims. The simulated candidates
are ranked by the objective: ``energy`` (default) puts the designs with retention >= ``min_retention`` at cycle N
first, by specific energy, then the others by specific energy; ``pareto`` ranks by Pareto layer (specific energy
vs retention; layer 1 is the non-dominated set), then specific energy.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from solidstack.errors import InputError, Problem

#: Metals never proposed, and why.
EXCLUDED = {"Th": "radioactive", "U": "radioactive", "Pu": "radioactive", "Ra": "radioactive", "Po": "radioactive",
            "Tc": "radioactive", "Pm": "radioactive", "Ac": "radioactive", "Np": "radioactive",
            "Be": "toxic (beryllium dust)", "Cd": "toxic", "Hg": "toxic, liquid", "Tl": "toxic", "Pb": "toxic"}
#: Alkali metals other than the working ion are not proposed either: they react with sulfide electrolytes.
ALKALI = {"Li": "alkali metal", "Na": "alkali metal", "K": "alkali metal", "Rb": "alkali metal", "Cs": "alkali metal"}
OBJECTIVES = ("energy", "pareto")
_ELIGIBLE = {"yes": 0, "unknown": 1}


@dataclass
class DesignResult:
    """The outcome of :func:`design`.

    ``ranked``: every simulated candidate (pandas DataFrame, best first, columns ``rank``, ``anode_side``,
    ``cathode_side``, ``specific_energy_Wh_kg``, ``retention``, ``feasible``, ``independent_claims``,
    ``claims_avoided``, the claim verdicts, ...); ``inside``/``outside``: the best designs that meet / do not meet
    the patent's independent claims (``outside`` says which limitation each avoids in ``claims_avoided``);
    ``failed``: candidates that did not simulate, with their messages.
    """

    objective: str
    base: str
    ranked: Any
    inside: Any
    outside: Any
    failed: Any
    candidates: int
    run: Any = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        cols = [c for c in ("rank", "design_id", "anode_side", "cathode_side", "specific_energy_Wh_kg", "retention",
                            "retention_cycle", "feasible", "pareto_layer", "independent_claims", "claims_avoided",
                            *[f"claim_{n}" for n in list(range(2, 14)) + ["0015"]]) if c in self.ranked.columns]

        def recs(df):
            return df[[c for c in cols if c in df.columns]].to_dict(orient="records")

        return {"objective": self.objective, "base": self.base, "candidates": self.candidates,
                "ranked": recs(self.ranked), "inside_claims": recs(self.inside), "outside_claims": recs(self.outside),
                "failed": self.failed[["design_id", "anode_side", "cathode_side", "status", "message"]].to_dict(orient="records")
                if len(self.failed) else [], "notes": self.notes}


def _pick(active: str, ion: str, role: str, n: int, *, ductile_only: bool = False) -> list[str]:
    """Up to ``n`` metals for ``role`` next to ``active``: eligible/uncertain (or, with ``ductile_only``, any metal
    with elongation >= 22 %), lightest first."""
    from solidstack.rules import screen
    from solidstack.rules.mechanics import ductility

    res = screen(active, ion, role)
    if ductile_only:
        found = [(0, a.metal.density_g_cm3 or 99.0, a.metal.symbol) for a in res.assessments
                 if ductility(a.metal).status == "yes"]
    else:
        found = [(_ELIGIBLE[a.eligible], a.metal.density_g_cm3 or 99.0, a.metal.symbol) for a in res.assessments
                 if a.eligible in _ELIGIBLE]
    excluded = set(EXCLUDED) | (set(ALKALI) - {ion})
    return [m for _, _, m in sorted(found) if m not in excluded][:n]


def side_options(active: str, ion: str, metals: int, thicknesses: list[str], inert_thickness: str,
                 explicit: list[str] | None = None, both_orders: bool = False) -> list[tuple[str, list[dict[str, Any]]]]:
    """(label, metal layers collector first) for one side (see the module docstring). Labels list the layers
    from the collector to the electrode (``"In 10 um + Cu 10 um"``: In next to the collector, Cu touching the
    electrode). ``both_orders`` adds every ductile + inert pair in the reverse order too (the inert metal next to
    the collector, the ductile one touching the electrode)."""
    touching = explicit or _pick(active, ion, "ductile", metals)
    behind = explicit or _pick(active, ion, "ductile", metals, ductile_only=True)
    inert = _pick(active, ion, "inert", 1)
    opts: list[tuple[str, list[dict[str, Any]]]] = [("none", [])]
    for m in touching:
        for t in thicknesses:
            opts.append((f"{m} {t}", [{"type": "metal", "material": m, "thickness": t}]))
    for i in inert:
        for m in behind:
            if m == i:
                continue
            for t in thicknesses:
                opts.append((f"{m} {t} + {i} {inert_thickness}",
                             [{"type": "metal", "material": m, "thickness": t},
                              {"type": "metal", "material": i, "thickness": inert_thickness}]))
                if both_orders:
                    opts.append((f"{i} {inert_thickness} + {m} {t}",
                                 [{"type": "metal", "material": i, "thickness": inert_thickness},
                                  {"type": "metal", "material": m, "thickness": t}]))
    return opts


def _base_data(anode: str, cathode: str, ion: str, base: str | None) -> tuple[dict[str, Any], str]:
    from solidstack.stack import resolve
    from solidstack.stack.presets import preset_names

    if base is not None:
        stack = resolve(base)
        data = stack.to_dict()
        for layer in data["layers"]:
            if layer["type"] == "anode":
                layer["active"]["material"] = anode
            if layer["type"] == "cathode":
                layer["active"]["material"] = cathode
        data["working_ion"] = ion
        return data, base
    for name in preset_names():
        s = resolve(name)
        if s.working_ion == ion and s.anode.active.material == anode and s.cathode.active.material == cathode:
            return s.to_dict(), f"preset {name}"
    raise InputError(Problem("--base", f"no preset has a {anode} | {cathode} cell with {ion}+; give --base STACK "
                             "(a stack file whose electrodes, separator and protocol to use)"))


def candidates(anode: str, cathode: str, ion: str = "Li", pressure: str = "0 MPa", *, base: str | None = None,
               metals: int = 2, thicknesses: tuple[str, ...] = ("10 um", "50 um"), inert_thickness: str = "10 um",
               anode_metals: list[str] | None = None, cathode_metals: list[str] | None = None,
               model: str = "SPM", cycles: int = 2, both_orders: bool = False) -> tuple[list, str]:
    """The candidate designs (:class:`~solidstack.studies.study.Design`) and the base's description."""
    from solidstack.materials import default_catalog
    from solidstack.studies.study import make_design
    from solidstack.units import parse_quantity

    cat = default_catalog()
    for opt, name, role in (("--anode", anode, "anode"), ("--cathode", cathode, "cathode")):
        try:
            am = cat.active(name, ion)
        except InputError as e:
            raise e.located(opt) from None
        if am.role != role:
            raise InputError(Problem(opt, f"{name} is {'an' if am.role == 'anode' else 'a'} {am.role} active material"))
    for opt, q in (("--pressure", pressure), *(("--thickness", t) for t in thicknesses), ("--inert-thickness", inert_thickness)):
        try:
            parse_quantity(q, "pressure" if opt == "--pressure" else "length")
        except ValueError as e:
            raise InputError(Problem(opt, str(e))) from None
    for opt, names in (("--anode-metal", anode_metals), ("--cathode-metal", cathode_metals)):
        for m in names or []:
            try:
                cat.metal(m)
            except InputError as e:
                raise e.located(opt) from None
    data, base_name = _base_data(anode, cathode, ion, base)
    data = copy.deepcopy(data)
    data["layers"] = [la for la in data["layers"] if la["type"] != "metal"]
    data["stack_pressure"] = pressure
    data["name"] = f"{anode} | {cathode} design"
    data.pop("description", None)
    data.pop("source", None)
    i_an = next(i for i, la in enumerate(data["layers"]) if la["type"] == "anode")
    i_ca = next(i for i, la in enumerate(data["layers"]) if la["type"] == "cathode")
    an_opts = side_options(anode, ion, metals, list(thicknesses), inert_thickness, anode_metals, both_orders)
    ca_opts = side_options(cathode, ion, metals, list(thicknesses), inert_thickness, cathode_metals, both_orders)
    out: list[Any] = []
    for a_label, a_layers in an_opts:
        for c_label, c_layers in ca_opts:
            d = copy.deepcopy(data)
            layers = d["layers"]
            # anode side: collector, ductile, inert, anode; cathode side: cathode, inert, ductile, collector
            d["layers"] = layers[:i_an] + a_layers + layers[i_an:i_ca + 1] + c_layers[::-1] + layers[i_ca + 1:]
            out.append(make_design(len(out), {"anode_side": a_label, "cathode_side": c_label}, d, model, cycles))
    return out, base_name


def pareto_layers(x: list[float], y: list[float]) -> list[int]:
    """Non-dominated sorting (both maximised): 1 for the Pareto set, 2 for the set left when it is removed, ..."""
    from solidstack.studies.plots import pareto_mask

    layer = [0] * len(x)
    left = list(range(len(x)))
    k = 1
    while left:
        mask = pareto_mask([x[i] for i in left], [y[i] for i in left])
        for i, m in zip(list(left), mask, strict=True):
            if m:
                layer[i] = k
        left = [i for i, m in zip(left, mask, strict=True) if not m]
        k += 1
    return layer


def rank(df, objective: str = "energy", min_retention: float = 0.85):
    """The finished designs of ``df`` ranked by ``objective`` (see the module docstring), with ``rank``,
    ``feasible`` and ``pareto_layer`` columns."""
    df = df.copy()
    for c in ("status", "specific_energy_Wh_kg", "retention", "independent_claims", "design_id"):
        if c not in df.columns:
            df[c] = None
    ok = df[(df["status"] == "ok") & df["specific_energy_Wh_kg"].notna() & df["retention"].notna()].copy()
    ok["feasible"] = ok["retention"] >= min_retention
    ok["pareto_layer"] = pareto_layers(ok["specific_energy_Wh_kg"].to_list(), ok["retention"].to_list()) if len(ok) else []
    if objective == "energy":
        ok = ok.sort_values(["feasible", "specific_energy_Wh_kg", "design_id"], ascending=[False, False, True])
    else:
        ok = ok.sort_values(["pareto_layer", "specific_energy_Wh_kg", "design_id"], ascending=[True, False, True])
    ok.insert(0, "rank", range(1, len(ok) + 1))
    return ok.reset_index(drop=True)


def design(anode: str, cathode: str, ion: str = "Li", pressure: str = "0 MPa", *, objective: str = "energy",
           min_retention: float = 0.85, cycles: int = 2, model: str = "SPM", base: str | None = None, metals: int = 2,
           thicknesses: tuple[str, ...] = ("10 um", "50 um"), inert_thickness: str = "10 um",
           anode_metals: list[str] | None = None, cathode_metals: list[str] | None = None,
           outside_claims: bool = False, both_orders: bool = False, top: int = 5, store=None,
           workers: int | None = None, dask: str | None = None, progress=None) -> DesignResult:
    """Propose interlayer stacks for ``anode`` | ``cathode`` with ``ion`` at stack ``pressure``, simulate them
    (``model``, ``cycles``; retention at the last cycle) and rank them by ``objective`` (``energy``: maximise
    specific energy subject to retention >= ``min_retention``; ``pareto``). ``top`` designs inside and outside the
    patent's independent claims are listed; ``outside_claims`` simulates only designs outside them; ``both_orders``
    also tries each ductile + inert pair in the reverse order. ``store``,
    ``workers`` and ``dask`` as in :func:`~solidstack.studies.run_study`."""
    from solidstack.studies.execute import run_designs
    from solidstack.studies.outputs import claim_outputs
    from solidstack.studies.store import Store
    from solidstack.studies.study import MODEL_NAMES, OUTPUTS

    if objective not in OBJECTIVES:
        raise InputError(Problem("--objective", f"{objective!r} is not one of {', '.join(OBJECTIVES)}"))
    if model.lower() not in MODEL_NAMES:
        raise InputError(Problem("--model", f"unknown model {model!r}; use spm, spme or dfn"))
    if cycles < 1:
        raise InputError(Problem("--cycles", f"need at least 1 cycle, got {cycles}"))
    if not 0.0 <= min_retention <= 1.5:
        raise InputError(Problem("--min-retention", f"a fraction of the cycle-1 capacity (e.g. 0.85), got {min_retention}"))
    if metals < 1:
        raise InputError(Problem("--metals", f"need at least 1, got {metals}"))
    designs, base_name = candidates(anode, cathode, ion, pressure, base=base, metals=metals, thicknesses=thicknesses,
                                    inert_thickness=inert_thickness, anode_metals=anode_metals,
                                    cathode_metals=cathode_metals, model=MODEL_NAMES[model.lower()], cycles=cycles,
                                    both_orders=both_orders)
    notes = [f"electrodes, separator and protocol from {base_name}; stack pressure {pressure}; {len(designs)} candidates"]
    if outside_claims:
        import json

        from solidstack.stack import Stack

        keep = []
        for d in designs:
            if d.error is None and claim_outputs(Stack.from_dict(json.loads(d.stack_json)), ("claims",))["independent_claims"] != "not met":
                continue
            keep.append(d)
        notes.append(f"--outside-claims: {len(designs) - len(keep)} candidates meeting (or possibly meeting) the "
                     f"independent claims left out, {len(keep)} simulated")
        designs = keep
    name = f"design {anode} | {cathode} ({ion}+, {pressure})"
    meta = {"name": name, "model": MODEL_NAMES[model.lower()], "cycles": cycles, "retention_cycle": None,
            "outputs": ["energy", "retention", "capacity", "ce", "eligibility", "claims"], "doe": "design",
            "axes": [{"name": "anode side", "column": "anode_side", "paths": [], "unit": None, "numeric": False},
                     {"name": "cathode side", "column": "cathode_side", "paths": [], "unit": None, "numeric": False}]}
    st = None if store is None else (store if isinstance(store, Store) else Store(store))
    run = run_designs(designs, study_name=name, outputs=OUTPUTS, store=st, meta=meta,
                      workers=workers, dask=dask, progress=progress)
    df = run.rows
    ranked = rank(df, objective, min_retention)
    inside = ranked[ranked["independent_claims"] == "met"].head(top).reset_index(drop=True)
    outside = ranked[ranked["independent_claims"] == "not met"].head(top).reset_index(drop=True)
    failed = df[df["status"] != "ok"].reset_index(drop=True)
    if objective == "energy" and not ranked["feasible"].any():
        notes.append(f"no candidate keeps retention >= {min_retention:g} at cycle {cycles}; lists show the best by specific energy")
    return DesignResult(objective, base_name, ranked, inside, outside, failed, len(designs), run, notes)
