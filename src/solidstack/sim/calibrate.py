"""Calibration 'reference-retention' of the contact law's one free constant, eps_c.

Run ``python -m solidstack.sim.calibrate``: finds eps_c for which the Reference Example preset (In foil reacting
behind graphite, no stack pressure, 3.0-4.1 V, 0.2 mA/cm2) keeps 36 % of its cycle-1 discharge capacity at cycle 5
(US 2016/0233553 A1 [0106]) with the SPMe model, by bisection in log(eps_c). The result is written by hand into
``sim/data/contact.toml``; every other patent number is then a prediction.
"""

from __future__ import annotations

import math

from solidstack.sim.run import simulate
from solidstack.stack import resolve

TARGET_RETENTION = 0.36  # patent [0106], Reference Example, cycle 5
PRESET = "reference"


def retention_at_5(eps_c: float) -> float:
    r = simulate(resolve(PRESET), cycles=5, eps_c=eps_c)
    return float(r.cycles["retention"].iloc[-1])


def calibrate(lo: float = 0.02, hi: float = 2.0, iterations: int = 14) -> float:
    """eps_c (-) matching :data:`TARGET_RETENTION`; retention rises with eps_c."""
    for _ in range(iterations):
        mid = math.sqrt(lo * hi)
        if retention_at_5(mid) > TARGET_RETENTION:
            hi = mid
        else:
            lo = mid
    return math.sqrt(lo * hi)


if __name__ == "__main__":
    eps = calibrate()
    print(f"eps_c = {eps:.4f} (retention at cycle 5: {retention_at_5(eps):.3f})")
