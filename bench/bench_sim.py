"""Benchmarks of ``solidstack.sim`` (prints figures, asserts nothing).

    .venv/bin/python bench/bench_sim.py [--cycles-long 1000] [--repeat 7] [--no-compile]

1. cold and warm time of ``simulate(example-1, cycles=5)`` (cold: first call in the process, incl. model build,
   discretisation and solver setup; warm: the same call again, re-solving the cached simulation; both include
   the per-cycle table and the time series);
2. the cost ratio of issue 9 (item 6), measured side by side: 5 cycles, warm, best of ``--repeat`` interleaved
   runs, each run's time divided by that of a plain PyBaMM SPMe (``pybamm.lithium_ion.SPMe()``, PyBaMM's default
   options, no contact loss, no interphase) of the *same electrodes without the interlayers* (Example 1 with its
   metal layers removed, so one phase per electrode), with our parameter values, the same experiment (charge
   and discharge at the stack's current between its cut-offs) and the same solver settings (IDAKLU, rtol 1e-4,
   atol 1e-6):
   * the headline: Example 1 *with* its interlayers (the Li foil as a second anode phase), ``simulate()`` end
     to end (solve + per-cycle table + time series), against the plain SPMe, both with the default solver;
   * the same with the solver functions compiled (``SOLIDSTACK_COMPILE=1``, IDAKLU's ``compile`` option) on
     our side: against the uncompiled plain SPMe and against the plain SPMe compiled too;
   * the cell without interlayers through ``simulate()`` (same electrodes as the plain SPMe: the overhead of our
     mapping, the contact-loss law and the SE-reduction interphase alone);
   * for reference, plain PyBaMM SPMe with the built-in PyBaMM options our model uses (the SEI option).
   The solve alone (PyBaMM's ``Simulation.solve`` of our cached simulation) is printed beside ``simulate()``, and
   the post-processing share (``simulate()`` less the solve: per-cycle table, voltage integrals, set-up) with it;
   ``simulate()`` followed by reading ``result.timeseries`` (built when first read) is printed too.
   Each run's best wall-clock time and best CPU time (``time.process_time``) are taken; the ratio of CPU times
   is the steadier one on a shared machine (it leaves out the time the process waits for a core);
3. where the excess goes (``--profile``, default on): per simulation of the side-by-side runs, its states, the
   integrator's work over the 5 cycles (PyBaMM's ``solution.solver_statistics``: steps, linear-solver setups =
   Jacobian evaluations and KLU factorisations, Newton iterations ~ residual evaluations, error-test failures),
   the simulated time, ``solve_time`` and ``integration_time``, and the cost of one residual and one Jacobian
   evaluation (the CasADi functions the integrator calls: PyBaMM's MX for the plain SPMe, the SX expansions for
   ours (``sim.model.expanded_for_idaklu``); timed from Python, so ~30 us of call overhead each; their graph
   sizes beside, in MX nodes or SX operations). Example 1 with ``contact_loss=False`` is printed too (a diagnostic: the part of
   the Jacobian the contact-loss states add);
4. a long run (default 1,000 cycles) of Example 1 in a child process: wall time and peak memory (max RSS).

Targets: issue 9, the warm ratio of Example 1 with interlayers <= 2.0; issue 4, 1,000 cycles under 60 s and
1 GB on 2 cores. Timings are wall clock; the load average is printed before and after (ratios, measured side by
side and interleaved, hold on a shared machine better than absolute times).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

N_CYCLES = 5


def _time(fn, repeat: int = 1) -> float:
    return _times(fn, repeat)[0]


def _times(fn, repeat: int = 1) -> tuple[float, float]:
    """Best wall-clock and best CPU time (s, this process) of ``repeat`` calls."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    return wall, cpu


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


@contextmanager
def _compiled(on: bool) -> Iterator[None]:
    """Simulations built inside compile their solver functions (``SOLIDSTACK_COMPILE``)."""
    from solidstack.sim.model import COMPILE_ENV

    before = os.environ.get(COMPILE_ENV)
    os.environ[COMPILE_ENV] = "1" if on else "0"
    try:
        yield
    finally:
        if before is None:
            del os.environ[COMPILE_ENV]
        else:
            os.environ[COMPILE_ENV] = before


def cold_warm() -> tuple[float, float]:
    from solidstack.sim import simulate
    from solidstack.stack import resolve

    s = resolve("example-1")
    cold = _time(lambda: simulate(s, cycles=N_CYCLES))
    warm = _time(lambda: simulate(s, cycles=N_CYCLES), repeat=3)
    return cold, warm


def _long_child(cycles: int, queue) -> None:
    warnings.simplefilter("ignore")
    from solidstack.sim import simulate
    from solidstack.sim.run import SimulationError
    from solidstack.stack import resolve

    t0 = time.perf_counter()
    failure = ""
    try:
        r = simulate(resolve("example-1"), cycles=cycles)
    except SimulationError as e:  # report the cycles finished and why it stopped, instead of leaving the parent waiting
        failure = str(e)
        r = e.result
    elapsed = time.perf_counter() - t0
    rss_mb = _peak_rss_mb()
    n = 0 if r is None else len(r.cycles)
    ret = float("nan") if r is None or not n else float(r.cycles["retention"].iloc[-1])
    queue.put((elapsed, rss_mb, n, ret, failure))


def _peak_rss_mb() -> float:
    """Peak resident memory of this process (MB). On Linux from /proc (VmHWM starts afresh at exec):
    ``ru_maxrss`` keeps the high-water mark across exec, i.e. a spawned child would report the size of the
    parent it was forked from."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def long_run(cycles: int) -> tuple[float, float, int, float, str]:
    """(wall s, peak MB, cycles finished, retention at the last, failure message or "") of a long Example 1 run in
    a fresh process."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_long_child, args=(cycles, q))
    p.start()
    out = q.get()
    p.join()
    return out


def builtin_options(n_phases: dict[str, int]) -> dict:
    """The PyBaMM options of our model that are PyBaMM's own physics: all but the loss of active material
    (whose submodels our contact-loss law replaces)."""
    from solidstack.sim.model import model_options

    return {k: v for k, v in model_options(n_phases).items() if k != "loss of active material"}


def _reference_cells():
    """(Example 1, the same cell without its metal layers, ``simulate()`` of that cell for :data:`N_CYCLES` cycles,
    the plain PyBaMM experiment of its protocol: charge and discharge at its current between its cut-offs)."""
    import pybamm

    from solidstack.sim import simulate
    from solidstack.stack import Stack, resolve

    s = resolve("example-1")
    data = s.to_dict()
    data["layers"] = [la for la in data["layers"] if la["type"] != "metal"]
    bare = Stack.from_dict(data)
    result = simulate(bare, cycles=N_CYCLES)
    p = result.protocol
    amps = p.current_density_A_m2 * bare.area_m2
    exp = pybamm.Experiment([(f"Charge at {amps} A until {p.upper_V} V",
                              f"Discharge at {amps} A until {p.lower_V} V")] * N_CYCLES)
    return s, bare, result, exp


def side_by_side(repeat: int, compile_too: bool) -> dict[str, tuple[float, float]]:
    """Warm (wall, CPU) times (s, each the best of ``repeat``, interleaved) of :data:`N_CYCLES` cycles; keys: "plain" (plain PyBaMM
    SPMe of the cell without interlayers), "plain_same" (the same with our built-in PyBaMM options), "ex1" and
    "bare" (``simulate()`` of Example 1 and of the cell without interlayers) and their "_solve" (solve only);
    with ``compile_too`` also each of these (but "plain_same") compiled, suffix "_c"."""
    import pybamm

    from solidstack.sim import simulate
    from solidstack.sim.run import _limited_cycles

    n = N_CYCLES
    s, bare, ours, exp = _reference_cells()

    def plain_sim(options: dict, compile: bool) -> pybamm.Simulation:
        sim = pybamm.Simulation(pybamm.lithium_ion.SPMe(options), parameter_values=ours.parameter_values.copy(),
                                experiment=exp, solver=pybamm.IDAKLUSolver(options={"compile": compile}))
        sim.solve(inputs=ours.inputs)
        return sim

    def solve_only(r) -> Callable[[], None]:
        def run():
            with _limited_cycles(r.simulation.experiment, n):
                r.simulation.solve(inputs=r.inputs)
        return run

    def ours_runs(suffix: str, compile: bool) -> dict[str, Callable[[], object]]:
        runs: dict[str, Callable[[], object]] = {}
        for key, stack in (("ex1", s), ("bare", bare)):
            with _compiled(compile):
                r = simulate(stack, cycles=n)  # builds (and compiles) the cached simulation

            def whole(stack=stack):
                with _compiled(compile):
                    simulate(stack, cycles=n)

            def whole_ts(stack=stack):
                with _compiled(compile):
                    simulate(stack, cycles=n).timeseries  # noqa: B018 - the time series is built when first read

            runs[key + suffix] = whole
            runs[key + "_solve" + suffix] = solve_only(r)
            if not suffix:
                runs[key + "_ts"] = whole_ts
        return runs

    plain, same = plain_sim({}, False), plain_sim(builtin_options({"anode": 1, "cathode": 1}), False)
    runs: dict[str, Callable[[], object]] = {
        "plain": lambda: plain.solve(inputs=ours.inputs),
        "plain_same": lambda: same.solve(inputs=ours.inputs),
        **ours_runs("", False),
    }
    if compile_too:
        plain_c = plain_sim({}, True)
        runs["plain_c"] = lambda: plain_c.solve(inputs=ours.inputs)
        runs.update(ours_runs("_c", True))
    best = dict.fromkeys(runs, (float("inf"), float("inf")))
    for _ in range(repeat):
        for k, fn in runs.items():
            wall, cpu = _times(fn)
            best[k] = (min(best[k][0], wall), min(best[k][1], cpu))
    return best


def _eval_cost_us(fn, y, p, repeat: int = 400) -> float:
    """Best mean time (us) of one call of the CasADi function ``fn(t, y, p)`` from Python."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(repeat):
            fn(0.0, y, p)
        best = min(best, (time.perf_counter() - t0) / repeat * 1e6)
    return best


def profile() -> None:
    """Print the work counts of item 3 (see the module docstring) for the plain SPMe, the cell without
    interlayers and Example 1 (and Example 1 without contact loss, as a diagnostic)."""
    import casadi
    import pybamm

    from solidstack.sim import simulate
    from solidstack.sim.model import expanded_function, expands
    from solidstack.sim.run import _limited_cycles

    n = N_CYCLES
    s, bare, rb, exp = _reference_cells()
    plain = pybamm.Simulation(pybamm.lithium_ion.SPMe(), parameter_values=rb.parameter_values.copy(), experiment=exp,
                              solver=pybamm.IDAKLUSolver())
    plain.solve(inputs=rb.inputs)

    def ours(stack, **kw):
        r = simulate(stack, cycles=n, **kw)

        def run():
            with _limited_cycles(r.simulation.experiment, n):
                return r.simulation.solve(inputs=r.inputs)
        return run

    cases = {"plain PyBaMM SPMe (the reference)": (lambda: plain.solve(inputs=rb.inputs), False),
             "the cell without interlayers, ours": (ours(bare), True),
             "Example 1 with its interlayers, ours": (ours(s), True),
             "  diagnostic: Example 1, contact_loss=False": (ours(s, contact_loss=False), True)}
    print(f"where the time goes ({n} cycles, warm; solver work from solution.solver_statistics; one residual / "
          "Jacobian evaluation from Python, ~30 us of it call overhead):")
    print(f"  {'':<44s} {'states':>6s} {'steps':>6s} {'setups':>6s} {'newton':>6s} {'errtf':>5s} {'sim. h':>6s} "
          f"{'solve s':>7s} {'integ s':>7s} {'res us':>6s} {'jac us':>6s} {'res/jac nodes':>16s}")
    for label, (run, is_ours) in cases.items():
        sol = run()
        sol = run()  # warm
        m = sol.all_models[0]
        st = sol.solver_statistics
        y = sol.all_ys[0][:, -1]
        inputs = sol.all_inputs[0]
        pv = casadi.vertcat(*[v for k, v in inputs.items() if k != "start time"]) if inputs else casadi.DM()
        res, jac = m.rhs_algebraic_eval, m.jac_rhs_algebraic_eval
        if is_ours and expands(m):  # what IDAKLU evaluates: the SX expansions (model.expanded_for_idaklu)
            res, jac = expanded_function(res), expanded_function(jac)
        print(f"  {label:<44s} {m.len_rhs + m.len_alg:6d} {st.number_of_steps:6d} "
              f"{st.number_of_linear_solver_setups:6d} {st.number_of_nonlinear_solver_iterations:6d} "
              f"{st.number_of_error_test_failures:5d} {(sol.t[-1] - sol.t[0]) / 3600:6.1f} "
              f"{sol.solve_time.value:7.3f} {sol.integration_time.value:7.3f} {_eval_cost_us(res, y, pv):6.0f} "
              f"{_eval_cost_us(jac, y, pv):6.0f} {res.n_nodes():>7d}/{jac.n_nodes():<8d}")
    print(f"after the profile: {_load()}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles-long", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-compile", action="store_true", help="skip the compiled runs (~30 s of compilation)")
    ap.add_argument("--no-profile", action="store_true", help="skip the work counts (item 3 of the docstring)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    print(f"start: {_load()}")
    t0 = time.perf_counter()
    import pybamm  # noqa: F401

    print(f"import pybamm: {time.perf_counter() - t0:.2f} s")
    cold, warm = cold_warm()
    print(f"Example 1, {N_CYCLES} cycles, SPMe: cold {cold:.2f} s, warm {warm:.3f} s")
    b = side_by_side(args.repeat, not args.no_compile)

    def row(label: str, key: str, ref: str = "plain", note: str = "") -> None:
        (w, c), (rw, rc) = b[key], b[ref]
        print(f"  {label:<58s} {w:7.3f} {c:7.3f}   {w / rw:5.2f} {c / rc:5.2f}  {note}")

    print(f"\n{N_CYCLES} cycles, warm, best of {args.repeat} interleaved runs; ratio = time / that of the reference "
          "(wall-clock and CPU time of this process: on a loaded machine the CPU-time ratio is the steadier one)")
    print("  reference: plain PyBaMM SPMe (default options) of the same electrodes without the interlayers, "
          "IDAKLU rtol 1e-4, atol 1e-6")
    print(f"  {'':<58s} {'wall s':>7s} {'cpu s':>7s}   {'ratio':>5s} {'(cpu)':>5s}")
    def post(label: str, key: str) -> None:
        """The post-processing share: simulate() less its solve, against the reference's whole time."""
        (w, c), (sw, sc), (rw, rc) = b[key], b[key + "_solve"], b["plain"]
        print(f"  {label:<58s} {w - sw:7.3f} {c - sc:7.3f}   {(w - sw) / rw:5.2f} {(c - sc) / rc:5.2f}  "
              f"({(c - sc) / c:.0%} of simulate()'s CPU time)")

    row("plain PyBaMM SPMe (the reference)", "plain")
    row("Example 1 WITH its interlayers, ours: simulate()", "ex1", note="<- HEADLINE (issue 9 target <= 2.0)")
    row("  solve only", "ex1_solve")
    post("  post-processing (simulate() - solve; table, integrals)", "ex1")
    row("  simulate() and reading .timeseries (built when first read)", "ex1_ts")
    if "plain_c" in b:
        print("  compiled solver functions (SOLIDSTACK_COMPILE=1 for ours, IDAKLU compile for plain PyBaMM):")
        row("Example 1 with interlayers, compiled: simulate()", "ex1_c", note="vs the uncompiled plain SPMe")
        row("  solve only", "ex1_solve_c", note="vs the uncompiled plain SPMe")
        row("plain PyBaMM SPMe compiled", "plain_c", note="vs the uncompiled plain SPMe")
        row("Example 1 with interlayers, compiled: simulate()", "ex1_c", "plain_c", "vs the compiled plain SPMe")
        row("  solve only", "ex1_solve_c", "plain_c", "vs the compiled plain SPMe")
    row("the cell WITHOUT interlayers, ours: simulate()", "bare", note="(the plain SPMe's own electrodes)")
    row("  solve only", "bare_solve")
    post("  post-processing (simulate() - solve)", "bare")
    row("  simulate() and reading .timeseries", "bare_ts")
    if "plain_c" in b:
        row("the cell without interlayers, compiled: simulate()", "bare_c", note="vs the uncompiled plain SPMe")
        row("the cell without interlayers, compiled: simulate()", "bare_c", "plain_c", "vs the compiled plain SPMe")
    opts = ", ".join(f"{k}: {v}" for k, v in builtin_options({"anode": 1, "cathode": 1}).items())
    print(f"  for reference, plain PyBaMM SPMe with our built-in PyBaMM options ({opts}):")
    row("plain PyBaMM SPMe with our built-in options", "plain_same")
    row("the cell without interlayers, ours: simulate()", "bare", "plain_same", "vs plain with our built-in options")
    print(f"after the side-by-side runs: {_load()}\n")
    if not args.no_profile:
        profile()
    elapsed, rss, n, ret, failure = long_run(args.cycles_long)
    print(f"Example 1, {n} of {args.cycles_long} cycles, SPMe: {elapsed:.1f} s, peak memory {rss:.0f} MB "
          f"(targets < 60 s, < 1024 MB); retention at the last cycle {ret:.3f}")
    if failure:
        print(f"  the long run stopped early: {failure}")
    print(f"end: {_load()}")


if __name__ == "__main__":
    main()
