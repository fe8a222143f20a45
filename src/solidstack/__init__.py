"""solidstack: computational twin and design tool for all-solid-state battery stacks whose electrodes meet
their collectors through ductile metal interlayers (US 2016/0233553 A1)."""

import os as _os

__version__ = "0.1.0"

# PyBaMM's usage telemetry is off in solidstack (it would otherwise depend on what else happens to be imported):
# PyBaMM reads this before it is imported; solidstack.sim.run also calls pybamm.telemetry.disable().
_os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")
