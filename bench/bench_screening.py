"""Benchmark: screen every metal x every active material x every working ion (Li, Na, K), both layer roles,
in-process. Prints the time; asserts nothing about it.

    .venv/bin/python bench/bench_screening.py [repeats]
"""

from __future__ import annotations

import sys
import time


def main(repeats: int = 5) -> None:
    from solidstack.materials import IONS, Catalog
    from solidstack.rules import screen_all

    t0 = time.perf_counter()
    cat = Catalog()
    cat.load_all()
    load_s = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        results = screen_all(cat)
        times.append(time.perf_counter() - t)
    n = sum(len(r.assessments) for r in results)
    actives = sum(len(cat.actives(ion=i)) for i in IONS)
    print(f"knowledge base load: {load_s * 1e3:.1f} ms")
    print(f"screening: {len(cat.metals())} metals x {actives} (active material, ion) pairs x 2 roles = {n} assessments")
    print(f"time per full screening: best {min(times) * 1e3:.1f} ms, median {sorted(times)[len(times) // 2] * 1e3:.1f} ms "
          f"over {repeats} runs ({min(times) / n * 1e6:.1f} us per assessment)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
