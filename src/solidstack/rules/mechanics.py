"""Mechanical criteria: the patent's percent elongation >= 22 % and claim 4's "softer than In".

Elongation: a metal's ``elongation_pct`` (the lower end of its range, %) decides; a ``class_level`` range that
straddles 22 % (rare-earth metals 15-35 %) is undetermined. Hardness: Brinell (MPa) is the measure, because it
is the one the knowledge base has for In (8.83 MPa) and most metals; Vickers (MPa) is used only when both
metals have it and one lacks Brinell. Values the knowledge base flags as corrected WebElements slips, and
pairs whose Brinell and Vickers differ by more than a factor 1.5 (for soft pure metals they are about equal),
are marked suspect.
"""

from __future__ import annotations

from dataclasses import dataclass

from solidstack.materials.records import Metal, Reference

ELONGATION_MIN_PCT = 22.0
#: Brinell and Vickers of a pure annealed metal agree within this factor; beyond it a value is suspect.
HARDNESS_RATIO_MAX = 1.5


@dataclass(frozen=True, slots=True)
class Evidence:
    """A three-valued finding (``yes``/``no``/``unknown``), a sentence saying why, and its references."""

    status: str
    text: str
    value: float | None = None
    sources: tuple[Reference, ...] = ()


def ductility(metal: Metal) -> Evidence:
    """Whether ``metal`` has percent elongation >= 22 % (patent [0015], [0082])."""
    refs = metal.sources.get("elongation", ())
    e, emax = metal.elongation_pct, metal.elongation_max_pct
    if e is None:
        return Evidence("unknown", f"{metal.symbol}: no percent elongation in the knowledge base", None, refs)
    rng = f"{e:g}-{emax:g} %" if emax is not None else f"{e:g} %"
    cond = f" ({metal.elongation_condition})" if metal.elongation_condition else ""
    if e >= ELONGATION_MIN_PCT:
        return Evidence("yes", f"{metal.symbol} elongation {rng}{cond} >= 22 %", e, refs)
    if metal.elongation_status == "class_level" and emax is not None and emax >= ELONGATION_MIN_PCT:
        return Evidence("unknown", f"{metal.symbol} elongation {rng} is a group-level range straddling 22 %", e, refs)
    return Evidence("no", f"{metal.symbol} elongation {rng}{cond} < 22 %", e, refs)


def hardness_flags(metal: Metal) -> list[str]:
    """Reasons to distrust ``metal``'s hardness values (corrected slips noted in the data, Brinell/Vickers mismatch)."""
    flags = []
    if "factor-10 slip" in metal.notes or "WebElements lists" in metal.notes:
        flags.append("Brinell corrected in the knowledge base for a WebElements factor-10 slip")
    hb, hv = metal.brinell_MPa, metal.vickers_MPa
    if hb and hv and max(hb, hv) / min(hb, hv) > HARDNESS_RATIO_MAX:
        flags.append(f"Brinell {hb:g} and Vickers {hv:g} MPa differ by more than x{HARDNESS_RATIO_MAX:g} (suspect WebElements value)")
    return flags


def softer_than(metal: Metal, reference: Metal) -> Evidence:
    """Whether ``metal`` is softer than ``reference`` (claim 4: "In and metal softer than In").

    ``yes`` if it is the reference itself or its hardness is lower on the measure both have (Brinell, else Vickers).
    """
    refs = metal.sources.get("hardness", ()) + reference.sources.get("hardness", ())
    if metal.symbol == reference.symbol:
        return Evidence("yes", f"{metal.symbol} is {reference.symbol} itself", None, refs)
    for measure, attr in (("Brinell", "brinell_MPa"), ("Vickers", "vickers_MPa")):
        a, b = getattr(metal, attr), getattr(reference, attr)
        if a is not None and b is not None:
            flags = hardness_flags(metal) + [f"{reference.symbol}: {f}" for f in hardness_flags(reference)]
            note = f" [suspect: {'; '.join(flags)}]" if flags else ""
            status = "yes" if a < b else "no"
            rel = "<" if a < b else ">="
            return Evidence(status, f"{measure} {metal.symbol} {a:g} MPa {rel} {reference.symbol} {b:g} MPa{note}", a, refs)
    return Evidence("unknown", f"no common hardness measure for {metal.symbol} and {reference.symbol} in the knowledge base "
                    f"(Brinell {metal.brinell_MPa}, Vickers {metal.vickers_MPa} vs Brinell {reference.brinell_MPa}, "
                    f"Vickers {reference.vickers_MPa} MPa)", None, refs)
