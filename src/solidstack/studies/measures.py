"""Quantities measured on a simulated cycling result the way the patent reads them off its figures.

The patent reports a "charge plateau" read from first-cycle charge curves (FIG. 7, FIG. 10: "a charge plateau
was confirmed at approximately 3.7 V"). We read it the same way on every simulated curve: the flattest part
of the first charge, i.e. the window of 10 % of the charge capacity over which the voltage rises least, and
report the mean voltage in that window. The first and last 2 % of the charge (the initial jump from the
pristine cell's voltage, the rise to the cut-off) are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PLATEAU_WINDOW = 0.10  # fraction of the charge capacity
PLATEAU_MARGIN = 0.02  # fraction left out at each end
_GRID = 501


def flattest_voltage(voltage_V: np.ndarray, capacity_mAh: np.ndarray, window: float = PLATEAU_WINDOW,
                     margin: float = PLATEAU_MARGIN) -> float:
    """Mean voltage over the ``window`` (fraction of the total charge) where the voltage changes least.

    ``voltage_V`` and ``capacity_mAh`` are samples of one charge step in time order; capacity may count up or
    down (only its change matters).
    """
    v = np.asarray(voltage_V, dtype=float)
    q = np.abs(np.asarray(capacity_mAh, dtype=float) - float(np.asarray(capacity_mAh, dtype=float)[0]))
    if len(v) < 2 or q[-1] <= 0:
        raise ValueError("need a charge step with at least two samples and some charge passed")
    q = np.maximum.accumulate(q)  # guard against solver jitter
    keep = np.concatenate([[True], np.diff(q) > 0])
    q, v = q[keep], v[keep]
    grid = np.linspace(margin * q[-1], (1 - margin) * q[-1], _GRID)
    vg = np.interp(grid, q, v)
    n = max(2, int(round(window / (1 - 2 * margin) * (_GRID - 1))))
    rise = np.abs(vg[n:] - vg[:-n])
    i = int(np.argmin(rise))
    return float(vg[i : i + n + 1].mean())


def first_charge_plateau_V(timeseries: pd.DataFrame) -> float:
    """The flattest-part voltage of cycle 1's charge (rows with ``current_A`` < 0, PyBaMM's sign)."""
    first = timeseries[(timeseries["cycle"] == 1) & (timeseries["current_A"] < 0)]
    return flattest_voltage(first["voltage_V"].to_numpy(), first["capacity_mAh"].to_numpy())
