"""Hosts of the working ion in a stack, and which interlayers can reach the ion (access/shielding).

A *host* is anything that stores the working ion: each electrode's active material, and the metal interlayer
touching an electrode composite if it reacts with the ion at that electrode's potentials. Only the layer
touching the composite can react (the composite's solid electrolyte touches its face); every layer behind it is
shielded. Each host carries its OCP curve, its capacity (maximum concentration and volume fraction), its
transport and kinetic constants, and the partial molar volume of the ion in it (for the contact-loss law).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from solidstack.materials import catalog
from solidstack.materials.records import FARADAY_MAH_PER_MOL, OcpCurve
from solidstack.sim.data_files import host_constants, read_ocp_table
from solidstack.sim.ocp import GUARD_WIDTH, merge, staircase
from solidstack.stack import Stack
from solidstack.stack.layers import MetalLayer

Side = Literal["anode", "cathode"]
F = 96485.33212  # C/mol

#: How far inside its OCP table (in stoichiometry) a pristine electrode starts (numerical, see _active_host).
START_INSIDE = 1e-3

#: OCP extensions shipped in materials/data/ocp for (material, ion) where the knowledge-base curve is too short.
OCP_EXTENSIONS = {("NMC111", "Li"): "NMC111_Li_extension.csv"}
#: OCP tables shipped in materials/data/ocp for materials the knowledge base has no curve for.
OCP_SUBSTITUTES = {("Na3V2(PO4)3", "Na"): "Na3V2PO43_Na.csv"}


@dataclass(frozen=True)
class Host:
    """One host of the working ion.

    Units: ``c_max`` mol/m3, ``radius`` m, ``diffusivity`` m2/s, ``i0`` A/m2 (at x = 0.5 for intercalation
    hosts, constant for foils), ``omega`` m3/mol (volume change per mole of ion taken up), ``thickness`` m
    (foils only). ``x0`` is the initial stoichiometry (c/c_max).
    """

    label: str
    material: str
    side: Side
    kind: Literal["active", "foil"]
    ocp: OcpCurve
    c_max: float
    x0: float
    radius: float
    diffusivity: float
    i0: float
    omega: float
    strain_weight: float
    thickness: float | None = None
    working_metal: bool = False
    basis: str = ""
    gaps: tuple[str, ...] = ()


@dataclass
class HostMap:
    """The hosts of a stack per side (the electrode's active material first), plus notes on every interlayer."""

    anode: list[Host] = field(default_factory=list)
    cathode: list[Host] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    ductile_accommodation_m: dict[str, float] = field(default_factory=dict)

    def side(self, side: Side) -> list[Host]:
        return self.anode if side == "anode" else self.cathode

    @property
    def all(self) -> list[Host]:
        return self.anode + self.cathode

    def structure_key(self) -> tuple:
        """What fixes the built model's structure and mesh (phases, c_max, radii)."""
        return tuple((h.side, h.kind, h.material, round(h.c_max, 6), round(h.radius, 12)) for h in self.all)


def _active_host(stack: Stack, side: Side) -> Host:
    electrode = stack.anode if side == "anode" else stack.cathode
    ion = stack.working_ion
    mat = electrode.active_material(ion)
    gaps: list[str] = []
    curve = mat.ocp
    sub = OCP_SUBSTITUTES.get((mat.key, ion))
    if curve is None and sub is not None:
        curve = read_ocp_table(sub)
        gaps.append(f"{mat.key} ({ion}): no OCP curve in the knowledge base; using materials/data/ocp/{sub} (plateau value, see its header)")
    if curve is None:
        raise _no_ocp(mat.key, ion)
    ext = OCP_EXTENSIONS.get((mat.key, ion))
    if ext is not None:
        curve = merge(curve, read_ocp_table(ext))
    const = host_constants(f"{mat.key}.{ion}")
    if const["is_default"]:
        gaps.append(f"{mat.key} ({ion}): no transport/kinetic data; placeholder values from materials/data/transport.toml [defaults]")
    rho = (mat.density_g_cm3 or 0.0) * 1e6  # g/m3
    c_max = const.get("c_max_mol_m3")
    if c_max is None:
        if mat.theoretical_capacity_mAh_g is None or not rho:
            raise _no_ocp(mat.key, ion, "no theoretical capacity or density to derive the maximum concentration")
        c_max = mat.theoretical_capacity_mAh_g * rho / FARADAY_MAH_PER_MOL
    omega = 0.0
    if mat.volume_change_pct is not None and mat.practical_capacity_mAh_g and rho:
        dx = mat.practical_capacity_mAh_g * rho / FARADAY_MAH_PER_MOL / c_max
        omega = abs(mat.volume_change_pct) / 100.0 / (c_max * dx)
    else:
        gaps.append(f"{mat.key} ({ion}): no volume change in the knowledge base; its own strain is taken as 0")
    # pristine electrodes: anodes empty, cathodes full (as assembled), started START_INSIDE into the table: at the
    # table's end the clipped interpolant has a kink, and there the DAE's consistent initialisation fails (SPM with
    # two phases, DFN)
    x0 = curve.x[0] + START_INSIDE if side == "anode" else curve.x[-1] - START_INSIDE
    return Host(
        label=mat.key, material=mat.key, side=side, kind="active", ocp=curve, c_max=float(c_max), x0=float(x0),
        radius=const["radius_m"], diffusivity=const["diffusivity_m2_s"], i0=const["i0_A_m2"], omega=omega,
        strain_weight=1.0, basis=const["basis"], gaps=tuple(gaps),
    )


def _no_ocp(material: str, ion: str, why: str = "no OCP curve") -> Exception:
    from solidstack.errors import InputError, Problem

    return InputError(Problem("", f"cannot simulate {material} with {ion}+: {why} in the knowledge base (materials/data)"))


def _foil_host(stack: Stack, layer: MetalLayer, side: Side) -> Host | None:
    """The host of a foil that touches an electrode composite, or None if it cannot react there."""
    ion = stack.working_ion
    metal = catalog.metal(layer.material)
    rx = catalog.reactions(metal.symbol, ion)
    rho_mol = (metal.density_g_cm3 or 0.0) * 1e6 / metal.molar_mass_g_mol  # mol metal / m3
    const = host_constants(f"foil.{metal.symbol}.{ion}", foil=True)
    gaps = [f"{metal.symbol} foil ({ion}): no kinetic data; placeholder values (materials/data/transport.toml [foil_defaults])"] if const["is_default"] else []
    t = layer.thickness_m(stack.area_m2)
    common = dict(material=metal.symbol, side=side, kind="foil", radius=3.0 * t, diffusivity=const["diffusivity_m2_s"],
                  i0=const["i0_A_m2"], thickness=t, basis=const["basis"])
    if rx.status == "working":
        # the working ion's own metal: a 0 V host; x = 0.5 is the foil as made (it can take as much again)
        curve = catalog.active(metal.symbol, ion).ocp
        if curve is None:
            return None
        from solidstack.sim.data_files import contact_constants

        w = contact_constants()["creep"]["working_ion_metal_weight"]
        return Host(label=f"{metal.symbol} foil", ocp=curve, c_max=2.0 * rho_mol, x0=0.5,
                    omega=metal.molar_mass_g_mol / ((metal.density_g_cm3 or 1.0) * 1e6), strain_weight=w,
                    working_metal=True, gaps=tuple(gaps), **common)  # type: ignore[arg-type]
    if rx.reacts is not True:
        return None
    onset = rx.onset_V
    electrode = stack.anode if side == "anode" else stack.cathode
    lowest = electrode.active_material(ion).window.lo
    if onset is None or onset < lowest:
        return None
    # OCP: the knowledge base's curve for the alloy electrode if there is one, else a staircase of the steps
    curve: OcpCurve | None = None
    x_max = 1.0
    try:
        curve = catalog.active(metal.symbol, ion).ocp
    except Exception:  # noqa: BLE001 - not an active material: use the reaction steps
        curve = None
    if curve is not None:
        # the two-phase value holds down to x = 0 (pristine foil); the table's first row is a conservative start
        if curve.x[0] > 0.0:
            curve = OcpCurve(curve.name, (0.0,) + curve.x, (curve.U_V[0],) + curve.U_V, curve.header, curve.sources)
            gaps.append(f"{metal.symbol}-{ion}: OCP table starts at x = {curve.x[1]}; its first value is held down to x = 0")
        x_max = 1.0
        step = next((s for s in rx.steps if s.x_to is not None and abs(s.x_to - 1.0) < 1e-9), None)
        vol = step.volume_change_pct if step is not None else None
    else:
        steps = []
        vol = None
        for s in sorted(rx.steps, key=lambda s: s.step):
            if s.potential_V is None or s.x_to is None or s.x_from is None:
                break
            steps.append((s.x_from, s.x_to, s.potential_V))
            vol = s.volume_change_pct
        if not steps:
            return None
        x_max = steps[-1][1]
        curve = staircase([(a / x_max, b / x_max, u) for a, b, u in steps])
        skipped = [s for s in rx.steps if s.x_from is not None and s.x_from >= x_max - 1e-9]
        if skipped:
            gaps.append(f"{metal.symbol}-{ion}: steps beyond x = {x_max:g} have no potential in reactions.csv; the foil "
                        f"is modelled up to x = {x_max:g} only")
    if curve.x[-1] < 1.0 - 1e-9:
        gaps.append(f"{metal.symbol}-{ion}: OCP tabulated up to x = {curve.x[-1] * x_max:g} only; deeper phases are not "
                    "modelled (an end guard stops the foil filling further)")
    omega = 0.0
    if vol is not None and metal.molar_volume_cm3_mol:
        omega = vol / 100.0 * metal.molar_volume_cm3_mol * 1e-6 / x_max
    else:
        gaps.append(f"{metal.symbol}-{ion}: no volume change; its strain is taken as 0")
    return Host(label=f"{metal.symbol} foil", ocp=curve, c_max=x_max * rho_mol, x0=GUARD_WIDTH / 40.0,
                omega=omega, strain_weight=1.0, gaps=tuple(gaps), **common)  # type: ignore[arg-type]


def find_hosts(stack: Stack) -> HostMap:
    """The hosts of ``stack`` per side, with a note for every interlayer saying whether and why it reacts."""
    from solidstack.sim.data_files import contact_constants

    min_el = contact_constants()["law"]["ductile_min_elongation_pct"]
    hm = HostMap()
    for side in ("anode", "cathode"):
        side_hosts = hm.side(side)  # type: ignore[arg-type]
        side_hosts.append(_active_host(stack, side))  # type: ignore[arg-type]
        layers = stack.anode_side if side == "anode" else stack.cathode_side
        touching = layers[-1] if layers else None
        reacting: MetalLayer | None = None
        if touching is not None:
            host = _foil_host(stack, touching, side)  # type: ignore[arg-type]
            if host is not None and host.working_metal and side == "cathode":
                hm.notes.append(
                    f"{touching.material} foil on the cathode side: a {stack.working_ion} metal foil touching the cathode "
                    "would lithiate it below its tabulated OCP range (the patent's Example 2 '~2 V' feature); no sourced "
                    "OCP exists there, so this reaction is NOT modelled and the foil is treated as non-reacting")
                hm.gaps.append(f"{stack.cathode.active.material}: no OCP for over-lithiation (cathode-side {touching.material} foil)")
            elif host is not None:
                side_hosts.append(host)
                reacting = touching
                hm.notes.append(f"{touching.material} foil touches the {side} composite and reacts with {stack.working_ion}+ "
                                f"(host at {host.ocp.U_V[len(host.ocp.U_V) // 2]:.2f} V)")
                hm.gaps.extend(host.gaps)
            elif host is None:
                hm.notes.append(f"{touching.material} foil touches the {side} composite and does not react with "
                                f"{stack.working_ion}+ at {side} potentials")
            for la in layers[:-1]:
                hm.notes.append(f"{la.material} foil on the {side} side is shielded by the {touching.material} foil in front of it")
        # ductile, non-reacting layers on this side accommodate the interface strain
        acc = 0.0
        for la in layers:
            if la is reacting:
                continue
            el = catalog.metal(la.material).elongation_pct
            if el is not None and el >= min_el:
                acc += el / 100.0 * la.thickness_m(stack.area_m2)
        hm.ductile_accommodation_m[side] = acc
        hm.gaps.extend(side_hosts[0].gaps)
    se = stack.separator.electrolyte
    for role, c in stack.anode.components():
        if role == "electrolyte" and c.fraction > 0:
            se = c.material
    win = catalog.electrolyte(se).window
    if win is None or win.lo is None:
        hm.gaps.append(f"{se}: no reduction limit in the knowledge base; its reduction at the anode (first-cycle "
                       "interphase) is not modelled")
    hm.gaps = list(dict.fromkeys(hm.gaps))
    return hm
