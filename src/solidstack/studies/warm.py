"""Warm start of the local process pool's workers (preloaded by the forkserver, see
:func:`solidstack.studies.execute.open_executor`).

Importing this module once in the forkserver does what every worker would otherwise do before its first design:
import PyBaMM and solidstack, read the shipped materials and constants, and run one small simulation (Example 1,
SPM, one cycle), so the one-time initialisations of PyBaMM, CasADi and the IDAKLU solver are done. The built
simulation and model are then dropped (a worker builds every structure of its study itself), and the objects
left are frozen out of the garbage collector (``gc.freeze``), so forked workers share them copy-on-write and
their full collections do not walk them. Any failure is ignored: the workers then start cold.
"""

from __future__ import annotations

import gc
import logging
import warnings


def warm_up() -> None:
    """Initialise PyBaMM and solidstack in this process (see the module docstring); never raises."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pybamm

            from solidstack.sim import clear_cache, simulate
            from solidstack.stack import resolve
            from solidstack.studies.outputs import claim_outputs

            level = pybamm.logger.level
            pybamm.logger.setLevel(logging.CRITICAL)
            try:
                stack = resolve("example-1")
                claim_outputs(stack)
                simulate(stack, cycles=1, model="SPM")
            finally:
                pybamm.logger.setLevel(level)
                clear_cache()
    except Exception:  # noqa: BLE001 - a warm-up must never stop the pool: workers then start cold
        pass
    gc.collect()
    gc.freeze()


warm_up()
