"""Open-circuit potential curves as PyBaMM functions.

Every curve is a sourced table of the knowledge base (``materials/data/ocp``) interpolated linearly in x. Outside the table the
value is held at the end value and a numerical *end guard* is added: an exponential rise below the first row and
fall above the last row (amplitude ``GUARD_V``, width ``GUARD_WIDTH`` in x). The guards are not data: they stop a
host from being emptied or filled beyond its tabulated range, which makes a host of any capacity safe to simulate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pybamm

from solidstack.materials.records import OcpCurve

#: Amplitude of the end guards (V) and their width in stoichiometry.
GUARD_V = 0.5
GUARD_WIDTH = 0.004


def merge(base: OcpCurve, extra: OcpCurve | None) -> OcpCurve:
    """``base`` with the rows of ``extra`` outside ``base``'s x range added (``base`` wins where both exist)."""
    if extra is None:
        return base
    lo, hi = base.x[0], base.x[-1]
    rows = dict(zip(base.x, base.U_V, strict=True))
    for x, u in zip(extra.x, extra.U_V, strict=True):
        if x < lo - 1e-9 or x > hi + 1e-9:
            rows[x] = u
    xs = sorted(rows)
    return OcpCurve(
        name=f"{base.name}+{extra.name}", x=tuple(xs), U_V=tuple(rows[x] for x in xs),
        header=base.header + "\n" + extra.header, sources=base.sources,
    )


def staircase(steps: list[tuple[float, float, float]], width: float = 0.01) -> OcpCurve:
    """A two-phase staircase from alloying steps ``(x_from, x_to, potential_V)`` with x normalised to 0..1.

    Each step is a flat plateau (Gibbs phase rule for a two-phase reaction); neighbouring plateaus are joined
    linearly over ``width`` in x.
    """
    xs: list[float] = []
    us: list[float] = []
    for x0, x1, u in steps:
        a, b = x0 + (width / 2 if xs else 0.0), x1 - width / 2
        xs += [a, b]
        us += [u, u]
    if len(steps) == 1:
        xs = [steps[0][0], steps[0][1]]
    pts = sorted(zip(xs, us, strict=True))
    return OcpCurve(name="staircase", x=tuple(p[0] for p in pts), U_V=tuple(p[1] for p in pts), header="")


def ocp_function(curve: OcpCurve, name: str, width: float = GUARD_WIDTH) -> Callable[[pybamm.Symbol], pybamm.Symbol]:
    """A PyBaMM OCP function ``U(sto)`` of ``curve`` with end guards of ``width`` in x (see module docstring)."""
    x = np.asarray(curve.x, dtype=float)
    u = np.asarray(curve.U_V, dtype=float)
    lo, hi = float(x[0]), float(x[-1])
    flat = bool(np.ptp(u) < 1e-9)

    def U(sto: pybamm.Symbol) -> pybamm.Symbol:
        guard = GUARD_V * (pybamm.exp((lo - sto) / width) - pybamm.exp((sto - hi) / width))
        if flat:
            return pybamm.Scalar(float(u[0])) + guard
        clipped = pybamm.maximum(pybamm.minimum(sto, hi), lo)
        return pybamm.Interpolant(x, u, clipped, name=name, interpolator="linear") + guard

    U.__name__ = name
    return U
