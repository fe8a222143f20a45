"""Evaluators of claim limitations over a :class:`~solidstack.stack.Stack`.

Each evaluator takes the :class:`ClaimContext`, a side (``anode``/``cathode``, or None for the whole stack)
and the ``args`` of the limitation in ``data/claims.toml``, and returns a :class:`Finding`: ``met`` /
``not met`` / ``undetermined``, the stack feature it was matched to and the evidence (a value and its source).
Inertness ("does not undergo an electrochemical reaction with metal ions under a potential environment where
the active material stores and releases the metal ions") is the patent's literal test
(:func:`solidstack.rules.verdicts.patent_verdict`): alloying with the ion, in the patent's stated window where
it states one, else the practical window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from solidstack.materials import Catalog
from solidstack.rules.mechanics import Evidence, ductility, softer_than
from solidstack.rules.verdicts import patent_verdict
from solidstack.rules.windows import WindowInfo
from solidstack.stack import MetalLayer, Stack

MET, NOT_MET, UNDETERMINED = "met", "not met", "undetermined"
_FROM_STATUS = {"yes": MET, "no": NOT_MET, "unknown": UNDETERMINED}


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """What evaluators need: the stack, the knowledge base and the windows (per side) for the inertness test."""

    stack: Stack
    catalog: Catalog
    windows: dict[str, WindowInfo]


@dataclass(frozen=True, slots=True)
class Finding:
    """The result of one limitation: ``verdict``, matched ``feature``, ``evidence`` text and ``sources`` (citations)."""

    verdict: str
    feature: str
    evidence: str
    sources: tuple[str, ...] = ()


def _cites(*groups) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.citation for g in groups for r in g))


def layer_label(ctx: ClaimContext, layer) -> str:
    i = next(i for i, la in enumerate(ctx.stack.layers) if la is layer)
    if isinstance(layer, MetalLayer):
        return f"layers[{i}] {ctx.catalog.metal(layer.material).symbol} foil ({ctx.stack.role_of(layer)}, {ctx.stack.side_of(layer)} side)"
    return f"layers[{i}] {layer.label}"


def _side_layers(ctx: ClaimContext, side: str) -> list[MetalLayer]:
    return ctx.stack.anode_side if side == "anode" else ctx.stack.cathode_side


def ductile_layers(ctx: ClaimContext, side: str) -> list[MetalLayer]:
    return [la for la in _side_layers(ctx, side) if ctx.stack.role_of(la) == "ductile"]


def inert_layers(ctx: ClaimContext, side: str) -> list[MetalLayer]:
    """Inert layers between the (first) ductile layer and the electrode, collector side first."""
    layers = _side_layers(ctx, side)
    first_ductile = next((i for i, la in enumerate(layers) if ctx.stack.role_of(la) == "ductile"), None)
    if first_ductile is None:
        return []
    return [la for la in layers[first_ductile + 1:] if ctx.stack.role_of(la) == "inert"]


def _any(findings: list[Finding], none_text: str, feature_none: str) -> Finding:
    """Met if any finding is met (else undetermined if any is, else not met)."""
    if not findings:
        return Finding(NOT_MET, feature_none, none_text)
    for verdict in (MET, UNDETERMINED):
        for f in findings:
            if f.verdict == verdict:
                return f
    return Finding(NOT_MET, "; ".join(f.feature for f in findings), "; ".join(f.evidence for f in findings),
                   tuple(dict.fromkeys(s for f in findings for s in f.sources)))


def _from_evidence(ev: Evidence, feature: str) -> Finding:
    return Finding(_FROM_STATUS[ev.status], feature, ev.text, _cites(ev.sources))


def electrode(ctx: ClaimContext, side: str | None, electrode: str) -> Finding:
    layer = getattr(ctx.stack, electrode)
    am = layer.active_material(ctx.stack.working_ion)
    return Finding(MET, layer_label(ctx, layer), f"active material {am.key} ({am.name}), stores {am.ion}+", _cites(am.sources.get("potential", ())))


def separator(ctx: ClaimContext, side: str | None) -> Finding:
    sep = ctx.stack.separator
    el = ctx.catalog.electrolyte(sep.electrolyte)
    return Finding(MET, layer_label(ctx, sep), f"solid electrolyte {el.key} ({el.electrolyte_class}), between anode and cathode")


def collector(ctx: ClaimContext, side: str | None, electrode: str) -> Finding:
    col = ctx.stack.anode_collector if electrode == "anode" else ctx.stack.cathode_collector
    via = _side_layers(ctx, electrode)
    path = " / ".join(ctx.catalog.metal(la.material).symbol for la in via) if via else "direct contact"
    return Finding(MET, layer_label(ctx, col), f"{col.material} collector, connected to the {electrode} ({path})")


def metal_layer(ctx: ClaimContext, side: str) -> Finding:
    layers = _side_layers(ctx, side)
    if not layers:
        return Finding(NOT_MET, f"{side} side", f"no metal layer between the {side} and its collector")
    return Finding(MET, "; ".join(layer_label(ctx, la) for la in layers), f"{len(layers)} metal layer(s) on the {side} side")


def ductile_layer_elongation(ctx: ClaimContext, side: str) -> Finding:
    found = [_from_evidence(ductility(ctx.catalog.metal(la.material)), layer_label(ctx, la)) for la in ductile_layers(ctx, side)]
    return _any(found, f"no metal layer on the {side} side", f"{side} side")


def inert_layer_present(ctx: ClaimContext, side: str) -> Finding:
    inert = inert_layers(ctx, side)
    if not inert:
        has = ductile_layers(ctx, side)
        why = "no metal layer" if not has else "only the ductile metal layer, nothing between it and the electrode"
        return Finding(NOT_MET, f"{side} side", f"no inert metal layer on the {side} side ({why})")
    return Finding(MET, "; ".join(layer_label(ctx, la) for la in inert), f"between the ductile layer and the {side}")


def _stores(ctx: ClaimContext, side: str, layer: MetalLayer) -> Finding:
    metal = ctx.catalog.metal(layer.material)
    w = ctx.windows[side]
    pv = patent_verdict(metal, ctx.stack.working_ion, w, "inert", catalog=ctx.catalog)
    verdict = {"no": MET, "yes": NOT_MET, "unknown": UNDETERMINED}[pv.stores_ion]
    refs = {r.key: r for r in pv.scan.sources() + w.sources}
    return Finding(verdict, layer_label(ctx, layer), pv.reason, tuple(r.citation for r in refs.values()))


def _front_inert(ctx: ClaimContext, side: str) -> MetalLayer | None:
    inert = inert_layers(ctx, side)
    touching = ctx.stack.touching_electrode(side)  # type: ignore[arg-type]
    if not inert:
        return None
    return touching if any(la is touching for la in inert) else inert[-1]


def inert_layer_inert(ctx: ClaimContext, side: str) -> Finding:
    layer = _front_inert(ctx, side)
    if layer is None:
        return Finding(NOT_MET, f"{side} side", f"no inert metal layer on the {side} side")
    return _stores(ctx, side, layer)


def _metal_in(ctx: ClaimContext, side: str, metals: list[str], layers, kind: str) -> Finding:
    """Met if any of ``layers`` (the ``kind`` layers of ``side``) is one of ``metals``."""
    found = []
    for la in layers:
        sym = ctx.catalog.metal(la.material).symbol
        found.append(Finding(MET if sym in metals else NOT_MET, layer_label(ctx, la), f"{sym} {'is' if sym in metals else 'is not'} in the listed group"))
    return _any(found, f"no {kind} layer on the {side} side", f"{side} side")


def ductile_metal_in(ctx: ClaimContext, side: str, metals: list[str]) -> Finding:
    return _metal_in(ctx, side, metals, ductile_layers(ctx, side), "ductile metal")


def ductile_metal_softer_than(ctx: ClaimContext, side: str, reference: str) -> Finding:
    ref = ctx.catalog.metal(reference)
    found = [_from_evidence(softer_than(ctx.catalog.metal(la.material), ref), layer_label(ctx, la)) for la in ductile_layers(ctx, side)]
    return _any(found, f"no ductile metal layer on the {side} side", f"{side} side")


def active_is(ctx: ClaimContext, side: str, actives: list[str]) -> Finding:
    layer = getattr(ctx.stack, side)
    am = layer.active_material(ctx.stack.working_ion)
    ok = am.key in actives
    return Finding(MET if ok else NOT_MET, layer_label(ctx, layer), f"{am.key} {'is' if ok else 'is not'} one of {', '.join(actives)}")


def inert_metal_in(ctx: ClaimContext, side: str, metals: list[str]) -> Finding:
    return _metal_in(ctx, side, metals, inert_layers(ctx, side), "inert metal")


def touching_layer_inert(ctx: ClaimContext, side: str) -> Finding:
    layer = ctx.stack.touching_electrode(side)  # type: ignore[arg-type]
    if layer is None:
        return Finding(NOT_MET, f"{side} side", f"no metal layer on the {side} side")
    return _stores(ctx, side, layer)


def touching_layer_ductile(ctx: ClaimContext, side: str) -> Finding:
    layer = ctx.stack.touching_electrode(side)  # type: ignore[arg-type]
    if layer is None:
        return Finding(NOT_MET, f"{side} side", f"no metal layer on the {side} side")
    return _from_evidence(ductility(ctx.catalog.metal(layer.material)), layer_label(ctx, layer))


#: Evaluator name (the ``check`` of a limitation in claims.toml) -> function.
CHECKS: dict[str, Callable[..., Finding]] = {
    f.__name__: f
    for f in (electrode, separator, collector, metal_layer, ductile_layer_elongation, inert_layer_present,
              inert_layer_inert, ductile_metal_in, ductile_metal_softer_than, active_is, inert_metal_in,
              touching_layer_inert, touching_layer_ductile)
}
