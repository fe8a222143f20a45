"""A protocol that starts with a discharge on a cell assembled discharged: nothing passes in the first discharge,
so its coulombic efficiency is undefined (NaN, never inf) and retention is counted from the first cycle that
discharged."""

import numpy as np

from solidstack.sim import simulate
from solidstack.stack import load_preset


def test_discharge_first_has_no_infinite_ratios():
    s = load_preset("example-4")
    cycling = s.cycling.model_dump(mode="json")
    cycling["first"] = "discharge"
    r = simulate(s.replace(cycling=cycling), cycles=2, model="SPM")
    t = r.cycles
    assert t.loc[0, "discharge_capacity_mAh"] < 1e-6 * t.loc[1, "discharge_capacity_mAh"]
    assert np.isnan(t.loc[0, "coulombic_efficiency"]) and np.isfinite(t.loc[1, "coulombic_efficiency"])
    assert np.isfinite(t["retention"]).all() and t.loc[1, "retention"] == 1.0
