"""Benchmark of design studies (issue 10): workers, overhead, input-only vs structural sweeps, worker memory.

    python bench/bench_study.py            # the full benchmark (a few minutes on 2 cores)
    python bench/bench_study.py --quick    # small sizes, to check it runs

Prints, side by side:
1. designs/s with 1 and 2 local worker processes on 100-design studies, structural and input-only (ratio;
   target 2 workers >= 1.7x);
2. overhead per design of ``run_study`` (in this process, with the store) against a bare loop of ``simulate()``
   calls on the same stacks (target <= 10 %);
3. time per design of an input-only sweep (stack pressure x shielded In thickness: one built simulation) and of a
   structural sweep (thickness of an In foil touching graphite: a new host every design);
4. peak RSS of one worker after every 50 of 200 structural designs (target: flat, < 1 GB).
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path


def _study(n_a: int, n_b: int, structural: bool, cycles: int = 1):
    from solidstack.studies import Study

    if structural:  # Comparative Example: the anode In touches graphite and reacts, so its thickness is structure
        axes = [{"path": "layers[1].thickness", "range": ["5 um", "100 um"], "steps": n_a * n_b}]
        stack = "comparative"
    else:  # Example 4: the anode In sits behind Cu; its thickness and the pressure only set the contact input
        axes = [{"path": "layers[1].thickness", "range": ["5 um", "100 um"], "steps": n_a},
                {"path": "stack_pressure", "range": ["0 MPa", "50 MPa"], "steps": n_b}]
        stack = "example-4"
    return Study.from_dict({"name": "bench", "stack": stack, "model": "SPM", "cycles": cycles, "axes": axes})


def _maxrss_MB() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(quick: bool = False) -> None:
    from solidstack.sim import Protocol, clear_cache, simulate
    from solidstack.stack import Stack
    from solidstack.studies import run_study
    from solidstack.studies.execute import open_executor, run_batch
    from solidstack.studies.study import OUTPUTS

    n_a, n_b = (4, 5) if quick else (10, 10)
    tmp = Path(tempfile.mkdtemp(prefix="bench-study-"))
    print(f"designs per study: {n_a * n_b}; SPM, 1 cycle; results under {tmp}")

    # 1. workers: the forkserver (which imports PyBaMM once for every pool) is started first, so neither run pays
    # for it. Two studies: structural (every design builds its model, ~0.4 s) and input-only (~15 ms a design,
    # where fixed costs show)
    with open_executor(1) as (ex, _, _, _):
        ex.submit(_maxrss_MB).result()
    mixed = _study(n_a, n_b, structural=False)
    for label, st in (("structural", _study(1, n_a * n_b, structural=True)), ("input-only", mixed)):
        rates = {}
        for w in (1, 2):
            t0 = time.perf_counter()
            run = run_study(st, tmp / f"{label}-w{w}.store", workers=w)
            dt = time.perf_counter() - t0
            rates[w] = len(run.rows) / dt
            print(f"  {label:10s} {w} worker(s): {len(run.rows)} designs in {dt:6.1f} s = {rates[w]:6.2f} designs/s "
                  f"({rates[w] / w:5.2f} per worker)")
        print(f"  {label:10s} 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x (target >= 1.7x)")

    # 2. overhead against a bare simulate() loop, in this process, same designs
    designs = [d for d in mixed.designs() if d.error is None]
    stacks = [Stack.from_dict(json.loads(d.stack_json)) for d in designs]
    protocols = [Protocol(**d.protocol) for d in designs]
    clear_cache()
    t0 = time.perf_counter()
    for s, p in zip(stacks, protocols, strict=True):
        simulate(s, p, model="SPM")
    bare = time.perf_counter() - t0
    clear_cache()
    t0 = time.perf_counter()
    run_study(mixed, tmp / "inproc.store", workers=0)
    study_t = time.perf_counter() - t0
    n = len(designs)
    print(f"  bare simulate() loop: {bare / n * 1e3:7.1f} ms/design; run_study in process (outputs, claim chart, "
          f"Parquet row): {study_t / n * 1e3:7.1f} ms/design; overhead {(study_t - bare) / n * 1e3:.1f} ms/design = "
          f"{(study_t - bare) / bare * 100:+.1f} % of these input-only designs (target <= 10 %)")

    # 3. input-only vs structural, in process, from a cold cache
    k = 10 if quick else 20
    times = {}
    for label, structural in (("input-only", False), ("structural", True)):
        st = _study(k // 5 if not structural else 1, 5 if not structural else k, structural)
        clear_cache()
        t0 = time.perf_counter()
        run = run_study(st, None, workers=0)
        times[label] = (time.perf_counter() - t0) / len(run.rows)
    print(f"  per design: input-only sweep {times['input-only'] * 1e3:7.1f} ms, structural sweep "
          f"{times['structural'] * 1e3:7.1f} ms ({times['structural'] / times['input-only']:.1f}x)")

    # 4. peak RSS of one worker over 200 structural designs, read from the worker itself every 50 designs
    total = 40 if quick else 200
    st = _study(1, total, structural=True)
    tasks = [{"design_id": d.id, "study": "bench", "model": d.model, "stack": d.stack_json, "protocol": d.protocol,
              "values": d.values, "outputs": list(OUTPUTS), "retention_cycle": None, "store": None}
             for d in st.designs()]
    with open_executor(1) as (ex, _, _, _):
        marks = []
        for i in range(0, total, total // 4):
            ex.submit(run_batch, json.dumps(tasks[i:i + total // 4])).result()
            marks.append(ex.submit(_maxrss_MB).result())
    print("  worker peak RSS after " + ", ".join(f"{(i + 1) * (total // 4)}: {m:.0f} MB" for i, m in enumerate(marks))
          + " (target: flat, < 1 GB)")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
