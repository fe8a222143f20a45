"""Benchmarks of ``solidstack.sim`` (prints figures, asserts nothing).

    .venv/bin/python bench/bench_sim.py [--cycles-long 1000]

1. cold and warm time of 5 cycles of the Example 1 preset (cold: first call in the process, incl. model build,
   discretisation and solver setup; warm: the same call again, re-solving the cached simulation);
2. a long run (default 1,000 cycles) of Example 1 in a child process: wall time and peak memory (max RSS);
3. the ratio of our SPMe solve to a plain PyBaMM SPMe solve of the same cell without interlayers, measured side
   by side (warm solves, best of 3). Targets (issue 4): ratio <= 1.3; 1,000 cycles under 60 s and 1 GB on 2 cores.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
import warnings


def _time(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def cold_warm() -> tuple[float, float]:
    from solidstack.sim import simulate
    from solidstack.stack import resolve

    s = resolve("example-1")
    cold = _time(lambda: simulate(s, cycles=5))
    warm = _time(lambda: simulate(s, cycles=5), repeat=3)
    return cold, warm


def _long_child(cycles: int, queue) -> None:
    warnings.simplefilter("ignore")
    from solidstack.sim import simulate
    from solidstack.stack import resolve

    t0 = time.perf_counter()
    r = simulate(resolve("example-1"), cycles=cycles)
    elapsed = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    queue.put((elapsed, rss_mb, len(r.cycles), float(r.cycles["retention"].iloc[-1])))


def long_run(cycles: int) -> tuple[float, float, int, float]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_long_child, args=(cycles, q))
    p.start()
    out = q.get()
    p.join()
    return out


def ratio_vs_plain() -> tuple[float, float, float]:
    """(ours s, plain s, ratio): warm solve of Example 1 (5 cycles) vs plain SPMe of the same cell, no interlayers."""
    import pybamm

    from solidstack.sim import simulate
    from solidstack.sim.parameters import CURRENT_INPUT
    from solidstack.stack import Stack, resolve

    s = resolve("example-1")
    ours = simulate(s, cycles=5)
    ours_sim, inputs = ours.simulation, ours.inputs

    data = s.to_dict()
    data["layers"] = [la for la in data["layers"] if la["type"] != "metal"]
    bare = Stack.from_dict(data)
    bare_result = simulate(bare, cycles=5, contact_loss=False)
    pv = bare_result.parameter_values.copy()
    pv.update({"Current function [A]": inputs[CURRENT_INPUT] * s.area_m2}, check_already_exists=False)
    p = bare_result.protocol
    amps = p.current_density_A_m2 * s.area_m2
    exp = pybamm.Experiment([(f"Charge at {amps} A until {p.upper_V} V",
                              f"Discharge at {amps} A until {p.lower_V} V")] * p.cycles)
    plain = pybamm.Simulation(pybamm.lithium_ion.SPMe(), parameter_values=pv, experiment=exp,
                              solver=pybamm.IDAKLUSolver())
    plain.solve(inputs={CURRENT_INPUT: inputs[CURRENT_INPUT]})
    t_ours = _time(lambda: ours_sim.solve(inputs=inputs), repeat=3)
    t_plain = _time(lambda: plain.solve(inputs={CURRENT_INPUT: inputs[CURRENT_INPUT]}), repeat=3)
    return t_ours, t_plain, t_ours / t_plain


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles-long", type=int, default=1000)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    import pybamm  # noqa: F401

    print(f"import pybamm: {time.perf_counter() - t0:.2f} s")
    cold, warm = cold_warm()
    print(f"Example 1, 5 cycles, SPMe: cold {cold:.2f} s, warm {warm:.2f} s")
    t_ours, t_plain, ratio = ratio_vs_plain()
    print(f"solve, 5 cycles: ours (Example 1, Li-foil host + contact loss) {t_ours:.3f} s, plain PyBaMM SPMe of the "
          f"same cell without interlayers {t_plain:.3f} s, ratio {ratio:.2f} (target <= 1.3)")
    elapsed, rss, n, ret = long_run(args.cycles_long)
    print(f"Example 1, {n} cycles, SPMe: {elapsed:.1f} s, peak memory {rss:.0f} MB "
          f"(targets < 60 s, < 1024 MB); retention at the last cycle {ret:.3f}")


if __name__ == "__main__":
    main()
