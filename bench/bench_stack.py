"""Benchmark: loading the knowledge base and building/validating every patent preset.

Prints its figures; asserts nothing. Run: .venv/bin/python bench/bench_stack.py
"""

from __future__ import annotations

import time
import tracemalloc


def main() -> None:
    t0 = time.perf_counter()
    from solidstack.materials import Catalog

    Catalog().load_all()
    t_catalog = time.perf_counter() - t0

    from solidstack.metrics import breakdown
    from solidstack.stack import load_preset, preset_names

    names = preset_names()
    load_preset(names[0])  # warm the default catalog
    n = 20
    t0 = time.perf_counter()
    for _ in range(n):
        for name in names:
            breakdown(load_preset(name))
    per_stack = (time.perf_counter() - t0) / (n * len(names))
    tracemalloc.start()
    Catalog().load_all()
    for name in names:
        breakdown(load_preset(name))
    _, peak = tracemalloc.get_traced_memory()
    print(f"import + knowledge base cold load and full check: {t_catalog * 1e3:.1f} ms")
    print(f"preset load + validate + breakdown: {per_stack * 1e3:.2f} ms per stack ({len(names)} presets x {n})")
    print(f"peak traced memory of a fresh catalog load + all presets: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
