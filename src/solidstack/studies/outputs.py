"""The outputs a study records per design, by group (``outputs = [...]`` in a study file).

Units are in the column names. Cycle-1 values describe the first full cycle; ``retention`` is the discharge
capacity at cycle N over cycle 1 (N = ``retention_cycle``, default the last cycle run).

* ``energy``: ``specific_energy_Wh_kg`` and ``energy_density_Wh_L`` (cycle-1 discharge energy, i.e. discharge
  capacity x mean discharge voltage, over the stack's mass and volume collector to collector), and
  ``nominal_specific_energy_Wh_kg`` (the stack's nominal value: limiting capacity x nominal voltage, no simulation)
* ``capacity``: ``charge_capacity_mAh``, ``discharge_capacity_mAh``, ``discharge_capacity_mAh_g`` (cycle 1, per g
  of cathode active material)
* ``ce``: ``ce_1`` (coulombic efficiency of cycle 1)
* ``retention``: ``retention``, ``retention_cycle``, ``cycles_run``
* ``voltages``: ``mean_charge_voltage_V``, ``mean_discharge_voltage_V`` (cycle 1)
* ``contact``: ``contact_fraction_anode``, ``contact_fraction_cathode`` (the connected share of the active material
  at cycle N) and ``se_contact_fraction_anode``, ``se_contact_fraction_cathode`` (the share of its SE contacts still
  closed; the same value where an active particle touches one SE grain, README "SE contacts per active particle")
* ``losses``: ``first_cycle_loss_mAh`` (charge - discharge of cycle 1), ``stranded_mAh`` (ion stranded by contact
  loss, every host, at cycle N), ``held_mAh`` (ion left in the hosts at the end of cycle N) and every host's own
  ``<side>_<host>_held_mAh`` / ``_stranded_mAh`` column
* ``eligibility``: ``anode_interlayers`` / ``cathode_interlayers`` (the metal layers, collector first) and
  ``anode_eligibility`` / ``cathode_eligibility`` (the worst in-stack physical verdict of that side's metal
  layers: inert < uncertain < reacts; ``none`` without a metal layer), from :func:`solidstack.rules.check`
* ``claims``: ``claim_2`` ... ``claim_13``, ``claim_0015`` (met / not met / undetermined),
  ``independent_claims`` (the verdict of the independent claims: every claim with no parent) and
  ``claims_avoided`` (why a design is outside an independent claim: every whole-stack limitation it does not
  meet, and on each side the first limitation not met, ``claim 2 2.8 (anode side): text``; the claim needs one
  side meeting all of its side limitations)
"""

from __future__ import annotations

from typing import Any

_PHYS_ORDER = {"none": -1, "inert": 0, "uncertain": 1, "reacts": 2}


def stack_outputs(stack, groups: tuple[str, ...]) -> dict[str, Any]:
    """Outputs that need no simulation (nominal energy, eligibility, claims)."""
    row: dict[str, Any] = {}
    if "energy" in groups:
        row["nominal_specific_energy_Wh_kg"] = float(stack.specific_energy_Wh_kg)
    if "eligibility" in groups or "claims" in groups:
        row.update(claim_outputs(stack, groups))
    return row


#: Claim-chart columns by stack (without names, pressure and protocol, which the default practical-window check
#: does not read), so a sweep of inputs evaluates each layer structure once per worker.
_CLAIMS_CACHE: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
_CLAIMS_CACHE_SIZE = 256


def claim_outputs(stack, groups: tuple[str, ...] = ("eligibility", "claims")) -> dict[str, Any]:
    """Eligibility and claim-chart columns of ``stack`` (see the module docstring)."""
    import json

    data = stack.to_dict()
    for k in ("name", "description", "source", "stack_pressure", "fabrication_pressure", "cycling"):
        data.pop(k, None)
    key = (json.dumps(data, sort_keys=True), tuple(groups))
    if key not in _CLAIMS_CACHE:
        if len(_CLAIMS_CACHE) >= _CLAIMS_CACHE_SIZE:
            _CLAIMS_CACHE.pop(next(iter(_CLAIMS_CACHE)))
        _CLAIMS_CACHE[key] = _claim_outputs(stack, groups)
    return dict(_CLAIMS_CACHE[key])


def _claim_outputs(stack, groups: tuple[str, ...]) -> dict[str, Any]:
    from solidstack.rules import check
    from solidstack.rules.claims import load_claims

    chk = check(stack)
    row: dict[str, Any] = {}
    if "eligibility" in groups:
        for side in ("anode", "cathode"):
            layers = stack.anode_side if side == "anode" else stack.cathode_side
            row[f"{side}_interlayers"] = " / ".join(f"{la.material} {la.thickness}" for la in layers) or "none"
            verdicts = [lv.in_stack for lv in chk.layers if lv.side == side]
            row[f"{side}_eligibility"] = max(verdicts, key=_PHYS_ORDER.__getitem__) if verdicts else "none"
    if "claims" in groups:
        independent = [c for c in load_claims().values() if not c.depends_on and isinstance(c.number, int)]
        for cr in chk.claims:
            row[f"claim_{str(cr.number).strip('[]')}"] = cr.verdict
        verdicts = [chk.claim(c.number).verdict for c in independent]
        row["independent_claims"] = ("met" if "met" in verdicts else
                                     "undetermined" if "undetermined" in verdicts else "not met")
        avoided = []
        for c in independent:
            cres = chk.claim(c.number)
            if cres.verdict != "not met":
                continue
            # what keeps the design outside: every whole-stack limitation not met, and on each side the first one
            firsts: dict[str, str] = {}
            for lr in cres.limitations:
                if lr.verdict != "not met":
                    continue
                if not lr.side:
                    avoided.append(f"claim {c.number} {lr.id}: {lr.text}")
                elif lr.side not in firsts:
                    firsts[lr.side] = f"claim {c.number} {lr.id} ({lr.side} side): {lr.text}"
            avoided += list(firsts.values())
        row["claims_avoided"] = "; ".join(avoided)
    return row


def cycling_outputs(result, stack, groups: tuple[str, ...], retention_cycle: int | None) -> dict[str, Any]:
    """Outputs read from a :class:`~solidstack.sim.CyclingResult`'s per-cycle table."""
    t = result.cycles
    n = len(t) if retention_cycle is None else retention_cycle
    # plain dicts of the two rows read (a study reads a dozen values per design), from one conversion
    cols = list(t.columns)
    values = t.to_numpy(dtype=object)
    first = dict(zip(cols, values[0], strict=True))
    row: dict[str, Any] = {}
    at_n = dict(zip(cols, values[n - 1], strict=True)) if n <= len(t) else None
    if "energy" in groups:
        e_Wh = float(first["discharge_capacity_mAh"]) * float(first["mean_discharge_voltage_V"]) * 1e-3
        row["specific_energy_Wh_kg"] = e_Wh / stack.mass_kg
        row["energy_density_Wh_L"] = e_Wh / (stack.thickness_m * stack.area_m2 * 1e3)
    if "capacity" in groups:
        for c in ("charge_capacity_mAh", "discharge_capacity_mAh", "discharge_capacity_mAh_g"):
            row[c] = float(first[c])
    if "ce" in groups:
        row["ce_1"] = float(first["coulombic_efficiency"])
    if "retention" in groups:
        row["retention"] = float(at_n["retention"]) if at_n is not None else None
        row["retention_cycle"] = int(n)
        row["cycles_run"] = int(len(t))
    if "voltages" in groups:
        row["mean_charge_voltage_V"] = float(first["mean_charge_voltage_V"])
        row["mean_discharge_voltage_V"] = float(first["mean_discharge_voltage_V"])
    if "contact" in groups and at_n is not None:
        row["contact_fraction_anode"] = float(at_n["contact_fraction_anode"])
        row["contact_fraction_cathode"] = float(at_n["contact_fraction_cathode"])
        row["se_contact_fraction_anode"] = float(at_n["se_contact_fraction_anode"])
        row["se_contact_fraction_cathode"] = float(at_n["se_contact_fraction_cathode"])
    if "losses" in groups:
        row["first_cycle_loss_mAh"] = float(first["charge_capacity_mAh"]) - float(first["discharge_capacity_mAh"])
        if at_n is not None:
            held = [c for c in cols if c.endswith("_held_mAh")]
            stranded = [c for c in cols if c.endswith("_stranded_mAh")]
            row["stranded_mAh"] = float(sum(at_n[c] for c in stranded))
            row["held_mAh"] = float(sum(at_n[c] for c in held))
            for c in held + stranded:
                row[c] = float(at_n[c])
    return row
