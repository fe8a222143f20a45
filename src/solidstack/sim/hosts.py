"""Hosts of the working ion in a stack, and which interlayers can reach the ion (access/shielding).

A *host* is anything that stores the working ion: each electrode's active material, and the metal interlayer
touching an electrode composite if it reacts with the ion at that electrode's potentials. Only the layer
touching the composite can react (the composite's solid electrolyte touches its face); every layer behind it is
shielded. Each host carries its OCP curve, its capacity (maximum concentration and volume fraction), its
transport and kinetic constants, and the partial molar volume of the ion in it (for the contact-loss law).

Every material value comes from the :class:`~solidstack.materials.Catalog` passed in (shipped data plus user
folders); the simulation's own constants from the :class:`~solidstack.sim.data_files.SimConstants` passed in.

Capacity (one source of truth): an active host's maximum concentration is set so that the part of its OCP table
inside the material's window (``window_lo_V``-``window_hi_V``) holds the knowledge base's practical capacity, the
value ``solidstack show`` reports. A *planar* host is a metal electrode (an anode layer of Li, Na, K, or an alloy
foil such as In; or, as the cathode, a dense foil of a metal that is not the working ion, e.g. the In-Li counter
of a graphite half cell): it reacts on its face only and its inventory follows from its thickness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pybamm

from solidstack.errors import InputError, Problem
from solidstack.materials import Catalog, default_catalog
from solidstack.materials.records import FARADAY_MAH_PER_MOL, ActiveMaterial, OcpCurve, Transport
from solidstack.sim.data_files import SimConstants, default_constants
from solidstack.sim.ocp import GUARD_WIDTH, merge, staircase
from solidstack.stack import Stack
from solidstack.stack.layers import CompositeElectrode, MetalLayer

Side = Literal["anode", "cathode"]
F = 96485.33212  # C/mol

#: How far inside its OCP table (in stoichiometry) a pristine electrode starts (numerical, see _active_host).
START_INSIDE = 1e-3

#: Thickness (m) of the 1-D domain that stands for a planar metal electrode in the PyBaMM model: the metal's
#: whole inventory sits in it, its reacting area is the electrode face (see parameters.py); numerical, not data.
PLANAR_DOMAIN_M = 1.0e-6
#: Volume fraction of the metal (and of the solid electrolyte) in that domain (numerical).
PLANAR_FRACTION = 0.5
#: Room for plating on a planar metal electrode beyond its stated inventory, in units of the cathode's
#: theoretical capacity (numerical: the metal can always take what the cathode gives).
PLATING_ROOM = 1.5
#: End-guard width (in x) of planar working-ion metals: narrow, so that an anode-free cell starts within 1e-3
#: of an empty metal without the guard raising its potential (numerical, see sim/ocp.py).
PLANAR_GUARD_WIDTH = 2.0e-4


#: Temperature (K) the values of transport.toml are given at (the 298.15 K reference of the PyBaMM parameter sets
#: they come from); ``i0_activation_K`` and ``diffusivity_activation_K`` (E/R, K) scale them to the stack's.
TRANSPORT_T_REF_K = 298.15


def arrhenius(activation_K: float, T_K: float, T_ref_K: float = TRANSPORT_T_REF_K) -> float:
    """Arrhenius factor exp(E/R (1/T_ref - 1/T)) (-) of a value given at ``T_ref_K`` (K), at ``T_K`` (K), for an
    activation temperature ``activation_K`` = E/R (K); 1 at T = T_ref. A number computed once per run, not a
    model expression, so the model's cost does not change."""
    return math.exp(activation_K * (1.0 / T_ref_K - 1.0 / T_K))


def away_from(T_K: float, T_ref_K: float = TRANSPORT_T_REF_K) -> bool:
    """Whether a run at ``T_K`` (K) is far enough from the temperature ``T_ref_K`` (K) a value is given at (> 0.5 K)
    that its temperature dependence (or a missing activation energy) matters; the one threshold of the SE
    conductivities, the transport entries and the run's temperature note."""
    return abs(T_K - T_ref_K) > 0.5


#: Surface states of an active material that ``transport.toml`` may give an interface exchange current for.
INTERFACE_STATES = ("bare", "coated")


def interface_kinetics(tr: Transport, electrode: CompositeElectrode, cat: Catalog) -> tuple[Transport, str | None]:
    """Transport entry ``tr`` of a composite's active with the exchange current of the interface the electrode
    makes, where the entry gives one: ``i0_<family>_<state>_A_m2`` (A/m2 of particle surface at x = 0.5 and 25 degC)
    and its ``i0_<family>_<state>_activation_K`` (E/R, K) replace ``i0_A_m2`` / ``i0_activation_K``. ``family`` is
    the first word of the composite SE's knowledge-base class (``sulfide``, ``oxide``, ``halide`` ...), ``state``
    ``coated`` when the electrode has a ``coating`` (any material, any thickness) and ``bare`` otherwise. Without an
    SE in the layer or without that field the entry is returned as it is (its ``i0_A_m2``; for the layered oxides
    the liquid-electrolyte value of the PyBaMM sets). Also returns the field name used (None when none)."""
    se = getattr(electrode, "electrolyte", None)
    if se is None:
        return tr, None
    words = cat.electrolyte(se.material).electrolyte_class.split()
    family = words[0].lower() if words else ""
    state = INTERFACE_STATES[1] if getattr(electrode, "coating", None) is not None else INTERFACE_STATES[0]
    name = f"i0_{family}_{state}"
    i0 = tr.get(f"{name}_A_m2")
    if i0 is None:
        return tr, None
    values = dict(tr.values)
    values["i0_A_m2"] = i0
    activation = tr.get(f"{name}_activation_K")
    if activation is None:
        values.pop("i0_activation_K", None)
    else:
        values["i0_activation_K"] = activation
    return replace(tr, values=values), name


def _kinetics_at(tr, T_K: float, label: str, foil: bool = False) -> tuple[float, float, list[str]]:
    """(i0 in A/m2, constant diffusivity in m2/s) of transport entry ``tr`` at the stack temperature ``T_K`` (K):
    times :func:`arrhenius` of the entry's ``i0_activation_K`` / ``diffusivity_activation_K``, where it has them;
    and the data gaps of a run away from 25 degC whose entry has none (a constant D of a metal foil is a numerical
    stand-in for no diffusion limit, so it is not reported)."""
    i0, D, gaps = float(tr["i0_A_m2"]), float(tr["diffusivity_m2_s"]), []
    where = f"transport.toml [{tr.key!r}]"
    at = f"{T_K - 273.15:.4g} degC"
    ea_i0, ea_D = tr.get("i0_activation_K"), tr.get("diffusivity_activation_K")
    if ea_i0 is not None:
        i0 *= arrhenius(ea_i0, T_K)
    elif away_from(T_K):
        gaps.append(f"{label}: exchange-current density at its 25 degC value at {at} (no i0_activation_K in {where})")
    if ea_D is not None:
        D *= arrhenius(ea_D, T_K)
    elif away_from(T_K) and not foil and tr.get("diffusivity_log10_c0") is None:
        gaps.append(f"{label}: solid diffusivity at its 25 degC value at {at} (no diffusivity_activation_K in {where})")
    return i0, D, gaps


#: The coefficients of a stoichiometry-dependent solid diffusivity in transport.toml (O'Regan 2022's form):
#: D = factor 10^(log10_c0 + sum_i a_i exp(-(x - b_i)^2 / c_i)) exp(activation_K (1/298.15 - 1/T))
DIFFUSIVITY_LAW = ("log10_c0", "a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3", "factor", "activation_K")


def diffusivity_law(coef: tuple[float, ...], x, T):
    """D(x, T) (m2/s) of :data:`DIFFUSIVITY_LAW` with coefficients ``coef`` at stoichiometry ``x`` and temperature
    ``T`` (K); works on numbers, numpy arrays and PyBaMM symbols."""
    c0, a1, a2, a3, b1, b2, b3, c1, c2, c3, factor, act = coef
    if isinstance(x, pybamm.Symbol) or isinstance(T, pybamm.Symbol):
        exp = pybamm.exp
    else:
        exp = np.exp
    log10 = c0 + a1 * exp(-((x - b1) ** 2) / c1) + a2 * exp(-((x - b2) ** 2) / c2) + a3 * exp(-((x - b3) ** 2) / c3)
    return factor * 10 ** log10 * exp(act * (1.0 / 298.15 - 1.0 / T))


#: A tabulated solid diffusivity in transport.toml: points ``diffusivity_x_NN`` (stoichiometry x = c/c_max, rising)
#: and ``diffusivity_D_NN`` (m2/s) at ``diffusivity_table_T_K``, NN = 01, 02, ...; optional ``diffusivity_activation_K``
#: (E/R, K). Between points log10 D is interpolated linearly in x; beyond the ends D is held at the end value.
TABLE_X, TABLE_D, TABLE_T = "diffusivity_x_", "diffusivity_D_", "diffusivity_table_T_K"


@dataclass(frozen=True)
class DiffusivityTable:
    """A tabulated D(x) (see :data:`TABLE_X`): ``x`` rising, ``log10_D`` log10 of D in m2/s at ``T_ref_K`` (K),
    Arrhenius ``activation_K`` (E/R, K; 0 = none)."""

    x: tuple[float, ...]
    log10_D: tuple[float, ...]
    T_ref_K: float
    activation_K: float = 0.0

    def __call__(self, x, T):
        """D(x, T) in m2/s (numbers, numpy arrays or PyBaMM symbols)."""
        xs, ys = np.asarray(self.x), np.asarray(self.log10_D)
        if isinstance(x, pybamm.Symbol) or isinstance(T, pybamm.Symbol):
            xc = pybamm.maximum(pybamm.minimum(x, float(xs[-1])), float(xs[0]))
            log10 = pybamm.Interpolant(xs, ys, xc, name="tabulated log10 D", interpolator="linear")
            return 10 ** log10 * pybamm.exp(self.activation_K * (1.0 / self.T_ref_K - 1.0 / T))
        return 10 ** np.interp(x, xs, ys) * np.exp(self.activation_K * (1.0 / self.T_ref_K - 1.0 / np.asarray(T)))


@dataclass(frozen=True)
class Host:
    """One host of the working ion.

    Units: ``c_max`` mol/m3, ``radius`` m, ``diffusivity`` m2/s, ``i0`` A/m2 (at x = 0.5 for intercalation
    hosts, constant for foils), ``omega`` m3/mol (volume change per mole of ion taken up), ``thickness`` m
    (foils and planar metals: the metal as stated). ``x0`` is the initial stoichiometry (c/c_max).
    ``kind``: ``active`` (particles of a composite), ``foil`` (an interlayer reacting on its face, a second phase
    of the electrode) or ``planar`` (a metal electrode: the electrode itself reacts on its face).
    ``x_table``: the OCP table's x range; ``x_sourced``: the x range that holds the sourced capacity (the
    window's part of the table); beyond them the run flags the cycle.
    """

    label: str
    material: str
    side: Side
    kind: Literal["active", "foil", "planar"]
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
    x_sourced: tuple[float, float] | None = None
    guard_width: float = GUARD_WIDTH
    conductivity_S_m: float | None = None
    metal_mol_m3: float | None = None  # planar metals: moles of metal per m3 (thickness = held / (this x area))
    #: D(x, T) of the host where its transport entry gives one (:data:`DIFFUSIVITY_LAW` coefficients); then
    #: ``diffusivity`` is only the constant reported beside it
    #: or a tabulated one (:class:`DiffusivityTable`)
    diffusivity_law: tuple[float, ...] | DiffusivityTable | None = None

    def diffusivity_at(self, x, T):
        """Solid diffusivity (m2/s) at stoichiometry ``x`` and temperature ``T`` (K): :func:`diffusivity_law`
        or the :class:`DiffusivityTable` where the host has one, else the constant ``diffusivity`` (numbers, arrays
        or PyBaMM symbols)."""
        if self.diffusivity_law is None:
            return self.diffusivity
        if isinstance(self.diffusivity_law, DiffusivityTable):
            return self.diffusivity_law(x, T)
        return diffusivity_law(self.diffusivity_law, x, T)

    @property
    def x_table(self) -> tuple[float, float]:
        return self.ocp.x[0], self.ocp.x[-1]


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


def no_ocp_error(mat: ActiveMaterial, why: str = "no OCP curve") -> InputError:
    """The one-line error for an active that cannot be simulated, saying exactly what to add."""
    stem = "".join(ch for ch in mat.key if ch.isalnum() or ch == "_")
    return InputError(Problem("", (
        f"cannot simulate {mat.key} with {mat.ion}+: {why} in the knowledge base; add a table ocp/{stem}_{mat.ion}.csv "
        f"(columns x,U_V: x = {mat.ion} content c/c_max, U_V = potential in V vs {mat.ion}+/{mat.ion}, rows by "
        f"increasing x, and a '# source_key: KEY' line) to a user materials folder (--materials or "
        f"SOLIDSTACK_MATERIALS; see README, 'User materials')")))


def window_x_range(curve: OcpCurve, lo_V: float, hi_V: float) -> tuple[float, float]:
    """The x range of ``curve`` where lo_V <= U <= hi_V (sampled finely; the whole table for a flat curve inside
    the window). Falls back to the whole table where no point lies in the window."""
    xs = np.linspace(curve.x[0], curve.x[-1], 4001)
    us = np.interp(xs, curve.x, curve.U_V)
    inside = xs[(us >= lo_V - 1e-9) & (us <= hi_V + 1e-9)]
    if inside.size < 2:
        return curve.x[0], curve.x[-1]
    return float(inside[0]), float(inside[-1])


def transport_gaps(cat: Catalog, key: str, label: str, foil: bool = False) -> list[str]:
    """Data gaps of a host's transport/kinetic constants: no own entry, or placeholder values."""
    tr = cat.transport(key, foil=foil)
    where = "materials/data/transport.toml"
    if tr.is_default:
        section = "[foil_defaults]" if foil else "[defaults]"
        return [f"{label}: no transport/kinetic entry [{key!r}]; placeholder values from {where} {section}"]
    if tr.placeholders:
        return [f"{label}: placeholder value(s) {', '.join(tr.placeholders)} in {where} [{key!r}]"]
    return []


def simulation_gaps(mat: ActiveMaterial, cat: Catalog | None = None) -> list[str]:
    """What a simulation of ``mat`` would rest on that is not sourced data (for ``solidstack materials``)."""
    cat = cat or default_catalog()
    out = []
    if mat.ocp is None and not _is_working_metal(mat):
        out.append(str(no_ocp_error(mat)))
    if mat.ocp_extension is not None:
        out.append(f"OCP beyond its source's range from ocp/{mat.ocp_extension.name} (a construction; see its header)")
    if mat.ocp_note:
        out.append(mat.ocp_note)
    if mat.practical_capacity_mAh_g is None:
        out.append("no practical capacity: the simulation falls back on the theoretical capacity")
    if mat.volume_change_pct is None:
        out.append("no volume change: its own strain is taken as 0 in the contact-loss law")
    out += transport_gaps(cat, f"{mat.key}.{mat.ion}", f"{mat.key} ({mat.ion})")
    return out


def _is_working_metal(mat: ActiveMaterial) -> bool:
    return mat.key == mat.ion


def _initial_state(electrode: CompositeElectrode | MetalLayer) -> tuple[float | None, float | None]:
    return getattr(electrode, "initial_soc", None), getattr(electrode, "initial_x", None)


def _active_host(stack: Stack, side: Side, cat: Catalog, const: SimConstants) -> Host:
    electrode = stack.anode if side == "anode" else stack.cathode
    ion = stack.working_ion
    mat = cat.active(electrode.active.material, ion)
    planar = _planar_kind(electrode, mat, cat, side)
    if planar:
        return _planar_host(stack, electrode, mat, cat, const, side)
    gaps: list[str] = []
    curve = mat.ocp
    if curve is None:
        raise no_ocp_error(mat)
    if mat.ocp_note:
        gaps.append(f"{mat.key} ({ion}): {mat.ocp_note}")
    if mat.ocp_extension is not None:
        curve = merge(curve, mat.ocp_extension)
        gaps.append(f"{mat.key} ({ion}): OCP beyond its source's range from ocp/{mat.ocp_extension.name} (a "
                    "construction from literature numbers, not measured OCP data; see its header)")
    tr = cat.transport(f"{mat.key}.{ion}")
    gaps += transport_gaps(cat, f"{mat.key}.{ion}", f"{mat.key} ({ion})")
    if isinstance(electrode, CompositeElectrode):
        tr, _ = interface_kinetics(tr, electrode, cat)
    i0, diffusivity, t_gaps = _kinetics_at(tr, stack.temperature.si, f"{mat.key} ({ion})")
    gaps += t_gaps
    rho = (mat.density_g_cm3 or 0.0) * 1e6  # g/m3
    xa, xb = window_x_range(curve, mat.window.lo, mat.window.hi)
    practical = mat.practical_capacity_mAh_g
    if practical and rho and xb > xa:
        # one source of truth: the window's part of the table holds the practical capacity `show` reports
        c_max = practical * rho / FARADAY_MAH_PER_MOL / (xb - xa)
        source_c = tr.get("c_max_mol_m3")
        if source_c and abs(source_c / c_max - 1.0) > 0.1:
            gaps.append(f"{mat.key} ({ion}): the OCP source's c_max ({source_c:.0f} mol/m3) would give "
                        f"{source_c * (xb - xa) * FARADAY_MAH_PER_MOL / rho:.0f} mAh/g in {mat.window}; the simulation "
                        f"uses the knowledge base's practical {practical:g} mAh/g")
    elif mat.theoretical_capacity_mAh_g and rho:
        c_max = mat.theoretical_capacity_mAh_g * rho / FARADAY_MAH_PER_MOL
        gaps.append(f"{mat.key} ({ion}): no practical capacity (or no OCP inside its window); c_max from the "
                    "theoretical capacity")
    else:
        raise no_ocp_error(mat, "no practical capacity or density to size the host")
    omega = 0.0
    if mat.volume_change_pct is not None and practical and rho:
        dx = practical * rho / FARADAY_MAH_PER_MOL / c_max
        omega = abs(mat.volume_change_pct) / 100.0 / (c_max * dx)
    else:
        gaps.append(f"{mat.key} ({ion}): no volume change in the knowledge base; its own strain is taken as 0")
    soc, x_init = _initial_state(electrode)
    if x_init is not None:
        x0 = min(max(x_init, curve.x[0] + START_INSIDE), curve.x[-1] - START_INSIDE)
    elif soc is not None:
        # SOC over the sourced range: charged = full of the ion for anodes, empty of it for cathodes
        empty, full = (xa, xb) if side == "anode" else (xb, xa)
        x0 = empty + soc * (full - empty)
        x0 = min(max(x0, curve.x[0] + START_INSIDE), curve.x[-1] - START_INSIDE)
    else:
        # pristine electrodes: anodes empty, cathodes full (as assembled), started START_INSIDE into the table: at
        # the table's end the clipped interpolant has a kink, and there the DAE's consistent initialisation fails
        x0 = curve.x[0] + START_INSIDE if side == "anode" else curve.x[-1] - START_INSIDE
    return Host(
        label=mat.key, material=mat.key, side=side, kind="active", ocp=curve, c_max=float(c_max), x0=float(x0),
        radius=tr["radius_m"], diffusivity=diffusivity, i0=i0, omega=omega,
        strain_weight=1.0, basis=tr.basis, gaps=tuple(gaps), x_sourced=(xa, xb),
        conductivity_S_m=tr["conductivity_S_m"], diffusivity_law=_diffusivity_coefficients(tr),
    )


def _sized(host: Host, stack: Stack) -> Host:
    """``host`` with the particle radius its stack sets: D50 / 2 of the active's ``particle_size`` (a composite's
    particles only); without one, the transport entry's own radius stays."""
    electrode = stack.anode if host.side == "anode" else stack.cathode
    radius = electrode.active.particle_radius_m()
    if radius is None or host.kind != "active":
        return host
    t = electrode.thickness_m(stack.area_m2)
    gaps = host.gaps + ((f"{host.label}: its D50 ({2e6 * radius:.3g} um) is larger than the {electrode.type}'s thickness "
                         f"({t * 1e6:.3g} um); check the particle size, mass and porosity",) if 2 * radius > t else ())
    return replace(host, radius=radius, gaps=gaps, basis=f"particle radius {radius * 1e6:.4g} um = D50 / 2 (the "
                                                         f"stack's particle_size); other values: {host.basis}")


def _diffusivity_table(tr) -> DiffusivityTable | None:
    """The tabulated D(x) of a transport entry (:data:`TABLE_X`), None without one."""
    xs, ds, n = [], [], 1
    while tr.get(f"{TABLE_X}{n:02d}") is not None or tr.get(f"{TABLE_D}{n:02d}") is not None:
        x, d = tr.get(f"{TABLE_X}{n:02d}"), tr.get(f"{TABLE_D}{n:02d}")
        if x is None or d is None or d <= 0:
            raise InputError(Problem(f"transport.toml [{tr.key}]", f"a diffusivity table needs {TABLE_X}{n:02d} and a "
                                                                   f"positive {TABLE_D}{n:02d} (m2/s)"))
        xs.append(float(x))
        ds.append(float(d))
        n += 1
    if not xs:
        return None
    if len(xs) < 2 or any(b <= a for a, b in zip(xs, xs[1:], strict=False)) or tr.get(TABLE_T) is None:
        raise InputError(Problem(f"transport.toml [{tr.key}]", f"a diffusivity table needs >= 2 points by rising x "
                                                               f"and {TABLE_T}"))
    return DiffusivityTable(tuple(xs), tuple(float(np.log10(d)) for d in ds), float(tr[TABLE_T]),
                            float(tr.get("diffusivity_activation_K") or 0.0))


def _diffusivity_coefficients(tr) -> tuple[float, ...] | DiffusivityTable | None:
    """The ``diffusivity_*`` coefficients of :data:`DIFFUSIVITY_LAW` in a transport entry, or its tabulated D(x)
    (:data:`TABLE_X`); None without either."""
    table = _diffusivity_table(tr)
    if table is not None:
        return table
    names = [f"diffusivity_{n}" for n in DIFFUSIVITY_LAW]
    if tr.get(names[0]) is None:
        return None
    missing = [n for n in names if tr.get(n) is None]
    if missing:
        raise InputError(Problem(f"transport.toml [{tr.key}]", f"a diffusivity law needs {', '.join(missing)}"))
    return tuple(float(tr[n]) for n in names)


def _planar_kind(electrode: CompositeElectrode, mat: ActiveMaterial, cat: Catalog, side: Side) -> bool:
    """Whether the electrode is a metal foil electrode (planar): a metal active with nothing else in the layer, on
    either side (a dense alloy foil such as an In-Li counter can be the positive electrode of a half cell: graphite
    | SE | In-Li). A working-ion metal as the cathode, or with other constituents (a Li powder composite), is refused
    with how to write it."""
    try:
        cat.metal(mat.key)
    except InputError:
        return False
    others = [role for role, c in electrode.components() if role != "active" and c.fraction > 0]
    working = _is_working_metal(mat)
    if side == "cathode" and working:
        raise InputError(Problem("layers (cathode)", f"{mat.key} metal cannot be the cathode: the {mat.key} metal is "
                                 f"the negative electrode of a {mat.key}-ion cell (a foil of an alloying metal, e.g. "
                                 "In, can be the cathode)"))
    if others and working:
        raise InputError(Problem(f"layers ({electrode.type})", (
            f"a {mat.key} metal {electrode.type} is simulated as a planar foil: write the layer as "
            f'{{type = "{electrode.type}", active = {{material = "{mat.key}", fraction = 1}}, thickness = "20 um", '
            f"porosity = 0}} (no {', '.join(others)}); {mat.key} powder in a composite is not modelled")))
    return not others


def _metal_curve(mat: ActiveMaterial, cat: Catalog, ion: str) -> tuple[OcpCurve, float, float | None, list[str]]:
    """(OCP curve over x/x_max, x_max in ions per host atom, volume change % at x_max, gaps) of a metal host."""
    gaps: list[str] = []
    rx = cat.reactions(mat.key, ion)
    if _is_working_metal(mat):
        curve = mat.ocp or OcpCurve(f"{mat.key}_{ion}", (0.0, 1.0), (0.0, 0.0),
                                    f"{mat.key}+/{mat.key} reference: 0 V by definition", mat.sources)
        return curve, 1.0, None, gaps
    if mat.ocp is not None:
        curve = mat.ocp
        if curve.x[0] > 0.0:
            curve = OcpCurve(curve.name, (0.0,) + curve.x, (curve.U_V[0],) + curve.U_V, curve.header, curve.sources)
            gaps.append(f"{mat.key}-{ion}: OCP table starts at x = {curve.x[1]}; its first value is held down to x = 0")
        step = next((s for s in rx.steps if s.x_to is not None and abs(s.x_to - 1.0) < 1e-9), None)
        return curve, 1.0, step.volume_change_pct if step is not None else None, gaps
    found = _staircase(rx)
    if found is None:
        raise no_ocp_error(mat, "no OCP curve and no reaction steps with potentials")
    curve, x_max, vol, more = found
    return curve, x_max, vol, gaps + more


def _staircase(rx) -> tuple[OcpCurve, float, float | None, list[str]] | None:
    steps, vol, gaps = [], None, []
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
        gaps.append(f"{rx.host}-{rx.ion}: steps beyond x = {x_max:g} have no potential in reactions.csv; the foil "
                    f"is modelled up to x = {x_max:g} only")
    return curve, x_max, vol, gaps


def _planar_host(stack: Stack, electrode: CompositeElectrode, mat: ActiveMaterial, cat: Catalog,
                 const: SimConstants, side: Side = "anode") -> Host:
    """A metal electrode (Li, Na, K foil; or an alloy foil such as In-Li) reacting on its face, on ``side`` (the
    cathode: an alloy foil only, e.g. the In-Li counter of a graphite | SE | In-Li half cell).

    Inventory: a working-ion metal holds ``initial_soc`` (default 1: full) of its stated thickness, so 20 um of Li
    hold 20e-4 cm x 0.534 g/cm3 / 6.94 g/mol x 26801 mAh/mol = 4.12 mAh/cm2; ``initial_soc = 0`` is an anode-free
    cell (the metal plates on the collector, or on the interlayer behind it). Room to plate beyond that:
    PLATING_ROOM times the cathode's theoretical capacity. An alloy foil holds ``initial_x`` ions per host atom
    (default 0: pristine), up to the end of its OCP table (or reaction steps); as the cathode of a half cell it
    must be given its Li (``initial_x``), which the cell's first charge moves into the anode.
    """
    ion = stack.working_ion
    metal = cat.metal(mat.key)
    area = stack.area_m2
    t = electrode.thickness_m(area)
    rho_mol = (metal.density_g_cm3 or mat.density_g_cm3 or 1.0) * 1e6 / metal.molar_mass_g_mol  # mol/m3
    curve, x_max, vol, gaps = _metal_curve(mat, cat, ion)
    tr_key = f"foil.{metal.symbol}.{ion}"
    tr = cat.transport(tr_key, foil=True)
    gaps += transport_gaps(cat, tr_key, f"{metal.symbol} ({ion}) electrode", foil=True)
    i0, diffusivity, t_gaps = _kinetics_at(tr, stack.temperature.si, f"{metal.symbol} ({ion}) electrode", foil=True)
    gaps += t_gaps
    soc, x_init = _initial_state(electrode)
    vol_dom = PLANAR_FRACTION * PLANAR_DOMAIN_M  # m3 of host per m2 of face in the model's domain
    if _is_working_metal(mat):
        held = (1.0 if soc is None else soc) * rho_mol * t  # mol/m2
        cathode_mol = _cathode_theoretical_mol_m2(stack, cat)
        room = rho_mol * t + PLATING_ROOM * cathode_mol
        x0 = max(held / room, START_INSIDE)
        if held == 0.0:
            gaps.append(f"anode-free {metal.symbol} electrode: it starts with a numerical seed of {START_INSIDE:g} of "
                        f"its plating room ({START_INSIDE * room * FARADAY_MAH_PER_MOL / 10:.3g} uAh/cm2)")
        strain_w = const.creep["working_ion_metal_weight"]
        omega = metal.molar_mass_g_mol / ((metal.density_g_cm3 or 1.0) * 1e6)
        c_max = room / vol_dom
        guard = PLANAR_GUARD_WIDTH
        sourced = (0.0, 1.0)
    else:
        if soc is not None:
            x0 = curve.x[0] + soc * (curve.x[-1] - curve.x[0])
        elif x_init is not None:
            x0 = x_init / x_max
        else:
            x0 = curve.x[0] + GUARD_WIDTH / 40.0
        x0 = min(max(x0, curve.x[0] + GUARD_WIDTH / 40.0), curve.x[-1] - START_INSIDE)
        c_max = x_max * rho_mol * t / vol_dom
        strain_w = 1.0
        omega = 0.0
        if vol is not None and metal.molar_volume_cm3_mol:
            omega = vol / 100.0 * metal.molar_volume_cm3_mol * 1e-6 / x_max
        else:
            gaps.append(f"{metal.symbol}-{ion}: no volume change; its strain is taken as 0")
        guard = GUARD_WIDTH
        sourced = (curve.x[0], curve.x[-1])
    if side == "cathode":
        gaps += _positive_reduction_gap(stack, cat, metal.symbol, curve)
        if soc is None and x_init is None:
            gaps.append(f"{metal.symbol} metal cathode: no initial_x, so it starts without {ion} and has none to give on "
                        f"a first charge (a counter such as In-Li is written with its {ion} content, e.g. initial_x = 0.6)")
    sigma = 1.0 / metal.resistivity_ohm_m if metal.resistivity_ohm_m else 1.0e6
    return Host(label=f"{metal.symbol} metal", material=metal.symbol, side=side, kind="planar", ocp=curve,
                c_max=float(c_max), x0=float(x0), radius=3.0 * PLANAR_FRACTION * PLANAR_DOMAIN_M,
                diffusivity=diffusivity, i0=i0, omega=omega, strain_weight=strain_w,
                thickness=t, working_metal=_is_working_metal(mat), basis=tr.basis, gaps=tuple(gaps),
                x_sourced=sourced, guard_width=guard, conductivity_S_m=sigma, metal_mol_m3=rho_mol)


def _positive_reduction_gap(stack: Stack, cat: Catalog, symbol: str, curve: OcpCurve) -> list[str]:
    """The data gap of a planar metal *positive* electrode (an In-Li counter) that sits below the reduction limit of
    the separator's SE: the SE-reduction interphase on its face is not modelled (the model's interphase law is on
    the negative electrode's phases only; the positive electrode's interphase slot carries the cathode's SE
    oxidation). Its Li comes out of the foil itself, its electrons too, so no charge of it passes the external
    circuit: the measured capacities do not carry it, only the foil's inventory does."""
    se = cat.electrolyte(stack.separator.electrolyte)
    u_red = se.window.lo if se.window is not None else None
    if u_red is None or min(curve.U_V) >= u_red:
        return []
    return [f"{symbol} metal (positive electrode, {min(curve.U_V):.2f} V) is below {se.key}'s reduction limit "
            f"({u_red:g} V): the SE-reduction interphase on its face is not modelled (it takes Li from the foil, "
            "not from the external circuit: the cell's capacities do not carry it)"]


def _cathode_theoretical_mol_m2(stack: Stack, cat: Catalog) -> float:
    mat = cat.active(stack.cathode.active.material, stack.working_ion)
    q = mat.theoretical_capacity_mAh_g or mat.practical_capacity_mAh_g or 300.0
    g = stack.cathode.active_mass_kg(stack.area_m2) * 1e3
    return g * q / FARADAY_MAH_PER_MOL / stack.area_m2


def _foil_host(stack: Stack, layer: MetalLayer, side: Side, cat: Catalog, const: SimConstants) -> Host | None:
    """The host of a foil that touches an electrode composite, or None if it cannot react there."""
    ion = stack.working_ion
    metal = cat.metal(layer.material)
    rx = cat.reactions(metal.symbol, ion)
    rho_mol = (metal.density_g_cm3 or 0.0) * 1e6 / metal.molar_mass_g_mol  # mol metal / m3
    tr_key = f"foil.{metal.symbol}.{ion}"
    tr = cat.transport(tr_key, foil=True)
    gaps = transport_gaps(cat, tr_key, f"{metal.symbol} foil ({ion})", foil=True)
    i0, diffusivity, t_gaps = _kinetics_at(tr, stack.temperature.si, f"{metal.symbol} foil ({ion})", foil=True)
    gaps += t_gaps
    t = layer.thickness_m(stack.area_m2)
    soc, x_init = _initial_state(layer)
    common = dict(material=metal.symbol, side=side, kind="foil", radius=3.0 * t, diffusivity=diffusivity,
                  i0=i0, thickness=t, basis=tr.basis)
    if rx.status == "working":
        # the working ion's own metal: a 0 V host; x = 0.5 is the foil as made (it can take as much again)
        mat = cat.active(metal.symbol, ion)
        curve = mat.ocp or OcpCurve(f"{metal.symbol}_{ion}", (0.0, 1.0), (0.0, 0.0), "0 V by definition", mat.sources)
        w = const.creep["working_ion_metal_weight"]
        x0 = 0.5 * (1.0 if soc is None else soc)
        return Host(label=f"{metal.symbol} foil", ocp=curve, c_max=2.0 * rho_mol, x0=max(x0, START_INSIDE),
                    omega=metal.molar_mass_g_mol / ((metal.density_g_cm3 or 1.0) * 1e6), strain_weight=w,
                    working_metal=True, gaps=tuple(gaps), x_sourced=(0.0, 1.0), **common)  # type: ignore[arg-type]
    if rx.reacts is not True:
        return None
    onset = rx.onset_V
    electrode = stack.anode if side == "anode" else stack.cathode
    lowest = cat.active(electrode.active.material, ion).window.lo
    if onset is None or onset < lowest:
        return None
    # OCP: the knowledge base's curve for the alloy electrode if there is one, else a staircase of the steps
    alloy: ActiveMaterial | None
    try:
        alloy = cat.active(metal.symbol, ion)
    except InputError:  # not an active material: use the reaction steps
        alloy = None
    if alloy is not None and alloy.ocp is not None:
        curve, x_max, vol, more = _metal_curve(alloy, cat, ion)
    else:
        found = _staircase(rx)
        if found is None:
            return None
        curve, x_max, vol, more = found
    gaps += more
    if curve.x[-1] < 1.0 - 1e-9:
        gaps.append(f"{metal.symbol}-{ion}: OCP tabulated up to x = {curve.x[-1] * x_max:g} only; deeper phases are not "
                    "modelled (an end guard stops the foil filling further)")
    omega = 0.0
    if vol is not None and metal.molar_volume_cm3_mol:
        omega = vol / 100.0 * metal.molar_volume_cm3_mol * 1e-6 / x_max
    else:
        gaps.append(f"{metal.symbol}-{ion}: no volume change; its strain is taken as 0")
    x0 = GUARD_WIDTH / 40.0
    if x_init is not None:
        x0 = x_init / x_max
    elif soc is not None:
        x0 = curve.x[0] + soc * (curve.x[-1] - curve.x[0])
    x0 = min(max(x0, GUARD_WIDTH / 40.0), curve.x[-1] - START_INSIDE)
    return Host(label=f"{metal.symbol} foil", ocp=curve, c_max=x_max * rho_mol, x0=x0,
                omega=omega, strain_weight=1.0, gaps=tuple(gaps), x_sourced=(curve.x[0], curve.x[-1]),
                **common)  # type: ignore[arg-type]


def find_hosts(stack: Stack, catalog: Catalog | None = None, constants: SimConstants | None = None) -> HostMap:
    """The hosts of ``stack`` per side, with a note for every interlayer saying whether and why it reacts.

    Materials are resolved against ``catalog`` (default: the current default catalog), the simulation's own
    constants taken from ``constants`` (default: the shipped ones)."""
    catalog = catalog or default_catalog()
    constants = constants or default_constants()
    min_el = constants.law["ductile_min_elongation_pct"]
    hm = HostMap()
    for side in ("anode", "cathode"):
        side_hosts = hm.side(side)  # type: ignore[arg-type]
        side_hosts.append(_sized(_active_host(stack, side, catalog, constants), stack))  # type: ignore[arg-type]
        layers = stack.anode_side if side == "anode" else stack.cathode_side
        touching = layers[-1] if layers else None
        reacting: MetalLayer | None = None
        if touching is not None and side_hosts[0].kind == "planar":
            hm.notes.append(f"{touching.material} foil behind the {side_hosts[0].label} electrode: not modelled as a "
                            "host (a metal electrode's own face carries the reaction)")
        elif touching is not None:
            host = _foil_host(stack, touching, side, catalog, constants)  # type: ignore[arg-type]
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
        # ductile layers on this side accommodate the face's displacement ([0019]: elongation x thickness); a
        # reacting alloy foil does not (it is being converted into the alloy); a working-ion metal foil does (it
        # stays the metal and creeps at room temperature: contact.toml [creep])
        acc = 0.0
        for la in layers:
            if la is reacting and not (len(side_hosts) > 1 and side_hosts[-1].working_metal):
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
    from solidstack.sim.parameters import se_temperature_notes  # parameters imports this module

    t_notes, t_gaps = se_temperature_notes(stack, catalog)
    hm.notes.extend(t_notes)
    hm.gaps.extend(t_gaps)
    win = catalog.electrolyte(se).window
    if win is None or win.lo is None:
        hm.gaps.append(f"{se}: no reduction limit in the knowledge base; its reduction at the anode (first-cycle "
                       "interphase) is not modelled")
    hm.gaps = list(dict.fromkeys(hm.gaps))
    return hm
