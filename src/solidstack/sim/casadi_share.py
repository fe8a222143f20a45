"""One PyBaMM -> CasADi conversion per solver set-up instead of one per expression.

When a solver is set up for a model, PyBaMM converts each of the model's expressions to CasADi separately
(``pybamm.solvers.base_solver.process``: the initial conditions, the right-hand side, the algebraic part, the
right-hand side and algebraic part again, then every event), each with a fresh cache, so the trees they share are
converted again each time: the whole right-hand side twice, the cell voltage once per voltage event (five of them:
the experiment's cut-off, PyBaMM's two safety limits and its two switch events). ``Symbol.to_casadi`` takes a
shared cache for exactly this (``casadi_symbols``, "pass a single ``{}`` created by the caller so that shared
subgraph nodes are only converted once"), but ``process`` does not pass one.

:func:`sharing` (entered by ``solidstack.sim.run`` around its simulations' solves) makes every ``process`` call of
one set-up (one ``vars_for_processing``: the same CasADi symbols t, y, p) share one cache. The CasADi graphs are
the same as PyBaMM builds them, with common nodes built once, so the functions compute the same numbers
(tests/test_study_cache.py checks the cycles to the bit). Example 4's SPM set-up converts each OCP table once
instead of about six times and takes ~40 ms instead of ~80 ms.
Outside :func:`sharing`, and for conversions to other formats, PyBaMM's own behaviour is unchanged.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pybamm
from pybamm.solvers import base_solver

#: The key of a set-up's shared cache in its ``vars_for_processing`` (a dict PyBaMM makes per set-up).
CACHE_KEY = "solidstack casadi_symbols"

_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("solidstack_casadi_sharing", default=False)
_active: contextvars.ContextVar[tuple[Any, dict] | None] = contextvars.ContextVar("solidstack_casadi_cache", default=None)

_pybamm_process = base_solver.process
_pybamm_to_casadi = pybamm.Symbol.to_casadi


def _process(symbol, name, vars_for_processing, *args, **kwargs):
    """PyBaMM's ``process``; within :func:`sharing`, its CasADi conversion uses the set-up's shared cache."""
    t = vars_for_processing.get("t_casadi") if _enabled.get() else None
    if t is None:
        return _pybamm_process(symbol, name, vars_for_processing, *args, **kwargs)
    token = _active.set((t, vars_for_processing.setdefault(CACHE_KEY, {})))
    try:
        return _pybamm_process(symbol, name, vars_for_processing, *args, **kwargs)
    finally:
        _active.reset(token)


def _to_casadi(self, t=None, y=None, y_dot=None, inputs=None, casadi_symbols=None):
    """PyBaMM's ``Symbol.to_casadi``; called by :func:`_process` (same time symbol ``t``) without a cache of
    its own, it uses the set-up's shared one."""
    if casadi_symbols is None:
        active = _active.get()
        if active is not None and active[0] is t:
            casadi_symbols = active[1]
    return _pybamm_to_casadi(self, t, y, y_dot, inputs, casadi_symbols)


base_solver.process = _process
pybamm.Symbol.to_casadi = _to_casadi  # type: ignore[method-assign]


@contextmanager
def sharing() -> Iterator[None]:
    """Within this block (this thread or task), each solver set-up converts its expressions with one shared cache."""
    token = _enabled.set(True)
    try:
        yield
    finally:
        _enabled.reset(token)
