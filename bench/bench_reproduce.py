"""Benchmark: the patent reproduction (six cells, 5 cycles each, SPMe), in-process, cold and warm.

Prints its figures; asserts nothing. Run: .venv/bin/python bench/bench_reproduce.py
"""

from __future__ import annotations

import time


def main() -> None:
    t0 = time.perf_counter()
    from solidstack.studies.reproduce import reproduce

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    rep = reproduce(cycles=5)
    t_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    reproduce(cycles=5)
    t_warm = time.perf_counter() - t0
    met = sum(1 for c in rep.comparisons if c.within_target)
    judged = sum(1 for c in rep.comparisons if c.within_target is not None)
    print(f"import (pybamm included): {t_import:.2f} s")
    print(f"reproduce, six cells x 5 cycles, cold (builds models): {t_cold:.2f} s")
    print(f"reproduce again in the same process (models cached, everything re-solved): {t_warm:.2f} s")
    print(f"targets met: {met} of {judged} judged")


if __name__ == "__main__":
    main()
