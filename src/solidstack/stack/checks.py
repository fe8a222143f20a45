"""Checks of a stack that go beyond field types: order of layers, material names, fractions, the working
ion, and enough data to size each layer. Each check yields :class:`Problem` lines; none stops the others."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from solidstack.errors import Problem, UnknownNameError
from solidstack.materials import default_catalog
from solidstack.stack import limits
from solidstack.stack.layers import (
    Collector,
    CompositeElectrode,
    MetalLayer,
    Primer,
    Separator,
    component_density_kg_m3,
)

if TYPE_CHECKING:
    from solidstack.stack.model import Stack

FRACTION_TOLERANCE = 1e-3
ORDER = "collector, (primer), metal layer(s), anode, separator, cathode, metal layer(s), (primer), collector"


def check_stack(stack: Stack) -> list[Problem]:
    problems = list(_structure(stack))
    if problems:  # names and sizes are only meaningful on a well-formed stack
        return problems
    problems += list(_names(stack))
    if problems:
        return problems
    problems += list(_fractions_and_sizes(stack))
    problems += list(_electrochemistry(stack))
    return problems


def _structure(stack: Stack) -> Iterator[Problem]:
    types = [la.type for la in stack.layers]
    for kind in ("anode", "separator", "cathode"):
        n = types.count(kind)
        if n == 0 and kind == "anode" and any(getattr(la, "material", None) == stack.working_ion for la in stack.layers):
            ion = stack.working_ion
            yield Problem("layers", f"no anode layer: a {ion} metal anode is written as an anode layer, "
                                    f'{{type = "anode", active = {{material = "{ion}", fraction = 1}}, thickness = "20 um", '
                                    f'porosity = 0}}, not as a metal layer')
        elif n == 0:
            yield Problem("layers", f"no {kind} layer (a stack reads {ORDER})")
        elif n > 1:
            yield Problem("layers", f"{n} {kind} layers; a stack has exactly one")
    if types.count("collector") == 0:
        yield Problem("layers", "no collector layer; a stack starts and ends with a collector")
    elif types[0] != "collector" or types[-1] != "collector" or types.count("collector") != 2:
        yield Problem("layers", f"collectors must be the first and last layers, and only those (order: {ORDER})")
    if any(types.count(k) != 1 for k in ("anode", "separator", "cathode")):
        return
    ia, isep, ic = types.index("anode"), types.index("separator"), types.index("cathode")
    if not ia < isep < ic:
        yield Problem("layers", f"layers out of order: anode at {ia}, separator at {isep}, cathode at {ic} (order: {ORDER})")
        return
    if ic != isep + 1 or ia != isep - 1:
        yield Problem("layers", "the separator must touch both electrodes (nothing between anode, separator and cathode)")
    for i, la in enumerate(stack.layers):
        if la.type == "metal" and not (0 < i < ia or ic < i < len(types) - 1):
            yield Problem(f"layers[{i}]", "a metal layer must sit between an electrode and its collector")
        if la.type == "primer" and i not in (1, len(types) - 2):
            yield Problem(f"layers[{i}]", "a primer is a coating on a collector: put it right after the anode "
                                          "collector or right before the cathode collector")


def _lookup(where: str, fn, *args) -> Iterator[Problem]:
    try:
        fn(*args)
    except UnknownNameError as err:
        yield from (Problem(where + (f": {p.where}" if p.where else ""), p.what) for p in err.problems)


def _names(stack: Stack) -> Iterator[Problem]:
    cat = default_catalog()
    for i, la in enumerate(stack.layers):
        where = f"layers[{i}]"
        if isinstance(la, Collector):
            yield from _lookup(f"{where}.material", cat.collector, la.material)
        elif isinstance(la, Primer):  # a conductive carbon: an additive of the knowledge base
            yield from _lookup(f"{where}.material", cat.auxiliary, la.material, "additive")
        elif isinstance(la, MetalLayer):
            yield from _lookup(f"{where}.material", cat.metal, la.material)
        elif isinstance(la, Separator):
            yield from _lookup(f"{where}.electrolyte", cat.electrolyte, la.electrolyte)
            if la.binder:
                yield from _lookup(f"{where}.binder.material", cat.auxiliary, la.binder.material, "binder")
        elif isinstance(la, CompositeElectrode):
            yield from _lookup(f"{where}.active.material", cat.active, la.active.material)
            if la.electrolyte:
                yield from _lookup(f"{where}.electrolyte.material", cat.electrolyte, la.electrolyte.material)
            for role in ("additive", "binder", "coating"):
                comp = getattr(la, role)
                if comp is not None:
                    yield from _lookup(f"{where}.{role}.material", cat.auxiliary, comp.material, role)


def _fractions_and_sizes(stack: Stack) -> Iterator[Problem]:
    for i, la in enumerate(stack.layers):
        where = f"layers[{i}]"
        if isinstance(la, CompositeElectrode):
            total = sum(c.fraction for _, c in la.components())
            if abs(total - 1.0) > FRACTION_TOLERANCE:
                parts = " + ".join(f"{c.fraction:g} ({role})" for role, c in la.components())
                yield Problem(f"{where} ({la.type})", f"mass fractions sum to {total:.4g}, not 1: {parts}")
            if la.active.fraction < limits.MIN_ACTIVE_FRACTION:
                yield Problem(f"{where}.active.fraction", f"the active material fraction {la.active.fraction:g} is below "
                              f"{limits.MIN_ACTIVE_FRACTION:g}: an electrode needs active material")
        if isinstance(la, (CompositeElectrode, Separator)):
            given = {
                "mass": la.mass is not None or la.areal_loading is not None,
                "thickness": la.thickness is not None,
                "porosity": la.porosity is not None,
            }
            if la.mass is not None and la.areal_loading is not None:
                yield Problem(where, "give either mass or areal_loading, not both")
            if sum(given.values()) != 2:
                have = [k for k, v in given.items() if v] or ["none"]
                yield Problem(
                    where,
                    f"give exactly two of mass (or areal_loading), thickness and porosity (given: {', '.join(have)})",
                )
                continue
            if not given["thickness"] or not given["mass"]:
                try:
                    la.solid_density_kg_m3()
                except ValueError as err:
                    yield Problem(where, str(err))
                    continue
            if given["mass"] and given["thickness"]:
                try:
                    porosity = la.porosity_value(stack.area_m2)
                except ValueError as err:
                    yield Problem(where, str(err))
                    continue
                if not limits.POROSITY[0] <= porosity <= limits.POROSITY[1]:
                    yield Problem(
                        where,
                        f"mass and thickness imply a porosity of {porosity:.2f}, outside "
                        f"{limits.POROSITY[0]:g}..{limits.POROSITY[1]:g}: check both values",
                    )
            elif given["mass"]:  # thickness derived from mass and porosity: in the same range as a given one
                lo, hi = limits.LAYER_THICKNESS_M
                t = la.thickness_m(stack.area_m2)
                if not lo <= t <= hi:
                    yield Problem(where, f"mass and porosity imply a thickness of {t * 1e6:.3g} um, outside "
                                  f"{lo * 1e6:g} um to {hi * 1e3:g} mm: check the mass, porosity and area")
        if isinstance(la, CompositeElectrode) and la.active.particle_size is not None:
            yield from _particle_size(stack, la, f"{where}.active.particle_size")
        if isinstance(la, Primer) and la.areal_loading is None:
            try:
                la.density_kg_m3()
            except ValueError:
                yield Problem(f"{where}.material", f"no density for {la.material!r} in the knowledge base; give the "
                                                   "primer's areal_loading (its coat weight)")
        if isinstance(la, (MetalLayer, Collector)):
            try:
                la.density_kg_m3()
            except ValueError as err:
                yield Problem(f"{where}.material", str(err))


def _particle_size(stack: Stack, la: CompositeElectrode, where: str) -> Iterator[Problem]:
    """A D50 only where the active is a powder: a metal alone is a foil. (A D50 above the layer's thickness is not
    refused here, as the thickness is often derived from an assumed porosity: the simulation lists it in its gaps.)"""
    others = [c for role, c in la.components() if role != "active" and c.fraction > 0]
    if others:
        return
    try:
        default_catalog().metal(la.active.material)
    except UnknownNameError:
        return
    yield Problem(where, f"a {la.active.material} {la.type} of the metal alone is a foil (simulated on its face); "
                         "it has no particle size: leave particle_size out")


def _electrochemistry(stack: Stack) -> Iterator[Problem]:
    cat = default_catalog()
    ion = stack.working_ion
    electrodes = {}
    for i, la in enumerate(stack.layers):
        where = f"layers[{i}]"
        if isinstance(la, CompositeElectrode):
            variants = cat.ions_of(la.active.material)
            if ion not in variants:
                yield Problem(
                    f"{where}.active.material",
                    f"{la.active.material} does not store {ion}+ (it stores {', '.join(v + '+' for v in variants)})",
                )
                continue
            am = cat.active(la.active.material, ion)
            electrodes[la.type] = am
            if am.practical_capacity_mAh_g is None:
                yield Problem(f"{where}.active.material", f"{am.key} has no practical capacity in the knowledge base")
            se = la.electrolyte.material if la.electrolyte else None
            if se is not None and cat.electrolyte(se).ion != ion:
                yield Problem(f"{where}.electrolyte.material", f"{se} conducts {cat.electrolyte(se).ion}+, not {ion}+")
            try:
                for role, comp in la.components():
                    component_density_kg_m3(role, comp.material)
            except ValueError as err:
                if la.thickness is None or (la.mass is None and la.areal_loading is None):
                    yield Problem(where, str(err))
        if isinstance(la, Separator) and cat.electrolyte(la.electrolyte).ion != ion:
            yield Problem(f"{where}.electrolyte", f"{la.electrolyte} conducts {cat.electrolyte(la.electrolyte).ion}+, not {ion}+")
    if "anode" in electrodes and "cathode" in electrodes:
        an, ca = electrodes["anode"], electrodes["cathode"]
        if an.average_V is not None and ca.average_V is not None and ca.average_V <= an.average_V:
            yield Problem(
                "layers",
                f"the cathode active material {ca.key} ({ca.average_V:g} V vs {ion}) is not above the anode's "
                f"{an.key} ({an.average_V:g} V): swap them?",
            )
