"""Building the PyBaMM model for a host structure, with a cache keyed by what changes the structure.

The structure is: the model (SPM, SPMe, DFN), the number of phases per electrode (1, or 2 with a reacting
foil) and the electrodes whose contact can be lost (a nonzero contact-loss coefficient: they get the contact-loss
states; an electrode whose contact cannot be lost has none, and its contact fraction is 1). Everything else
(geometry, materials, current, the contact-loss coefficients' values) is parameters or inputs.

The solid electrolyte's reduction at the negative electrode is part of the structure: PyBaMM "SEI": "tunnelling
limited" on each negative phase that sits below its SE's reduction limit, "none" (no states) on the others
(``n_phases["sei"]``, from :func:`solidstack.sim.interphase.interphase_phases`; see ``sim/data/sei.toml``), its rate
bounded at the metal's potential (:class:`solidstack.sim.interphase.BoundedTunnellingSEI`).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import casadi
import numpy as np
import pybamm

from solidstack.sim.contact import closed_contact_output, install
from solidstack.sim.data_files import SimConstants, default_constants
from solidstack.sim.interphase import install as install_interphase
from solidstack.sim.oxidation import cei_options
from solidstack.sim.oxidation import install as install_cei
from solidstack.sim.parameters import DOMAIN

MODELS = {"spm": pybamm.lithium_ion.SPM, "spme": pybamm.lithium_ion.SPMe, "dfn": pybamm.lithium_ion.DFN}

_cache: dict[tuple, pybamm.BaseBatteryModel] = {}

SIDES = ("anode", "cathode")

#: Environment variable: "1" compiles the solver's functions ahead of time (IDAKLU's ``compile`` option, through
#: the system C compiler; the README, "Development"). Off by default: each new cell costs ~10 s of compilation
#: per step kind, which only runs of thousands of cycles earn back.
COMPILE_ENV = "SOLIDSTACK_COMPILE"


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
    opts: dict = {"loss of active material": lam, "SEI": sei, "SEI film resistance": "none",
                  "contact resistance": "true"}  # electrode|collector contacts, an input (sim/collector.py)
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


def compiled() -> bool:
    """Whether new simulations compile their solver functions (:data:`COMPILE_ENV` is "1")."""
    return os.environ.get(COMPILE_ENV, "").strip() == "1"


#: The IDA failure that :class:`RecoveringIDAKLUSolver` solves again with the dense linear solver.
LSETUP_FAIL = "IDA_LSETUP_FAIL"


def blockwise_jacobian(model: pybamm.BaseModel, expression: Any, y: Any) -> Any:
    """The CasADi (MX) Jacobian of ``model``'s residual ``expression`` (MX, one row per state) w.r.t. the states
    ``y`` (MX), differentiated one state variable's rows at a time (:func:`state_blocks`) and stacked: the same
    matrix as PyBaMM's ``casadi.jacobian`` of the whole residual (to rounding), in fewer operations. CasADi
    differentiates a whole residual in sweeps over a colouring of its columns; the contact-loss rows depend on nearly
    every state (through the phases' currents), so that colouring needs many sweeps, each through the kinetics of
    every row. Per block, each sweep goes through that block's own expressions only: Example 1's Jacobian has 3,249
    MX nodes instead of 7,393 and its 5-cycle solve takes ~0.73x the time (bench/bench_sim.py; DFN gains nothing).
    Anything else (another expression, a model with PyBaMM's switching control rows) is differentiated by PyBaMM's
    own method."""
    import casadi

    n = model.len_rhs_and_alg
    blocks = state_blocks(model) if expression.shape[0] == n and not model.switching_control_variables else None
    if blocks is None:
        return type(model).build_casadi_jacobian(model, expression, y)
    return casadi.vertcat(*[casadi.jacobian(expression[a:b, :], y) for a, b in blocks])


def state_blocks(model: pybamm.BaseModel) -> list[tuple[int, int]] | None:
    """The rows of ``model``'s states as consecutive blocks [a, b), one per outermost state variable (a variable
    whose slice holds others', e.g. PyBaMM's "Porosity times concentration" over its three domains, is one block:
    it differentiates in fewer operations than its parts), gaps as blocks of their own; None if slices overlap
    without one holding the other."""
    n = model.len_rhs_and_alg
    spans = sorted({(int(sl.start), int(sl.stop)) for slices in model.y_slices.values() for sl in slices})
    outer = [(a, b) for a, b in spans if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in spans)]
    blocks: list[tuple[int, int]] = []
    at = 0
    for a, b in outer:
        if a < at or b > n:
            return None
        if a > at:
            blocks.append((at, a))
        blocks.append((a, b))
        at = b
    if at < n:
        blocks.append((at, n))
    return blocks


#: Whether the solver's functions are expanded to CasADi SX (:func:`expanded_for_idaklu`). False only to compare with
#: PyBaMM's MX functions (tests/test_sim_cost.py).
EXPAND = True


@contextmanager
def lookup_tables_as_calls() -> Iterator[None]:
    """While PyBaMM converts a model to CasADi: every 1-D linear ``pybamm.Interpolant`` with one output becomes a
    call of a CasADi ``interpolant(..., "linear")`` function (the same linear interpolation, the same values to
    1 ulp; tests/test_sim_cost.py) instead of PyBaMM 26.10's inlined MX lookup (``MX.interpn_linear``: its
    ``low`` and indexing nodes exist in MX only), so that the functions can be expanded to SX (an SX graph can
    call a function). Others keep PyBaMM's conversion."""
    original = pybamm.Interpolant._linear_to_casadi

    def as_call(self, converted_children):
        y = np.asarray(self.y, dtype=float)
        if self.dimension != 1 or len(converted_children) != 1 or (y.ndim > 1 and y.shape[1] != 1):
            return original(self, converted_children)
        lut = casadi.interpolant("LUT", "linear", [np.asarray(self.x[0], dtype=float)], y.ravel())
        child = converted_children[0]
        return lut(child.T).T if child.shape[1] == 1 else lut(child)

    pybamm.Interpolant._linear_to_casadi = as_call  # type: ignore[method-assign]
    try:
        yield
    finally:
        pybamm.Interpolant._linear_to_casadi = original  # type: ignore[method-assign]


#: Whether :class:`RecoveringIDAKLUSolver` also gives PyBaMM's Python-side calls (the events at a step's end, the
#: right-hand side at its start) the SX expansions (:meth:`RecoveringIDAKLUSolver._expand_python_calls`). False only
#: to compare with PyBaMM's MX (tests/test_sim_cost.py).
EXPAND_PYTHON_CALLS = True


#: The functions of IDAKLU's set-up that :func:`expanded_for_idaklu` expands to SX: those evaluated at every
#: Newton iteration or step (the residual, the Newton matrix J - cj M, the mass matrix's action, the events).
#: The others (the Jacobian-vector product of the matrix-free solvers, the algebraic part for the consistent
#: initialisation, evaluated a few times per step) keep PyBaMM's MX.
EXPANDED = ("rhs_algebraic", "jac_times_cjmass", "mass_action", "rootfn")


def expanded_function(fn: Any) -> Any:
    """``fn`` (a CasADi function) expanded to SX; ``fn`` itself if it is not an MX function or cannot be expanded
    (an MX-only node)."""
    if not isinstance(fn, casadi.Function) or fn.class_name() != "MXFunction":
        return fn
    try:
        return fn.expand()
    except RuntimeError:
        return fn


class NumericCall:
    """A CasADi function as PyBaMM calls it from Python on numbers, evaluated through CasADi's buffer interface
    (``Function.buffer``: the arguments' doubles read and the output written in place) and returning a NumPy array
    of the output's shape. CasADi's ordinary call converts each NumPy argument to a ``DM`` element by element (~45
    us for a 132-vector) and adds ~20 us of its own; the buffer call ~5 us. The same function evaluated on the
    same doubles: the same values, bit for bit (tests/test_sim_cost.py). Anything else (symbolic or non-numeric
    arguments, other sizes) goes to the function's own call; a function with sparse inputs or outputs, or more
    than one output, always does. ``fn`` is the function. Picklable (the buffer is made again on first use)."""

    def __init__(self, fn: Any):
        self.fn = fn
        self._lock = threading.Lock()
        self._buffer: Any = None
        dense = fn.n_out() == 1 and all(fn.sparsity_in(i).is_dense() for i in range(fn.n_in())) \
            and fn.sparsity_out(0).is_dense()
        self._sizes: tuple[int, ...] | None = tuple(fn.nnz_in(i) for i in range(fn.n_in())) if dense else None
        self._out = (fn.nnz_out(0), fn.size_out(0)) if dense else None

    def __getstate__(self) -> dict:
        return {"fn": self.fn}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["fn"])  # type: ignore[misc]

    def __getattr__(self, name: str) -> Any:  # n_in(), name(), ... of the function
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.fn, name)

    def _doubles(self, args: tuple) -> list[np.ndarray] | None:
        """The arguments as contiguous float arrays of the inputs' sizes, or None (not numbers, other sizes)."""
        sizes = self._sizes
        if sizes is None or len(args) != len(sizes):
            return None
        out = []
        for a, n in zip(args, sizes, strict=True):
            if isinstance(a, casadi.DM):
                x = np.array(a.nonzeros(), dtype=float) if a.is_dense() else None
            elif isinstance(a, (np.ndarray, float, int)):
                x = np.ascontiguousarray(a, dtype=float).reshape(-1)
            else:  # MX, SX, lists, ...: the function's own call
                x = None
            if x is None or x.size != n:
                return None
            out.append(x)
        return out

    def __call__(self, *args: Any) -> Any:
        xs = self._doubles(args)
        if xs is None or self._out is None:
            return self.fn(*args)
        n_out, shape = self._out
        out = np.empty(n_out)
        mine = self._lock.acquire(blocking=False)  # another thread evaluating: a buffer of its own
        try:
            buffer = self._buffer if mine and self._buffer is not None else self.fn.buffer()
            if mine:
                self._buffer = buffer
            buf, trigger = buffer
            for i, x in enumerate(xs):
                buf.set_arg(i, x.data)
            buf.set_res(0, out.data)
            trigger()
        finally:
            if mine:
                self._lock.release()
        return out.reshape(shape, order="F")


class _ExpandingIdaklu:
    """Stands in for PyBaMM's ``pybammsolvers.idaklu`` module inside ``pybamm.solvers.idaklu_solver`` while
    IDAKLU's ``set_up`` runs (:func:`expanded_for_idaklu`): every function IDAKLU hands to its C++ solver goes
    through ``idaklu.generate_function(fn.serialize())``; those named in :data:`EXPANDED` are expanded to SX
    first. Everything else is the module's."""

    def __init__(self, module: Any):
        self._module = module
        #: The SX expansions handed over, by function name (:func:`expanded_for_idaklu` yields it).
        self.expanded: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)

    def generate_function(self, serialized: str) -> Any:
        fn = casadi.Function.deserialize(serialized)
        if fn.name() in EXPANDED:
            sx = expanded_function(fn)
            if sx is not fn:
                serialized = sx.serialize()
                self.expanded[fn.name()] = sx
        return self._module.generate_function(serialized)


@contextmanager
def expanded_for_idaklu() -> Iterator[dict[str, Any]]:
    """While IDAKLU sets a model up: its per-step functions (:data:`EXPANDED`) reach the C++ solver as SX
    expansions of PyBaMM's MX functions, with the OCP tables as interpolant calls (:func:`lookup_tables_as_calls`,
    without which the MX cannot be expanded). CasADi's MX virtual machine pays ~25 ns of overhead per node and
    per function call whatever their size, and the residual of an x-averaged model is mostly scalar operations,
    which SX evaluates with little overhead (Example 1, SPMe, per evaluation: residual ~0.75x, Newton matrix
    ~0.5x, the events ~0.1x; the 5-cycle solve ~0.7x; bench/bench_sim.py). The same operations: the values are
    PyBaMM's to rounding (tests/test_sim_cost.py). Expanding takes ~15 ms per step model. PyBaMM 26.10's
    ``idaklu_solver`` module reads the name ``idaklu`` when it hands the functions over
    (tests/test_sim_cost.py checks that it still does). Yields the SX functions handed over, by name."""
    from pybamm.solvers import idaklu_solver

    module = idaklu_solver.idaklu
    expanding = _ExpandingIdaklu(module)
    idaklu_solver.idaklu = expanding  # type: ignore[assignment]
    try:
        with lookup_tables_as_calls():
            yield expanding.expanded
    finally:
        idaklu_solver.idaklu = module


def expands(model: pybamm.BaseModel) -> bool:
    """Whether :class:`RecoveringIDAKLUSolver` expands ``model``'s functions (:func:`expanded_for_idaklu`): x-averaged
    models (SPM, SPMe) only. A DFN's operations are on vectors, which MX evaluates in one node each and SX one
    element at a time (~25x the nodes, ~1 s to expand each step model, twice the solve time)."""
    return EXPAND and isinstance(model, pybamm.lithium_ion.SPM)  # an SPMe is an SPM


class RecoveringIDAKLUSolver(pybamm.IDAKLUSolver):
    """PyBaMM's IDAKLU with the residual's Jacobian built block by block (:func:`blockwise_jacobian`, the same
    matrix in fewer operations) and, for SPM and SPMe, the functions it evaluates at every step expanded to SX
    (:func:`expanded_for_idaklu`), whose step is solved again, with the same tolerances and IDAKLU's dense linear
    solver, when the sparse (KLU) factorisation of the Newton matrix fails unrecoverably (``IDA_LSETUP_FAIL``).

    Why: near the end of a discharge (or charge) a host's surface stoichiometry approaches the end of its OCP
    table, where the numerical end guard (``sim/ocp.py``) rises exponentially and enters the Butler-Volmer sinh. A
    long step's *predicted* state (IDA extrapolates past the cut-off before the event stops it) can land a few
    guard widths beyond the table, where the Newton matrix has entries ~1e16 beside O(1) ones (condition ~1e24).
    KLU then re-factorises from scratch, finds a zero pivot and reports it as unrecoverable, so IDA stops instead
    of cutting its step. The dense LU reports a singular matrix as recoverable (and factorises this one), so IDA
    cuts its step and goes on (Example 1, cycle 453 of 1,000: README, "Input limits ... long runs"). The dense
    solver is ~2x slower per step on these models, so it solves only the failed step; never compiled."""

    def set_up(self, model, inputs=None, t_eval=None, ics_only=False):
        """PyBaMM's set-up, with the residual's Jacobian built by :func:`blockwise_jacobian` and, for SPM and SPMe,
        the per-step functions expanded to SX (:func:`expanded_for_idaklu`)."""
        model.build_casadi_jacobian = functools.partial(blockwise_jacobian, model)
        try:
            if ics_only or not expands(model):
                return super().set_up(model, inputs, t_eval, ics_only)
            with expanded_for_idaklu() as sx:
                out = super().set_up(model, inputs, t_eval, ics_only)
                if EXPAND_PYTHON_CALLS:
                    self._expand_python_calls(model, sx)
                return out
        finally:
            del model.build_casadi_jacobian  # back to the class's method: nothing of ours stays on the model

    def _expand_python_calls(self, model: pybamm.BaseModel, sx: dict[str, Any]) -> None:
        """The two CasADi functions PyBaMM calls from Python once per experiment step, as SX: the events (the
        ``rootfn`` IDAKLU got, read back at the step's end to name the event that stopped it) and the
        right-hand side (``model.rhs_eval``, the time derivatives of the step's initial state). PyBaMM keeps them
        as MX, whose calls from Python cost ~150 and ~115 us each on Example 1 (the events' function calls one MX
        function per event; SX: ~10 us): ~2.5 ms of a 5-cycle run's ~60 (bench/bench_sim.py). The same operations,
        so the same values to rounding (tests/test_sim_cost.py)."""
        setup = getattr(self, "_setup", None) or {}
        root = sx.get("rootfn")
        if root is not None and "rootfn_casadi" in setup:
            setup["rootfn_casadi"] = NumericCall(root)
        if isinstance(model.rhs_eval, casadi.Function):
            model.rhs_eval = NumericCall(expanded_function(model.rhs_eval))

    def _rhs_dot_consistent_initialization(self, y0, model, time, inputs_dict):
        """PyBaMM's time derivatives of a step's initial state (the right-hand side at ``y0``), with the inputs
        as a NumPy vector for :class:`NumericCall` (PyBaMM stacks them into a CasADi DM first, ~70 us a step):
        the same doubles in the same order (``flatten_inputs``, as the solver's own call takes them)."""
        rhs = model.rhs_eval
        if not (isinstance(rhs, NumericCall) and model.uses_stacked_inputs and model.is_standard_form_dae):
            return super()._rhs_dot_consistent_initialization(y0, model, time, inputs_dict)
        from pybamm.solvers.base_solver import flatten_inputs

        ydot0 = np.zeros_like(y0)
        ydot0[: model.len_rhs] = np.asarray(rhs(time, y0, flatten_inputs(inputs_dict or {}))).ravel()
        return ydot0

    def step(self, old_solution, model, dt, *args, **kwargs):
        try:
            return super().step(old_solution, model, dt, *args, **kwargs)
        except pybamm.SolverError as err:
            if LSETUP_FAIL not in str(err):
                raise
        return self._dense_solver().step(old_solution, model, dt, *args, **kwargs)

    def _dense_solver(self) -> pybamm.IDAKLUSolver:
        """The fallback solver (made on first use)."""
        dense = self.__dict__.get("_dense")
        if dense is None:
            options = {**self._options, "jacobian": "dense", "linear_solver": "SUNLinSol_Dense", "compile": False}
            dense = pybamm.IDAKLUSolver(rtol=self.rtol, atol=self.atol, options=options,
                                        on_extrapolation=self.on_extrapolation)
            self._dense = dense
        return dense


def make_solver(compile: bool | None = None) -> pybamm.IDAKLUSolver:
    """The solver of every simulation: PyBaMM's IDAKLU with its default tolerances (rtol 1e-4, atol 1e-6),
    compiled if ``compile`` (default: :func:`compiled`), its Jacobian built block by block, for SPM and SPMe its
    per-step functions expanded to SX (:func:`expanded_for_idaklu`); a step whose sparse factorisation fails is
    solved again with the dense linear solver (:class:`RecoveringIDAKLUSolver`).

    PyBaMM's check for interpolants evaluated outside their tables (after every step, in Python) is skipped
    (``on_extrapolation="ignore"``): every interpolant of our models is an OCP table whose input is clipped to the
    table (``sim/ocp.py``; beyond it the end guard acts), so it can never extrapolate (tests/test_sim_cost.py
    checks that every interpolant's input is clipped)."""
    return RecoveringIDAKLUSolver(options={"compile": compiled() if compile is None else bool(compile)},
                                  on_extrapolation="ignore")


def contact_sides(coefficients: dict[str, float]) -> tuple[str, ...]:
    """The electrodes whose contact can be lost: a nonzero contact-loss coefficient (``contact_loss=False`` sets
    them all to 0). Only these get contact-loss states."""
    return tuple(side for side in SIDES if coefficients.get(side, 0.0) != 0.0)


def structure_key(contact_sides: tuple[str, ...], compile: bool | None = None, coordinated: tuple[str, ...] = ()) -> str:
    """The part of a built simulation's cache key that :func:`build_model` and :func:`make_solver` add to the
    cell's own (the electrodes with contact-loss states, those with the contact-level state, the compile option)."""
    coord = ",".join(s for s in SIDES if s in coordinated)
    return (f"contact:{','.join(s for s in SIDES if s in contact_sides)};coordinated:{coord};"
            f"compile:{compiled() if compile is None else bool(compile)}")


#: Whether :func:`build_model` gives the electrolyte PyBaMM's constant concentration (no states; see
#: :func:`constant_electrolyte`). False only to compare with the unoptimised model (tests/test_sim_cost.py).
CONSTANT_ELECTROLYTE = True

#: The PyBaMM submodel of the electrolyte's concentration (SPMe and DFN: ``electrolyte_diffusion.Full``).
ELECTROLYTE_DIFFUSION = "electrolyte diffusion"


def constant_electrolyte(model: pybamm.BaseBatteryModel) -> None:
    """Give ``model`` (built with ``build=False``) PyBaMM's constant electrolyte concentration (the SPM's
    ``electrolyte_diffusion.ConstantConcentration``: no states) in place of the diffusion equation of the SPMe and
    DFN (60 states on the default mesh, and one algebraic state with a surface form).

    Why this changes no result: the electrolyte is a solid single-ion conductor, whose mobile-ion concentration
    its lattice fixes, and nothing in our models reads the concentration: it enters PyBaMM's other equations only
    through the conductivity (ours a constant, the SE's sigma), the thermodynamic factor chi = 2 (1 - t+) TDF (0:
    ``parameters`` sets t+ = 1) and the exchange-current densities (ours do not read it). In the full SPMe
    equation it drifts (the SPMe's uniform electrolyte current against the local reactions and interphases, ~26 %
    in 3 cycles of Example 1) without effect but on the solver's error norm. The cycles agree with the full
    model's within the solver's own error (tests/test_sim_cost.py); Example 1's 5-cycle solve takes ~0.7x the
    time (bench/bench_sim.py). The SPM has it already.
    """
    sub = model.submodels.get(ELECTROLYTE_DIFFUSION)
    if sub is None or isinstance(sub, pybamm.electrolyte_diffusion.ConstantConcentration):
        return
    if not isinstance(sub, pybamm.electrolyte_diffusion.Full):  # a PyBaMM change: keep its own equation
        return
    model.submodels[ELECTROLYTE_DIFFUSION] = pybamm.electrolyte_diffusion.ConstantConcentration(
        model.param, model.options)


class FullContact(pybamm.BaseSubModel):
    """The contact fraction of an electrode whose contact cannot be lost: 1, no state."""

    def __init__(self, param, side: str):
        super().__init__(param)
        self.side = side

    def get_coupled_variables(self, variables):
        variables[f"{DOMAIN[self.side][1]} electrode contact fraction"] = pybamm.Scalar(1.0)
        variables[closed_contact_output(self.side)] = pybamm.Scalar(1.0)
        return variables


def build_model(name: str, n_phases: dict, constants: SimConstants | None = None,
                contact_sides: tuple[str, ...] = SIDES, coordinated: tuple[str, ...] = ()) -> pybamm.BaseBatteryModel:
    """The built (not yet parameterised) model; cached, so equal structures share one model. ``contact_sides``:
    the electrodes whose contact can be lost (the others get no contact-loss states: PyBaMM's constant active
    material and a contact fraction of 1). ``coordinated``: those of them whose active particles touch Z > 1 SE
    grains (``sim/coordination.py``), which carry the share of closed SE contacts as one more state."""
    film = (constants or default_constants()).sei["interphase"]["film_resistance"]
    sides = tuple(s for s in SIDES if s in contact_sides)
    coord = tuple(s for s in sides if s in coordinated)
    key = (name.lower(), n_phases["anode"], n_phases["cathode"], film, sei_flags(n_phases), sides, bool(n_phases.get("cei")),
           CONSTANT_ELECTROLYTE, coord)
    if key in _cache:
        return _cache[key]
    cls = MODELS[name.lower()]
    opts = cei_options({**model_options(n_phases), "SEI film resistance": film}, n_phases)  # + the CEI (sim/oxidation.py)
    lam = opts["loss of active material"]
    opts["loss of active material"] = tuple(lam[i] if side in sides else "none" for i, side in enumerate(SIDES))
    model = cls(opts, build=False)
    if CONSTANT_ELECTROLYTE:
        constant_electrolyte(model)
    install(model, {side: n_phases[side] for side in sides}, x_average=name.lower() != "dfn", coordinated=coord)
    for side in SIDES:
        if side not in sides:
            model.submodels[f"{DOMAIN[side][0]} full contact"] = FullContact(model.param, side)
    install_cei(model, sides)  # before the SE-reduction's install, which swaps every plain SEIGrowth
    install_interphase(model, sides)
    model.build_model()
    model.summary_variables = list(dict.fromkeys(list(model.summary_variables) + summary_names(n_phases)))
    _cache[key] = model
    return model


def clear_cache() -> None:
    """Forget every built model (and the simulations built on them)."""
    _cache.clear()
